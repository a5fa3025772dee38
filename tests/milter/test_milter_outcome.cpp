// test_milter_outcome.cpp: decide() (outcome.cpp) as a table: what happened -> what the MTA is
// told. The invariant checked on every row: never remove every recipient and accept, and
// every 4xx/5xx carries a valid reply.
#define BOOST_TEST_MODULE milter_outcome
#include <boost/test/unit_test.hpp>

#include "outcome.hpp"

using namespace milter;
using tlsrpt::store::Status;

namespace {

Facts stored(std::size_t n, bool others = false) {
    Facts f;
    f.stored = n;
    f.other_recipients = others;
    return f;
}

Facts unusable(OnInvalid mode, bool others = false, std::optional<Status> q = std::nullopt) {
    Facts f;
    f.unusable = "not-a-report: no report part";
    f.on_invalid = mode;
    f.other_recipients = others;
    f.quarantine = q;
    f.quarantine_message = q ? "db says no" : "";
    return f;
}

struct Row {
    const char* name;
    Facts facts;
    Action action;
    Verdict verdict;
    const char* code; // "" when no reply
};

} // namespace

BOOST_AUTO_TEST_CASE(decision_table) {
    Facts dup;
    dup.duplicate = 2;
    Facts temp = stored(1);
    temp.temporary = "store: connection lost";
    Facts big;
    big.too_large = true;
    Facts big_mixed = big;
    big_mixed.other_recipients = true;
    Facts dns = stored(0);
    dns.temporary = "key lookup of sel._domainkey.reporter.example failed temporarily";
    dns.temp_cause = TempCause::dns;
    Facts temp_and_unusable = unusable(OnInvalid::reject);
    temp_and_unusable.temporary = "pool timeout";
    const Row rows[] = {
        {"stored, only report rcpts", stored(1), Action::discard, Verdict::stored, ""},
        {"stored, other rcpts", stored(2, true), Action::remove_report_rcpts, Verdict::stored, ""},
        {"all duplicates", dup, Action::discard, Verdict::duplicate, ""},
        {"temporary", temp, Action::tempfail, Verdict::tempfail, "451"},
        {"DKIM key lookup failed", dns, Action::tempfail, Verdict::tempfail, "451"},
        {"temporary beats unusable", temp_and_unusable, Action::tempfail, Verdict::tempfail, "451"},
        {"too large", big, Action::reject, Verdict::rejected, "552"},
        {"too large, other rcpts", big_mixed, Action::accept, Verdict::passed, ""},
        {"invalid, pass", unusable(OnInvalid::pass), Action::accept, Verdict::passed, ""},
        {"invalid, reject", unusable(OnInvalid::reject), Action::reject, Verdict::rejected, "550"},
        {"invalid, reject, other rcpts", unusable(OnInvalid::reject, true), Action::accept,
         Verdict::passed, ""},
        {"invalid, quarantined", unusable(OnInvalid::quarantine, false, Status::stored),
         Action::discard, Verdict::quarantined, ""},
        {"invalid, quarantined duplicate",
         unusable(OnInvalid::quarantine, false, Status::duplicate), Action::discard,
         Verdict::quarantined, ""},
        {"invalid, quarantined, other rcpts", unusable(OnInvalid::quarantine, true, Status::stored),
         Action::remove_report_rcpts, Verdict::quarantined, ""},
        {"invalid, quarantine temporary", unusable(OnInvalid::quarantine, false, Status::temporary),
         Action::tempfail, Verdict::tempfail, "451"},
        {"invalid, quarantine permanent", unusable(OnInvalid::quarantine, false, Status::permanent),
         Action::tempfail, Verdict::tempfail, "451"},
        {"invalid, quarantine not run", unusable(OnInvalid::quarantine), Action::tempfail,
         Verdict::tempfail, "451"},
        {"nothing read, nothing said", Facts{}, Action::tempfail, Verdict::tempfail, "451"},
    };
    for (const Row& r : rows) {
        BOOST_TEST_CONTEXT(r.name) {
            const Decision d = decide(r.facts);
            BOOST_TEST(to_string(d.action) == to_string(r.action));
            BOOST_TEST(to_string(d.verdict) == to_string(r.verdict));
            BOOST_TEST((d.reply ? d.reply->code : std::string()) == r.code);
            if (d.reply) BOOST_TEST(is_valid_reply(*d.reply));
            const bool needs_reply = d.action == Action::reject || d.action == Action::tempfail;
            BOOST_TEST(needs_reply == d.reply.has_value());
            // Removing report recipients is only ever done when someone else remains.
            if (d.action == Action::remove_report_rcpts) BOOST_TEST(r.facts.other_recipients);
            // A 5xx is only given when nobody else would lose the message.
            if (d.action == Action::reject) BOOST_TEST(!r.facts.other_recipients);
        }
    }
}

// RFC 6376 §6.1.2 TEMPFAIL: the sender retries; the enhanced code says which kind of trouble.
BOOST_AUTO_TEST_CASE(dkim_lookup_failure_is_4_7_5) {
    Facts f;
    f.temporary = "key lookup failed";
    f.temp_cause = TempCause::dns;
    const Decision d = decide(f);
    BOOST_REQUIRE(d.reply);
    BOOST_TEST(d.reply->code + " " + d.reply->xcode == "451 4.7.5");
    f.temp_cause = TempCause::database;
    BOOST_TEST(decide(f).reply->xcode == "4.3.0");
    BOOST_TEST(to_string(TempCause::dns) == std::string("dns"));
}

BOOST_AUTO_TEST_CASE(reject_reply_carries_the_reason) {
    const Decision d = decide(unusable(OnInvalid::reject));
    BOOST_REQUIRE(d.reply);
    BOOST_TEST(d.reply->text == "no usable TLS report: not-a-report: no report part");
    BOOST_TEST(d.reason == "not-a-report: no report part");
}

BOOST_AUTO_TEST_CASE(conflict_is_logged_as_duplicate_with_reason) {
    Facts f;
    f.duplicate = 1;
    f.conflict = "conflict: report-id 'x' is already stored with different content";
    const Decision d = decide(f);
    BOOST_TEST(to_string(d.verdict) == std::string("duplicate"));
    BOOST_TEST(d.reason == *f.conflict);
    BOOST_TEST(to_string(d.action) == std::string("discard"));
}

BOOST_AUTO_TEST_CASE(quarantine_wanted_only_when_it_applies) {
    BOOST_TEST(wants_quarantine(unusable(OnInvalid::quarantine)));
    BOOST_TEST(!wants_quarantine(unusable(OnInvalid::reject)));
    BOOST_TEST(!wants_quarantine(unusable(OnInvalid::pass)));
    BOOST_TEST(!wants_quarantine(stored(1)));
    Facts t = unusable(OnInvalid::quarantine);
    t.temporary = "x";
    BOOST_TEST(!wants_quarantine(t));
}
