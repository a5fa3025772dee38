// setup.cpp: database readiness for the store and the commands that set a database up
// (store_setup.hpp). libpq's conninfo parser names the database, role, host and port.
#include "tlsrpt/store_setup.hpp"

#include "connection.hpp"
#include "migrations.hpp"
#include "tlsrpt/store.hpp"

#include <libpq-fe.h>
#include <map>

namespace tlsrpt::store {

namespace {

// The conninfo's keywords that have values (empty map when it does not parse).
std::map<std::string, std::string> conninfo_values(const std::string& conninfo) {
    std::map<std::string, std::string> out;
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
    if (err) PQfreemem(err);
    if (!opts) return out;
    for (PQconninfoOption* o = opts; o->keyword; ++o)
        if (o->val && *o->val) out[o->keyword] = o->val;
    PQconninfoFree(opts);
    return out;
}

// A word for a shell command line, single-quoted when it needs to be.
std::string shell_word(const std::string& s) {
    if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789-_./=:@,+") == std::string::npos)
        return s;
    std::string out = "'";
    for (const char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

} // namespace

Readiness classify_connect_failure(const std::string& message) {
    if (message.find("does not exist") == std::string::npos) return Readiness::unreachable;
    if (message.find("FATAL:  role \"") != std::string::npos) return Readiness::no_role;
    if (message.find("FATAL:  database \"") != std::string::npos) return Readiness::no_database;
    return Readiness::unreachable;
}

SchemaCheck check_schema(const std::string& conninfo, std::chrono::milliseconds timeout) {
    SchemaCheck c;
    c.want = expected_schema_version();
    try {
        const auto conn = connect(conninfo, timeout);
        c.have = schema_version(*conn);
        c.state = c.have == 0       ? Readiness::no_schema
                  : c.have < c.want ? Readiness::old_schema
                                    : Readiness::ready;
        if (c.state != Readiness::ready)
            c.detail = "database schema version " + std::to_string(c.have) +
                       (c.have == 0 ? " (no tlsrpt schema)" : "") + ", this build needs " +
                       std::to_string(c.want);
    } catch (const std::exception& e) {
        c.detail = e.what();
        while (!c.detail.empty() && (c.detail.back() == '\n' || c.detail.back() == ' '))
            c.detail.pop_back();
        c.state = classify_connect_failure(c.detail);
    }
    return c;
}

std::string describe(const SchemaCheck& check) {
    switch (check.state) {
    case Readiness::ready:
        return "database schema version " + std::to_string(check.have) + ": storing reports";
    case Readiness::no_role:
        return "the database role does not exist (" + check.detail + ")";
    case Readiness::no_database:
        return "the database does not exist (" + check.detail + ")";
    case Readiness::no_schema:
    case Readiness::old_schema:
        return check.detail;
    case Readiness::unreachable:
        break;
    }
    return "cannot reach the database (" + check.detail + ")";
}

std::vector<std::string> setup_commands(const SchemaCheck& check, const std::string& conninfo,
                                        const std::string& os_user) {
    std::vector<std::string> out;
    if (check.state == Readiness::ready) return out;
    auto values = conninfo_values(conninfo);
    const std::string role = values.count("user") ? values["user"] : os_user;
    const std::string db = values.count("dbname") ? values["dbname"] : role;
    std::string where;
    if (values.count("host")) where += " -h " + shell_word(values["host"]);
    if (values.count("port")) where += " -p " + shell_word(values["port"]);
    const std::string as_postgres = "runuser -u postgres -- ";
    if (check.state == Readiness::no_role)
        out.push_back(as_postgres + "createuser" + where + " " + shell_word(role));
    if (check.state == Readiness::no_role || check.state == Readiness::no_database)
        out.push_back(as_postgres + "createdb" + where + " -O " + shell_word(role) + " " +
                      shell_word(db));
    const std::string as_user =
        os_user == "root" ? "" : "runuser -u " + shell_word(os_user) + " -- ";
    // never a password into the log, also not from a setting libpq cannot parse (no values
    // then), nor a quote that breaks the command: then the operator fills in the setting
    const bool unsafe = values.count("password") || (values.empty() && !conninfo.empty()) ||
                        conninfo.find("password") != std::string::npos ||
                        conninfo.find('\'') != std::string::npos;
    const std::string db_arg = unsafe ? "<the Database setting>" : conninfo;
    out.push_back(as_user + "tlsrptctl db migrate --db '" + db_arg + "'");
    return out;
}

} // namespace tlsrpt::store
