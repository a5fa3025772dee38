// store.cpp: tlsrpt::store::Store (store.hpp). A report is written by one prepared statement
// whose data-modifying CTEs insert the report, its policies and their failure details, so
// the report is stored whole or not at all in one round trip (autocommit: one statement, one
// transaction). Duplicates by (reporter, report-id) are stored once (digest §5): ON CONFLICT
// DO NOTHING, then the existing row's content hash tells a duplicate from a conflict.
#include "tlsrpt/store.hpp"

#include "store/classify.hpp"
#include "store/connection.hpp"
#include "store/migrations.hpp"
#include "store/report_row.hpp"

#include <pqxx/pqxx>

namespace tlsrpt::store {

namespace {

// Parameters: $1 reporter, $2 report_id, $3 organization_name, $4 contact_info,
// $5/$6 start/end (Unix seconds), $7 source, $8 message_id, $9 mail_from, $10 subject,
// $11 tls_report_domain, $12 tls_report_submitter, $13 dkim_result, $14 dkim_domain,
// $15 quirks, $16 raw, $17 raw_text, $18 content (ReportRow::content: policies, hash input).
// Rows: (id, inserted, same_content) for the new row, or for the existing one.
constexpr const char* insert_report_sql = R"(
WITH report AS (
    INSERT INTO tlsrpt.reports (reporter, report_id, organization_name, contact_info,
        start_datetime, end_datetime, source, message_id, mail_from, subject,
        tls_report_domain, tls_report_submitter, dkim_result, dkim_domain, quirks, raw,
        raw_text, content_hash)
    VALUES ($1::text, $2::text, $3::text, $4::text, to_timestamp($5::float8),
        to_timestamp($6::float8), $7::text, $8::text, $9::text, $10::text, $11::text,
        $12::text, $13::text, $14::text, $15::text[], $16::jsonb, $17::text, md5($18::text))
    ON CONFLICT (reporter, report_id) DO NOTHING
    RETURNING id, (start_datetime AT TIME ZONE 'UTC')::date AS day
), policy_in AS (
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
)
SELECT id, true AS inserted, true AS same_content FROM report
UNION ALL
SELECT id, false, content_hash = md5($18::text) FROM tlsrpt.reports
WHERE reporter = $1::text AND report_id = $2::text AND NOT EXISTS (SELECT FROM report)
)";

// A row committed by another session after this statement's snapshot was taken: ON CONFLICT
// saw it, the statement's SELECT could not.
constexpr const char* existing_report_sql = R"(
SELECT id, false AS inserted, content_hash = md5($3::text) AS same_content
FROM tlsrpt.reports WHERE reporter = $1::text AND report_id = $2::text
)";

// A different later copy of a stored report (002_report_conflicts.sql), kept once.
constexpr const char* conflict_sql = R"(
INSERT INTO tlsrpt.report_conflicts (report_pk, source, content_hash, message_id, mail_from,
    subject, dkim_result, dkim_domain, raw, raw_text)
VALUES ($1::bigint, $2::text, md5($3::text), $4::text, $5::text, $6::text, $7::text, $8::text,
    $9::jsonb, $10::text)
ON CONFLICT (report_pk, content_hash) DO NOTHING
)";

constexpr const char* quarantine_sql = R"(
INSERT INTO tlsrpt.rejected_messages (source, reason, message_id, mail_from, subject, raw)
VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::bytea)
RETURNING id
)";

Outcome outcome_of(const pqxx::row& row, const ReportRow& r) {
    Outcome out;
    out.report_pk = row[0].as<std::int64_t>();
    if (row[1].as<bool>()) {
        out.status = Status::stored;
    } else if (row[2].as<bool>()) {
        out.status = Status::duplicate;
    } else {
        out.status = Status::conflict;
        out.message = "report-id '" + r.report_id + "' from reporter '" + r.reporter +
                      "' is already stored (id " + std::to_string(out.report_pk) +
                      ") with different content; the first copy is kept, this one is in "
                      "tlsrpt.report_conflicts";
    }
    return out;
}

} // namespace

const char* to_string(Source s) {
    switch (s) {
    case Source::smtp:
        return "smtp";
    case Source::file:
        return "file";
    case Source::https:
        return "https";
    }
    return "?";
}

const char* to_string(Status s) {
    switch (s) {
    case Status::stored:
        return "stored";
    case Status::duplicate:
        return "duplicate";
    case Status::conflict:
        return "conflict";
    case Status::temporary:
        return "temporary";
    case Status::permanent:
        return "permanent";
    }
    return "?";
}

