// grants.hpp: the database rights of the roles that are not the schema's owner, in one place:
// a writer stores reports (tlsrpt-httpd, an importer, a milter on another host) and a reader
// only reads (Grafana, BI tools). `tlsrptctl db grant` runs it as the owner.
#pragma once

#include <pqxx/connection_base>
#include <string>
#include <vector>

namespace tlsrpt::store {

enum class Access { writer, reader };

// Grants `role` (an existing role) the rights of `access` on the tlsrpt schema of the
// database `conn` is connected to, in one transaction; safe to repeat. Returns the statements
// it ran. Throws std::invalid_argument when `role` names no single role (public, none, pg_*)
// or this session cannot speak for the schema's and the database's owners, and pqxx errors
// (42704: no such role). Objects that later migrations add need it run again (the reader's
// tables excepted: default privileges cover them).
std::vector<std::string> grant(pqxx::connection_base& conn, const std::string& role, Access access);

} // namespace tlsrpt::store
