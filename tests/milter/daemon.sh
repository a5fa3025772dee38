#!/usr/bin/env bash
# daemon.sh MILTER FAULT_LISTENER_SO: the milter's process hygiene, on the real binary.
#   - the pid file is locked: a second instance with the same pid file refuses to start and
#     leaves the first one's socket alone; so does one with another pid file but the same
#     (live) unix socket;
#   - a pid file that is a symbolic link, has a second name or another owner is refused and
#     left untouched; ours is mode 0600 (whoever can open it could lock it);
#   - SIGTERM removes the socket and the pid file; a stale pid file (nobody holds its lock) and
#     a stale socket (nobody listening) left by a SIGKILLed milter are taken over;
#   - when libmilter's main loop ends by itself (fault_listener.so breaks the listening
#     socket), the milter exits with status 70 so Restart=on-failure restarts it.
# Prints PASS/FAIL per check; exit 1 when any failed.
set -u
milter=$1
shim=$2
work=$(mktemp -d /tmp/tlsrpt-daemon-test.XXXXXX)
failures=0
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  [ "$failures" -eq 0 ] && rm -rf "$work" || echo "-- logs kept in $work"
}
trap cleanup EXIT

verdict() { # NAME STATUS DETAIL
  if [ "$2" -eq 0 ]; then echo "PASS $1"; else echo "FAIL $1: $3"; failures=$((failures + 1)); fi
}
conf() { # FILE SOCKET PIDFILE
  cat >"$1" <<CONF
Socket unix:$2
PidFile $3
Database host=127.0.0.1 port=9 connect_timeout=1
ReportAddresses tlsrpt@example.test
ShutdownTimeout 2
Syslog no
CONF
}
live() { # SOCKET: something accepts connections there
  python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.settimeout(2); s.connect(sys.argv[1])' "$1" 2>/dev/null
}
wait_for() { # SECONDS COMMAND...
  local end=$((SECONDS + $1))
  shift
  until "$@"; do [ $SECONDS -ge $end ] && return 1; sleep 0.1; done
}
inode() { stat -c %i "$1" 2>/dev/null; }
start() { # CONF LOG [env...]: starts the milter in the foreground; sets $started
  local c=$1 log=$2
  shift 2
  env "$@" "$milter" -f -c "$c" >>"$log" 2>&1 &
  started=$!
  pids+=("$started")
}
ends_within() { # PID SECONDS: the process ended; sets $status
  local end=$((SECONDS + $2))
  while kill -0 "$1" 2>/dev/null; do
    [ $SECONDS -ge $end ] && { status=timeout; return 1; }
    sleep 0.1
  done
  wait "$1"
  status=$?
}

sock=$work/m.sock pid=$work/m.pid
conf "$work/a.conf" "$sock" "$pid"
start "$work/a.conf" "$work/a.log"
a=$started
wait_for 10 live "$sock" && wait_for 5 grep -qx "$a" "$pid"
verdict daemon-first-instance-listens-and-writes-its-pid $? "$(tail -n 3 "$work/a.log")"
ino=$(inode "$sock")

start "$work/a.conf" "$work/b.log"
ends_within "$started" 10
[ "$status" != 0 ] && [ "$status" != timeout ] &&
  grep -q "another tlsrpt-milter (pid $a) holds $pid" "$work/b.log" &&
  [ "$(inode "$sock")" = "$ino" ] && live "$sock" && grep -qx "$a" "$pid"
verdict daemon-second-instance-same-pid-file-refused $? "status $status: $(tail -n 2 "$work/b.log")"

conf "$work/c.conf" "$sock" "$work/c.pid"
start "$work/c.conf" "$work/c.log"
ends_within "$started" 10
[ "$status" != 0 ] && [ "$status" != timeout ] &&
  grep -q "another milter is listening on $sock" "$work/c.log" &&
  [ "$(inode "$sock")" = "$ino" ] && live "$sock"
verdict daemon-second-instance-same-socket-refused $? "status $status: $(tail -n 2 "$work/c.log")"

echo keep >"$work/target"
ln -s "$work/target" "$work/link.pid"
conf "$work/d.conf" "$work/d.sock" "$work/link.pid"
start "$work/d.conf" "$work/d.log"
ends_within "$started" 10
[ "$status" != 0 ] && [ "$status" != timeout ] && [ "$(cat "$work/target")" = keep ] &&
  grep -q "cannot open pid file $work/link.pid" "$work/d.log" && [ ! -e "$work/d.sock" ]
verdict daemon-pid-file-symlink-refused $? "status $status: $(tail -n 2 "$work/d.log")"

# a pid file someone else owns, or one with a second name (hard link), is not ours
refused_pid_file() { # NAME PIDFILE: a milter with this pid file does not start, file untouched
  local before
  before=$(cat "$2")
  conf "$work/$1.conf" "$work/$1.sock" "$2"
  start "$work/$1.conf" "$work/$1.log"
  ends_within "$started" 10
  [ "$status" != 0 ] && [ "$status" != timeout ] && [ "$(cat "$2")" = "$before" ] &&
    grep -q "is not a file of this user with one name" "$work/$1.log" && [ ! -e "$work/$1.sock" ]
  verdict "daemon-pid-file-$1-refused" $? "status $status: $(tail -n 2 "$work/$1.log")"
}
echo 1 >"$work/other.pid"
chown nobody "$work/other.pid"
refused_pid_file other-owner "$work/other.pid"
echo 1 >"$work/linked-target"
ln "$work/linked-target" "$work/linked.pid"
refused_pid_file hard-link "$work/linked.pid"

[ "$(stat -c %a "$pid")" = 600 ]
verdict daemon-pid-file-mode-600 $? "mode $(stat -c %a "$pid")"

kill -TERM "$a"
ends_within "$a" 15
[ "$status" = 0 ] && [ ! -e "$sock" ] && [ ! -e "$pid" ]
verdict daemon-sigterm-removes-socket-and-pid-file $? "status $status, left: $(ls "$work")"

# stale: a pid file nobody locks, then a socket nobody listens on (SIGKILL leaves both)
echo 999999 >"$pid"
start "$work/a.conf" "$work/e.log"
e=$started
wait_for 10 live "$sock" && wait_for 5 grep -qx "$e" "$pid"
verdict daemon-stale-pid-file-taken-over $? "$(tail -n 3 "$work/e.log")"
kill -9 "$e"
ends_within "$e" 5
start "$work/a.conf" "$work/f.log"
f=$started
wait_for 10 live "$sock" && wait_for 5 grep -qx "$f" "$pid"
verdict daemon-stale-socket-after-sigkill-taken-over $? "$(tail -n 3 "$work/f.log")"
kill -TERM "$f"
ends_within "$f" 15

# libmilter's main loop ends by itself
preload=$shim
asan=$(ldd "$milter" | awk '/libasan/ { print $3 }')
[ -n "$asan" ] && preload="$asan:$shim" # ASan's runtime must come first
start "$work/a.conf" "$work/g.log" LD_PRELOAD="$preload" TLSRPT_FAULT_FILE="$work/fault"
g=$started
wait_for 10 live "$sock"
touch "$work/fault"
ends_within "$g" 30
[ "$status" = 70 ] && grep -q "libmilter's main loop ended" "$work/g.log" &&
  [ ! -e "$sock" ] && [ ! -e "$pid" ]
verdict daemon-main-loop-ended-exits-70 $? "status $status: $(tail -n 3 "$work/g.log")"

[ "$failures" -eq 0 ]
