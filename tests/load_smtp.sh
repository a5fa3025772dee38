#!/usr/bin/env bash
# load_smtp.sh [N] [SESSIONS] [POOL]: the load test of tlsrpt-milter, set up from nothing (root, after
# a build in build/): a PostgreSQL cluster WITH fsync on (/var/tmp/tlsrpt-load-pg, port 55460),
# a migrated database, the milter, and Postfix with two listeners: 10025 (smtpd_milters = the
# milter) and 10028 (no milter, ordinary mailbox delivery). Then runs tests/load_smtp.py and
# tears everything down. Not part of the test run: benchmarks need a quiet machine.
# LOAD_ONLY=ordinary runs only the ordinary-mail comparison; ORDINARY_ROUNDS (default 20: fewer
# cannot resolve a few percent on a shared machine) sets how many rounds of each it
# alternates; they are sent by Postfix's smtp-source, one connection per message as most MX
# traffic arrives (ORDINARY_CLIENT=smtp-source-keep: its sessions kept open; =python:
# load_smtp.py's threads, sessions kept open).
# MILTER_SOCKET=inet has Postfix reach the milter over TCP on 127.0.0.1:10026 instead of a
# unix socket (the default, as in the package). MILTER=null (with LOAD_ONLY=ordinary) attaches
# tests/null_milter.cpp instead: a milter that accepts every message at MAIL FROM, i.e. what
# the milter protocol itself costs.
# LOAD_MODE=split runs the report-intake setup of contrib/postfix-split.cf instead: 10025
# without the milter, the report address routed to an intake smtpd on 10029 that has it.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-5000} sessions=${2:-50} pool=${3:-4}
build=${TLSRPT_BUILD_DIR:-$top/build}
pgdir=/var/tmp/tlsrpt-load-pg
export PGHOST=127.0.0.1 PGPORT=55460 PGUSER=postgres
maillog=/var/log/postfix-tlsrpt-load.log
work=$(mktemp -d /var/tmp/tlsrpt-load.XXXXXX)
milter_pid=
# shellcheck source=e2e/lib.sh
. "$top/tests/e2e/lib.sh"

cleanup() {
  [ -n "$milter_pid" ] && kill -TERM "$milter_pid" 2>/dev/null && wait "$milter_pid"
  dns_stop "$work/dns.pid"
  postfix_teardown "$work"
  bash "$top/tests/pg.sh" stop "$pgdir" fast
  rm -rf "$pgdir" /var/mail/alice
  echo "-- logs kept in $work"
}
for port in 10025 10026 10028 10029; do
  if listening $port; then
    echo "port $port is busy: stop what listens there first" >&2
    exit 1
  fi
done
trap cleanup EXIT
bash "$top/tests/pg.sh" stop "$pgdir" immediate 2>/dev/null
rm -rf "$pgdir"
bash "$top/tests/pg.sh" start "$pgdir" "$PGPORT" || exit 1 # fsync stays on
psql -X -q -d postgres -c "CREATE DATABASE tlsrpt_load" || exit 1
"$build/src/tlsrptctl" db migrate --db "dbname=tlsrpt_load" >/dev/null || exit 1

dkimtool() { /usr/bin/python3 "$top/tests/dkim/dkimtool.py" "$@"; }
dkimtool keygen "$work" load --type rsa --bits 2048 &&
  dkimtool dns-conf "$work/dnsmasq.conf" --local load.example \
    --key "load._domainkey.load.example=$work/load.pub" &&
  dns_start 10055 "$work/dnsmasq.conf" "$work/dns.pid" "$work/dns.log" || exit 1

chmod 755 "$work" # smtpd (user postfix) reaches the milter's socket in it
if [ "${MILTER_SOCKET:-unix}" = inet ]; then
  socket=inet:10026@127.0.0.1 postfix_socket=inet:127.0.0.1:10026
else
  socket=unix:$work/milter.sock postfix_socket=unix:$work/milter.sock
