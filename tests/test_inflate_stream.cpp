// test_inflate_stream.cpp: chunk-fed gzip (inflate_stream.cpp): any chunking gives the same
// output, the cap stops a bomb early, concatenated members, zero padding, and each corrupt
// shape named; the count-only mode keeps nothing.
#define BOOST_TEST_MODULE inflate_stream
#include <boost/test/unit_test.hpp>

#include "test_support.hpp"
#include "tlsrpt/inflate_stream.hpp"

#include <string>

using tlsrpt::InflateStream;
using State = InflateStream::State;

namespace {

std::string gzip(const std::string& in) {
    return test::gzip(in, 9); // test_support.hpp's, at the level these inputs were made with
}

// Feeds `body` in pieces of `step` bytes; the state after finish().
State feed_all(InflateStream& z, const std::string& body, std::size_t step) {
    for (std::size_t at = 0; at < body.size(); at += step) {
        const State st = z.feed(std::string_view(body).substr(at, step));
        if (st == State::too_large || st == State::corrupt) return st;
    }
    return z.finish();
}

const std::string kJson = R"({"organization-name":"Example","report-id":"r1","policies":[]})";

} // namespace

BOOST_AUTO_TEST_CASE(any_chunking_gives_the_same_output) {
    const std::string body = gzip(kJson + std::string(5000, ' '));
    for (std::size_t step : {1u, 7u, 100u, 65536u}) {
        InflateStream z(1 << 20);
        BOOST_TEST((feed_all(z, body, step) == State::done), "step " << step);
        BOOST_TEST(z.output() == kJson + std::string(5000, ' '));
        BOOST_TEST(z.inflated() == z.output().size());
    }
}

BOOST_AUTO_TEST_CASE(a_bomb_stops_at_the_cap_early) {
    const std::string bomb = gzip(std::string(50u << 20, '\0')); // 50 MB in about 50 KB
    InflateStream z(1 << 20, false);
    std::size_t fed = 0;
    State st = State::more;
    while (st == State::more || st == State::done) {
        st = z.feed(std::string_view(bomb).substr(fed, 1024));
        fed += 1024;
        BOOST_TEST_REQUIRE(fed < bomb.size());
    }
    BOOST_TEST((st == State::too_large));
    BOOST_TEST(fed < bomb.size() / 10); // refused after a small part of the body
    BOOST_TEST(z.error().find("1048576") != std::string::npos, z.error());
    BOOST_TEST(z.output().empty()); // count-only: nothing kept
}

BOOST_AUTO_TEST_CASE(concatenated_members_and_zero_padding) {
    InflateStream z(1 << 20);
    BOOST_TEST(
        (feed_all(z, gzip("{\"a\":") + gzip("1}") + std::string(512, '\0'), 3) == State::done));
    BOOST_TEST(z.output() == "{\"a\":1}");
}

BOOST_AUTO_TEST_CASE(corrupt_shapes_are_named) {
    const std::string good = gzip(kJson);
    {
        InflateStream z(1 << 20);
        BOOST_TEST((feed_all(z, good.substr(0, good.size() - 6), 5) == State::corrupt));
        BOOST_TEST(z.error().find("truncated") != std::string::npos, z.error());
    }
    {
        InflateStream z(1 << 20);
        BOOST_TEST((feed_all(z, good + std::string(4, '\0') + "junk", 5) == State::corrupt));
        BOOST_TEST(z.error().find("zero bytes") != std::string::npos, z.error());
    }
    {
        InflateStream z(1 << 20);
        std::string flipped = good;
        flipped[good.size() / 2] = static_cast<char>(flipped[good.size() / 2] ^ 0x55);
        BOOST_TEST((feed_all(z, flipped, 5) == State::corrupt));
    }
    {
        InflateStream z(1 << 20);
        BOOST_TEST((feed_all(z, kJson, 5) == State::corrupt)); // not gzip at all
        BOOST_TEST(z.error().find("corrupt") != std::string::npos, z.error());
    }
}
