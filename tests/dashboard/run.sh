#!/usr/bin/env bash
# run.sh: the Grafana dashboard (contrib/grafana/tlsrpt.json) and `tlsrptctl digest` against
# the test PostgreSQL (PGHOST/PGPORT/PGUSER from tests/run_all.sh), on generated reports: four
# domains, three reporters, 21 report days. Checks the dashboard's queries
# (check_dashboard.py), the digest page and mail (check_digest.py), GMime reading the mail,
# and a screenshot of the page by headless Chromium (saved in the build directory as
# tests/dashboard/digest.png). One PASS/FAIL line per check.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${TLSRPT_BUILD_DIR:-$src/build}
ctl=$build/src/tlsrptctl
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-55432} PGUSER=${PGUSER:-postgres}
dbname=tlsrpt_dashboard_$$
db="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$dbname"
work=$(mktemp -d /var/tmp/tlsrpt-dashboard.XXXXXX)
last=2026-11-30 first=2026-11-24 # the digest's week; the reports span 21 days up to $last
failed=0
check() { if [ "$2" = 0 ]; then echo "PASS $1"; else echo "FAIL $1: $3"; failed=1; fi; }
cleanup() {
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $dbname" 2>/dev/null
  if [ "$failed" = 0 ]; then rm -rf "$work"; else echo "-- logs kept in $work"; fi
}
trap cleanup EXIT

psql -X -q -d postgres -c "CREATE DATABASE $dbname" && "$ctl" db migrate --db "$db" >"$work/migrate.log" 2>&1 &&
  python3 "$here/gen_reports.py" "$work/reports" "$last" 21 >/dev/null &&
  "$ctl" import --db "$db" "$work/reports" >"$work/import.log" 2>&1
check dashboard-data-loaded $? "$(tail -n 3 "$work/migrate.log" "$work/import.log")"
"$ctl" alerts --db "$db" --record --since 2026-12-01 >"$work/alerts.log" 2>&1
rc=$?
check alerts-recorded "$([ "$rc" -le 2 ] && [ "$(psql -X -At -d "$db" -c 'SELECT count(*) FROM tlsrpt.alert_evaluations')" = 1 ]; echo $?)" "rc $rc $(tail -n 2 "$work/alerts.log")"

python3 "$here/check_dashboard.py" "$src/contrib/grafana/tlsrpt.json" "$db" 2026-11-10 "$last"
[ $? = 0 ] || failed=1
python3 "$src/contrib/grafana/make_dashboard.py" | diff -q - "$src/contrib/grafana/tlsrpt.json" >/dev/null
check dashboard-json-is-generated-from-make-dashboard $? "run contrib/grafana/make_dashboard.py > contrib/grafana/tlsrpt.json"

# the mail goes to sendmail -t -oi: here a stand-in that keeps what it was given (Postfix
# delivering it to a mailbox is checked by tests/e2e/run.sh, where a Postfix runs)
printf '#!/bin/sh\necho "$@" >"%s/sent.args"\ncat >"%s/sent.eml"\n' "$work" "$work" >"$work/sendmail"
chmod 755 "$work/sendmail"
"$ctl" digest --db "$db" --days 7 --last-day "$last" --html "$work/digest.html" \
  --eml "$work/digest.eml" --mail-to ops@example.test --mail-from tlsrpt@example.test \
  --sendmail "$work/sendmail" >"$work/digest.log" 2>&1
check digest-written $? "$(tail -n 3 "$work/digest.log")"
check digest-handed-to-sendmail-t "$(grep -q -- '-t' "$work/sent.args" && cmp -s "$work/sent.eml" "$work/digest.eml"; echo $?)" "args: $(cat "$work/sent.args" 2>/dev/null)"
python3 "$here/check_digest.py" "$work/digest.html" "$work/digest.eml" "$db" "$first" "$last"
[ $? = 0 ] || failed=1
# GMime (the library's container stage) reads the mail's structure: the multipart and its two
# parts, none a report
out=$("$ctl" parse "$work/digest.eml" 2>&1)
check digest-mail-read-by-gmime "$([[ $out == *"among 3 MIME part(s): text/plain, text/html"* ]]; echo $?)" "$out"
# quiet.example had no failure and no alert: nothing is written (a day with failures is)
"$ctl" digest --db "$db" --days 1 --last-day "$last" --domain quiet.example --only-failures \
  --eml "$work/none.eml" >/dev/null 2>&1
check digest-only-failures-sends-nothing-when-clean "$([ $? = 0 ] && [ ! -e "$work/none.eml" ]; echo $?)" "wrote $work/none.eml"
"$ctl" digest --db "$db" --days 1 --last-day "$last" --domain shop.example --only-failures \
  --eml "$work/some.eml" >/dev/null 2>&1
check digest-only-failures-sends-failures "$([ $? = 0 ] && [ -s "$work/some.eml" ]; echo $?)" "nothing written"

# a picture of the page, as a mail client would show it
if command -v chromium >/dev/null; then
  mkdir -p "$build/tests/dashboard"
  timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=900,1600 \
    --screenshot="$build/tests/dashboard/digest.png" "file://$work/digest.html" >"$work/chromium.log" 2>&1
  python3 "$here/png_stats.py" "$build/tests/dashboard/digest.png" >"$work/png.log" 2>&1
  check digest-screenshot-not-blank $? "$(cat "$work/png.log" "$work/chromium.log" | tail -n 4)"
else
  echo "FAIL digest-screenshot-not-blank: no chromium (tests/setup_deps.sh installs it)"
  failed=1
fi
exit "$failed"
