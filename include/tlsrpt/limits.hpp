// limits.hpp: every bound the reader applies to untrusted input, named, with its default.
// The milter's config and tlsrptctl's flags set them; nothing in the reader is unbounded.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tlsrpt {

struct Limits {
    std::size_t max_message_size = 16u << 20; // raw input bytes (RFC 8460 §5.2 cites ~10 MB)
    std::size_t max_decompressed_size = 20u
                                        << 20;   // per report, after gzip/zip (decompression bomb)
    std::size_t max_mime_depth = 8;              // nesting of multiparts / message parts
    std::size_t max_mime_parts = 64;             // MIME parts per message
    std::size_t max_reports = 32;                // reports per message or archive
    std::size_t max_json_depth = 16;             // JSON nesting; a report needs 5
    std::size_t max_policies = 10'000;           // policies per report
    std::size_t max_failure_details = 1'000'000; // failure-details entries per report
    std::size_t max_string_length = 64u << 10;   // any one JSON string member
};

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
