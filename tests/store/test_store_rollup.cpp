// test_store_rollup.cpp: tlsrpt.failure_rollup (010_failure_rollup.sql) on a real PostgreSQL.
// Its rows must always equal what the failure details say, worked out the way the views did
// before 010 (grouped per report, domain, type, result, MTA and MX, with the representative
// policy type of tlsrpt.representative_type), whoever writes: the store, a report replaced by
// an authenticated copy, rows moved out of the default partition by `db maintain`, a bulk
// INSERT in SQL (an older build, a load script; a policy at a time), corrections in SQL
// (UPDATE, DELETE of a policy or of details, TRUNCATE), prune at a month's edge and by whole
// months, under a publication of every table (logical replication), two sessions changing one
// report at once, a detail moved to another report. Also: daily_failures
// counts the representative type only and reads only the window's partitions of
// failure_rollup, the functions that write as their owner are not every role's, and (011) a
// change to one report locks only its month's partitions, however many months there are.
#define BOOST_TEST_MODULE store_rollup
#include <boost/test/unit_test.hpp>

#include "store/admin.hpp"
#include "store_test.hpp"
#include "tlsrpt/store.hpp"

#include <chrono>
#include <thread>
#include <vector>

using namespace tlsrpt::store;
using storetest::Detail;
using storetest::PolicyJson;
using storetest::ReportJson;
using storetest::TestDatabase;

namespace {

// failure_sessions as 009 defined it, from the failure details themselves.
const std::string recomputed = R"(
SELECT p.report_pk, f.day, p.policy_domain, p.policy_type, r.reporter, r.organization_name,
       f.result_type, coalesce(host(f.sending_mta_ip), f.sending_mta_ip_text, ''),
       coalesce(f.receiving_mx_hostname, ''), sum(f.failed_session_count::numeric),
       p.policy_type = tlsrpt.representative_type(p.report_pk, f.day, p.policy_domain)
FROM tlsrpt.failure_details f
JOIN tlsrpt.policies p ON p.id = f.policy_pk AND p.day = f.day
JOIN tlsrpt.reports r ON r.id = p.report_pk AND r.day = p.day
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9)";

const std::string stored = R"(
SELECT report_pk, day, policy_domain, policy_type, reporter, organization_name, result_type,
       sending_mta_ip, receiving_mx_hostname, sessions, representative
FROM tlsrpt.failure_rollup)";

// "rows|missing|extra": the rollup's rows, and how many differ from the recomputation (a row
// twice counts as one extra).
std::string agreement(const TestDatabase& db) {
    return db.value("SELECT concat_ws('|', (SELECT count(*) FROM tlsrpt.failure_rollup), "
                    "(SELECT count(*) FROM (" +
                    recomputed + " EXCEPT ALL " + stored + ") a), (SELECT count(*) FROM (" +
                    stored + " EXCEPT ALL " + recomputed + ") b))");
}

Outcome store(const TestDatabase& db, const ReportJson& r, const DkimInfo& dkim = {}) {
    Store s(db.conninfo());
    return s.store_report(storetest::read_one(r.json()), {Source::file, dkim});
}

Detail detail(const std::string& type, const std::string& ip, std::int64_t sessions) {
    Detail d;
    d.result_type = type;
    d.sending_mta_ip = ip;
    d.failed_session_count = sessions;
    return d;
}

// sts 100/10 (certificate-expired 6 from two MTAs, 4 validation-failure) and tlsa 100/10
// (dane-required 10) for one domain: sts represents the sessions (equal counts: sts first).
ReportJson two_types(const std::string& id, const std::string& day) {
    ReportJson r;
    r.report_id = id;
    r.day = day;
    r.policies[0].failed = 10;
    r.policies[0].details = {detail("certificate-expired", "192.0.2.1", 3),
                             detail("certificate-expired", "192.0.2.2", 3),
                             detail("validation-failure", "192.0.2.1", 4)};
    PolicyJson tlsa;
    tlsa.type = "tlsa";
    tlsa.strings = {"3 1 1 AABB"};
    tlsa.failed = 10;
    tlsa.details = {detail("dane-required", "192.0.2.1", 10)};
    r.policies.push_back(tlsa);
    return r;
}

} // namespace

