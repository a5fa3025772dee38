#!/bin/bash
# verify.sh BUILD_DIR: the DKIM verification test. Generates the cases of make_cases.sh, serves
# their keys with dnsmasq on 127.0.0.1:10053 and checks `tlsrptctl dkim --resolver ADDR FILE`
# against cases/EXPECTED, then checks temperror while the DNS server is down and pass once it is
# back. Prints PASS dkim-NAME / FAIL dkim-NAME: ... lines; exit 1 when any case failed.
# Environment: DKIM_DNS_PORT (default 10053); DKIM_VERIFY_CMD replaces
# "BUILD_DIR/src/tlsrptctl dkim", e.g. "/usr/bin/python3 tests/dkim/dkimtool.py verify" checks
# this script against the dkimpy reference verifier.
set -u
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../e2e/lib.sh
. "$here/../e2e/lib.sh"
port=${DKIM_DNS_PORT:-10053}
if [ -n "${DKIM_VERIFY_CMD:-}" ]; then
  read -ra verifier <<<"$DKIM_VERIFY_CMD"
else
  verifier=("$1/src/tlsrptctl" dkim)
fi
work=$(mktemp -d /tmp/tlsrpt-dkim.XXXXXX)
trap 'dns_stop "$work/dns.pid"; rm -rf "$work"' EXIT
trap 'exit 1' INT TERM
failed=0

# verdict FILE: "RESULT yes|no REASON" from the verifier's JSON line, or what went wrong
verdict() {
  timeout 60 "${verifier[@]}" --resolver "127.0.0.1:$port" "$1" >"$work/out" 2>"$work/err"
  /usr/bin/python3 -c '
import json, sys
j = json.loads(open(sys.argv[1]).readline())
print(j["result"], "yes" if j["authenticated"] is True else "no", j.get("reason", ""))
' "$work/out" 2>/dev/null ||
    echo "unreadable output: $(cat "$work/out" "$work/err" | head -c 300 | tr '\n' ' ')"
}
# check NAME FILE RESULT AUTHENTICATED: one test line
check() {
  local got
  got=$(verdict "$2")
  if [ "${got%% *}" = "$3" ] && [ "$(echo "$got" | cut -d' ' -f2)" = "$4" ]; then
    echo "PASS dkim-$1"
  else
    echo "FAIL dkim-$1: got $got (expected $3 $4)"
    failed=1
  fi
}

"$here/make_cases.sh" "$work" "$port" >"$work/make_cases.log" 2>&1 ||
  { cat "$work/make_cases.log"; echo "FAIL dkim-make-cases"; exit 1; }
dns_start "$port" "$work/dnsmasq.conf" "$work/dns.pid" "$work/dns.log" ||
  { echo "FAIL dkim-dns-start"; exit 1; }
while IFS=$'\t' read -r name result auth; do
  check "$name" "$work/cases/$name.eml" "$result" "$auth"
done <"$work/cases/EXPECTED"

dns_stop "$work/dns.pid" || { echo "FAIL dkim-dns-stop"; exit 1; }
check dns-down "$work/cases/pass-relaxed.eml" temperror no
dns_start "$port" "$work/dnsmasq.conf" "$work/dns.pid" "$work/dns.log" ||
  { echo "FAIL dkim-dns-restart"; exit 1; }
check dns-back "$work/cases/pass-relaxed.eml" pass yes
exit "$failed"
