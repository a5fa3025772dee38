// policy_string.hpp: reading the policy-string array of a report (RFC 8460 §4.5) into an
// MTA-STS policy (RFC 8461 §3.2) or TLSA records (RFC 6698 §2.2).
#pragma once

#include "tlsrpt/report.hpp"
#include "tlsrpt/text.hpp"

#include <optional>
#include <string_view>
#include <vector>

namespace tlsrpt {

// Key/value lines "key: value"; unknown keys ignored, a repeated non-mx key keeps its first
// value (RFC 8461 §3.2). nullopt when no line is a known key.
std::optional<StsPolicy> parse_sts_policy(const std::vector<std::string>& lines);

// "usage selector matching-type hex" (RFC 8460 §4.5). nullopt when the text is no TLSA record.
std::optional<TlsaRecord> parse_tlsa_record(std::string_view text);

// "mx: host" -> "host" for mx-host entries that carry the policy line's prefix.
std::string_view strip_mx_prefix(std::string_view entry);

} // namespace tlsrpt
