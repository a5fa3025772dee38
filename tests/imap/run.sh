#!/usr/bin/env bash
# run.sh: `tlsrptctl import imaps://` against a real Dovecot (dovecot-imapd) on loopback and a
# private PostgreSQL, both started and stopped here. Dovecot runs from its own configuration
# (private base_dir, passwd-file user "tlsrpt", Maildir under the work directory, a
# self-signed certificate made with openssl) on 127.0.0.1:10143 (imap, STARTTLS) and
# 127.0.0.1:10993 (imaps); PostgreSQL on 127.0.0.1:55510. The mailbox is filled by writing
# Maildir files: every corpus file (.eml as is, the others wrapped by tests/e2e/mail.py) and
# junk (ordinary mail, an oversize message), each tagged X-Test-Name so the checks can see
# which folder every message ended in.
#
# Environment: TLSRPT_SOURCE_DIR, TLSRPT_BUILD_DIR (default $TLSRPT_SOURCE_DIR/build),
# TLSRPT_SHARED_DIR (corpus). Needs root (Dovecot drops to its own users). Prints one
# "PASS name" / "FAIL name: why" / "SKIP name: why" per check; cleans up even on failure and
# keeps its work directory only when a check failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${TLSRPT_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
build=${TLSRPT_BUILD_DIR:-$src/build}
shared=${TLSRPT_SHARED_DIR:-$src/../shared}
[ -d "$shared/corpus" ] || shared=$src/../../shared # a worktree beside the main checkout
ctl=$build/src/tlsrptctl
mail_py=$src/tests/e2e/mail.py
IMAP=10143 IMAPS=10993 PGPORT_IMAP=55510
work=$(mktemp -d /var/tmp/tlsrpt-imap.XXXXXX)
chmod 755 "$work" # the postgres and dovecot users reach their parts
pgdir=$work/pg
export PGHOST=127.0.0.1 PGPORT=$PGPORT_IMAP PGUSER=postgres
db="host=127.0.0.1 port=$PGPORT_IMAP user=postgres dbname=tlsrpt_imap"
maildir=$work/mail/tlsrpt/Maildir
url=imaps://tlsrpt@127.0.0.1:$IMAPS/INBOX
# no DKIM key lookups leave the machine: the corpus signatures are checked against nothing
no_dns=(--resolver 127.0.0.1:9 --timeout 1)
failures=0
bg_pids=()

note() { printf -- '-- %s\n' "$*"; }
pass() { echo "PASS $1"; }
fail() {
  echo "FAIL $1${2:+: $2}"
  failures=$((failures + 1))
}
verdict() { if [ "$2" -eq 0 ]; then pass "$1"; else fail "$1" "${3:-}"; fi; }
sql() { psql -X -At -v ON_ERROR_STOP=1 -d tlsrpt_imap -c "$1" 2>>"$work/psql.err"; }
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

cleanup() {
  set +e
  local p
  for p in "${bg_pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  [ -f "$work/run/master.pid" ] && kill "$(cat "$work/run/master.pid")" 2>/dev/null
  wait_for 10 not_listening $IMAPS
  bash "$src/tests/pg.sh" stop "$pgdir" immediate 2>/dev/null
  if [ "$failures" -eq 0 ]; then rm -rf "$work"; else echo "-- logs kept in $work"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM
listening() { ss -ltn "sport = :$1" 2>/dev/null | grep -q LISTEN; }
not_listening() { ! listening "$1"; }

# ---- Dovecot ----------------------------------------------------------------------------
dovecot_start() {
  local uid gid
  uid=$(id -u dovecot) gid=$(id -g dovecot) || return 1
  mkdir -p "$work/run" "$work/state" "$maildir"/{cur,new,tmp}
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" \
    -days 2 -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    >/dev/null 2>&1 || return 1
  # another CA's certificate: a wrong --ca-file
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/other-key.pem" \
    -out "$work/other.pem" -days 2 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" >/dev/null 2>&1 || return 1
  echo "tlsrpt:{PLAIN}s3cret-imap:$uid:$gid::$work/mail/tlsrpt" >"$work/passwd"
  cat >"$work/dovecot.conf" <<EOF
# written by tests/imap/run.sh
base_dir = $work/run
state_dir = $work/state
instance_name = tlsrpt-imap-test
log_path = $work/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <$work/cert.pem
ssl_key = <$work/key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login
first_valid_uid = $uid
default_login_user = dovenull
default_internal_user = dovecot
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $work/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u $work/passwd
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS
    ssl = yes
  }
}
service anvil {
  chroot =
}
EOF
  chown -R "$uid:$gid" "$work/mail"
  chmod 755 "$work"
  dovecot -c "$work/dovecot.conf" || return 1
  wait_for 15 listening $IMAPS && wait_for 5 listening $IMAP
}

