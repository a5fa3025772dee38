#!/usr/bin/env bash
# run.sh: end-to-end tests of tlsrpt-milter with a real Postfix and a real PostgreSQL, on
# loopback (see ../../../shared/notes/loopback-postfix-postgres.md for the recipe).
#
# Run by tests/run_all.sh after it started PostgreSQL; needs root (it writes /etc/postfix and
# adds the local users tlsrpt and alice). Environment: PGHOST PGPORT PGUSER (the cluster),
# TLSRPT_TEST_PGDIR (its directory, for the database-down test), TLSRPT_SOURCE_DIR,
# TLSRPT_SHARED_DIR (corpus), TLSRPT_BUILD_DIR (default $TLSRPT_SOURCE_DIR/build).
#
# Layout: Postfix listens on 127.0.0.1:10025 as the receiving MX (smtpd_milters = the milter
# on 10026) and on 127.0.0.1:10027 as a sending MTA: mail received there is queued and relayed
# to 10025 by the smtp client (content_filter), so a 4xx leaves it waiting in the queue.
# Prints one "PASS name" or "FAIL name: why" per check; everything else is commentary.
# Cleans up what it started (milter, Postfix, its databases, /etc/postfix) even on failure;
# its work directory (logs) is kept only when a check failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${TLSRPT_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
build=${TLSRPT_BUILD_DIR:-$src/build}
shared=${TLSRPT_SHARED_DIR:-$src/../shared}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-55432} PGUSER=${PGUSER:-postgres}
milter_bin=$build/src/milter/tlsrpt-milter
ctl=$build/src/tlsrptctl
MX=10025 RELAY=10027 MILTER=10026 DNS=10053 METRICS=10058
maillog=/var/log/postfix-tlsrpt-e2e.log
db=tlsrpt_e2e_$$
db_corpus=tlsrpt_e2e_corpus_$$
work=$(mktemp -d /var/tmp/tlsrpt-e2e.XXXXXX)
milter_pid=
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=dkim.sh
. "$here/dkim.sh"
# shellcheck source=metrics.sh
. "$here/metrics.sh"

note() { printf -- '-- %s\n' "$*"; }
failures=0

sql() { psql -X -At -v ON_ERROR_STOP=1 -d "$1" -c "$2" 2>>"$work/psql.err"; }
conninfo() { echo "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$1"; }

