#!/usr/bin/env bash
# load.sh: tlsrpt-httpd throughput (reports/s answered 201 over C keep-alive connections) with
# the database up and with it stopped (the spool path), ROUNDS rounds each, medians; and the
# daemon's peak RSS. PostgreSQL with fsync on (55491), the daemon on 10067.
#   bash tests/httpd/load.sh [N] [CONNECTIONS] [ROUNDS]
set -uo pipefail
n=${1:-10000} c=${2:-50} rounds=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${TLSRPT_BUILD_DIR:-$src/build-dev}
work=/var/tmp/tlsrpt-httpd-load.$$
db="host=127.0.0.1 port=55491 user=postgres dbname=load"
mkdir -p "$work"
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  bash "$src/tests/pg.sh" stop "$work/pg" fast >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
bash "$src/tests/pg.sh" start "$work/pg" 55491 # fsync on: the real thing
psql -X -q -h 127.0.0.1 -p 55491 -U postgres -d postgres -c "CREATE DATABASE load"
"$build/src/tlsrptctl" db migrate --db "$db" >/dev/null
cat >"$work/conf" <<CONF
Listen 127.0.0.1:10067
Database $db
DatabasePoolSize 16
MaxConnections 64
RateLimit 0
SpoolDirectory $work/spool
SpoolMaxBytes 4g
Syslog no
CONF
"$build/src/httpd/tlsrpt-httpd" -f -c "$work/conf" 2>"$work/log" &
pid=$!
sleep 1
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run() { "$build/tests/httpd/httpd_load" 127.0.0.1 10067 "$n" "$c" "$1" | tee -a "$work/out" |
  sed -n 's/.*s: \([0-9]*\) reports\/s.*/\1/p'; }
for r in $(seq "$rounds"); do run "up-$r-$$"; done >"$work/up"
echo "database up:   median $(median <"$work/up") reports/s ($(tr '\n' ' ' <"$work/up"))"
bash "$src/tests/pg.sh" stop "$work/pg" fast
for r in $(seq "$rounds"); do run "down-$r-$$"; done >"$work/down"
echo "database down: median $(median <"$work/down") reports/s, spooled ($(tr '\n' ' ' <"$work/down"))"
bash "$src/tests/pg.sh" start "$work/pg" 55491
t0=$(date +%s.%N)
while [ "$(ls "$work/spool/new" | wc -l)" -gt 0 ]; do sleep 0.5; done
t1=$(date +%s.%N)
echo "spool of $((n * rounds)) drained in $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') s"
echo "stored: $(psql -X -At -h 127.0.0.1 -p 55491 -U postgres -d load -c "SELECT count(*) FROM tlsrpt.reports")"
echo "peak RSS: $(awk '/VmHWM/ {print $2}' /proc/$pid/status) kB"
cat "$work/out"
