#!/usr/bin/env bash
# chaos_smtp.sh [N] [SESSIONS] [short]: the promise under load with faults. N DKIM-signed report
# emails (default 10,000) over SESSIONS parallel SMTP sessions (default 50) go to a *sending*
# Postfix (127.0.0.1:10027, queue and retries) that relays them to the receiving Postfix with
# the milter (10025 -> milter 10026 -> PostgreSQL 55461, keys from dnsmasq on 10056), while this
# script: kills PostgreSQL (immediate) and starts it again, SIGKILLs the milter and restarts
# it, restarts Postfix, and fills the milter's database pool with slow 40,000-detail reports.
# `short` runs three faults only (no Postfix restart): the version in tests/run_all.sh.
# At the end every report the sending MTA accepted must be in the database exactly once, its
# queue empty, nothing quarantined. Prints PASS/FAIL lines and the figures; exit 1 on failure.
# Root, Debian 12, after a build in build/; takes the machine's Postfix over like the e2e tests.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-10000} sessions=${2:-50} mode=${3:-full}
build=${TLSRPT_BUILD_DIR:-$top/build}
pgdir=/var/tmp/tlsrpt-chaos-pg
export PGHOST=127.0.0.1 PGPORT=55461 PGUSER=postgres
maillog=/var/log/postfix-tlsrpt-chaos.log
work=$(mktemp -d /var/tmp/tlsrpt-chaos.XXXXXX)
failures=0
# shellcheck source=e2e/lib.sh
. "$top/tests/e2e/lib.sh"
say() { printf -- '-- %s\n' "$*"; }
verdict() { # NAME STATUS WHY
  if [ "$2" -eq 0 ]; then echo "PASS $1"; else echo "FAIL $1: $3"; failures=$((failures + 1)); fi
}
sql() { psql -X -At -d tlsrpt_chaos -c "$1" 2>>"$work/psql.err"; }

cleanup() {
  set +e
  [ -f "$work/milter.pid" ] && kill -TERM "$(cat "$work/milter.pid")" 2>/dev/null &&
    wait_for 15 not_listening 10026
  dns_stop "$work/dns.pid"
  postfix_teardown "$work"
  bash "$top/tests/pg.sh" stop "$pgdir" fast
  rm -rf "$pgdir"
  if [ "$failures" -eq 0 ]; then rm -rf "$work"; else echo "-- logs kept in $work"; fi
}

# The milter's pid is kept in a file: the faults restart it from a background subshell.
start_milter() {
  "$build/src/milter/tlsrpt-milter" -f -c "$work/milter.conf" >>"$work/milter.log" 2>&1 &
  echo $! >"$work/milter.pid"
  wait_for 10 listening 10026
}

setup() {
  local port
  for port in 10025 10026 10027 10056; do
    listening $port && { echo "FAIL chaos-setup: port $port is busy"; exit 1; }
  done
  bash "$top/tests/pg.sh" stop "$pgdir" immediate 2>/dev/null
  rm -rf "$pgdir"
  bash "$top/tests/pg.sh" start "$pgdir" "$PGPORT" || return 1 # fsync stays on
  psql -X -q -d postgres -c "CREATE DATABASE tlsrpt_chaos" &&
    "$build/src/tlsrptctl" db migrate --db "dbname=tlsrpt_chaos" >/dev/null || return 1
  /usr/bin/python3 "$top/tests/dkim/dkimtool.py" keygen "$work" load --type rsa --bits 2048 &&
    /usr/bin/python3 "$top/tests/dkim/dkimtool.py" dns-conf "$work/dnsmasq.conf" \
      --local load.example --key "load._domainkey.load.example=$work/load.pub" &&
    dns_start 10056 "$work/dnsmasq.conf" "$work/dns.pid" "$work/dns.log" || return 1
  cat >"$work/milter.conf" <<CONF
Socket inet:10026@127.0.0.1
Database host=$PGHOST port=$PGPORT user=$PGUSER dbname=tlsrpt_chaos
ReportAddresses tlsrpt@example.test
Resolver 127.0.0.1:10056
DatabasePoolSize 4
DatabaseTimeout 5
Syslog no
CONF
  start_milter || return 1
  postfix_setup 10026 "$work" "$maillog" \
    "127.0.0.1:10027/inet = 127.0.0.1:10027 inet n - n - - smtpd -o smtpd_milters= -o content_filter=tomx:[127.0.0.1]:10025" \
    "tomx/unix = tomx unix - - n - 20 smtp -o myhostname=relay.example.test" || return 1
  # the sending MTA retries soon: the test waits for its queue to drain
  postconf -e queue_run_delay=2s minimal_backoff_time=2s maximal_backoff_time=10s \
    default_destination_concurrency_limit=20 && postfix reload >/dev/null 2>&1
  wait_for 15 listening 10027
}

