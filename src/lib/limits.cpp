// limits.cpp: the table of named input limits (limits.hpp), so that tlsrptctl flags and the
// milter's config set them by the same names, and help texts come from one place.
#include "tlsrpt/limits.hpp"

#include <charconv>

namespace tlsrpt {

const std::vector<LimitInfo>& limit_table() {
    static const std::vector<LimitInfo> table = {
        {"max_message_size", &Limits::max_message_size, "largest message or file read, bytes"},
        {"max_decompressed_size", &Limits::max_decompressed_size,
         "JSON bytes after gzip/zip decompression, all reports of a message together"},
        {"max_mime_depth", &Limits::max_mime_depth, "deepest nesting of MIME containers"},
        {"max_mime_parts", &Limits::max_mime_parts, "most MIME parts in one message"},
        {"max_header_lines", &Limits::max_header_lines,
         "most header lines in one message, its MIME parts included"},
        {"max_reports", &Limits::max_reports, "most reports in one message or archive"},
        {"max_json_depth", &Limits::max_json_depth, "deepest JSON nesting"},
        {"max_policies", &Limits::max_policies, "most policies (and policy-string entries)"},
        {"max_failure_details", &Limits::max_failure_details,
         "most failure-details entries, all reports of a message together"},
        {"max_json_values", &Limits::max_json_values,
         "most JSON strings, numbers and list entries read, all reports of a message together"},
        {"max_string_length", &Limits::max_string_length, "longest JSON string, bytes"},
    };
    return table;
}

std::string set_limit(Limits& limits, std::string_view name, std::string_view value) {
    for (const LimitInfo& info : limit_table()) {
        if (name != info.name) continue;
        std::size_t v = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
        const std::string_view suffix(end, value.data() + value.size() - end);
        int shift = suffix == ""                     ? 0
                    : suffix == "k" || suffix == "K" ? 10
                    : suffix == "M"                  ? 20
                    : suffix == "G"                  ? 30
                                                     : -1;
        if (ec != std::errc() || shift < 0 || v == 0 || v > (SIZE_MAX >> shift))
            return std::string(name) + ": \"" + std::string(value) +
                   "\" is not a positive number (k, M, G suffixes allowed)";
        limits.*info.field = v << shift;
        return {};
    }
    return "unknown limit \"" + std::string(name) + "\"";
}

} // namespace tlsrpt
