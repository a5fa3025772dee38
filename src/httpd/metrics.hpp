// metrics.hpp: tlsrpt-httpd's Prometheus metrics, on the registry shared with the milter's
// code (service/metrics.hpp). Label values are fixed words: HTTP status codes the server
// sends, report outcomes.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace httpd::metrics {

void serve(const std::string& listen);
// One answered request, by status code (201, 400, 403, ...).
void request(int status);
// One report body's outcome: stored, duplicate, spooled, invalid, drained, quarantined.
void report(const std::string& outcome);
void spool(std::size_t bytes, std::size_t files);
void store_seconds(std::chrono::duration<double> d);
void pool(std::size_t in_use, std::size_t waiting);

} // namespace httpd::metrics
