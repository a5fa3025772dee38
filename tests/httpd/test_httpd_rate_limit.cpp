// test_httpd_rate_limit.cpp: the per-client token bucket (rate_limit.cpp) on a made-up clock:
// burst, refill, Retry-After, clients apart, and the bounded table.
#define BOOST_TEST_MODULE httpd_rate_limit
#include <boost/test/unit_test.hpp>

#include "rate_limit.hpp"

using namespace httpd;
using namespace std::chrono_literals;

namespace {
const RateLimiter::Clock::time_point t0{};
}

BOOST_AUTO_TEST_CASE(burst_then_refused_with_retry_after) {
    RateLimiter lim({2, 3});
    int retry = -1;
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(lim.admit("192.0.2.1", t0, retry));
    BOOST_TEST(!lim.admit("192.0.2.1", t0, retry));
    BOOST_TEST(retry == 1); // one token back in 0.5 s: rounded up to a whole second
    BOOST_TEST(lim.admit("192.0.2.2", t0, retry)); // another client has its own bucket
}

BOOST_AUTO_TEST_CASE(refill_at_the_rate_up_to_the_burst) {
    RateLimiter lim({1, 2});
    int retry = 0;
    BOOST_TEST(lim.admit("a", t0, retry));
    BOOST_TEST(lim.admit("a", t0, retry));
    BOOST_TEST(!lim.admit("a", t0 + 500ms, retry));
    BOOST_TEST(lim.admit("a", t0 + 1s, retry));
    BOOST_TEST(!lim.admit("a", t0 + 1s, retry));
    // a long pause refills to the burst, not beyond
    BOOST_TEST(lim.admit("a", t0 + 100s, retry));
    BOOST_TEST(lim.admit("a", t0 + 100s, retry));
    BOOST_TEST(!lim.admit("a", t0 + 100s, retry));
}

BOOST_AUTO_TEST_CASE(slow_rate_gives_a_long_retry_after) {
    RateLimiter lim({0.1, 1});
    int retry = 0;
    BOOST_TEST(lim.admit("a", t0, retry));
    BOOST_TEST(!lim.admit("a", t0, retry));
    BOOST_TEST(retry == 10);
}

BOOST_AUTO_TEST_CASE(zero_is_no_limit) {
    RateLimiter lim({});
    int retry = 0;
    for (int i = 0; i < 1000; ++i)
        BOOST_TEST_REQUIRE(lim.admit("a", t0, retry));
    BOOST_TEST(lim.clients() == 0u);
}

BOOST_AUTO_TEST_CASE(table_bounded_idle_forgotten_first) {
    RateLimiter lim({1, 1}, 2);
    int retry = 0;
    BOOST_TEST(lim.admit("a", t0, retry));
    BOOST_TEST(lim.admit("b", t0, retry));
    BOOST_TEST(!lim.admit("c", t0, retry)); // a and b still owe tokens: newcomer refused
    BOOST_TEST(lim.clients() == 2u);
    BOOST_TEST(lim.admit("c", t0 + 5s, retry)); // a and b refilled (idle): forgotten
    BOOST_TEST(lim.clients() == 1u);
}

BOOST_AUTO_TEST_CASE(an_ipv6_slash_64_is_one_client) {
    RateLimiter lim({1, 2});
    int retry = 0;
    BOOST_TEST(lim.admit("2001:db8:1:2::1", t0, retry));
    BOOST_TEST(lim.admit("2001:db8:1:2:ffff::9", t0, retry));
    BOOST_TEST(!lim.admit("2001:db8:1:2:dead:beef::", t0, retry)); // same /64: no new bucket
    BOOST_TEST(lim.admit("2001:db8:1:3::1", t0, retry));           // the next /64
    BOOST_TEST(RateLimiter::bucket_key("2001:db8:1:2::1") == "2001:0db8:0001:0002::/64");
    BOOST_TEST(RateLimiter::bucket_key("192.0.2.1") == "192.0.2.1");
    BOOST_TEST(RateLimiter::bucket_key("::ffff:192.0.2.1") == "::ffff:192.0.2.1");
}

BOOST_AUTO_TEST_CASE(a_full_table_is_scanned_at_most_once_a_second) {
    RateLimiter lim({1, 1}, 2);
    int retry = 0;
    BOOST_TEST(lim.admit("a", t0, retry));
    BOOST_TEST(lim.admit("b", t0, retry));
    BOOST_TEST(!lim.admit("c", t0 + 500ms, retry));  // scanned: a and b still refilling
    BOOST_TEST(!lim.admit("c", t0 + 1200ms, retry)); // idle by now, but no scan yet
    BOOST_TEST(lim.admit("c", t0 + 1600ms, retry));  // a second after the last scan
    BOOST_TEST(lim.clients() == 1u);
}
