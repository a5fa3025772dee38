#!/usr/bin/env bash
# split.sh: the report-intake setup (contrib/postfix-split.cf) end to end, with a real Postfix
# and a real PostgreSQL on loopback: the MX's smtpd (127.0.0.1:10025) runs no tlsrpt-milter,
# transport_maps routes the report address to the intake smtpd with the milter. The master.cf
# services and the main.cf settings are read from the contrib file itself (only the port, the
# socket and the address changed), so the documented lines are the tested ones.
#
# Checks: ordinary mail is delivered and the milter never sees it; a report is stored through
# the intake and nobody's mailbox gets it; a report with a second recipient reaches both; while
# the database is not ready the report waits in the MX's queue, then is stored once; a message
# without a report is quarantined without a bounce; the intake refuses other recipients; the
# queue ends empty (no loop). Run by tests/run_all.sh after it started PostgreSQL; root. One
# "PASS name" or "FAIL name: why" per check.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${TLSRPT_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
build=${TLSRPT_BUILD_DIR:-$src/build}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-55432} PGUSER=${PGUSER:-postgres}
MX=10025 INTAKE=10029 METRICS=10059
maillog=/var/log/postfix-tlsrpt-split.log
db=tlsrpt_split_$$
work=$(mktemp -d /var/tmp/tlsrpt-split.XXXXXX)
milter_pid=
# shellcheck source=lib.sh
. "$here/lib.sh"

failures=0
sql() { psql -X -At -v ON_ERROR_STOP=1 -d "$1" -c "$2" 2>>"$work/psql.err"; }
conninfo() { echo "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$db"; }
send() { # FILE RCPT...: prints the final SMTP reply
  local file=$1 r args=()
  shift
  for r in "$@"; do args+=(--to "$r"); done
  python3 "$here/mail.py" send --port $MX "${args[@]}" "$file"
}
queue_id() { sed -n 's/.*queued as \([0-9A-Za-z]*\).*/\1/p' <<<"$1"; }
delivered_to() { grep -q "$1: to=<$2>.*status=sent" "$maillog"; }
report_count() { sql "$db" "SELECT count(*) FROM tlsrpt.reports WHERE report_id = '$1'"; }
queue_empty() { postqueue -p 2>/dev/null | grep -q 'Mail queue is empty'; }
metric() { # NAME{LABELS}: its value on the milter's /metrics; "none" when the page or line is missing
  curl -sf "http://127.0.0.1:$METRICS/metrics" | awk -v m="$1" '$1 == m { v = $2 } END { print (v == "" ? "none" : v) }'
}
# the line of the intake delivery of front queue id $1 to the report address
intake_sent() { grep -q "$1: to=<tlsrpt@example.test>, relay=127.0.0.1\[127.0.0.1\]:$INTAKE.*status=sent" "$maillog"; }

cleanup() {
  set +e
  [ -n "$milter_pid" ] && kill -TERM "$milter_pid" 2>/dev/null && wait "$milter_pid"
  postfix_teardown "$work"
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" 2>/dev/null
  if [ "$failures" -eq 0 ]; then rm -rf "$work"; else echo "-- logs kept in $work"; fi
}
for port in $MX $INTAKE $METRICS; do
  if listening $port; then
    echo "FAIL split-setup: port $port is busy"
    exit 1
  fi
done
trap cleanup EXIT
trap 'exit 1' INT TERM

# The milter on a unix socket in the work directory (as the package's), the database not
# there yet: report mail gets 451 until it is.
chmod 755 "$work"
cat >"$work/milter.conf" <<EOF
Socket unix:$work/milter.sock
UMask 000
Database $(conninfo)
ReportAddresses tlsrpt@example.test
RequireDKIM no
Syslog no
MetricsListen 127.0.0.1:$METRICS
EOF
"$build/src/milter/tlsrpt-milter" -f -c "$work/milter.conf" >"$work/milter.log" 2>&1 &
milter_pid=$!
wait_for 10 test -S "$work/milter.sock" || { fail split-setup "milter: $(tail -n 3 "$work/milter.log")"; exit 1; }

mapfile -t entries < <(split_entries "$src/contrib/postfix-split.cf" $INTAKE "unix:$work/milter.sock" tlsrpt@example.test)
mapfile -t settings < <(split_main "$src/contrib/postfix-split.cf" $INTAKE tlsrpt@example.test)
[ "${#entries[@]}" = 2 ] && [ "${#settings[@]}" = 2 ] &&
  [[ "${settings[0]}" == "transport_maps = inline:{ tlsrpt@example.test=tlsrpt-intake:"* ]]
verdict split-contrib-lines-read $? "entries: ${entries[*]}; main.cf: ${settings[*]}"
# smtp_bind_address as on a multi-address MX: the intake transport must still come from
# 127.0.0.1, or the intake refuses it
postfix_setup 0 "$work" "$maillog" "${entries[@]}" &&
  postconf -e "smtpd_milters =" "smtp_bind_address = 127.0.0.2" "${settings[@]}" &&
  postfix reload >/dev/null 2>&1 &&
  wait_for 15 listening $INTAKE
