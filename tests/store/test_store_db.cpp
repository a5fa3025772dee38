// test_store_db.cpp: the store against a real PostgreSQL, in a fresh database with exactly the
// shipped migrations: every field written and read back, duplicates and conflicting
// duplicates (digest §5), one transaction per report, a 10,000-detail report, the quarantine,
// the views and the summary (with its DKIM-authenticated count), and migrations run twice and
// concurrently. The DKIM replacement rules are in test_store_dkim.cpp.
#define BOOST_TEST_MODULE store_db
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

// One database for the whole suite; tests use distinct report ids.
TestDatabase& db() {
    static TestDatabase instance("db");
    return instance;
}

Outcome store(const tlsrpt::Report& r, StoreOptions opts = {}) {
    Store s(db().conninfo());
    return s.store_report(r, opts);
}

std::string q(const std::string& s) {
    return "'" + s + "'";
}

} // namespace

BOOST_AUTO_TEST_CASE(migrating_twice_changes_nothing) {
    TestDatabase fresh("migrate", false);
    pqxx::connection conn(fresh.conninfo());
    BOOST_TEST(schema_version(conn) == 0);
    const auto first = migrate(conn);
    BOOST_TEST(first.before == 0);
    BOOST_TEST(first.after == expected_schema_version());
    BOOST_TEST(first.applied.size() == shipped_migrations().size());
    BOOST_TEST(first.applied.front() == "001_initial");
    const auto second = migrate(conn);
    BOOST_TEST(second.applied.empty());
    BOOST_TEST(second.before == expected_schema_version());
    BOOST_TEST(fresh.count("SELECT count(*) FROM tlsrpt.schema_migrations") ==
               expected_schema_version());
    BOOST_TEST(fresh.value("SELECT name FROM tlsrpt.schema_migrations WHERE version = 1") ==
               "initial");
}

BOOST_AUTO_TEST_CASE(concurrent_migrations_apply_each_file_once) {
    TestDatabase fresh("migrate_concurrent", false);
    std::vector<std::thread> threads;
    std::vector<std::size_t> applied(4);
    std::vector<std::string> errors(4);
    for (std::size_t i = 0; i < applied.size(); ++i)
        threads.emplace_back([&, i] {
            try {
                pqxx::connection conn(fresh.conninfo());
                applied[i] = migrate(conn).applied.size();
            } catch (const std::exception& e) {
                errors[i] = e.what();
            }
        });
    for (auto& t : threads)
        t.join();
    std::size_t total = 0;
    for (std::size_t i = 0; i < applied.size(); ++i) {
        BOOST_TEST(errors[i] == "");
        total += applied[i];
    }
    BOOST_TEST(total == shipped_migrations().size());
    BOOST_TEST(fresh.count("SELECT count(*) FROM tlsrpt.schema_migrations") ==
               expected_schema_version());
}

BOOST_AUTO_TEST_CASE(a_database_without_the_schema_is_a_temporary_failure) {
    TestDatabase empty("empty", false);
    Store s(empty.conninfo());
    BOOST_TEST(s.schema_version() == 0);
    const Outcome out = s.store_report(storetest::read_one(ReportJson{}.json()), {});
    BOOST_TEST((out.status == Status::temporary));
    BOOST_TEST(out.message.find("tlsrptctl db migrate") != std::string::npos, out.message);
    BOOST_TEST(expected_schema_version() >= 1);
}

BOOST_AUTO_TEST_CASE(a_bad_connection_string_is_refused_at_once) {
    BOOST_CHECK_THROW(Store("host=localhost port"), std::invalid_argument);
    BOOST_CHECK_NO_THROW(Store(""));
    BOOST_CHECK_NO_THROW(Store("service=tlsrpt"));
}