struct Store::Impl {
    std::string conninfo;
    std::chrono::milliseconds timeout;
    std::unique_ptr<pqxx::connection> conn;
    bool ready = false; // schema checked and statements prepared on conn

    pqxx::connection& connection() {
        if (!conn) {
            conn = connect(conninfo, timeout);
            ready = false;
        }
        return *conn;
    }

    // The connection, once the schema is known to be new enough for the statements.
    pqxx::connection& prepared() {
        pqxx::connection& c = connection();
        if (ready) return c;
        const int have = store::schema_version(c), need = expected_schema_version();
        if (have < need)
            throw TemporaryError("database schema version " + std::to_string(have) +
                                 ", this build needs " + std::to_string(need) +
                                 ": run `tlsrptctl db migrate`");
        c.prepare("tlsrpt_insert_report", insert_report_sql);
        c.prepare("tlsrpt_existing_report", existing_report_sql);
        c.prepare("tlsrpt_quarantine", quarantine_sql);
        c.prepare("tlsrpt_conflict", conflict_sql);
        ready = true;
        return c;
    }

    // Classifies the exception in flight; a temporary failure drops the connection so the
    // next call starts on a fresh one (reconnect after a lost connection or a shutdown).
    Outcome fail() {
        const Failure f = classify_current_exception();
        if (f.status == Status::temporary || (conn && !conn->is_open())) conn.reset();
        Outcome out;
        out.status = f.status;
        out.message = f.message;
        return out;
    }
};

Store::Store(std::string conninfo, std::chrono::milliseconds statement_timeout)
    : impl_(std::make_unique<Impl>()) {
    check_conninfo(conninfo);
    impl_->conninfo = std::move(conninfo);
    impl_->timeout = statement_timeout;
}

Store::~Store() = default;

// One report in one statement (autocommit): all its rows or none.
Outcome Store::insert(const ReportRow& r) {
    pqxx::nontransaction tx(impl_->prepared(), "tlsrpt_store_report");
    pqxx::result res =
        tx.exec_prepared("tlsrpt_insert_report", r.reporter, r.report_id, r.organization_name,
                         r.contact_info, r.start_datetime, r.end_datetime, r.source, r.message_id,
                         r.mail_from, r.subject, r.tls_report_domain, r.tls_report_submitter,
                         r.dkim_result, r.dkim_domain, r.quirks, r.raw, r.raw_text, r.content);
    if (res.empty())
        res = tx.exec_prepared("tlsrpt_existing_report", r.reporter, r.report_id, r.content);
    if (res.empty()) throw TemporaryError("report neither inserted nor found; retry");
    Outcome out = outcome_of(res[0], r);
    if (out.status == Status::conflict)
        tx.exec_prepared("tlsrpt_conflict", out.report_pk, r.source, r.content, r.message_id,
                         r.mail_from, r.subject, r.dkim_result, r.dkim_domain, r.raw, r.raw_text);
    return out;
}

Outcome Store::store_report(const Report& report, const StoreOptions& options) {
    try {
        ReportRow r = make_report_row(report, options);
        try {
            return insert(r);
        } catch (const pqxx::data_exception&) {
            // jsonb refuses some valid JSON (a number beyond numeric's range, say): keep the
            // original as text instead of losing the report; a second refusal is the answer
            if (!r.raw) throw;
            r.raw_text = std::move(r.raw);
            r.raw.reset();
            return insert(r);
        }
    } catch (...) {
        return impl_->fail();
    }
}

Outcome Store::quarantine(const std::string& raw_message, const std::string& reason,
                          const MessageHeaders& headers, Source source) {
    try {
        pqxx::nontransaction tx(impl_->prepared(), "tlsrpt_quarantine");
        const pqxx::binarystring raw(raw_message.data(), raw_message.size());
        const pqxx::row row = tx.exec_prepared1(
            "tlsrpt_quarantine", std::string(to_string(source)), pg_text(reason),
            opt_text(headers.message_id), opt_text(headers.from), opt_text(headers.subject), raw);
        Outcome out;
        out.status = Status::stored;
        out.report_pk = row[0].as<std::int64_t>();
        return out;
    } catch (...) {
        return impl_->fail();
    }
}

int Store::schema_version() {
    try {
        return store::schema_version(impl_->connection());
    } catch (...) {
        if (impl_->conn && !impl_->conn->is_open()) impl_->conn.reset();
        throw;
    }
}

} // namespace tlsrpt::store
