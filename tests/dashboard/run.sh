#!/usr/bin/env bash
# run.sh: the Grafana dashboard (contrib/grafana/tlsrpt.json) and `tlsrptctl digest` against
# the test PostgreSQL (PGHOST/PGPORT/PGUSER from tests/run_all.sh), on generated reports: four
# domains, three reporters, 21 report days. Checks the dashboard's queries
# (check_dashboard.py), the digest page and mail (check_digest.py), GMime reading the mail,
# its bounds and usage against a hostile reporter's report (gen_hostile.py), and a screenshot of
# the page by headless Chromium (saved in the build directory as tests/dashboard/digest.png).
# One PASS/FAIL line per check.
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
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS ${dbname}_hostile" 2>/dev/null
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

# usage errors exit 2 before touching the database; no From is needed without mail
for bad in "--domain=" "--last-day 9999-12-31" "--last-day 1970-01-01" "--max-domains 0" \
  "--sendmail-timeout x"; do
  # shellcheck disable=SC2086
  "$ctl" digest --db "$db" $bad >"$work/usage.log" 2>&1
  check "digest-usage-error-exits-2 ($bad)" "$([ $? = 2 ]; echo $?)" "$(tail -n 2 "$work/usage.log")"
done
"$ctl" digest --db "$db" --last-day "$last" --mail-from 'not an address' >/dev/null 2>"$work/from.log"
check digest-no-from-checked-without-mail $? "$(cat "$work/from.log")"
# a hostile reporter: 403 failing domains, 30 of them with MX names of 20,000 characters, two
# disguised by invisible characters, one of 255 characters. The page shows 50 domains and says
# how many more, alerts are capped, names and alert texts are cut, and no invisible character
# reaches the reader.
hdb="host=$PGHOST port=$PGPORT user=$PGUSER dbname=${dbname}_hostile"
psql -X -q -d postgres -c "CREATE DATABASE ${dbname}_hostile" && "$ctl" db migrate --db "$hdb" >/dev/null 2>&1 &&
  python3 "$here/gen_hostile.py" "$work/hostile" "$last" && "$ctl" import --db "$hdb" "$work/hostile" >"$work/hostile-import.log" 2>&1
check digest-hostile-data-loaded $? "$(tail -n 3 "$work/hostile-import.log")"
"$ctl" digest --db "$hdb" --last-day "$last" --max-alerts 20 --html "$work/hostile.html" >"$work/hostile.log" 2>&1 &&
  "$ctl" digest --db "$hdb" --last-day "$last" >"$work/hostile.txt" 2>>"$work/hostile.log"
check digest-hostile-written $? "$(tail -n 3 "$work/hostile.log")"
python3 - "$work/hostile.html" "$work/hostile.txt" >"$work/hostile-check.log" 2>&1 <<'PY'
import html.parser, re, sys
page, text = (open(p, encoding="utf-8").read() for p in sys.argv[1:3])
class Cells(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.rows = self.alerts = 0; self.longest = 0; self.table = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table": self.table = a.get("id")
        if tag == "tr" and "data-domain" in a:
            self.rows += self.table == "overview"; self.alerts += self.table == "alerts"
    def handle_data(self, data):
        self.longest = max(self.longest, max((len(w) for w in data.split()), default=0))
c = Cells(); c.feed(page)
hidden = "\u202e\u200b\u00ad\U000E0041\u200a"  # what gen_hostile.py hides in names
bad = [ch for ch in hidden if ch in page or ch in text]
problems = []
if c.rows != 50: problems.append(f"{c.rows} overview rows, not 50")
if "354 more policy domains" not in page or "354 more policy domains" not in text: problems.append("no '354 more policy domains'")
if c.alerts > 20: problems.append(f"{c.alerts} alerts shown, --max-alerts 20")
if c.alerts == 20 and "more alerts not shown" not in page: problems.append("alerts cut without saying so")
if c.longest > 250: problems.append(f"a word of {c.longest} characters on the page")
if bad: problems.append(f"invisible characters {[hex(ord(x)) for x in bad]} reached the reader")
if len(page) > 1_000_000 or len(text) > 500_000: problems.append(f"page of {len(page)}, text of {len(text)} bytes")
print("; ".join(problems) or f"50 rows, {c.alerts} alerts, longest word {c.longest}, {len(page)} bytes")
sys.exit(1 if problems else 0)
PY
check digest-hostile-bounded-and-readable $? "$(cat "$work/hostile-check.log")"

# a sendmail that hangs: the deadline ends the wait and the digest says so; a process it left
# behind that reads on gets the whole message, never a cut one taken as whole (the message
# is a file, not a pipe whose end would end the mail)
cat >"$work/slow-reader.py" <<'PY'
import sys, time
time.sleep(4)  # past the digest's deadline of 2 s
data = sys.stdin.buffer.read()
open(sys.argv[1], "wb").write(data)
PY
printf '#!/bin/sh\npython3 %s %s\n' "$work/slow-reader.py" "$work/slow-reader.eml" >"$work/slow-sendmail"
chmod 755 "$work/slow-sendmail"
start=$(date +%s)
timeout 60 "$ctl" digest --db "$hdb" --last-day "$last" --mail-to ops@example.test \
  --sendmail "$work/slow-sendmail" --sendmail-timeout 2 >"$work/stuck.log" 2>&1
rc=$? took=$(($(date +%s) - start))
for _ in $(seq 1 50); do [ -s "$work/slow-reader.eml" ] && break; sleep 0.2; done
sleep 0.5
python3 - "$work/slow-reader.eml" >"$work/slow-reader.log" 2>&1 <<'PY'
import email, email.policy, sys
raw = open(sys.argv[1], "rb").read()
msg = email.message_from_bytes(raw, policy=email.policy.default)
parts = [p.get_content_type() for p in msg.iter_parts()]
ok = len(raw) > 65536 and parts == ["text/plain", "text/html"] and raw.rstrip().endswith(b"--")
print(f"{len(raw)} bytes, parts {parts}, ends {raw.rstrip()[-20:]!r}")
sys.exit(0 if ok else 1)
PY
check digest-stuck-sendmail-bounded-message-whole "$([ $? = 0 ] && [ "$rc" = 1 ] && [ "$took" -le 10 ] &&
  grep -q 'within 2 s' "$work/stuck.log"; echo $?)" \
  "rc $rc after ${took}s: $(cat "$work/stuck.log" "$work/slow-reader.log" 2>/dev/null)"
pkill -f "$work/slow-reader.py" 2>/dev/null

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
