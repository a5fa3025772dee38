// admin.hpp: the operator's side of the store, for tlsrptctl: pruning old data, the quarantine
// of unreadable messages, and the per-domain summary. Each function runs on a connection the
// caller opened (connection.hpp) and throws on failure.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/connection_base>
#include <string>
#include <utility>
#include <vector>

namespace tlsrpt::store {

struct PruneResult {
    std::int64_t reports = 0; // with their policies and failure details (ON DELETE CASCADE)
    std::int64_t policies = 0, failure_details = 0, conflicts = 0; // removed with them
    std::int64_t rejected = 0;                                     // quarantined messages removed
    std::int64_t rejected_kept = 0;  // quarantined messages as old, kept (no `rejected`)
    std::vector<std::string> months; // "YYYY-MM" of each monthly partition dropped whole
};

// Removes reports whose day (the UTC date of start-datetime) is more than `days` days before
// today, with their rows: each month entirely before that day is dropped as partitions, the
// rest (the month at the edge, the default partition) deleted. Only when `rejected` is set,
// also quarantined messages that arrived that long ago (they are the only copy of what could
// not be read: kept unless asked).
PruneResult prune(pqxx::connection_base& conn, int days, bool rejected = false);

struct MaintainResult {
    std::vector<std::string> created; // "YYYY-MM" of each month whose partitions were made
    std::vector<std::string> months;  // every monthly partition there is now, oldest first
    std::int64_t default_reports = 0; // reports left in the default partition
};

// Makes the partitions of this month and the next `months_ahead` ones, and of any month inside
// the partition window that has rows in the default partition (they are moved). Safe to run
// on several hosts at once (advisory lock in tlsrpt.ensure_partition).
MaintainResult maintain(pqxx::connection_base& conn, int months_ahead);

// Whether this database's new sessions join partitioned tables partition by partition (009
// sets enable_partitionwise_join for the database; a restore from a dump without --create, or
// a copy made with CREATE DATABASE ... TEMPLATE, loses it, and a day filter on the dashboard
// views then reads every month of reports).
struct JoinSetting {
    std::string database;
    bool set_for_database = false;     // the database has a setting of its own, on or off
    std::optional<bool> partitionwise; // unset: hidden by this session's role or client options
};
JoinSetting join_setting(pqxx::connection_base& conn);
// Sets it for the database (`now`: what join_setting read) when the database has no setting of
// its own and the server's is off (only the database's owner may, and not on a standby).
enum class JoinRepair { untouched, set, not_permitted };
JoinRepair ensure_join_setting(pqxx::connection_base& conn, const JoinSetting& now);

struct RejectedMessage {
    std::int64_t id = 0;
    std::string received_at; // "YYYY-MM-DD HH:MM:SS" UTC
    std::string reason, mail_from, subject;
    bool reimported = false;
};

std::vector<RejectedMessage> list_rejected(pqxx::connection_base& conn);
// The quarantined message's bytes, nullopt when there is no such id.
std::optional<std::string> rejected_raw(pqxx::connection_base& conn, std::int64_t id);
void mark_reimported(pqxx::connection_base& conn, std::int64_t id);

// One policy domain over the last `days` UTC days, each session counted once (daily_sessions).
struct DomainSummary {
    std::string policy_domain;
    std::int64_t reports = 0, successful = 0, failed = 0;
    std::vector<std::pair<std::string, std::int64_t>> top_failures; // result type, sessions
    std::int64_t authenticated = 0; // of `reports`, those DKIM-authenticated (RFC 8460 §3)
};

// days: UTC days back from today, today included; domain: "" = every domain.
std::vector<DomainSummary> summarize(pqxx::connection_base& conn, int days,
                                     const std::string& domain, std::size_t top = 3);

} // namespace tlsrpt::store