BOOST_AUTO_TEST_CASE(the_store_writes_the_rollup_and_daily_failures_reads_it) {
    TestDatabase db("rollup_store");
    const std::string day = storetest::utc_day(2);
    BOOST_REQUIRE(store(db, two_types("two", day)).status == Status::stored);
    BOOST_TEST(agreement(db) == "4|0|0");
    BOOST_TEST(db.value("SELECT string_agg(policy_type || ':' || result_type || '=' || sessions "
                        "|| ':' || representative, ',' ORDER BY policy_type, result_type, "
                        "sessions) FROM tlsrpt.failure_sessions") ==
               "sts:certificate-expired=3:true,sts:certificate-expired=3:true,"
               "sts:validation-failure=4:true,tlsa:dane-required=10:false");
    // the failed sessions once, under the representative type: 10, not 20
    BOOST_TEST(db.value("SELECT string_agg(result_type || '=' || sessions, ',' ORDER BY "
                        "result_type) FROM tlsrpt.daily_failures") ==
               "certificate-expired=6,validation-failure=4");
    // a duplicate adds nothing
    BOOST_TEST((store(db, two_types("two", day)).status == Status::duplicate));
    BOOST_TEST(agreement(db) == "4|0|0");
}

BOOST_AUTO_TEST_CASE(a_replaced_report_leaves_no_old_rows) {
    TestDatabase db("rollup_replace");
    const std::string day = storetest::utc_day(3);
    BOOST_REQUIRE(store(db, two_types("repl", day)).status == Status::stored);
    ReportJson other = two_types("repl", day);
    other.organization_name = "Authenticated Mailer";
    other.policies.pop_back(); // sts only, other failures
    other.policies[0].details = {detail("starttls-not-supported", "192.0.2.9", 10)};
    const Outcome b = store(db, other, storetest::authenticated_pass());
    BOOST_REQUIRE_MESSAGE(b.status == Status::replaced, b.message);
    BOOST_TEST(agreement(db) == "1|0|0");
    BOOST_TEST(db.value("SELECT organization_name || ':' || result_type FROM "
                        "tlsrpt.failure_rollup") == "Authenticated Mailer:starttls-not-supported");
}

BOOST_AUTO_TEST_CASE(rows_moved_out_of_the_default_partition_keep_their_rollup) {
    TestDatabase db("rollup_default");
    // a month without partitions yet (inside the window): its rows are in the default ones
    const std::string day = storetest::utc_day(600);
    db.exec("INSERT INTO tlsrpt.reports (reporter, report_id, start_datetime, end_datetime, "
            "source, content_hash, day) VALUES ('mailer.example', 'stray', '" +
            day + "', '" + day + "', 'file', 'x', '" + day + "')");
    db.exec("INSERT INTO tlsrpt.policies (report_pk, ordinal, day, policy_type, policy_domain, "
            "total_failure_session_count) SELECT id, 0, day, 'sts', 'stray.example', 5 FROM "
            "tlsrpt.reports WHERE report_id = 'stray'");
    db.exec("INSERT INTO tlsrpt.failure_details (policy_pk, day, result_type, sending_mta_ip, "
            "failed_session_count) SELECT id, day, 'certificate-expired', '192.0.2.7', 5 FROM "
            "tlsrpt.policies");
    BOOST_TEST(agreement(db) == "1|0|0"); // a bulk INSERT in SQL gets its rows too
    BOOST_TEST(db.value("SELECT tableoid::regclass::text FROM tlsrpt.failure_rollup") ==
               "tlsrpt.failure_rollup_default");
    pqxx::connection conn(db.conninfo());
    maintain(conn, 1);
    BOOST_TEST(agreement(db) == "1|0|0");
    BOOST_TEST(db.value("SELECT tableoid::regclass::text FROM tlsrpt.failure_rollup") ==
               "tlsrpt.failure_rollup_p" + day.substr(0, 4) + "_" + day.substr(5, 2));
}

