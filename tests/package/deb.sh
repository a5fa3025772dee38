#!/usr/bin/env bash
# deb.sh: the Debian package, tested on this machine as an operator would use it. Builds it
# (packaging/build-deb.sh, DEB_BUILD_OPTIONS="nocheck parallel=2": the test command runs the
# unit tests itself), runs lintian (no errors, no warnings that debian/*lintian-overrides does not
# explain), checks that every man page renders without warnings and that tlsrptctl(1) has
# every command; then installs it with apt-get, checks files, users, permissions and the units
# (systemd-analyze verify), starts the
# installed daemon the way its unit does (as the package user, the installed configuration
# pointed at the test PostgreSQL) BEFORE its database exists (it must log the setup commands and
# answer 4xx), creates and migrates the database, sends a report through Postfix over the unix
# socket, upgrades over itself (dpkg -i: the edited conffile and a statoverride kept), purges,
# and checks what is left (the database must be).
#
# Needs root, and takes the machine's Postfix over: run it under
#   flock /tmp/tlsrpt-postfix.lock bash tests/package/deb.sh
# (tests/run_all.sh is run so as a whole). Environment: PGHOST PGPORT PGUSER of a running
# PostgreSQL (tests/run_all.sh's; default 127.0.0.1:55432 postgres), TLSRPT_DEB_SKIP_BUILD=1 to
# test the .deb already in dist/ (e.g. built first without the lock).
# Prints one "PASS name" / "FAIL name: why" / "SKIP name: why" per check. Cleans up the
# package, the user, Postfix's configuration, the milter and the test database even on failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-55432} PGUSER=${PGUSER:-postgres}
pkg=tlsrpt-milter

skip() { echo "SKIP $1: $2"; }
failures=0
# shellcheck source=../e2e/lib.sh
. "$src/tests/e2e/lib.sh" # pass, fail, verdict, waits, the loopback Postfix

