# lib.sh: what the scale tests (pgbouncer.sh, failover.sh, two_milters.sh) share: PASS/FAIL lines, waiting,
# report emails, driving the real milter with miltertest (send_reports.lua) and its config.
# Needs: top (the source root), work (a scratch directory), build (the build directory).
failures=0
verdict() { # NAME STATUS DETAIL
  if [ "$2" -eq 0 ]; then echo "PASS $1"; else echo "FAIL $1: $3"; failures=$((failures + 1)); fi
}
wait_for() { # SECONDS COMMAND...
  local end=$((SECONDS + $1))
  shift
  until "$@"; do [ $SECONDS -ge $end ] && return 1; sleep 0.2; done
}
listening() { ss -ltn "sport = :$1" | grep -q LISTEN; }

# make_reports PREFIX N [DAY]: N report emails PREFIX-1..N (of DAY, default 2026-03-01) in
# $work/mail, listed in $work/PREFIX.list
make_reports() {
  local i
  mkdir -p "$work/mail"
  : >"$work/$1.list"
  for i in $(seq 1 "$2"); do
    python3 "$top/tests/e2e/mail.py" report --id "$1-$i" --org "Scale Test" \
      --contact "tls@scale.example" --day "${3:-2026-03-01}" >"$work/mail/$1-$i.eml"
    echo "$work/mail/$1-$i.eml" >>"$work/$1.list"
  done
}
# send LIST MILTER_PORT: prints "reply FILE WORD" per message (send_reports.lua)
send() {
  miltertest -D dir="$top/tests/milter/lua" -D sock="inet:$2@127.0.0.1" -D list="$1" \
    -s "$top/tests/scale/send_reports.lua" 2>&1
}
# milter_conf PORT CONNINFO [extra lines]: $work/milter.conf
milter_conf() {
  cat >"$work/milter.conf" <<CONF
Socket inet:$1@127.0.0.1
Database $2
ReportAddresses tlsrpt@example.test
OnInvalid quarantine
RequireDKIM no
DatabaseTimeout 3
ShutdownTimeout 5
Syslog no
Resolver 127.0.0.1:9
DNSTimeout 1
${3:-}
CONF
}
start_milter() { # PORT [CONF]
  "$build/src/milter/tlsrpt-milter" -f -c "${2:-$work/milter.conf}" >>"$work/milter.log" 2>&1 &
  milter_pid=$!
  wait_for 10 listening "$1"
}
