// report_finish.cpp: what the JSON stage does once a policy or a report is read (see
// report_finish.hpp): the quirks that need the whole entry (quirks.hpp), the policy-domain
// fallback, the parsed policy-string (RFC 8460 §4.5), the RFC 8460 §5.3 header checks.
#include "report_finish.hpp"

#include "tlsrpt/policy_string.hpp"
#include "tlsrpt/quirks.hpp"
#include "tlsrpt/report_parse.hpp"
#include "tlsrpt/text.hpp"

#include <simdjson.h>

namespace tlsrpt {

namespace {

namespace od = simdjson::ondemand;

// Microsoft sends ["[\"3 1 1 AB..\",\"3 1 1 CD..\"]"]: one string holding a JSON array.
void expand_tlsa_json(Policy& p, Report& r, std::size_t max) {
    if (p.policy_string.size() != 1 || trim(p.policy_string[0]).substr(0, 1) != "[") return;
    thread_local od::parser inner;
    simdjson::padded_string text(p.policy_string[0]);
    od::document doc;
    od::array arr;
    if (inner.iterate(text).get(doc) || doc.get_array().get(arr)) return;
    std::vector<std::string> records;
    for (auto item : arr) {
        std::string_view s;
        if (item.get_string().get(s) || records.size() >= max) return;
        records.emplace_back(s);
    }
    p.policy_string = std::move(records);
    r.add_quirk(quirk::tlsa_policy_string_json);
}

// Splits a bare policy-string (RFC 8460 §4 overview) on `sep`: line breaks for sts, ';' for
// tlsa, as the digest recommends.
std::vector<std::string> split_entries(std::string_view all, char sep, std::size_t max) {
    std::vector<std::string> out;
    while (!all.empty() && out.size() < max) {
        const auto at = all.find(sep);
        const auto entry = trim(all.substr(0, at));
        if (!entry.empty()) out.emplace_back(entry);
        all = at == std::string_view::npos ? std::string_view{} : all.substr(at + 1);
    }
    return out;
}

// The parsed form of policy-string (RFC 8460 §4.5): MTA-STS fields or TLSA records.
void parse_policy_string(Policy& p, Report& r, std::size_t max) {
    const char sep = p.policy_type == "sts" ? '\n' : ';';
    if (p.policy_string.size() == 1 && p.policy_string[0].find(sep) != std::string::npos)
        p.policy_string = split_entries(p.policy_string[0], sep, max);
    if (p.policy_type == "sts") {
        p.sts = parse_sts_policy(p.policy_string);
        if (!p.sts) r.add_quirk(quirk::sts_policy_unparsed);
        return;
    }
    for (const std::string& s : p.policy_string) {
        if (auto rec = parse_tlsa_record(s))
            p.tlsa.push_back(std::move(*rec));
        else
            r.add_quirk(quirk::tlsa_record_unparsed);
    }
}

// Quirks that need the whole policy entry, and the policy-domain fallback.
} // namespace

void finish_policy(Policy& p, Report& r, const MessageHeaders* headers, std::size_t max) {
    if (!is_known_policy_type(p.policy_type)) r.add_quirk(quirk::unknown_policy_type);
    if (p.policy_domain.empty()) {
        r.add_quirk(quirk::policy_domain_missing);
        if (headers) p.policy_domain = headers->tls_report_domain;
    }
    p.policy_domain =
        normalize_domain(p.policy_domain); // as stored and queried: lower case, no final dot
    const bool sts = p.policy_type == "sts", tlsa = p.policy_type == "tlsa";
    if ((sts || tlsa) && p.policy_string.empty()) r.add_quirk(quirk::policy_string_missing);
    if (sts && p.mx_host.empty()) r.add_quirk(quirk::mx_host_missing);
    for (std::string& mx : p.mx_host) {
        const std::string_view stripped = strip_mx_prefix(mx);
        if (stripped.size() == mx.size()) continue;
        r.add_quirk(quirk::mx_host_prefixed);
        mx = std::string(stripped);
    }
    if (p.total_failure_session_count > 0 && p.failure_details.empty())
        r.add_quirk(quirk::failure_details_missing);
    if (tlsa) expand_tlsa_json(p, r, max);
    if ((sts || tlsa) && !p.policy_string.empty()) parse_policy_string(p, r, max);
}

// RFC 8460 §5.3 checks on the carrying message's header fields; logged, never refused.
void check_report_headers(Report& r, const MessageHeaders& h) {
    if (h.tls_report_domain.empty() || h.tls_report_submitter.empty())
        r.add_quirk(quirk::report_headers_missing);
    const auto at = r.contact_info.rfind('@');
    if (at == std::string::npos || h.tls_report_submitter.empty()) return;
    std::string submitter = h.tls_report_submitter;
    for (char& c : submitter)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (submitter != r.reporter()) r.add_quirk(quirk::submitter_mismatch);
}

} // namespace tlsrpt