cleanup() {
  set +e
  note "cleaning up"
  stop_milter
  dns_stop "$work/dns.pid"
  postfix_teardown "$work"
  if ! pg_isready -q 2>/dev/null && [ -n "${TLSRPT_TEST_PGDIR:-}" ]; then
    PG_FSYNC=off bash "$src/tests/pg.sh" start "$TLSRPT_TEST_PGDIR" "$PGPORT"
  fi
  for d in "$db" "$db_corpus"; do psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $d" 2>/dev/null; done
  if [ "$failures" -eq 0 ]; then rm -rf "$work"; else echo "-- logs kept in $work"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---------------------------------------------------------------------------------------------
# The milter
# The checks that send unsigned mail run with RequireDKIM no; the DKIM checks say otherwise in
# their extra lines. Keys are looked up at the test's own DNS server (dnsmasq on $DNS).
write_milter_conf() { # ON_INVALID DATABASE [extra lines]
  local dkim="RequireDKIM no"
  grep -q RequireDKIM <<<"${3:-}" && dkim=
  cat >"$work/milter.conf" <<EOF
# written by tests/e2e/run.sh
Socket inet:$MILTER@127.0.0.1
Database $(conninfo "$2")
ReportAddresses tlsrpt@example.test
OnInvalid $1
TrustedAuthservIDs mx.example.test
MaxMessageSize 1M
DatabaseTimeout 5
ShutdownTimeout 10
Syslog no
Resolver 127.0.0.1:$DNS
DNSTimeout 3
MetricsListen 127.0.0.1:$METRICS
$dkim
${3:-}
EOF
}

start_milter() {
  "$milter_bin" -f -c "$work/milter.conf" >>"$work/milter.log" 2>&1 &
  milter_pid=$!
  wait_for 10 listening "$MILTER" && kill -0 "$milter_pid" 2>/dev/null
}

stop_milter() {
  [ -n "$milter_pid" ] || return 0
  kill -TERM "$milter_pid" 2>/dev/null
  wait "$milter_pid" 2>/dev/null
  local rc=$?
  milter_pid=
  wait_for 10 not_listening "$MILTER"
  return $rc
}

# reload_milter: SIGHUP, then wait for the "reloaded" (or "reload ...") log line.
reload_milter() {
  local before
  before=$(grep -c 'reload' "$work/milter.log")
  kill -HUP "$milter_pid"
  wait_for 10 bash -c "[ \$(grep -c reload '$work/milter.log') -gt $before ]"
  grep 'reload' "$work/milter.log" | tail -n 1 | grep -q 'reloaded configuration'
}

# ---------------------------------------------------------------------------------------------
# Postfix
# The receiving MX on 10025 (from lib.sh) plus the sending MTA on 10027: no milter, queue,
# relay to the MX through "tomx" (its own myhostname, so the smtp client sees no mail loop
# when the MX greets it with mx.example.test).
setup_postfix() {
  postfix_setup "$MILTER" "$work" "$maillog" \
    "127.0.0.1:$RELAY/inet = 127.0.0.1:$RELAY inet n - n - - smtpd -o smtpd_milters= -o content_filter=tomx:[127.0.0.1]:$MX" \
    "tomx/unix = tomx unix - - n - - smtp -o myhostname=relay.example.test" &&
    wait_for 15 listening "$RELAY"
}

# send PORT FILE RCPT...: prints the final SMTP reply ("250 2.0.0 Ok: queued as ABC").
send() {
  local port=$1 file=$2 args=()
  shift 2
  for r in "$@"; do args+=(--to "$r"); done
  python3 "$here/mail.py" send --port "$port" "${args[@]}" "$file"
}
queue_id() { sed -n 's/.*queued as \([0-9A-Za-z]*\).*/\1/p' <<<"$1"; }
delivered_to() { grep -q "$1: to=<$2>.*status=sent" "$maillog"; }
milter_said() { grep -q "queue_id=$1 outcome=$2 " "$work/milter.log"; }
report_count() { sql "${2:-$db}" "SELECT count(*) FROM tlsrpt.reports WHERE report_id = '$1'"; }
mailbox_has() { [ -f "/var/mail/$1" ] && grep -qF -- "$2" "/var/mail/$1"; }
make_report() { python3 "$here/mail.py" report --id "$1" "${@:2}" >"$work/$1.eml"; }

# ---------------------------------------------------------------------------------------------
# Checks
check_refusals() {
  sql postgres "CREATE DATABASE $db" >/dev/null || return 1
  write_milter_conf quarantine "$db"
  local out rc
  # no schema yet: the milter runs, logs the fix, answers 4xx to report addresses, and
  # stores once the schema is there (a fresh package installation starts it this way)
  if start_milter && wait_for 10 grep -qF "to set up the database: tlsrptctl db migrate --db '$(conninfo "$db")'" "$work/milter.log"; then
    pass milter-waits-for-schema-logs-fix
  else
    fail milter-waits-for-schema-logs-fix "$(tail -n 5 "$work/milter.log")"
  fi
  out=$(miltertest -D dir="$src/tests/milter/lua" -D sock="inet:$MILTER@127.0.0.1" \
    -s "$src/tests/milter/lua/rcpt_database_not_ready.lua" 2>&1)
  verdict milter-waits-for-schema-451 $? "$out"
  "$ctl" db migrate --db "$(conninfo "$db")" >"$work/migrate.log" 2>&1
  wait_for 70 grep -q "database schema version [0-9]*: storing reports" "$work/milter.log"
  verdict milter-waits-for-schema-then-ready $? "$(tail -n 3 "$work/milter.log")"
  stop_milter
  printf 'Socket inet:1@127.0.0.1\nReportAdresses x@example.test\n' >"$work/bad.conf"
  out=$("$milter_bin" -n -c "$work/bad.conf" 2>&1)
  rc=$?
  [ $rc -eq 78 ] && grep -qF "$work/bad.conf:2: unknown setting 'ReportAdresses'" <<<"$out"
  verdict milter-refuses-bad-config $? "rc=$rc: $out"
}

check_stored_and_discarded() {
  make_report e2e-stored-1
  local r q
  r=$(send $MX "$work/e2e-stored-1.eml" tlsrpt@example.test)
  q=$(queue_id "$r")
  [[ $r == 250* ]] && [ "$(report_count e2e-stored-1)" = 1 ] &&
    wait_for 10 grep -q "$q: milter-discard" "$maillog" && milter_said "$q" stored &&
    sleep 1 && [ ! -s /var/mail/tlsrpt ]
  verdict report-stored-discarded-not-delivered $? "reply '$r'"
}

check_two_recipients() {
  make_report e2e-two-rcpts
  local r q
  r=$(send $MX "$work/e2e-two-rcpts.eml" tlsrpt@example.test alice@example.test)
  q=$(queue_id "$r")
  [[ $r == 250* ]] && [ "$(report_count e2e-two-rcpts)" = 1 ] &&
    wait_for 20 delivered_to "$q" alice@example.test && mailbox_has alice "<e2e-two-rcpts>" &&
    [ ! -s /var/mail/tlsrpt ] && ! grep -q "$q: to=<tlsrpt@example.test>" "$maillog"
  verdict report-and-user-stored-user-still-gets-it $? "reply '$r'"
}

check_duplicate() {
  local r q
  r=$(send $MX "$work/e2e-stored-1.eml" tlsrpt@example.test)
  q=$(queue_id "$r")
  [[ $r == 250* ]] && [ "$(report_count e2e-stored-1)" = 1 ] && milter_said "$q" duplicate
  verdict duplicate-resend-stored-once $? "reply '$r', rows $(report_count e2e-stored-1)"
}

check_plain_untouched() {
  python3 "$here/mail.py" plain --subject "e2e plain $$" >"$work/plain.eml"
  local r q
  r=$(send $MX "$work/plain.eml" alice@example.test)
  q=$(queue_id "$r")
  [[ $r == 250* ]] && wait_for 20 delivered_to "$q" alice@example.test &&
    mailbox_has alice "Subject: e2e plain $$" && mailbox_has alice "Hello Alice." &&
    ! grep -q "queue_id=$q " "$work/milter.log"
  verdict plain-message-untouched $? "reply '$r'"
}

# The daily digest of what this run stored, mailed with `tlsrptctl digest --mail-to` through
# Postfix's sendmail -t to a local user: it arrives as multipart/alternative.
check_digest_mail() {
  "$ctl" digest --db "$(conninfo "$db")" --days 3650 --last-day 2030-12-31 --eml "$work/digest.eml" \
    --mail-to alice@example.test --mail-from tlsrpt-digest@example.test >"$work/digest.log" 2>&1
  local rc=$? id
  id=$(sed -n 's/^Message-I[Dd]: *//p' "$work/digest.eml" | tr -d '\r' | head -n 1)
  [ $rc -eq 0 ] && [ -n "$id" ] && wait_for 20 mailbox_has alice "$id" &&
    mailbox_has alice "multipart/alternative"
  verdict digest-mailed-through-postfix $? "rc=$rc id=$id $(tail -n 2 "$work/digest.log")"
}

check_oversize() {
  python3 "$here/mail.py" plain --size 1500000 >"$work/big.eml"
  local r
  r=$(send $MX "$work/big.eml" tlsrpt@example.test)
  [[ $r == "552 5.3.4"* ]]
  verdict oversize-552 $? "reply '$r'"
}

check_invalid() {
  printf 'From: someone@sender.example\r\nSubject: not a report %s\r\n\r\nhello\r\n' "$$" \
    >"$work/invalid.eml"
  local r q before
  before=$(sql "$db" "SELECT count(*) FROM tlsrpt.rejected_messages")
  r=$(send $MX "$work/invalid.eml" tlsrpt@example.test)
  q=$(queue_id "$r")
  [[ $r == 250* ]] && [ "$(sql "$db" "SELECT count(*) FROM tlsrpt.rejected_messages")" = $((before + 1)) ] &&
    milter_said "$q" quarantined && wait_for 10 grep -q "$q: milter-discard" "$maillog" &&
    [ ! -s /var/mail/tlsrpt ]
  verdict invalid-quarantined $? "reply '$r'"

  write_milter_conf reject "$db"
  reload_milter
  verdict sighup-reload $? "$(tail -n 2 "$work/milter.log")"
  r=$(send $MX "$work/invalid.eml" tlsrpt@example.test)
  [[ $r == "550 5.6.0"* ]]
  verdict invalid-rejected-550 $? "reply '$r'"

  write_milter_conf pass "$db"
  reload_milter
  r=$(send $MX "$work/invalid.eml" tlsrpt@example.test)
  q=$(queue_id "$r")
  [[ $r == 250* ]] && wait_for 20 delivered_to "$q" tlsrpt@example.test &&
    mailbox_has tlsrpt "not a report $$"
  verdict invalid-passed-delivered $? "reply '$r'"
  rm -f /var/mail/tlsrpt
  write_milter_conf quarantine "$db"
  reload_milter
}

check_require_dkim() {
  write_milter_conf reject "$db" $'DKIMVerify no\nRequireDKIM yes'
  reload_milter
  make_report e2e-dkim
  local r1 r2 r3
  r1=$(send $MX "$work/e2e-dkim.eml" tlsrpt@example.test)
  { printf 'Authentication-Results: evil.example; dkim=pass header.d=reporter.example\r\n'
    cat "$work/e2e-dkim.eml"; } >"$work/e2e-dkim-forged.eml"
  r2=$(send $MX "$work/e2e-dkim-forged.eml" tlsrpt@example.test)
  { printf 'Authentication-Results: mx.example.test;\r\n\tdkim=pass (2048-bit key) header.d=reporter.example header.s=sel\r\n'
    cat "$work/e2e-dkim.eml"; } >"$work/e2e-dkim-signed.eml"
  r3=$(send $MX "$work/e2e-dkim-signed.eml" tlsrpt@example.test)
  [[ $r1 == "550 5.6.0"* ]] && [[ $r2 == "550 5.6.0"* ]] && [[ $r3 == 250* ]] &&
    [ "$(sql "$db" "SELECT dkim_result || ' ' || dkim_domain FROM tlsrpt.reports WHERE report_id = 'e2e-dkim'")" = "pass reporter.example" ]
  verdict require-dkim $? "unsigned '$r1', forged '$r2', signed '$r3'"
  write_milter_conf quarantine "$db"
  reload_milter
}

check_milter_down() {
  make_report e2e-milter-down
  stop_milter
  local r
  r=$(send $MX "$work/e2e-milter-down.eml" tlsrpt@example.test)
  [[ $r == 4* ]] && [ "$(report_count e2e-milter-down)" = 0 ]
  verdict milter-stopped-4xx $? "reply '$r'"
  start_milter
  r=$(send $MX "$work/e2e-milter-down.eml" tlsrpt@example.test)
  [[ $r == 250* ]] && [ "$(report_count e2e-milter-down)" = 1 ]
  verdict milter-restarted-stores $? "reply '$r'"
}

check_database_down() {
  if [ -z "${TLSRPT_TEST_PGDIR:-}" ]; then
    note "TLSRPT_TEST_PGDIR not set: database-down checks skipped"
    return
  fi
  make_report e2e-db-down-direct
  make_report e2e-db-down-queued
  bash "$src/tests/pg.sh" stop "$TLSRPT_TEST_PGDIR" fast
  local r1 r2 q
  r1=$(send $MX "$work/e2e-db-down-direct.eml" tlsrpt@example.test)
  [[ $r1 == "451 4.3.0"* ]]
  verdict database-down-451 $? "reply '$r1'"
  r2=$(send $RELAY "$work/e2e-db-down-queued.eml" tlsrpt@example.test)
  q=$(queue_id "$r2")
  [[ $r2 == 250* ]] && wait_for 30 grep -q "$q: to=<tlsrpt@example.test>.*status=deferred.*451 4.3.0" "$maillog"
  verdict database-down-sender-queue-deferred $? "relay reply '$r2'"
  PG_FSYNC=off bash "$src/tests/pg.sh" start "$TLSRPT_TEST_PGDIR" "$PGPORT"
  postqueue -f
  wait_for 60 delivered_to "$q" tlsrpt@example.test && sleep 1 &&
    [ "$(report_count e2e-db-down-queued)" = 1 ] && [ "$(report_count e2e-db-down-direct)" = 0 ] &&
    wait_for 20 bash -c "postqueue -p | grep -q 'Mail queue is empty'"
  verdict database-back-retry-stored-once $? "rows $(report_count e2e-db-down-queued)"
}

check_miltertest() {
  local s out
  make_report e2e-miltertest
  for s in negotiation rcpt_tag_delrcpt all_report_rcpts_discard header_only no_report_rcpt oversize; do
    out=$(miltertest -D dir="$src/tests/milter/lua" -D sock="inet:$MILTER@127.0.0.1" \
      -D report="$work/e2e-miltertest.eml" -s "$src/tests/milter/lua/$s.lua" 2>&1)
    verdict "miltertest-$s" $? "$out"
  done
  [ "$(report_count e2e-miltertest)" = 1 ] && milter_said MTQHDR1 quarantined
  verdict miltertest-stored-once-header-only-quarantined $?

  # A second milter, on its own port, that the script stops with SIGTERM mid-message.
  make_report e2e-sigterm
  sed -e "s/^Socket .*/Socket inet:10029@127.0.0.1/" -e "/^MetricsListen/d" "$work/milter.conf" \
    >"$work/milter-term.conf"
  out=$(miltertest -D dir="$src/tests/milter/lua" -D sock="inet:10029@127.0.0.1" \
    -D report="$work/e2e-sigterm.eml" -D milter="$milter_bin" -D conf="$work/milter-term.conf" \
    -s "$src/tests/milter/lua/sigterm_in_flight.lua" 2>&1)
  local rc=$?
  [ $rc -eq 0 ] && [ "$(report_count e2e-sigterm)" = 1 ] && wait_for 10 not_listening 10029
  verdict miltertest-sigterm-finishes-message-in-flight $? "rc=$rc $out"
}

# Every corpus file as an email, into a fresh database (switched to by SIGHUP); the database
# must then hold exactly the distinct reports of the accept rows of EXPECTED.tsv.
check_corpus() {
  local dir=$shared/corpus
  if [ ! -f "$dir/EXPECTED.tsv" ]; then
    note "no corpus at $dir: corpus checks skipped"
    return
  fi
  sql postgres "CREATE DATABASE $db_corpus" >/dev/null &&
    "$ctl" db migrate --db "$(conninfo "$db_corpus")" >>"$work/migrate.log" 2>&1
  write_milter_conf quarantine "$db_corpus"
  reload_milter
  local name expect file r bad=0 rejects=0
  while IFS=$'\t' read -r name expect _; do
    [ "$name" = name ] && continue
    file=$dir/files/$name
    case "$name" in
      *.eml) cp "$file" "$work/corpus.eml" ;;
      *) python3 "$here/mail.py" wrap "$file" >"$work/corpus.eml" ;;
    esac
    r=$(send $MX "$work/corpus.eml" tlsrpt@example.test)
    if [[ $r != 250* ]]; then
      note "corpus $name: $r"
      bad=$((bad + 1))
    fi
    [ "$expect" = reject ] && rejects=$((rejects + 1))
  done <"$dir/EXPECTED.tsv"
  verdict corpus-every-file-accepted-by-smtp $bad "$bad files not answered 250"
  python3 - "$dir/EXPECTED.tsv" "$(conninfo "$db_corpus")" >"$work/corpus-compare.log" 2>&1 <<'PY'
