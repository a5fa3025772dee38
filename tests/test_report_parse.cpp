// test_report_parse.cpp: the JSON stage (report_parse.cpp): every field, every tolerated quirk,
// every refusal, and the limits. Fixtures: tests/fixtures/{report.json,quirks/,refuse/}.
#define BOOST_TEST_MODULE report_parse
#include <boost/test/unit_test.hpp>

#include "test_support.hpp"
#include "tlsrpt/quirks.hpp"
#include "tlsrpt/report_parse.hpp"

#include <functional>

using namespace tlsrpt;

namespace {

Report parse_ok(const std::string& json, const MessageHeaders* headers = nullptr) {
    auto r = parse_report_json(json, Limits{}, headers);
    BOOST_REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().describe()));
    return *r;
}

} // namespace

BOOST_AUTO_TEST_CASE(reads_every_field) {
    const Report r = parse_ok(test::fixture("report.json"));
    BOOST_TEST(r.organization_name == "Example Mailer Ltd");
    BOOST_TEST(r.start_datetime == 1772323200);
    BOOST_TEST(r.end_datetime == 1772409599);
    BOOST_TEST(r.contact_info == "tlsrpt-reports@mailer.example");
    BOOST_TEST(r.report_id == "2026-03-01_mailer-42");
    BOOST_TEST(r.reporter() == "mailer.example");
    BOOST_TEST(r.quirks.empty());
    BOOST_REQUIRE_EQUAL(r.policies.size(), 2u);
    const Policy& sts = r.policies[0];
    BOOST_TEST(sts.policy_type == "sts");
    BOOST_TEST(sts.policy_domain == "receiver.example");
    BOOST_TEST(sts.policy_string.size() == 5u);
    BOOST_TEST(sts.mx_host.size() == 2u);
    BOOST_TEST(sts.total_successful_session_count == 1200);
    BOOST_TEST(sts.total_failure_session_count == 7);
    BOOST_REQUIRE(sts.sts.has_value());
    BOOST_TEST(sts.sts->mode == "enforce");
    BOOST_TEST(sts.sts->max_age.value() == 604800);
    BOOST_TEST(sts.sts->mx.size() == 2u);
    BOOST_REQUIRE_EQUAL(sts.failure_details.size(), 2u);
    const FailureDetail& d = sts.failure_details[0];
    BOOST_TEST(d.result_type == "certificate-expired");
    BOOST_TEST(d.sending_mta_ip == "192.0.2.10");
    BOOST_TEST(d.receiving_mx_hostname == "mx1.receiver.example");
    BOOST_TEST(d.receiving_mx_helo == "mx1.receiver.example");
    BOOST_TEST(d.receiving_ip == "198.51.100.25");
    BOOST_TEST(d.failed_session_count == 4);
    BOOST_TEST(d.additional_information == "https://mailer.example/tlsrpt/detail?id=1");
    BOOST_TEST(d.failure_reason_code == "X509_V_ERR_CERT_HAS_EXPIRED");
    const Policy& tlsa = r.policies[1];
    BOOST_TEST(tlsa.policy_type == "tlsa");
    BOOST_REQUIRE_EQUAL(tlsa.tlsa.size(), 1u);
    BOOST_TEST(tlsa.tlsa[0].usage == 3);
    BOOST_TEST(tlsa.tlsa[0].data.substr(0, 4) == "0A1B");
    BOOST_TEST(tlsa.failure_details.empty());
    BOOST_TEST(r.raw_json == test::fixture("report.json"));
}

