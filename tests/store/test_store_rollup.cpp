// test_store_rollup.cpp: tlsrpt.failure_rollup (010_failure_rollup.sql) on a real PostgreSQL.
// Its rows must always equal what the failure details say, worked out the way the views did
// before 010 (grouped per report, domain, type, result, MTA and MX, with the representative
// policy type of tlsrpt.representative_type), whoever writes: the store, a report replaced by
// an authenticated copy, rows moved out of the default partition by `db maintain`, a bulk
// INSERT in SQL (an older build, a load script), prune at a month's edge and by whole months.
// Also: daily_failures counts the representative type only, and reads only the window's
// partitions of failure_rollup.
#define BOOST_TEST_MODULE store_rollup
#include <boost/test/unit_test.hpp>

#include "store/admin.hpp"
#include "store_test.hpp"
#include "tlsrpt/store.hpp"

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

// "rows|missing|extra": the rollup's rows, and how many differ from the recomputation.
std::string agreement(const TestDatabase& db) {
    return db.value("SELECT concat_ws('|', (SELECT count(*) FROM tlsrpt.failure_rollup), "
                    "(SELECT count(*) FROM (" +
                    recomputed + " EXCEPT " + stored + ") a), (SELECT count(*) FROM (" + stored +
                    " EXCEPT " + recomputed + ") b))");
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

DkimInfo authenticated() {
    return {"pass", "mailer.example", "sel1", "ed25519-sha256", "milter", "insecure", true, ""};
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
    const Outcome b = store(db, other, authenticated());
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
    pqxx::connection conn(db.conninfo());
    pqxx::read_transaction tx(conn);
    std::string plan;
    for (const pqxx::row& r : tx.exec("EXPLAIN (COSTS OFF) SELECT * FROM tlsrpt.daily_failures "
                                      "WHERE day > '" +
                                      storetest::utc_day(8) + "'::date"))
        plan += r[0].as<std::string>() + "\n";
    const std::string recent = storetest::utc_day(1), old = storetest::utc_day(120);
    BOOST_TEST(plan.find("failure_rollup_p" + recent.substr(0, 4) + "_" + recent.substr(5, 2)) !=
                   std::string::npos,
               plan);
    BOOST_TEST(plan.find("failure_rollup_p" + old.substr(0, 4) + "_" + old.substr(5, 2)) ==
                   std::string::npos,
               plan);
    BOOST_TEST(plan.find("failure_details") == std::string::npos, plan);
}
