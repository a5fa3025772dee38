# shellcheck shell=bash
# lib.sh: shell helpers shared by tests/e2e/run.sh, tests/load_smtp.sh and contrib/demo.sh:
# PASS/FAIL lines, bounded waits, and a loopback Postfix set up per the verified recipe
# (../shared/notes/loopback-postfix-postgres.md). Source it; it defines functions only.
#
# Postfix layout (postfix_setup MILTER_PORT WORKDIR [master.cf entries...]):
#   127.0.0.1:10025  the receiving MX; smtpd_milters = inet:127.0.0.1:MILTER_PORT
#   extra entries    whatever the caller adds with postconf -Me syntax
# Local users tlsrpt and alice receive mail in /var/mail. The previous /etc/postfix/main.cf and
# master.cf are saved in WORKDIR and put back by postfix_teardown. This takes the machine's
# Postfix over: the queue is emptied first. For test and demo machines only.

# pass NAME / fail NAME [WHY] / verdict NAME STATUS [WHY]: one "PASS name" or "FAIL name: why"
# line per check; fail counts into the caller's `failures` (set it to 0 first).
pass() { echo "PASS $1"; }
fail() {
  echo "FAIL $1${2:+: $2}"
  failures=$((failures + 1))
}
verdict() { if [ "$2" -eq 0 ]; then pass "$1"; else fail "$1" "${3:-}"; fi; }

# wait_for SECONDS CMD...: polls CMD every 0.2 s until it succeeds; 1 on timeout.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}
# listening PORT: something listens on 127.0.0.1:PORT (ss, else a connection attempt).
listening() {
  if command -v ss >/dev/null; then
    ss -ltn "sport = :$1" 2>/dev/null | grep -q LISTEN
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}
not_listening() { ! listening "$1"; }

postfix_main_cf() { # MILTER_PORT MAILLOG
  cat <<EOF
# written by tlsrpt-milter's test/demo scripts; the original is restored when they end
compatibility_level = 3.6
myhostname = mx.example.test
mydomain = example.test
myorigin = \$myhostname
mydestination = example.test, \$myhostname, localhost
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost =
alias_maps =
alias_database =
local_recipient_maps = proxy:unix:passwd.byname
recipient_delimiter = +
biff = no
smtpd_milters = inet:127.0.0.1:$1
non_smtpd_milters =
milter_default_action = tempfail
milter_protocol = 6
message_size_limit = 20480000
# Messages the milter discards never reach the queue manager, so they give back no flow
# control tokens; with the default in_flow_delay (1s) smtpd would then pause before every
# later message of a busy report stream.
in_flow_delay = 0
maillog_file = $2
EOF
}

# postfix_setup MILTER_PORT WORKDIR MAILLOG [ENTRY...]: configures and starts Postfix.
postfix_setup() {
  local milter_port=$1 workdir=$2 maillog=$3 u e
  shift 3
  for u in tlsrpt alice; do # users added here are recorded, and removed by postfix_teardown
    id -u "$u" >/dev/null 2>&1 && continue
    useradd -M -d /nonexistent -s /usr/sbin/nologin "$u" || return 1
    echo "$u" >>"$workdir/users.added"
  done
  postfix stop >/dev/null 2>&1 && wait_for 15 not_listening 10025
  if [ ! -f "$workdir/master.cf.orig" ]; then # a re-run keeps the first saved copy
    [ -f /etc/postfix/main.cf ] && cp -p /etc/postfix/main.cf "$workdir/main.cf.orig"
    cp -p /etc/postfix/master.cf "$workdir/master.cf.orig"
  fi
  postfix_main_cf "$milter_port" "$maillog" >/etc/postfix/main.cf
  [ -f /usr/share/postfix/master.cf.dist ] && cp /usr/share/postfix/master.cf.dist /etc/postfix/master.cf
  postconf -F '*/*/chroot = n'
  postconf -M# smtp/inet 2>/dev/null
  postconf -Me "127.0.0.1:10025/inet = 127.0.0.1:10025 inet n - n - - smtpd"
  for e in "$@"; do postconf -Me "$e"; done
  rm -f /var/mail/tlsrpt /var/mail/alice
  postsuper -d ALL >/dev/null 2>&1 # mail left queued by an earlier run would be counted
  : >"$maillog"
  postfix check >"$workdir/postfix-check.log" 2>&1 || { cat "$workdir/postfix-check.log"; return 1; }
  postfix start >/dev/null 2>&1 || { tail -n 20 "$maillog"; return 1; }
  wait_for 15 listening 10025
}

