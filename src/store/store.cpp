// store.cpp: tlsrpt::store::Store (store.hpp). A report is written by one prepared statement
// (statements.cpp) whose data-modifying CTEs insert the report, its policies and their failure
// details, so the report is stored whole or not at all in one round trip (autocommit: one
// statement, one transaction). Duplicates by (reporter, report-id) are stored once (digest
// §5): ON CONFLICT DO NOTHING, then the existing row's content hash tells a duplicate from a
// conflict. The rare replacement of an unauthenticated copy by an authenticated one (RFC 8460
// §3, digest §5 "keep the first authenticated copy") is one explicit transaction. Before the
// first report of a month the store makes sure that month's partitions exist
// (009_partitioning.sql, tlsrpt.ensure_partition), once per month and connection.
#include "tlsrpt/store.hpp"

#include "store/classify.hpp"
#include "store/connection.hpp"
#include "store/migrations.hpp"
#include "store/report_row.hpp"
#include "store/statements.hpp"
#include "tlsrpt/datetime.hpp"
#include "tlsrpt/headers.hpp"

#include <pqxx/pqxx>
#include <set>

namespace tlsrpt::store {

namespace {

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
    case Source::imap:
        return "imap";
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
    case Status::replaced:
        return "replaced";
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
    bool ready = false;           // schema checked and statements prepared on conn
    std::set<std::string> months; // "YYYY-MM-01" whose partitions are known to exist