BOOST_AUTO_TEST_CASE(every_field_is_written_and_read_back) {
    ReportJson r;
    r.report_id = "all-fields";
    r.day = "2026-03-01";
    Detail full;
    full.result_type = "certificate-expired";
    full.sending_mta_ip = "192.0.2.10";
    full.receiving_mx_hostname = "mx1.receiver.example";
    full.receiving_mx_helo = "mx1-helo.receiver.example";
    full.receiving_ip = "2001:db8::25";
    full.failed_session_count = 4;
    full.additional_information = "https://mailer.example/info?id=1";
    full.failure_reason_code = "X509_V_ERR_CERT_HAS_EXPIRED";
    Detail odd;
    odd.result_type = "starttls-not-supported";
    odd.sending_mta_ip = "not an address";
    odd.receiving_ip = "198.51.100.300";
    odd.receiving_mx_hostname = "";
    odd.failed_session_count = 3;
    r.policies[0].failed = 7;
    r.policies[0].details = {full, odd};
    PolicyJson tlsa;
    tlsa.type = "tlsa";
    tlsa.domain = "mx1.receiver.example";
    tlsa.strings = {"3 1 1 0a1b2c3d4e5f", "2 0 1 ABCDEF"};
    tlsa.mx_host = {};
    tlsa.successful = 800;
    r.policies.push_back(tlsa);
    tlsrpt::Report report = storetest::read_one(r.json());
    report.headers.from = "TLS reporter <noreply@mailer.example>";
    report.headers.subject = "Report Domain: receiver.example Submitter: mailer.example";
    report.headers.message_id = "<all-fields@mailer.example>";
    report.headers.tls_report_domain = "receiver.example";
    report.headers.tls_report_submitter = "mailer.example";
    report.add_quirk("count-as-string");
    const Outcome out =
        store(report, {Source::smtp, storetest::dkim_verdict("pass", "mailer.example")});
    BOOST_REQUIRE_MESSAGE(out.status == Status::stored, out.message);
    const std::string id = std::to_string(out.report_pk);

    const std::string row_sql =
        "SELECT concat_ws('|', organization_name, contact_info, report_id, reporter, "
        "to_char(start_datetime AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), "
        "to_char(end_datetime AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), source, message_id, "
        "mail_from, subject, tls_report_domain, tls_report_submitter, dkim_result, dkim_domain, "
        "quirks::text, raw = " +
        q(report.raw_json) +
        "::jsonb, raw_text IS NULL, length(content_hash), received_at > now() - interval '1 "
        "hour') FROM tlsrpt.reports WHERE id = " +
        id;
    BOOST_TEST(db().value(row_sql) ==
               "Example Mailer Ltd|tlsrpt@mailer.example|all-fields|mailer.example|"
               "2026-03-01 00:00:00|2026-03-01 23:59:59|smtp|<all-fields@mailer.example>|"
               "TLS reporter <noreply@mailer.example>|"
               "Report Domain: receiver.example Submitter: mailer.example|receiver.example|"
               "mailer.example|pass|mailer.example|{count-as-string}|t|t|32|t");

    const std::string policies =
        db().value("SELECT string_agg(concat_ws('|', ordinal, day, policy_type, policy_domain, "
                   "policy_string::text, mx_host::text, sts_mode, sts_max_age, sts_mx::text, "
                   "tlsa::text, total_successful_session_count, total_failure_session_count), "
                   "E'\\n' ORDER BY ordinal) FROM tlsrpt.policies WHERE report_pk = " +
                   id);
    BOOST_TEST(policies ==
               "0|2026-03-01|sts|receiver.example|{\"version: STSv1\",\"mode: enforce\","
               "\"mx: mx1.receiver.example\",\"max_age: 86400\"}|{mx1.receiver.example}|enforce|"
               "86400|{mx1.receiver.example}|100|7\n"
               "1|2026-03-01|tlsa|mx1.receiver.example|{\"3 1 1 0a1b2c3d4e5f\",\"2 0 1 "
               "ABCDEF\"}|{}|{\"3 1 1 0A1B2C3D4E5F\",\"2 0 1 ABCDEF\"}|800|0");

    const std::string details = db().value(
        "SELECT string_agg(concat_ws('|', f.day, result_type, coalesce(host(sending_mta_ip), "
        "'-'), coalesce(sending_mta_ip_text, '-'), coalesce(host(receiving_ip), '-'), "
        "coalesce(receiving_ip_text, '-'), coalesce(receiving_mx_hostname, '-'), "
        "coalesce(receiving_mx_helo, '-'), failed_session_count, "
        "coalesce(additional_information, '-'), coalesce(failure_reason_code, '-')), E'\\n' "
        "ORDER BY f.id) FROM tlsrpt.failure_details f JOIN tlsrpt.policies p ON p.id = "
        "f.policy_pk WHERE p.report_pk = " +
        id);
    BOOST_TEST(details == "2026-03-01|certificate-expired|192.0.2.10|-|2001:db8::25|-|"
                          "mx1.receiver.example|mx1-helo.receiver.example|4|"
                          "https://mailer.example/info?id=1|X509_V_ERR_CERT_HAS_EXPIRED\n"
                          "2026-03-01|starttls-not-supported|-|not an address|-|"
                          "198.51.100.300|-|-|3|-|-");
}

