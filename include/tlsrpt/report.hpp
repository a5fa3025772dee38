// report.hpp: plain structs mirroring an RFC 8460 §4.4 report, plus what the reader learned
// about it (quirks, the message headers it came with). No behaviour lives here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tlsrpt {

// Seconds since the Unix epoch, UTC.
using UnixTime = std::int64_t;

// One TLSA record of a DANE policy-string (RFC 8460 §4.5, RFC 6698 §2.2 presentation form).
struct TlsaRecord {
    int usage = -1;
    int selector = -1;
    int matching_type = -1;
    std::string data; // hex, upper-cased
};

// An MTA-STS policy-string read as RFC 8461 §3.2 key/value lines.
struct StsPolicy {
    std::string version;
    std::string mode; // enforce | testing | none | whatever the site wrote
    std::optional<std::int64_t> max_age;
    std::vector<std::string> mx;
};

// RFC 8460 §4.4 "failure-details" entry. Absent members are empty strings / nullopt.
struct FailureDetail {
    std::string result_type;
    std::string sending_mta_ip;
    std::string receiving_mx_hostname;
    std::string receiving_mx_helo;
    std::string receiving_ip;
    std::int64_t failed_session_count = 0;
    std::string additional_information;
    std::string failure_reason_code;
};

// RFC 8460 §4.4 "policies" entry: the policy object, its summary, its failure details.
struct Policy {
    std::string policy_type; // sts | tlsa | no-policy-found | unknown values kept as text
    std::vector<std::string> policy_string;
    std::string policy_domain;
    std::vector<std::string> mx_host;
    std::int64_t total_successful_session_count = 0;
    std::int64_t total_failure_session_count = 0;
    std::vector<FailureDetail> failure_details;

    std::optional<StsPolicy> sts; // set when policy_type is sts and the string parsed
    std::vector<TlsaRecord> tlsa; // set when policy_type is tlsa
};

// Headers of the carrying message that the store and the DKIM check need (RFC 8460 §5.3).
struct MessageHeaders {
    std::string from;
    std::string subject;
    std::string message_id;
    std::string date;
    std::string tls_report_domain;
    std::string tls_report_submitter;
    std::vector<std::string> authentication_results;

    bool empty() const {
        return from.empty() && subject.empty() && message_id.empty() && date.empty() &&
               tls_report_domain.empty() && tls_report_submitter.empty() &&
               authentication_results.empty();
    }
};

// One RFC 8460 report as read, normalized.
struct Report {
    std::string organization_name;
    UnixTime start_datetime = 0;
    UnixTime end_datetime = 0;
    std::string contact_info;
    std::string report_id;
    std::vector<Policy> policies;

    // Named deviations from RFC 8460 the reader tolerated (see quirks.hpp), in order, unique.
    std::vector<std::string> quirks;
    MessageHeaders headers; // empty for a bare JSON / gzip / zip input
    std::string raw_json;   // the decompressed JSON exactly as received
    std::string part_name;  // MIME filename or archive entry, when there was one

    void add_quirk(const std::string& name);
    bool has_quirk(const std::string& name) const;
    // The reporter used for de-duplication: contact-info domain, else organization-name.
    std::string reporter() const;
};

} // namespace tlsrpt
