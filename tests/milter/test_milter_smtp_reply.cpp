// test_milter_smtp_reply.cpp: every reply the milter can build is a valid one
// (smtp_reply.cpp), whatever text it is given.
#define BOOST_TEST_MODULE milter_smtp_reply
#include <boost/test/unit_test.hpp>

#include "smtp_reply.hpp"

#include <random>

using namespace milter;

BOOST_AUTO_TEST_CASE(fixed_codes) {
    const SmtpReply t = make_reply(ReplyKind::tempfail);
    BOOST_TEST(t.code == "451");
    BOOST_TEST(t.xcode == "4.3.0");
    BOOST_TEST(make_reply(ReplyKind::too_large).code == "552");
    BOOST_TEST(make_reply(ReplyKind::too_large).xcode == "5.3.4");
    BOOST_TEST(make_reply(ReplyKind::invalid).code == "550");
    BOOST_TEST(make_reply(ReplyKind::invalid).xcode == "5.6.0");
    BOOST_TEST(make_reply(ReplyKind::shutting_down).xcode == "4.3.2");
    BOOST_TEST(make_reply(ReplyKind::dkim_tempfail).xcode == "4.7.5");
    for (auto k : {ReplyKind::tempfail, ReplyKind::shutting_down, ReplyKind::dkim_tempfail,
                   ReplyKind::too_large, ReplyKind::invalid})
        BOOST_TEST(is_valid_reply(make_reply(k)));
}

BOOST_AUTO_TEST_CASE(sanitizes_hostile_text) {
    const SmtpReply r =
        make_reply(ReplyKind::invalid, "bad \"json\"\r\n550 fake\x01 100% \xc3\xa9");
    BOOST_TEST(is_valid_reply(r));
    BOOST_TEST(r.text.find('\r') == std::string::npos);
    BOOST_TEST(r.text.find('%') == std::string::npos);
    BOOST_TEST(r.text == "no usable TLS report: bad \"json\" 550 fake? 100? ??");
    BOOST_TEST(sanitize_reply_text("") == "-");
    BOOST_TEST(sanitize_reply_text(" \t ") == "-");
    BOOST_TEST(sanitize_reply_text(std::string(1000, 'x'), 50).size() == 50u);
    BOOST_TEST(sanitize_reply_text(std::string(1000, 'x'), 50).substr(47) == "...");
}

BOOST_AUTO_TEST_CASE(random_text_always_gives_valid_replies) {
    std::mt19937 rng(8460);
    for (int i = 0; i < 2000; ++i) {
        std::string s(rng() % 600, '\0');
        for (char& c : s)
            c = static_cast<char>(rng() % 256);
        for (auto k : {ReplyKind::tempfail, ReplyKind::too_large, ReplyKind::invalid})
            BOOST_TEST_REQUIRE(is_valid_reply(make_reply(k, s)));
    }
}

BOOST_AUTO_TEST_CASE(validator_refuses_malformed_replies) {
    BOOST_TEST(!is_valid_reply({"250", "2.0.0", "ok"}));
    BOOST_TEST(!is_valid_reply({"451", "5.3.0", "class mismatch"}));
    BOOST_TEST(!is_valid_reply({"45", "4.3.0", "short"}));
    BOOST_TEST(!is_valid_reply({"451", "4.3", "short xcode"}));
    BOOST_TEST(!is_valid_reply({"451", "4.3.0", ""}));
    BOOST_TEST(!is_valid_reply({"451", "4.3.0", "a\r\nb"}));
    BOOST_TEST(!is_valid_reply({"451", "4.3.0", "100%"}));
}
