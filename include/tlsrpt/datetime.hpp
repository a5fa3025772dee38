// datetime.hpp: RFC 3339 §5.6 date-time reading and writing, in UTC seconds.
#pragma once

#include "tlsrpt/report.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace tlsrpt {

struct ParsedDateTime {
    UnixTime time = 0;
    bool had_offset = true; // false: no "Z" or ±hh:mm, read as UTC (a tolerated quirk)
};

// Reads "YYYY-MM-DDTHH:MM:SS[.frac](Z|±hh:mm)", lowercase t/z and a space for T accepted.
// Fractional seconds are dropped. nullopt when the text is no date-time.
std::optional<ParsedDateTime> parse_rfc3339(std::string_view text);

// "YYYY-MM-DDTHH:MM:SSZ".
std::string format_rfc3339(UnixTime t);

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);

} // namespace tlsrpt
