// alerts_output.hpp: the three forms of `tlsrptctl alerts` results (store/alerts.hpp): the
// plain table for people, whose first line is the Nagios/Icinga status summary; JSON for
// machines; Prometheus text format for node_exporter's textfile collector. Pure functions.
#pragma once

#include "store/alerts.hpp"

#include <string>
#include <string_view>

namespace tlsrptctl::alerts {

namespace al = tlsrpt::store::alerts;

// Nagios plugin exit status: 0 OK, 1 WARNING, 2 CRITICAL (3 UNKNOWN is the caller's).
int exit_status(const al::Evaluation& e);

// "TLSRPT CRITICAL - 1 certificate-expired on example.com | critical=1 warning=0 domains=1".
std::string status_line(const al::Evaluation& e);

// The status line, then one block per alert: domain, severity, rule, since, figures, the hint,
// the report ids. Untrusted text made printable.
std::string table(const al::Evaluation& e);

// {"status", "summary", "evaluated_at", "last_day", "domains", "alerts": [...]}.
std::string json(const al::Evaluation& e, tlsrpt::UnixTime evaluated_at);

// A label value in Prometheus text format: printable UTF-8, \\, \" and \n escaped.
std::string escape_label(std::string_view value);

// tlsrpt_alert{domain, rule, severity} 1 per alert (once per label set) and
// tlsrpt_alerts_evaluated_timestamp_seconds, with HELP and TYPE lines.
std::string prometheus_text(const al::Evaluation& e, tlsrpt::UnixTime evaluated_at);

} // namespace tlsrptctl::alerts
