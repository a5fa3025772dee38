#!/usr/bin/env bash
# run.sh: tlsrpt-httpd against a real PostgreSQL on loopback (ports 10060-10066, PostgreSQL
# 55490), with curl the way sys4's tlsrpt-reporter posts. One PASS/FAIL line per check.
# Needs: a build (TLSRPT_BUILD_DIR, default build-dev), the corpus in TLSRPT_SHARED_DIR.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${TLSRPT_BUILD_DIR:-$src/build-dev}
shared=${TLSRPT_SHARED_DIR:-/work/shared}
bin=$build/src/httpd/tlsrpt-httpd
ctl=$build/src/tlsrptctl
work=/var/tmp/tlsrpt-httpd-test.$$
pgdir=$work/pg
port=10060
db="host=127.0.0.1 port=55490 user=postgres dbname=httpd"
pids=()
mkdir -p "$work"
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  bash "$src/tests/pg.sh" stop "$pgdir" immediate >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
check() { if [ "$2" = 0 ]; then pass "$1"; else fail "$1" "$3"; fi; }
sql() { psql -X -At -h 127.0.0.1 -p 55490 -U postgres -d httpd -c "$1"; }

# start_daemon NAME PORT [extra config lines...]: the daemon in the foreground, in the background
start_daemon() {
  local name=$1 p=$2; shift 2
  {
    echo "Listen 127.0.0.1:$p"
    echo "Database $db"
    echo "SpoolDirectory $work/spool-$name"
    echo "Syslog no"
    echo "DatabaseTimeout 1s"
    for l in "$@"; do echo "$l"; done
  } >"$work/$name.conf"
  "$bin" -f -c "$work/$name.conf" >>"$work/$name.log" 2>&1 &
  eval "pid_$name=$!"
  pids+=($!)
  for _ in $(seq 50); do
    curl -s -k -o /dev/null "${scheme:-http}://127.0.0.1:$p/" && return 0
    sleep 0.1
  done
  echo "daemon $name did not start:"; cat "$work/$name.log"; return 1
}
# post PORT FILE TYPE [curl args]: prints the status code
post() {
  local p=$1 f=$2 t=$3; shift 3
  curl --silent -o "$work/body" -w '%{http_code}' --header "Content-Type: $t" \
    --data-binary @- "$@" "http://127.0.0.1:$p/v1/tlsrpt" <"$f"
}

PG_FSYNC=off bash "$src/tests/pg.sh" start "$pgdir" 55490 || { fail pg-start "cannot start"; exit 1; }
psql -X -q -h 127.0.0.1 -p 55490 -U postgres -d postgres -c "CREATE DATABASE httpd" &&
  "$ctl" db migrate --db "$db" >"$work/migrate.log" 2>&1 || { fail migrate "$(cat "$work/migrate.log")"; exit 1; }
start_daemon a $port "RateLimit 0" "MetricsListen 127.0.0.1:10061" "MaxConnections 32" || exit 1

