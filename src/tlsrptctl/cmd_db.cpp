// cmd_db.cpp: `tlsrptctl db migrate|status|prune|maintain`: the schema's life cycle. migrate
// applies the shipped migrations (store/migrations.hpp); status exits 0 only when the schema
// matches this build, and warns when the database's sessions do not join partition by
// partition, which the views' day filters need (migrate sets that back); prune removes reports
// older than --older-than DAYS (whole months as partitions; with --rejected, quarantined
// messages as old too) and says what it removed; maintain makes the monthly partitions ahead
// and, with --retention DAYS, prunes (the timer's job, packaging/tlsrpt-maintain.timer);
// grant gives a role that is not the owner a writer's or a reader's rights (store/grants.hpp).
#include "cmd_store.hpp"
#include "item_dkim.hpp"

#include "store/admin.hpp"
#include "store/grants.hpp"
#include "store/migrations.hpp"
#include "tlsrpt/store.hpp"
#include "tlsrpt/text.hpp"

#include <iostream>
#include <optional>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <vector>

namespace tlsrptctl {

namespace {

namespace st = tlsrpt::store;

const char* db_usage = "usage: tlsrptctl db migrate [--db CONNINFO]\n"
                       "       tlsrptctl db status [--db CONNINFO]\n"
                       "       tlsrptctl db prune --older-than DAYS [--rejected] [--db CONNINFO]\n"
                       "       tlsrptctl db maintain [--months-ahead N] [--retention DAYS] "
                       "[--db CONNINFO]\n"
                       "       tlsrptctl db grant --writer ROLE | --reader ROLE [--db CONNINFO]\n";

// The first schema version with partitioned tables (009_partitioning.sql).
constexpr int partitioned_schema = 9;

// The warning when the database's sessions do not join partition by partition.
void warn_joins(pqxx::connection& conn, const std::string& database) {
    const std::string name = tlsrpt::printable(conn.quote_name(database));
    std::cout << "warning: enable_partitionwise_join is off for database " << name
              << ", so a day filter on the dashboard views reads every month of reports; as "
                 "the database's owner run: ALTER DATABASE "
              << name
              << " SET enable_partitionwise_join = on (migration 009 sets it, and `tlsrptctl db "
                 "migrate` again where the database has no setting of its own: a restore from "
                 "a dump or a copy of the database loses it)\n";
}

int do_migrate(pqxx::connection& conn) {
    const st::MigrateResult r = st::migrate(conn);
    for (const std::string& name : r.applied)
        std::cout << "applied " << name << "\n";
    if (r.applied.empty())
        std::cout << "schema up to date at version " << r.after << "\n";
    else
        std::cout << "schema version " << r.before << " -> " << r.after << "\n";
    if (r.after < partitioned_schema) return 0;
    const st::JoinSetting now = st::join_setting(conn);
    const std::string& database = now.database;
    const st::JoinRepair joins = st::ensure_join_setting(conn, now);
    if (joins == st::JoinRepair::set)
        std::cout << "set enable_partitionwise_join = on for database "
                  << tlsrpt::printable(conn.quote_name(database))
                  << " (the database had no setting of its own)\n";
    if (joins == st::JoinRepair::not_permitted) warn_joins(conn, database);
    return 0;
}

int do_status(pqxx::connection& conn) {
    const int have = st::schema_version(conn), need = st::expected_schema_version();
    std::cout << "schema version " << have << ", this build expects " << need << ": "
              << (have == need  ? "up to date"
                  : have < need ? "run `tlsrptctl db migrate`"
                                : "the database is newer than this build")
              << "\n";
    const st::JoinSetting joins = st::join_setting(conn);
    if (have >= partitioned_schema && !joins.partitionwise.value_or(true))
        warn_joins(conn, joins.database);
    return have == need ? 0 : 1;
}

void print_prune(const st::PruneResult& r, int days, bool rejected) {
    if (!r.months.empty()) {
        std::cout << "dropped the partitions of " << r.months.size() << " month"
                  << (r.months.size() == 1 ? "" : "s") << ":";
        for (const std::string& m : r.months)
            std::cout << " " << m;
        std::cout << "\n";
    }
    std::cout << "removed " << r.reports << " reports older than " << days << " days ("
              << r.policies << " policies, " << r.failure_details << " failure details, "
              << r.conflicts << " conflicting copies)";
    if (rejected)
        std::cout << " and " << r.rejected << " rejected messages\n";
    else
        std::cout << "; kept " << r.rejected_kept
                  << " rejected messages as old (--rejected removes them)\n";
}

int do_prune(pqxx::connection& conn, const Options& opts, bool rejected) {
    const auto it = opts.values.find("older-than");
    if (it == opts.values.end()) {
        std::cerr << db_usage;
        return 2;
    }
    const auto days = parse_days(it->second, "--older-than");
    if (!days) return 2;
    if (!schema_ready(st::schema_version(conn))) return 1;
    print_prune(st::prune(conn, *days, rejected), *days, rejected);
    return 0;
}

// Partitions ahead (default: this month and 3 more), then the retention prune if asked.
int do_maintain(pqxx::connection& conn, const Options& opts) {
    int ahead = 3;
    if (const auto it = opts.values.find("months-ahead"); it != opts.values.end()) {
        const auto n = parse_days(it->second, "--months-ahead");
        if (!n) return 2;
        if (*n > 12) {
            std::cerr << "tlsrptctl db: --months-ahead is at most 12 (the partition window)\n";
            return 2;
        }
        ahead = *n;
    }
    std::optional<int> retention;
    if (const auto it = opts.values.find("retention"); it != opts.values.end()) {
        retention = parse_days(it->second, "--retention");
        if (!retention) return 2;
    }
    if (!schema_ready(st::schema_version(conn))) return 1;
    const st::MaintainResult m = st::maintain(conn, ahead);
    for (const std::string& month : m.created)
        std::cout << "created the partitions of " << month << "\n";
    std::cout << "monthly partitions: " << m.months.size();
    if (!m.months.empty())
        std::cout << " (" << m.months.front() << " to " << m.months.back() << ")";
    std::cout << "; " << m.default_reports << " reports in the default partition\n";
    if (retention) print_prune(st::prune(conn, *retention, false), *retention, false);
    return 0;
}

// The rights of a writer (stores reports: tlsrpt-httpd, imports) or a reader (Grafana) for
// an existing role; run as the schema's owner.
int do_grant(pqxx::connection& conn, const Options& opts) {
    const auto writer = opts.values.find("writer"), reader = opts.values.find("reader");
    const bool is_writer = writer != opts.values.end(), is_reader = reader != opts.values.end();
    if (is_writer == is_reader) {
        std::cerr << "tlsrptctl db grant: give one of --writer ROLE or --reader ROLE\n" << db_usage;
        return 2;
    }
    const std::string& role = is_writer ? writer->second : reader->second;
    std::vector<std::string> done;
    try {
        done = st::grant(conn, role, is_writer ? st::Access::writer : st::Access::reader);
    } catch (const std::invalid_argument& e) { // not a role, or not the owner
        std::cerr << "tlsrptctl db grant: " << tlsrpt::printable(e.what()) << "\n";
        return 1;
    } catch (const pqxx::sql_error& e) {
        if (e.sqlstate() != "42704") throw; // undefined_object: no such role
        std::cerr << "tlsrptctl db grant: no role " << tlsrpt::printable(conn.quote_name(role))
                  << ": create it first (createuser " << tlsrpt::printable(role) << ")\n";
        return 1;
    }
    for (const std::string& statement : done)
        std::cout << tlsrpt::printable(statement) << "\n";
    std::cout << "role " << tlsrpt::printable(conn.quote_name(role)) << " may now "
              << (is_writer ? "store reports" : "read the tlsrpt schema") << "\n";
    return 0;
}

} // namespace

int cmd_db(const Args& arguments) {
    Args args = arguments;
    const bool rejected = take_flag(args, "--rejected");
    const auto opts =
        parse_options(args, {"older-than", "months-ahead", "retention", "writer", "reader"}, "db");
    if (!opts) return 2;
    const std::string action = opts->positional.empty() ? "" : opts->positional[0];
    if (action != "grant" && (opts->values.count("writer") || opts->values.count("reader"))) {
        std::cerr << "tlsrptctl db " << tlsrpt::printable(action)
                  << ": --writer and --reader belong to db grant\n"
                  << db_usage;
        return 2;
    }
    if (opts->help || opts->positional.size() != 1 ||
        (action != "migrate" && action != "status" && action != "prune" && action != "maintain" &&
         action != "grant")) {
        (opts->help ? std::cout : std::cerr) << db_usage;
        return opts->help ? 0 : 2;
    }
    try {
        auto conn = open_db(opts->db);
        if (action == "migrate") return do_migrate(*conn);
        if (action == "status") return do_status(*conn);
        if (action == "maintain") return do_maintain(*conn, *opts);
        if (action == "grant") return do_grant(*conn, *opts);
        return do_prune(*conn, *opts, rejected);
    } catch (...) {
        return db_failure("db " + action);
    }
}

} // namespace tlsrptctl
