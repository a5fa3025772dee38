// test_store_partitions.cpp: the monthly partitioning of 009_partitioning.sql on a real
// PostgreSQL: rows land in the child table of their month, a report on a month boundary, the
// default partition and `db maintain` moving rows out of it, re-sent reports under the key
// (reporter, report-id, day), prune dropping whole months and keeping the rest exact, two
// maintain runs at once, the plan shape of a 7-day view query (partition pruning), the
// in-place conversion of a populated database at schema version 7, `tlsrptctl db maintain`, and
// what `db status` and `db migrate` make of the database's enable_partitionwise_join.
#define BOOST_TEST_MODULE store_partitions
#include <boost/test/unit_test.hpp>

#include "store/admin.hpp"
#include "store/migrations.hpp"
#include "store_test.hpp"
#include "tlsrpt/store.hpp"

#include <thread>

using namespace tlsrpt::store;
using storetest::Detail;
using storetest::PolicyJson;
using storetest::ReportJson;
using storetest::TestDatabase;

namespace {

Outcome store(const TestDatabase& db, const ReportJson& r) {
    Store s(db.conninfo());
    return s.store_report(storetest::read_one(r.json()), {});
}

ReportJson report(const std::string& id, const std::string& day, int details = 2) {
    ReportJson r;
    r.report_id = id;
    r.day = day;
    r.policies[0].failed = details;
    for (int i = 0; i < details; ++i)
        r.policies[0].details.push_back(Detail{});
    return r;
}

// "p2026_03" for "2026-03-17": the suffix of the month's partitions.
std::string suffix(const std::string& day) {
    return "p" + day.substr(0, 4) + "_" + day.substr(5, 2);
}

std::string table_of(const TestDatabase& db, const std::string& table, const std::string& id) {
    const std::string where = table == "reports" ? "r.id = t.id"
                              : table == "policies"
                                  ? "r.id = t.report_pk"
                                  : "r.id = (SELECT report_pk FROM tlsrpt.policies p "
                                    "WHERE p.id = t.policy_pk)";
    return db.value("SELECT string_agg(DISTINCT t.tableoid::regclass::text, ',') FROM tlsrpt." +
                    table + " t JOIN tlsrpt.reports r ON " + where + " WHERE r.report_id = '" + id +
                    "'");
}

} // namespace

BOOST_AUTO_TEST_CASE(rows_land_in_the_partition_of_their_month) {
    TestDatabase db("part_rows");
    for (const int ago : {1, 70}) {
        const std::string day = storetest::utc_day(ago), id = "rows-" + std::to_string(ago);
        BOOST_REQUIRE(store(db, report(id, day)).status == Status::stored);
        for (const char* t : {"reports", "policies", "failure_details"})
            BOOST_TEST(table_of(db, t, id) == "tlsrpt." + std::string(t) + "_" + suffix(day));
    }
    BOOST_TEST(db.count("SELECT count(*) FROM tlsrpt.failure_details") == 4);
}

BOOST_AUTO_TEST_CASE(a_report_on_a_month_boundary) {
    TestDatabase db("part_boundary");
    const std::string first = db.value("SELECT date_trunc('month', now() AT TIME ZONE "
                                       "'UTC')::date::text"),
                      last = db.value("SELECT (date_trunc('month', now() AT TIME ZONE 'UTC') - "
                                      "interval '1 day')::date::text");
    ReportJson before = report("edge-before", last);
    std::string json = before.json();
    json.replace(json.find("T00:00:00Z"), 10, "T23:59:59Z"); // the last second of the month
    Store s(db.conninfo());
    BOOST_REQUIRE(s.store_report(storetest::read_one(json), {}).status == Status::stored);
    BOOST_REQUIRE(store(db, report("edge-after", first)).status == Status::stored);
    BOOST_TEST(table_of(db, "failure_details", "edge-before") ==
               "tlsrpt.failure_details_" + suffix(last));
    BOOST_TEST(table_of(db, "failure_details", "edge-after") ==
               "tlsrpt.failure_details_" + suffix(first));
}