    pqxx::connection& connection() {
        if (!conn) {
            conn = connect(conninfo, timeout);
            ready = false;
            months.clear();
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
        c.prepare("tlsrpt_insert_report", sql::insert_report);
        c.prepare("tlsrpt_existing_report", sql::existing_report);
        c.prepare("tlsrpt_lock_report", sql::lock_report);
        c.prepare("tlsrpt_read_report", sql::read_report);
        c.prepare("tlsrpt_keep_replaced", sql::keep_replaced_copy);
        c.prepare("tlsrpt_delete_policies", sql::delete_policies);
        c.prepare("tlsrpt_drop_promoted", sql::drop_promoted_conflict);
        c.prepare("tlsrpt_replace_report", sql::replace_report);
        c.prepare("tlsrpt_quarantine", sql::quarantine);
        c.prepare("tlsrpt_record_attempt", sql::record_attempt);
        c.prepare("tlsrpt_conflict", sql::keep_conflict);
        c.prepare("tlsrpt_ensure_partition", sql::ensure_partition);
        ready = true;
        return c;
    }

    // Makes sure the partitions of the month of `start` (Unix seconds) exist. When that fails
    // but the database answers (a lock wait ran out behind a long query), the report goes to
    // the default partition and `tlsrptctl db maintain` moves it later.
    void ensure_month(std::int64_t start) {
        const std::string month = month_of(start);
        if (months.count(month)) return;
        try {
            pqxx::nontransaction tx(prepared(), "tlsrpt_ensure_partition");
            tx.exec_prepared("tlsrpt_ensure_partition", month);
            months.insert(month);
        } catch (const pqxx::broken_connection&) {
            throw;
        } catch (const pqxx::sql_error&) {
            if (!conn || !conn->is_open()) throw;
        } catch (const pqxx::transaction_rollback&) { // a deadlock: libpqxx 6.4's own class
            if (!conn || !conn->is_open()) throw;
        }
    }

    // "YYYY-MM-01" of the UTC month of a Unix time.
    static std::string month_of(std::int64_t t) { return format_rfc3339(t).substr(0, 8) + "01"; }

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

namespace {

// exec_prepared with the 27 report parameters (statements.cpp order), then `extra`.
template <typename Tx, typename... Extra>
pqxx::result exec_report(Tx& tx, const char* statement, const ReportRow& r, Extra&&... extra) {
    return tx.exec_prepared(statement, r.reporter, r.report_id, r.organization_name, r.contact_info,
                            r.start_datetime, r.end_datetime, r.source, r.message_id, r.mail_from,
                            r.subject, r.tls_report_domain, r.tls_report_submitter, r.dkim_result,
                            r.dkim_domain, r.quirks, r.raw, r.raw_text, r.content, r.dkim_selector,
                            r.dkim_algorithm, r.dkim_source, r.dkim_dnssec, r.dkim_authenticated,
                            r.authserv_dkim, r.client_address, r.user_agent, r.received_at,
                            std::forward<Extra>(extra)...);
}

// A report of many rows gets a statement timeout that grows with it (0.25 ms a row beyond the
// first 10,000: the owner stores about 0.09 ms a row, a writer under row security about 0.17,
// 012_writer_row_security.sql), so a large valid report inside the limits stores instead of
// timing out on every retry; restored when the statement is done.
class ScaledTimeout {
  public:
    ScaledTimeout(pqxx::connection& c, std::chrono::milliseconds base, std::size_t rows)
        : conn_(c), base_(base) {
        if (base.count() <= 0 || rows <= 10000) return;
        const long long ms = base.count() + static_cast<long long>((rows - 10000) / 4);
        conn_.set_variable("statement_timeout", std::to_string(ms));
        scaled_ = true;
    }
    ~ScaledTimeout() {
        if (!scaled_) return;
        try {
            conn_.set_variable("statement_timeout", std::to_string(base_.count()));
        } catch (...) { // the connection broke: the next call reconnects with the base value
        }
    }
    ScaledTimeout(const ScaledTimeout&) = delete;
    ScaledTimeout& operator=(const ScaledTimeout&) = delete;

  private:
    pqxx::connection& conn_;
    std::chrono::milliseconds base_;
    bool scaled_ = false;
};

std::string replacement_reason(const ReportRow& r) {
    return "replaced by a DKIM-authenticated copy (d=" + r.dkim_domain.value_or("?") + ")";
}

} // namespace

// One report in one statement (autocommit): all its rows or none.
Outcome Store::insert(const ReportRow& r) {
    Outcome out;
    bool held_unauthenticated = false;
    impl_->ensure_month(r.start_datetime);
    {
        const ScaledTimeout scaled(impl_->prepared(), impl_->timeout, r.rows);
        pqxx::nontransaction tx(impl_->prepared(), "tlsrpt_store_report");
        pqxx::result res = exec_report(tx, "tlsrpt_insert_report", r);
        if (res.empty())
            res = tx.exec_prepared("tlsrpt_existing_report", r.reporter, r.report_id, r.content,
                                   r.start_datetime);
        if (res.empty()) throw TemporaryError("report neither inserted nor found; retry");
        out = outcome_of(res[0], r);
        held_unauthenticated = !res[0][3].as<bool>();
        const bool replacing =
            out.status != Status::stored && r.dkim_authenticated && held_unauthenticated;
        if (out.status == Status::conflict && !replacing)
            tx.exec_prepared("tlsrpt_conflict", out.report_pk, r.source, r.content, r.message_id,
                             r.mail_from, r.subject, r.dkim_result, r.dkim_domain, r.dkim_selector,
                             r.dkim_authenticated, r.raw, r.raw_text, r.client_address,
                             r.user_agent);
    }
    if (out.status != Status::stored && r.dkim_authenticated && held_unauthenticated)
        return replace(r, out.report_pk); // its own transaction, after the statement above
    return out;
}

// The stored copy of r's key was not authenticated and r is: r takes the row's place (same id,
// so conflicts recorded against it stay attached), written whole even when its content is the
// stored one's (that copy, not authenticated, may have been changed since: a writer may change
// such a report, 012_writer_row_security.sql). A different earlier copy is kept in
// report_conflicts with the reason.
Outcome Store::replace(const ReportRow& r, std::int64_t report_pk) {
    pqxx::work tx(impl_->prepared(), "tlsrpt_replace_report");
    pqxx::result lock = tx.exec_prepared("tlsrpt_lock_report", report_pk, r.content);
    const bool locked = !lock.empty();
    if (!locked) // a writer's row security keeps an authenticated row from the lock
        lock = tx.exec_prepared("tlsrpt_read_report", report_pk, r.content);
    // unlocked, only an authenticated row will do: nothing but the owner changes it
    if (lock.empty() || (!locked && !lock[0][0].as<bool>()))
        throw TemporaryError("report " + std::to_string(report_pk) + " vanished; retry");
    Outcome out;
    out.report_pk = report_pk;
    if (lock[0][0].as<bool>()) { // another authenticated copy won meanwhile: the usual rules
        out.status = lock[0][1].as<bool>() ? Status::duplicate : Status::conflict;
        if (out.status == Status::conflict)
            tx.exec_prepared("tlsrpt_conflict", report_pk, r.source, r.content, r.message_id,
                             r.mail_from, r.subject, r.dkim_result, r.dkim_domain, r.dkim_selector,
                             r.dkim_authenticated, r.raw, r.raw_text, r.client_address,
                             r.user_agent);
        tx.commit();
        return out;
    }
    const bool same_content = lock[0][1].as<bool>();
    if (!same_content) tx.exec_prepared("tlsrpt_keep_replaced", report_pk, replacement_reason(r));
    tx.exec_prepared("tlsrpt_delete_policies", report_pk);
    tx.exec_prepared("tlsrpt_drop_promoted", report_pk, r.content);
    if (exec_report(tx, "tlsrpt_replace_report", r, report_pk).empty())
        throw TemporaryError("report " + std::to_string(report_pk) + " changed; retry");
    tx.commit();
    if (same_content) { // the verdict upgraded
        out.status = Status::duplicate;
        return out;
    }
    out.status = Status::replaced;
    out.message = "report-id '" + r.report_id + "' from reporter '" + r.reporter +
                  "' was held by a copy without an aligned DKIM pass (id " +
                  std::to_string(report_pk) +
                  "); this authenticated copy replaced it, the earlier one is in "
                  "tlsrpt.report_conflicts";
    return out;
}

Outcome Store::store_report(const Report& report, const StoreOptions& options) {
    return run([&] {
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
    });
}

// Runs one idempotent operation; when a connection kept from an earlier call turns out dead
// (the server restarted since), reconnects and runs it once more instead of failing.
template <typename Op> Outcome Store::run(Op&& op) {
    const bool kept = impl_->conn != nullptr;
    try {
        return op();
    } catch (...) {
        const bool dead = impl_->conn && !impl_->conn->is_open();
        if (!kept || !dead) return impl_->fail();
        impl_->conn.reset();
    }
    try {
        return op();
    } catch (...) {
        return impl_->fail();
    }
}

Outcome Store::quarantine(const std::string& raw_message, const std::string& reason,
                          const MessageHeaders& headers, Source source) {
    return run([&] {
        pqxx::nontransaction tx(impl_->prepared(), "tlsrpt_quarantine");
        const pqxx::binarystring raw(raw_message.data(), raw_message.size());
        const std::string_view id = without_leading_trace(raw_message);
        const pqxx::binarystring identity(id.data(), id.size());
        const pqxx::row row =
            tx.exec_prepared1("tlsrpt_quarantine", std::string(to_string(source)), pg_text(reason),
                              opt_text(headers.message_id), opt_text(headers.from),
                              opt_text(headers.subject), raw, identity);
        Outcome out;
        out.status = row[1].as<bool>() ? Status::stored : Status::duplicate;
        out.report_pk = row[0].as<std::int64_t>();
        return out;
    });
}

std::optional<Attempts> Store::record_failed_attempt(const std::string& raw_message,
                                                     const std::string& error) {
    try {
        pqxx::nontransaction tx(impl_->prepared(), "tlsrpt_record_attempt");
        const std::string_view id = without_leading_trace(raw_message);
        const pqxx::binarystring identity(id.data(), id.size());
        const pqxx::row row = tx.exec_prepared1("tlsrpt_record_attempt", identity, pg_text(error));
        return Attempts{row[0].as<int>(), std::chrono::seconds(row[1].as<long long>())};
    } catch (...) {
        impl_->fail();
        return std::nullopt;
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
