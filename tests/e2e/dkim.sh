# shellcheck shell=bash
# dkim.sh: the end-to-end DKIM checks of tests/e2e/run.sh (sourced by it; uses its helpers
# send, sql, verdict, reload_milter, write_milter_conf, ...). Messages are signed here with
# Debian's python3-dkim (tests/dkim/dkimtool.py) and the keys served by dnsmasq on $DNS, so
# the milter verifies real signatures with real DNS lookups, in its default configuration
# (DKIMVerify yes, RequireDKIM yes, OnInvalid quarantine).

dkim_tool() { /usr/bin/python3 "$src/tests/dkim/dkimtool.py" "$@"; }

# dkim_setup: keys, the DNS configuration (tests/dkim/make_cases.sh) and the DNS server.
dkim_setup() {
  bash "$src/tests/dkim/make_cases.sh" "$work/dkim" "$DNS" >"$work/dkim-cases.log" 2>&1 &&
    dns_start "$DNS" "$work/dkim/dnsmasq.conf" "$work/dns.pid" "$work/dns.log"
}

# signed_report ID FILE [SIGN OPTIONS...]: a report of reporter.example signed by its key.
signed_report() {
  local id=$1 out=$2
  shift 2
  python3 "$here/mail.py" report --id "$id" --contact tlsrpt@reporter.example \
    --org reporter.example --domain example.test >"$work/$id.plain.eml"
  dkim_tool sign "$work/$id.plain.eml" "$out" --domain reporter.example --selector sel \
    --key "$work/dkim/keys/main.key" "$@"
}

# dkim_columns ID: "result authenticated source domain" of the stored report
dkim_columns() {
  sql "$db" "SELECT dkim_result || ' ' || dkim_authenticated || ' ' || dkim_source || ' ' ||
    dkim_domain FROM tlsrpt.reports WHERE report_id = '$1'"
}
# quarantine_reason ID: the reason of the newest quarantined message whose Subject names ID
quarantine_reason() {
  sql "$db" "SELECT reason FROM tlsrpt.rejected_messages WHERE subject LIKE '%<$1>%'
    ORDER BY id DESC LIMIT 1"
}