# postfix_teardown WORKDIR: stops Postfix and puts the saved configuration back.
postfix_teardown() {
  local u
  if [ -f "$1/users.added" ]; then
    while read -r u; do userdel "$u" 2>/dev/null; rm -f "/var/mail/$u"; done <"$1/users.added"
    rm -f "$1/users.added"
  fi
  [ -f "$1/master.cf.orig" ] || return 0 # postfix_setup did not get as far as changing anything
  postfix stop >/dev/null 2>&1
  wait_for 15 not_listening 10025
  if [ -f "$1/main.cf.orig" ]; then cp -p "$1/main.cf.orig" /etc/postfix/main.cf; else rm -f /etc/postfix/main.cf; fi
  cp -p "$1/master.cf.orig" /etc/postfix/master.cf
}

# ---- a local DNS server for the DKIM tests (tests/dkim) ----
# dns_start PORT CONF PIDFILE LOG: runs dnsmasq on 127.0.0.1:PORT (UDP and TCP) in the
# background serving only CONF (a dkimtool.py dns-conf file): no /etc/dnsmasq.conf,
# /etc/resolv.conf or /etc/hosts, no upstream servers, and it stays root (no dnsmasq user
# needed). Queries and start-up errors go to LOG. Waits until it answers; 1 if it does not.
dns_start() {
  local port=$1 conf=$2 pidfile=$3 log=$4
  /usr/sbin/dnsmasq --keep-in-foreground --conf-file="$conf" --port="$port" \
    --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts \
    --user=root --group=root --pid-file="$pidfile" \
    --log-queries --log-facility="$log" </dev/null >>"$log" 2>&1 &
  wait_for 10 dns_answers "$port" || { tail -n 5 "$log" >&2; return 1; }
}
# dns_answers PORT: a DNS server on 127.0.0.1:PORT replies to a UDP query (any rcode).
dns_answers() {
  /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/../dkim/dkimtool.py" query "$1" probe.invalid \
    >/dev/null 2>&1
}
# dns_stop PIDFILE: stops the dnsmasq dns_start left in PIDFILE and waits until it is gone
# and its UDP port is free. Nothing to do when PIDFILE is missing (dnsmasq removes it on exit).
dns_stop() {
  local pid port
  pid=$(cat "$1" 2>/dev/null) || return 0
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dnsmasq ] || { rm -f "$1"; return 0; }
  port=$(tr '\0' '\n' <"/proc/$pid/cmdline" | sed -n 's/^--port=//p')
  kill "$pid"
  wait_for 10 not_running "$pid" && wait_for 10 udp_free "$port"
}
not_running() { ! kill -0 "$1" 2>/dev/null; }
# udp_free PORT: nothing is bound to UDP port PORT (always true without ss).
udp_free() { ! command -v ss >/dev/null || ! ss -lun "sport = :$1" | grep -q ":$1 "; }

# ---- the report-intake setup (contrib/postfix-split.cf) ----
# split_entries CONTRIB_FILE INTAKE_PORT SOCKET RCPT: the master.cf services of the file's
# commented master.cf part, one postconf -Me argument per line (name/type = whole line), with
# the intake port, the milter socket (Postfix's form) and the report address put in.
split_entries() {
  local file=$1 port=$2 socket=$3 rcpt=$4
  sed -n '/^# ---- master.cf/,$p' "$file" | sed -n 's/^#\([^ #].*\)$/\1/p; s/^#\(  -o .*\)$/\1/p' |
    sed -e "s|127\.0\.0\.1:10027|127.0.0.1:$port|g" -e "s|unix:/run/tlsrpt-milter/tlsrpt-milter.sock|$socket|" \
      -e "s|tlsrpt@example\.com|$rcpt|g" |
    awk 'function out() { if (line != "") { split(line, w, " "); print w[1] "/" w[2] " = " line } }
         /^  -o / { line = line " " substr($0, 3); next } { out(); line = $0 } END { out() }'
}
# split_main CONTRIB_FILE INTAKE_PORT RCPT: the file's commented main.cf settings, one
# postconf -e argument ("name = value") per line, with the intake port and address put in.
split_main() {
  sed -n '/^# ---- main.cf/,/^# ---- master.cf/p' "$1" | sed -n 's/^#\([a-z][a-z_-]* = .*\)$/\1/p' |
    sed -e "s|tlsrpt@example\.com|$3|g" -e "s|127\.0\.0\.1\]:10027|127.0.0.1]:$2|g"
}