// Each fixture in quirks/ is report.json with one deviation: it must read, carry the quirk
// named like the file (or the one given), and pass the extra check.
BOOST_AUTO_TEST_CASE(tolerates_and_records_quirks) {
    struct Case {
        const char* file;
        const char* quirk;
        std::function<void(const Report&)> check;
    };
    MessageHeaders headers;
    headers.tls_report_domain = "header-domain.example";
    const Case cases[] = {
        {"date-without-offset", quirk::date_without_offset,
         [](const Report& r) { BOOST_TEST(r.start_datetime == 1772323200); }},
        {"end-at-next-midnight", quirk::end_at_next_midnight,
         [](const Report& r) { BOOST_TEST(r.end_datetime == 1772409600); }},
        {"mx-host-string", quirk::mx_host_string,
         [](const Report& r) { BOOST_TEST(r.policies[0].mx_host.size() == 1u); }},
        {"mx-host-prefixed", quirk::mx_host_prefixed,
         [](const Report& r) { BOOST_TEST(r.policies[0].mx_host[0] == "mx1.receiver.example"); }},
        {"mx-host-missing", quirk::mx_host_missing,
         [](const Report& r) { BOOST_TEST(r.policies[0].mx_host.empty()); }},
        {"policy-string-missing", quirk::policy_string_missing,
         [](const Report& r) { BOOST_TEST(!r.policies[0].sts.has_value()); }},
        {"policy-string-empty", quirk::policy_string_missing, nullptr},
        {"policy-string-string", quirk::policy_string_string,
         [](const Report& r) {
             BOOST_TEST(r.policies[0].policy_string.size() == 4u);
             BOOST_TEST(r.policies[0].sts->mode == "testing");
         }},
        {"failure-details-missing", quirk::failure_details_missing,
         [](const Report& r) { BOOST_TEST(r.policies[0].total_failure_session_count == 7); }},
        {"failure-details-empty", quirk::failure_details_missing, nullptr},
        {"tlsa-policy-string-json", quirk::tlsa_policy_string_json,
         [](const Report& r) {
             BOOST_REQUIRE_EQUAL(r.policies[1].tlsa.size(), 2u);
             BOOST_TEST(r.policies[1].policy_string[1] == "2 0 1 EEFF0011");
             BOOST_TEST(r.policies[1].tlsa[1].usage == 2);
         }},
        {"failure-details-minimal", quirk::failure_details_minimal,
         [](const Report& r) {
             BOOST_TEST(r.policies[0].failure_details[0].failed_session_count == 7);
         }},
        {"contact-info-null", quirk::contact_info_missing,
         [](const Report& r) { BOOST_TEST(r.reporter() == "example mailer ltd"); }},
        {"policy-domain-missing", quirk::policy_domain_missing,
         [](const Report& r) {
             BOOST_TEST(r.policies[0].policy_domain == "header-domain.example");
         }},
        {"count-as-string", quirk::count_as_string,
         [](const Report& r) {
             BOOST_TEST(r.policies[0].total_successful_session_count == 1200);
             BOOST_TEST(r.policies[0].failure_details[0].failed_session_count == 4);
         }},
        {"draft-member-names", quirk::draft_member_names,
         [](const Report& r) {
             const auto& d = r.policies[0].failure_details[0];
             BOOST_TEST(d.failure_reason_code == "X509_V_ERR_CERT_HAS_EXPIRED");
             BOOST_TEST(d.additional_information == "https://mailer.example/tlsrpt/detail?id=1");
         }},
        {"unknown-result-type", quirk::unknown_result_type,
         [](const Report& r) {
             BOOST_TEST(r.policies[0].failure_details[0].result_type ==
                        "io-timeout-during-handshake");
         }},
        {"unknown-policy-type", quirk::unknown_policy_type,
         [](const Report& r) { BOOST_TEST(r.policies[0].policy_type == "sts-v2"); }},
        {"summary-count-missing", quirk::summary_count_missing,
         [](const Report& r) { BOOST_TEST(r.policies[0].total_failure_session_count == 0); }},
        {"report-id-missing", quirk::report_id_missing,
         [](const Report& r) { BOOST_TEST(r.report_id.substr(0, 4) == "sha:"); }},
    };
    for (const Case& c : cases) {
        BOOST_TEST_CONTEXT(c.file) {
            const Report r =
                parse_ok(test::fixture(std::string("quirks/") + c.file + ".json"), &headers);
            BOOST_TEST(r.has_quirk(c.quirk));
            if (c.check) c.check(r);
        }
    }
}

BOOST_AUTO_TEST_CASE(unknown_members_are_ignored) {
    const Report r = parse_ok(test::fixture("quirks/unknown-members.json"));
    BOOST_TEST(r.quirks.empty());
    BOOST_TEST(r.policies.size() == 2u);
}

BOOST_AUTO_TEST_CASE(missing_report_id_is_stable) {
    const std::string json = test::fixture("quirks/report-id-missing.json");
    BOOST_TEST(parse_ok(json).report_id == parse_ok(json).report_id);
}