# deliver NAME < message: a new Maildir message (tmp/ then rename, as an MDA does)
deliver() {
  local f
  f="$(date +%s.%N).P$BASHPID.R$RANDOM.test" # unique, also when called in a pipeline
  { printf 'X-Test-Name: %s\r\n' "$1"; cat; } >"$maildir/tmp/$f"
  chown dovecot:dovecot "$maildir/tmp/$f"
  mv "$maildir/tmp/$f" "$maildir/new/$f"
}
# count FOLDER: messages in a folder ("" = INBOX, else the Maildir++ name, e.g. tlsrpt.processed)
count() {
  local d=$maildir${1:+/.$1}
  find "$d/cur" "$d/new" -type f 2>/dev/null | wc -l
}
# names FOLDER: the X-Test-Name of every message in it, sorted
names() {
  local d=$maildir${1:+/.$1}
  find "$d/cur" "$d/new" -type f -exec sed -s -n '1s/^X-Test-Name: \(.*\)\r$/\1/p' {} + 2>/dev/null | sort
}
import() { "$ctl" import --db "$db" --password-file "$work/pw" --ca-file "$work/cert.pem" "${no_dns[@]}" "$@"; }
# import_bg OUT ERR ARGS...: tlsrptctl itself in the background, its pid in $imp (through the
# import function, a signal would hit the subshell and leave the importer running)
import_bg() {
  local out=$1 err=$2
  shift 2
  "$ctl" import --db "$db" --password-file "$work/pw" --ca-file "$work/cert.pem" "${no_dns[@]}" \
    "$@" >"$out" 2>"$err" &
  imp=$!
  bg_pids+=("$imp")
}