BOOST_AUTO_TEST_CASE(prune_takes_the_rollup_with_the_reports) {
    TestDatabase db("rollup_prune");
    for (const int ago : {1, 100, 200})
        BOOST_REQUIRE(
            store(db, two_types("prune-" + std::to_string(ago), storetest::utc_day(ago))).status ==
            Status::stored);
    BOOST_TEST(agreement(db) == "12|0|0");
    pqxx::connection conn(db.conninfo());
    prune(conn, 50); // one month dropped whole at least, the edge month by DELETE
    BOOST_TEST(agreement(db) == "4|0|0");
    BOOST_TEST(db.count("SELECT count(*) FROM tlsrpt.failure_rollup WHERE day < current_date - "
                        "50") == 0);
    // a deleted report takes its rows (foreign key)
    db.exec("DELETE FROM tlsrpt.reports");
    BOOST_TEST(agreement(db) == "0|0|0");
}

BOOST_AUTO_TEST_CASE(daily_failures_reads_only_the_window) {
    TestDatabase db("rollup_plan");
    for (const int ago : {1, 120})
        BOOST_REQUIRE(
            store(db, two_types("plan-" + std::to_string(ago), storetest::utc_day(ago))).status ==
            Status::stored);
    const std::string plan = db.explain("SELECT * FROM tlsrpt.daily_failures WHERE day > '" +
                                        storetest::utc_day(8) + "'::date");
    const std::string recent = storetest::utc_day(1), old = storetest::utc_day(120);
    BOOST_TEST(plan.find("failure_rollup_p" + recent.substr(0, 4) + "_" + recent.substr(5, 2)) !=
                   std::string::npos,
               plan);
    BOOST_TEST(plan.find("failure_rollup_p" + old.substr(0, 4) + "_" + old.substr(5, 2)) ==
                   std::string::npos,
               plan);
    BOOST_TEST(plan.find("failure_details") == std::string::npos, plan);
}

BOOST_AUTO_TEST_CASE(corrections_in_sql_recompute_the_rollup) {
    TestDatabase db("rollup_sql");
    BOOST_REQUIRE(store(db, two_types("sql-a", storetest::utc_day(4))).status == Status::stored);
    BOOST_REQUIRE(store(db, two_types("sql-b", storetest::utc_day(5))).status == Status::stored);
    BOOST_TEST(agreement(db) == "8|0|0");
    // more sessions under tlsa: it becomes the representative type
    db.exec("UPDATE tlsrpt.policies SET total_failure_session_count = 500 WHERE policy_type = "
            "'tlsa' AND report_pk = (SELECT id FROM tlsrpt.reports WHERE report_id = 'sql-a')");
    BOOST_TEST(agreement(db) == "8|0|0");
    BOOST_TEST(db.value("SELECT string_agg(DISTINCT policy_type, ',') FROM tlsrpt.failure_rollup "
                        "u JOIN tlsrpt.reports r ON r.id = u.report_pk WHERE r.report_id = "
                        "'sql-a' AND representative") == "tlsa");
    db.exec("UPDATE tlsrpt.failure_details SET failed_session_count = 7 WHERE result_type = "
            "'validation-failure'");
    db.exec("UPDATE tlsrpt.reports SET organization_name = 'Renamed' WHERE report_id = 'sql-b'");
    BOOST_TEST(agreement(db) == "8|0|0");
    // one policy of two deleted: the other's rows stay
    db.exec("DELETE FROM tlsrpt.policies WHERE policy_type = 'tlsa' AND report_pk = (SELECT id "
            "FROM tlsrpt.reports WHERE report_id = 'sql-b')");
    BOOST_TEST(agreement(db) == "7|0|0");
    db.exec("DELETE FROM tlsrpt.failure_details WHERE result_type = 'certificate-expired'");
    BOOST_TEST(agreement(db) == "3|0|0");
    db.exec("TRUNCATE tlsrpt.failure_details");
    BOOST_TEST(agreement(db) == "0|0|0");
    // the whole store at once, as a test script clears it: the rollup goes with it
    BOOST_REQUIRE(store(db, two_types("sql-c", storetest::utc_day(4))).status == Status::stored);
    db.exec("TRUNCATE tlsrpt.reports, tlsrpt.rejected_messages CASCADE");
    BOOST_TEST(db.count("SELECT count(*) FROM tlsrpt.reports") == 0);
    BOOST_TEST(agreement(db) == "0|0|0");
}

