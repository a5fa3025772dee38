// report_format.hpp: a Report written back as one line of normalized JSON (`tlsrptctl parse`):
// RFC 8460 member names, RFC 3339 UTC dates, arrays where §4.4 wants arrays, numeric counts,
// plus "quirks", the parsed policy, and the captured message headers.
#pragma once

#include "tlsrpt/report.hpp"

#include <string>

namespace tlsrpt {

std::string format_report_json(const Report& report, const std::string& source);

} // namespace tlsrpt
