// cmd_store.hpp: what the database subcommands (import, summary, db, rejected) share: option
// parsing in the style of cmd_parse.cpp, the --db connection, the schema check.
#pragma once

#include "commands.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <pqxx/connection>
#include <string>

namespace tlsrptctl {

// sysexits.h EX_TEMPFAIL: the database failed in a way that retrying can cure.
inline constexpr int exit_temporary = 75;

struct Options {
    std::string db;                            // --db CONNINFO ("" = PG* environment)
    std::map<std::string, std::string> values; // other --name VALUE options
    std::vector<std::string> positional;
    bool help = false;
};

// Reads --db and the options named in `valued` (each "--x V" or "--x=V"); other words are
// positional. nullopt after printing an error naming the bad argument.
std::optional<Options> parse_options(const Args& args, const std::vector<std::string>& valued,
                                     const std::string& command);

// A non-negative whole number of days, or nullopt after printing an error.
std::optional<int> parse_days(const std::string& text, const std::string& option);

// A connection for administrative work (no statement_timeout).
std::unique_ptr<pqxx::connection> open_db(const std::string& conninfo);

// Call inside a catch block: prints the database failure, returns 75 when it is temporary
// (store/classify.hpp decides), else 1.
int db_failure(const std::string& command);

// True when the schema is at least this build's version; prints what to do otherwise.
bool schema_ready(int version);

} // namespace tlsrptctl
