// test_milter_message.cpp: collecting a message (message_context.cpp): the RFC 5322 rebuild,
// the MaxMessageSize bound, the captured headers; and the DKIM rule helpers of ingest.cpp.
#define BOOST_TEST_MODULE milter_message
#include <boost/test/unit_test.hpp>

#include "ingest.hpp"
#include "message_context.hpp"

#include "tlsrpt/pipeline.hpp"

using namespace milter;

BOOST_AUTO_TEST_CASE(rebuilds_the_message) {
    MessageContext m(1 << 20);
    BOOST_TEST(m.add_header("From", "r@reporter.example"));
    BOOST_TEST(m.add_header("Subject", "Report\n\tDomain: x"));
    BOOST_TEST(m.add_header("Authentication-Results", "mx; dkim=pass\r\n header.d=a.example"));
    BOOST_TEST(m.end_of_headers());
    BOOST_TEST(m.add_body("line 1\r\n"));
    BOOST_TEST(m.add_body("line 2\r\n"));
    BOOST_TEST(m.raw() == "From: r@reporter.example\r\n"
                          "Subject: Report\r\n\tDomain: x\r\n"
                          "Authentication-Results: mx; dkim=pass\r\n header.d=a.example\r\n"
                          "\r\n"
                          "line 1\r\nline 2\r\n");
    BOOST_TEST(m.headers().from == "r@reporter.example");
    BOOST_TEST(m.headers().subject == "Report\tDomain: x");
    BOOST_REQUIRE_EQUAL(m.headers().authentication_results.size(), 1u);
}

BOOST_AUTO_TEST_CASE(header_only_message_gets_its_blank_line_once) {
    MessageContext m(1024);
    m.add_header("Subject", "x");
    m.end_of_headers();
    m.end_of_headers();
    BOOST_TEST(m.raw() == "Subject: x\r\n\r\n");
    MessageContext n(1024);
    n.add_header("Subject", "y");
    n.add_body("b"); // a body without EOH first still gets the separator
    BOOST_TEST(n.raw() == "Subject: y\r\n\r\nb");
}

BOOST_AUTO_TEST_CASE(stops_buffering_at_the_limit) {
    MessageContext m(64);
    BOOST_TEST(m.add_header("Subject", "short"));
    BOOST_TEST(m.end_of_headers());
    BOOST_TEST(m.add_body(std::string(30, 'a')));
    BOOST_TEST(!m.add_body(std::string(30, 'b')));
    BOOST_TEST(m.too_large());
    BOOST_TEST(m.raw().empty());
    BOOST_TEST(m.raw().capacity() < 64u); // the buffer is freed, not kept
    BOOST_TEST(!m.add_body("more"));
    BOOST_TEST(m.raw().empty());
}

BOOST_AUTO_TEST_CASE(tracks_recipients) {
    MessageContext m(1024);
    BOOST_TEST(!m.has_report_recipient());
    m.add_recipient("<tlsrpt+x@example.com>", true);
    m.add_recipient("<alice@example.com>", false);
    BOOST_TEST(m.has_report_recipient());
    BOOST_TEST(m.has_other_recipient());
    BOOST_TEST(m.report_recipients() == std::vector<std::string>{"<tlsrpt+x@example.com>"});
}

BOOST_AUTO_TEST_CASE(crlf_line_ends) {
    BOOST_TEST(crlf_lines("a\n\tb") == "a\r\n\tb");
    BOOST_TEST(crlf_lines("a\r\n\tb") == "a\r\n\tb");
    BOOST_TEST(crlf_lines("\n") == "\r\n");
}

BOOST_AUTO_TEST_CASE(rebuilt_message_is_readable) {
    const std::string json = R"({"organization-name":"Reporter Inc.","date-range":{)"
                             R"("start-datetime":"2026-01-01T00:00:00Z","end-datetime":)"
                             R"("2026-01-01T23:59:59Z"},"contact-info":"tls@reporter.example",)"
                             R"("report-id":"r-1","policies":[{"policy":{"policy-type":)"
                             R"("no-policy-found","policy-domain":"example.com"},"summary":{)"
                             R"("total-successful-session-count":3,)"
                             R"("total-failure-session-count":0}}]})";
    MessageContext m(1 << 20);
    m.add_header("From", "tls@reporter.example");
    m.add_header("MIME-Version", "1.0");
    m.add_header("Content-Type", "multipart/report; report-type=\"tlsrpt\";\n\tboundary=\"b\"");
    m.add_header("TLS-Report-Submitter", "reporter.example");
    m.end_of_headers();
    m.add_body("--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\n"
               "Content-Type: application/tlsrpt+json\r\n\r\n" +
               json + "\r\n--b--\r\n");
    const auto r = tlsrpt::read_reports(m.raw(), {});
    BOOST_REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().describe()));
    BOOST_TEST(r->front().report_id == "r-1");
    BOOST_TEST(tlsrpt::dkim_alignment_domain(r->front()) == "reporter.example");
}

// Header values as the MTA gives them with SMFIP_HDR_LEADSPC: the blanks after the colon
// are part of the value, so the rebuilt header is the one on the wire (DKIM simple
// canonicalization); without it one space is put back.
BOOST_AUTO_TEST_CASE(leading_space_kept_as_sent) {
    MessageContext with(1 << 20, true);
    with.add_header("Subject", "  two spaces");
    with.add_header("X-None", "none");
    with.add_header("Folded", " a\n\tb");
    with.end_of_headers();
    BOOST_TEST(with.raw() == "Subject:  two spaces\r\nX-None:none\r\nFolded: a\r\n\tb\r\n\r\n");
    BOOST_TEST(with.headers().subject == "two spaces");
    MessageContext without(1 << 20, false);
    without.add_header("Subject", "one");
    without.end_of_headers();
    BOOST_TEST(without.raw() == "Subject: one\r\n\r\n");
}

// An RFC 2047 encoded Subject is decoded (GMime is initialised on first use, whoever calls).
BOOST_AUTO_TEST_CASE(decodes_encoded_words_in_headers) {
    MessageContext m(1 << 20);
    BOOST_TEST(m.add_header("Subject", "=?UTF-8?Q?TLS_Bericht_=C3=BCber?= example.com"));
    BOOST_TEST(m.add_header("From", "=?ISO-8859-1?Q?R=E9porteur?= <r@reporter.example>"));
    BOOST_TEST(m.headers().subject == "TLS Bericht \xC3\xBC"
                                      "ber example.com");
    BOOST_TEST(m.headers().from == "R\xC3\xA9porteur <r@reporter.example>");
}
