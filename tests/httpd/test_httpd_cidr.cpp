// test_httpd_cidr.cpp: AllowFrom / TrustedProxies blocks (cidr.cpp): IPv4, IPv6, IPv4-mapped
// peers, prefixes that are not byte-aligned, and the refusals.
#define BOOST_TEST_MODULE httpd_cidr
#include <boost/test/unit_test.hpp>

#include "cidr.hpp"

using namespace httpd;

BOOST_AUTO_TEST_CASE(ipv4_blocks) {
    const auto blocks = parse_cidr_list("192.0.2.0/24, 10.0.0.0/8");
    BOOST_TEST(in_any("192.0.2.200", blocks));
    BOOST_TEST(in_any("10.255.1.1", blocks));
    BOOST_TEST(!in_any("192.0.3.1", blocks));
    BOOST_TEST(!in_any("11.0.0.1", blocks));
}

BOOST_AUTO_TEST_CASE(prefix_not_on_a_byte) {
    const auto blocks = parse_cidr_list("198.51.100.64/26");
    BOOST_TEST(in_any("198.51.100.64", blocks));
    BOOST_TEST(in_any("198.51.100.127", blocks));
    BOOST_TEST(!in_any("198.51.100.63", blocks));
    BOOST_TEST(!in_any("198.51.100.128", blocks));
}

BOOST_AUTO_TEST_CASE(ipv6_and_mapped_peers) {
    const auto blocks = parse_cidr_list("2001:db8::/32, 127.0.0.1");
    BOOST_TEST(in_any("2001:db8:1::5", blocks));
    BOOST_TEST(!in_any("2001:db9::1", blocks));
    BOOST_TEST(in_any("::ffff:127.0.0.1", blocks)); // a dual-stack socket's IPv4 peer
    BOOST_TEST(!in_any("127.0.0.2", blocks));       // one address is a /32
}

BOOST_AUTO_TEST_CASE(everything_and_nothing) {
    const auto all = parse_cidr_list("0.0.0.0/0, ::/0");
    BOOST_TEST(in_any("203.0.113.9", all));
    BOOST_TEST(in_any("fe80::1", all));
    BOOST_TEST(!in_any("203.0.113.9", {}));
    BOOST_TEST(!in_any("not-an-address", all)); // a peer name never matches
}

BOOST_AUTO_TEST_CASE(refusals) {
    for (const char* bad : {"192.0.2.0/33", "2001:db8::/129", "192.0.2.0/", "192.0.2.0/x",
                            "example.com", "192.0.2.0/24/1", "300.1.1.1"})
        BOOST_CHECK_THROW(parse_cidr(bad), std::invalid_argument);
    BOOST_TEST(!parse_address("192.0.2.1/32"));
    BOOST_TEST(!parse_address(""));
    BOOST_TEST(parse_address("::1").has_value());
}
