#!/bin/bash
# dnssec.sh BUILD_DIR: the DNSSEC test of DKIM key lookups. Builds DNSSEC-signed zones with
# ldns-keygen / ldns-signzone, serves them authoritatively with nsd on 127.0.0.1:10059 (its own
# config, pid file and zone files in a temporary directory; never the system nsd), and checks
# the dnssec field and the verdict of `tlsrptctl dkim --resolver 127.0.0.1:10059
# [--trust-anchor FILE]` on signed report emails:
#   reporter.example     signed (NSEC); selectors sel (good), tampered (TXT changed after
#                        signing), no key at nokey; delegates mx.reporter.example without a DS
#   mx.reporter.example  unsigned child zone: provably insecure below the trust anchor
#   stale.example        signed, every signature expired
# Prints PASS dnssec-NAME / FAIL dnssec-NAME: ... lines; exit 1 when any check failed.
# Environment: DKIM_DNSSEC_PORT (default 10059).
set -u
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../e2e/lib.sh
. "$here/../e2e/lib.sh"
port=${DKIM_DNSSEC_PORT:-10059}
tlsrptctl=$1/src/tlsrptctl
for tool in /usr/sbin/nsd /usr/bin/ldns-keygen /usr/bin/ldns-signzone /usr/bin/ldns-key2ds; do
  [ -x "$tool" ] || { echo "FAIL dnssec-setup: $tool missing (tests/setup_deps.sh)"; exit 1; }
done
work=$(mktemp -d /tmp/tlsrpt-dnssec.XXXXXX)
nsd_pid=
# nsd_stop: ends the nsd this script started (its pid from the shell, not from a name)
nsd_stop() {
  [ -n "$nsd_pid" ] || return 0
  kill "$nsd_pid" 2>/dev/null
  wait "$nsd_pid" 2>/dev/null
  nsd_pid=
}
trap 'nsd_stop; rm -rf "$work"' EXIT
trap 'exit 1' INT TERM
failed=0
keys=$work/keys zones=$work/zones mails=$work/mails
mkdir -p "$keys" "$zones" "$mails" "$work/nsd"
dkimtool() { /usr/bin/python3 "$here/dkimtool.py" "$@"; }
setup_fail() { echo "FAIL dnssec-setup: $*"; exit 1; }

# ---- DKIM keys and the report emails ----------------------------------------------------

dkimtool keygen "$keys" dkim --type rsa --bits 2048 || setup_fail "dkim keygen"
# txt_key: the DKIM key record as zone-file TXT character-strings (each under 255 bytes)
txt_key() {
  local p chunk out='"v=DKIM1; k=rsa; p="'
  p=$(cat "$keys/dkim.pub")
  while read -r chunk; do out+=" \"$chunk\""; done < <(fold -w 200 <<<"$p")
  echo "$out"
}
# mail NAME DOMAIN SELECTOR: a report by DOMAIN (contact tlsrpt@DOMAIN), signed d=DOMAIN s=SELECTOR
mail() {
  /usr/bin/python3 "$here/../e2e/mail.py" report --id "2026-03-01T00:00:00Z_dnssec-$1" \
    --contact "tlsrpt@$2" --org "$2" --domain example.test >"$mails/$1.base" ||
    setup_fail "mail $1"
  dkimtool sign "$mails/$1.base" "$mails/$1.eml" --domain "$2" --selector "$3" \
    --key "$keys/dkim.key" || setup_fail "sign $1"
}
mail good reporter.example sel
mail tampered reporter.example tampered
mail nokey reporter.example nokey
mail insecure mx.reporter.example sel
mail expired stale.example sel

# ---- the zones ----------------------------------------------------------------------------

# soa ZONE: the apex records, ns.reporter.example. (127.0.0.1) serving every zone
soa() {
  # shellcheck disable=SC2016 # $ORIGIN and $TTL are zone-file directives
  printf '$ORIGIN %s.\n$TTL 300\n' "$1"
  printf '@ IN SOA ns.reporter.example. hostmaster.reporter.example. 1 3600 600 86400 300\n'
  printf '@ IN NS ns.reporter.example.\n'
}
{
  soa reporter.example
  echo "ns IN A 127.0.0.1"
  echo "sel._domainkey IN TXT $(txt_key)"
  echo "tampered._domainkey IN TXT $(txt_key)"
  echo "mx IN NS ns.reporter.example." # an unsigned delegation: no DS, proven by NSEC
} >"$zones/reporter.example"
{
  soa mx.reporter.example
  echo "sel._domainkey IN TXT $(txt_key)"
} >"$zones/mx.reporter.example"
{
  soa stale.example
  echo "sel._domainkey IN TXT $(txt_key)"
} >"$zones/stale.example"

