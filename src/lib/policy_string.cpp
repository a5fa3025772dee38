// policy_string.cpp: interpreting policy-string entries (RFC 8460 §4.5). The report keeps the
// strings as sent; this adds the parsed form the store indexes (sts_mode, sts_max_age, sts_mx).
#include "tlsrpt/policy_string.hpp"

#include "tlsrpt/text.hpp"

#include <cctype>
#include <charconv>

namespace tlsrpt {

namespace {

// Reads a whole non-negative decimal integer.
std::optional<std::int64_t> to_int(std::string_view s) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v < 0) return std::nullopt;
    return v;
}

} // namespace

std::string_view strip_mx_prefix(std::string_view entry) {
    entry = trim(entry);
    if (entry.size() > 3 && iequals(entry.substr(0, 3), "mx:")) return trim(entry.substr(3));
    return entry;
}

std::optional<StsPolicy> parse_sts_policy(const std::vector<std::string>& lines) {
    StsPolicy p;
    bool any = false, seen_version = false, seen_mode = false, seen_age = false;
    for (const std::string& raw : lines) {
        const std::string_view line = trim(raw);
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        const std::string_view key = trim(line.substr(0, colon));
        const std::string_view value = trim(line.substr(colon + 1));
        if (iequals(key, "mx")) {
            p.mx.emplace_back(value);
            any = true;
        } else if (iequals(key, "version") && !seen_version) {
            p.version = value, seen_version = any = true;
        } else if (iequals(key, "mode") && !seen_mode) {
            p.mode = value, seen_mode = any = true;
        } else if (iequals(key, "max_age") && !seen_age) {
            p.max_age = to_int(value), seen_age = any = true;
        }
    }
    if (!any) return std::nullopt;
    return p;
}

std::optional<TlsaRecord> parse_tlsa_record(std::string_view text) {
    text = trim(text);
    TlsaRecord r;
    int* fields[] = {&r.usage, &r.selector, &r.matching_type};
    for (int* field : fields) {
        const auto space = text.find(' ');
        if (space == std::string_view::npos) return std::nullopt;
        const auto v = to_int(text.substr(0, space));
        if (!v || *v > 255) return std::nullopt;
        *field = static_cast<int>(*v);
        text = trim(text.substr(space + 1));
    }
    if (text.empty()) return std::nullopt;
    for (char c : text) {
        if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
        r.data.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
    return r;
}

} // namespace tlsrpt