BOOST_AUTO_TEST_CASE(the_default_partition_and_maintain) {
    TestDatabase db("part_default");
    // outside the partition window (36 months back): the default partition, and it stays
    BOOST_REQUIRE(store(db, report("ancient", "2001-06-01")).status == Status::stored);
    BOOST_TEST(table_of(db, "reports", "ancient") == "tlsrpt.reports_default");
    BOOST_TEST((store(db, report("ancient", "2001-06-01")).status == Status::duplicate));
    // inside the window but stored while its month had no partition: maintain moves it
    const std::string day = storetest::utc_day(500);
    db.exec("INSERT INTO tlsrpt.reports (reporter, report_id, start_datetime, end_datetime, "
            "source, content_hash, day) VALUES ('mailer.example', 'stray', '" +
            day + "', '" + day + "', 'file', 'x', '" + day + "')");
    db.exec("INSERT INTO tlsrpt.policies (report_pk, ordinal, day, policy_type) SELECT id, 0, "
            "day, 'sts' FROM tlsrpt.reports WHERE report_id = 'stray'");
    BOOST_TEST(table_of(db, "policies", "stray") == "tlsrpt.policies_default");
    pqxx::connection conn(db.conninfo());
    const MaintainResult m = maintain(conn, 2);
    BOOST_TEST(m.default_reports == 1); // the ancient one
    BOOST_TEST(table_of(db, "reports", "stray") == "tlsrpt.reports_" + suffix(day));
    BOOST_TEST(table_of(db, "policies", "stray") == "tlsrpt.policies_" + suffix(day));
    BOOST_TEST(m.months.size() >= 4); // the stray month, this one and two ahead
}

BOOST_AUTO_TEST_CASE(a_resent_report_is_found_by_its_key) {
    TestDatabase db("part_resend");
    const ReportJson r = report("resend", storetest::utc_day(3));
    BOOST_REQUIRE(store(db, r).status == Status::stored);
    BOOST_TEST((store(db, r).status == Status::duplicate)); // same day: ON CONFLICT
    ReportJson moved = report("resend", storetest::utc_day(10));
    BOOST_TEST((store(db, moved).status == Status::conflict)); // within 31 days: found
    ReportJson far = report("resend", storetest::utc_day(80));
    BOOST_TEST((store(db, far).status == Status::stored)); // beyond: a report of its own
    BOOST_TEST(db.count("SELECT count(*) FROM tlsrpt.reports") == 2);
    BOOST_TEST(db.count("SELECT count(*) FROM tlsrpt.report_conflicts") == 1);
}

BOOST_AUTO_TEST_CASE(prune_drops_whole_months_and_keeps_the_rest) {
    TestDatabase db("part_prune");
    // 149 and 151 days ago: either side of the cutoff, in the month at the edge (rows deleted
    // one by one there) or, when a month begins between them, across a dropped month's edge
    for (const int ago : {1, 100, 149, 151, 160, 200, 260})
        BOOST_REQUIRE(
            store(db, report("prune-" + std::to_string(ago), storetest::utc_day(ago))).status ==
            Status::stored);
    pqxx::connection conn(db.conninfo());
    const PruneResult r = prune(conn, 150);
    BOOST_TEST(r.reports == 4);
    BOOST_TEST(r.policies == 4);
    BOOST_TEST(r.failure_details == 8);
    BOOST_TEST(r.months.size() >= 2); // the months of 200 and 260 days ago at least
    BOOST_TEST(db.value("SELECT string_agg(report_id, ',' ORDER BY report_id) FROM "
                        "tlsrpt.reports") == "prune-1,prune-100,prune-149");
    BOOST_TEST(db.count("SELECT count(*) FROM tlsrpt.failure_details") == 6);
    BOOST_TEST(db.count("SELECT count(DISTINCT report_pk) FROM tlsrpt.failure_rollup") == 3);
    BOOST_TEST(db.value("SELECT to_regclass('tlsrpt.failure_details_" +
                        suffix(storetest::utc_day(200)) + "') IS NULL") == "t");
}

BOOST_AUTO_TEST_CASE(two_maintain_runs_at_once) {
    TestDatabase db("part_maintain");
    std::vector<MaintainResult> results(2);
    std::vector<std::thread> runs;
    for (auto& result : results)
        runs.emplace_back([&db, &result] {
            pqxx::connection conn(db.conninfo());
            result = maintain(conn, 6);
        });
    for (auto& t : runs)
        t.join();
    BOOST_TEST(results[0].created.size() + results[1].created.size() == 5); // 2..6 ahead
    BOOST_TEST(results[0].months == results[1].months);
    BOOST_TEST(db.count("SELECT count(*) FROM tlsrpt.month_partitions()") == 8);
}

