// statements.cpp: the store's SQL (statements.hpp). The report parameters, in this order:
// $1 reporter, $2 report_id, $3 organization_name, $4 contact_info, $5/$6 start/end (Unix
// seconds), $7 source, $8 message_id, $9 mail_from, $10 subject, $11 tls_report_domain,
// $12 tls_report_submitter, $13 dkim_result, $14 dkim_domain, $15 quirks, $16 raw,
// $17 raw_text, $18 content (ReportRow::content: policies, hash input), $19 dkim_selector,
// $20 dkim_algorithm, $21 dkim_source, $22 dkim_dnssec, $23 dkim_authenticated,
// $24 authserv_dkim, $25 client_address, $26 user_agent, $27 received_at (Unix seconds; NULL:
// now). The report day ((reporter, report-id, day) is the key; the partition key of
// 009_partitioning.sql) is computed from $5 in SQL.
#include "store/statements.hpp"

#include <string>

namespace tlsrpt::store::sql {

namespace {

// The report day, the partition key: the UTC date of start-datetime (Unix seconds in `param`).
std::string day_of(const char* param) {
    return std::string("(to_timestamp(") + param + "::float8) AT TIME ZONE 'UTC')::date";
}

// Copies of one key (reporter $1, report-id $2) are looked for within 31 days of the report
// day: the unique key includes the day, a re-send whose start date moved less than that is
// still found, and the lookup reads at most three partitions (pruned at executor start: the
// bounds are immutable expressions of a parameter).
std::string same_key(const char* start_param) {
    return "reporter = $1::text AND report_id = $2::text AND day BETWEEN " + day_of(start_param) +
           " - 31 AND " + day_of(start_param) + " + 31";
}

const std::string columns =
    "reporter, report_id, organization_name, contact_info, start_datetime, end_datetime, "
    "source, message_id, mail_from, subject, tls_report_domain, tls_report_submitter, "
    "dkim_result, dkim_domain, quirks, raw, raw_text, content_hash, dkim_selector, "
    "dkim_algorithm, dkim_source, dkim_dnssec, dkim_authenticated, authserv_dkim, "
    "client_address, user_agent, received_at, day";

const std::string values =
    "$1::text, $2::text, $3::text, $4::text, to_timestamp($5::float8), "
    "to_timestamp($6::float8), $7::text, $8::text, $9::text, $10::text, $11::text, "
    "$12::text, $13::text, $14::text, $15::text[], $16::jsonb, $17::text, md5($18::text), "
    "$19::text, $20::text, $21::text, $22::text, $23::boolean, $24::text, $25::inet, $26::text, "
    "coalesce(to_timestamp($27::float8), now()), " +
    day_of("$5");

// After a CTE `report` RETURNING (id, day): the policies and failure details of $18.
const std::string policies_and_details = R"(, policy_in AS (
    SELECT * FROM jsonb_to_recordset($18::text::jsonb -> 'policies') AS x(
        ordinal integer, policy_type text, policy_domain text, policy_string text[],
        mx_host text[], sts_mode text, sts_max_age bigint, sts_mx text[], tlsa text[],
        total_successful_session_count bigint, total_failure_session_count bigint,
        failure_details jsonb)
), policy AS (
    INSERT INTO tlsrpt.policies (report_pk, ordinal, day, policy_type, policy_domain,
        policy_string, mx_host, sts_mode, sts_max_age, sts_mx, tlsa,
        total_successful_session_count, total_failure_session_count)
    SELECT report.id, i.ordinal, report.day, i.policy_type, i.policy_domain,
        i.policy_string, i.mx_host, i.sts_mode, i.sts_max_age, i.sts_mx, i.tlsa,
        i.total_successful_session_count, i.total_failure_session_count
    FROM report CROSS JOIN policy_in i
    RETURNING id, ordinal, day
), detail AS (
    INSERT INTO tlsrpt.failure_details (policy_pk, day, result_type, sending_mta_ip,
        sending_mta_ip_text, receiving_ip, receiving_ip_text, receiving_mx_hostname,
        receiving_mx_helo, failed_session_count, additional_information, failure_reason_code)
    SELECT policy.id, policy.day, f.result_type, f.sending_mta_ip, f.sending_mta_ip_text,
        f.receiving_ip, f.receiving_ip_text, f.receiving_mx_hostname, f.receiving_mx_helo,
        f.failed_session_count, f.additional_information, f.failure_reason_code
    FROM policy JOIN policy_in i USING (ordinal)
    CROSS JOIN LATERAL jsonb_to_recordset(i.failure_details) AS f(result_type text,
        sending_mta_ip inet, sending_mta_ip_text text, receiving_ip inet,
        receiving_ip_text text, receiving_mx_hostname text, receiving_mx_helo text,
        failed_session_count bigint, additional_information text, failure_reason_code text)
))";

} // namespace