check_dkim_signed() {
  local canon id r q
  for canon in relaxed/relaxed simple/simple; do
    id=e2e-dkim-${canon%%/*}
    signed_report "$id" "$work/$id.eml" --canon "$canon"
    r=$(send $MX "$work/$id.eml" tlsrpt@example.test)
    q=$(queue_id "$r")
    [[ $r == 250* ]] && [ "$(dkim_columns "$id")" = "pass true milter reporter.example" ] &&
      grep -q "queue_id=$q outcome=stored .*dkim=pass dkim_domain=reporter.example" "$work/milter.log"
    verdict "dkim-signed-$canon-stored-pass" $? "reply '$r', row '$(dkim_columns "$id")'"
  done
}

# A report address with +tag, and a folded header inside the signature, through Postfix.
check_dkim_tag_and_folding() {
  local id=e2e-dkim-folded r
  python3 "$here/mail.py" report --id "$id" --contact tlsrpt@reporter.example \
    --org reporter.example --domain example.test >"$work/$id.plain.eml"
  { printf 'X-Folded: the first part of a folded field\n\t and its second line\n'
    cat "$work/$id.plain.eml"; } >"$work/$id.folded.eml"
  dkim_tool sign "$work/$id.folded.eml" "$work/$id.eml" --domain reporter.example --selector sel \
    --key "$work/dkim/keys/main.key" --canon simple/simple \
    --headers From,To,Subject,Date,Message-ID,X-Folded,TLS-Report-Domain,TLS-Report-Submitter,Content-Type,MIME-Version
  r=$(send $MX "$work/$id.eml" tlsrpt+dkim@example.test)
  [[ $r == 250* ]] && [ "$(dkim_columns "$id")" = "pass true milter reporter.example" ]
  verdict dkim-plus-tag-folded-header-simple-verifies $? "reply '$r', row '$(dkim_columns "$id")'"
}

# Each way of not being authenticated is quarantined, with a reason naming the problem.
check_dkim_refused() {
  local name id r reason
  signed_report e2e-dkim-tampered "$work/e2e-dkim-tampered.eml"
  dkim_tool tamper "$work/e2e-dkim-tampered.eml" "$work/e2e-dkim-tampered.eml" --body
  python3 "$here/mail.py" report --id e2e-dkim-unsigned --contact tlsrpt@reporter.example \
    --org reporter.example --domain example.test >"$work/e2e-dkim-unsigned.eml"
  python3 "$here/mail.py" report --id e2e-dkim-other --contact tlsrpt@reporter.example \
    --org reporter.example --domain example.test >"$work/e2e-dkim-other.plain.eml"
  dkim_tool sign "$work/e2e-dkim-other.plain.eml" "$work/e2e-dkim-other.eml" \
    --domain other.example --selector sel --key "$work/dkim/keys/other.key"
  signed_report e2e-dkim-length "$work/e2e-dkim-length.eml" --length
  for name in tampered:"body hash did not verify" unsigned:"no DKIM signature" \
    other:"(not aligned)" length:"l="; do
    id=e2e-dkim-${name%%:*}
    r=$(send $MX "$work/$id.eml" tlsrpt@example.test)
    reason=$(quarantine_reason "$id")
    [[ $r == 250* ]] && [ "$(report_count "$id")" = 0 ] && [[ $reason == *"${name#*:}"* ]]
    verdict "dkim-${name%%:*}-quarantined-with-reason" $? "reply '$r', reason '$reason'"
  done
}

# The DNS server down: 451 4.7.5 (a sending MTA keeps the message queued); back: stored once.
check_dkim_dns_down() {
  local r1 r2 q
  signed_report e2e-dkim-dns-direct "$work/e2e-dkim-dns-direct.eml"
  signed_report e2e-dkim-dns-queued "$work/e2e-dkim-dns-queued.eml"
  dns_stop "$work/dns.pid"
  r1=$(send $MX "$work/e2e-dkim-dns-direct.eml" tlsrpt@example.test)
  [[ $r1 == "451 4.7.5"* ]] && [ "$(report_count e2e-dkim-dns-direct)" = 0 ]
  verdict dkim-dns-down-451-4.7.5 $? "reply '$r1'"
  r2=$(send $RELAY "$work/e2e-dkim-dns-queued.eml" tlsrpt@example.test)
  q=$(queue_id "$r2")
  [[ $r2 == 250* ]] &&
    wait_for 30 grep -q "$q: to=<tlsrpt@example.test>.*status=deferred.*451 4.7.5" "$maillog"
  verdict dkim-dns-down-sender-queue-deferred $? "relay reply '$r2'"
  dns_start "$DNS" "$work/dkim/dnsmasq.conf" "$work/dns.pid" "$work/dns.log"
  # the sender retries (flushed every 3 s here) until the milter's resolver asks again
  wait_for 60 bash -c "postqueue -f; sleep 3; grep -q '$q: to=<tlsrpt@example.test>.*status=sent' '$maillog'" &&
    sleep 1 &&
    [ "$(report_count e2e-dkim-dns-queued)" = 1 ] &&
    [ "$(dkim_columns e2e-dkim-dns-queued)" = "pass true milter reporter.example" ]
  verdict dkim-dns-back-retry-stored-once $? "rows $(report_count e2e-dkim-dns-queued)"
}

# A message that keeps failing temporarily (its key lookup, here) is not retried forever:
# after RetryLimit attempts it is quarantined with the reason instead of another 451.
check_dkim_retries_are_bounded() {
  local id=e2e-dkim-retry r1 r2 r3 reason
  write_milter_conf quarantine "$db" $'RequireDKIM yes\nRetryLimit 3'
  reload_milter
  signed_report "$id" "$work/$id.eml"
  dns_stop "$work/dns.pid"
  r1=$(send $MX "$work/$id.eml" tlsrpt@example.test)
  r2=$(send $MX "$work/$id.eml" tlsrpt@example.test)
  r3=$(send $MX "$work/$id.eml" tlsrpt@example.test)
  dns_start "$DNS" "$work/dkim/dnsmasq.conf" "$work/dns.pid" "$work/dns.log"
  sleep 3 # the milter's resolver asks a server again 2 s after it found it down
  reason=$(quarantine_reason "$id")
  [[ $r1 == "451 4.7.5"* ]] && [[ $r2 == "451 4.7.5"* ]] && [[ $r3 == 250* ]] &&
    [[ $reason == "gave up after 3 temporary failures"* ]] && [ "$(report_count "$id")" = 0 ]
  verdict dkim-retries-bounded-then-quarantined $? "replies '$r1' '$r2' '$r3', reason '$reason'"
  write_milter_conf quarantine "$db" "RequireDKIM yes"
  reload_milter
}

# A forged copy stored while RequireDKIM was off, then the genuine signed copy: the genuine
# one takes the forged one's place, and the forged one is kept in report_conflicts.
check_dkim_genuine_replaces_forged() {
  local id=e2e-dkim-forged r1 r2
  python3 "$here/mail.py" report --id "$id" --contact tlsrpt@reporter.example \
    --org reporter.example --domain example.test --failures 999 >"$work/$id.forged.eml"
  write_milter_conf quarantine "$db" "RequireDKIM no"
  reload_milter
  r1=$(send $MX "$work/$id.forged.eml" tlsrpt@example.test)
  write_milter_conf quarantine "$db" "RequireDKIM yes"
  reload_milter
  signed_report "$id" "$work/$id.eml"
  r2=$(send $MX "$work/$id.eml" tlsrpt@example.test)
  [[ $r1 == 250* ]] && [[ $r2 == 250* ]] && [ "$(report_count "$id")" = 1 ] &&
    [ "$(dkim_columns "$id")" = "pass true milter reporter.example" ] &&
    [ "$(sql "$db" "SELECT count(*) FROM tlsrpt.report_conflicts c JOIN tlsrpt.reports r
          ON r.id = c.report_pk WHERE r.report_id = '$id' AND NOT c.dkim_authenticated
          AND c.reason LIKE 'replaced by%'")" = 1 ] &&
    [ "$(sql "$db" "SELECT sum(total_failure_session_count) FROM tlsrpt.policies p
          JOIN tlsrpt.reports r ON r.id = p.report_pk WHERE r.report_id = '$id'")" = 0 ]
  verdict dkim-genuine-copy-replaces-forged-first-copy $? "replies '$r1' '$r2', rows $(report_count "$id"), $(dkim_columns "$id"), conflicts $(sql "$db" "SELECT count(*) || ' ' || string_agg(coalesce(c.reason, '-'), ',') FROM tlsrpt.report_conflicts c JOIN tlsrpt.reports r ON r.id = c.report_pk WHERE r.report_id = '$id'")"
  grep "queue_id=$(queue_id "$r2") " "$work/milter.log"
}

# The morning after: a signed report of certificate-expired sessions came in through Postfix;
# `tlsrptctl alerts` (as its timer runs it) says CRITICAL, exits 2 and writes the gauge the
# shipped Prometheus rule TlsrptCritical fires on, in a file promtool reads as valid.
check_dkim_alert_critical() {
  local id=e2e-dkim-alert r out rc prom=$work/tlsrpt.prom
  python3 "$here/mail.py" report --id "$id" --contact tlsrpt@reporter.example \
    --org reporter.example --domain alerts.example.test --failures 2 >"$work/$id.plain.eml"
  dkim_tool sign "$work/$id.plain.eml" "$work/$id.eml" --domain reporter.example --selector sel \
    --key "$work/dkim/keys/main.key"
  r=$(send $MX "$work/$id.eml" tlsrpt@example.test)
  out=$("$ctl" alerts --db "$(conninfo "$db")" --since 2026-03-02T07:00:00Z \
    --domain alerts.example.test --textfile "$prom")
  rc=$?
  [[ $r == 250* ]] && [ $rc = 2 ] &&
    [[ $out == "TLSRPT CRITICAL - 1 certificate-expired on alerts.example.test |"* ]] &&
    grep -qx 'tlsrpt_alert{domain="alerts.example.test",rule="certificate-expired",severity="critical"} 1' "$prom" &&
    promtool check metrics <"$prom"
  verdict dkim-signed-certificate-expired-alerts-critical $? "reply '$r', exit $rc: $out; $(cat "$prom" 2>&1)"
}

check_dkim() {
  if ! dkim_setup; then
    fail dkim-setup "$(tail -n 5 "$work/dkim-cases.log" "$work/dns.log" 2>/dev/null)"
    return
  fi
  write_milter_conf quarantine "$db" "RequireDKIM yes"
  reload_milter
  check_dkim_signed
  check_dkim_tag_and_folding
  check_dkim_refused
  check_dkim_genuine_replaces_forged
  check_dkim_alert_critical
  # the DNS outages last: the milter's resolver may take a moment to trust the server again
  check_dkim_dns_down
  check_dkim_retries_are_bounded
  write_milter_conf quarantine "$db"
  reload_milter
}
