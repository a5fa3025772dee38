#!/usr/bin/env bash
# two_milters.sh: two milters, as on two MX hosts, storing into one database (docs/scaling.md,
# "Many MX hosts"). Each has its own configuration, pid file and pool. A sender that gave up on
# one MX and retried at the other delivers the same report to both: 20 reports sent to both
# milters at once are each stored once (the dedup key, whichever commits first), and all 40
# messages get a 250. 20 reports of a month that has no partition yet, 10 through each milter
# at once, make that month's partitions once (advisory lock) and land in them, none in the
# default partition. Prints PASS/FAIL/SKIP lines.
#   bash tests/scale/two_milters.sh        (TLSRPT_BUILD_DIR: default ./build)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${TLSRPT_BUILD_DIR:-$top/build}
port_a=${MILTER_PORT_A:-10455} port_b=${MILTER_PORT_B:-10456}
work=$(mktemp -d /tmp/tlsrpt-two-milters-test.XXXXXX)
chmod 755 "$work"
. "$top/tests/scale/lib.sh"
db=tlsrpt_two_milters_$$
pid_a= pid_b=
cleanup() {
  for p in $pid_a $pid_b; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" 2>/dev/null
  [ "$failures" -eq 0 ] && rm -rf "$work" || echo "-- logs kept in $work"
}
trap cleanup EXIT

if ! command -v miltertest >/dev/null; then
  echo "SKIP two-milters: miltertest not installed (tests/setup_deps.sh)"
  exit 0
fi
psql -X -q -d postgres -c "CREATE DATABASE $db" || { verdict two-milters-database 1 "createdb"; exit 1; }
"$build/src/tlsrptctl" db migrate --db "dbname=$db" >/dev/null

conninfo="host=${PGHOST:-127.0.0.1} port=${PGPORT:-5432} dbname=$db user=${PGUSER:-postgres}"
for side in a b; do
  port=$port_a && [ $side = b ] && port=$port_b
  milter_conf "$port" "$conninfo" "DatabasePoolSize 2
PidFile $work/milter-$side.pid"
  mv "$work/milter.conf" "$work/milter-$side.conf"
  start_milter "$port" "$work/milter-$side.conf"
  verdict "two-milters-$side-starts" $? "$(tail -5 "$work/milter.log")"
  if [ $side = a ]; then pid_a=$milter_pid; else pid_b=$milter_pid; fi
done

# a month with no partitions yet, inside the partition window (36 months back)
month=$(date -u -d "$(date -u +%Y-%m-01) -30 months" +%Y-%m)
[ "$(psql -X -At -d "$db" -c "SELECT count(*) FROM tlsrpt.month_partitions() WHERE to_char(month, 'YYYY-MM') = '$month'")" = 0 ]
verdict two-milters-month-not-made-yet $? "$month"

make_reports both 20
make_reports new-a 10 "$month-15"
make_reports new-b 10 "$month-16"
cat "$work/both.list" "$work/new-a.list" >"$work/a.list"
cat "$work/both.list" "$work/new-b.list" >"$work/b.list"
send "$work/a.list" "$port_a" >"$work/a.out" &
send "$work/b.list" "$port_b" >"$work/b.out"
wait $!
accepted=$(grep -ch ' discard$' "$work/a.out" "$work/b.out" | awk '{s += $1} END {print s}')
[ "$accepted" -eq 60 ]
verdict two-milters-every-message-gets-250 $? "$accepted of 60: $(grep -hv ' discard$' "$work/a.out" "$work/b.out" | head -3)"
count=$(psql -X -At -d "$db" -c "SELECT count(DISTINCT report_id) || '/' || count(*) FROM tlsrpt.reports WHERE report_id LIKE 'both-%'")
[ "$count" = "20/20" ]
verdict two-milters-a-report-sent-to-both-stored-once $? "distinct/all: $count"
dups=$(grep -c "outcome=duplicate" "$work/milter.log") # only a both-N copy can be one
[ "$dups" -eq 20 ]
verdict two-milters-the-other-copy-is-a-duplicate $? "$dups duplicate outcomes logged"

suffix=${month/-/_}
placed=$(psql -X -At -d "$db" -c "SELECT count(*) FILTER (WHERE tableoid = 'tlsrpt.reports_p$suffix'::regclass) || '/' || count(*) FROM tlsrpt.reports WHERE report_id LIKE 'new-%'" 2>&1)
[ "$placed" = "20/20" ]
verdict two-milters-new-month-made-once-and-used $? "in reports_p$suffix/all: $placed"
[ "$(psql -X -At -d "$db" -c "SELECT count(*) FROM tlsrpt.reports_default")" = 0 ]
verdict two-milters-nothing-in-the-default-partition $? "$(psql -X -At -d "$db" -c "SELECT count(*) FROM tlsrpt.reports_default")"
[ "$failures" -eq 0 ]
