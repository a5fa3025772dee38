// test_store_row_security.cpp: 012_writer_row_security.sql against a real PostgreSQL. Once a
// DKIM-authenticated copy holds a report, a writer (`tlsrptctl db grant --writer`) can neither
// change it nor add to it: its UPDATE and DELETE statements run and leave that report alone,
// new policies and failure details under it are refused (42501), also when the writer races
// the transaction that authenticates the report; it never chooses an id; and an authenticated
// copy identical to a stored unauthenticated one is written whole, so changes a writer made to
// that copy do not become authenticated; neither ensure_partition moving rows in its
// transaction nor a transaction id met again (a restored copy) lets it in; its checks lock only
// their month. The store's own paths still work as a writer.
#define BOOST_TEST_MODULE store_row_security
#include <boost/test/unit_test.hpp>

#include "roles_test.hpp"
#include "store/statements.hpp"
#include "store_test.hpp"
#include "tlsrpt/store.hpp"

#include <chrono>
#include <future>

using namespace tlsrpt::store;
using namespace rolestest;
using storetest::ReportJson;
using storetest::TestDatabase;

namespace {

// A database with a writer and three reports stored by the owner: "r-auth" authenticated,
// with a conflicting copy kept, and "r-open" not authenticated.
struct Stocked {
    TestRole role{"rows"};
    TestDatabase db{"row_security"};
    std::string as_writer = role.conninfo(db);
    Outcome authenticated, open;

