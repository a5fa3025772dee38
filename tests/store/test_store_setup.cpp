// test_store_setup.cpp: database readiness (store/setup.cpp) against the real PostgreSQL:
// each state the milter can start in (no role, no database, no schema, an older schema,
// unreachable, ready) is recognised, and the setup commands name exactly what is missing.
#define BOOST_TEST_MODULE store_setup
#include <boost/test/unit_test.hpp>

#include "store_test.hpp"
#include "tlsrpt/store_setup.hpp"

using namespace tlsrpt::store;
using namespace storetest;
using namespace std::chrono_literals;

namespace {

std::string server() {
    return "host=" + env("PGHOST", "127.0.0.1") + " port=" + env("PGPORT", "5432");
}

bool has(const std::vector<std::string>& lines, const std::string& text) {
    for (const auto& l : lines)
        if (l == text) return true;
    return false;
}

} // namespace

BOOST_AUTO_TEST_CASE(libpq_messages_are_classified) {
    BOOST_TEST((classify_connect_failure("connection to server on socket \"/run/postgresql/"
                                         ".s.PGSQL.5432\" failed: FATAL:  role \"tlsrpt-milter\" "
                                         "does not exist") == Readiness::no_role));
    BOOST_TEST((classify_connect_failure("connection to server at \"127.0.0.1\", port 5432 "
                                         "failed: FATAL:  database \"tlsrpt\" does not exist") ==
                Readiness::no_database));
    BOOST_TEST((classify_connect_failure("connection to server at \"127.0.0.1\", port 1 failed: "
                                         "Connection refused") == Readiness::unreachable));
    BOOST_TEST((classify_connect_failure("FATAL:  Peer authentication failed for user \"x\"") ==
                Readiness::unreachable));
}

BOOST_AUTO_TEST_CASE(a_missing_database_is_named_with_createdb) {
    const std::string conninfo = server() + " user=" + env("PGUSER", "postgres") +
                                 " dbname=tlsrpt_setup_absent_" + std::to_string(getpid());
    const SchemaCheck c = check_schema(conninfo, 5s);
    BOOST_TEST((c.state == Readiness::no_database));
    BOOST_TEST(describe(c).find("the database does not exist") != std::string::npos);
    const auto cmds = setup_commands(c, conninfo, "tlsrpt-milter");
    BOOST_TEST_REQUIRE(cmds.size() == 2u);
    BOOST_TEST(cmds[0] == "runuser -u postgres -- createdb -h " + env("PGHOST", "127.0.0.1") +
                              " -p " + env("PGPORT", "5432") + " -O " + env("PGUSER", "postgres") +
                              " tlsrpt_setup_absent_" + std::to_string(getpid()));
    BOOST_TEST(cmds[1] ==
               "runuser -u tlsrpt-milter -- tlsrptctl db migrate --db '" + conninfo + "'");
}

BOOST_AUTO_TEST_CASE(a_missing_role_is_named_with_createuser_and_createdb) {
    const std::string conninfo =
        server() + " user=no_such_role_" + std::to_string(getpid()) + " dbname=tlsrpt";
    const SchemaCheck c = check_schema(conninfo, 5s);
    BOOST_TEST((c.state == Readiness::no_role));
    const auto cmds = setup_commands(c, conninfo, "root");
    BOOST_TEST_REQUIRE(cmds.size() == 3u);
    BOOST_TEST(cmds[0].find("createuser -h ") != std::string::npos);
    BOOST_TEST(cmds[0].find("no_such_role_") != std::string::npos);
    BOOST_TEST(cmds[1].find("createdb ") != std::string::npos);
    BOOST_TEST(cmds[2] == "tlsrptctl db migrate --db '" + conninfo + "'"); // root: no runuser
}

BOOST_AUTO_TEST_CASE(an_empty_database_needs_only_the_migration) {
    TestDatabase db("setup_empty", false);
    const std::string conninfo = "dbname=" + db.name();
    const SchemaCheck c = check_schema(conninfo, 5s);
    BOOST_TEST((c.state == Readiness::no_schema));
    BOOST_TEST(c.have == 0);
    BOOST_TEST(c.want == expected_schema_version());
    const auto cmds = setup_commands(c, conninfo, "tlsrpt-milter");
    BOOST_TEST_REQUIRE(cmds.size() == 1u);
    BOOST_TEST(cmds[0] ==
               "runuser -u tlsrpt-milter -- tlsrptctl db migrate --db '" + conninfo + "'");
}

BOOST_AUTO_TEST_CASE(an_older_schema_is_old_and_a_current_one_ready) {
    TestDatabase db("setup_old");
    const std::string conninfo = "dbname=" + db.name();
    BOOST_TEST((check_schema(conninfo, 5s).state == Readiness::ready));
    BOOST_TEST(setup_commands(check_schema(conninfo, 5s), conninfo, "x").empty());
    db.exec("DELETE FROM tlsrpt.schema_migrations WHERE version = (SELECT max(version) FROM "
            "tlsrpt.schema_migrations)");
    const SchemaCheck c = check_schema(conninfo, 5s);
    BOOST_TEST((c.state == Readiness::old_schema));
    BOOST_TEST(c.have == expected_schema_version() - 1);
}

BOOST_AUTO_TEST_CASE(nothing_listening_is_unreachable_and_a_password_never_logged) {
    const std::string conninfo = "host=127.0.0.1 port=1 dbname=tlsrpt password=secret";
    const SchemaCheck c = check_schema(conninfo, 2s);
    BOOST_TEST((c.state == Readiness::unreachable));
    BOOST_TEST(describe(c).find("cannot reach the database") != std::string::npos);
    const auto cmds = setup_commands(c, conninfo, "tlsrpt-milter");
    BOOST_TEST(!has(cmds, ""));
    for (const auto& l : cmds)
        BOOST_TEST(l.find("secret") == std::string::npos);
    // a setting libpq cannot parse (an unterminated quote) is never echoed either
    const std::string broken = "host=127.0.0.1 password=secret dbname='unterminated";
    for (const auto& l : setup_commands(c, broken, "tlsrpt-milter"))
        BOOST_TEST(l.find("secret") == std::string::npos);
}