fi
milter_up() { if [ "${socket%%:*}" = inet ]; then listening 10026; else [ -S "$work/milter.sock" ]; fi; }
milter_conf() { # DKIM_LINES
  cat >"$work/milter.conf" <<EOF
Socket $socket
UMask 000
Database host=$PGHOST port=$PGPORT user=$PGUSER dbname=tlsrpt_load
ReportAddresses tlsrpt@example.test
DatabasePoolSize $pool
Resolver 127.0.0.1:10055
Syslog no
$1
EOF
}
milter_conf $'DKIMVerify no\nRequireDKIM no'
if [ "${MILTER:-}" = null ]; then # the protocol's own cost: only the ordinary-mail comparison
  [ "${LOAD_ONLY:-}" = ordinary ] && [ "${LOAD_MODE:-}" != split ] ||
    { echo "MILTER=null needs LOAD_ONLY=ordinary and no LOAD_MODE=split" >&2; exit 2; }
  "$build/tests/null_milter" "$socket" >"$work/milter.log" 2>&1 &
else
  "$build/src/milter/tlsrpt-milter" -f -c "$work/milter.conf" >"$work/milter.log" 2>&1 &
fi
milter_pid=$!
wait_for 10 milter_up || { cat "$work/milter.log"; exit 1; }

split=() settings=() milters=$postfix_socket split_flag=
if [ "${LOAD_MODE:-}" = split ]; then
  mapfile -t split < <(split_entries "$top/contrib/postfix-split.cf" 10029 "$postfix_socket" tlsrpt@example.test)
  mapfile -t settings < <(split_main "$top/contrib/postfix-split.cf" 10029 tlsrpt@example.test)
  milters='' split_flag=--split
fi
postfix_setup 10026 "$work" "$maillog" "${split[@]}" \
  "127.0.0.1:10028/inet = 127.0.0.1:10028 inet n - n - - smtpd -o smtpd_milters=" &&
  wait_for 15 listening 10028 || exit 1
# the ordinary-mail runs deliver tens of MB to one mailbox (default limit: 51,200,000 bytes)
postconf -e mailbox_size_limit=0 "smtpd_milters=$milters" "${settings[@]}" &&
  postfix reload >/dev/null 2>&1
[ -z "$split_flag" ] || wait_for 15 listening 10029 || exit 1

ordinary() {
  echo "== ordinary mail (not for a report address): milter attached versus not"
  python3 "$top/tests/load_smtp.py" -n "$n" -c "$sessions" --milter-pid "$milter_pid" \
    --maillog "$maillog" $split_flag --ordinary --rounds "${ORDINARY_ROUNDS:-20}" \
    --client "${ORDINARY_CLIENT:-smtp-source}"
}
[ "${LOAD_ONLY:-}" = ordinary ] && { ordinary; exit; } # only the cost for mail it passes
echo "== without DKIM verification (DKIMVerify no, RequireDKIM no)"
python3 "$top/tests/load_smtp.py" -n "$n" -c "$sessions" --milter-pid "$milter_pid" \
  --maillog "$maillog" --tag unsigned --skip-plain $split_flag
rc=$?
milter_conf "" # the defaults: verified and required
kill -HUP "$milter_pid" && wait_for 10 grep -q "reloaded configuration" "$work/milter.log" || exit 1
echo "== with DKIM verification (the default), signed reports"
/usr/bin/python3 "$top/tests/load_smtp.py" -n "$n" -c "$sessions" --milter-pid "$milter_pid" \
  --maillog "$maillog" --tag signed --sign "$work/load.key" $split_flag || rc=1
ordinary || rc=1
stored=$(psql -X -At -d tlsrpt_load -c "SELECT count(*) FROM tlsrpt.reports")
authenticated=$(psql -X -At -d tlsrpt_load -c \
  "SELECT count(*) FROM tlsrpt.reports WHERE dkim_authenticated")
echo "reports in the database: $stored (expected $((2 * n))), authenticated $authenticated" \
  "(expected $n)"
[ "$stored" = $((2 * n)) ] && [ "$authenticated" = "$n" ] || rc=1
exit $rc