    Stocked() {
        grant_as_owner(db, role, Access::writer);
        Store owner(db.conninfo());
        authenticated = owner.store_report(mailed(report("r-auth"), "ra@x"),
                                           {Source::smtp, storetest::authenticated_pass()});
        ReportJson other = report("r-auth");
        other.policies[0].successful = 9;
        owner.store_report(mailed(other, "rb@x"), {Source::smtp, unauthenticated()});
        open =
            owner.store_report(mailed(report("r-open"), "ro@x"), {Source::smtp, unauthenticated()});
    }
    std::string auth_pk() const { return std::to_string(authenticated.report_pk); }
    std::int64_t policies_of(const std::string& pk) const {
        return db.count("SELECT count(*) FROM tlsrpt.policies WHERE report_pk = " + pk);
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(a_writer_changes_only_unauthenticated_reports) {
    Stocked s;
    BOOST_REQUIRE((s.authenticated.status == Status::stored));
    BOOST_TEST(s.db.count("SELECT count(*) FROM tlsrpt.report_conflicts") == 1);
    for (const char* sql : {
             "UPDATE tlsrpt.reports SET organization_name = 'rewritten'",
             "UPDATE tlsrpt.report_conflicts SET reason = 'rewritten'",
             "DELETE FROM tlsrpt.report_conflicts",
             "DELETE FROM tlsrpt.policies",
         })
        BOOST_TEST(sqlstate_of(s.as_writer, sql) == "", sql);
    BOOST_TEST(s.db.value("SELECT organization_name FROM tlsrpt.reports WHERE id = " +
                          s.auth_pk()) != "rewritten");
    BOOST_TEST(s.policies_of(s.auth_pk()) == 1);
    BOOST_TEST(s.db.count("SELECT count(*) FROM tlsrpt.failure_details f JOIN tlsrpt.policies p "
                          "ON p.id = f.policy_pk WHERE p.report_pk = " +
                          s.auth_pk()) == 1);
    BOOST_TEST(s.db.count("SELECT count(*) FROM tlsrpt.report_conflicts WHERE report_pk = " +
                          s.auth_pk() + " AND reason IS DISTINCT FROM 'rewritten'") == 1);
    // the unauthenticated report is the writer's to change, as an authenticated copy would
    BOOST_TEST(s.db.count("SELECT count(*) FROM tlsrpt.reports WHERE organization_name = "
                          "'rewritten' AND report_id = 'r-open'") == 1);
    BOOST_TEST(s.db.count("SELECT count(*) FROM tlsrpt.policies") == 1);
    BOOST_TEST(s.db.count("SELECT sum(sessions) FROM tlsrpt.failure_rollup") == 2);
}

BOOST_AUTO_TEST_CASE(a_writer_adds_nothing_under_an_authenticated_report) {
    Stocked s;
    const std::string add_policy = "INSERT INTO tlsrpt.policies (report_pk, ordinal, day, "
                                   "policy_type, total_failure_session_count) SELECT id, 9, day, "
                                   "'sts', 1000 FROM tlsrpt.reports WHERE dkim_authenticated";
    const std::string add_detail = "INSERT INTO tlsrpt.failure_details (policy_pk, day, "
                                   "result_type, failed_session_count) SELECT p.id, p.day, "
                                   "'starttls-not-supported', 1000 FROM tlsrpt.policies p JOIN "
                                   "tlsrpt.reports r ON r.id = p.report_pk WHERE "
                                   "r.dkim_authenticated";
    BOOST_TEST(sqlstate_of(s.as_writer, add_policy) == "42501");
    BOOST_TEST(sqlstate_of(s.as_writer, add_detail) == "42501");
    BOOST_TEST(s.db.count("SELECT count(*) FROM tlsrpt.policies") == 2);
    BOOST_TEST(s.db.count("SELECT count(*) FROM tlsrpt.failure_details") == 2);
    // under the writer's own unauthenticated report it may (a replacement writes them)
    BOOST_TEST(sqlstate_of(s.as_writer, "INSERT INTO tlsrpt.policies (report_pk, ordinal, day, "
                                        "policy_type) SELECT id, 9, day, 'sts' FROM "
                                        "tlsrpt.reports WHERE NOT dkim_authenticated") == "");
    // its own new authenticated report, by SQL of its own and in a savepoint: it may add to it
    BOOST_TEST(sqlstate_of(s.as_writer,
                           "SAVEPOINT a; INSERT INTO tlsrpt.reports (reporter, report_id, "
                           "start_datetime, end_datetime, source, content_hash, day, "
                           "dkim_authenticated) VALUES ('w.example', 'own', now(), now(), 'file', "
                           "'x', current_date, true); INSERT INTO tlsrpt.policies (report_pk, "
                           "ordinal, day, policy_type) SELECT id, 0, day, 'sts' FROM "
                           "tlsrpt.reports WHERE report_id = 'own'; RELEASE a") == "");
    BOOST_TEST(s.db.value("SELECT writer_xact IS NOT NULL FROM tlsrpt.reports WHERE report_id "
                          "= 'own'") == "t");
    BOOST_TEST(s.db.value("SELECT writer_xact IS NULL FROM tlsrpt.reports WHERE id = " +
                          s.auth_pk()) == "t");
    // a new authenticated report is stored whole, its policies and details in one statement
    const auto fresh = Store(s.as_writer)
                           .store_report(mailed(report("r-new"), "rn@x"),
                                         {Source::smtp, storetest::authenticated_pass()});
    BOOST_TEST((fresh.status == Status::stored), fresh.message);
    BOOST_TEST(s.db.count("SELECT count(*) FROM tlsrpt.failure_details f JOIN tlsrpt.policies p "
                          "ON p.id = f.policy_pk JOIN tlsrpt.reports r ON r.id = p.report_pk "
                          "WHERE r.report_id = 'r-new' AND r.dkim_authenticated") == 1);
}

BOOST_AUTO_TEST_CASE(a_writer_never_chooses_an_id) {
    Stocked s;
    const std::string statements[] = {
        "UPDATE tlsrpt.reports SET id = " + s.auth_pk() + " WHERE report_id = 'r-open'",
        "INSERT INTO tlsrpt.policies (id, report_pk, ordinal, day, policy_type) SELECT 1, id, 8, "
        "day, 'sts' FROM tlsrpt.reports WHERE NOT dkim_authenticated",
        "INSERT INTO tlsrpt.report_conflicts (id, report_pk, report_day, content_hash) SELECT 99, "
        "id, day, 'x' FROM tlsrpt.reports",
    };
    for (const std::string& sql : statements)
        BOOST_TEST(sqlstate_of(s.as_writer, sql) == "42501", sql);
    BOOST_TEST(s.db.count("SELECT count(*) FROM tlsrpt.reports WHERE id = " + s.auth_pk()) == 1);
}

// A writer's INSERT of a policy, and its DELETE of the policies, while the owner's transaction
// authenticating the report (flag set, not yet committed) runs: each waits for it, then finds
// the report authenticated.
BOOST_AUTO_TEST_CASE(a_writer_racing_the_authentication_is_refused) {
    Stocked s;
    const std::string open_pk = std::to_string(s.open.report_pk);
    const std::pair<std::string, std::string> attacks[] = {
        {"INSERT INTO tlsrpt.policies (report_pk, ordinal, day, policy_type, "
         "total_failure_session_count) SELECT id, 9, day, 'sts', 1000 FROM tlsrpt.reports "
         "WHERE id = " +
             open_pk,
         "42501"},
        {"DELETE FROM tlsrpt.policies WHERE report_pk = " + open_pk, ""}, // deletes nothing
    };
    for (const auto& [attack, refusal] : attacks) {
        pqxx::connection owner(s.db.conninfo());
        pqxx::work tx(owner);
        // a plain UPDATE, without FOR UPDATE first: the writer's check still waits for it
        tx.exec0("UPDATE tlsrpt.reports SET dkim_authenticated = true WHERE id = " + open_pk);
        auto writer = std::async(std::launch::async, sqlstate_of, s.as_writer, attack);
        BOOST_TEST((writer.wait_for(std::chrono::milliseconds(500)) == std::future_status::timeout),
                   "the writer waits for the authenticating transaction: " + attack);
        tx.commit();
        BOOST_TEST(writer.get() == refusal, attack);
        BOOST_TEST(s.policies_of(open_pk) == 1, attack);
        pqxx::work reset(owner);
        reset.exec0("UPDATE tlsrpt.reports SET dkim_authenticated = false WHERE id = " + open_pk);
        reset.commit();
    }
}

// A writer changed a stored unauthenticated report; the identical authenticated copy comes:
// it is written whole (the stored verdict is not merely upgraded), so the changes are gone.
BOOST_AUTO_TEST_CASE(an_authenticated_copy_rewrites_what_a_writer_changed) {
    Stocked s;
    const std::string open_pk = std::to_string(s.open.report_pk);
    BOOST_TEST(
        sqlstate_of(s.as_writer,
                    "UPDATE tlsrpt.reports SET organization_name = 'Forged' WHERE id = " + open_pk +
                        "; DELETE FROM tlsrpt.policies WHERE report_pk = " + open_pk) == "");
    BOOST_TEST(s.policies_of(open_pk) == 0);
    const auto signed_copy = Store(s.as_writer)
                                 .store_report(mailed(report("r-open"), "ro2@x"),
                                               {Source::smtp, storetest::authenticated_pass()});
    BOOST_TEST((signed_copy.status == Status::duplicate), signed_copy.message);
    BOOST_TEST(s.db.value("SELECT organization_name || ' ' || dkim_authenticated FROM "
                          "tlsrpt.reports WHERE id = " +
                          open_pk) == "Example Mailer Ltd true");
    BOOST_TEST(s.policies_of(open_pk) == 1);
    BOOST_TEST(s.db.count("SELECT count(*) FROM tlsrpt.report_conflicts WHERE report_pk = " +
                          open_pk) == 0);
}

// The replace path's lock: a writer's FOR UPDATE does not see an authenticated row, and the
// unlocked read that follows does.
BOOST_AUTO_TEST_CASE(the_replace_path_reads_an_authenticated_row_unlocked) {
    Stocked s;
    pqxx::connection conn(s.as_writer);
    conn.prepare("lock", sql::lock_report);
    conn.prepare("read", sql::read_report);
    pqxx::work tx(conn);
    BOOST_TEST(tx.exec_prepared("lock", s.authenticated.report_pk, "x").empty());
    const pqxx::result read = tx.exec_prepared("read", s.authenticated.report_pk, "x");
    BOOST_REQUIRE(read.size() == 1);
    BOOST_TEST(read[0][0].as<bool>());
}

// ensure_partition (the owner's, SECURITY DEFINER) moves a month's rows out of the default
// partition in the writer's own transaction; the moved authenticated report stays out of reach.
BOOST_AUTO_TEST_CASE(a_writer_moving_a_month_out_of_the_default_partition_gains_nothing) {
    Stocked s;
    const std::string day = storetest::utc_day(500); // in the window, its month not made yet
    s.db.exec("INSERT INTO tlsrpt.reports (reporter, report_id, start_datetime, end_datetime, "
              "source, content_hash, day, dkim_authenticated) VALUES ('mailer.example', "
              "'stray', '" +
              day + "', '" + day + "', 'file', 'x', '" + day + "', true)");
    s.db.exec("INSERT INTO tlsrpt.policies (report_pk, ordinal, day, policy_type) SELECT id, 0, "
              "day, 'sts' FROM tlsrpt.reports WHERE report_id = 'stray'");
    const std::string pk = s.db.value("SELECT id FROM tlsrpt.reports_default");
    pqxx::connection conn(s.as_writer);
    pqxx::work tx(conn);
    BOOST_TEST(tx.exec1("SELECT tlsrpt.ensure_partition('" + day + "')")[0].as<std::string>() ==
               "created");
    BOOST_TEST(tx.exec0("DELETE FROM tlsrpt.policies WHERE report_pk = " + pk).affected_rows() ==
               0);
    BOOST_CHECK_THROW(tx.exec0("INSERT INTO tlsrpt.policies (report_pk, ordinal, day, "
                               "policy_type) VALUES (" +
                               pk + ", 1, '" + day + "', 'tlsa')"),
                      pqxx::insufficient_privilege);
    tx.abort();
    BOOST_TEST(s.policies_of(pk) == 1);
}

// The checks are planned with their values, as 011's functions: a generic plan would lock every
// month's partitions of reports and policies, and their indexes.
BOOST_AUTO_TEST_CASE(the_checks_lock_only_their_month) {
    Stocked s;
    for (int month = 1; month <= 14; ++month)
        s.db.exec("SELECT tlsrpt.ensure_partition(current_date - " + std::to_string(31 * month) +
                  ")");
    const std::string policy = s.db.value("SELECT format('%s, %L', id, day) FROM tlsrpt.policies "
                                          "WHERE report_pk = " +
                                          std::to_string(s.open.report_pk));
    const std::string call = "SELECT tlsrpt.writer_may_add_detail(" + policy + ")";
    pqxx::connection conn(s.as_writer);
    // the session asks for generic plans (PostgreSQL picks them itself after five calls once
    // planning looks dear, with many partitions): the functions' own setting must win
    pqxx::nontransaction(conn).exec0("SET plan_cache_mode = force_generic_plan");
    pqxx::work tx(conn);
    tx.exec1(call);
    const auto locks = tx.exec1("SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND "
                                "locktype = 'relation'")[0]
                           .as<int>();
    BOOST_TEST(locks < 20, locks << " relation locks");
}

// Ids come round again in a copy of the database (pg_dump and restore): a stored writer_xact
// that equals the writer's transaction id does not let it in; the transaction's start time must
// match too.
BOOST_AUTO_TEST_CASE(a_transaction_id_that_comes_round_again_gains_nothing) {
    Stocked s;
    pqxx::connection conn(s.as_writer);
    pqxx::work tx(conn);
    const std::string mine = tx.exec1("SELECT pg_current_xact_id()::text")[0].as<std::string>();
    // as a copy of the database would hold it: the writer's id, another transaction's time
    s.db.exec("UPDATE tlsrpt.reports SET writer_xact = '" + mine +
              "', writer_at = now() - interval '1 day' WHERE id = " + s.auth_pk());
    BOOST_TEST(
        tx.exec0("DELETE FROM tlsrpt.policies WHERE report_pk = " + s.auth_pk()).affected_rows() ==
        0);
    tx.abort();
    BOOST_TEST(s.policies_of(s.auth_pk()) == 1);
}