verdict split-postfix-starts $? "$(cat "$work/postfix-check.log" 2>/dev/null; tail -n 5 "$maillog")"

# 1. ordinary mail: delivered; the milter saw no message at all
python3 "$here/mail.py" plain --subject "split plain $$" >"$work/plain.eml"
r=$(send "$work/plain.eml" alice@example.test)
q=$(queue_id "$r")
[[ $r == 250* ]] && wait_for 20 delivered_to "$q" alice@example.test &&
  [ "$(metric 'tlsrpt_milter_messages_total{outcome="untouched"}')" = 0 ]
verdict split-ordinary-mail-never-meets-milter $? "reply '$r'; $(grep "$q" "$maillog" | tail -n 2)"

# 2. database not ready: the intake answers 451, the report waits in the MX's queue
python3 "$here/mail.py" report --id split-waits >"$work/waits.eml"
r=$(send "$work/waits.eml" tlsrpt@example.test)
q_wait=$(queue_id "$r")
[[ $r == 250* ]] && wait_for 30 grep -q "$q_wait: to=<tlsrpt@example.test>.*status=deferred.*451 4\.3\.0" "$maillog" &&
  ! queue_empty
verdict split-database-down-report-waits-in-queue $? "reply '$r'; $(grep "$q_wait" "$maillog" | tail -n 2)"

sql postgres "CREATE DATABASE $db" >/dev/null &&
  "$build/src/tlsrptctl" db migrate --db "$(conninfo)" >"$work/migrate.log" 2>&1 &&
  wait_for 70 grep -q "database schema version [0-9]*: storing reports" "$work/milter.log" &&
  postqueue -f && wait_for 30 intake_sent "$q_wait" && [ "$(report_count split-waits)" = 1 ]
verdict split-waiting-report-stored-once-database-up $? "$(grep "$q_wait" "$maillog" | tail -n 2)"

# 3. a report: through the intake into the database, into no mailbox
python3 "$here/mail.py" report --id split-stored >"$work/stored.eml"
r=$(send "$work/stored.eml" tlsrpt@example.test)
q=$(queue_id "$r")
[[ $r == 250* ]] && wait_for 30 intake_sent "$q" && wait_for 10 test "$(report_count split-stored)" = 1 &&
  [ "$(grep -c "outcome=stored .*domains=" "$work/milter.log")" = 2 ] && [ ! -s /var/mail/tlsrpt ]
verdict split-report-stored-through-intake $? "reply '$r'; $(grep "$q" "$maillog" | tail -n 2)"
[ "$(metric 'tlsrpt_milter_messages_total{outcome="stored"}')" = 2 ]
verdict split-metrics-count-what-the-intake-stored $? "$(curl -s "http://127.0.0.1:$METRICS/metrics" | grep messages_total)"
r=$(send "$work/stored.eml" tlsrpt@example.test)
q=$(queue_id "$r")
[[ $r == 250* ]] && wait_for 30 intake_sent "$q" && [ "$(report_count split-stored)" = 1 ]
verdict split-resent-report-stored-once $? "reply '$r'"

# 4. a report to the report address and a user: the user's copy is delivered as usual
python3 "$here/mail.py" report --id split-two >"$work/two.eml"
r=$(send "$work/two.eml" tlsrpt@example.test alice@example.test)
q=$(queue_id "$r")
[[ $r == 250* ]] && wait_for 30 intake_sent "$q" && wait_for 20 delivered_to "$q" alice@example.test &&
  [ "$(report_count split-two)" = 1 ]
verdict split-report-and-user $? "reply '$r'; $(grep "$q" "$maillog" | tail -n 3)"

# 5. no report in it: quarantined, no bounce to the sender
printf 'From: someone@sender.example\r\nSubject: not a report %s\r\n\r\nhello\r\n' "$$" >"$work/invalid.eml"
r=$(send "$work/invalid.eml" tlsrpt@example.test)
q=$(queue_id "$r")
[[ $r == 250* ]] && wait_for 30 intake_sent "$q" &&
  [ "$(sql "$db" "SELECT count(*) FROM tlsrpt.rejected_messages WHERE subject = 'not a report $$'")" = 1 ] &&
  ! grep -q "$q: sender non-delivery notification" "$maillog"
verdict split-invalid-quarantined-no-bounce $? "reply '$r'; $(grep "$q" "$maillog" | tail -n 2)"

# 6. the intake takes mail for the report address only (no relay for local processes)
r=$(python3 "$here/mail.py" send --port $INTAKE --to alice@example.test "$work/plain.eml")
[[ $r == 554* ]] && [[ $r == *"Recipient address rejected"* ]]
verdict split-intake-refuses-other-recipients $? "reply '$r'"

# 7. nothing left in the queue: no loop, no deferred mail, no bounce
wait_for 30 queue_empty && ! grep -q "loops back to myself\|too many hops\|non-delivery notification" "$maillog"
verdict split-queue-empty-no-loop $? "$(postqueue -p | tail -n 5)"
exit $((failures > 0))