# ---- checks -----------------------------------------------------------------------------
check_corpus() {
  local dir=$shared/corpus name expect file
  if [ ! -f "$dir/EXPECTED.tsv" ]; then
    echo "SKIP imap-corpus-one-shot: no corpus at $dir"
    return
  fi
  : >"$work/expect-processed"
  : >"$work/expect-rejected"
  while IFS=$'\t' read -r name expect _; do
    [ "$name" = name ] && continue
    file=$dir/files/$name
    case "$name" in
      *.eml) deliver "$name" <"$file" ;;
      *) python3 "$mail_py" wrap "$file" | deliver "$name" ;;
    esac
    case "$expect" in
      accept) echo "$name" >>"$work/expect-processed" ;;
      reject) echo "$name" >>"$work/expect-rejected" ;;
    esac
  done <"$dir/EXPECTED.tsv"
  python3 "$mail_py" plain --subject "Lunch?" | deliver junk-plain
  printf 'From: x@y.example\r\nSubject: empty\r\n\r\n' | deliver junk-empty
  python3 "$mail_py" plain --subject big --size 17000000 | deliver junk-oversize
  printf '%s\n' junk-plain junk-empty junk-oversize >>"$work/expect-rejected"
  local total
  total=$(count)
  import "$url" >"$work/one.out" 2>"$work/one.err"
  local rc=$?
  # exit 1: the oversize junk message is refused (too large to read or quarantine), as a
  # refused file is; the summary names every outcome
  [ $rc -eq 1 ] && grep -q "^stored [0-9]*, duplicates .*, refused 1, .*; messages $total: " "$work/one.out" &&
    grep -q "refused: RFC822.SIZE .* is over max_message_size" "$work/one.err"
  verdict imap-one-shot-exit-status-and-summary $? "rc=$rc $(cat "$work/one.out") $(tail -n 3 "$work/one.err")"
  python3 "$src/tests/corpus_compare.py" "$dir/EXPECTED.tsv" "$db" >"$work/compare.log" 2>&1
  verdict imap-one-shot-database-totals-match-expected $? "$(cat "$work/compare.log")"
  note "$(head -n 1 "$work/compare.log")"
  [ "$(count)" -eq 0 ]
  verdict imap-one-shot-inbox-empty $? "$(count) messages left"
  names tlsrpt.processed >"$work/got-processed"
  names tlsrpt.rejected >"$work/got-rejected"
  local miss
  miss=$(comm -23 <(sort "$work/expect-processed") "$work/got-processed")
  [ -z "$miss" ]
  verdict imap-accepted-moved-to-processed $? "not in tlsrpt/processed: $miss"
  miss=$(comm -23 <(sort "$work/expect-rejected") "$work/got-rejected")
  [ -z "$miss" ]
  verdict imap-rejects-and-junk-moved-to-rejected $? "not in tlsrpt/rejected: $miss"
  [ "$(($(count tlsrpt.processed) + $(count tlsrpt.rejected)))" -eq "$total" ]
  verdict imap-every-message-in-one-folder $? "processed $(count tlsrpt.processed) rejected $(count tlsrpt.rejected) of $total"
  # quarantined in the database as the milter does (the oversize one is refused unread)
  local q
  q=$(sql "SELECT count(*) FROM tlsrpt.rejected_messages WHERE source = 'imap'")
  [ "$q" -eq $(($(count tlsrpt.rejected) - 1)) ] && grep -q "junk-oversize\|RFC822.SIZE 1700" "$work/one.err"
  verdict imap-rejected-quarantined-in-database $? "quarantined $q, in tlsrpt/rejected $(count tlsrpt.rejected)"
  [ "$(sql "SELECT count(*) FROM tlsrpt.reports WHERE source <> 'imap'")" = 0 ]
  verdict imap-reports-have-source-imap $?
  import "$url" >"$work/two.out" 2>&1
  rc=$?
  [ $rc -eq 0 ] && grep -q "^stored 0, duplicates 0, .*; messages 0: " "$work/two.out"
  verdict imap-second-run-finds-nothing $? "rc=$rc $(cat "$work/two.out")"
}

# N report mails with ids PREFIX-1..N into INBOX
deliver_reports() {
  local i
  for i in $(seq 1 "$2"); do
    python3 "$mail_py" report --id "$1-$i" --org "IMAP Test" --contact "tls@imap-test.example" |
      deliver "$1-$i"
  done
}
# hold_key ID: a transaction holding report ID's key until release_key (its psql in $holder)
hold_key() {
  # the key includes the report day (009_partitioning.sql): mail.py's day, its partition made first
  { printf "SELECT tlsrpt.ensure_partition('2026-03-01');\nBEGIN;\nINSERT INTO tlsrpt.reports (reporter, report_id, start_datetime, end_datetime, source, content_hash, day) VALUES ('imap-test.example', '%s', '2026-03-01', '2026-03-01', 'file', 'x', '2026-03-01');\nSELECT pg_sleep(300);\n" "$1"; } |
    psql -X -q -d tlsrpt_imap >/dev/null 2>&1 &
  holder=$!
  bg_pids+=("$holder")
  # holding the key (in pg_sleep) before anything else starts: a lock wait seen earlier would
  # be the import behind the holder's ensure_partition, not behind the key
  wait_for 15 key_held
}
key_held() {
  [ "$(psql -X -At -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(300)%' AND state = 'active' AND pid <> pg_backend_pid()" 2>/dev/null)" -ge 1 ]
}
# release_key: the holding transaction ends (its backend terminated: a killed psql would leave
# it sleeping with the lock until pg_sleep ends)
release_key() {
  psql -X -q -d postgres -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(300)%' AND pid <> pg_backend_pid()" >/dev/null 2>&1
  kill "$holder" 2>/dev/null
  wait "$holder" 2>/dev/null
}
# waiting_on_lock: some backend is waiting for another's transaction (the import, on the held
# key)
waiting_on_lock() {
  [ "$(psql -X -At -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'transactionid'" 2>/dev/null)" -ge 1 ]
}
stored_ids() { sql "SELECT count(*) FROM tlsrpt.reports WHERE report_id LIKE '$1-%'"; }

