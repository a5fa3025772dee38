// dkim_rule.cpp: the DKIM rule of RFC 8460 §3 (see dkim_rule.hpp for the order of the checks).
#include "tlsrpt/dkim_rule.hpp"

#include "tlsrpt/text.hpp"

#include <algorithm>

namespace tlsrpt {

namespace {

constexpr unsigned kMinKeyBits = 1024; // RFC 8301 §3.2

std::string join_services(const std::vector<std::string>& services) {
    std::string out;
    for (const std::string& s : services)
        out += (out.empty() ? "" : ":") + s;
    return out;
}

// The key's record name, for reasons ("sel._domainkey.example.com").
std::string key_name(const SignatureFacts& f) {
    return f.selector + "._domainkey." + f.domain;
}

// The first reason a signature is not a pass, and its result word; nullopt for a pass.
struct Problem {
    const char* result;
    std::string reason;
};

std::optional<Problem> key_problem(const SignatureFacts& f) {
    switch (f.key_lookup) {
    case KeyLookup::ok:
        break;
    case KeyLookup::temporary:
        return Problem{"temperror", "key lookup of " + key_name(f) + " failed temporarily" +
                                        (f.error_text.empty() ? "" : ": " + f.error_text)};
    case KeyLookup::not_found:
        return Problem{"permerror", "no key published at " + key_name(f)};
    case KeyLookup::bogus:
        return Problem{"permerror", "key record " + key_name(f) + " failed DNSSEC validation"};
    case KeyLookup::skipped:
        return Problem{"neutral", "not verified: too many signatures on the message"};
    }
    if (!key_allows_tlsrpt(f.key_services))
        return Problem{"policy", "key s=" + join_services(*f.key_services) +
                                     " does not allow service tlsrpt (RFC 6376 section 3.6.1)"};
    return std::nullopt;
}

std::optional<Problem> signature_problem(const SignatureFacts& f) {
    const std::string words = f.error_text.empty() ? "" : " (" + f.error_text + ")";
    switch (f.error) {
    case SigError::none:
    case SigError::bad_signature:
        break;
    case SigError::key_service: // only when our own s= reading missed it; kept as policy
        return Problem{"policy", "key does not allow this service" + words};
    case SigError::key_too_small:
        return Problem{"policy", "key is too small" + words};
    case SigError::key_unusable:
        return Problem{"permerror", "key record " + key_name(f) + " is unusable" + words};
    case SigError::signature_tags:
        return Problem{"permerror", "malformed signature" + words};
    case SigError::other:
        if (!f.header_verified) return Problem{"permerror", "not verifiable" + words};
        break;
    }
    const bool rsa = f.algorithm.rfind("rsa-", 0) == 0; // RFC 8463 ed25519 keys are 256 bits
    if (rsa && f.key_bits != 0 && f.key_bits < kMinKeyBits)
        return Problem{"policy", std::to_string(f.key_bits) +
                                     "-bit key (RFC 8301 section 3.2 requires 1024 bits)"};
    if (!f.header_verified) return Problem{"fail", "signature did not verify (header hash)"};
    if (!f.body_verified) return Problem{"fail", "body hash not checked"};
    if (!*f.body_verified) return Problem{"fail", "body hash did not verify (body changed)"};
    if (f.algorithm == "rsa-sha1")
        return Problem{"policy", "rsa-sha1 signature (RFC 8301 section 3.1: not acceptable)"};
    if (f.has_length_tag)
        return Problem{"policy", "signature with l= (RFC 8460 section 3 forbids it)"};
    return std::nullopt;
}

std::string describe(const SignatureCheck& c) {
    return "d=" + (c.domain.empty() ? std::string("?") : c.domain) +
           " s=" + (c.selector.empty() ? std::string("?") : c.selector) + ": " +
           (c.result == "pass" ? std::string("pass") : c.reason);
}

} // namespace

bool key_allows_tlsrpt(const std::optional<std::vector<std::string>>& services) {
    if (!services) return true; // absent: "*" (RFC 6376 §3.6.1)
    return std::any_of(services->begin(), services->end(), [](const std::string& s) {
        const std::string v = to_lower(trim(s));
        return v == "*" || v == "email" || v == "tlsrpt";
    });
}

SignatureCheck check_signature(const SignatureFacts& f) {
    SignatureCheck c{f.domain, f.selector, f.algorithm, "pass", "", f.dnssec, "milter"};
    std::optional<Problem> p = key_problem(f);
    if (!p) p = signature_problem(f);
    if (p) {
        c.result = p->result;
        c.reason = std::move(p->reason);
    }
    return c;
}

bool dkim_domain_aligned(std::string_view signer, std::string_view reporter) {
    const std::string a = normalize_domain(signer);
    const std::string b = normalize_domain(reporter);
    if (a.empty() || b.empty()) return false;
    if (a == b) return true;
    const std::string& shorter = a.size() < b.size() ? a : b;
    const std::string& longer = a.size() < b.size() ? b : a;
    if (shorter.find('.') == std::string::npos) return false;
    return longer.size() > shorter.size() + 1 &&
           longer.compare(longer.size() - shorter.size(), shorter.size(), shorter) == 0 &&
           longer[longer.size() - shorter.size() - 1] == '.';
}

DkimAssessment assess_dkim(const std::vector<SignatureCheck>& checks,
                           std::string_view reporter_domain) {
    DkimAssessment a;
    const std::string reporter = normalize_domain(reporter_domain);
    const SignatureCheck* aligned_pass = nullptr;
    const SignatureCheck* aligned_temp = nullptr;
    const SignatureCheck* aligned_other = nullptr;
    for (const SignatureCheck& c : checks) {
        if (!dkim_domain_aligned(c.domain, reporter)) continue;
        if (c.result == "pass" && !aligned_pass) aligned_pass = &c;
        if (c.result == "temperror" && !aligned_temp) aligned_temp = &c;
        if (!aligned_other) aligned_other = &c;
    }
    const SignatureCheck* chosen = aligned_pass     ? aligned_pass
                                   : aligned_temp   ? aligned_temp
                                   : aligned_other  ? aligned_other
                                   : checks.empty() ? nullptr
                                                    : &checks.front();
    if (!chosen) {
        a.result = "none";
        a.reason = "the message carries no DKIM signature (RFC 8460 section 3 requires one)";
        return a;
    }
    a.result = chosen->result;
    a.domain = chosen->domain;
    a.selector = chosen->selector;
    a.algorithm = chosen->algorithm;
    a.dnssec = chosen->dnssec;
    a.source = chosen->source;
    a.authenticated = chosen == aligned_pass;
    if (a.authenticated) return a;
    a.temporary = chosen == aligned_temp;
    if (reporter.empty())
        a.reason = "the report names no reporter domain to check DKIM against";
    else if (chosen == aligned_other || chosen == aligned_temp)
        a.reason = "no valid DKIM signature by " + reporter + ": " + describe(*chosen);
    else
        a.reason = "no DKIM signature by " + reporter + " (RFC 8460 section 3); " +
                   describe(*chosen) + (chosen->result == "pass" ? " (not aligned)" : "");
    return a;
}

std::string dkim_alignment_domain(const Report& report) {
    return normalize_domain(report.reporter());
}

std::vector<DkimAssessment> assess_reports(const std::vector<SignatureCheck>& checks,
                                           const std::vector<Report>& reports) {
    std::vector<DkimAssessment> out;
    out.reserve(reports.size());
    for (const Report& r : reports)
        out.push_back(assess_dkim(checks, dkim_alignment_domain(r)));
    return out;
}

} // namespace tlsrpt
