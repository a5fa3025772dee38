// store.hpp: the PostgreSQL store (libpqxx). One report = one transaction; duplicates by
// (reporter, report-id) are stored once; every failure is classified temporary or permanent
// so the milter can answer 4xx for the first kind and never for the second.
#pragma once

#include "tlsrpt/report.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tlsrpt::store {

// Where a report came from (column tlsrpt.reports.source).
enum class Source { smtp, file, https, imap };
const char* to_string(Source s);

// The DKIM verdict of a report (dkim_rule.hpp), as stored (003_dkim.sql).
struct DkimInfo {
    std::string result; // pass | fail | policy | neutral | temperror | permerror | none; "" unknown
    std::string domain; // d= of the signature recorded
    std::string selector;
    std::string algorithm;
    std::string source;         // milter | authserv:<id>
    std::string dnssec;         // secure | insecure | bogus | unknown
    bool authenticated = false; // an aligned pass (RFC 8460 §3)
    std::string authserv;       // a trusted Authentication-Results verdict recorded beside it
};

enum class Status {
    stored,    // new report, all rows written
    duplicate, // same reporter + report-id, same content: nothing changed
    conflict,  // same reporter + report-id, different content: first kept, conflict logged
    replaced,  // the stored copy was not authenticated, this one is: it took its place
    temporary, // connection lost, shutdown, serialization failure, deadlock, disk full, timeout
    permanent, // the data cannot be stored (bad data); retrying will not help
};
const char* to_string(Status s);

struct Outcome {
    Status status = Status::temporary;
    std::int64_t report_pk = 0; // tlsrpt.reports.id of the stored (or existing) report
    std::string message;        // for temporary/permanent/conflict: what happened
    bool ok() const {
        return status == Status::stored || status == Status::duplicate ||
               status == Status::conflict || status == Status::replaced;
    }
};

struct StoreOptions {
    Source source = Source::file;
    DkimInfo dkim{};
    std::string client_address{}; // https: the client's IP address (stored as inet)
    std::string user_agent{};     // https: its User-Agent header
    std::int64_t received_at = 0; // Unix seconds when it arrived (a spooled report); 0: now
};

struct ReportRow; // the statement parameters of one report (src/store/report_row.hpp)

// Temporary failures recorded for one message.
struct Attempts {
    int count = 0;
    std::chrono::seconds age{0}; // since the first
};

// One database connection, used by one thread at a time. Reconnects on the next call after a
// lost connection. conninfo: a libpq connection string or "service=NAME"; empty = PG* env.
// The constructor does not connect (the first call does); it throws std::invalid_argument when
// conninfo does not parse. Calls answer Status::temporary while the schema is older than
// expected_schema_version() (run `tlsrptctl db migrate`).
class Store {
  public:
    explicit Store(std::string conninfo,
                   std::chrono::milliseconds statement_timeout = std::chrono::seconds(10));
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // Stores one report in one transaction. A copy whose key is held by a copy that was not
    // DKIM-authenticated, when this one is, replaces it (the old one moves to
    // tlsrpt.report_conflicts); the reverse never happens.
    Outcome store_report(const Report& report, const StoreOptions& options);

    // Keeps a message no report could be read from (tlsrpt.rejected_messages), once: the
    // status is stored, or duplicate when the same message (its bytes below the receiving
    // MTA's Received fields) was kept before; report_pk is the rejected_messages.id.
    Outcome quarantine(const std::string& raw_message, const std::string& reason,
                       const MessageHeaders& headers, Source source);

    // Counts one more temporary failure to store this message (tlsrpt.failed_attempts, by the
    // hash of its bytes below the Received fields at its top, so that every delivery attempt
    // of one message counts as the same): how many there were and since when. nullopt when
    // the database cannot say.
    std::optional<Attempts> record_failed_attempt(const std::string& raw_message,
                                                  const std::string& error);

    // Applied schema version (0 when the schema is absent); throws on connection failure.
    int schema_version();

  private:
    Outcome insert(const ReportRow& row);
    Outcome replace(const ReportRow& row, std::int64_t report_pk);
    template <typename Op> Outcome run(Op&& op);

    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The schema version this build expects (the highest shipped migration).
int expected_schema_version();

} // namespace tlsrpt::store