# The database stopped while a message is being stored: the ones before it are stored and
# moved, it and the rest stay in INBOX; the next run stores them, each once.
check_database_down() {
  deliver_reports dbdown 30
  hold_key dbdown-10
  import_bg "$work/down.out" "$work/down.err" "$url"
  wait_for 30 waiting_on_lock
  local waited=$?
  bash "$src/tests/pg.sh" stop "$pgdir" immediate
  wait "$imp"
  local rc=$?
  [ $waited -eq 0 ] && [ $rc -eq 75 ] && [ "$(count)" -eq 21 ] &&
    [ "$(names tlsrpt.processed | grep -c '^dbdown-')" -eq 9 ]
  verdict imap-database-down-leaves-unstored-in-inbox $? "rc=$rc inbox=$(count) $(tail -n 2 "$work/down.err")"
  PG_FSYNC=off bash "$src/tests/pg.sh" start "$pgdir" $PGPORT_IMAP
  import "$url" >"$work/down2.out" 2>&1
  rc=$?
  [ $rc -eq 0 ] && [ "$(count)" -eq 0 ] && [ "$(stored_ids dbdown)" -eq 30 ] &&
    [ "$(names tlsrpt.processed | grep -c '^dbdown-')" -eq 30 ]
  verdict imap-database-back-next-run-stores-the-rest $? "rc=$rc inbox=$(count) stored=$(stored_ids dbdown) $(cat "$work/down2.out")"
}

# Killed (SIGKILL) while a message is being stored, then run again: every report once, every
# message moved once, none moved before its report was stored.
check_killed() {
  deliver_reports kill 40
  hold_key kill-25
  import_bg "$work/kill.out" "$work/kill.err" "$url"
  wait_for 30 waiting_on_lock
  kill -9 "$imp"
  wait "$imp" 2>/dev/null
  release_key
  local moved stored_of_moved
  moved=$(names tlsrpt.processed | grep '^kill-' | sed "s/.*/'&'/" | paste -sd,)
  stored_of_moved=$(sql "SELECT count(*) FROM tlsrpt.reports WHERE report_id IN (${moved:-''})")
  [ "$(names tlsrpt.processed | grep -c '^kill-')" -eq 24 ] && [ "$stored_of_moved" -eq 24 ]
  verdict imap-killed-nothing-moved-unstored $? "moved $(names tlsrpt.processed | grep -c '^kill-'), of them stored $stored_of_moved"
  import "$url" >"$work/kill2.out" 2>&1
  local rc=$?
  [ $rc -eq 0 ] && [ "$(stored_ids kill)" -eq 40 ] && [ "$(count)" -eq 0 ] &&
    [ "$(names tlsrpt.processed | grep -c '^kill-')" -eq 40 ] &&
    [ -z "$(names tlsrpt.processed | grep '^kill-' | sort | uniq -d)" ]
  verdict imap-killed-restart-stores-each-once $? "rc=$rc stored=$(stored_ids kill) inbox=$(count) $(cat "$work/kill2.out")"
}