BOOST_AUTO_TEST_CASE(a_seven_day_query_reads_only_its_partitions) {
    TestDatabase db("part_plan");
    for (const int ago : {1, 40, 80, 120})
        BOOST_REQUIRE(
            store(db, report("plan-" + std::to_string(ago), storetest::utc_day(ago))).status ==
            Status::stored);
    const std::string old = suffix(storetest::utc_day(120));
    // a constant bound (what summary and Grafana send): pruned when planning
    const std::string plan = db.explain("SELECT * FROM tlsrpt.report_sessions WHERE day > '" +
                                        storetest::utc_day(8) + "'::date");
    BOOST_TEST(plan.find("policies_" + suffix(storetest::utc_day(1))) != std::string::npos, plan);
    BOOST_TEST(plan.find("policies_" + old) == std::string::npos, plan);
    // both sides of the join: partition by partition (enable_partitionwise_join)
    BOOST_TEST(plan.find("reports_" + suffix(storetest::utc_day(1))) != std::string::npos, plan);
    BOOST_TEST(plan.find("reports_" + old) == std::string::npos, plan);
    // every dashboard view: no partition of the old months in the plan, of any table
    for (const char* view : {"daily_sessions", "daily_failures", "daily_summary", "report_sessions",
                             "failure_sessions", "daily_reporters", "daily_quirks"}) {
        const std::string p = db.explain(std::string("SELECT * FROM tlsrpt.") + view +
                                         " WHERE day > '" + storetest::utc_day(8) + "'::date");
        BOOST_TEST(p.find("_" + suffix(storetest::utc_day(1))) != std::string::npos, view);
        BOOST_TEST(p.find("_" + old) == std::string::npos, view << ":\n" << p);
        BOOST_TEST(p.find("_" + suffix(storetest::utc_day(40))) == std::string::npos, view);
    }
    // a stable bound (current_date): pruned at executor start, "Subplans Removed"
    const std::string run =
        db.explain("SELECT * FROM tlsrpt.daily_reporters WHERE day > current_date - 7");
    BOOST_TEST(run.find("Subplans Removed") != std::string::npos, run);
}

BOOST_AUTO_TEST_CASE(the_migration_converts_a_populated_database_in_place) {
    TestDatabase db("part_migrate", false);
    {
        pqxx::connection conn(db.conninfo());
        BOOST_REQUIRE(migrate(conn, 7).after == 7);
    }
    db.exec(storetest::read_file(storetest::env("TLSRPT_SOURCE_DIR", TLSRPT_DEFAULT_SOURCE_DIR) +
                                 "/tests/store/partition_fixture.sql"));
    const std::string fingerprint =
        "SELECT md5(string_agg(x, '|' ORDER BY x)) FROM ("
        " SELECT r.id || r.reporter || r.report_id || r.start_datetime || r.content_hash || "
        "   p.id || p.day || p.policy_type || coalesce(f.id || f.result_type || "
        "   f.failed_session_count, '') AS x"
        " FROM tlsrpt.reports r JOIN tlsrpt.policies p ON p.report_pk = r.id"
        " LEFT JOIN tlsrpt.failure_details f ON f.policy_pk = p.id) t";
    const std::string before = db.value(fingerprint);
    const std::string failures =
        db.value("SELECT string_agg(day || result_type || sessions, ',' ORDER BY day, "
                 "result_type) FROM tlsrpt.daily_failures");
    const std::int64_t conflicts = db.count("SELECT count(*) FROM tlsrpt.report_conflicts");
    {
        pqxx::connection conn(db.conninfo());
        BOOST_REQUIRE(migrate(conn).after == expected_schema_version());
    }
    BOOST_TEST(db.value(fingerprint) == before);
    BOOST_TEST(db.value("SELECT string_agg(day || result_type || sessions, ',' ORDER BY day, "
                        "result_type) FROM tlsrpt.daily_failures") == failures);
    BOOST_TEST(db.count("SELECT count(*) FROM tlsrpt.report_conflicts") == conflicts);
    BOOST_TEST(db.count("SELECT count(*) FROM tlsrpt.reports_default") == 1); // year 2001
    // privileges on the replaced tables and views are kept (INSERT on every column but the id
    // since 012)
    BOOST_TEST(db.value("SELECT has_table_privilege('tlsrpt_fixture_reader', 'tlsrpt.reports', "
                        "'SELECT') AND has_table_privilege('tlsrpt_fixture_reader', "
                        "'tlsrpt.daily_failures', 'SELECT') AND has_column_privilege("
                        "'tlsrpt_fixture_reader', 'tlsrpt.failure_details', 'day', 'INSERT') "
                        "AND NOT has_column_privilege('tlsrpt_fixture_reader', "
                        "'tlsrpt.failure_details', 'id', 'INSERT') AND NOT "
                        "has_table_privilege('tlsrpt_fixture_reader', 'tlsrpt.policies', "
                        "'SELECT')") == "t");
    // the dedup key still holds after the conversion: a report with a stored key and day
    const std::string day = db.value("SELECT day::text FROM tlsrpt.reports WHERE report_id = "
                                     "'fixture-recent'");
    ReportJson again = report("fixture-recent", day);
    again.contact_info = "tlsrpt@fixture.example";
    BOOST_TEST((store(db, again).status == Status::conflict));
    BOOST_TEST((store(db, report("fixture-new", day)).status == Status::stored));
}

