// test_milter_recipients.cpp: recipient matching (recipients.cpp), table-driven.
#define BOOST_TEST_MODULE milter_recipients
#include <boost/test/unit_test.hpp>

#include "recipients.hpp"

using namespace milter;

BOOST_AUTO_TEST_CASE(normalizes_envelope_addresses) {
    BOOST_TEST(normalize_address("<TLSRPT@Example.COM>") == "tlsrpt@example.com");
    BOOST_TEST(normalize_address("  <a@b> ") == "a@b");
    BOOST_TEST(normalize_address("a@b") == "a@b");
    BOOST_TEST(normalize_address("<>") == "");
    BOOST_TEST(normalize_address("") == "");
    BOOST_TEST(strip_subaddress("tlsrpt+google@example.com") == "tlsrpt@example.com");
    BOOST_TEST(strip_subaddress("tlsrpt@ex+ample.com") == "tlsrpt@ex+ample.com");
    BOOST_TEST(strip_subaddress("plain@example.com") == "plain@example.com");
}

BOOST_AUTO_TEST_CASE(matches_report_addresses) {
    const std::vector<std::string> list{"tlsrpt@example.com", "tls+reports@example.net"};
    struct Row {
        const char* rcpt;
        bool match;
    };
    const Row rows[] = {
        {"<tlsrpt@example.com>", true},
        {"<TLSRPT@EXAMPLE.COM>", true},
        {"tlsrpt@example.com", true},
        {"<tlsrpt+google.com@example.com>", true},
        {"<tlsrpt+@example.com>", true},
        {"<tls+reports@example.net>", true}, // a configured address with a '+' matches itself
        {"<tls@example.net>", false},
        {"<tlsrpt@example.org>", false},
        {"<xtlsrpt@example.com>", false},
        {"<tlsrpt@sub.example.com>", false},
        {"<postmaster@example.com>", false},
        {"<>", false},
        {"", false},
    };
    for (const Row& r : rows)
        BOOST_TEST(is_report_address(r.rcpt, list) == r.match, r.rcpt);
}
