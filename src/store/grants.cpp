// grants.cpp: the rights of a writer and of a reader (grants.hpp). A writer gets what the
// store's statements (statements.cpp) need and no more: it adds reports, replaces an
// unauthenticated copy by an authenticated one (its policies deleted and written anew, the
// old copy into report_conflicts), quarantines messages, counts failed attempts and makes a
// missing month's partitions (ensure_partition, SECURITY DEFINER). It cannot delete reports,
// truncate, drop months (the owner's `db prune`) or change the schema. The failure rollup is
// kept by SECURITY DEFINER triggers, so neither role writes it. A reader gets SELECT on every
// table and view, also those later migrations add (default privileges of the owner).
#include "store/grants.hpp"

#include <pqxx/pqxx>

namespace tlsrpt::store {

namespace {

// Table rights of a writer, by table: what statements.cpp does to each.
struct TableRight {
    const char* table;
    const char* rights;
};
constexpr TableRight writer_tables[] = {
    {"schema_migrations", "SELECT"},                        // the version check
    {"reports", "SELECT, INSERT, UPDATE"},                  // insert, replace, DKIM upgrade
    {"policies", "SELECT, INSERT, DELETE"},                 // replace: deleted, written anew
    {"failure_details", "SELECT, INSERT"},                  // deleted with their policy (FK)
    {"report_conflicts", "SELECT, INSERT, UPDATE, DELETE"}, // conflicts, replaced copies
    {"rejected_messages", "SELECT, INSERT"},                // the quarantine
    {"failed_attempts", "SELECT, INSERT, UPDATE, DELETE"},  // RetryLimit, RetryMaxAge
};

} // namespace

std::vector<std::string> grant_statements(const std::string& quoted_role,
                                          const std::string& quoted_database, Access access) {
    std::vector<std::string> out = {"GRANT CONNECT ON DATABASE " + quoted_database + " TO " +
                                        quoted_role,
                                    "GRANT USAGE ON SCHEMA tlsrpt TO " + quoted_role};
    if (access == Access::reader) {
        out.push_back("GRANT SELECT ON ALL TABLES IN SCHEMA tlsrpt TO " + quoted_role);
        out.push_back("ALTER DEFAULT PRIVILEGES IN SCHEMA tlsrpt GRANT SELECT ON TABLES TO " +
                      quoted_role);
        return out;
    }
    for (const TableRight& t : writer_tables)
        out.push_back(std::string("GRANT ") + t.rights + " ON tlsrpt." + t.table + " TO " +
                      quoted_role);
    // `tlsrptctl rejected reimport` marks what it re-read
    out.push_back("GRANT UPDATE (reimported_at) ON tlsrpt.rejected_messages TO " + quoted_role);
    out.push_back("GRANT USAGE ON ALL SEQUENCES IN SCHEMA tlsrpt TO " + quoted_role);
    out.push_back("GRANT EXECUTE ON FUNCTION tlsrpt.ensure_partition(date) TO " + quoted_role);
    return out;
}

std::vector<std::string> grant(pqxx::connection_base& conn, const std::string& role,
                               Access access) {
    pqxx::work tx(conn, "tlsrpt_grant");
    const std::string database = tx.exec1("SELECT current_database()")[0].as<std::string>();
    const std::vector<std::string> statements =
        grant_statements(tx.quote_name(role), tx.quote_name(database), access);
    for (const std::string& s : statements)
        tx.exec0(s);
    tx.commit();
    return statements;
}

} // namespace tlsrpt::store