check_refusals() {
  deliver_reports refuse 1
  cp "$work/pw" "$work/pw-open" && chmod 644 "$work/pw-open"
  "$ctl" import --db "$db" --password-file "$work/pw-open" --ca-file "$work/cert.pem" "$url" \
    >"$work/r1.out" 2>&1
  local rc=$?
  [ $rc -eq 2 ] && grep -q "mode 0644" "$work/r1.out" && [ "$(count)" -eq 1 ]
  verdict imap-password-file-0644-refused $? "rc=$rc $(cat "$work/r1.out")"
  import "$url" --ca-file "$work/other.pem" >"$work/r2.out" 2>&1
  rc=$?
  [ $rc -eq 1 ] && grep -qi "certificate" "$work/r2.out" && [ "$(count)" -eq 1 ]
  verdict imap-wrong-certificate-refused $? "rc=$rc $(cat "$work/r2.out")"
  "$ctl" import --db "$db" --password-file "$work/pw" "${no_dns[@]}" "$url" >"$work/r3.out" 2>&1
  rc=$?
  [ $rc -eq 1 ] && grep -qi "certificate" "$work/r3.out" && [ "$(count)" -eq 1 ]
  verdict imap-self-signed-refused-without-ca-file $? "rc=$rc $(cat "$work/r3.out")"
  "$ctl" import --db "$db" "imaps://tlsrpt:pw@127.0.0.1:$IMAPS/INBOX" >"$work/r4.out" 2>&1
  rc=$?
  [ $rc -eq 2 ] && grep -q "never on the command line" "$work/r4.out"
  verdict imap-password-in-url-refused $? "rc=$rc $(cat "$work/r4.out")"
  import --move-to inbox "$url" >"$work/r5.out" 2>&1 # INBOX is case-insensitive
  rc=$?
  [ $rc -eq 2 ] && grep -q "not the mailbox read" "$work/r5.out"
  verdict imap-move-to-the-mailbox-itself-refused $? "rc=$rc $(cat "$work/r5.out")"
  echo wrong >"$work/pw-wrong" && chmod 600 "$work/pw-wrong"
  import --password-file "$work/pw-wrong" "$url" >"$work/r5.out" 2>&1
  rc=$?
  [ $rc -eq 1 ] && grep -q "AUTHENTICATIONFAILED" "$work/r5.out" && [ "$(count)" -eq 1 ]
  verdict imap-wrong-password-refused $? "rc=$rc $(cat "$work/r5.out")"
  # STARTTLS on imap://, the password from the environment
  TLSRPT_IMAP_PASSWORD=$(cat "$work/pw") "$ctl" import --db "$db" --ca-file "$work/cert.pem" \
    "${no_dns[@]}" "imap://tlsrpt@127.0.0.1:$IMAP/INBOX" >"$work/r6.out" 2>&1
  rc=$?
  [ $rc -eq 0 ] && [ "$(count)" -eq 0 ] && [ "$(stored_ids refuse)" -eq 1 ]
  verdict imap-starttls-with-password-from-environment $? "rc=$rc $(cat "$work/r6.out")"
  # ~/.netrc (mode 0600) for the same
  deliver_reports netrc 1
  mkdir -p "$work/home" && printf 'machine 127.0.0.1 login tlsrpt password %s\n' "$(cat "$work/pw")" >"$work/home/.netrc"
  chmod 600 "$work/home/.netrc"
  HOME=$work/home "$ctl" import --db "$db" --ca-file "$work/cert.pem" "${no_dns[@]}" "$url" >"$work/r7.out" 2>&1
  rc=$?
  [ $rc -eq 0 ] && [ "$(stored_ids netrc)" -eq 1 ]
  verdict imap-password-from-netrc $? "rc=$rc $(cat "$work/r7.out")"
}

