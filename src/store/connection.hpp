// connection.hpp: opening a PostgreSQL connection the way every part of the store does:
// a libpq conninfo string, URI or "service=NAME" (empty: PG* variables, .pgpass and the
// service file decide, as for psql), with a per-session statement_timeout.
#pragma once

#include <chrono>
#include <memory>
#include <pqxx/connection>
#include <string>

namespace tlsrpt::store {

// Throws std::invalid_argument when conninfo does not parse (PQconninfoParse).
void check_conninfo(const std::string& conninfo);

// conninfo as keyword/value pairs plus connect_timeout, TCP keepalives and tcp_user_timeout
// derived from `timeout`, each only where neither conninfo nor its PG* variable sets it.
std::string with_client_timeouts(const std::string& conninfo, std::chrono::milliseconds timeout);

// Connects and sets statement_timeout (0 = none). Throws pqxx::broken_connection when the
// server cannot be reached.
std::unique_ptr<pqxx::connection> connect(const std::string& conninfo,
                                          std::chrono::milliseconds statement_timeout);

} // namespace tlsrpt::store
