#!/usr/bin/env bash
# sendmail.sh: tlsrpt-milter behind a real Sendmail (Debian's 8.17), on loopback, with its own
# PostgreSQL: Sendmail unpacked, not installed, and configured with contrib/sendmail.mc's
# milter line (sendmail_lib.sh). Postfix, if installed, is not touched.
#
# Ports: Sendmail 127.0.0.1:10040, the milter 10041, PostgreSQL 55540. Environment:
# TLSRPT_SOURCE_DIR, TLSRPT_BUILD_DIR (default $TLSRPT_SOURCE_DIR/build), TLSRPT_SHARED_DIR.
# Prints one "PASS name" / "FAIL name: why" per check; the work directory (logs) is kept only
# when a check failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${TLSRPT_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
build=${TLSRPT_BUILD_DIR:-$src/build}
shared=${TLSRPT_SHARED_DIR:-$src/../shared}
[ -d "$shared/corpus" ] || shared=$src/../../shared # a worktree beside the main checkout
milter_bin=$build/src/milter/tlsrpt-milter
ctl=$build/src/tlsrptctl
SMTP=10040 MILTER=10041 PGPORT_SM=55540
cache=/var/cache/tlsrpt-test/sendmail
work=$(mktemp -d /var/tmp/tlsrpt-sendmail.XXXXXX)
chmod 755 "$work"
db="host=127.0.0.1 port=$PGPORT_SM user=postgres dbname=tlsrpt_sendmail"
milter_pid= sendmail_pid=
failures=0
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=sendmail_lib.sh
. "$here/sendmail_lib.sh"

note() { printf -- '-- %s\n' "$*"; }
sql() { psql -X -At -h 127.0.0.1 -p "$PGPORT_SM" -U postgres -d tlsrpt_sendmail -c "$1" 2>>"$work/psql.err"; }

