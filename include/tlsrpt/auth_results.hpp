// auth_results.hpp: Authentication-Results header fields (RFC 8601) read as far as the TLSRPT
// DKIM rule needs them (RFC 8460 §3: a report sent by mail must carry a valid DKIM signature
// "by the reporting domain"). The MTA's own verifier (OpenDKIM, rspamd, ...) checks the
// signature; this file only reads its verdict, and only from verifiers the caller trusts.
#pragma once

#include "tlsrpt/dkim_rule.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tlsrpt {

// One "ptype.property=value" of a resinfo, e.g. header.d=example.com (RFC 8601 §2.2).
struct AuthProperty {
    std::string ptype;    // smtp | header | body | policy, lower case
    std::string property; // d | i | s | from | ..., lower case
    std::string value;    // as written, quotes removed
};

// One "method=result ..." of a field (RFC 8601 §2.2 resinfo).
struct AuthMethodResult {
    std::string method; // dkim | spf | dmarc | ..., lower case, version suffix removed
    std::string result; // pass | fail | none | temperror | ..., lower case
    std::string reason;
    std::vector<AuthProperty> properties;

    // The value of the first ptype.property, or "" when absent.
    std::string property(std::string_view ptype, std::string_view name) const;
};

struct AuthResults {
    std::string authserv_id; // as written (compare case-insensitively)
    std::vector<AuthMethodResult> results;
};

// Parses one field value (the text after "Authentication-Results:"). Comments and folding are
// skipped; an unreadable resinfo is skipped to the next ';'. nullopt: no authserv-id at all.
std::optional<AuthResults> parse_auth_results(std::string_view value);

// The dkim results of the fields whose authserv-id is in `trusted_ids` (case-insensitive), in
// field order, as checks the DKIM rule (dkim_rule.hpp) can weigh: result as the verifier wrote
// it, domain header.d (else the domain of header.i), selector header.s, source
// "authserv:<id>". Fields from other verifiers are ignored (RFC 8601 §5: only trust your own).
std::vector<SignatureCheck> trusted_dkim_checks(const std::vector<std::string>& field_values,
                                                const std::vector<std::string>& trusted_ids);

} // namespace tlsrpt