BOOST_AUTO_TEST_CASE(tlsrptctl_db_maintain) {
    TestDatabase db("part_cli");
    const std::string ctl = storetest::env("TLSRPT_CTL", "build/src/tlsrptctl");
    const auto r = storetest::run(storetest::sh(ctl) + " db maintain --months-ahead 5 " +
                                  "--retention 400 --db " + storetest::sh(db.conninfo()));
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out.find("created the partitions of ") != std::string::npos, r.out);
    BOOST_TEST(r.out.find("reports in the default partition\nremoved 0 reports older than 400 "
                          "days") != std::string::npos,
               r.out);
    const auto bad = storetest::run(storetest::sh(ctl) + " db maintain --months-ahead 13 --db " +
                                    storetest::sh(db.conninfo()));
    BOOST_TEST(bad.status == 2);
}

// 009's database setting is lost by a restore or a template copy: status says so and how, and
// migrate sets it back; an explicit `off` of the database is the owner's choice: status warns
// whatever the session's own options, migrate keeps it.
BOOST_AUTO_TEST_CASE(db_status_and_migrate_on_the_partitionwise_join_setting) {
    TestDatabase db("part_joins");
    const std::string ctl = storetest::sh(storetest::env("TLSRPT_CTL", "build/src/tlsrptctl"));
    const std::string on_db = " --db " + storetest::sh(db.conninfo());
    const std::string alter = "ALTER DATABASE \"" + db.name() + "\" ";
    const std::string warning =
        "warning: enable_partitionwise_join is off for database \"" + db.name() + "\"";
    auto contains = [](const std::string& text, const std::string& part) {
        return text.find(part) != std::string::npos;
    };
    db.exec(alter + "RESET enable_partitionwise_join");
    auto r = storetest::run(ctl + " db status" + on_db);
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(contains(r.out, warning), r.out);
    BOOST_TEST(contains(r.out, alter + "SET enable_partitionwise_join = on"), r.out);
    r = storetest::run(ctl + " db migrate" + on_db);
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(contains(r.out, "set enable_partitionwise_join = on for database"), r.out);
    BOOST_TEST(!contains(storetest::run(ctl + " db status" + on_db).out, "warning"));
    BOOST_TEST(!contains(storetest::run(ctl + " db migrate" + on_db).out, "partitionwise"));

    db.exec(alter + "SET enable_partitionwise_join = off");
    r = storetest::run("PGOPTIONS='-c enable_partitionwise_join=on' " + ctl + " db status" + on_db);
    BOOST_TEST(contains(r.out, warning), r.out);
    r = storetest::run(ctl + " db migrate" + on_db);
    BOOST_TEST(!contains(r.out, "set enable_partitionwise_join"), r.out);
    BOOST_TEST(contains(storetest::run(ctl + " db status" + on_db).out, warning));
}