# keygen ZONE [-k]: a new ECDSA P-256 key for ZONE (-k: a KSK) in keys/; prints its base name
keygen() { (cd "$keys" && /usr/bin/ldns-keygen -a ECDSAP256SHA256 "${@:2}" "$1"); }
# sign ZONE INCEPTION EXPIRATION: zones/ZONE.signed (NSEC) with a new KSK and ZSK; appends the
# KSK's DS (SHA-256) to the trust anchor file
sign() {
  local ksk zsk
  ksk=$(keygen "$1" -k) || setup_fail "ldns-keygen $1"
  zsk=$(keygen "$1") || setup_fail "ldns-keygen $1"
  /usr/bin/ldns-signzone -o "$1" -i "$2" -e "$3" -f "$zones/$1.signed" "$zones/$1" \
    "$keys/$ksk" "$keys/$zsk" 2>"$work/signzone.log" || {
    cat "$work/signzone.log"
    setup_fail "ldns-signzone $1"
  }
  /usr/bin/ldns-key2ds -n -2 "$keys/$ksk.key" >>"$work/trust-anchor" || setup_fail "ldns-key2ds $1"
}
# ldns-signzone dates: YYYYMMDDhhmmss (UTC); a day of slack before now for the good zone
day() { date -u -d "$1" +%Y%m%d%H%M%S; }
: >"$work/trust-anchor"
sign reporter.example "$(day '1 day ago')" "$(day '30 days')"
sign stale.example "$(day '60 days ago')" "$(day '30 days ago')"
cp "$zones/mx.reporter.example" "$zones/mx.reporter.example.signed" # served unsigned

# The tampered key record: a tag added after signing (the key itself still usable), so its
# RRSIG no longer matches. Only the TXT line changes, not the RRSIG line covering it.
sed -E -i 's/^(tampered\._domainkey\.reporter\.example\.[[:space:]].*IN[[:space:]]+TXT[[:space:]]+"v=DKIM1; )/\1n=changed; /' \
  "$zones/reporter.example.signed"
[ "$(grep -c 'n=changed' "$zones/reporter.example.signed")" = 1 ] ||
  setup_fail "the tampered TXT record was not changed in the signed zone"

# A trust anchor of a key that signs nothing: every answer of reporter.example is then bogus.
wrong=$(keygen reporter.example -k) || setup_fail "ldns-keygen wrong anchor"
/usr/bin/ldns-key2ds -n -2 "$keys/$wrong.key" >"$work/wrong-anchor" || setup_fail "ldns-key2ds"

# ---- nsd ----------------------------------------------------------------------------------

cat >"$work/nsd.conf" <<EOF
# nsd for tests/dkim/dnssec.sh: 127.0.0.1:$port only, everything under $work
server:
  ip-address: 127.0.0.1
  port: $port
  do-ip6: no
  username: ""
  chroot: ""
  database: ""
  zonesdir: "$zones"
  zonelistfile: "$work/nsd/zone.list"
  xfrdfile: "$work/nsd/xfrd.state"
  xfrdir: "$work/nsd"
  pidfile: "$work/nsd/nsd.pid"
  logfile: "$work/nsd.log"
  server-count: 1
  verbosity: 1
remote-control:
  control-enable: no
zone:
  name: reporter.example
  zonefile: reporter.example.signed
zone:
  name: mx.reporter.example
  zonefile: mx.reporter.example.signed
zone:
  name: stale.example
  zonefile: stale.example.signed
EOF
/usr/sbin/nsd-checkconf "$work/nsd.conf" || setup_fail "nsd-checkconf"
for z in reporter.example mx.reporter.example stale.example; do
  /usr/sbin/nsd-checkzone "$z" "$zones/$z.signed" >/dev/null || setup_fail "nsd-checkzone $z"
done
/usr/sbin/nsd -d -c "$work/nsd.conf" </dev/null >>"$work/nsd.log" 2>&1 &
nsd_pid=$!
# nsd_serves: nsd answers the key record of the good zone
# shellcheck disable=SC2317 # called through wait_for
nsd_serves() {
  kill -0 "$nsd_pid" 2>/dev/null &&
    dkimtool query "$port" sel._domainkey.reporter.example 2>/dev/null | grep -q 'v=DKIM1'
}
wait_for 10 nsd_serves || { tail -n 20 "$work/nsd.log"; setup_fail "nsd does not answer on $port"; }

