# shellcheck shell=bash
# metrics.sh: the end-to-end check of the milter's Prometheus metrics (sourced by run.sh; uses
# its helpers). Scrapes /metrics of the running milter (MetricsListen 127.0.0.1:$METRICS)
# before and after sending a known set of messages, and checks each counter moved by what was
# sent: stored, duplicate, quarantined, untouched, a tempfail while the database is down, the
# reports and the sessions per policy domain.

# scrape FILE: the milter's metrics page
scrape() { curl -sf "http://127.0.0.1:$METRICS/metrics" >"$1"; }
# metric FILE SERIES: the value of one series ('name{label="v",...}' as exposed), 0 if absent
metric() { awk -v s="$2" '$1 == s { print $2; f = 1 } END { if (!f) print 0 }' "$1"; }
# moved NAME SERIES DELTA: the series grew by DELTA between the two scrapes
moved() {
  local before after
  before=$(metric "$work/metrics.before" "$2")
  after=$(metric "$work/metrics.after" "$2")
  awk -v a="$after" -v b="$before" -v d="$3" 'BEGIN { exit !(a - b == d) }'
  verdict "metrics-$1" $? "$2: $before -> $after, expected +$3"
}

check_metrics() {
  scrape "$work/metrics.before"
  verdict metrics-served $? "nothing on 127.0.0.1:$METRICS/metrics"
  make_report e2e-metrics-1 --failures 3
  python3 "$here/mail.py" plain --subject "e2e metrics plain $$" >"$work/metrics-plain.eml"
  send $MX "$work/e2e-metrics-1.eml" tlsrpt@example.test >/dev/null # stored
  send $MX "$work/e2e-metrics-1.eml" tlsrpt@example.test >/dev/null # duplicate
  send $MX "$work/invalid.eml" tlsrpt@example.test >/dev/null       # quarantined (kept once)
  send $MX "$work/metrics-plain.eml" alice@example.test >/dev/null  # untouched
  make_report e2e-metrics-down
  bash "$src/tests/pg.sh" stop "$TLSRPT_TEST_PGDIR" fast
  send $MX "$work/e2e-metrics-down.eml" tlsrpt@example.test >/dev/null # tempfail, database
  PG_FSYNC=off bash "$src/tests/pg.sh" start "$TLSRPT_TEST_PGDIR" "$PGPORT"
  scrape "$work/metrics.after"
  moved stored 'tlsrpt_milter_messages_total{outcome="stored"}' 1
  moved duplicate 'tlsrpt_milter_messages_total{outcome="duplicate"}' 1
  moved quarantined 'tlsrpt_milter_messages_total{outcome="quarantined"}' 1
  moved untouched 'tlsrpt_milter_messages_total{outcome="untouched"}' 1
  moved tempfail 'tlsrpt_milter_messages_total{outcome="tempfail"}' 1
  moved tempfail-database 'tlsrpt_milter_tempfail_total{cause="database"}' 1
  moved reports-stored 'tlsrpt_milter_reports_total{status="stored"}' 1
  moved reports-duplicate 'tlsrpt_milter_reports_total{status="duplicate"}' 1
  moved sessions-success 'tlsrpt_milter_sessions_total{policy_domain="example.test",result="success"}' 10
  moved sessions-failure 'tlsrpt_milter_sessions_total{policy_domain="example.test",result="certificate-expired"}' 3
  grep -q '^tlsrpt_milter_build_info{version="[0-9.]*"} 1' "$work/metrics.after" &&
    awk '$1 == "tlsrpt_milter_last_stored_timestamp_seconds" && $2 > 1700000000 { f = 1 }
         END { exit !f }' "$work/metrics.after"
  verdict metrics-build-info-and-last-stored $? "$(grep -E 'build_info|last_stored' "$work/metrics.after" | grep -v '^#')"
  reload_milter
  scrape "$work/metrics.reloaded"
  local s1 s2
  s1=$(metric "$work/metrics.after" 'tlsrpt_milter_messages_total{outcome="stored"}')
  s2=$(metric "$work/metrics.reloaded" 'tlsrpt_milter_messages_total{outcome="stored"}')
  awk -v a="$s1" -v b="$s2" 'BEGIN { exit !(a > 0 && a == b) }'
  verdict metrics-survive-sighup-reload $? "stored $s1 before the reload, $s2 after"
  promtool check metrics <"$work/metrics.after" >"$work/promtool.out" 2>&1
  verdict metrics-promtool-accepts-the-page $? "$(head -n 5 "$work/promtool.out")"
}