BOOST_AUTO_TEST_CASE(an_https_report_keeps_its_client_and_arrival_time) {
    ReportJson r;
    r.report_id = "https-client";
    StoreOptions o;
    o.source = Source::https;
    o.dkim.result = "none";
    o.client_address = "2001:db8::7";
    o.user_agent = std::string("tlsrpt-reporter/0.9\xff") + std::string(600, 'x');
    o.received_at = 1764547200; // 2025-12-01 00:00:00 UTC: it waited in the spool
    const Outcome out = store(storetest::read_one(r.json()), o);
    BOOST_REQUIRE_MESSAGE(out.status == Status::stored, out.message);
    BOOST_TEST(db().value("SELECT concat_ws('|', source, host(client_address), "
                          "length(user_agent), left(user_agent, 20), "
                          "to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')) "
                          "FROM tlsrpt.reports WHERE id = " +
                          std::to_string(out.report_pk)) ==
               "https|2001:db8::7|500|tlsrpt-reporter/0.9\uFFFD|2025-12-01 00:00");

    ReportJson other;
    other.report_id = "https-no-client";
    StoreOptions bad = o;
    bad.client_address = "not an address";
    bad.received_at = 0;
    const Outcome out2 = store(storetest::read_one(other.json()), bad);
    BOOST_REQUIRE_MESSAGE(out2.status == Status::stored, out2.message);
    BOOST_TEST(db().value("SELECT concat_ws('|', client_address IS NULL, "
                          "received_at > now() - interval '1 hour') FROM tlsrpt.reports "
                          "WHERE id = " +
                          std::to_string(out2.report_pk)) == "t|t");
}

BOOST_AUTO_TEST_CASE(absent_members_are_null) {
    ReportJson r;
    r.report_id = "minimal";
    r.contact_info = "";
    r.policies[0].mx_host = {};
    const Outcome out = store(storetest::read_one(r.json()));
    BOOST_REQUIRE_MESSAGE(out.status == Status::stored, out.message);
    const std::string id = std::to_string(out.report_pk);
    BOOST_TEST(db().value("SELECT concat_ws('|', contact_info IS NULL, message_id IS NULL, "
                          "dkim_result IS NULL, reporter, source) FROM tlsrpt.reports WHERE id = " +
                          id) == "t|t|t|example mailer ltd|file");
}

