// grants.cpp: the rights of a writer and of a reader (grants.hpp). A writer gets what the
// store's statements (statements.cpp) need: it adds reports, replaces an unauthenticated copy
// by an authenticated one (UPDATE of the report, its policies deleted and written anew, the
// old copy into report_conflicts), quarantines messages, counts failed attempts and makes a
// missing month's partitions (ensure_partition, SECURITY DEFINER). It cannot truncate, drop
// months (the owner's `db prune`), delete quarantined messages, change the schema or choose an
// id, and the replace path's rights reach only reports no authenticated copy holds (row-level
// security of 012_writer_row_security.sql, which also keeps new policies and details from
// them). The failure rollup is kept by SECURITY DEFINER triggers, so neither role writes it.
// A reader gets SELECT on every table and view, also those the owner's later migrations add.
#include "store/grants.hpp"

#include <algorithm>
#include <pqxx/pqxx>
#include <stdexcept>

namespace tlsrpt::store {

namespace {

// Table rights of a writer, by table: what statements.cpp does to each. Column rights are on
// every column but the id (tlsrpt.writer_columns, 012_writer_row_security.sql): the store finds
// reports by id, so a writer never chooses one.
struct TableRight {
    const char* table;
    const char* rights;
    const char* column_rights;
};
constexpr TableRight writer_tables[] = {
    {"schema_migrations", "SELECT", ""},                       // the version check
    {"reports", "SELECT", "INSERT, UPDATE"},                   // insert, replace
    {"policies", "SELECT, DELETE", "INSERT"},                  // replace: deleted, written anew
    {"failure_details", "SELECT", "INSERT"},                   // deleted with their policy (FK)
    {"report_conflicts", "SELECT, DELETE", "INSERT"},          // conflicts, replaced copies
    {"rejected_messages", "SELECT, INSERT", ""},               // the quarantine
    {"failed_attempts", "SELECT, INSERT, UPDATE, DELETE", ""}, // RetryLimit, RetryMaxAge
};

// "GRANT INSERT (a, b), UPDATE (a, b) ON tlsrpt.t TO role" for t.column_rights, after the
// REVOKE of those rights on the whole table (a grant from before 012 gave them so).
std::vector<std::string> column_grants(pqxx::transaction_base& tx, const TableRight& t,
                                       const std::string& quoted_role) {
    const std::string table = std::string("tlsrpt.") + t.table;
    const std::string columns =
        tx.exec1("SELECT tlsrpt.writer_columns(" + tx.quote(table) + "::regclass)")[0]
            .as<std::string>();
    std::string privileges;
    std::string rights = t.column_rights;
    for (std::size_t at = 0; at < rights.size();) {
        const std::size_t end = std::min(rights.find(", ", at), rights.size());
        privileges +=
            (privileges.empty() ? "" : ", ") + rights.substr(at, end - at) + " (" + columns + ")";
        at = end + 2;
    }
    return {"REVOKE " + rights + " ON " + table + " FROM " + quoted_role,
            "GRANT " + privileges + " ON " + table + " TO " + quoted_role};
}

// Role names that are no single role: GRANT ... TO "public" grants to every role.
bool special_role(const std::string& role) {
    return role.empty() || role == "public" || role == "none" || role.rfind("pg_", 0) == 0 ||
           role == "current_user" || role == "session_user" || role == "current_role";
}

// The statements grant() runs, for `quoted_role`, the database `quoted_database` and the
// schema's owner `quoted_owner` (each already quoted as an identifier); `tx` reads the column
// lists.
std::vector<std::string> grant_statements(pqxx::transaction_base& tx,
                                          const std::string& quoted_role,
                                          const std::string& quoted_database,
                                          const std::string& quoted_owner, Access access) {
    std::vector<std::string> out = {"GRANT CONNECT ON DATABASE " + quoted_database + " TO " +
                                        quoted_role,
                                    "GRANT USAGE ON SCHEMA tlsrpt TO " + quoted_role};
    if (access == Access::reader) {
        out.push_back("GRANT SELECT ON ALL TABLES IN SCHEMA tlsrpt TO " + quoted_role);
        out.push_back("ALTER DEFAULT PRIVILEGES FOR ROLE " + quoted_owner +
                      " IN SCHEMA tlsrpt GRANT SELECT ON TABLES TO " + quoted_role);
        return out;
    }
    for (const TableRight& t : writer_tables) {
        out.push_back(std::string("GRANT ") + t.rights + " ON tlsrpt." + t.table + " TO " +
                      quoted_role);
        if (*t.column_rights)
            for (std::string& g : column_grants(tx, t, quoted_role))
                out.push_back(std::move(g));
    }
    // the conflict copy's reason is updated when the same copy comes again
    out.push_back("GRANT UPDATE (reason) ON tlsrpt.report_conflicts TO " + quoted_role);
    // `tlsrptctl rejected reimport` marks what it re-read
    out.push_back("GRANT UPDATE (reimported_at) ON tlsrpt.rejected_messages TO " + quoted_role);
    for (const char* seq : {"reports_id_seq", "policies_id_seq", "failure_details_id_seq",
                            "report_conflicts_id_seq", "rejected_messages_id_seq"})
        out.push_back(std::string("GRANT USAGE ON SEQUENCE tlsrpt.") + seq + " TO " + quoted_role);
    out.push_back("GRANT EXECUTE ON FUNCTION tlsrpt.ensure_partition(date), "
                  "tlsrpt.writer_may_change(bigint, date), "
                  "tlsrpt.writer_may_add_detail(bigint, date) TO " +
                  quoted_role);
    return out;
}

} // namespace

std::vector<std::string> grant(pqxx::connection_base& conn, const std::string& role,
                               Access access) {
    if (special_role(role))
        throw std::invalid_argument("'" + role + "' is not a single role: name the role");
    pqxx::work tx(conn, "tlsrpt_grant");
    // PostgreSQL only warns (and grants nothing) where the grantor holds rights without the
    // grant option, so check first that this session speaks for the schema's owner.
    const pqxx::result found =
        tx.exec("SELECT current_database(), pg_get_userbyid(c.relowner), "
                "pg_has_role(current_user, c.relowner, 'USAGE') "
                "AND pg_has_role(current_user, n.nspowner, 'USAGE'), "
                "pg_get_userbyid(d.datdba), pg_has_role(current_user, d.datdba, 'USAGE') "
                "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, pg_database d "
                "WHERE n.nspname = 'tlsrpt' AND c.relname = 'reports' "
                "AND d.datname = current_database()");
    if (found.empty())
        throw std::invalid_argument("no tlsrpt schema in this database: run `tlsrptctl db "
                                    "migrate` first");
    const pqxx::row who = found[0];
    const std::string database = who[0].as<std::string>(), owner = who[1].as<std::string>();
    if (!who[2].as<bool>())
        throw std::invalid_argument("only the owner of the tlsrpt schema (" + owner +
                                    ") may grant: connect as it");
    if (!who[4].as<bool>())
        throw std::invalid_argument("CONNECT on database " + database + " is its owner's (" +
                                    who[3].as<std::string>() +
                                    ") to grant: connect as a role that is both");
    if (role == owner)
        throw std::invalid_argument("'" + role + "' owns the tlsrpt schema: it needs no grant");
    const std::vector<std::string> statements = grant_statements(
        tx, tx.quote_name(role), tx.quote_name(database), tx.quote_name(owner), access);
    for (const std::string& s : statements)
        tx.exec0(s);
    tx.commit();
    return statements;
}

} // namespace tlsrpt::store
