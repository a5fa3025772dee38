// metrics.hpp: the milter's Prometheus metrics (prometheus-cpp; its pull Exposer serves them on
// MetricsListen at /metrics). Process-wide, so they survive SIGHUP reloads and reset on a
// restart. Names follow Prometheus conventions (snake_case, base units, _total counters) and
// every label has a bounded set of values: outcomes, statuses, causes and DKIM results are
// fixed words, policy domains are those of MetricsDomains or "other", result types the
// RFC 8460 §4.3 registry or "other".
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace tlsrpt {
struct Report;
}

namespace milter::metrics {

// Starts serving on `listen` ("IP:PORT"); throws std::runtime_error when it cannot. Until
// then (or with MetricsListen empty) everything is counted and nothing served.
void serve(const std::string& listen);

// One message to a report address ended: outcome= word of its log line (outcome.hpp), and
// for tempfail the cause (database, dns, pool, memory, internal).
void message(const std::string& outcome, const std::string& tempfail_cause = "");
// A message for nobody in ReportAddresses, let through at its first step.
void untouched();
void message_bytes(std::size_t bytes);

// One report's store outcome: stored, duplicate, conflict (replaced counts as stored).
void report(const std::string& status);
void dkim(const std::string& result);
// The session counts of a newly stored report (RFC 8460 §4.4 summary and failure-details),
// by policy domain (those in `domains`, else "other") and result (success or result-type).
void sessions(const tlsrpt::Report& r, const std::vector<std::string>& domains);
void store_seconds(std::chrono::duration<double> d);

// The database pool: connections leased, and messages waiting for one.
void pool(std::size_t in_use, std::size_t waiting);

} // namespace milter::metrics