BOOST_AUTO_TEST_CASE(a_resent_report_is_stored_once) {
    ReportJson r;
    r.report_id = "dup-1";
    r.policies[0].details = {Detail{}};
    const auto report = storetest::read_one(r.json());
    const Outcome first = store(report);
    BOOST_REQUIRE_MESSAGE(first.status == Status::stored, first.message);
    // the same report by mail, as another byte form: still a duplicate
    const auto by_mail = storetest::read_one(storetest::report_message(r.json(), "m1@x"));
    Store s(db().conninfo());
    const Outcome again = s.store_report(report, {});
    const Outcome mailed =
        s.store_report(by_mail, {Source::smtp, storetest::dkim_verdict("pass", "mailer.example")});
    BOOST_TEST((again.status == Status::duplicate));
    BOOST_TEST((mailed.status == Status::duplicate));
    BOOST_TEST(again.report_pk == first.report_pk);
    BOOST_TEST(again.ok());
    BOOST_TEST(db().count("SELECT count(*) FROM tlsrpt.reports WHERE report_id = 'dup-1'") == 1);
    BOOST_TEST(db().count("SELECT count(*) FROM tlsrpt.policies WHERE report_pk = " +
                          std::to_string(first.report_pk)) == 1);
}

// Several sessions storing one report at once (two rua addresses, a retry racing the first
// try): one stores it, the others wait on the unique key and answer duplicate.
BOOST_AUTO_TEST_CASE(a_report_stored_by_several_sessions_at_once_is_stored_once) {
    ReportJson r;
    r.report_id = "race-1";
    r.policies[0].details = {Detail{}, Detail{}};
    const auto report = storetest::read_one(r.json());
    std::vector<std::unique_ptr<Store>> stores;
    for (int i = 0; i < 6; ++i) {
        stores.push_back(std::make_unique<Store>(db().conninfo()));
        BOOST_REQUIRE(stores.back()->schema_version() == expected_schema_version());
    }
    std::vector<Outcome> outcomes(stores.size());
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < stores.size(); ++i)
        threads.emplace_back([&, i] { outcomes[i] = stores[i]->store_report(report, {}); });
    for (auto& t : threads)
        t.join();
    int stored = 0, duplicates = 0;
    for (const Outcome& o : outcomes) {
        BOOST_TEST(o.ok(), o.message);
        stored += o.status == Status::stored;
        duplicates += o.status == Status::duplicate;
    }
    BOOST_TEST(stored == 1);
    BOOST_TEST(duplicates == 5);
    BOOST_TEST(db().count("SELECT count(*) FROM tlsrpt.failure_details f JOIN tlsrpt.policies p "
                          "ON p.id = f.policy_pk JOIN tlsrpt.reports r ON r.id = p.report_pk "
                          "WHERE r.report_id = 'race-1'") == 2);
}

BOOST_AUTO_TEST_CASE(same_report_id_from_another_reporter_is_another_report) {
    ReportJson a, b;
    a.report_id = b.report_id = "shared-id";
    b.contact_info = "reports@other.example";
    BOOST_TEST((store(storetest::read_one(a.json())).status == Status::stored));
    BOOST_TEST((store(storetest::read_one(b.json())).status == Status::stored));
}

BOOST_AUTO_TEST_CASE(a_conflicting_duplicate_keeps_the_first) {
    ReportJson r;
    r.report_id = "conflict-1";
    r.policies[0].successful = 10;
    const Outcome first = store(storetest::read_one(r.json()));
    BOOST_REQUIRE((first.status == Status::stored));
    r.policies[0].successful = 11;
    const Outcome second = store(storetest::read_one(r.json()));
    BOOST_TEST((second.status == Status::conflict));
    BOOST_TEST(second.ok());
    BOOST_TEST(second.report_pk == first.report_pk);
    BOOST_TEST(second.message.find("conflict-1") != std::string::npos, second.message);
    BOOST_TEST(second.message.find("different content") != std::string::npos, second.message);
    BOOST_TEST(db().value("SELECT total_successful_session_count FROM tlsrpt.policies WHERE "
                          "report_pk = " +
                          std::to_string(first.report_pk)) == "10");
    // the different copy is kept whole, once, beside the first
    const std::string conflicts =
        "SELECT count(*) FROM tlsrpt.report_conflicts WHERE report_pk = " +
        std::to_string(first.report_pk);
    BOOST_TEST(db().count(conflicts) == 1);
    BOOST_TEST((store(storetest::read_one(r.json())).status == Status::conflict));
    BOOST_TEST(db().count(conflicts) == 1);
    BOOST_TEST(db().value("SELECT raw->'policies'->0->'summary'->>'total-successful-session-"
                          "count' FROM tlsrpt.report_conflicts WHERE report_pk = " +
                          std::to_string(first.report_pk)) == "11");
}