const std::string insert_report =
    "WITH report AS (INSERT INTO tlsrpt.reports (" + columns + ") SELECT " + values +
    " WHERE NOT EXISTS (SELECT FROM tlsrpt.reports WHERE " + same_key("$5") +
    ") ON CONFLICT (reporter, report_id, day) DO NOTHING RETURNING id, day)" +
    policies_and_details + R"(
SELECT id, true AS inserted, true AS same_content, $23::boolean AS authenticated FROM report
UNION ALL
(SELECT id, false, content_hash = md5($18::text), dkim_authenticated FROM tlsrpt.reports
WHERE )" +
    same_key("$5") + R"( AND NOT EXISTS (SELECT FROM report) ORDER BY id LIMIT 1)
)";

const std::string existing_report = R"(
SELECT id, false AS inserted, content_hash = md5($3::text) AS same_content, dkim_authenticated
FROM tlsrpt.reports WHERE )" + same_key("$4") +
                                    " ORDER BY id LIMIT 1";

const std::string lock_report = R"(
SELECT dkim_authenticated, content_hash = md5($2::text) FROM tlsrpt.reports
WHERE id = $1::bigint FOR UPDATE
)";

const std::string read_report = R"(
SELECT dkim_authenticated, content_hash = md5($2::text) FROM tlsrpt.reports WHERE id = $1::bigint
)";

const std::string keep_replaced_copy = R"(
INSERT INTO tlsrpt.report_conflicts (report_pk, report_day, received_at, source, content_hash,
    message_id, mail_from, subject, dkim_result, dkim_domain, dkim_selector, dkim_authenticated,
    raw, raw_text, client_address, user_agent, reason)
SELECT id, day, received_at, source, content_hash, message_id, mail_from, subject, dkim_result,
    dkim_domain, dkim_selector, dkim_authenticated, raw, raw_text, client_address, user_agent,
    $2::text
FROM tlsrpt.reports WHERE id = $1::bigint
ON CONFLICT (report_pk, content_hash) DO UPDATE SET reason = EXCLUDED.reason
)";

const std::string delete_policies = "DELETE FROM tlsrpt.policies WHERE report_pk = $1::bigint";

const std::string drop_promoted_conflict = R"(
DELETE FROM tlsrpt.report_conflicts WHERE report_pk = $1::bigint AND content_hash = md5($2::text)
)";

const std::string replace_report =
    "WITH report AS (UPDATE tlsrpt.reports SET (" + columns + ") = (" + values +
    ") WHERE id = $28::bigint AND NOT dkim_authenticated RETURNING id, day)" +
    policies_and_details + " SELECT id FROM report";

const std::string keep_conflict = R"(
INSERT INTO tlsrpt.report_conflicts (report_pk, source, content_hash, message_id, mail_from,
    subject, dkim_result, dkim_domain, dkim_selector, dkim_authenticated, raw, raw_text,
    client_address, user_agent)
VALUES ($1::bigint, $2::text, md5($3::text), $4::text, $5::text, $6::text, $7::text, $8::text,
    $9::text, $10::boolean, $11::jsonb, $12::text, $13::inet, $14::text)
ON CONFLICT (report_pk, content_hash) DO NOTHING
)";

const std::string quarantine = R"(
WITH kept AS (
    INSERT INTO tlsrpt.rejected_messages (source, reason, message_id, mail_from, subject, raw,
        message_hash)
    VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::bytea, md5($7::bytea))
    ON CONFLICT (message_hash) DO NOTHING
    RETURNING id, true AS fresh
)
SELECT id, fresh FROM kept
UNION ALL
SELECT id, false FROM tlsrpt.rejected_messages
WHERE message_hash = md5($7::bytea) AND NOT EXISTS (SELECT FROM kept)
)";

const std::string record_attempt = R"(
WITH forget AS (
    DELETE FROM tlsrpt.failed_attempts WHERE last_seen < now() - interval '7 days'
)
INSERT INTO tlsrpt.failed_attempts AS a (message_hash, last_error)
VALUES (md5($1::bytea), $2::text)
ON CONFLICT (message_hash) DO UPDATE
SET attempts = a.attempts + 1, last_seen = now(), last_error = EXCLUDED.last_error
RETURNING attempts, extract(epoch FROM now() - first_seen)::bigint
)";

const std::string ensure_partition = "SELECT tlsrpt.ensure_partition($1::date)";

} // namespace tlsrpt::store::sql
