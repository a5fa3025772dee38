#!/usr/bin/env bash
# failover.sh: the milter follows a failover without losing or doubling a report
# (docs/scaling.md). A primary and a streaming standby on loopback (pg_basebackup -R, the
# standby synchronous: synchronous_standby_names, synchronous_commit = on), the milter on a
# libpq multi-host conninfo with target_session_attrs=read-write. Reports are delivered the way
# an MTA does (a 4xx is retried later) while the primary is stopped and the standby promoted:
# the senders get 4xx during the switch, then every report is stored exactly once on the new
# primary. Ports: PRIMARY_PORT (55453), STANDBY_PORT (55454), MILTER_PORT (10454).
# Prints PASS/FAIL/SKIP lines.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${TLSRPT_BUILD_DIR:-$top/build}
p1=${PRIMARY_PORT:-55453} p2=${STANDBY_PORT:-55454} milter_port=${MILTER_PORT:-10454}
bin=/usr/lib/postgresql/15/bin
base=/var/tmp/tlsrpt-failover-$p1
work=$(mktemp -d /tmp/tlsrpt-failover-test.XXXXXX)
. "$top/tests/scale/lib.sh"
milter_pid=
cleanup() {
  [ -n "$milter_pid" ] && kill -TERM "$milter_pid" 2>/dev/null && wait "$milter_pid" 2>/dev/null
  bash "$top/tests/pg.sh" stop "$base/primary" immediate 2>/dev/null
  bash "$top/tests/pg.sh" stop "$base/standby" immediate 2>/dev/null
  if [ "$failures" -eq 0 ]; then rm -rf "$work" "$base"; else echo "-- logs kept in $work and $base"; fi
}
trap cleanup EXIT
command -v miltertest >/dev/null || { echo "SKIP failover: miltertest not installed"; exit 0; }
sql() { psql -X -At -h 127.0.0.1 -p "$1" -U postgres -d "${3:-tlsrpt_failover}" -c "$2"; }

# The pair: a primary, a base backup of it started as a synchronous standby (cluster_name is
# the application_name its walreceiver reports). The copy must not keep the primary's
# synchronous_standby_names: promoted, it would wait forever for a standby it does not have,
# and every commit (and the milter with it) would hang.
bash "$top/tests/pg.sh" stop "$base/primary" immediate 2>/dev/null
bash "$top/tests/pg.sh" stop "$base/standby" immediate 2>/dev/null
rm -rf "$base" && mkdir -p "$base" && chown postgres "$base"
PG_FSYNC=off bash "$top/tests/pg.sh" start "$base/primary" "$p1" &&
  sql "$p1" "ALTER SYSTEM SET synchronous_standby_names = 'standby1'" postgres >/dev/null &&
  sql "$p1" "SELECT pg_reload_conf()" postgres >/dev/null &&
  mkdir -p "$base/standby" && chown postgres "$base/standby" && chmod 700 "$base/standby" &&
  (cd / && runuser -u postgres -- "$bin/pg_basebackup" -h 127.0.0.1 -p "$p1" -U postgres \
    -D "$base/standby/data" -R -X stream >"$work/basebackup.log" 2>&1) &&
  printf "cluster_name = 'standby1'\nsynchronous_standby_names = ''\n" \
    >>"$base/standby/data/postgresql.auto.conf" &&
  PG_FSYNC=off bash "$top/tests/pg.sh" start "$base/standby" "$p2"
verdict failover-pair-starts $? "$(tail -3 "$work/basebackup.log")"
is_sync() { [ "$(sql "$p1" "SELECT sync_state FROM pg_stat_replication" postgres)" = sync ]; }
wait_for 30 is_sync
verdict failover-standby-is-synchronous $? "$(sql "$p1" "SELECT application_name, sync_state FROM pg_stat_replication" postgres)"

sql "$p1" "CREATE DATABASE tlsrpt_failover" postgres >/dev/null
"$build/src/tlsrptctl" db migrate --db "host=127.0.0.1 port=$p1 user=postgres dbname=tlsrpt_failover" >/dev/null
milter_conf "$milter_port" "host=127.0.0.1,127.0.0.1 port=$p1,$p2 user=postgres dbname=tlsrpt_failover target_session_attrs=read-write" \
  "DatabasePoolSize 2"
start_milter "$milter_port"
verdict failover-milter-starts $? "$(tail -5 "$work/milter.log")"

# deliver LIST LOG SECONDS: sends the messages of LIST until each got a 250 (discard), the
# others again every half second, as a sending MTA would; every reply is appended to LOG
deliver() {
  local pending="$work/pending.$$.$RANDOM" end=$((SECONDS + $3))
  cp "$1" "$pending"
  while [ -s "$pending" ] && [ $SECONDS -lt "$end" ]; do
    send "$pending" "$milter_port" | tee -a "$2" | awk '$1 == "reply" && $3 == "discard" {print $2}' >"$pending.done"
    grep -vxF -f "$pending.done" "$pending" >"$pending.next"
    mv "$pending.next" "$pending"
    [ -s "$pending" ] && sleep 0.5
  done
  [ ! -s "$pending" ]
}

make_reports before 10
make_reports during 40
deliver "$work/before.list" "$work/before.log" 30
verdict failover-stored-before-the-switch $? "$(grep -v discard "$work/before.log" | head -3)"

# The switch while mail keeps coming: the primary dies (immediate: no clean shutdown), the
# standby is promoted a few seconds later.
deliver "$work/during.list" "$work/during.log" 90 &
sender=$!
sleep 1
bash "$top/tests/pg.sh" stop "$base/primary" immediate
sleep 3
(cd / && runuser -u postgres -- "$bin/pg_ctl" -D "$base/standby/data" -w promote >/dev/null)
verdict failover-standby-promoted $? "pg_ctl promote"
wait "$sender"
verdict failover-every-report-accepted-after-the-switch $? "$(grep -c discard "$work/during.log") discards"
tempfails=$(grep -cE ' (tempfail|replycode)$' "$work/during.log")
[ "$tempfails" -ge 1 ]
verdict failover-4xx-during-the-switch $? "no 4xx seen: $(sort "$work/during.log" | awk '{print $3}' | uniq -c)"

count=$(sql "$p2" "SELECT count(DISTINCT report_id) || '/' || count(*) FROM tlsrpt.reports WHERE reporter = 'scale.example'")
[ "$count" = "50/50" ]
verdict failover-each-report-once-on-the-new-primary $? "distinct/all: $count"
deliver "$work/before.list" "$work/again.log" 20
[ "$(sql "$p2" "SELECT count(*) FROM tlsrpt.reports")" -eq 50 ]
verdict failover-resent-reports-are-duplicates $? "$(sql "$p2" "SELECT count(*) FROM tlsrpt.reports") rows"
[ "$failures" -eq 0 ]
