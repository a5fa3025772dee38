// test_decompress.cpp: gzip and zip decoding with caps (decompress.cpp).
#define BOOST_TEST_MODULE decompress
#include <boost/test/unit_test.hpp>

#include "test_support.hpp"
#include "tlsrpt/decompress.hpp"

using namespace tlsrpt;

BOOST_AUTO_TEST_CASE(sniffs_formats) {
    BOOST_TEST((sniff_format(test::gzip("x")) == PayloadFormat::gzip));
    BOOST_TEST((sniff_format(std::string("PK\3\4rest", 8)) == PayloadFormat::zip));
    BOOST_TEST((sniff_format("  \r\n {\"a\":1}") == PayloadFormat::json));
    BOOST_TEST((sniff_format("\xEF\xBB\xBF{}") == PayloadFormat::json));
    BOOST_TEST((sniff_format("From: x") == PayloadFormat::unknown));
    BOOST_TEST((sniff_format("") == PayloadFormat::unknown));
}

BOOST_AUTO_TEST_CASE(gunzip_round_trip) {
    const std::string text(100000, 'a');
    const auto out = gunzip(test::gzip(text), 1 << 20);
    BOOST_REQUIRE(out.ok());
    BOOST_TEST(*out == text);
}

BOOST_AUTO_TEST_CASE(gunzip_concatenated_members_and_zero_padding) {
    const auto out = gunzip(test::gzip("{\"a\":") + test::gzip("1}") + std::string(8, '\0'), 1024);
    BOOST_REQUIRE(out.ok());
    BOOST_TEST(*out == "{\"a\":1}");
}

BOOST_AUTO_TEST_CASE(gunzip_refusals) {
    const std::string gz = test::gzip(std::string(5000, 'x') + "tail");
    struct Case {
        std::string bytes;
        const char* expect;
        ErrorKind kind;
    };
    const Case cases[] = {
        {gz.substr(0, gz.size() / 2), "truncated", ErrorKind::malformed},
        {gz.substr(0, gz.size() - 4), "truncated", ErrorKind::malformed},
        {gz + "garbage!", "trailing garbage", ErrorKind::malformed},
        {std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\xff\xff\xff", 14), "corrupt",
         ErrorKind::malformed},
        {"not gzip", "corrupt", ErrorKind::malformed},
    };
    for (const Case& c : cases) {
        const auto out = gunzip(c.bytes, 1 << 20);
        BOOST_REQUIRE(!out.ok());
        BOOST_TEST(out.error().message.find(c.expect) != std::string::npos, out.error().message);
        BOOST_TEST((out.error().kind == c.kind));
    }
}

BOOST_AUTO_TEST_CASE(gunzip_bomb_stops_at_cap) {
    const std::string bomb = test::gzip(std::string(50u << 20, '\0'), 9); // 50 MiB -> ~50 KB
    BOOST_TEST(bomb.size() < 100000u);
    const auto out = gunzip(bomb, 1u << 20);
    BOOST_REQUIRE(!out.ok());
    BOOST_TEST((out.error().kind == ErrorKind::too_large));
    BOOST_TEST(out.error().message.find("max_decompressed_size") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unzip_takes_report_entries) {
    const auto entries = unzip(test::fixture("report.zip"), 1 << 20, 8);
    BOOST_REQUIRE(entries.ok());
    BOOST_REQUIRE_EQUAL(entries->size(), 1u); // readme.txt is skipped
    BOOST_TEST(entries->front().name.find(".json") != std::string::npos);
    BOOST_TEST(entries->front().data.front() == '{');
}

BOOST_AUTO_TEST_CASE(unzip_refusals) {
    const std::string zip = test::fixture("report.zip");
    const auto truncated = unzip(zip.substr(0, zip.size() / 2), 1 << 20, 8);
    BOOST_TEST(!truncated.ok());
    const auto capped = unzip(zip, 100, 8);
    BOOST_REQUIRE(!capped.ok());
    BOOST_TEST((capped.error().kind == ErrorKind::too_large));
    const auto garbage = unzip(std::string("PK\3\4") + std::string(100, 'z'), 1 << 20, 8);
    BOOST_TEST(!garbage.ok());
}