# ---------------------------------------------------------------------------------------------
# Part 1: build, lintian, man pages
build_and_lint() {
  local work=$1 deb out
  if [ "${TLSRPT_DEB_SKIP_BUILD:-}" != 1 ]; then
    local t0=$SECONDS
    DEB_BUILD_OPTIONS="nocheck ${DEB_BUILD_OPTIONS:-parallel=2}" nice bash "$src/packaging/build-deb.sh" \
      >"$work/build.log" 2>&1
    verdict deb-build $? "$(tail -n 15 "$work/build.log")"
    echo "-- package build took $((SECONDS - t0)) s"
  fi
  deb=$(ls "$src"/dist/${pkg}_*.deb 2>/dev/null | head -n 1)
  [ -n "$deb" ] || { fail deb-exists "no dist/${pkg}_*.deb"; return 1; }
  pass deb-exists
  if command -v lintian >/dev/null; then
    out=$(lintian --info --display-info "$src"/dist/*.deb 2>&1)
    ! grep -q '^E: ' <<<"$out"
    verdict deb-lintian-no-errors $? "$(grep '^E: ' <<<"$out")"
    ! grep -q '^W: ' <<<"$out"
    verdict deb-lintian-no-warnings $? "$(grep '^W: ' <<<"$out")"
  else
    fail deb-lintian "lintian is not installed (tests/setup_deps.sh)"
  fi
  # the man pages inside the package, rendered as man(1) would
  rm -rf "$work/x" && mkdir "$work/x" && dpkg-deb -x "$deb" "$work/x"
  local page n=0 warnings=""
  for page in "$work"/x/usr/share/man/man*/*; do
    n=$((n + 1))
    out=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
    [ -z "$out" ] || warnings="$warnings $(basename "$page"): $out"
  done
  [ "$n" -eq 5 ] && [ -z "$warnings" ]
  verdict deb-man-pages-render-clean $? "$n pages;$warnings"
  # every command of `tlsrptctl --help` has its subsection in tlsrptctl(1)
  local missing="" cmd ncmd=0
  while IFS= read -r cmd; do
    ncmd=$((ncmd + 1))
    zcat "$work"/x/usr/share/man/man1/tlsrptctl.1.gz | grep -q "^\.SS $cmd\( \|$\)" ||
      missing="$missing '$cmd'"
  done < <("$work/x/usr/bin/tlsrptctl" --help | sed -n '/^Commands:/,/^$/p' |
    sed -n 's/^  \([a-z][a-z-]*\( [a-z][a-z-]*\)\{0,1\}\) .*/\1/p')
  [ "$ncmd" -ge 7 ] && [ -z "$missing" ]
  verdict deb-man-tlsrptctl-every-command $? "$ncmd commands, missing:$missing"
  # tlsrpt-milter.conf(5) and tlsrpt-httpd.conf(5) name every setting of --dump-config
  local prog
  for prog in tlsrpt-milter tlsrpt-httpd; do
    missing="" n=0
    for cmd in $("$work/x/usr/sbin/$prog" --dump-config | sed -n 's/^#\([A-Z][A-Za-z]*\) .*/\1/p'); do
      n=$((n + 1))
      zcat "$work/x/usr/share/man/man5/$prog.conf.5.gz" | grep -q "^\.BI \"$cmd " ||
        missing="$missing $cmd"
    done
    [ "$n" -ge 20 ] && [ -z "$missing" ]
    verdict "deb-man-$prog-conf-every-setting" $? "$n settings, missing:$missing"
  done
}

# ---------------------------------------------------------------------------------------------
# Part 2: install, run, upgrade, purge
db=tlsrpt_pkg_$$
MX=10025
conf=/etc/tlsrpt-milter.conf
httpd_conf=/etc/tlsrpt-httpd.conf
sock=/run/tlsrpt-milter/tlsrpt-milter.sock
milter_pid=
created_role=0
created_users=()

sql() { psql -X -At -v ON_ERROR_STOP=1 -d "$1" -c "$2" 2>>"$work/psql.err"; }
conninfo() { echo "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$db"; }
installed() { dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; }
known() { dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -qv 'not-installed'; }
unit_value() { sed -n "s/^$1=//p" /lib/systemd/system/tlsrpt-milter.service | tail -n 1; }

stop_milter() {
  [ -n "$milter_pid" ] || return 0
  kill -TERM "$milter_pid" 2>/dev/null
  wait "$milter_pid" 2>/dev/null
  milter_pid=
}

# start_milter: the installed ExecStart, as the unit's User/Group with its UMask, supplementary
# groups of the user and no new privileges (systemd's User=, UMask=, NoNewPrivileges=); the
# runtime directory as RuntimeDirectory= makes it. The unit's Syslog goes to standard error
# here (no syslog daemon): the test's configuration says Syslog no.
start_milter() {
  local user group umask_ exec_start
  user=$(unit_value User) group=$(unit_value Group) umask_=$(unit_value UMask)
  exec_start=$(unit_value ExecStart)
  install -d -m "$(unit_value RuntimeDirectoryMode)" -o "$user" -g "$group" /run/tlsrpt-milter
  # shellcheck disable=SC2086
  (umask "$umask_" && exec setpriv --reuid="$user" --regid="$group" --init-groups \
    --no-new-privs -- $exec_start) >>"$work/milter.log" 2>&1 &
  milter_pid=$!
  wait_for 10 test -S "$sock"
}

cleanup() {
  set +e
  echo "-- cleaning up"
  stop_milter
  postfix_teardown "$work"
  gpasswd -d postfix tlsrpt-milter >/dev/null 2>&1
  dpkg-statoverride --remove "$conf" >/dev/null 2>&1
  known && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 purge -y -q "$pkg" >>"$work/apt.log" 2>&1
  if [ "$owns_user" = 1 ]; then
    for u in tlsrpt-milter tlsrpt-httpd; do
      getent passwd "$u" >/dev/null && deluser --system --quiet "$u" >/dev/null 2>&1
      getent group "$u" >/dev/null && delgroup --system --quiet "$u" >/dev/null 2>&1
    done
  fi
  for u in "${created_users[@]}"; do userdel "$u" 2>/dev/null; done
  rm -rf /run/tlsrpt-milter
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" 2>/dev/null
  [ "$created_role" = 1 ] && psql -X -q -d postgres -c 'DROP ROLE IF EXISTS "tlsrpt-httpd"' 2>/dev/null
  if [ "$failures" -eq 0 ]; then rm -rf "$work"; else echo "-- logs kept in $work"; fi
}

check_install() {
  local deb out
  deb=$(ls "$src"/dist/${pkg}_*.deb | head -n 1)
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
    --no-install-recommends "$deb" >"$work/apt.log" 2>&1
  verdict deb-apt-install $? "$(tail -n 10 "$work/apt.log")"
  installed || return 1
  # files where opendkim has them
  local f missing=""
  for f in /usr/sbin/tlsrpt-milter /usr/sbin/tlsrpt-httpd /usr/bin/tlsrptctl "$conf" "$httpd_conf" \
    /lib/systemd/system/tlsrpt-milter.service /usr/lib/tmpfiles.d/tlsrpt-milter.conf \
    /usr/share/doc/tlsrpt-milter/README.Debian.gz /usr/share/doc/tlsrpt-milter/README.md \
    /usr/share/doc/tlsrpt-milter/copyright \
    /usr/share/doc/tlsrpt-milter/postfix-main.cf /usr/share/doc/tlsrpt-milter/postfix-split.cf \
    /usr/share/doc/tlsrpt-milter/nginx-tlsrpt-httpd.conf \
    /usr/share/man/man8/tlsrpt-milter.8.gz /usr/share/man/man8/tlsrpt-httpd.8.gz \
    /usr/share/man/man5/tlsrpt-milter.conf.5.gz /usr/share/man/man5/tlsrpt-httpd.conf.5.gz \
    /usr/share/man/man1/tlsrptctl.1.gz; do
    [ -e "$f" ] || missing="$missing $f"
  done
  for f in "$src"/src/store/migrations/*.sql; do
    cmp -s "$f" "/usr/share/tlsrpt-milter/migrations/$(basename "$f")" ||
      missing="$missing /usr/share/tlsrpt-milter/migrations/$(basename "$f")"
  done
  for f in "$src"/packaging/*.service "$src"/packaging/*.timer; do
    [ -e "/lib/systemd/system/$(basename "$f")" ] || missing="$missing /lib/systemd/system/$(basename "$f")"
  done
  [ -z "$missing" ]
  verdict deb-files-in-place $? "missing:$missing"
  dpkg-query -W -f='${Conffiles}\n' "$pkg" | grep -q "^ $conf " &&
    dpkg-query -W -f='${Conffiles}\n' "$pkg" | grep -q "^ $httpd_conf "
  verdict deb-conffiles "$?" "$(dpkg-query -W -f='${Conffiles}' "$pkg")"
  grep -qx 'd /run/tlsrpt-milter 0750 tlsrpt-milter tlsrpt-milter -' /usr/lib/tmpfiles.d/tlsrpt-milter.conf
  verdict deb-tmpfiles-line $? "$(grep -v '^#' /usr/lib/tmpfiles.d/tlsrpt-milter.conf)"
  # the system users and groups (the HTTPS receiver faces the internet: a user of its own)
  local uid shell u
  for u in tlsrpt-milter tlsrpt-httpd; do
    uid=$(getent passwd "$u" | cut -d: -f3) shell=$(getent passwd "$u" | cut -d: -f7)
    [ -n "$uid" ] && [ "$uid" -lt 1000 ] && [ "$shell" = /usr/sbin/nologin ] && getent group "$u" >/dev/null &&
      [ "$(id -gn "$u")" = "$u" ]
    verdict "deb-system-user-$u" $? "$(getent passwd "$u")"
  done
  [ "$(stat -c '%U:%G %a' "$conf")" = "root:tlsrpt-milter 640" ] &&
    [ "$(stat -c '%U:%G %a' "$httpd_conf")" = "root:tlsrpt-httpd 640" ]
  verdict deb-conf-permissions $? "$(stat -c '%n %U:%G %a' "$conf" "$httpd_conf")"
  # the postinst runs systemd-tmpfiles only under systemd: here as a boot would
  rm -rf /run/tlsrpt-milter
  out=$(systemd-tmpfiles --create /usr/lib/tmpfiles.d/tlsrpt-milter.conf 2>&1) &&
    [ "$(stat -c '%U:%G %a' /run/tlsrpt-milter 2>/dev/null)" = "tlsrpt-milter:tlsrpt-milter 750" ]
  verdict deb-runtime-dir-from-tmpfiles $? "$out $(stat -c '%U:%G %a' /run/tlsrpt-milter 2>&1)"
  # the installed configuration as packaged: valid, with the socket, user and database set
  out=$(/usr/sbin/tlsrpt-milter -n -c "$conf" 2>&1) &&
    grep -qx "Socket unix:$sock" "$conf" && grep -qx 'UserID tlsrpt-milter' "$conf" &&
    grep -qx 'Database dbname=tlsrpt' "$conf"
  verdict deb-conf-valid-and-filled-in $? "$out"
  out=$(/usr/sbin/tlsrpt-httpd -n -c "$httpd_conf" 2>&1) && grep -qx 'Database dbname=tlsrpt' "$httpd_conf"
  verdict deb-httpd-conf-valid $? "$out"
  # every unit and timer (the template through an instance), warnings counted as failures
  out=$(cd /lib/systemd/system && systemd-analyze verify tlsrpt-milter.service tlsrpt-httpd.service \
    tlsrpt-alerts.service tlsrpt-alerts.timer tlsrpt-digest.service tlsrpt-digest.timer \
    tlsrpt-maintain.service tlsrpt-maintain.timer tlsrpt-imap@test.service 2>&1)
  [ $? -eq 0 ] && [ -z "$out" ]
  verdict deb-systemd-analyze-verify $? "$out"
  # installed disabled, the milter enabled (debhelper's snippets; no systemd here to start it)
  [ -L /etc/systemd/system/multi-user.target.wants/tlsrpt-milter.service ] &&
    [ ! -e /etc/systemd/system/multi-user.target.wants/tlsrpt-httpd.service ] &&
    [ ! -e /etc/systemd/system/timers.target.wants/tlsrpt-alerts.timer ]
  verdict deb-units-enabled-as-intended $? "$(ls /etc/systemd/system/*.wants 2>&1 | grep tlsrpt)"
  # installed man pages, through man's own lookup
  out=$(for p in tlsrpt-milter.8 tlsrpt-milter.conf.5 tlsrpt-httpd.8 tlsrpt-httpd.conf.5 tlsrptctl.1; do
    MANWIDTH=80 man --warnings "${p##*.}" "${p%.*}" 2>&1 >/dev/null || echo "$p: not found"
  done)
  [ -z "$out" ]
  verdict deb-man-installed $? "$out"
}

# The test's settings in the installed conffile (kept by the upgrade below).
edit_conf() {
  sed -i -e "s|^Database .*|Database $(conninfo)|" -e 's|^ReportAddresses .*|ReportAddresses tlsrpt@example.test|' "$conf"
  printf '%s\n' '# test: tests/package/deb.sh' 'Syslog no' 'RequireDKIM no' 'DatabaseTimeout 5' >>"$conf"
}

check_service() {
  local out r id
  edit_conf
  id -u tlsrpt >/dev/null 2>&1 || created_users+=(tlsrpt)
  id -u alice >/dev/null 2>&1 || created_users+=(alice)
  # Postfix on the unix socket: its user in the milter's group (README.Debian)
  adduser --quiet postfix tlsrpt-milter
  if ! postfix_setup 0 "$work" "$maillog"; then
    fail deb-postfix-setup "$(tail -n 10 "$maillog" 2>/dev/null)"
    return 1
  fi
  postconf -e "smtpd_milters = unix:$sock" && postfix reload >/dev/null 2>&1
  # before the database exists: running, the setup commands logged, 4xx to report mail
  start_milter
  wait_for 15 grep -qF "to set up the database: runuser -u tlsrpt-milter -- tlsrptctl db migrate --db '$(conninfo)'" "$work/milter.log" &&
    grep -q "to set up the database: runuser -u postgres -- createdb -h $PGHOST -p $PGPORT -O $PGUSER $db" "$work/milter.log" &&
    kill -0 "$milter_pid" 2>/dev/null
  verdict deb-service-starts-without-database $? "$(tail -n 5 "$work/milter.log")"
  [ "$(stat -c '%U:%G %a' "$sock" 2>/dev/null)" = "tlsrpt-milter:tlsrpt-milter 770" ] ||
    [ "$(stat -c '%U:%G %a' "$sock" 2>/dev/null)" = "tlsrpt-milter:tlsrpt-milter 660" ]
  verdict deb-socket-owner-and-mode $? "$(stat -c '%U:%G %a' "$sock" 2>&1)"
  [ "$(ps -o user= -p "$milter_pid")" = tlsrpt-milter ]
  verdict deb-runs-as-package-user $? "$(ps -o user=,cmd= -p "$milter_pid")"
  python3 "$src/tests/e2e/mail.py" report --id pkg-early >"$work/early.eml"
  r=$(python3 "$src/tests/e2e/mail.py" send --port $MX --to tlsrpt@example.test "$work/early.eml")
  [[ "$r" == "451 4.3.0"* ]] && grep -q 'outcome=tempfail .*database not ready' "$work/milter.log"
  verdict deb-451-before-database $? "reply '$r'; $(tail -n 2 "$work/milter.log")"
  # the database, as README.Debian says (createdb, then migrate as the package user)
  sql postgres "CREATE DATABASE $db" >/dev/null &&
    runuser -u tlsrpt-milter -- /usr/bin/tlsrptctl db migrate --db "$(conninfo)" >"$work/migrate.log" 2>&1
  verdict deb-tlsrptctl-migrate-as-package-user $? "$(cat "$work/migrate.log")"
  wait_for 70 grep -q 'database schema version [0-9]*: storing reports' "$work/milter.log"
  verdict deb-service-ready-after-migrate $? "$(tail -n 3 "$work/milter.log")"
  python3 "$src/tests/e2e/mail.py" report --id pkg-report-1 >"$work/report.eml"
  r=$(python3 "$src/tests/e2e/mail.py" send --port $MX --to tlsrpt@example.test "$work/report.eml")
  id=$(sed -n 's/.*queued as \([0-9A-Za-z]*\).*/\1/p' <<<"$r")
  [[ "$r" == 250* ]] && [ "$(sql "$db" "SELECT count(*) FROM tlsrpt.reports WHERE report_id = 'pkg-report-1'")" = 1 ] &&
    grep -q "queue_id=$id outcome=stored " "$work/milter.log"
  verdict deb-report-through-postfix-stored $? "reply '$r'; $(tail -n 2 "$work/milter.log")"
  # SIGHUP as ExecReload sends it, then SIGTERM as systemctl stop
  kill -HUP "$milter_pid" && wait_for 10 grep -q 'reloaded configuration' "$work/milter.log"
  verdict deb-reload $? "$(tail -n 2 "$work/milter.log")"
  kill -TERM "$milter_pid"
  wait "$milter_pid"
  local rc=$?
  milter_pid=
  [ $rc -eq 0 ] && [ ! -e "$sock" ]
  verdict deb-stop-clean $? "exit $rc; $(ls -la /run/tlsrpt-milter 2>&1)"
}

# check_httpd_writer: README.Debian's step 6: the receiver's own role, made a writer by the
# package user (tlsrptctl db grant), stores a POSTed report; that role cannot delete reports.
check_httpd_writer() {
  local out r port=10069 hconf="$work/tlsrpt-httpd.conf"
  sql postgres 'CREATE ROLE "tlsrpt-httpd" LOGIN' >/dev/null && created_role=1
  out=$(runuser -u tlsrpt-milter -- /usr/bin/tlsrptctl db grant --writer tlsrpt-httpd \
    --db "$(conninfo)" 2>&1)
  verdict deb-grant-writer-as-package-user $? "$out"
  sed -e "s|^Database .*|Database host=$PGHOST port=$PGPORT user=tlsrpt-httpd dbname=$db|" \
    -e "s|^#Listen .*|Listen 127.0.0.1:$port|" -e 's|^#Syslog .*|Syslog no|' "$httpd_conf" >"$hconf"
  chmod 711 "$work" && chmod 644 "$hconf" # readable by the receiver's user
  install -d -o tlsrpt-httpd -g tlsrpt-httpd -m 0700 /var/spool/tlsrpt-httpd
  setpriv --reuid=tlsrpt-httpd --regid=tlsrpt-httpd --init-groups --no-new-privs -- \
    /usr/sbin/tlsrpt-httpd -f -c "$hconf" >>"$work/httpd.log" 2>&1 &
  local httpd_pid=$!
  python3 "$src/tests/httpd/gen_report.py" pkg-https-1 gzip >"$work/https.json.gz"
  wait_for 10 listening $port &&
    r=$(curl --silent -o /dev/null -w '%{http_code}' -H 'Content-Type: application/tlsrpt+gzip' \
      --data-binary @"$work/https.json.gz" "http://127.0.0.1:$port/") &&
    [ "$r" = 201 ] &&
    [ "$(sql "$db" "SELECT count(*) FROM tlsrpt.reports WHERE report_id = 'pkg-https-1'")" = 1 ]
  verdict deb-httpd-stores-as-writer $? "answer '${r:-}'; $(tail -n 3 "$work/httpd.log")"
  kill -TERM "$httpd_pid" 2>/dev/null
  wait "$httpd_pid" 2>/dev/null
  out=$(psql -X -At -h "$PGHOST" -p "$PGPORT" -U tlsrpt-httpd -d "$db" \
    -c 'DELETE FROM tlsrpt.reports' 2>&1)
  [[ "$out" == *"permission denied"* ]]
  verdict deb-writer-cannot-delete "$?" "$out"
}

check_upgrade() {
  local deb out
  deb=$(ls "$src"/dist/${pkg}_*.deb | head -n 1)
  dpkg-statoverride --update --add root root 0644 "$conf"
  DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" >"$work/upgrade.log" 2>&1
  verdict deb-upgrade-over-itself $? "$(tail -n 5 "$work/upgrade.log")"
  grep -qx "Database $(conninfo)" "$conf" && grep -qx 'ReportAddresses tlsrpt@example.test' "$conf" &&
    [ ! -e "$conf.dpkg-new" ] && [ ! -e "$conf.dpkg-dist" ]
  verdict deb-upgrade-keeps-conffile $? "$(grep -E '^(Database|ReportAddresses) ' "$conf")"
  [ "$(stat -c '%U:%G %a' "$conf")" = "root:root 644" ]
  verdict deb-upgrade-respects-statoverride $? "$(stat -c '%U:%G %a' "$conf")"
  dpkg-statoverride --remove "$conf"
}

check_purge() {
  local left="" f
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 purge -y -q "$pkg" >>"$work/apt.log" 2>&1
  verdict deb-purge $? "$(tail -n 5 "$work/apt.log")"
  for f in /usr/sbin/tlsrpt-milter /usr/sbin/tlsrpt-httpd /usr/bin/tlsrptctl "$conf" "$httpd_conf" \
    /lib/systemd/system/tlsrpt-milter.service /lib/systemd/system/tlsrpt-httpd.service \
    /usr/lib/tmpfiles.d/tlsrpt-milter.conf /usr/share/tlsrpt-milter /usr/share/doc/tlsrpt-milter \
    /run/tlsrpt-milter /var/spool/tlsrpt-httpd /usr/share/man/man8/tlsrpt-milter.8.gz \
    /etc/systemd/system/multi-user.target.wants/tlsrpt-milter.service; do
    [ -e "$f" ] && left="$left $f"
  done
  ! known && [ -z "$left" ]
  verdict deb-purge-leaves-nothing $? "left:$left; $(dpkg-query -W -f='${Status}' "$pkg" 2>&1)"
  [ "$(sql "$db" "SELECT count(*) FROM tlsrpt.reports WHERE report_id = 'pkg-report-1'")" = 1 ]
  verdict deb-purge-keeps-database $? "$(cat "$work/psql.err" 2>/dev/null | tail -n 2)"
  getent passwd tlsrpt-milter >/dev/null && getent passwd tlsrpt-httpd >/dev/null
  verdict deb-purge-keeps-system-users $? "(Debian keeps system users; README.Debian)"
}

installed_part() {
  work=$(mktemp -d /var/tmp/tlsrpt-pkg.XXXXXX)
  maillog=/var/log/postfix-tlsrpt-pkg.log
  owns_user=0
  if known; then
    fail deb-install-precondition "$pkg is already installed here: not touching it"
    return 1
  fi
  if getent passwd tlsrpt-milter >/dev/null || getent passwd tlsrpt-httpd >/dev/null; then
    fail deb-install-precondition "a user tlsrpt-milter or tlsrpt-httpd exists already: not touching it"
    return 1
  fi
  if listening $MX; then
    fail deb-install-precondition "port $MX is in use"
    return 1
  fi
  if ! pg_isready -q; then
    fail deb-install-precondition "PostgreSQL not reachable at $PGHOST:$PGPORT"
    return 1
  fi
  owns_user=1
  trap cleanup EXIT
  trap 'exit 1' INT TERM
  check_install || return 1
  check_service
  check_httpd_writer
  stop_milter
  postfix_teardown "$work"
  gpasswd -d postfix tlsrpt-milter >/dev/null 2>&1
  check_upgrade
  check_purge
}

if [ "${1:-}" = --installed ]; then
  installed_part
  exit $((failures > 0))
fi

[ "$(id -u)" -eq 0 ] || { echo "FAIL deb-root: needs root (apt-get, adduser)"; exit 1; }
work=$(mktemp -d /var/tmp/tlsrpt-pkgbuild.XXXXXX)
build_and_lint "$work"
[ "$failures" -eq 0 ] && rm -rf "$work" || echo "-- build logs kept in $work"
if ls "$src"/dist/${pkg}_*.deb >/dev/null 2>&1; then
  bash "$0" --installed
  [ $? -eq 0 ] || failures=$((failures + 1))
else
  skip deb-installed "no package to install"
fi
exit $((failures > 0))