# --require-dkim: unsigned reports are quarantined; a signed one whose key cannot be looked up
# now stays in INBOX for the next run.
check_require_dkim() {
  local signed=$shared/corpus/files/mjl-__mox__testdata__tlsreports__example.eml
  if [ ! -f "$signed" ]; then
    echo "SKIP imap-require-dkim: no corpus"
    return
  fi
  deliver_reports unsigned 1
  deliver signed-dns-down <"$signed"
  import --require-dkim "$url" >"$work/dk.out" 2>"$work/dk.err"
  local rc=$?
  [ $rc -eq 75 ] && [ "$(names | tr '\n' ' ')" = "signed-dns-down " ] &&
    names tlsrpt.rejected | grep -q '^unsigned-1$'
  verdict imap-require-dkim-unsigned-quarantined-dns-failure-left $? "rc=$rc inbox=$(names | tr '\n' ' ') $(cat "$work/dk.out" "$work/dk.err")"
  find "$maildir/cur" "$maildir/new" -type f -delete
}

# --watch picks up a message delivered after it started, and SIGTERM ends it.
# A mailbox of 25,000 messages: the listing comes in bounded pieces (one UID SEARCH answer would
# be over libcurl's 300 KiB cap), and --max-messages takes the oldest few of a large backlog.
check_big_mailbox() {
  local big=$maildir/.Big
  mkdir -p "$big"/{cur,new,tmp}
  python3 - "$big/cur" <<'PY'
import sys
for i in range(25000):
    with open(f"{sys.argv[1]}/1700000000.{i}.test:2,S", "w") as f:
        f.write(f"X-Test-Name: big-{i}\r\nFrom: a@b.example\r\nSubject: backlog {i}\r\n\r\nnot a report\r\n")
PY
  chown -R dovecot:dovecot "$big"
  import --max-messages 3 "imaps://tlsrpt@127.0.0.1:$IMAPS/Big" >"$work/big.out" 2>"$work/big.err"
  local rc=$?
  [ $rc -le 1 ] && grep -q "; messages 3: " "$work/big.out" && [ "$(count Big)" -eq 24997 ]
  verdict imap-25000-messages-listed-max-messages-3 $? "rc=$rc left $(count Big) $(cat "$work/big.out") $(tail -n 2 "$work/big.err")"
}

check_watch() {
  import_bg "$work/watch.out" "$work/watch.err" --watch --interval 1s "$url"
  local w=$imp
  sleep 3
  deliver_reports watch 1
  wait_for 30 eval '[ "$(stored_ids watch)" = 1 ] && names tlsrpt.processed | grep -q "^watch-1$"'
  local picked=$?
  kill -TERM "$w"
  local rc=0
  wait_for 15 eval '! kill -0 '"$w"' 2>/dev/null' || rc=1
  wait "$w" || rc=1 # SIGTERM ends --watch with status 0
  [ $picked -eq 0 ] && [ $rc -eq 0 ] && grep -q "UID [0-9]*: stored, moved to tlsrpt/processed" "$work/watch.err"
  verdict imap-watch-picks-up-later-message $? "picked=$picked $(tail -n 3 "$work/watch.err")"
}

# ---- main -------------------------------------------------------------------------------
if [ ! -x "$ctl" ]; then
  fail imap-setup "no $ctl (build first)"
  exit 1
fi
if ! command -v dovecot >/dev/null; then
  fail imap-setup "dovecot not installed (tests/setup_deps.sh installs dovecot-imapd)"
  exit 1
fi
PG_FSYNC=off bash "$src/tests/pg.sh" start "$pgdir" $PGPORT_IMAP &&
  psql -X -q -d postgres -c "CREATE DATABASE tlsrpt_imap" &&
  "$ctl" db migrate --db "$db" >"$work/migrate.log" 2>&1
verdict imap-postgresql-starts $?
dovecot_start
verdict imap-dovecot-starts $? "$(tail -n 5 "$work/dovecot.log" 2>/dev/null)"
[ "$failures" -eq 0 ] || exit 1
printf 's3cret-imap\n' >"$work/pw" && chmod 600 "$work/pw"

check_corpus
check_database_down
check_killed
check_refusals
check_require_dkim
check_big_mailbox
check_watch
[ "$failures" -eq 0 ]