BOOST_AUTO_TEST_CASE(refuses_with_path) {
    struct Case {
        const char* file;
        const char* expect; // substring of the message
        ErrorKind kind;
    };
    const Case cases[] = {
        {"date-range-missing", "date-range: missing", ErrorKind::invalid},
        {"date-unreadable", "date-range.start-datetime: \"yesterday\"", ErrorKind::invalid},
        {"date-impossible", "date-range.end-datetime", ErrorKind::invalid},
        {"policies-not-array", "policies: is not an array", ErrorKind::invalid},
        {"policies-missing", "policies: missing", ErrorKind::invalid},
        {"negative-count", "policies[0].summary.total-successful-session-count",
         ErrorKind::invalid},
        {"fractional-count", "policies[0].failure-details[1].failed-session-count",
         ErrorKind::invalid},
        {"policy-type-missing", "policies[0].policy.policy-type: missing", ErrorKind::invalid},
        {"not-json", "not valid JSON", ErrorKind::malformed},
        {"truncated-json", "", ErrorKind::malformed},
        {"trailing-garbage", "trailing content", ErrorKind::malformed},
        {"duplicate-member", "\"report-id\" appears twice", ErrorKind::invalid},
        {"too-deep", "max_json_depth", ErrorKind::too_large},
    };
    for (const Case& c : cases) {
        BOOST_TEST_CONTEXT(c.file) {
            const auto r =
                parse_report_json(test::fixture(std::string("refuse/") + c.file + ".json"), {});
            BOOST_REQUIRE(!r.ok());
            BOOST_TEST(r.error().message.find(c.expect) != std::string::npos, r.error().message);
            BOOST_TEST((r.error().kind == c.kind), r.error().describe());
        }
    }
}

BOOST_AUTO_TEST_CASE(refuses_non_objects_and_bad_types) {
    const char* bad[] = {"[]",
                         "\"x\"",
                         "42",
                         "{\"date-range\": [], \"policies\": []}",
                         "{\"date-range\": {\"start-datetime\": 5, \"end-datetime\": 6}, "
                         "\"policies\": []}",
                         "{\"date-range\": {\"start-datetime\": \"2016-04-02T00:00:00Z\", "
                         "\"end-datetime\": \"2016-04-01T00:00:00Z\"}, \"policies\": []}",
                         "{\"date-range\": {\"start-datetime\": \"2016-04-01T00:00:00Z\", "
                         "\"end-datetime\": \"2016-04-01T00:00:00Z\"}, \"policies\": [7]}"};
    for (const char* json : bad)
        BOOST_TEST_CONTEXT(json) {
            BOOST_TEST(!parse_report_json(json, {}).ok());
        }
}

BOOST_AUTO_TEST_CASE(limits_apply) {
    const std::string json = test::fixture("report.json");
    Limits small;
    small.max_failure_details = 1;
    auto r = parse_report_json(json, small);
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().message.find("max_failure_details") != std::string::npos);
    small = Limits{};
    small.max_policies = 1;
    r = parse_report_json(json, small);
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().message.find("max_policies") != std::string::npos);
    small = Limits{};
    small.max_string_length = 10;
    r = parse_report_json(json, small);
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().message.find("max_string_length") != std::string::npos);
    small = Limits{};
    small.max_decompressed_size = 100;
    BOOST_TEST(!parse_report_json(json, small).ok());
}

namespace {

// A report with one sts policy whose failure-details are `details` (JSON text).
std::string with_details(const std::string& details, const std::string& id = "r-1") {
    return "{\"organization-name\": \"o\", \"contact-info\": \"t@reporter.example\", "
           "\"report-id\": \"" +
           id +
           "\", \"date-range\": {\"start-datetime\": \"2026-03-01T00:00:00Z\", "
           "\"end-datetime\": \"2026-03-01T23:59:59Z\"}, \"policies\": [{\"policy\": "
           "{\"policy-type\": \"sts\", \"policy-domain\": \"example.com\"}, \"summary\": "
           "{\"total-successful-session-count\": 1, \"total-failure-session-count\": 2}, "
           "\"failure-details\": [" +
           details + "]}]}";
}

} // namespace

// {} says nothing about a failure: skipped (never a row) and recorded, not refused.
BOOST_AUTO_TEST_CASE(empty_failure_details_are_skipped) {
    const Report r = parse_ok(with_details("{}, {\"result-type\": \"certificate-expired\", "
                                           "\"failed-session-count\": 2}, {}"));
    BOOST_REQUIRE_EQUAL(r.policies.at(0).failure_details.size(), 1u);
    BOOST_TEST(r.has_quirk(quirk::failure_details_empty));
}