BOOST_AUTO_TEST_CASE(bad_data_is_permanent_and_writes_nothing) {
    tlsrpt::Report r = storetest::read_one(ReportJson{}.json());
    r.report_id = "out-of-range";
    r.start_datetime = 400'000'000'000'000LL; // beyond PostgreSQL's timestamptz range
    Store s(db().conninfo());
    const Outcome out = s.store_report(r, {});
    BOOST_TEST((out.status == Status::permanent));
    BOOST_TEST(out.message.find("SQLSTATE 22008") != std::string::npos, out.message);
    BOOST_TEST(db().count("SELECT count(*) FROM tlsrpt.reports WHERE report_id = "
                          "'out-of-range'") == 0);
    // the same Store goes on working
    r.start_datetime = 1'772'323'200;
    BOOST_TEST((s.store_report(r, {}).status == Status::stored));
}

// Valid JSON that jsonb refuses (a number beyond numeric's range) is kept as text.
BOOST_AUTO_TEST_CASE(json_that_jsonb_refuses_is_kept_as_text) {
    ReportJson r;
    r.report_id = "huge-number";
    std::string json = r.json();
    json.insert(json.rfind('}'), ", \"x-vendor-extension\": 1e400000");
    const Outcome out = store(storetest::read_one(json));
    BOOST_REQUIRE_MESSAGE(out.status == Status::stored, out.message);
    BOOST_TEST(db().value("SELECT raw IS NULL AND strpos(raw_text, '1e400000') > 0 FROM "
                          "tlsrpt.reports WHERE id = " +
                          std::to_string(out.report_pk)) == "t");
}

BOOST_AUTO_TEST_CASE(text_postgresql_cannot_hold_is_cleaned) {
    ReportJson r;
    r.report_id = "nul-and-bytes";
    Detail d;
    d.additional_information = std::string("nul\x01here");
    r.policies[0].details = {d};
    std::string json = r.json();
    json.replace(json.find("nul\\u0001here"), 13, "nul\\u0000here");
    tlsrpt::Report report = storetest::read_one(json);
    report.headers.subject = "latin1 \xe9t\xe9";
    const Outcome out = store(report);
    BOOST_REQUIRE_MESSAGE(out.status == Status::stored, out.message);
    const std::string id = std::to_string(out.report_pk);
    BOOST_TEST(db().value("SELECT subject FROM tlsrpt.reports WHERE id = " + id) ==
               "latin1 \xEF\xBF\xBDt\xEF\xBF\xBD");
    BOOST_TEST(db().value("SELECT raw IS NULL AND strpos(raw_text, '\\u0000') > 0 FROM "
                          "tlsrpt.reports WHERE id = " +
                          id) == "t");
    BOOST_TEST(db().value("SELECT additional_information FROM tlsrpt.failure_details f JOIN "
                          "tlsrpt.policies p ON p.id = f.policy_pk WHERE p.report_pk = " +
                          id) == "nulhere");
}

