#!/usr/bin/env bash
# bench_scale.sh: what a year of history costs (issue 15). Not a test: prints figures for the
# README. Starts its own PostgreSQL 15 (fsync on) on PORT, generates MONTHS (default 12) months
# of synthetic reports for DOMAINS (default 1000) domains in SQL (bench_scale.sql: 28 failure
# details a report, over 10 million rows a year), then for 12, 6 and 1 months of history times
# `tlsrptctl summary --days 7`, each dashboard view over the last 7 days, one report insert
# (`tlsrptctl import` of one report, a whole process; and one more report on a warm
# connection, as the milter stores) and `db prune` of the oldest month; then the database
# size per million reports. Medians of 5 runs.
#   bash tests/store/bench_scale.sh [PORT]      (TLSRPT_BUILD_DIR: default ./build)
# KEEP=1 keeps a copy of the generated year and leaves the cluster running; REUSE=1 starts from
# that copy (a minute) instead of generating the year again (13 minutes).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${TLSRPT_BUILD_DIR:-$top/build}
port=${1:-55459}
dir=/var/tmp/tlsrpt-bench-scale
months=${MONTHS:-12} domains=${DOMAINS:-1000}
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=tlsrpt_bench
ctl() { "$build/src/tlsrptctl" "$@" --db "dbname=tlsrpt_bench"; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# a cluster a KEEP=1 run left running is used as it is
q -d postgres -c "SELECT 1" >/dev/null 2>&1 || bash "$top/tests/pg.sh" start "$dir" "$port"
[ "${KEEP:-}" = 1 ] || trap 'bash "$top/tests/pg.sh" stop "$dir"' EXIT
generate() {
  local t0
  q -d postgres -c "DROP DATABASE IF EXISTS tlsrpt_bench" -c "CREATE DATABASE tlsrpt_bench"
  ctl db migrate >/dev/null
  t0=$(now_ms)
  q -c "SELECT greatest(m, current_date - $((months * 365 / 12)))::date,
               least(m + interval '1 month' - interval '1 day', current_date)::date
        FROM generate_series(date_trunc('month', current_date - $((months * 365 / 12))),
                             current_date, interval '1 month') m" |
    while IFS='|' read -r first last; do
      q -v first="$first" -v last="$last" -v domains="$domains" -f "$top/tests/store/bench_scale.sql" >/dev/null
    done
  q -c "VACUUM ANALYZE"
  echo "generated $(q -c "SELECT count(*) FROM tlsrpt.reports") reports," \
    "$(q -c "SELECT count(*) FROM tlsrpt.failure_details") failure details in $(( ($(now_ms) - t0) / 1000 )) s"
}
# copy_db FROM TO: TO made anew as a copy of FROM, with FROM's database settings (a template
# copy does not take them: 009's enable_partitionwise_join, which the views' day filters need)
copy_db() {
  q -d postgres -c "DROP DATABASE IF EXISTS $2" -c "CREATE DATABASE $2 TEMPLATE $1" -c "CHECKPOINT"
  q -d postgres -c "SELECT format('ALTER DATABASE %I SET %I = %L', '$2', split_part(s, '=', 1),
                                  substr(s, strpos(s, '=') + 1))
                    FROM pg_db_role_setting, unnest(setconfig) s
                    WHERE setrole = 0 AND setdatabase = (SELECT oid FROM pg_database
                                                         WHERE datname = '$1')" |
    while read -r sql; do q -d postgres -c "$sql"; done
}
# KEEP=1: a copy of the generated year (tlsrpt_bench_year) stays, and the cluster keeps running;
# REUSE=1: start from that copy instead of generating again
if [ "${REUSE:-}" = 1 ] && [ "$(q -d postgres -c "SELECT count(*) FROM pg_database WHERE datname = 'tlsrpt_bench_year'")" = 1 ]; then
  copy_db tlsrpt_bench_year tlsrpt_bench
  ctl db migrate >/dev/null
  q -c "VACUUM ANALYZE"
  echo "reused tlsrpt_bench_year: $(q -c "SELECT count(*) FROM tlsrpt.reports") reports," \
    "$(q -c "SELECT count(*) FROM tlsrpt.failure_details") failure details"
  newest=$(q -c "SELECT max(day) FROM tlsrpt.reports")
  if [ "$(q -c "SELECT max(day) < current_date FROM tlsrpt.reports")" = t ]; then
    echo "the kept year ends on $newest: the last 7 days are not all in it; run without REUSE" >&2
    exit 1
  fi
else
  generate
  if [ "${KEEP:-}" = 1 ]; then copy_db tlsrpt_bench tlsrpt_bench_year; fi
fi
echo "database size per million reports: $(q -c "SELECT pg_size_pretty(pg_database_size(current_database()) * 1000000 / count(*)) FROM tlsrpt.reports")"

since=$(q -c "SELECT (current_date - 7)::text")
views="daily_sessions daily_failures daily_summary report_sessions failure_sessions daily_reporters daily_quirks"

