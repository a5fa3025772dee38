// connection.cpp: libpq connection setup shared by Store, migrations and tlsrptctl.
#include "store/connection.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <map>
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

namespace {

std::string quoted(const std::string& v) {
    std::string out = "'";
    for (char c : v) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

} // namespace

// The conninfo (keyword/value or URI) rewritten as keyword/value, with client-side bounds added
// where neither it nor the PG* environment sets them: a server that stops answering must not
// hold a pooled connection for TCP's own minutes-long timeouts (libpq manual, §34.1.2).
std::string with_client_timeouts(const std::string& conninfo, std::chrono::milliseconds timeout) {
    check_conninfo(conninfo);
    PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), nullptr);
    std::map<std::string, std::string> set;
    for (PQconninfoOption* o = options; o && o->keyword; ++o)
        if (o->val) set[o->keyword] = o->val;
    PQconninfoFree(options);
    const long long ms = timeout.count() > 0 ? timeout.count() : 10000; // 0: no statement bound
    const long long secs = std::max<long long>(2, (ms + 999) / 1000);
    const std::pair<const char*, std::string> bounds[] = {
        {"connect_timeout", std::to_string(secs)},
        {"keepalives", "1"},
        {"keepalives_idle", "30"},
        {"keepalives_interval", "10"},
        {"keepalives_count", "3"},
        {"tcp_user_timeout", std::to_string(std::max<long long>(10000, 3 * ms))}};
    for (const auto& [key, value] : bounds) {
        std::string env = "PG" + std::string(key);
        std::transform(env.begin(), env.end(), env.begin(), ::toupper);
        if (!set.count(key) && !std::getenv(env.c_str())) set[key] = value;
    }
    std::string out;
    for (const auto& [key, value] : set)
        out += (out.empty() ? "" : " ") + key + "=" + quoted(value);
    return out;
}

std::unique_ptr<pqxx::connection> connect(const std::string& conninfo,
                                          std::chrono::milliseconds statement_timeout) {
    auto conn =
        std::make_unique<pqxx::connection>(with_client_timeouts(conninfo, statement_timeout));
    // set_variable (not a bare SET) so libpqxx restores it if it ever re-opens the session.
    // Pinned for the session whatever the server's defaults: a commit is durable before the
    // milter says 250 (synchronous_commit), and text is exchanged as UTF-8.
    conn->set_variable("statement_timeout", std::to_string(statement_timeout.count()));
    conn->set_variable("synchronous_commit", "on");
    conn->set_client_encoding("UTF8");
    return conn;
}

} // namespace tlsrpt::store