# --- the corpus, as sys4's reporter posts it (gzip body, --data-binary @-), then as +json
bad=0 n=0
if [ -f "$shared/corpus/EXPECTED.tsv" ]; then
  while IFS=$'\t' read -r name expect _; do
    [ "$name" = name ] && continue
    case "$name" in *.eml) continue ;; esac
    f=$shared/corpus/files/$name
    case "$name" in *.gz) cp "$f" "$work/c.gz" ;; *) gzip -c "$f" >"$work/c.gz" ;; esac
    want=201; [ "$expect" = reject ] && want=400
    got=$(post $port "$work/c.gz" application/tlsrpt+gzip)
    [ "$expect" = either ] && want=$got
    [ "$got" = "$want" ] || { bad=$((bad + 1)); echo "  $name: $got $(cat "$work/body")"; }
    gunzip -c "$work/c.gz" >"$work/c.json"
    got=$(post $port "$work/c.json" application/tlsrpt+json)
    [ "$got" = "$want" ] || { bad=$((bad + 1)); echo "  $name as json: $got"; }
    n=$((n + 1))
  done <"$shared/corpus/EXPECTED.tsv"
  check corpus-posted-gzip-and-json "$bad" "$bad of $((2 * n)) answers wrong"
  python3 "$src/tests/corpus_compare.py" --no-eml "$shared/corpus/EXPECTED.tsv" "$db" >"$work/compare.log" 2>&1
  check corpus-database-totals-match-expected $? "$(cat "$work/compare.log")"
  r=$(sql "SELECT count(*) FROM tlsrpt.reports WHERE source='https' AND dkim_result <> 'none'")
  check https-reports-dkim-none "$([ "$r" = 0 ]; echo $?)" "$r reports with a DKIM result"
  r=$(sql "SELECT count(*) FILTER (WHERE client_address = '127.0.0.1' AND user_agent LIKE 'curl/%'),
    count(*) FROM tlsrpt.reports WHERE source = 'https'")
  check client-address-and-user-agent-stored "$([ "${r%|*}" = "${r#*|}" ] && [ "${r#*|}" -gt 0 ]; echo $?)" "$r"
else
  echo "SKIP corpus-posted-gzip-and-json: no corpus in $shared"
fi

# --- duplicates and the lenient labels
python3 "$here/gen_report.py" dup-1 gz >"$work/dup.gz"
a=$(post $port "$work/dup.gz" application/tlsrpt+gzip); b=$(post $port "$work/dup.gz" application/octet-stream)
c=$(post $port "$work/dup.gz" application/json --header 'Content-Encoding: gzip')
check duplicate-is-201 "$([ "$a$b$c" = 201201201 ] && grep -q duplicate "$work/body"; echo $?)" "$a $b $c $(cat "$work/body")"
r=$(sql "SELECT count(*) FROM tlsrpt.reports WHERE report_id='dup-1'")
check duplicate-stored-once "$([ "$r" = 1 ]; echo $?)" "$r rows"
python3 "$here/gen_report.py" plain-1 >"$work/plain.json"
a=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$work/plain.json" "http://127.0.0.1:$port/?x=1")
check curl-default-type-and-query-string "$([ "$a" = 201 ]; echo $?)" "$a"

# --- each error status
a=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/tlsrpt")
check get-is-405 "$([ "$a" = 405 ]; echo $?)" "$a"
a=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$work/plain.json" "http://127.0.0.1:$port/other")
check other-path-is-404 "$([ "$a" = 404 ]; echo $?)" "$a"
a=$(post $port "$work/plain.json" text/html)
check html-is-415 "$([ "$a" = 415 ]; echo $?)" "$a"
a=$(post $port "$work/plain.json" application/json --header 'Content-Encoding: br')
check brotli-is-415 "$([ "$a" = 415 ]; echo $?)" "$a"
printf 'hello, not a report at all' >"$work/text"
a=$(post $port "$work/text" application/octet-stream)
check non-report-body-is-415 "$([ "$a" = 415 ]; echo $?)" "$a"
sed 's/"policies"/"policiez"/' "$work/plain.json" >"$work/bad.json"
a=$(post $port "$work/bad.json" application/tlsrpt+json)
check invalid-is-400-naming-the-path "$([ "$a" = 400 ] && grep -q policies "$work/body"; echo $?)" "$a $(cat "$work/body")"
head -c 5000000 /dev/zero >"$work/big"
a=$(post $port "$work/big" application/tlsrpt+json)
check over-max-report-size-is-413 "$([ "$a" = 413 ]; echo $?)" "$a"
head -c 200000000 /dev/zero | gzip -1 >"$work/bomb.gz"
a=$(post $port "$work/bomb.gz" application/tlsrpt+gzip)
check gzip-bomb-is-413 "$([ "$a" = 413 ] && grep -q MaxDecompressedSize "$work/body"; echo $?)" "$a $(cat "$work/body")"
rss=$(awk '/VmHWM/ {print $2}' /proc/$pid_a/status)
check gzip-bomb-bounded-memory "$([ "$rss" -lt 300000 ]; echo $?)" "peak RSS ${rss} kB"
# 64 clients at once, each a 8 KB gzip report that inflates to just under MaxDecompressedSize
# (8 MB of blanks): only DatabasePoolSize (8) are read and stored at a time, each costing up to
# about 10 times the inflated size (the text, the parser's padded copy, the raw JSON for the
# row, the statement parameter, libpq's buffer): 8 x 80 MB, not 64 x 80 MB
python3 - "$work/wide.gz" <<'PY'
import gzip, json, sys
j = json.dumps({"organization-name": "Wide", "date-range": {"start-datetime": "2026-12-01T00:00:00Z",
    "end-datetime": "2026-12-01T23:59:59Z"}, "contact-info": "x@example", "report-id": "wide-1",
    "policies": []})
open(sys.argv[1], "wb").write(gzip.compress((j[:-1] + " " * (8_000_000 - len(j)) + "}").encode(), 9))
PY
seq 64 | xargs -P 64 -I{} curl -s -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/tlsrpt+gzip' \
  --data-binary @"$work/wide.gz" http://127.0.0.1:$port/v1/tlsrpt >"$work/wide.codes"
ok=$(grep -c '^201$' "$work/wide.codes")
rss=$(awk '/VmHWM/ {print $2}' /proc/$pid_a/status)
check 64-wide-reports-bounded-memory "$([ "$ok" = 64 ] && [ "$rss" -lt 786432 ]; echo $?)" "$ok answered 201, peak RSS ${rss} kB (bound 768 MiB)"

# --- AllowFrom, TrustedProxies, RateLimit, a slow body over the limit (daemon b)
start_daemon b 10062 "AllowFrom 10.0.0.0/8" "TrustedProxies 127.0.0.1" "RateLimit 1 3" \
  "MaxReportSize 64k" || exit 1
a=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$work/plain.json" http://127.0.0.1:10062/)
check not-in-allow-from-is-403 "$([ "$a" = 403 ]; echo $?)" "$a"
codes=""
for i in 1 2 3 4 5; do
  codes+=$(curl -s -o /dev/null -w '%{http_code} ' -H 'X-Forwarded-For: 192.0.2.9, 10.1.2.3' \
    --data-binary @"$work/plain.json" http://127.0.0.1:10062/)
done
check forwarded-client-allowed-then-429 "$([[ $codes == "201 201 201 429"* ]]; echo $?)" "$codes"
a=$(curl -s -D - -o /dev/null -H 'X-Forwarded-For: 10.1.2.3' --data-binary @"$work/plain.json" http://127.0.0.1:10062/ | grep -ci '^retry-after')
check 429-has-retry-after "$([ "$a" = 1 ]; echo $?)" "no Retry-After"
python3 "$here/gen_report.py" fwd-1 >"$work/fwd.json"
curl -s -o /dev/null -A 'tlsrpt-reporter/0.9' -H 'X-Forwarded-For: 198.51.100.1, 10.9.8.7' \
  --data-binary @"$work/fwd.json" http://127.0.0.1:10062/
r=$(sql "SELECT host(client_address) || ' ' || user_agent FROM tlsrpt.reports WHERE report_id = 'fwd-1'")
check forwarded-client-stored "$([ "$r" = "10.9.8.7 tlsrpt-reporter/0.9" ]; echo $?)" "stored: '$r'"
out=$(python3 "$here/slow_body.py" 10062 400000)
sent=${out#* }
check slow-body-stopped-at-limit "$([[ $out == 413* ]] && [ "$sent" -lt 200000 ]; echo $?)" "$out"

# --- 200 parallel clients
for i in $(seq 200); do python3 "$here/gen_report.py" par-$i gz >"$work/par-$i.gz"; done
seq 200 | xargs -P 200 -I{} curl -s -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/tlsrpt+gzip' \
  --data-binary @"$work/par-{}.gz" http://127.0.0.1:$port/v1/tlsrpt >"$work/par.codes"
ok=$(grep -c '^201$' "$work/par.codes")
r=$(sql "SELECT count(*) FROM tlsrpt.reports WHERE report_id LIKE 'par-%'")
check 200-parallel-clients "$([ "$ok" = 200 ] && [ "$r" = 200 ]; echo $?)" "$ok answered 201, $r stored"

# --- what curl does not send: pipelining, bad framing, pauses; a reload under a slow upload
start_daemon e 10066 "RateLimit 0" "MaxRequestsPerConnection 3" "ReadTimeout 2s" || exit 1
a=$(python3 "$here/raw_http.py" 10066 pipeline 6)
check max-requests-per-connection-closes "$([ "$a" = 3 ]; echo $?)" "$a of 6 pipelined requests answered on one connection"
for c in two-lengths te-and-length bad-chunk; do
  a=$(python3 "$here/raw_http.py" 10066 framing $c)
  check "framing-$c-is-400" "$([ "$a" = 400 ]; echo $?)" "$a"
done
a=$(python3 "$here/raw_http.py" 10066 pause 5)
check pause-over-read-timeout-is-408 "$([ "$a" = 408 ]; echo $?)" "$a"
head -c 1500000 /dev/zero | tr '\0' ' ' >"$work/pad"
python3 "$here/gen_report.py" expect-1 >"$work/expect.json"
cat "$work/expect.json" "$work/pad" >"$work/expect-big.json"
curl -sv -o /dev/null -H 'Content-Type: application/tlsrpt+json' --data-binary @"$work/expect-big.json" \
  http://127.0.0.1:10066/v1/tlsrpt 2>"$work/expect.log"
check expect-100-continue-answered "$(grep -q '< HTTP/1.1 100 Continue' "$work/expect.log" && grep -q '< HTTP/1.1 201' "$work/expect.log"; echo $?)" "$(grep '^< HTTP' "$work/expect.log")"
python3 "$here/gen_report.py" reload-1 >"$work/reload.json"
python3 "$here/raw_http.py" 10066 slow "$work/reload.json" 3 >"$work/reload.status" &
slow=$!
sleep 1
kill -HUP "$pid_e"
wait "$slow"
r=$(sql "SELECT count(*) FROM tlsrpt.reports WHERE report_id = 'reload-1'")
check reload-finishes-a-body-in-flight "$([ "$(cat "$work/reload.status")" = 201 ] && [ "$r" = 1 ]; echo $?)" "answer $(cat "$work/reload.status"), $r stored"
for _ in $(seq 50); do # the new listener opens once the old one has closed
  a=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:10066/v1/tlsrpt)
  [ "$a" = 405 ] && break
  sleep 0.1
done
check serving-after-reload "$([ "$a" = 405 ]; echo $?)" "$a"

# --- the database stopped: 201 and spooled; SIGKILL; restart; database back: stored once
bash "$src/tests/pg.sh" stop "$pgdir" fast
codes=""
for i in $(seq 50); do
  python3 "$here/gen_report.py" down-$i gz >"$work/down.gz"
  codes+=$(post $port "$work/down.gz" application/tlsrpt+gzip)" "
done
files=$(ls "$work/spool-a/new" | wc -l)
check db-down-answers-201 "$([ "$(echo $codes | tr ' ' '\n' | grep -c 201)" = 50 ]; echo $?)" "$codes"
check db-down-spooled "$([ "$files" = 50 ]; echo $?)" "$files files in the spool"
python3 "$here/gen_report.py" down-1 gz >"$work/down.gz"
post $port "$work/down.gz" application/tlsrpt+gzip >/dev/null # the same report twice
start_daemon c 10063 "SpoolMaxBytes 65536" "MaxReportSize 16k" || exit 1
codes=""
for i in $(seq 300); do
  python3 "$here/gen_report.py" full-$i gz >"$work/full.gz"
  codes+=$(post 10063 "$work/full.gz" application/tlsrpt+gzip)" "
done
check spool-full-is-503 "$([[ $codes == 201* && $codes == *503* ]]; echo $?)" "$(echo $codes | tr " " "\n" | sort | uniq -c | tr "\n" " ")"
# a spooled file whose report is no longer readable (say, spooled under looser limits): it must
# end in rejected_messages, not be retried forever nor dropped
printf 'TLSRPT-SPOOL 1\nreceived-at: 1\nclient: 192.0.2.77\nuser-agent: old\ncontent-type: application/tlsrpt+json\ncontent-encoding: \npath: /v1/tlsrpt\n\n{"organization-name": 5}' \
  >"$work/spool-a/new/0000000001-planted"
kill -9 "$pid_a"; wait "$pid_a" 2>/dev/null
start_daemon a $port "RateLimit 0" "MetricsListen 127.0.0.1:10061" || exit 1
back=$(date +%s)
PG_FSYNC=off bash "$src/tests/pg.sh" start "$pgdir" 55490
for _ in $(seq 100); do
  [ "$(ls "$work/spool-a/new" | wc -l)" = 0 ] && break
  sleep 0.2
done
r=$(sql "SELECT count(*), count(DISTINCT report_id) FROM tlsrpt.reports WHERE report_id LIKE 'down-%'")
left=$(ls "$work/spool-a/new" | wc -l)
check spooled-stored-exactly-once-after-kill "$([ "$r" = "50|50" ] && [ "$left" = 0 ]; echo $?)" "db $r, $left left in the spool"
r=$(sql "SELECT count(*) FROM tlsrpt.reports WHERE report_id LIKE 'down-%' AND received_at < to_timestamp($back)")
check spooled-keep-their-arrival-time "$([ "$r" = 50 ]; echo $?)" "$r of 50 have received_at before the database came back"
r=$(sql "SELECT count(*) FROM tlsrpt.rejected_messages WHERE source = 'https' AND mail_from = '192.0.2.77'")
check spooled-invalid-kept-in-rejected-messages "$([ "$r" = 1 ]; echo $?)" "$r rows"
m=$(curl -s http://127.0.0.1:10061/metrics | grep -c '^tlsrpt_httpd_requests_total')
check metrics-served "$([ "$m" -gt 0 ]; echo $?)" "no tlsrpt_httpd_requests_total"

# --- HTTPS served directly: certificate and key files, replaced and reloaded on SIGHUP
mkcert() {
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$work/$1.key" -out "$work/$1.pem" 2>/dev/null
}
mkcert one && mkcert two && cp "$work/one.pem" "$work/cert.pem" && cp "$work/one.key" "$work/key.pem"
scheme=https start_daemon d 10064 "TLSCertificate $work/cert.pem" "TLSKey $work/key.pem" || exit 1
python3 "$here/gen_report.py" tls-1 gz >"$work/tls.gz"
a=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$work/one.pem" -H 'Content-Type: application/tlsrpt+gzip' \
  --data-binary @"$work/tls.gz" https://127.0.0.1:10064/v1/tlsrpt)
r=$(sql "SELECT count(*) FROM tlsrpt.reports WHERE report_id = 'tls-1'")
check https-post-stored "$([ "$a" = 201 ] && [ "$r" = 1 ]; echo $?)" "answer $a, $r stored"
# the client offers TLS 1.1 (SECLEVEL=0 lets OpenSSL 3 try it): the server must refuse; 1.2 works
tls11=$(openssl s_client -connect 127.0.0.1:10064 -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' </dev/null 2>&1 | grep -c '^New, TLS')
tls12=$(openssl s_client -connect 127.0.0.1:10064 -tls1_2 </dev/null 2>&1 | grep -c '^New, TLS')
check https-refuses-tls-1.1 "$([ "$tls11" = 0 ] && [ "$tls12" = 1 ]; echo $?)" "TLS 1.1 sessions $tls11, 1.2 $tls12"
cp "$work/two.pem" "$work/cert.pem" && cp "$work/two.key" "$work/key.pem"
kill -HUP "$pid_d"
a=000
for _ in $(seq 30); do
  a=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$work/two.pem" https://127.0.0.1:10064/v1/tlsrpt)
  [ "$a" = 405 ] && break
  sleep 0.2
done
check sighup-reloads-certificate "$([ "$a" = 405 ]; echo $?)" "answer $a with the new certificate"
echo "not a key" >"$work/key.pem"
kill -HUP "$pid_d"; sleep 1
a=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$work/two.pem" https://127.0.0.1:10064/v1/tlsrpt)
check bad-key-reload-keeps-serving "$([ "$a" = 405 ] && grep -q 'reload refused' "$work/d.log"; echo $?)" "answer $a; $(tail -2 "$work/d.log")"

# --- the command line
v=$("$bin" -V); check version-flag "$([[ $v == "tlsrpt-httpd "* ]]; echo $?)" "$v"
"$bin" --dump-config >"$work/dump.conf"; "$bin" -n -c "$work/dump.conf" >/dev/null
check dump-config-is-a-valid-file $? "$(head -3 "$work/dump.conf")"
printf 'Listen 127.0.0.1:10065\nRateLimit fast\n' >"$work/bad.conf"
err=$("$bin" -n -c "$work/bad.conf" 2>&1); rc=$?
check bad-setting-exit-78-naming-it "$([ $rc = 78 ] && [[ $err == *bad.conf:2* && $err == *RateLimit* ]]; echo $?)" "rc $rc: $err"
printf 'Listen 127.0.0.1:10065\nTLSCertificate %s\nTLSKey %s\n' "$work/two.pem" "$work/one.key" >"$work/mismatch.conf"
err=$("$bin" -n -c "$work/mismatch.conf" 2>&1); rc=$?
check mismatched-key-refused-by-n "$([ $rc = 78 ] && [[ $err == *mismatch* ]]; echo $?)" "rc $rc: $err"