BOOST_AUTO_TEST_CASE(a_report_with_10000_failure_details) {
    ReportJson r;
    r.report_id = "big-10000";
    r.policies[0].failed = 0;
    for (int i = 0; i < 10000; ++i) {
        Detail d;
        d.sending_mta_ip = "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256);
        d.failed_session_count = i % 7 + 1;
        d.additional_information = "detail " + std::to_string(i);
        r.policies[0].failed += d.failed_session_count;
        r.policies[0].details.push_back(d);
    }
    const tlsrpt::Report report = storetest::read_one(r.json());
    Store s(db().conninfo());
    BOOST_REQUIRE(s.schema_version() == expected_schema_version()); // connect outside timing
    const auto t0 = std::chrono::steady_clock::now();
    const Outcome out = s.store_report(report, {});
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    BOOST_TEST_MESSAGE("10,000-detail report stored in " << ms << " ms");
    BOOST_REQUIRE_MESSAGE(out.status == Status::stored, out.message);
    BOOST_TEST(ms < 20000);
    const std::string where = " FROM tlsrpt.failure_details f JOIN tlsrpt.policies p ON p.id = "
                              "f.policy_pk WHERE p.report_pk = " +
                              std::to_string(out.report_pk);
    BOOST_TEST(db().count("SELECT count(*)" + where) == 10000);
    BOOST_TEST(db().count("SELECT sum(failed_session_count)" + where) == r.policies[0].failed);
    BOOST_TEST(db().count("SELECT count(DISTINCT sending_mta_ip)" + where) == 10000);
    BOOST_TEST((s.store_report(report, {}).status == Status::duplicate));
}

BOOST_AUTO_TEST_CASE(quarantine_keeps_the_whole_message) {
    std::string raw = "From: someone@example.org\r\nSubject: broken\r\n\r\n";
    raw += std::string("\0\x01\xff\xfe binary", 11);
    tlsrpt::MessageHeaders h;
    h.from = "someone@example.org";
    h.subject = "broken";
    h.message_id = "<q1@example.org>";
    Store s(db().conninfo());
    const Outcome out = s.quarantine(raw, "malformed: no report part", h, Source::smtp);
    BOOST_REQUIRE_MESSAGE(out.status == Status::stored, out.message);
    pqxx::connection conn(db().conninfo());
    const auto kept = rejected_raw(conn, out.report_pk);
    BOOST_REQUIRE(kept.has_value());
    BOOST_TEST(*kept == raw);
    BOOST_TEST(db().value("SELECT concat_ws('|', source, reason, message_id, mail_from, subject, "
                          "reimported_at IS NULL) FROM tlsrpt.rejected_messages WHERE id = " +
                          std::to_string(out.report_pk)) ==
               "smtp|malformed: no report part|<q1@example.org>|someone@example.org|broken|t");
    bool listed = false;
    for (const auto& m : list_rejected(conn))
        listed = listed || m.id == out.report_pk;
    BOOST_TEST(listed);
    mark_reimported(conn, out.report_pk);
    BOOST_TEST(db().value("SELECT reimported_at IS NOT NULL FROM tlsrpt.rejected_messages "
                          "WHERE id = " +
                          std::to_string(out.report_pk)) == "t");
}

