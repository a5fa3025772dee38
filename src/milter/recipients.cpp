// recipients.cpp: matching envelope recipients against the configured report addresses.
#include "recipients.hpp"

#include "tlsrpt/text.hpp"

#include <algorithm>
#include <cctype>

namespace milter {

std::string normalize_address(std::string_view envelope) {
    const auto b = envelope.find_first_not_of(" \t<");
    if (b == std::string_view::npos) return {};
    const auto e = envelope.find_last_not_of(" \t>");
    return tlsrpt::to_lower(envelope.substr(b, e - b + 1));
}

std::string strip_subaddress(const std::string& normalized) {
    const auto at = normalized.rfind('@');
    const auto plus = normalized.find('+');
    if (at == std::string::npos || plus == std::string::npos || plus > at) return normalized;
    return normalized.substr(0, plus) + normalized.substr(at);
}

bool is_report_address(std::string_view envelope,
                       const std::vector<std::string>& report_addresses) {
    const std::string a = normalize_address(envelope);
    if (a.empty()) return false;
    const std::string base = strip_subaddress(a);
    return std::any_of(report_addresses.begin(), report_addresses.end(),
                       [&](const std::string& r) { return r == a || r == base; });
}

} // namespace milter