# time_view VIEW: median ms of 5 runs of the last-7-days query, server side (psql \timing),
# every column of every row computed (count(x) of the whole row: a plain count(*) would let the
# planner skip the columns nobody reads, such as the views' sums)
time_view() {
  local sql="SELECT count(x) FROM (SELECT * FROM tlsrpt.$1 WHERE day > '$since') x"
  { echo '\timing on'; for _ in 1 2 3 4 5 6; do echo "$sql;"; done; } | psql -X -q -At |
    awk '/^Time:/ {print $2}' | tail -5 | median
}
# time_cmd CMD...: median ms of 5 whole-process runs
time_cmd() {
  local i t
  for i in 1 2 3 4 5; do t=$(now_ms); "$@" >/dev/null; echo $(($(now_ms) - t)); done | median
}
serial=0
# make_reports N: N new 28-detail reports for yesterday, one file each, in /tmp/bench-scale-reports
make_reports() {
  serial=$((serial + 1))
  rm -rf /tmp/bench-scale-reports && mkdir /tmp/bench-scale-reports
  python3 - "$serial" "$1" <<'PY'
import datetime, json, sys
day = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
det = [{"result-type": "certificate-expired", "sending-mta-ip": f"192.0.2.{k}",
        "receiving-mx-hostname": "mx1.d1.example", "failed-session-count": 1} for k in range(14)]
pol = [{"policy": {"policy-type": t, "policy-domain": "d1.example"},
        "summary": {"total-successful-session-count": 1000, "total-failure-session-count": 14},
        "failure-details": det} for t in ("sts", "tlsa")]
stamp = datetime.datetime.now().timestamp()
for n in range(int(sys.argv[2])):
    with open(f"/tmp/bench-scale-reports/{n:03}.json", "w") as f:
        json.dump({"organization-name": "Bench", "contact-info": "tlsrpt@bench.example",
                   "report-id": f"bench-insert-{sys.argv[1]}-{n}-{stamp}",
                   "date-range": {"start-datetime": f"{day}T00:00:00Z",
                                  "end-datetime": f"{day}T23:59:59Z"},
                   "policies": pol}, f)
PY
}
# import_ms N: ms of one `tlsrptctl import` of N new reports (a process, a connection)
import_ms() {
  local t
  make_reports "$1"
  t=$(now_ms); ctl import /tmp/bench-scale-reports/*.json >/dev/null; echo $(($(now_ms) - t))
}
# insert_figures: "PROCESS WARM": the median ms of importing one report (the whole process)
# and of one more report on a warm connection ((21 reports - 1 report) / 20), as the milter
# and tlsrpt-httpd store, keeping their connections
insert_figures() {
  local i one=() more=() p w
  for i in 1 2 3 4 5; do one+=("$(import_ms 1)"); more+=("$(import_ms 21)"); done
  p=$(printf '%s\n' "${one[@]}" | median)
  w=$(for i in 0 1 2 3 4; do echo $(( (more[i] - one[i]) * 100 / 20 )); done | median)
  echo "$p $((w / 100)).$(printf '%02d' $((w % 100)))"
}
# locks_held: the locks one transaction holds after changing one failure detail of yesterday
# (the day a constant, so that the UPDATE itself opens one partition; the rollup's triggers
# then recompute its report)
locks_held() {
  local day
  day=$(q -c "SELECT (current_date - 1)::text")
  q -c "BEGIN" -c "UPDATE tlsrpt.failure_details SET failed_session_count = failed_session_count
                   WHERE day = '$day' AND id = (SELECT min(id) FROM tlsrpt.failure_details
                                                WHERE day = '$day')" \
    -c "SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid()" -c "ROLLBACK"
}
# prune_oldest: db prune of exactly the oldest monthly partition, ms
prune_oldest() {
  local days t
  days=$(q -c "SELECT greatest(0, current_date - (min(month) + interval '1 month')::date) FROM tlsrpt.month_partitions()")
  t=$(now_ms); ctl db prune --older-than "$days" >/dev/null; echo $(($(now_ms) - t))
}
# keep_months N: prunes (untimed) down to N months of history
keep_months() {
  ctl db prune --older-than $(($1 * 365 / 12)) >/dev/null
  q -c "VACUUM ANALYZE"
}

report() {
  local label=$1 line
  line="$label: $(q -c "SELECT count(*) FROM tlsrpt.reports") reports,"
  line+=" $(q -c "SELECT count(*) FROM tlsrpt.failure_details") details;"
  line+=" summary --days 7 $(time_cmd ctl summary --days 7) ms;"
  for v in $views; do line+=" $v $(time_view "$v") ms;"; done
  read -r process warm < <(insert_figures)
  line+=" insert (process) $process ms; insert (warm connection) $warm ms;"
  line+=" locks held by a refresh $(locks_held);"
  line+=" prune oldest month $(prune_oldest) ms"
  echo "$line"
}

echo "baseline: tlsrptctl db status (a process, a connection) $(time_cmd ctl db status) ms"
report "12 months"
keep_months 6
report "6 months"
keep_months 1
report "1 month"
