// test_datetime.cpp: RFC 3339 §5.6 reading and writing (datetime.cpp).
#define BOOST_TEST_MODULE datetime
#include <boost/test/unit_test.hpp>

#include "tlsrpt/datetime.hpp"

using namespace tlsrpt;

BOOST_AUTO_TEST_CASE(reads_valid_forms) {
    struct Case {
        const char* text;
        UnixTime expected;
        bool offset;
    };
    const Case cases[] = {
        {"2016-04-01T00:00:00Z", 1459468800, true},
        {"2016-04-01T23:59:59Z", 1459555199, true},
        {"2016-04-01t23:59:59z", 1459555199, true},
        {"2016-04-01 23:59:59Z", 1459555199, true},
        {"2016-04-01T23:59:59.123456Z", 1459555199, true},
        {"2016-04-02T01:59:59+02:00", 1459555199, true},
        {"2016-04-01T20:59:59-03:00", 1459555199, true},
        {"2024-03-26T00:00:00", 1711411200, false},
        {"2024-02-29T12:00:00Z", 1709208000, true},
        {"1970-01-01T00:00:00Z", 0, true},
        {"2016-12-31T23:59:60Z", 1483228799, true},
    };
    for (const Case& c : cases) {
        BOOST_TEST_CONTEXT(c.text) {
            const auto got = parse_rfc3339(c.text);
            BOOST_REQUIRE(got.has_value());
            BOOST_TEST(got->time == c.expected);
            BOOST_TEST(got->had_offset == c.offset);
        }
    }
}

BOOST_AUTO_TEST_CASE(refuses_invalid_forms) {
    const char* bad[] = {"",
                         "April fools",
                         "2016-04-01",
                         "2016-13-01T00:00:00Z",
                         "2016-02-30T00:00:00Z",
                         "2023-02-29T00:00:00Z",
                         "2016-04-01T24:00:00Z",
                         "2016-04-01T00:60:00Z",
                         "2016-04-01T00:00:00ZZ",
                         "2016-04-01T00:00:00+2:00",
                         "2016-04-01T00:00:00.Z",
                         "2016-04-01T00:00:00 UTC",
                         "16-04-01T00:00:00Z",
                         "2016/04/01T00:00:00Z"};
    for (const char* text : bad)
        BOOST_TEST_CONTEXT(text) {
            BOOST_TEST(!parse_rfc3339(text));
        }
}

BOOST_AUTO_TEST_CASE(formats_utc_with_z) {
    BOOST_TEST(format_rfc3339(0) == "1970-01-01T00:00:00Z");
    BOOST_TEST(format_rfc3339(1459555199) == "2016-04-01T23:59:59Z");
    BOOST_TEST(format_rfc3339(1709208000) == "2024-02-29T12:00:00Z");
    BOOST_TEST(format_rfc3339(-1) == "1969-12-31T23:59:59Z");
}

BOOST_AUTO_TEST_CASE(round_trips_every_day_of_four_centuries_sampled) {
    for (std::int64_t t = -2208988800; t < 4102444800; t += 86399 * 7 + 13) {
        const auto back = parse_rfc3339(format_rfc3339(t));
        BOOST_REQUIRE(back.has_value());
        BOOST_REQUIRE_EQUAL(back->time, t);
    }
}
