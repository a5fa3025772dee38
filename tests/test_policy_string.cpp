// test_policy_string.cpp: MTA-STS policy lines and TLSA records (policy_string.cpp).
#define BOOST_TEST_MODULE policy_string
#include <boost/test/unit_test.hpp>

#include "tlsrpt/policy_string.hpp"

using namespace tlsrpt;

BOOST_AUTO_TEST_CASE(sts_policy_fields) {
    const auto p = parse_sts_policy({"version: STSv1", "mode: enforce", "mx: mx1.example.com",
                                     "mx: *.example.net", "max_age: 604800", "ext: ignored"});
    BOOST_REQUIRE(p.has_value());
    BOOST_TEST(p->version == "STSv1");
    BOOST_TEST(p->mode == "enforce");
    BOOST_TEST(p->max_age.value() == 604800);
    BOOST_TEST(p->mx.size() == 2u);
    BOOST_TEST(p->mx[1] == "*.example.net");
}

BOOST_AUTO_TEST_CASE(sts_first_value_wins_and_tolerates_spacing) {
    // RFC 8461 §3.2: a repeated non-mx key keeps its first value
    const auto p = parse_sts_policy({"  mode :testing\r", "mode: enforce", "MAX_AGE: x"});
    BOOST_REQUIRE(p.has_value());
    BOOST_TEST(p->mode == "testing");
    BOOST_TEST(!p->max_age.has_value());
}

BOOST_AUTO_TEST_CASE(sts_nothing_known) {
    BOOST_TEST(!parse_sts_policy({}));
    BOOST_TEST(!parse_sts_policy({"garbage", "foo: bar"}));
}

BOOST_AUTO_TEST_CASE(tlsa_records) {
    const auto r = parse_tlsa_record("3 1 1 6007eee553e85d8df007a845d19ec343");
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(r->usage == 3);
    BOOST_TEST(r->selector == 1);
    BOOST_TEST(r->matching_type == 1);
    BOOST_TEST(r->data == "6007EEE553E85D8DF007A845D19EC343");
    BOOST_TEST(!parse_tlsa_record("3 1 1"));
    BOOST_TEST(!parse_tlsa_record("3 1 1 XYZ"));
    BOOST_TEST(!parse_tlsa_record("300 1 1 AB"));
    BOOST_TEST(!parse_tlsa_record("a b c AB"));
    BOOST_TEST(!parse_tlsa_record(""));
}

BOOST_AUTO_TEST_CASE(mx_prefix) {
    BOOST_TEST(strip_mx_prefix("mx: mx.server.com") == "mx.server.com");
    BOOST_TEST(strip_mx_prefix("MX:mx.server.com") == "mx.server.com");
    BOOST_TEST(strip_mx_prefix("mx.server.com") == "mx.server.com");
    BOOST_TEST(strip_mx_prefix("mx:") == "mx:");
}
