// report_finish.hpp: the JSON stage's work after the walk (report_finish.cpp). Internal to
// src/lib.
#pragma once

#include "tlsrpt/report.hpp"

#include <cstddef>

namespace tlsrpt {

// Quirks that need the whole policy entry, the policy-domain fallback to TLS-Report-Domain,
// and the parsed policy-string; `max` bounds the entries a bare string is split into.
void finish_policy(Policy& p, Report& r, const MessageHeaders* headers, std::size_t max);

// RFC 8460 §5.3 checks on the carrying message's header fields; logged, never refused.
void check_report_headers(Report& r, const MessageHeaders& h);

} // namespace tlsrpt
