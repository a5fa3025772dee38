// test_store_grants.cpp: the rights of a writer and of a reader (store/grants.hpp, `tlsrptctl
// db grant`) against a real PostgreSQL. A login role that is only a writer stores every kind
// of report the store knows (new, in a month without partitions, duplicate, conflict, an
// authenticated copy replacing an unauthenticated one, a verdict upgrade), quarantines,
// counts failed attempts and marks a reimport; it cannot delete reports, details or
// quarantined messages, truncate, drop a month, write the rollup or change the schema, and the
// replace path's rights reach only reports no authenticated copy holds. A reader reads every table
// and view, also one added after the grant, and writes nothing. The grant is the owner's (also an
// owner that is no superuser), never to PUBLIC or a pseudo-role, and names an unknown role.
#define BOOST_TEST_MODULE store_grants
#include <boost/test/unit_test.hpp>

#include "roles_test.hpp"
#include "store/admin.hpp"
#include "store/grants.hpp"
#include "store/migrations.hpp"
#include "store_test.hpp"
#include "tlsrpt/store.hpp"

using namespace tlsrpt::store;
using storetest::ReportJson;
using storetest::TestDatabase;

namespace {

using namespace rolestest;

// Why grant() refused (its std::invalid_argument), "" when it granted.
std::string refusal(pqxx::connection_base& conn, const std::string& role, Access access) {
    try {
        grant(conn, role, access);
        return "";
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(a_writer_stores_every_kind_of_report) {
    TestRole role("writer");
    TestDatabase db("grants_writer");
    const std::string as_writer = role.conninfo(db);
    // before the grant, the role may not even read the schema version
    BOOST_TEST(sqlstate_of(as_writer, "SELECT * FROM tlsrpt.schema_migrations") == "42501");
    grant_as_owner(db, role, Access::writer);

    Store s(as_writer);
    const auto stored = s.store_report(mailed(report("w-1"), "w1@x"), {Source::smtp, {}});
    BOOST_TEST((stored.status == Status::stored), stored.message);
    const auto again = s.store_report(mailed(report("w-1"), "w1b@x"), {Source::smtp, {}});
    BOOST_TEST((again.status == Status::duplicate), again.message);
    ReportJson other = report("w-1");
    other.policies[0].successful = 55;
    const auto conflict = s.store_report(mailed(other, "w1c@x"), {Source::smtp, {}});
    BOOST_TEST((conflict.status == Status::conflict), conflict.message);

    // an unauthenticated copy, then an authenticated one of other content: replaced
    BOOST_TEST(
        (s.store_report(mailed(report("w-2"), "w2@x"), {Source::smtp, unauthenticated()}).status ==
         Status::stored));
    ReportJson authentic = report("w-2");
    authentic.policies[0].successful = 77;
    const auto replaced =
        s.store_report(mailed(authentic, "w2b@x"), {Source::smtp, storetest::authenticated_pass()});
    BOOST_TEST((replaced.status == Status::replaced), replaced.message);
    // an identical authenticated copy of an unauthenticated one upgrades the verdict
    BOOST_TEST(
        (s.store_report(mailed(report("w-3"), "w3@x"), {Source::smtp, unauthenticated()}).status ==
         Status::stored));
    const auto upgraded = s.store_report(mailed(report("w-3"), "w3b@x"),
                                         {Source::smtp, storetest::authenticated_pass()});
    BOOST_TEST(upgraded.ok(), upgraded.message);
    BOOST_TEST(db.value("SELECT dkim_authenticated FROM tlsrpt.reports WHERE report_id = 'w-3'") ==
               "t");

    // a month with no partitions yet: the writer has them made (not the default partition)
    const auto old =
        s.store_report(mailed(report("w-4", storetest::utc_day(600)), "w4@x"), {Source::smtp, {}});
    BOOST_TEST((old.status == Status::stored), old.message);
    BOOST_TEST(db.count("SELECT count(*) FROM tlsrpt.reports_default") == 0);
    BOOST_TEST(db.count("SELECT count(*) FROM tlsrpt.reports") == 4);
    BOOST_TEST(db.count("SELECT sum(sessions) FROM tlsrpt.failure_rollup") == 8);

    const auto q1 =
        s.quarantine("Subject: no report\n\nnothing", "malformed: test", {}, Source::smtp);
    BOOST_TEST((q1.status == Status::stored), q1.message);
    const auto q2 =
        s.quarantine("Subject: no report\n\nnothing", "malformed: test", {}, Source::smtp);
    BOOST_TEST((q2.status == Status::duplicate), q2.message);
    const auto a1 = s.record_failed_attempt("Subject: slow\n\nx", "timeout");
    const auto a2 = s.record_failed_attempt("Subject: slow\n\nx", "timeout");
    BOOST_REQUIRE(a1.has_value());
    BOOST_REQUIRE(a2.has_value());
    BOOST_TEST(a2->count == 2);
    pqxx::connection conn(as_writer);
    mark_reimported(conn, q1.report_pk);
    BOOST_TEST(db.count("SELECT count(*) FROM tlsrpt.rejected_messages WHERE reimported_at IS NOT "
                        "NULL") == 1);
}

BOOST_AUTO_TEST_CASE(a_writer_cannot_remove_or_reshape) {
    TestRole role("limits");
    TestDatabase db("grants_writer_limits");
    const std::string as_writer = role.conninfo(db);
    grant_as_owner(db, role, Access::writer);
    Store(as_writer).store_report(mailed(report("l-1"), "l1@x"), {Source::smtp, {}});
    for (const char* sql : {
             "DELETE FROM tlsrpt.reports",
             "DELETE FROM tlsrpt.failure_details",
             "UPDATE tlsrpt.failure_details SET failed_session_count = 0",
             "UPDATE tlsrpt.report_conflicts SET raw = '{}'",
             "DELETE FROM tlsrpt.failed_attempts WHERE false; DELETE FROM tlsrpt.alert_evaluations",
             "SELECT setval('tlsrpt.reports_id_seq', 1)",
             "DELETE FROM tlsrpt.rejected_messages",
             "UPDATE tlsrpt.rejected_messages SET reason = 'x'",
             "TRUNCATE tlsrpt.failure_details",
             "DROP TABLE tlsrpt.report_conflicts",
             "ALTER TABLE tlsrpt.reports ADD COLUMN x int",
             "CREATE TABLE tlsrpt.x (i int)",
             "SELECT * FROM tlsrpt.drop_month(date_trunc('month', now())::date)",
             "INSERT INTO tlsrpt.failure_rollup (report_pk) VALUES (1)",
             "DELETE FROM tlsrpt.failure_rollup",
             "INSERT INTO tlsrpt.schema_migrations (version, name) VALUES (999, 'x')",
         })
        BOOST_TEST(sqlstate_of(as_writer, sql) == "42501", sql);
    BOOST_TEST(db.count("SELECT count(*) FROM tlsrpt.reports") == 1);
}

BOOST_AUTO_TEST_CASE(a_reader_reads_everything_and_writes_nothing) {
    TestRole role("reader");
    TestDatabase db("grants_reader");
    const std::string as_reader = role.conninfo(db);
    BOOST_TEST(Store(db.conninfo()).store_report(mailed(report("r-1"), "r1@x"), {}).ok());
    grant_as_owner(db, role, Access::reader);
    for (const char* view : {"daily_summary", "daily_sessions", "daily_failures", "reporters",
                             "report_sessions", "failure_sessions", "daily_reporters",
                             "daily_quirks", "current_alerts", "reports", "failure_details"})
        BOOST_TEST(sqlstate_of(as_reader, std::string("SELECT count(*) FROM tlsrpt.") + view) == "",
                   view);
    // a table the owner adds later (a future migration) is readable too
    db.exec("CREATE TABLE tlsrpt.later_table (i int)");
    BOOST_TEST(sqlstate_of(as_reader, "SELECT count(*) FROM tlsrpt.later_table") == "");
    db.exec("DROP TABLE tlsrpt.later_table");
    for (const char* sql :
         {"INSERT INTO tlsrpt.rejected_messages (reason, raw) VALUES ('x', 'x')",
          "DELETE FROM tlsrpt.reports", "SELECT tlsrpt.ensure_partition(current_date)"})
        BOOST_TEST(sqlstate_of(as_reader, sql) == "42501", sql);
}

// A schema owned by a role that is not a superuser, as README.Debian sets it up: the owner
// grants, or a superuser; the reader's default privileges are the owner's whoever granted,
// so a table the owner adds later (a migration) is readable; a role with rights of its own but no
// ownership is refused (PostgreSQL would only warn and grant nothing).
BOOST_AUTO_TEST_CASE(a_non_superuser_owner_grants_and_others_are_refused) {
    TestRole owner("owner"), reader("reader2"), writer("writer2");
    TestDatabase db("grants_owner_role", false);
    const std::string as_owner = owner.conninfo(db), as_writer = writer.conninfo(db);
    db.exec("ALTER DATABASE " + db.name() + " OWNER TO " + owner.name());
    {
        pqxx::connection conn(as_owner);
        migrate(conn); // as `tlsrptctl db migrate` run by the owner
    }
    {
        pqxx::connection conn(as_owner);
        grant(conn, writer.name(), Access::writer);
        pqxx::connection superuser(db.conninfo()); // a superuser grants for the owner too
        grant(superuser, reader.name(), Access::reader);
    }
    BOOST_TEST(Store(as_writer).store_report(mailed(report("o-1"), "o1@x"), {}).ok());
    {
        pqxx::connection conn(as_owner);
        pqxx::work tx(conn);
        tx.exec0("CREATE TABLE tlsrpt.added_by_owner (i int)");
        tx.commit();
    }
    BOOST_TEST(sqlstate_of(reader.conninfo(db), "SELECT count(*) FROM tlsrpt.added_by_owner") ==
               "");
    pqxx::connection conn(as_writer);
    const std::string why = refusal(conn, reader.name(), Access::writer);
    BOOST_TEST(why.find("only the owner") != std::string::npos, why);
}

BOOST_AUTO_TEST_CASE(a_database_without_the_schema_is_named) {
    TestRole role("noschema");
    TestDatabase db("grants_noschema", false);
    pqxx::connection conn(db.conninfo());
    const std::string why = refusal(conn, role.name(), Access::reader);
    BOOST_TEST(why.find("db migrate") != std::string::npos, why);
}

BOOST_AUTO_TEST_CASE(names_that_are_no_single_role_are_refused) {
    TestDatabase db("grants_special");
    pqxx::connection conn(db.conninfo());
    for (const char* name : {"public", "none", "pg_read_all_data", ""})
        BOOST_CHECK_THROW(grant(conn, name, Access::writer), std::invalid_argument);
    BOOST_TEST(db.value("SELECT has_function_privilege('public', "
                        "'tlsrpt.ensure_partition(date)', 'EXECUTE')") == "f");
    // the owner needs none, and a REVOKE before a column grant would take its own rights
    const std::string owner = db.value("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE "
                                       "oid = 'tlsrpt.reports'::regclass");
    BOOST_TEST(refusal(conn, owner, Access::writer).find("owns the tlsrpt schema") !=
               std::string::npos);
    BOOST_TEST(db.value("SELECT has_table_privilege('tlsrpt.reports', 'INSERT')") == "t");
}

BOOST_AUTO_TEST_CASE(only_the_owner_grants_and_the_role_must_exist) {
    TestRole role("nobody"), other("other");
    TestDatabase db("grants_owner");
    {
        pqxx::connection conn(db.conninfo());
        try {
            grant(conn, "tlsrpt_no_such_role", Access::writer);
            BOOST_FAIL("granted to a role that does not exist");
        } catch (const pqxx::sql_error& e) {
            BOOST_TEST(e.sqlstate() == "42704");
        }
    }
    pqxx::connection as_other(other.conninfo(db));
    BOOST_CHECK_THROW(grant(as_other, role.name(), Access::writer), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(tlsrptctl_db_grant_names_what_it_did) {
    TestRole role("cli");
    TestDatabase db("grants_cli");
    const std::string ctl = storetest::env("TLSRPT_CTL", "tlsrptctl");
    const auto ok = storetest::run(ctl + " db grant --writer " + role.name() + " --db " +
                                   storetest::sh(db.conninfo()));
    BOOST_TEST(ok.status == 0, ok.err);
    BOOST_TEST(ok.out.find("may now store reports") != std::string::npos, ok.out);
    BOOST_TEST(ok.out.find("GRANT EXECUTE ON FUNCTION tlsrpt.ensure_partition(date)") !=
                   std::string::npos,
               ok.out);
    BOOST_TEST(storetest::run(ctl + " db grant --db " + storetest::sh(db.conninfo())).status == 2);
    BOOST_TEST(
        storetest::run(ctl + " db grant --writer a --reader b --db " + storetest::sh(db.conninfo()))
            .status == 2);
    const auto missing = storetest::run(ctl + " db grant --reader tlsrpt_no_such_role --db " +
                                        storetest::sh(db.conninfo()));
    BOOST_TEST(missing.status == 1, missing.err);
    BOOST_TEST(missing.err.find("tlsrpt_no_such_role") != std::string::npos, missing.err);
    const auto everyone =
        storetest::run(ctl + " db grant --writer public --db " + storetest::sh(db.conninfo()));
    BOOST_TEST(everyone.status == 1, everyone.err);
    BOOST_TEST(everyone.err.find("not a single role") != std::string::npos, everyone.err);
    BOOST_TEST(
        storetest::run(ctl + " db status --writer x --db " + storetest::sh(db.conninfo())).status ==
        2);
}