// Every entry, empty or not, spends from the message's failure-details budget.
BOOST_AUTO_TEST_CASE(failure_details_budget_is_per_message) {
    std::string many;
    for (int i = 0; i < 30; ++i)
        many += std::string(i ? "," : "") + "{}";
    Limits l;
    l.max_failure_details = 20;
    auto r = parse_report_json(with_details(many), l);
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().message.find("max_failure_details (20) entries in this message") !=
               std::string::npos);
    // two reports of 15 share one budget of 20
    std::string fifteen;
    for (int i = 0; i < 15; ++i)
        fifteen += std::string(i ? "," : "") + "{\"result-type\": \"x\"}";
    Budget shared(l);
    BOOST_TEST(parse_report_json(with_details(fifteen), l, nullptr, &shared).ok());
    BOOST_TEST(!parse_report_json(with_details(fifteen, "r-2"), l, nullptr, &shared).ok());
}

BOOST_AUTO_TEST_CASE(json_values_budget) {
    Limits l;
    l.max_json_values = 5;
    auto r = parse_report_json(with_details("{\"result-type\": \"x\"}"), l);
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().message.find("max_json_values (5)") != std::string::npos);
}

// A count no sender can mean (above 2^40) is refused, so that sums stay far from overflow.
BOOST_AUTO_TEST_CASE(absurd_counts_are_refused) {
    auto r = parse_report_json(
        with_details("{\"result-type\": \"x\", \"failed-session-count\": 9000000000000000000}"),
        {});
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().message.find("above 2^40") != std::string::npos);
    BOOST_TEST(parse_report_json(with_details("{\"result-type\": \"x\", "
                                              "\"failed-session-count\": 1099511627776}"),
                                 {})
                   .ok());
}

// A control character (NUL included) in an address member is no address.
BOOST_AUTO_TEST_CASE(control_characters_in_addresses_are_refused) {
    auto r = parse_report_json(
        with_details("{\"result-type\": \"x\", \"sending-mta-ip\": \"192.0.2.1\\u0000\"}"), {});
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().message.find("control character") != std::string::npos);
    BOOST_TEST(r.error().message.find("failure-details[0]") != std::string::npos);
}

// Policy domains are stored as they are queried: lower case, without the final dot.
BOOST_AUTO_TEST_CASE(policy_domains_are_normalized) {
    std::string json = with_details("");
    json.replace(json.find("example.com"), 11, "Example.COM.");
    BOOST_TEST(parse_ok(json).policies.at(0).policy_domain == "example.com");
    std::string contact = with_details("");
    contact.replace(contact.find("t@reporter.example"), 18, "t@Reporter.Example.");
    BOOST_TEST(parse_ok(contact).reporter() == "reporter.example");
}

// Storage keys longer than an index entry can hold are refused at once, not retried forever.
BOOST_AUTO_TEST_CASE(overlong_keys_are_refused) {
    auto r = parse_report_json(with_details("", std::string(2000, 'x')), {});
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().message.find("report-id of 2000 bytes") != std::string::npos);
    BOOST_TEST(parse_report_json(with_details("", std::string(1024, 'x')), {}).ok());
}

BOOST_AUTO_TEST_CASE(reads_a_large_report) {
    std::string json = R"({"organization-name":"big","date-range":{"start-datetime":)"
                       R"("2026-01-01T00:00:00Z","end-datetime":"2026-01-01T23:59:59Z"},)"
                       R"("contact-info":"a@b.example","report-id":"big-1","policies":[{"policy":)"
                       R"({"policy-type":"sts","policy-domain":"b.example"},"summary":)"
                       R"({"total-successful-session-count":1,"total-failure-session-count":)"
                       R"(20000},"failure-details":[)";
    for (int i = 0; i < 20000; ++i)
        json += std::string(i ? "," : "") +
                R"({"result-type":"validation-failure","sending-mta-ip":"192.0.2.)" +
                std::to_string(i % 250) + R"(","failed-session-count":1})";
    json += "]}]}";
    const Report r = parse_ok(json);
    BOOST_TEST(r.policies[0].failure_details.size() == 20000u);
}
