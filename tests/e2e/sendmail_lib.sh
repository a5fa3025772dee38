# shellcheck shell=bash
# sendmail_lib.sh: a loopback Sendmail (Debian's 8.17) without installing it, for
# tests/e2e/sendmail.sh and `contrib/demo.sh --mta sendmail`. Source it after lib.sh (it uses
# wait_for and listening); it defines functions only.
#
# sendmail-bin, sendmail-base and sendmail-cf are fetched with `apt-get download` (cached in
# /var/cache/tlsrpt-test/sendmail) and unpacked with `dpkg-deb -x` into DIR/root: Postfix, if
# installed, is not touched (the packages conflict, their files need not). sendmail.cf is built
# with m4 and the shipped cf macros from tests/e2e/sendmail-test.mc, whose milter line is
# contrib/sendmail.mc's own (the tested snippet), on the caller's port. Sendmail wants a fully
# qualified name for its host and sleeps until it has one: it runs in a private UTS namespace
# (unshare --uts) named mx.example.test, so the machine's name is not changed. Local mail goes
# to a test mailer writing DIR/mail/USER; the local users tlsrpt and alice are added when
# missing (recorded in DIR/users.added, removed by sendmail_teardown).

sendmail_cache=/var/cache/tlsrpt-test/sendmail
sendmail_pid=

# sendmail_in_namespace CMD...: CMD with the host named mx.example.test.
sendmail_in_namespace() {
  unshare --uts /bin/sh -c 'hostname mx.example.test && exec "$@"' sh "$@"
}

# sendmail_fetch DIR: the three packages unpacked into DIR/root (downloaded once a machine).
sendmail_fetch() {
  mkdir -p "$sendmail_cache" "$1/root"
  if ! ls "$sendmail_cache"/sendmail-bin_*.deb >/dev/null 2>&1; then
    (cd "$sendmail_cache" && apt-get download sendmail-bin sendmail-base sendmail-cf) \
      >"$1/download.log" 2>&1 || { cat "$1/download.log"; return 1; }
  fi
  local d
  for d in "$sendmail_cache"/sendmail-{bin,base,cf}_*.deb; do dpkg-deb -x "$d" "$1/root" || return 1; done
  [ -x "$1/root/usr/libexec/sendmail/sendmail" ]
}

# sendmail_configure DIR SMTP_PORT MILTER_PORT: DIR/sendmail.cf, the mailer, aliases, users.
sendmail_configure() {
  local dir=$1 smtp=$2 milter=$3 src u filter
  src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  mkdir -p "$dir/queue" "$dir/mail" && chmod 700 "$dir/queue" && chmod 1777 "$dir/mail"
  filter=$(grep '^INPUT_MAIL_FILTER(`tlsrpt' "$src/contrib/sendmail.mc" |
    sed "s/inet:10026@127.0.0.1/inet:$milter@127.0.0.1/")
  [ -n "$filter" ] || { echo "no INPUT_MAIL_FILTER line in contrib/sendmail.mc"; return 1; }
  sed "s|@WORK@|$dir|g; s|@SMTP@|$smtp|g" "$src/tests/e2e/sendmail-test.mc" |
    awk -v f="$filter" '$0 == "@MILTER_LINE@" { print f; next } { print }' >"$dir/sendmail.mc"
  m4 -D_CF_DIR_="$dir/root/usr/share/sendmail/cf/" "$dir/root/usr/share/sendmail/cf/m4/cf.m4" \
    "$dir/sendmail.mc" >"$dir/sendmail.cf" 2>"$dir/m4.err" || { cat "$dir/m4.err"; return 1; }
  printf '#!/bin/sh\n# the test mailer: the message appended to %s/mail/USER (the last argument)\nfor user; do :; done\ncat >>"%s/mail/$user"\n' \
    "$dir" "$dir" >"$dir/deliver.sh"
  chmod 755 "$dir/deliver.sh"
  : >"$dir/aliases"
  cp "$dir/root/etc/mail/helpfile" "$dir/helpfile" 2>/dev/null || : >"$dir/helpfile"
  for u in tlsrpt alice; do
    id -u "$u" >/dev/null 2>&1 && continue
    useradd -M -d /nonexistent -s /usr/sbin/nologin "$u" && echo "$u" >>"$dir/users.added"
  done
  sendmail_in_namespace "$dir/root/usr/libexec/sendmail/sendmail" -bi -C "$dir/sendmail.cf" \
    >>"$dir/sendmail.log" 2>&1
}

# sendmail_start DIR SMTP_PORT: the daemon (-bD, in the foreground of a background job).
sendmail_start() {
  if listening "$2"; then
    echo "port $2 is taken: $(ss -ltnp "sport = :$2" | tail -n 1)" >>"$1/sendmail.log"
    return 1
  fi
  sendmail_in_namespace "$1/root/usr/libexec/sendmail/sendmail" -bD -C "$1/sendmail.cf" \
    >>"$1/sendmail.log" 2>&1 &
  sendmail_pid=$!
  echo "$sendmail_pid" >"$1/sendmail.job"
  wait_for 20 listening "$2"
}

# sendmail_stop DIR SMTP_PORT: Sendmail renames itself (pkill -f misses it): by pid and pid file.
sendmail_stop() {
  local pids
  pids="$(cat "$1/sendmail.job" 2>/dev/null) $(head -n 1 "$1/sendmail.pid" 2>/dev/null)"
  # shellcheck disable=SC2086
  [ -n "${pids// /}" ] && kill $pids 2>/dev/null
  [ -n "$sendmail_pid" ] && wait "$sendmail_pid" 2>/dev/null
  sendmail_pid=
  rm -f "$1/sendmail.job"
  wait_for 10 not_listening "$2"
}

# sendmail_teardown DIR: the users sendmail_configure added are removed.
sendmail_teardown() {
  local u
  [ -f "$1/users.added" ] || return 0
  while read -r u; do userdel "$u" 2>/dev/null; done <"$1/users.added"
  rm -f "$1/users.added"
}
