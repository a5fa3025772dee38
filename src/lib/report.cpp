// report.cpp: the few behaviours of the Report struct: quirk bookkeeping and the reporter key.
#include "tlsrpt/report.hpp"

#include "tlsrpt/text.hpp"

#include <algorithm>
#include <cctype>

namespace tlsrpt {

void Report::add_quirk(const std::string& name) {
    if (!has_quirk(name)) quirks.push_back(name);
}

bool Report::has_quirk(const std::string& name) const {
    return std::find(quirks.begin(), quirks.end(), name) != quirks.end();
}

// RFC 8460 §5.3: TLS-Report-Submitter matches the contact-info domain, so that domain names
// the reporter; organization-name stands in when contact-info is missing.
std::string Report::reporter() const {
    const auto at = contact_info.rfind('@');
    std::string out = at == std::string::npos ? std::string() : contact_info.substr(at + 1);
    out = normalize_domain(out);
    return out.empty() ? to_lower(organization_name) : out; // a name, not a domain: kept whole
}

} // namespace tlsrpt
