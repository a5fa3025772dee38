// dkim_rule.hpp: the one place that decides whether a mailed report is authenticated (RFC 8460
// §3: "a valid DKIM signature by the reporting domain"; reports without one "MUST be ignored").
// Pure functions on plain data: what the verifier (dkim_verify.hpp) found out about each
// signature goes in, a verdict per signature and one per report come out. No libopendkim, no
// DNS, so every case is a table row in tests/test_dkim_rule.cpp.
#pragma once

#include "tlsrpt/report.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tlsrpt {

// How fetching a signature's key (RFC 6376 §6.1.2) ended.
enum class KeyLookup {
    ok,        // a key record was found
    not_found, // NXDOMAIN / no TXT record: PERMFAIL
    temporary, // SERVFAIL, timeout, resolver down: TEMPFAIL, retry later
    bogus,     // DNSSEC validation failed
    skipped,   // not attempted (too many signatures on the message)
};

// What libopendkim reported beyond pass/fail, reduced to the classes the rule tells apart.
enum class SigError {
    none,
    bad_signature,  // the header hash did not verify (DKIM_SIGERROR_BADSIG)
    key_too_small,  // under the library's minimum (DKIM_SIGERROR_KEYTOOSMALL)
    key_service,    // the key's s= excludes email (DKIM_SIGERROR_NOTEMAILKEY)
    key_unusable,   // revoked, undecodable, bad syntax, wrong key type
    signature_tags, // the DKIM-Signature field itself is malformed or expired
    other,
};

// Everything known about one DKIM-Signature after verification.
struct SignatureFacts {
    std::string domain;                // d=, lower case
    std::string selector;              // s=
    std::string algorithm;             // a=: rsa-sha256 | rsa-sha1 | ed25519-sha256 | ...
    bool header_verified = false;      // DKIM_SIGFLAG_PASSED
    std::optional<bool> body_verified; // bh= matched; nullopt when not tested
    bool has_length_tag = false;       // l= present
    KeyLookup key_lookup = KeyLookup::ok;
    std::optional<std::vector<std::string>> key_services; // the key's s= list; nullopt: absent
    unsigned key_bits = 0;                                // 0 when unknown
    SigError error = SigError::none;
    std::string error_text; // libopendkim's or the resolver's words
    std::string dnssec;     // secure | insecure | bogus | unknown
};

// The per-signature verdict, in RFC 8601 §2.7.1 result words.
struct SignatureCheck {
    std::string domain;
    std::string selector;
    std::string algorithm;
    std::string result; // pass | fail | policy | neutral | temperror | permerror
    std::string reason; // empty for pass
    std::string dnssec;
    std::string source = "milter"; // who verified: milter, or authserv:<id> (RFC 8601)
};

// RFC 6376 and RFC 8460 §3 applied to one signature, in this order: key lookup (temperror /
// permerror, §6.1.2), key service type (s= must allow tlsrpt: absent, "*", "email" or a list
// with "tlsrpt", §3.6.1), key and signature errors, key size (RFC 8301 §3.2: 1024 bits at
// least), header hash and body hash (§6.1.3), then the algorithm (RFC 8301 §3.1: rsa-sha1 is
// not acceptable) and l= (RFC 8460 §3: MUST NOT be used). The last two are "policy": the
// signature verified but is not acceptable for a report.
SignatureCheck check_signature(const SignatureFacts& facts);

// Whether the key's service list allows TLS reports (RFC 6376 §3.6.1, RFC 8460 §3).
bool key_allows_tlsrpt(const std::optional<std::vector<std::string>>& services);

// RFC 8460 §3 "by the reporting domain", with the digest's organisational rule: the domains are
// equal, or one is a parent of the other on a label boundary and the shorter has at least two
// labels (so d=com never vouches for example.com).
bool dkim_domain_aligned(std::string_view signer, std::string_view reporter);

// The domain a report's signature must be aligned with: its storage key domain
// (Report::reporter(): the contact-info domain, else organization-name), normalized, so that
// no signature of one domain can claim the key (reporter, report-id) of another.
std::string dkim_alignment_domain(const Report& report);

// The verdict for one report.
struct DkimAssessment {
    std::string result; // of the signature recorded: pass ... permerror, or none
    std::string domain; // its d=
    std::string selector;
    std::string algorithm;
    std::string dnssec;
    std::string source;         // of the signature recorded
    bool authenticated = false; // a pass aligned with the reporter domain
    bool temporary = false;     // not authenticated, but an aligned key lookup may yet succeed
    std::string reason;         // why not authenticated (names the signature and its problem)
};

// RFC 8460 §3 for a report whose storage key domain is `reporter_domain`: authenticated when
// some signature passes and is aligned with it. Otherwise the signature to record is the first
// aligned one (its problem is the reason), else the first one; `temporary` when an aligned
// signature failed only for a temporary key lookup failure (answer 4xx, RFC 6376 §6.1.2).
DkimAssessment assess_dkim(const std::vector<SignatureCheck>& checks,
                           std::string_view reporter_domain);

// assess_dkim() for each report, in order.
std::vector<DkimAssessment> assess_reports(const std::vector<SignatureCheck>& checks,
                                           const std::vector<Report>& reports);

} // namespace tlsrpt