# One round of the faults, one after the other.
fault_round() {
  sleep 3
  say "fault: PostgreSQL killed (immediate)"
  bash "$top/tests/pg.sh" stop "$pgdir" immediate
  sleep 4
  bash "$top/tests/pg.sh" start "$pgdir" "$PGPORT" && say "PostgreSQL back"
  sleep 3
  say "fault: milter SIGKILLed"
  kill -KILL "$(cat "$work/milter.pid")"
  wait_for 10 not_listening 10026
  sleep 1
  start_milter && say "milter back"
  sleep 3
  say "fault: the pool filled with slow huge reports"
  /usr/bin/python3 "$top/tests/chaos_smtp.py" big -n 6 --details 40000 --port 10027 \
    --key "$work/load.key" --out "$work/handed-big-$1" | sed 's/^/-- /'
  if [ "$mode" != short ]; then
    sleep 2
    say "fault: Postfix restarted"
    postfix stop >/dev/null 2>&1
    wait_for 15 not_listening 10025
    postfix start >/dev/null 2>&1 && wait_for 15 listening 10027 && say "Postfix back"
  fi
}

# Rounds of faults while the client ($1) sends; one round in the short version.
faults() {
  local round=0
  wait_for 600 test -e "$work/sending"
  while kill -0 "$1" 2>/dev/null || [ $round -eq 0 ]; do
    round=$((round + 1))
    say "fault round $round"
    fault_round "$round"
    [ "$mode" = short ] && break
  done
}

queue_empty() { postqueue -f >/dev/null 2>&1; postqueue -p | grep -q 'Mail queue is empty'; }

check() {
  cat "$work"/handed "$work"/handed-big-* 2>/dev/null | sort -u >"$work/handed-all"
  local handed missing dup rejected
  handed=$(wc -l <"$work/handed-all")
  psql -X -q -d tlsrpt_chaos -c "CREATE TABLE handed (report_id text)" 2>>"$work/psql.err"
  psql -X -q -d tlsrpt_chaos -c "\\copy handed FROM '$work/handed-all'" 2>>"$work/psql.err"
  missing=$(sql "SELECT count(*) FROM handed h WHERE NOT EXISTS (SELECT FROM tlsrpt.reports r WHERE r.report_id = h.report_id)")
  dup=$(sql "SELECT count(*) FROM (SELECT report_id FROM tlsrpt.reports GROUP BY reporter, report_id HAVING count(*) > 1) d")
  rejected=$(sql "SELECT count(*) FROM tlsrpt.rejected_messages")
  [ "$missing" = 0 ]
  verdict chaos-every-handed-report-stored $? "$missing of $handed missing"
  [ "$dup" = 0 ]
  verdict chaos-no-report-stored-twice $? "$dup duplicated"
  [ "$rejected" = 0 ]
  verdict chaos-nothing-quarantined $? "$rejected quarantined: $(sql "SELECT string_agg(DISTINCT reason, '; ') FROM tlsrpt.rejected_messages")"
  say "handed over $handed, stored $(sql "SELECT count(*) FROM tlsrpt.reports"), authenticated $(sql "SELECT count(*) FROM tlsrpt.reports WHERE dkim_authenticated")"
}

trap cleanup EXIT
trap 'exit 1' INT TERM
setup || { echo "FAIL chaos-setup: $(tail -n 5 "$work/milter.log" "$maillog" 2>/dev/null)"; exit 1; }
echo "PASS chaos-setup"
t0=$SECONDS
pace=0
[ "$mode" = short ] && pace=20 # the faults of one round fall inside the sending
/usr/bin/python3 "$top/tests/chaos_smtp.py" send -n "$n" -c "$sessions" --port 10027 \
  --key "$work/load.key" --out "$work/handed" --duration "$pace" --ready "$work/sending" \
  > >(sed 's/^/-- /') &
client_pid=$!
faults "$client_pid"
wait "$client_pid"
say "sending and faults done after $((SECONDS - t0)) s; waiting for the sender's queue"
wait_for 600 queue_empty
verdict chaos-sender-queue-drained $? "$(postqueue -p | tail -n 1)"
say "drained after $((SECONDS - t0)) s in all"
check
say "milter: $(grep -c 'outcome=stored' "$work/milter.log") stored, $(grep -c 'outcome=tempfail' "$work/milter.log") tempfail answers"
exit $((failures > 0))
