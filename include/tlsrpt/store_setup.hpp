// store_setup.hpp: whether a database is ready for the store (reachable, with the schema this
// build needs), and the exact commands that set up one that is not. The milter uses it at
// start and while it waits for a database; tlsrptctl db status could too.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace tlsrpt::store {

enum class Readiness {
    ready,       // the schema is current (or newer)
    no_role,     // the server has no role of the user we connect as
    no_database, // the server has no such database
    no_schema,   // the database has no tlsrpt schema
    old_schema,  // the schema is older than this build
    unreachable, // no answer, authentication refused, or anything else
};

struct SchemaCheck {
    Readiness state = Readiness::unreachable;
    int have = 0;       // the schema version found
    int want = 0;       // expected_schema_version()
    std::string detail; // the server's or libpq's message when not ready
};

// Connects once to `conninfo` (bounded by `timeout`) and reads the schema version.
SchemaCheck check_schema(const std::string& conninfo, std::chrono::milliseconds timeout);

// What a failed connection's message says is missing (libpq's "FATAL: role ... does not
// exist", "database ... does not exist"); unreachable otherwise. Pure.
Readiness classify_connect_failure(const std::string& message);

// One line for the log: what is wrong and what the milter does meanwhile.
std::string describe(const SchemaCheck& check);

// The commands, in order, that make `conninfo` ready for a program running as `os_user`:
// createuser and createdb as postgres (only what is missing), then tlsrptctl db migrate as
// `os_user` (prefixed with `runuser -u os_user --` unless os_user is root). Empty when ready.
std::vector<std::string> setup_commands(const SchemaCheck& check, const std::string& conninfo,
                                        const std::string& os_user);

} // namespace tlsrpt::store
