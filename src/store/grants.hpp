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
// it ran. Throws pqxx errors (42704: no such role; 42501: not the owner).
std::vector<std::string> grant(pqxx::connection_base& conn, const std::string& role, Access access);

// The statements grant() runs, for `quoted_role` (already quoted as an identifier) and the
// database `quoted_database` (likewise).
std::vector<std::string> grant_statements(const std::string& quoted_role,
                                          const std::string& quoted_database, Access access);

} // namespace tlsrpt::store
