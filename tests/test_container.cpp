// test_container.cpp: finding report parts in messages with GMime (container.cpp), on the
// fixtures in tests/fixtures/mime: encodings, line endings, nesting, filenames, limits.
#define BOOST_TEST_MODULE container
#include <boost/test/unit_test.hpp>

#include "test_support.hpp"
#include "tlsrpt/container.hpp"

using namespace tlsrpt;

namespace {

Extraction extract_ok(const std::string& file) {
    auto r = extract_message(test::fixture("mime/" + file), Limits{});
    BOOST_REQUIRE_MESSAGE(r.ok(), file + ": " + (r.ok() ? "" : r.error().describe()));
    return *r;
}

} // namespace

BOOST_AUTO_TEST_CASE(finds_the_report_part_in_every_encoding) {
    struct Case {
        const char* file;
        const char* content_type;
        char first_byte; // '{' json, '\x1f' gzip, 'P' zip
    };
    const Case cases[] = {
        {"base64-gzip-crlf.eml", "application/tlsrpt+gzip", '\x1f'},
        {"base64-gzip-lf.eml", "application/tlsrpt+gzip", '\x1f'},
        {"binary-gzip.eml", "application/tlsrpt+gzip", '\x1f'},
        {"qp-json.eml", "application/tlsrpt+json", '{'},
        {"8bit-json.eml", "application/json", '{'},
        {"7bit-tlsrpt.eml", "application/tlsrpt", '{'},
        {"nested-forward.eml", "application/tlsrpt+gzip", '\x1f'},
        {"nested-alternative.eml", "application/tlsrpt+gzip", '\x1f'},
        {"rfc2231-octet-stream.eml", "application/octet-stream", '\x1f'},
        {"gzip-sniffed.eml", "application/gzip", '\x1f'},
        {"whole-body-gzip.eml", "application/tlsrpt+gzip", '\x1f'},
        {"whole-body-json.eml", "text/plain", '{'},
        {"zip-attachment.eml", "application/zip", 'P'},
    };
    for (const Case& c : cases) {
        BOOST_TEST_CONTEXT(c.file) {
            const Extraction e = extract_ok(c.file);
            BOOST_REQUIRE_EQUAL(e.payloads.size(), 1u);
            BOOST_TEST(e.payloads[0].content_type == c.content_type);
            BOOST_REQUIRE(!e.payloads[0].bytes.empty());
            BOOST_TEST(e.payloads[0].bytes[0] == c.first_byte);
        }
    }
}

BOOST_AUTO_TEST_CASE(decodes_rfc2231_filename) {
    const Extraction e = extract_ok("rfc2231-octet-stream.eml");
    BOOST_TEST(e.payloads[0].name ==
               "mailer.example!receiver.example!1772323200!1772409599.json.gz");
}

BOOST_AUTO_TEST_CASE(returns_every_report) {
    const Extraction e = extract_ok("two-reports.eml");
    BOOST_TEST(e.payloads.size() == 2u);
}

BOOST_AUTO_TEST_CASE(captures_headers) {
    const Extraction e = extract_ok("base64-gzip-crlf.eml");
    BOOST_TEST(e.headers.from == "TLS Reporting <noreply-tlsrpt@mailer.example>");
    BOOST_TEST(e.headers.message_id == "<m1@mailer.example>");
    BOOST_TEST(e.headers.date == "Mon, 02 Mar 2026 04:10:00 +0000");
    BOOST_TEST(e.headers.subject.find("Report-ID: <2026-03-01_mailer-42@mailer.example>") !=
               std::string::npos);
    BOOST_TEST(e.headers.tls_report_domain == "receiver.example");
    BOOST_TEST(e.headers.tls_report_submitter == "mailer.example");
    BOOST_REQUIRE_EQUAL(e.headers.authentication_results.size(), 2u);
    BOOST_TEST(e.headers.authentication_results[0].find("mx.receiver.example; dkim=pass") == 0u);
}

BOOST_AUTO_TEST_CASE(refuses_messages_without_a_report) {
    for (const char* file : {"no-report.eml", "octet-stream-pdf.eml"}) {
        BOOST_TEST_CONTEXT(file) {
            const auto r = extract_message(test::fixture(std::string("mime/") + file), {});
            BOOST_REQUIRE(!r.ok());
            BOOST_TEST((r.error().kind == ErrorKind::not_a_report));
            BOOST_TEST(r.error().message.find("no report part") != std::string::npos);
            BOOST_TEST(r.error().message.find("application/") != std::string::npos);
        }
    }
    const auto plain = extract_message("Subject: hi\r\n\r\nJust text.\r\n", {});
    BOOST_TEST(!plain.ok());
}

BOOST_AUTO_TEST_CASE(limits_on_size_depth_and_parts) {
    const std::string msg = test::fixture("mime/base64-gzip-lf.eml");
    Limits small;
    small.max_message_size = 100;
    auto r = extract_message(msg, small);
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().message.find("max_message_size") != std::string::npos);

    // 40 nested multiparts: refused before GMime recurses
    std::string deep = "Subject: deep\n";
    for (int i = 0; i < 40; ++i)
        deep += "Content-Type: multipart/mixed; boundary=\"b" + std::to_string(i) + "\"\n\n--b" +
                std::to_string(i) + "\n";
    r = extract_message(deep, {});
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST((r.error().kind == ErrorKind::too_large));

    small = Limits{};
    small.max_mime_depth = 1;
    r = extract_message(test::fixture("mime/nested-forward.eml"), small);
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().message.find("max_mime_depth") != std::string::npos);

    small = Limits{};
    small.max_mime_parts = 2;
    r = extract_message(msg, small);
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().message.find("max_mime_parts") != std::string::npos);

    // parts without Content-Type, and "Content-Type :" with a blank, count too: refused before
    // GMime builds an object per part
    std::string flood = "Content-Type: multipart/mixed; boundary=\"b\"\n\n";
    for (int i = 0; i < 200; ++i)
        flood += "--b\n\nx\n";
    r = extract_message(flood + "--b--\n", {});
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().message.find("max_mime_parts") != std::string::npos);
    std::string blank = "Content-Type: multipart/mixed; boundary=\"b0\"\n\n";
    for (int i = 0; i < 100; ++i)
        blank += "--b" + std::to_string(i) + "\nContent-Type : multipart/mixed; boundary=\"b" +
                 std::to_string(i + 1) + "\"\n\n";
    r = extract_message(blank, {});
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().message.find("max_mime_parts") != std::string::npos);

    // header lines of the parts count against max_header_lines
    std::string headers = "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\n";
    for (int i = 0; i < 50; ++i)
        headers += "X-H" + std::to_string(i) + ": v\n";
    headers += "Content-Type: application/tlsrpt+json\n\n{}\n--b--\n";
    small = Limits{};
    small.max_header_lines = 40;
    r = extract_message(headers, small);
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().message.find("max_header_lines (40)") != std::string::npos);

    small = Limits{};
    small.max_reports = 1;
    r = extract_message(test::fixture("mime/two-reports.eml"), small);
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().message.find("max_reports") != std::string::npos);
}