import csv, subprocess, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
first = {}   # organization-name|report-id -> (policies, success, failure) of its first accept row
either = set()
for r in rows:
    if r["expect"] == "accept":
        first.setdefault(r["ids"], (int(r["policies"]), int(r["success"]), int(r["failure"])))
    elif r["expect"] == "either":
        either.update(r["ids"].split(";") if r["ids"] else [])
q = """SELECT r.organization_name || '|' || r.report_id,
              (SELECT count(*) FROM tlsrpt.policies p WHERE p.report_pk = r.id),
              (SELECT coalesce(sum(total_successful_session_count), 0) FROM tlsrpt.policies p WHERE p.report_pk = r.id),
              (SELECT coalesce(sum(total_failure_session_count), 0) FROM tlsrpt.policies p WHERE p.report_pk = r.id)
       FROM (SELECT DISTINCT ON (organization_name, report_id) * FROM tlsrpt.reports
             ORDER BY organization_name, report_id, id) r"""
out = subprocess.run(["psql", "-X", "-At", "-F", "\t", "-d", sys.argv[2], "-c", q],
                     check=True, capture_output=True, text=True).stdout
got = {}
for line in out.splitlines():
    k, p, s, f = line.split("\t")
    got[k] = (int(p), int(s), int(f))
extra = set(got) - set(first) - either
missing = set(first) - set(got)
wrong = {k: (got[k], v) for k, v in first.items() if k in got and got[k] != v}
tot = lambda d: tuple(sum(x[i] for x in d.values()) for i in range(3))
print(f"expected {len(first)} distinct reports {tot(first)}; database {len(got)} {tot(got)}")
for k in sorted(missing): print("missing", k)
for k in sorted(extra): print("unexpected", k)
for k, (g, e) in sorted(wrong.items()): print("different", k, "database", g, "expected", e)
sys.exit(1 if missing or extra or wrong else 0)
PY
  verdict corpus-database-totals-match-expected $? "$(cat "$work/corpus-compare.log")"
  [ "$(sql "$db_corpus" "SELECT count(*) FROM tlsrpt.rejected_messages")" -ge "$rejects" ]
  verdict corpus-rejects-quarantined $?
  note "$(head -n 1 "$work/corpus-compare.log")"
}

