// test_report_format.cpp: normalized JSON output (report_format.cpp, json_writer.cpp, report.cpp).
#define BOOST_TEST_MODULE report_format
#include <boost/test/unit_test.hpp>

#include "test_support.hpp"
#include "tlsrpt/json_writer.hpp"
#include "tlsrpt/limits.hpp"
#include "tlsrpt/pipeline.hpp"
#include "tlsrpt/report_format.hpp"
#include "tlsrpt/report_parse.hpp"

using namespace tlsrpt;

BOOST_AUTO_TEST_CASE(escapes_and_replaces_invalid_utf8) {
    JsonWriter w;
    w.begin_array().value("a\"b\\c\n\x01").value("\xC3\xA4").value("\xFF\xC3").end_array();
    BOOST_TEST(w.str() == "[\"a\\\"b\\\\c\\n\\u0001\",\"\xC3\xA4\",\"\xEF\xBF\xBD\xEF\xBF\xBD\"]");
}

BOOST_AUTO_TEST_CASE(output_is_normalized_and_reparses) {
    // a quirky input: no offset, mx-host string, counts as strings
    const auto r = parse_report_json(test::fixture("quirks/count-as-string.json"), {});
    BOOST_REQUIRE(r.ok());
    const std::string line = format_report_json(*r, "in.json");
    BOOST_TEST(line.find('\n') == std::string::npos);
    BOOST_TEST(line.find("\"total-successful-session-count\":1200") != std::string::npos);
    BOOST_TEST(line.find("\"quirks\":[\"count-as-string\"]") != std::string::npos);
    BOOST_TEST(line.find("\"source\":\"in.json\"") != std::string::npos);
    // the normalized output is itself a clean report
    const auto again = parse_report_json(line, {});
    BOOST_REQUIRE(again.ok());
    BOOST_TEST(again->quirks.empty());
    BOOST_TEST(again->policies[0].failure_details[0].failed_session_count == 4);
}

BOOST_AUTO_TEST_CASE(dates_become_utc_z_and_arrays_stay_arrays) {
    const auto r = parse_report_json(test::fixture("quirks/mx-host-string.json"), {});
    const std::string line = format_report_json(*r, "");
    BOOST_TEST(line.find("\"start-datetime\":\"2026-03-01T00:00:00Z\"") != std::string::npos);
    BOOST_TEST(line.find("\"mx-host\":[\"mx1.receiver.example\"]") != std::string::npos);
    const auto msg = read_reports(test::fixture("mime/base64-gzip-lf.eml"), {});
    const std::string with_headers = format_report_json(msg->front(), "");
    BOOST_TEST(with_headers.find("\"tls-report-domain\":\"receiver.example\"") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(reporter_key) {
    Report r;
    r.contact_info = "TLSRPT@Mailer.Example";
    r.organization_name = "Org";
    BOOST_TEST(r.reporter() == "mailer.example");
    r.contact_info = "";
    BOOST_TEST(r.reporter() == "org");
    r.add_quirk("x");
    r.add_quirk("x");
    BOOST_TEST(r.quirks.size() == 1u);
}

BOOST_AUTO_TEST_CASE(limits_by_name) {
    Limits l;
    BOOST_TEST(set_limit(l, "max_mime_parts", "100").empty());
    BOOST_TEST(l.max_mime_parts == 100u);
    BOOST_TEST(set_limit(l, "max_message_size", "2M").empty());
    BOOST_TEST(l.max_message_size == 2u << 20);
    BOOST_TEST(set_limit(l, "max_decompressed_size", "64k").empty());
    BOOST_TEST(l.max_decompressed_size == 64u << 10);
    BOOST_TEST(set_limit(l, "max_mime_parts", "0").find("not a positive number") !=
               std::string::npos);
    BOOST_TEST(set_limit(l, "max_mime_parts", "12x").find("not a positive number") !=
               std::string::npos);
    BOOST_TEST(set_limit(l, "max_bogus", "1").find("unknown limit") != std::string::npos);
    BOOST_TEST(limit_table().size() == 11u);
}
