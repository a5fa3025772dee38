#!/usr/bin/env bash
# demo.sh: the whole thing in one command, on one Debian 12 machine (as root):
#   installs the dependencies (tests/setup_deps.sh), builds, starts a PostgreSQL cluster in
#   /var/tmp/tlsrpt-demo, creates and migrates a database, starts tlsrpt-milter and a Postfix
#   (or, with --mta sendmail, a Sendmail unpacked from Debian's packages, not installed: see
#   tests/e2e/sendmail_lib.sh) on loopback (127.0.0.1:10025, report address
#   tlsrpt@example.test), signs the sample reports of
#   contrib/samples with DKIM keys of their reporters (made here, served by a dnsmasq on
#   127.0.0.1:10054 that the milter asks), mails them through Postfix, and prints
#   `tlsrptctl summary`. The milter runs with its default DKIM settings (verified, required).
# Usage: contrib/demo.sh [--mta postfix|sendmail]          run the demo, then stop everything
#        contrib/demo.sh [--mta postfix|sendmail] --keep   leave PostgreSQL, the milter and
#                                                          the MTA running
#        contrib/demo.sh --stop                            stop what --keep left running
# Postfix's own configuration (/etc/postfix/main.cf, master.cf) is saved and put back.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
demo=/var/tmp/tlsrpt-demo
port=55470
db="host=127.0.0.1 port=$port user=postgres dbname=tlsrpt_demo"
maillog=/var/log/postfix-tlsrpt-demo.log
build=${TLSRPT_BUILD_DIR:-$top/build}
ctl=$build/src/tlsrptctl
milter=$build/src/milter/tlsrpt-milter
mta=postfix mode=
while [ $# -gt 0 ]; do
  case "$1" in
    --mta) mta=${2:-}; shift 2 ;;
    --keep | --stop) mode=$1; shift ;;
    *) echo "usage: contrib/demo.sh [--mta postfix|sendmail] [--keep | --stop]" >&2; exit 2 ;;
  esac
done
case "$mta" in postfix | sendmail) ;; *) echo "demo: --mta postfix or sendmail" >&2; exit 2 ;; esac
step() { printf '\n== %s\n' "$*"; }
die() { echo "demo: $*" >&2; exit 1; }

stop_all() {
  [ -f "$demo/milter.pid" ] && kill -TERM "$(cat "$demo/milter.pid")" 2>/dev/null
  dns_stop "$demo/dns.pid"
  sendmail_stop "$demo/sendmail" 10025
  sendmail_teardown "$demo/sendmail"
  postfix_teardown "$demo"
  rm -f "$demo/main.cf.orig" "$demo/master.cf.orig"
  bash "$top/tests/pg.sh" stop "$demo/pg" fast 2>/dev/null
  echo "stopped (logs in $demo)"
}

step "dependencies"
bash "$top/tests/setup_deps.sh" || die "installing dependencies failed"
# shellcheck source=../tests/e2e/lib.sh
. "$top/tests/e2e/lib.sh"
# shellcheck source=../tests/e2e/sendmail_lib.sh
. "$top/tests/e2e/sendmail_lib.sh"
if [ "$mode" = --stop ]; then stop_all; exit 0; fi
[ "$mode" = --keep ] || trap stop_all EXIT

step "build"
cd "$top" || exit 1
[ -d "$build" ] || meson setup "$build" >/dev/null || die "meson setup failed"
ninja -C "$build" >/dev/null || die "build failed (run ninja -C $build to see why)"

step "PostgreSQL in $demo/pg (port $port)"
mkdir -p "$demo"
[ -f "$demo/milter.pid" ] && kill -TERM "$(cat "$demo/milter.pid")" 2>/dev/null && sleep 1
bash tests/pg.sh start "$demo/pg" "$port" 2>/dev/null || pg_isready -q -h 127.0.0.1 -p "$port" ||
  die "PostgreSQL did not start: see $demo/pg/server.log"
psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -tc \
  "SELECT 1 FROM pg_database WHERE datname = 'tlsrpt_demo'" | grep -q 1 ||
  psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "CREATE DATABASE tlsrpt_demo"
"$ctl" db migrate --db "$db" || die "migration failed"

step "DKIM keys of the sample reporters, served by dnsmasq on 127.0.0.1:10054"
dkimtool() { /usr/bin/python3 "$top/tests/dkim/dkimtool.py" "$@"; }
reporters="smallmta.example mailprovider.example bigsender.example"
mkdir -p "$demo/dkim" "$demo/signed"
keys=()
for d in $reporters; do
  [ -f "$demo/dkim/$d.key" ] || dkimtool keygen "$demo/dkim" "$d" --type rsa --bits 2048 ||
    die "key generation failed"
  keys+=(--local "$d" --key "demo._domainkey.$d=$demo/dkim/$d.pub")
done
dkimtool dns-conf "$demo/dkim/dnsmasq.conf" "${keys[@]}" || die "DNS configuration failed"
dns_stop "$demo/dns.pid"
dns_start 10054 "$demo/dkim/dnsmasq.conf" "$demo/dns.pid" "$demo/dns.log" ||
  die "dnsmasq did not start: see $demo/dns.log"
for f in "$top"/contrib/samples/*.eml; do
  d=$(sed -n 's/^From:.*@\([a-z.]*\)>.*/\1/p' "$f" | head -n 1)
  dkimtool sign "$f" "$demo/signed/$(basename "$f")" --domain "$d" --selector demo \
    --key "$demo/dkim/$d.key" || die "signing $f failed"
done

step "tlsrpt-milter on inet:10026@127.0.0.1"
cat >"$demo/tlsrpt-milter.conf" <<CONF
# demo configuration; every setting: build/src/milter/tlsrpt-milter --dump-config
Socket inet:10026@127.0.0.1
Database $db
ReportAddresses tlsrpt@example.test
OnInvalid quarantine
Resolver 127.0.0.1:10054
PidFile $demo/milter.pid
Syslog no
CONF
"$milter" -f -c "$demo/tlsrpt-milter.conf" >>"$demo/milter.log" 2>&1 &
wait_for 10 listening 10026 || die "the milter did not start: $(tail -n 3 "$demo/milter.log")"

if [ "$mta" = sendmail ]; then
  step "Sendmail on 127.0.0.1:10025 (unpacked in $demo/sendmail/root, not installed)"
  mkdir -p "$demo/sendmail"
  sendmail_stop "$demo/sendmail" 10025
  sendmail_fetch "$demo/sendmail" && sendmail_configure "$demo/sendmail" 10025 10026 &&
    sendmail_start "$demo/sendmail" 10025 ||
    die "Sendmail did not start: $(tail -n 3 "$demo/sendmail/sendmail.log")"
  send_opts=(--crlf)
else
  step "Postfix on 127.0.0.1:10025 (log: $maillog)"
  postfix_setup 10026 "$demo" "$maillog" || die "Postfix did not start"
  send_opts=()
fi

step "mailing the signed sample reports to tlsrpt@example.test"
for f in "$demo"/signed/*.eml; do
  printf '%-28s %s\n' "$(basename "$f")" \
    "$(python3 "$top/tests/e2e/mail.py" send --port 10025 "${send_opts[@]}" --to tlsrpt@example.test "$f")"
done
echo "milter log:"
tail -n 4 "$demo/milter.log" | sed 's/^/  /'

step "tlsrptctl summary --db '$db'"
"$ctl" summary --db "$db" --days 3650

if [ "$mode" = --keep ]; then
  echo
  echo "still running: send more with"
  echo "  python3 tests/e2e/mail.py send --port 10025 ${send_opts[*]} --to tlsrpt@example.test FILE.eml"
  echo "stop with: contrib/demo.sh --stop"
fi