cleanup() {
  set +e
  stop_milter
  sendmail_stop "$work" "$SMTP"
  sendmail_teardown "$work"
  bash "$src/tests/pg.sh" stop "$work/pg" immediate >/dev/null 2>&1
  if [ "$failures" -eq 0 ]; then rm -rf "$work"; else echo "-- logs kept in $work"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

queue_empty() { [ -z "$(ls -A "$work/queue")" ]; }

# ---- the milter -------------------------------------------------------------------------
write_milter_conf() { # ON_INVALID [extra lines...]
  {
    echo "Socket inet:$MILTER@127.0.0.1"
    echo "Database $db"
    echo "ReportAddresses tlsrpt@example.test"
    echo "OnInvalid $1"
    echo "RequireDKIM no"
    echo "DKIMVerify no"
    echo "MaxMessageSize 1M"
    echo "DatabaseTimeout 3"
    echo "ShutdownTimeout 5"
    echo "Syslog no"
    shift
    for l in "$@"; do echo "$l"; done
  } >"$work/milter.conf"
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
  milter_pid=
  wait_for 10 not_listening "$MILTER"
}
restart_milter() { stop_milter && write_milter_conf "$@" && start_milter; }

# send FILE RCPT... [--bare]: the final SMTP reply, CRLF line ends as a real MTA sends them
send() {
  local file=$1 args=() r
  shift
  for r in "$@"; do
    if [ "$r" = --bare ]; then args+=(--bare); else args+=(--to "$r"); fi
  done
  python3 "$here/mail.py" send --port "$SMTP" --crlf "${args[@]}" "$file"
}
queue_id() { sed -n 's/^250 2\.0\.0 \([0-9A-Za-z]*\) Message accepted.*/\1/p' <<<"$1"; }
milter_said() { grep -q "queue_id=$1 outcome=$2 " "$work/milter.log"; }
report() { python3 "$here/mail.py" report --id "$1" >"$work/$1.eml"; echo "$work/$1.eml"; }
stored() { sql "SELECT count(*) FROM tlsrpt.reports WHERE report_id = '$1'"; }
mailbox_has() { [ -f "$work/mail/$1" ] && grep -q "$2" "$work/mail/$1"; }

# ---- set-up -----------------------------------------------------------------------------
PG_FSYNC=off bash "$src/tests/pg.sh" start "$work/pg" "$PGPORT_SM" >"$work/pg.log" 2>&1 &&
  psql -X -q -h 127.0.0.1 -p "$PGPORT_SM" -U postgres -d postgres -c "CREATE DATABASE tlsrpt_sendmail" &&
  "$ctl" db migrate --db "$db" >"$work/migrate.log" 2>&1
verdict sendmail-postgresql-ready $? "$(tail -n 3 "$work/pg.log" "$work/migrate.log")"
sendmail_fetch "$work"
verdict sendmail-packages-unpacked $? "no sendmail in $work/root"
sendmail_configure "$work" "$SMTP" "$MILTER"
verdict sendmail-cf-built-from-contrib-mc $? "$(tail -n 5 "$work/sendmail.log")"
write_milter_conf quarantine && start_milter && sendmail_start "$work" "$SMTP"
verdict sendmail-and-milter-listening $? "$(tail -n 5 "$work/sendmail.log" "$work/milter.log")"
[ "$failures" -eq 0 ] || exit 1

# ---- stored and discarded ---------------------------------------------------------------
r=$(send "$(report sm-stored)" tlsrpt@example.test)
qid=$(queue_id "$r")
wait_for 10 queue_empty
verdict sendmail-report-stored "$([ "$(stored sm-stored)" = 1 ] && [[ $r == 250* ]]; echo $?)" "$r; stored $(stored sm-stored)"
verdict sendmail-report-discarded "$([ ! -e "$work/mail/tlsrpt" ] && queue_empty; echo $?)" "delivered or still queued: $(ls "$work/mail" "$work/queue")"
verdict sendmail-queue-id-macro-in-log "$([ -n "$qid" ] && milter_said "$qid" stored; echo $?)" "Sendmail said '$r'; milter: $(tail -n 1 "$work/milter.log")"

# ---- a report address and a local user: the user still gets it ---------------------------
r=$(send "$(report sm-both)" tlsrpt@example.test alice@example.test)
wait_for 10 mailbox_has alice sm-both
verdict sendmail-report-and-user-user-gets-it "$(mailbox_has alice sm-both && [ "$(stored sm-both)" = 1 ]; echo $?)" "$r; stored $(stored sm-both)"
verdict sendmail-report-address-removed "$([ ! -e "$work/mail/tlsrpt" ]; echo $?)" "tlsrpt got a copy"
# the same with RCPT TO written without angle brackets (Sendmail hands them on as given)
r=$(send "$(report sm-bare)" tlsrpt@example.test alice@example.test --bare)
wait_for 10 mailbox_has alice sm-bare
verdict sendmail-bare-recipients-deleted "$(mailbox_has alice sm-bare && [ ! -e "$work/mail/tlsrpt" ] && [ "$(stored sm-bare)" = 1 ]; echo $?)" "$r; stored $(stored sm-bare); $(ls "$work/mail")"

# ---- ordinary mail, duplicates, oversize --------------------------------------------------
python3 "$here/mail.py" plain --subject "ordinary sm-plain" >"$work/plain.eml"
r=$(send "$work/plain.eml" alice@example.test)
wait_for 10 mailbox_has alice "ordinary sm-plain"
verdict sendmail-ordinary-mail-untouched "$(mailbox_has alice "ordinary sm-plain"; echo $?)" "$r"
r=$(send "$work/sm-stored.eml" tlsrpt@example.test)
verdict sendmail-duplicate-stored-once "$([[ $r == 250* ]] && [ "$(stored sm-stored)" = 1 ]; echo $?)" "$r"
python3 "$here/mail.py" plain --size 2000000 >"$work/big.eml"
r=$(send "$work/big.eml" tlsrpt@example.test)
verdict sendmail-oversize-552 "$([[ $r == 552* ]]; echo $?)" "$r"

# ---- OnInvalid ----------------------------------------------------------------------------
python3 "$here/mail.py" plain --subject "not a report sm-invalid" >"$work/invalid.eml"
r=$(send "$work/invalid.eml" tlsrpt@example.test)
q=$(sql "SELECT count(*) FROM tlsrpt.rejected_messages WHERE subject LIKE '%sm-invalid%'")
verdict sendmail-invalid-quarantined "$([[ $r == 250* ]] && [ "$q" = 1 ] && [ ! -e "$work/mail/tlsrpt" ]; echo $?)" "$r; quarantined $q"
restart_milter reject
r=$(send "$work/invalid.eml" tlsrpt@example.test)
verdict sendmail-invalid-rejected-550 "$([[ $r == 550* ]]; echo $?)" "$r"
restart_milter pass
r=$(send "$work/invalid.eml" tlsrpt@example.test)
wait_for 10 mailbox_has tlsrpt sm-invalid
verdict sendmail-invalid-passed "$(mailbox_has tlsrpt sm-invalid; echo $?)" "$r"
rm -f "$work/mail/tlsrpt"
restart_milter quarantine

# ---- the milter stopped: 4xx (F=T); the database stopped: 451, the retry stored once ------
stop_milter
r=$(send "$(report sm-nomilter)" tlsrpt@example.test)
verdict sendmail-milter-down-4xx "$([[ $r == 4* ]] && [ "$(stored sm-nomilter)" = 0 ]; echo $?)" "$r"
start_milter
bash "$src/tests/pg.sh" stop "$work/pg" fast >/dev/null 2>&1
r=$(send "$(report sm-dbdown)" tlsrpt@example.test)
verdict sendmail-database-down-451 "$([[ $r == 451* ]]; echo $?)" "$r"
PG_FSYNC=off bash "$src/tests/pg.sh" start "$work/pg" "$PGPORT_SM" >>"$work/pg.log" 2>&1
r=$(send "$work/sm-dbdown.eml" tlsrpt@example.test)
r2=$(send "$work/sm-dbdown.eml" tlsrpt@example.test)
verdict sendmail-database-back-retry-stored-once "$([[ $r == 250* && $r2 == 250* ]] && [ "$(stored sm-dbdown)" = 1 ]; echo $?)" "$r / $r2; stored $(stored sm-dbdown)"

# ---- every corpus file as mail --------------------------------------------------------------
if [ -f "$shared/corpus/EXPECTED.tsv" ]; then
  sql "TRUNCATE tlsrpt.reports, tlsrpt.rejected_messages CASCADE" >/dev/null
  bad=0
  while IFS=$'\t' read -r name expect _; do
    [ "$name" = name ] && continue
    f=$shared/corpus/files/$name
    case "$name" in
      *.eml) cp "$f" "$work/corpus.eml" ;;
      *) python3 "$here/mail.py" wrap "$f" >"$work/corpus.eml" ;;
    esac
    r=$(send "$work/corpus.eml" tlsrpt@example.test)
    [[ $r == 250* ]] || { bad=$((bad + 1)); note "corpus $name: $r"; }
  done <"$shared/corpus/EXPECTED.tsv"
  verdict sendmail-corpus-every-file-accepted "$bad" "$bad files not answered 250"
  python3 "$src/tests/corpus_compare.py" "$shared/corpus/EXPECTED.tsv" "$db" >"$work/compare.log" 2>&1
  verdict sendmail-corpus-totals-match-expected $? "$(cat "$work/compare.log")"
  note "$(head -n 1 "$work/compare.log")"
else
  echo "SKIP sendmail-corpus: no corpus in $shared"
fi
wait_for 20 queue_empty
verdict sendmail-queue-empty-at-the-end "$(queue_empty; echo $?)" "$(ls "$work/queue")"
