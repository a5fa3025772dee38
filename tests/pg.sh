#!/usr/bin/env bash
# pg.sh: a throwaway PostgreSQL 15 cluster on loopback for tests and the demo.
#   pg.sh start DIR PORT   initdb (if needed) and start; prints nothing on success
#   pg.sh stop DIR [MODE]  stop (MODE fast|immediate, default fast)
# DIR must be outside root's home (the postgres user must reach it); fsync stays on unless
# PG_FSYNC=off is set, so benchmarks measure the real thing.
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
cmd=$1 dir=$2
cd /
case "$cmd" in
start)
  port=$3
  mkdir -p "$dir" && chown postgres:postgres "$dir" && chmod 700 "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 \
      --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
  fi
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=${PG_FSYNC:-on} -c max_connections=300" \
    start >/dev/null
  ;;
stop)
  mode=${3:-fast}
  if [ -f "$dir/data/postmaster.pid" ]; then
    runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m "$mode" -w -t 60 stop >/dev/null || true
  fi
  ;;
*) echo "usage: pg.sh start DIR PORT | stop DIR [fast|immediate]" >&2; exit 2 ;;
esac
