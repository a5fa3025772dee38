// test_milter_auth_results.cpp: Authentication-Results parsing (RFC 8601, lib/auth_results.cpp)
// on fields as OpenDKIM, OpenDMARC, rspamd and Gmail write them, plus hostile text; and the
// DKIM alignment rule of RFC 8460 §3.
#define BOOST_TEST_MODULE milter_auth_results
#include <boost/test/unit_test.hpp>

#include "tlsrpt/auth_results.hpp"

#include <random>

using namespace tlsrpt;

BOOST_AUTO_TEST_CASE(opendkim_field) {
    const auto ar = parse_auth_results(
        "mx.example.com;\r\n\tdkim=pass (2048-bit key; unprotected) header.d=Google.com "
        "header.i=@google.com header.a=rsa-sha256 header.s=20230601 header.b=AbCd1234");
    BOOST_REQUIRE(ar);
    BOOST_TEST(ar->authserv_id == "mx.example.com");
    BOOST_REQUIRE_EQUAL(ar->results.size(), 1u);
    BOOST_TEST(ar->results[0].method == "dkim");
    BOOST_TEST(ar->results[0].result == "pass");
    BOOST_TEST(ar->results[0].property("header", "d") == "Google.com");
    BOOST_TEST(ar->results[0].property("header", "s") == "20230601");
}

BOOST_AUTO_TEST_CASE(several_methods_versions_comments_and_quotes) {
    const auto ar = parse_auth_results(
        "mx.example.com 1; (comment (nested) \\) here) spf=pass smtp.mailfrom=a@b.example; "
        "dkim/1=fail reason=\"signature; verification failed\" header.d=b.example; "
        "dmarc=pass header.from=b.example");
    BOOST_REQUIRE(ar);
    BOOST_REQUIRE_EQUAL(ar->results.size(), 3u);
    BOOST_TEST(ar->results[0].method == "spf");
    BOOST_TEST(ar->results[0].property("smtp", "mailfrom") == "a@b.example");
    BOOST_TEST(ar->results[1].method == "dkim");
    BOOST_TEST(ar->results[1].result == "fail");
    BOOST_TEST(ar->results[1].reason == "signature; verification failed");
    BOOST_TEST(ar->results[2].method == "dmarc");
}

BOOST_AUTO_TEST_CASE(no_result_and_garbage) {
    const auto none = parse_auth_results("mx.example.com; none");
    BOOST_REQUIRE(none);
    BOOST_TEST(none->results.empty());
    BOOST_TEST(!parse_auth_results("").has_value());
    BOOST_TEST(!parse_auth_results("  (only a comment)  ").has_value());
    const auto junk =
        parse_auth_results("id; ==; dkim; dkim=; =pass; dkim=pass header.d=x.example");
    BOOST_REQUIRE(junk);
    BOOST_REQUIRE_EQUAL(junk->results.size(), 1u);
    BOOST_TEST(junk->results[0].property("header", "d") == "x.example");
}

BOOST_AUTO_TEST_CASE(only_trusted_verifiers_count) {
    const std::vector<std::string> fields{
        "evil.example; dkim=pass header.d=google.com",
        "MX.example.com; dkim=fail header.d=other.example; dkim=pass header.i=@Google.COM.",
        "mx.example.com; spf=pass smtp.mailfrom=google.com",
    };
    const auto v = trusted_dkim_checks(fields, {"mx.example.com"});
    BOOST_REQUIRE_EQUAL(v.size(), 2u);
    BOOST_TEST(v[0].result == "fail");
    BOOST_TEST(v[0].domain == "other.example");
    BOOST_TEST(v[1].result == "pass");
    BOOST_TEST(v[1].domain == "google.com"); // from header.i, lower case, no trailing dot
    BOOST_TEST(v[1].source == "authserv:MX.example.com");
    BOOST_TEST(v[0].reason.find("dkim=fail according to MX.example.com") != std::string::npos);
    BOOST_TEST(v[1].reason.empty());
    BOOST_TEST(trusted_dkim_checks(fields, {}).empty());
}

BOOST_AUTO_TEST_CASE(random_bytes_never_crash) {
    std::mt19937 rng(6376);
    const std::string alphabet = "ab.=;()\"\\ \t\r\n@/dkimpasheder";
    for (int i = 0; i < 5000; ++i) {
        std::string s(rng() % 200, ' ');
        for (char& c : s)
            c = alphabet[rng() % alphabet.size()];
        (void)parse_auth_results(s);
        (void)trusted_dkim_checks({s}, {"a"});
    }
    BOOST_TEST(true);
}
