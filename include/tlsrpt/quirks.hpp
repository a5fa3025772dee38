// quirks.hpp: the names of the deviations from RFC 8460 the reader tolerates. Each is recorded on
// the report it was seen in (Report::quirks), so users can see which senders deviate.
// Digest of the known ones: ../shared/spec sections 2 and 4.
#pragma once

namespace tlsrpt::quirk {

// RFC 3339 §5.6 requires an offset; Microsoft has sent none. Read as UTC.
inline constexpr const char* date_without_offset = "date-without-offset";
// end-datetime at the next day's 00:00:00 instead of 23:59:59 (RFC 8460 §4.4 shows the latter).
inline constexpr const char* end_at_next_midnight = "end-at-next-midnight";
// RFC 8460 Appendix B (erratum 6241) writes mx-host as a string; §4.4 wants an array.
inline constexpr const char* mx_host_string = "mx-host-string";
// mx-host entries copied from the policy with their "mx: " prefix.
inline constexpr const char* mx_host_prefixed = "mx-host-prefixed";
inline constexpr const char* mx_host_missing = "mx-host-missing";
inline constexpr const char* policy_string_missing = "policy-string-missing";
// policy-string sent as one string (§4 overview) instead of an array (§4.4).
inline constexpr const char* policy_string_string = "policy-string-string";
// Microsoft: the tlsa policy-string is one string holding a JSON array of records.
inline constexpr const char* tlsa_policy_string_json = "tlsa-policy-string-json";
// failures counted in the summary but no failure-details given.
inline constexpr const char* failure_details_missing = "failure-details-missing";
// a failure-details entry with only result-type and failed-session-count (Mail.ru, Microsoft).
inline constexpr const char* failure_details_minimal = "failure-details-minimal";
// a failure-details entry without any member ({}): skipped, never stored.
inline constexpr const char* failure_details_empty = "failure-details-empty";
inline constexpr const char* contact_info_missing = "contact-info-missing";
// Postfix's reporter omits policy-domain for no-policy-found; filled from TLS-Report-Domain.
inline constexpr const char* policy_domain_missing = "policy-domain-missing";
inline constexpr const char* count_as_string = "count-as-string";
inline constexpr const char* summary_count_missing = "summary-count-missing";
// draft-ietf-uta-smtp-tlsrpt names: failure-error-code, additional-info-uri.
inline constexpr const char* draft_member_names = "draft-member-names";
inline constexpr const char* unknown_result_type = "unknown-result-type";
inline constexpr const char* unknown_policy_type = "unknown-policy-type";
inline constexpr const char* report_id_missing = "report-id-missing";
inline constexpr const char* organization_name_missing = "organization-name-missing";
inline constexpr const char* value_not_string = "value-not-string";
// RFC 8460 §5.3: TLS-Report-Submitter MUST match the contact-info domain; both header fields
// MUST be present. Checked only for reports that came in a message.
inline constexpr const char* submitter_mismatch = "submitter-mismatch";
inline constexpr const char* report_headers_missing = "report-headers-missing";
inline constexpr const char* sts_policy_unparsed = "sts-policy-unparsed";
inline constexpr const char* tlsa_record_unparsed = "tlsa-record-unparsed";

} // namespace tlsrpt::quirk