// Microsoft reports one domain under both sts and tlsa: daily_sessions counts it once.
BOOST_AUTO_TEST_CASE(views_count_each_session_once) {
    TestDatabase views("views");
    Store s(views.conninfo());
    ReportJson ms;
    ms.organization_name = "Microsoft Corporation";
    ms.contact_info = "tlsrpt-noreply@microsoft.com";
    ms.report_id = "ms-1";
    PolicyJson sts;
    sts.domain = "views.example";
    sts.successful = 40;
    sts.failed = 2;
    sts.details = {Detail{}};
    sts.details[0].failed_session_count = 2;
    PolicyJson tlsa = sts;
    tlsa.type = "tlsa";
    tlsa.strings = {"3 1 1 AABB"};
    ms.policies = {sts, tlsa};
    ReportJson g;
    g.organization_name = "Google Inc.";
    g.contact_info = "smtp-tls-reporting@google.com";
    g.report_id = "g-1";
    g.policies = {sts};
    g.policies[0].successful = 60;
    g.policies[0].failed = 0;
    g.policies[0].details = {};
    DkimInfo ms_dkim = storetest::dkim_verdict("pass", "microsoft.com");
    ms_dkim.authenticated = true;
    BOOST_REQUIRE((s.store_report(storetest::read_one(ms.json()), {Source::smtp, ms_dkim}).status ==
                   Status::stored));
    BOOST_REQUIRE((s.store_report(storetest::read_one(g.json()), {}).status == Status::stored));
    const std::string day = storetest::utc_day(1);
    BOOST_TEST(views.value("SELECT concat_ws('|', day, reports, successful, failed, "
                           "success_rate) FROM tlsrpt.daily_sessions "
                           "WHERE policy_domain = 'views.example'") == day + "|2|100|2|98.04");
    BOOST_TEST(views.value("SELECT string_agg(concat_ws('|', policy_type, organization_name, "
                           "reports, successful, failed, success_rate), ';' ORDER BY "
                           "policy_type, organization_name) FROM tlsrpt.daily_summary") ==
               "sts|Google Inc.|1|60|0|100.00;sts|Microsoft Corporation|1|40|2|95.24;"
               "tlsa|Microsoft Corporation|1|40|2|95.24");
    BOOST_TEST(views.value("SELECT concat_ws('|', result_type, sessions) FROM "
                           "tlsrpt.daily_failures") == "certificate-expired|2");
    BOOST_TEST(views.value("SELECT string_agg(concat_ws('|', organization_name, reports), ';' "
                           "ORDER BY organization_name) FROM tlsrpt.reporters") ==
               "Google Inc.|1;Microsoft Corporation|1");
    pqxx::connection conn(views.conninfo());
    const auto summary = summarize(conn, 7, "");
    BOOST_REQUIRE(summary.size() == 1u);
    BOOST_TEST(summary[0].policy_domain == "views.example");
    BOOST_TEST(summary[0].reports == 2);
    BOOST_TEST(summary[0].successful == 100);
    BOOST_TEST(summary[0].failed == 2);
    BOOST_TEST(summary[0].authenticated == 1); // Microsoft's, counted once for sts and tlsa
    BOOST_REQUIRE(summary[0].top_failures.size() == 1u);
    BOOST_TEST(summary[0].top_failures[0].first == "certificate-expired");
    BOOST_TEST(summarize(conn, 7, "other.example").empty());
}

BOOST_AUTO_TEST_CASE(prune_removes_old_reports_with_their_rows) {
    TestDatabase pruned("prune");
    Store s(pruned.conninfo());
    ReportJson old_report, recent;
    old_report.report_id = "old";
    old_report.day = storetest::utc_day(40);
    old_report.policies[0].details = {Detail{}, Detail{}};
    recent.report_id = "recent";
    recent.policies[0].details = {Detail{}};
    BOOST_REQUIRE(
        (s.store_report(storetest::read_one(old_report.json()), {}).status == Status::stored));
    BOOST_REQUIRE(
        (s.store_report(storetest::read_one(recent.json()), {}).status == Status::stored));
    const Outcome q1 = s.quarantine("x", "test", {}, Source::smtp);
    s.quarantine("y", "test", {}, Source::smtp);
    pruned.exec("UPDATE tlsrpt.rejected_messages SET received_at = now() - interval '41 days' "
                "WHERE id = " +
                std::to_string(q1.report_pk));
    pqxx::connection conn(pruned.conninfo());
    const PruneResult kept = prune(conn, 30); // quarantined messages stay unless asked
    BOOST_TEST(kept.reports == 1);
    BOOST_TEST(kept.policies == 1);
    BOOST_TEST(kept.failure_details == 2);
    BOOST_TEST(kept.rejected == 0);
    BOOST_TEST(kept.rejected_kept == 1);
    BOOST_TEST(pruned.count("SELECT count(*) FROM tlsrpt.rejected_messages") == 2);
    const PruneResult r = prune(conn, 30, true);
    BOOST_TEST(r.reports == 0);
    BOOST_TEST(r.rejected == 1);
    BOOST_TEST(pruned.value("SELECT string_agg(report_id, ',') FROM tlsrpt.reports") == "recent");
    BOOST_TEST(pruned.count("SELECT count(*) FROM tlsrpt.policies") == 1);
    BOOST_TEST(pruned.count("SELECT count(*) FROM tlsrpt.failure_details") == 1);
    BOOST_TEST(pruned.count("SELECT count(*) FROM tlsrpt.rejected_messages") == 1);
}