BOOST_AUTO_TEST_CASE(a_bulk_load_a_policy_at_a_time) {
    TestDatabase db("rollup_bulk");
    const std::string day = storetest::utc_day(6);
    db.exec("INSERT INTO tlsrpt.reports (reporter, report_id, start_datetime, end_datetime, "
            "source, content_hash, day) VALUES ('mailer.example', 'bulk', '" +
            day + "', '" + day + "', 'file', 'x', '" + day + "')");
    const auto policy = [&](const char* type, int failed, const char* result) {
        db.exec(std::string("INSERT INTO tlsrpt.policies (report_pk, ordinal, day, policy_type, "
                            "policy_domain, total_failure_session_count) SELECT id, ") +
                (type[0] == 's' ? "0" : "1") + ", day, '" + type + "', 'bulk.example', " +
                std::to_string(failed) + " FROM tlsrpt.reports WHERE report_id = 'bulk'");
        db.exec(std::string("INSERT INTO tlsrpt.failure_details (policy_pk, day, result_type, "
                            "failed_session_count) SELECT id, day, '") +
                result + "', " + std::to_string(failed) +
                " FROM tlsrpt.policies WHERE policy_type = '" + type + "'");
    };
    policy("sts", 5, "certificate-expired");
    BOOST_TEST(agreement(db) == "1|0|0");
    policy("tlsa", 50, "dane-required"); // more sessions: tlsa represents the report now
    BOOST_TEST(agreement(db) == "2|0|0");
    BOOST_TEST(db.value("SELECT string_agg(result_type || '=' || sessions, ',') FROM "
                        "tlsrpt.daily_failures") == "dane-required=50");
}

BOOST_AUTO_TEST_CASE(deletes_work_under_a_publication_of_every_table) {
    TestDatabase db("rollup_publication");
    db.exec("CREATE PUBLICATION rollup_test FOR ALL TABLES");
    const std::string day = storetest::utc_day(7);
    BOOST_REQUIRE(store(db, two_types("pub", day)).status == Status::stored);
    ReportJson other = two_types("pub", day);
    other.policies.pop_back();
    BOOST_TEST((store(db, other, storetest::authenticated_pass()).status == Status::replaced));
    BOOST_TEST(agreement(db) == "3|0|0");
    db.exec("DELETE FROM tlsrpt.reports");
    BOOST_TEST(agreement(db) == "0|0|0");
    db.exec("DROP PUBLICATION rollup_test");
}

BOOST_AUTO_TEST_CASE(owner_rights_functions_are_not_every_roles) {
    TestDatabase db("rollup_rights");
    db.exec("DROP ROLE IF EXISTS tlsrpt_rollup_reader");
    db.exec("CREATE ROLE tlsrpt_rollup_reader");
    for (const char* f :
         {"tlsrpt.drop_month(date)", "tlsrpt.ensure_partition(date)",
          "tlsrpt.failure_rollup_sync()", "tlsrpt.failure_rollup_refresh(bigint[], date[])",
          "tlsrpt.failure_rollup_truncate()"})
        BOOST_TEST(db.value(std::string("SELECT has_function_privilege('tlsrpt_rollup_reader', '") +
                            f + "', 'EXECUTE')") == "f",
                   f);
    db.exec("DROP ROLE tlsrpt_rollup_reader");
}