# ---- the checks ---------------------------------------------------------------------------

# verdict MAIL [TRUST-ANCHOR]: "EXIT RESULT AUTH DNSSEC SIG-RESULT SIG-DNSSEC | REASON" of
# tlsrptctl dkim on mails/MAIL.eml (AUTH yes|no; SIG-*: its first signature), or what went wrong
verdict() {
  local with=() rc
  [ $# -eq 2 ] && with=(--trust-anchor "$2")
  timeout 60 "$tlsrptctl" dkim --resolver "127.0.0.1:$port" "${with[@]}" "$mails/$1.eml" \
    >"$work/out" 2>"$work/err"
  rc=$?
  /usr/bin/python3 -c '
import json, sys
j = json.loads(open(sys.argv[1]).readline())
s = j["signatures"][0]
print(sys.argv[2], j["result"], "yes" if j["authenticated"] is True else "no", j["dnssec"],
      s["result"], s["dnssec"], "|", j["reason"])
' "$work/out" "$rc" 2>/dev/null ||
    echo "unreadable output (exit $rc): $(cat "$work/out" "$work/err" | head -c 300 | tr '\n' ' ')"
}
# check NAME EXPECTED MAIL [TRUST-ANCHOR]: one test line; EXPECTED is verdict's text before " |"
check() {
  local name=$1 want=$2 got
  shift 2
  got=$(verdict "$@")
  if [ "${got%% |*}" = "$want" ]; then
    echo "PASS dnssec-$name"
  else
    echo "FAIL dnssec-$name: got '$got', expected '$want'"
    failed=1
  fi
}
# check_reason NAME TEXT MAIL [TRUST-ANCHOR]: the verdict's reason contains TEXT
check_reason() {
  local name=$1 want=$2 got
  shift 2
  got=$(verdict "$@")
  if [[ "${got#*| }" == *"$want"* ]]; then
    echo "PASS dnssec-$name"
  else
    echo "FAIL dnssec-$name: got '$got', expected a reason with '$want'"
    failed=1
  fi
}
anchor=$work/trust-anchor

# Validated: the key record is signed by the zone the trust anchor names.
check secure "0 pass yes secure pass secure" good "$anchor"
# No trust anchor: no validation at all, so dns.hpp documents "unknown" (not "insecure").
check no-anchor "0 pass yes unknown pass unknown" good
# A missing key, and the NSEC proof of it validated: permerror, but the denial is secure.
check nokey-secure "1 permerror no secure permerror secure" nokey "$anchor"
# Below the trust anchor, in a child zone the parent proves unsigned (no DS, NSEC signed).
check insecure "0 pass yes insecure pass insecure" insecure "$anchor"
# The key record changed after signing: bogus, and the key is not used (RFC 6376 §6.1.2: the
# lookup failed), whatever it holds: permerror, not authenticated, not temporary (exit 1).
check tampered-bogus "1 permerror no bogus permerror bogus" tampered "$anchor"
check_reason tampered-bogus-reason "tampered._domainkey.reporter.example failed DNSSEC validation" \
  tampered "$anchor"
# The same record without validation: the tampered record still holds a good key, so the
# bogus verdict above came from DNSSEC and nothing else.
check tampered-no-anchor "0 pass yes unknown pass unknown" tampered
# Every signature of stale.example expired: bogus as well.
check expired-bogus "1 permerror no bogus permerror bogus" expired "$anchor"
check expired-no-anchor "0 pass yes unknown pass unknown" expired
# A trust anchor that matches no key of the zone: even the good record is bogus.
check wrong-anchor-bogus "1 permerror no bogus permerror bogus" good "$work/wrong-anchor"
# check_refused NAME FILE: a trust anchor FILE libunbound cannot load is a setup error (exit 2,
# naming the file), not a resolver failing at every lookup (temperror, exit 75)
check_refused() {
  local rc=0
  "$tlsrptctl" dkim --resolver "127.0.0.1:$port" --trust-anchor "$2" "$mails/good.eml" \
    >"$work/out" 2>"$work/err" || rc=$?
  if [ "$rc" = 2 ] && grep -q "trust anchor $2" "$work/err"; then
    echo "PASS dnssec-$1"
  else
    echo "FAIL dnssec-$1: exit $rc: $(tail -n 1 "$work/err" | head -c 300)"
    failed=1
  fi
}
check_refused anchor-missing "$work/missing"
echo "reporter.example. IN DS not a digest" >"$work/garbage-anchor"
check_refused anchor-garbage "$work/garbage-anchor"

nsd_stop
exit "$failed"
