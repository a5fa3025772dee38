#!/usr/bin/env bash
# pgbouncer.sh: the milter through a real PgBouncer (Debian 12's 1.18) in session pooling mode
# (docs/scaling.md: the store keeps named prepared statements and session settings, which
# transaction pooling would lose). The suite's PostgreSQL (PGHOST/PGPORT) behind a PgBouncer on
# BOUNCER_PORT (default 6433) with 2 server connections for a milter with a pool of 4: 30
# reports from two senders at once are each stored once, sent again they are duplicates, and
# PgBouncer counted the transactions. Prints PASS/FAIL/SKIP lines.
#   bash tests/scale/pgbouncer.sh        (TLSRPT_BUILD_DIR: default ./build)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${TLSRPT_BUILD_DIR:-$top/build}
bouncer_port=${BOUNCER_PORT:-6433} milter_port=${MILTER_PORT:-10453}
work=$(mktemp -d /tmp/tlsrpt-pgbouncer-test.XXXXXX)
chmod 755 "$work"
. "$top/tests/scale/lib.sh"
db=tlsrpt_pgbouncer_$$
bouncer_pid= milter_pid=
cleanup() {
  [ -n "$milter_pid" ] && kill -TERM "$milter_pid" 2>/dev/null && wait "$milter_pid" 2>/dev/null
  [ -n "$bouncer_pid" ] && kill -TERM "$bouncer_pid" 2>/dev/null
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" 2>/dev/null
  [ "$failures" -eq 0 ] && rm -rf "$work" || echo "-- logs kept in $work"
}
trap cleanup EXIT

if ! command -v pgbouncer >/dev/null || ! command -v miltertest >/dev/null; then
  echo "SKIP pgbouncer: pgbouncer or miltertest not installed (tests/setup_deps.sh)"
  exit 0
fi
psql -X -q -d postgres -c "CREATE DATABASE $db" || { verdict pgbouncer-database 1 "createdb"; exit 1; }
"$build/src/tlsrptctl" db migrate --db "dbname=$db" >/dev/null

cat >"$work/pgbouncer.ini" <<INI
[databases]
tlsrpt = host=${PGHOST:-127.0.0.1} port=${PGPORT:-5432} dbname=$db user=${PGUSER:-postgres}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bouncer_port
unix_socket_dir =
auth_type = trust
auth_file = $work/userlist.txt
admin_users = postgres
pool_mode = session
default_pool_size = 2
max_client_conn = 50
logfile = $work/pgbouncer.log
pidfile = $work/pgbouncer.pid
INI
echo '"postgres" ""' >"$work/userlist.txt"
chown -R postgres "$work"
runuser -u postgres -- pgbouncer "$work/pgbouncer.ini" >/dev/null 2>&1 &
bouncer_pid=$!
wait_for 10 listening "$bouncer_port"
verdict pgbouncer-starts $? "$(tail -5 "$work/pgbouncer.log" 2>/dev/null)"

milter_conf "$milter_port" "host=127.0.0.1 port=$bouncer_port dbname=tlsrpt user=postgres" \
  "DatabasePoolSize 4"
start_milter "$milter_port"
verdict pgbouncer-milter-starts $? "$(tail -5 "$work/milter.log")"

make_reports pgb-a 15
make_reports pgb-b 15
send "$work/pgb-a.list" "$milter_port" >"$work/a.out" &
send "$work/pgb-b.list" "$milter_port" >"$work/b.out"
wait $!
stored=$(grep -c ' discard$' "$work/a.out" "$work/b.out" | awk -F: '{s += $2} END {print s}')
[ "$stored" -eq 30 ]
verdict pgbouncer-every-report-accepted $? "$stored of 30: $(grep -hv ' discard$' "$work/a.out" "$work/b.out" | head -3)"
count=$(psql -X -At -d "$db" -c "SELECT count(DISTINCT report_id) || '/' || count(*) FROM tlsrpt.reports WHERE report_id LIKE 'pgb-%'")
[ "$count" = "30/30" ]
verdict pgbouncer-each-report-stored-once $? "distinct/all: $count"

send "$work/pgb-a.list" "$milter_port" >"$work/a2.out"
again=$(psql -X -At -d "$db" -c "SELECT count(*) FROM tlsrpt.reports WHERE report_id LIKE 'pgb-%'")
[ "$(grep -c ' discard$' "$work/a2.out")" -eq 15 ] && [ "$again" -eq 30 ]
verdict pgbouncer-resent-reports-are-duplicates $? "$again rows; $(head -3 "$work/a2.out")"

servers=$(psql -X -At -d "$db" -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db' AND pid <> pg_backend_pid()")
xacts=$(psql -X -At -h 127.0.0.1 -p "$bouncer_port" -U postgres -d pgbouncer -c "SHOW STATS" 2>/dev/null |
  awk -F'|' '$1 == "tlsrpt" {print $2}')
[ "$servers" -le 2 ] && [ "${xacts:-0}" -ge 45 ]
verdict pgbouncer-pooled-the-connections $? "server connections $servers, transactions ${xacts:-none}"

# session mode: a server connection stays with its client, so the milter's go back first
kill -TERM "$milter_pid" && wait "$milter_pid" 2>/dev/null
milter_pid=
"$build/src/tlsrptctl" summary --days 3650 --db "host=127.0.0.1 port=$bouncer_port dbname=tlsrpt user=postgres" >"$work/summary.out" 2>&1
grep -q "^example.test  *30 " "$work/summary.out"
verdict pgbouncer-tlsrptctl-summary $? "$(head -3 "$work/summary.out")"
[ "$failures" -eq 0 ]
