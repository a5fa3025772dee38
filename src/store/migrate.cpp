// migrate.cpp: `tlsrptctl db migrate` and the test fixtures apply the schema through here:
// one transaction per migration file, serialized across clients by pg_advisory_xact_lock,
// each recorded in tlsrpt.schema_migrations (version, name, applied_at).
#include "store/migrations.hpp"
#include "tlsrpt/store.hpp"

#include <cstdio>
#include <pqxx/pqxx>

namespace tlsrpt::store {

namespace {

// Advisory lock key for migrations: "tlsrpt" in ASCII, fixed forever.
constexpr const char* lock_sql = "SELECT pg_advisory_xact_lock(127978119672948)";

int read_version(pqxx::transaction_base& tx) {
    const pqxx::row exists = tx.exec1("SELECT to_regclass('tlsrpt.schema_migrations') IS NOT NULL");
    if (!exists[0].as<bool>()) return 0;
    return tx.exec1("SELECT coalesce(max(version), 0) FROM tlsrpt.schema_migrations")[0].as<int>();
}

std::string label(const Migration& m) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%03d_", m.version);
    return buf + std::string(m.name);
}

// Applies one migration unless another client already did; true when this call applied it.
bool apply(pqxx::connection_base& conn, const Migration& m, int& found) {
    pqxx::work tx(conn, "tlsrpt_migrate");
    tx.exec(lock_sql);
    found = read_version(tx);
    if (found >= m.version) return false; // the destructor rolls back the empty transaction
    tx.exec(m.sql);
    tx.exec_params0("INSERT INTO tlsrpt.schema_migrations (version, name) VALUES ($1, $2)",
                    m.version, std::string(m.name));
    tx.commit();
    return true;
}

} // namespace

MigrateResult migrate(pqxx::connection_base& conn) {
    return migrate(conn, expected_schema_version());
}

MigrateResult migrate(pqxx::connection_base& conn, int up_to) {
    MigrateResult result;
    bool first = true;
    for (const Migration& m : shipped_migrations()) {
        if (m.version > up_to) break;
        int found = 0;
        const bool applied = apply(conn, m, found);
        if (first) result.before = found;
        first = false;
        if (applied) result.applied.push_back(label(m));
    }
    result.after = schema_version(conn);
    return result;
}

int schema_version(pqxx::connection_base& conn) {
    pqxx::read_transaction tx(conn, "tlsrpt_schema_version");
    return read_version(tx);
}

int expected_schema_version() {
    return static_cast<int>(shipped_migrations().size());
}

} // namespace tlsrpt::store