check_sigterm() {
  local t0=$SECONDS
  stop_milter
  local rc=$?
  [ $rc -eq 0 ] && [ $((SECONDS - t0)) -le 10 ] && grep -q "stopped" "$work/milter.log"
  verdict milter-sigterm-clean-exit $? "rc=$rc after $((SECONDS - t0)) s"
}

# ---------------------------------------------------------------------------------------------
main() {
  note "work directory $work"
  local missing=""
  for f in "$milter_bin" "$ctl"; do [ -x "$f" ] || missing="$missing $f"; done
  for c in postfix postconf miltertest psql python3; do command -v $c >/dev/null || missing="$missing $c"; done
  if [ -n "$missing" ]; then
    fail e2e-setup "missing:$missing"
    return 1
  fi
  local port
  for port in $MX $MILTER $RELAY $DNS $METRICS; do
    if listening "$port"; then
      fail e2e-setup "port $port is already in use"
      return 1
    fi
  done
  if ! pg_isready -q; then
    fail e2e-setup "PostgreSQL not reachable at $PGHOST:$PGPORT"
    return 1
  fi
  check_refusals
  write_milter_conf quarantine "$db"
  if ! start_milter; then
    fail e2e-setup "milter did not start: $(tail -n 5 "$work/milter.log")"
    return 1
  fi
  if ! setup_postfix; then
    fail e2e-setup "postfix did not start: $(tail -n 20 "$maillog" 2>/dev/null)"
    return 1
  fi
  pass e2e-setup
  check_stored_and_discarded
  check_two_recipients
  check_duplicate
  check_plain_untouched
  check_oversize
  check_digest_mail
  check_invalid
  check_require_dkim
  check_dkim
  check_miltertest
  check_milter_down
  check_database_down
  check_metrics
  check_corpus
  check_sigterm
}

main
