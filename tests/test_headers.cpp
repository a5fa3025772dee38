// test_headers.cpp: RFC 5322 header handling (headers.cpp) and the ASCII helpers (text.cpp).
#define BOOST_TEST_MODULE headers
#include <boost/test/unit_test.hpp>

#include "tlsrpt/headers.hpp"
#include "tlsrpt/text.hpp"

#include <vector>

using namespace tlsrpt;

BOOST_AUTO_TEST_CASE(splits_at_the_first_empty_line) {
    struct Case {
        const char* message;
        const char* headers;
        const char* body;
    };
    const Case cases[] = {
        {"A: 1\r\nB: 2\r\n\r\nbody\r\n", "A: 1\r\nB: 2\r\n", "body\r\n"},
        {"A: 1\nB: 2\n\nbody\n\nmore", "A: 1\nB: 2\n", "body\n\nmore"},
        {"A: 1\r\n", "A: 1\r\n", ""},
        {"\r\nbody only", "", "body only"},
        {"", "", ""},
    };
    for (const Case& c : cases) {
        const HeaderSplit s = split_header_section(c.message);
        BOOST_TEST(s.headers == c.headers);
        BOOST_TEST(s.body == c.body);
    }
}

BOOST_AUTO_TEST_CASE(walks_fields_with_folding) {
    std::vector<std::pair<std::string, std::string>> fields;
    for_each_header_field(
        "Subject: Report Domain: a.example\r\n    Submitter: b.example\r\n"
        "garbage line without colon\r\n"
        "X-Empty:\r\n"
        "To : x@y\r\n",
        [&](std::string_view n, std::string_view v) { fields.emplace_back(n, unfold(v)); });
    BOOST_REQUIRE_EQUAL(fields.size(), 3u);
    BOOST_TEST(fields[0].first == "Subject");
    BOOST_TEST(fields[0].second == "Report Domain: a.example    Submitter: b.example");
    BOOST_TEST(fields[1].first == "X-Empty");
    BOOST_TEST(fields[1].second == "");
    BOOST_TEST(fields[2].first == "To");
}

BOOST_AUTO_TEST_CASE(captures_the_fields_the_store_needs) {
    MessageHeaders h;
    capture_header(h, "subject", " =?UTF-8?B?w4RyZ2Vy?= report\r\n");
    capture_header(h, "Subject", "second subject is ignored");
    capture_header(h, "TLS-REPORT-DOMAIN", " example.com ");
    capture_header(h, "Authentication-Results", " mx.example; dkim=pass");
    capture_header(h, "authentication-results", " other; dkim=fail");
    capture_header(h, "Received", "from somewhere");
    BOOST_TEST(h.subject == "\xC3\x84rger report");
    BOOST_TEST(h.tls_report_domain == "example.com");
    BOOST_TEST(h.authentication_results.size() == 2u);
    BOOST_TEST(h.from.empty());
}

BOOST_AUTO_TEST_CASE(ascii_helpers) {
    BOOST_TEST(iequals("Content-Type", "content-TYPE"));
    BOOST_TEST(!iequals("Content-Type", "Content-Typ"));
    BOOST_TEST(to_lower("MX1.Example.COM") == "mx1.example.com");
    BOOST_TEST(trim("  \t a b \r\n") == "a b");
    BOOST_TEST(is_valid_utf8("plain \xC3\xA4 \xF0\x9F\x98\x80"));
    BOOST_TEST(!is_valid_utf8("\xC0\xAF"));     // overlong
    BOOST_TEST(!is_valid_utf8("\xED\xA0\x80")); // surrogate
    BOOST_TEST(!is_valid_utf8("\xE2\x82"));     // truncated
    BOOST_TEST(utf8_length("\xF0\x9F\x98\x80", 0) == 4u);
    BOOST_TEST(normalize_domain(" <Mail.Example.COM.> ") == "mail.example.com");
    BOOST_TEST(has_control_character(std::string("a\0b", 3)));
    BOOST_TEST(!has_control_character("192.0.2.1"));
}

// The identity of a message over delivery attempts: without the Received fields at its top.
BOOST_AUTO_TEST_CASE(leading_trace_fields_are_skipped) {
    BOOST_TEST(without_leading_trace("Received: a\r\n\tb\r\nreceived: c\r\nFrom: x\r\n\r\n") ==
               "From: x\r\n\r\n");
    BOOST_TEST(without_leading_trace("From: x\nReceived: a\n\n") == "From: x\nReceived: a\n\n");
    BOOST_TEST(without_leading_trace("Received: only") == "Received: only");
}

// Text from reports and messages printed to a terminal: no escape sequence gets through.
BOOST_AUTO_TEST_CASE(printable_for_terminals) {
    BOOST_TEST(printable("\x1b[2Jcleared\x07") == "?[2Jcleared?");
    BOOST_TEST(printable("caf\xC3\xA9 \xC2\x9B"
                         "31m") == "caf\xC3\xA9 ?31m"); // C1 CSI
    BOOST_TEST(printable("bad \xFF byte") == "bad ? byte");
    BOOST_TEST(printable("a\r\nb\tc") == "a??b?c");
    BOOST_TEST(printable("a\r\nb\tc\x1b", true) == "a\r\nb\tc?");
}

// Bidi overrides and invisible characters cannot disguise a name (UAX #9, CVE-2021-42574);
// other non-ASCII text passes as it is.
BOOST_AUTO_TEST_CASE(printable_hides_no_reordering_or_invisible_characters) {
    BOOST_TEST(printable("evil\xE2\x80\xAEmoc.elpmaxe") == "evil?moc.elpmaxe"); // U+202E RLO
    BOOST_TEST(printable("ex\xE2\x80\x8B"
                         "ample") == "ex?ample"); // U+200B ZWSP
    BOOST_TEST(printable("a\xE2\x81\xA6"
                         "b\xE2\x81\xA9") == "a?b?"); // U+2066, U+2069
    BOOST_TEST(printable("\xEF\xBB\xBF"
                         "bom") == "?bom"); // U+FEFF
    BOOST_TEST(printable("line\xE2\x80\xA8sep") == "line?sep");
    BOOST_TEST(printable("vic\xC2\xAD"
                         "tim") == "vic?tim");                    // U+00AD soft hyphen
    BOOST_TEST(printable("victim\xF3\xA0\x81\x81") == "victim?"); // U+E0041 tag
    BOOST_TEST(printable("a\xEF\xB8\x8F"
                         "b\xE3\x85\xA4") == "a?b?"); // U+FE0F, U+3164
    BOOST_TEST(printable("x\xEF\xBF\xBE") == "x?");   // U+FFFE
    BOOST_TEST(printable("vic\xE2\x80\x8A"
                         "tim") == "vic?tim"); // U+200A hair space
    BOOST_TEST(printable("a\xC2\xA0"
                         "b\xE2\xA0\x80") == "a?b?"); // U+00A0, U+2800
    BOOST_TEST(printable("Z\xC3\xBCrich \xE2\x80\x93 \xE6\x97\xA5") ==
               "Z\xC3\xBCrich \xE2\x80\x93 \xE6\x97\xA5"); // ü, en dash, CJK kept
}
