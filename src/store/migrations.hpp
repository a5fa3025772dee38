// migrations.hpp: the versioned schema migrations shipped in src/store/migrations/NNN_name.sql,
// embedded at build time (embed_migrations.py), and the one code path that applies them.
#pragma once

#include <string>
#include <vector>

namespace pqxx {
class connection_base;
}

namespace tlsrpt::store {

struct Migration {
    int version = 0;
    const char* name = "";
    const char* sql = "";
};

// Every shipped migration, by ascending version 1..N (generated file).
const std::vector<Migration>& shipped_migrations();

struct MigrateResult {
    int before = 0;                   // schema version found
    int after = 0;                    // schema version left
    std::vector<std::string> applied; // "NNN_name" of each migration this call applied
};

// Applies the missing migrations in order, each in its own transaction holding an advisory
// lock, so concurrent runs (several hosts) apply each one once. Throws on failure.
MigrateResult migrate(pqxx::connection_base& conn);
// The same, stopping after version `up_to` (tests of a migration on an older schema).
MigrateResult migrate(pqxx::connection_base& conn, int up_to);

// The applied schema version: 0 when the tlsrpt schema (its schema_migrations table) is absent.
int schema_version(pqxx::connection_base& conn);

} // namespace tlsrpt::store
