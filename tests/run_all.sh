#!/usr/bin/env bash
# run_all.sh: THE test command (README, .ci/run). On a fresh Debian 12 machine: installs the
# dependencies, builds, starts a private PostgreSQL on loopback, runs every Boost.Test suite in
# a normal and an ASan+UBSan build, then the end-to-end tests with a real Postfix, and ends with
# the line "N passed, N failed, N skipped". Exit status 0 only when nothing failed.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
passed=0 failed=0 skipped=0
log() { printf '== %s\n' "$*"; }

# count_meson BUILD_DIR: adds the results of the last `meson test` run to the totals
count_meson() {
  local counts
  counts=$(python3 - "$1/meson-logs/testlog.json" <<'PY'
import json, sys
ok = bad = skip = 0
try:
    for line in open(sys.argv[1]):
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"): ok += 1
        elif r == "SKIP": skip += 1
        else: bad += 1
except FileNotFoundError:
    bad = 1
print(ok, bad, skip)
PY
)
  local ok bad skip
  read -r ok bad skip <<<"$counts"
  passed=$((passed + ok)) failed=$((failed + bad)) skipped=$((skipped + skip))
}

# record NAME STATUS: one end-to-end or script check (STATUS 0 passed, "skip" skipped)
record() {
  if [ "$2" = skip ]; then skipped=$((skipped + 1)); log "SKIPPED: $1"
  elif [ "$2" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); log "FAILED: $1"; fi
}
summary() { echo "$passed passed, $failed failed, $skipped skipped"; }

# counted_lines CMD...: runs CMD, shows its output, records its PASS/FAIL/SKIP lines and
# leaves their number in $counted (a script that died early reports too few)
counted_lines() {
  local line
  counted=0
  while IFS= read -r line; do
    printf '%s\n' "$line"
    case "$line" in
      "PASS "*) record "${line#PASS }" 0; counted=$((counted + 1)) ;;
      "FAIL "*) record "${line#FAIL }" 1; counted=$((counted + 1)) ;;
      "SKIP "*) record "${line#SKIP }" skip; counted=$((counted + 1)) ;;
    esac
  done < <("$@" 2>&1)
}

log "dependencies"
bash tests/setup_deps.sh || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }

log "build"
[ -d build ] || meson setup build >/dev/null || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }
ninja -C build || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }

log "PostgreSQL on loopback"
export TLSRPT_TEST_PGDIR=/var/tmp/tlsrpt-test-pg
export PGHOST=127.0.0.1 PGPORT=55432 PGUSER=postgres PGDATABASE=postgres
bash tests/pg.sh stop "$TLSRPT_TEST_PGDIR" immediate 2>/dev/null
rm -rf "$TLSRPT_TEST_PGDIR"
PG_FSYNC=off bash tests/pg.sh start "$TLSRPT_TEST_PGDIR" "$PGPORT"
record "postgresql starts" $?
export TLSRPT_SHARED_DIR="$top/../shared"
export TLSRPT_SOURCE_DIR="$top"

log "unit, corpus and store tests"
meson test -C build --print-errorlogs --num-processes 2
count_meson build

log "the same under AddressSanitizer + UndefinedBehaviorSanitizer"
[ -d build-asan ] || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false \
  -Dbuildtype=debug >/dev/null
ninja -C build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-asan --print-errorlogs --num-processes 2 --timeout-multiplier 4
count_meson build-asan

log "the Grafana dashboard's queries and tlsrptctl digest on generated reports"
counted_lines env TLSRPT_BUILD_DIR="$top/build" bash tests/dashboard/run.sh
[ "$counted" -ge 55 ]
record "dashboard suite ran all its checks ($counted)" $?

if [ -x tests/e2e/run.sh ]; then
  log "end to end: Postfix + tlsrpt-milter + PostgreSQL"
  counted_lines bash tests/e2e/run.sh
  [ "$counted" -ge 42 ]
  record "end-to-end suite ran all its checks ($counted)" $?
fi

log "end to end: the report-intake setup (contrib/postfix-split.cf), ports 10025, 10029"
counted_lines bash tests/e2e/split.sh
[ "$counted" -ge 12 ]
record "report-intake suite ran all its checks ($counted)" $?

log "end to end: Sendmail (unpacked, not installed) + tlsrpt-milter + PostgreSQL"
counted_lines bash tests/e2e/sendmail.sh
[ "$counted" -ge 22 ]
record "sendmail suite ran all its checks ($counted)" $?

log "tlsrptctl import imaps://: a real Dovecot + PostgreSQL"
counted_lines env TLSRPT_BUILD_DIR="$top/build" bash tests/imap/run.sh
[ "$counted" -ge 26 ]
record "imap suite ran all its checks ($counted)" $?

log "tlsrpt-httpd: the HTTPS receiver against PostgreSQL, with curl"
counted_lines env TLSRPT_BUILD_DIR="$top/build" bash tests/httpd/run.sh
[ "$counted" -ge 46 ]
record "httpd suite ran all its checks ($counted)" $?

log "the Debian package: build, lintian, man pages, install, run through Postfix, upgrade, purge"
counted_lines bash tests/package/deb.sh
[ "$counted" -ge 40 ]
record "package suite ran all its checks ($counted)" $?

log "scale: the milter through PgBouncer (session pooling) on port 6433"
counted_lines env TLSRPT_BUILD_DIR="$top/build" bash tests/scale/pgbouncer.sh
[ "$counted" -ge 7 ]
record "pgbouncer suite ran all its checks ($counted)" $?

log "scale: two milters (two MX hosts) storing into one database (ports 10455, 10456)"
counted_lines env TLSRPT_BUILD_DIR="$top/build" bash tests/scale/two_milters.sh
[ "$counted" -ge 8 ]
record "two-milters suite ran all its checks ($counted)" $?

log "scale: failover to a synchronous standby while the milter receives (ports 55453, 55454)"
counted_lines env TLSRPT_BUILD_DIR="$top/build" bash tests/scale/failover.sh
[ "$counted" -ge 9 ]
record "failover suite ran all its checks ($counted)" $?

log "the promise under faults: 1,000 signed reports through a sending Postfix, three faults"
counted_lines bash tests/chaos_smtp.sh 1000 20 short

log "fuzzing: each libFuzzer target for 60 s (clang, ASan + UBSan)"
counted_lines bash tests/fuzz.sh 60

bash tests/pg.sh stop "$TLSRPT_TEST_PGDIR" fast
summary
[ "$failed" -eq 0 ]
