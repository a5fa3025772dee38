// connection.cpp: libpq connection setup shared by Store, migrations and tlsrptctl.
#include "store/connection.hpp"

#include <libpq-fe.h>
#include <stdexcept>

namespace tlsrpt::store {

void check_conninfo(const std::string& conninfo) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
    if (options) {
        PQconninfoFree(options);
        return;
    }
    std::string message = error ? error : "out of memory";
    PQfreemem(error);
    while (!message.empty() && message.back() == '\n')
        message.pop_back();
    throw std::invalid_argument("invalid connection string: " + message);
}

std::unique_ptr<pqxx::connection> connect(const std::string& conninfo,
                                          std::chrono::milliseconds statement_timeout) {
    auto conn = std::make_unique<pqxx::connection>(conninfo);
    // set_variable (not a bare SET) so libpqxx restores it if it ever re-opens the session
    conn->set_variable("statement_timeout", std::to_string(statement_timeout.count()));
    return conn;
}

} // namespace tlsrpt::store