BOOST_AUTO_TEST_CASE(two_sessions_changing_one_report_take_turns) {
    TestDatabase db("rollup_race");
    BOOST_REQUIRE(store(db, two_types("race", storetest::utc_day(8))).status == Status::stored);
    // A renames the reporter's organization (its refresh runs, uncommitted) and waits; B
    // changes a detail of the same report meanwhile: B's refresh must wait for A, then see
    // A's rows, not add a second set
    pqxx::connection a(db.conninfo());
    pqxx::work ta(a);
    ta.exec("UPDATE tlsrpt.reports SET organization_name = 'First' WHERE report_id = 'race'");
    std::thread b([&db] {
        pqxx::connection c(db.conninfo());
        pqxx::work tb(c);
        tb.exec("UPDATE tlsrpt.failure_details SET failed_session_count = 9 WHERE result_type = "
                "'validation-failure'");
        tb.commit();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    ta.commit();
    b.join();
    BOOST_TEST(agreement(db) == "4|0|0");
    BOOST_TEST(db.value("SELECT string_agg(DISTINCT organization_name, ',') FROM "
                        "tlsrpt.failure_rollup") == "First");
}

BOOST_AUTO_TEST_CASE(a_detail_moved_to_another_report) {
    TestDatabase db("rollup_move");
    const std::string day = storetest::utc_day(9);
    BOOST_REQUIRE(store(db, two_types("from", day)).status == Status::stored);
    BOOST_REQUIRE(store(db, two_types("to", day)).status == Status::stored);
    db.exec("UPDATE tlsrpt.failure_details SET policy_pk = (SELECT p.id FROM tlsrpt.policies p "
            "JOIN tlsrpt.reports r ON r.id = p.report_pk WHERE r.report_id = 'to' AND "
            "p.policy_type = 'tlsa') WHERE result_type = 'validation-failure' AND policy_pk IN "
            "(SELECT p.id FROM tlsrpt.policies p JOIN tlsrpt.reports r ON r.id = p.report_pk "
            "WHERE r.report_id = 'from')");
    BOOST_TEST(agreement(db) == "8|0|0");
}

// 011: changing a report's details locks the partitions of its month, not those of every month
// there is (custom plans, each read of a partitioned table pruned by day).
BOOST_AUTO_TEST_CASE(a_refresh_locks_only_the_partitions_of_its_month) {
    TestDatabase db("rollup_locks");
    const std::string day = storetest::utc_day(1);
    BOOST_REQUIRE(store(db, two_types("locks", day)).status == Status::stored);
    const std::string on_day = " FROM tlsrpt.failure_details WHERE day = '" + day + "'";
    auto locks_after = [&](const std::string& change) {
        pqxx::connection conn(db.conninfo());
        pqxx::work tx(conn); // rolled back
        tx.exec0(change);
        return tx.exec1("SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid()")[0]
            .as<std::int64_t>();
    };
    const std::string update =
        "UPDATE tlsrpt.failure_details SET failed_session_count = failed_session_count + 1 "
        "WHERE day = '" +
        day + "'";
    const std::string insert =
        "INSERT INTO tlsrpt.failure_details (policy_pk, day, result_type, failed_session_count) "
        "SELECT policy_pk, day, 'starttls-not-supported', 1" +
        on_day + " LIMIT 1";
    // a policy and its detail in one statement, as the store writes them
    const std::string policy =
        "WITH p AS (INSERT INTO tlsrpt.policies (report_pk, ordinal, day, policy_type) "
        "SELECT report_pk, 99, day, 'sts' FROM tlsrpt.policies WHERE day = '" +
        day +
        "' LIMIT 1 RETURNING id, day) INSERT INTO tlsrpt.failure_details (policy_pk, day, "
        "result_type, failed_session_count) SELECT id, day, 'sts-webpki-invalid', 2 FROM p";
    const std::string drop =
        "DELETE FROM tlsrpt.policies WHERE day = '" + day + "' AND policy_type = 'tlsa'";
    const std::string rename = "UPDATE tlsrpt.reports SET organization_name = 'Renamed' "
                               "WHERE day = '" +
                               day + "'";
    const std::vector<std::string> changes = {update, insert, policy, drop, rename};
    std::vector<std::int64_t> few;
    for (const std::string& change : changes)
        few.push_back(locks_after(change));
    db.exec("SELECT tlsrpt.ensure_partition((date_trunc('month', current_date) - "
            "make_interval(months => m))::date) FROM generate_series(1, 24) m");
    BOOST_REQUIRE(db.count("SELECT count(*) FROM tlsrpt.month_partitions()") >= 25);
    for (std::size_t i = 0; i < changes.size(); ++i)
        BOOST_TEST(locks_after(changes[i]) <= few[i] + 4,
                   changes[i] << ": held " << few[i] << " with 2 months");
    BOOST_TEST(agreement(db) == "4|0|0");
}
