// limits.hpp: every bound the reader applies to untrusted input, named, with its default.
// The milter's config and tlsrptctl's flags set them; nothing in the reader is unbounded.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tlsrpt {

// Bounds marked "per message" are a budget the whole message (or file) shares: every part,
// compression layer, zip entry and report spends from it (Budget below), so no shape of input
// multiplies them. Defaults keep a hostile input under 64 MiB of memory above the idle process
// (tests/hostile/budget.sh) while the biggest real reports (a few thousand failure-details)
// pass with room to spare.
struct Limits {
    std::size_t max_message_size = 16u << 20;     // raw input bytes (RFC 8460 §5.2 cites ~10 MB)
    std::size_t max_decompressed_size = 8u << 20; // per message: JSON after gzip/zip, all reports
    std::size_t max_mime_depth = 8;               // nesting of multiparts / message parts
    std::size_t max_mime_parts = 64;              // MIME parts per message
    std::size_t max_header_lines = 5'000;         // per message: header lines, all MIME parts
    std::size_t max_reports = 32;                 // reports per message or archive
    std::size_t max_json_depth = 16;              // JSON nesting; a report needs 5
    std::size_t max_policies = 10'000;            // policies per report
    std::size_t max_failure_details = 50'000;     // per message: failure-details entries
    std::size_t max_json_values = 500'000;        // per message: JSON values materialised
    std::size_t max_string_length = 64u << 10;    // any one JSON string member
};

// What a message may still spend of its per-message limits; made once per message (or file)
// and handed to every stage that reads it.
struct Budget {
    explicit Budget(const Limits& l)
        : decompressed(l.max_decompressed_size), failure_details(l.max_failure_details),
          json_values(l.max_json_values) {}
    std::size_t decompressed;
    std::size_t failure_details;
    std::size_t json_values;
};

// Takes n from `left`; false, taking nothing, when less is left.
inline bool spend(std::size_t& left, std::size_t n) {
    if (n > left) return false;
    left -= n;
    return true;
}

// One named limit, for flags, config files and docs.
struct LimitInfo {
    const char* name;
    std::size_t Limits::*field;
    const char* help;
};

const std::vector<LimitInfo>& limit_table();

// Sets `name` (e.g. "max_mime_parts") from a decimal value with an optional k/M/G suffix
// (powers of 1024). Returns an error text, empty on success.
std::string set_limit(Limits& limits, std::string_view name, std::string_view value);

} // namespace tlsrpt
