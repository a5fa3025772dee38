// test_store_dkim.cpp: the DKIM side of the store (003_dkim.sql) against a real PostgreSQL:
// an authenticated copy replaces an unauthenticated one of the same key (RFC 8460 §3: reports
// without a valid signature "MUST be ignored", so the authenticated copy is the one to keep),
// never the reverse; an identical authenticated copy is written whole in its place (the stored
// copy, not authenticated, may have been changed since: 012_writer_row_security.sql) and the
// report counts as a duplicate; a conflict copy that becomes the report leaves
// report_conflicts; every new DKIM column round-trips.
#define BOOST_TEST_MODULE store_dkim
#include <boost/test/unit_test.hpp>

#include "store_test.hpp"
#include "tlsrpt/store.hpp"

using namespace tlsrpt::store;
using storetest::Detail;
using storetest::PolicyJson;
using storetest::ReportJson;
using storetest::TestDatabase;

namespace {

// One database for the whole suite; tests use distinct report ids.
TestDatabase& db() {
    static TestDatabase instance("dkim");
    return instance;
}

DkimInfo authenticated() {
    return storetest::authenticated_pass();
}

DkimInfo unauthenticated() {
    return {"none", "", "", "", "milter", "", false, ""};
}

// The report of `r`, mailed with Message-ID `message_id`.
tlsrpt::Report mailed(const ReportJson& r, const std::string& message_id) {
    return storetest::read_one(storetest::report_message(r.json(), message_id));
}

Outcome store(const tlsrpt::Report& r, const DkimInfo& dkim) {
    Store s(db().conninfo());
    return s.store_report(r, {Source::smtp, dkim});
}

// Copy A: one policy, 10 sessions, one failure detail.
ReportJson copy_a(const std::string& id) {
    ReportJson r;
    r.report_id = id;
    r.policies[0].successful = 10;
    r.policies[0].failed = 1;
    r.policies[0].details = {Detail{}};
    return r;
}

// Copy B of the same key: two policies, other counts, two failure details.
ReportJson copy_b(const std::string& id) {
    ReportJson r = copy_a(id);
    r.policies[0].successful = 20;
    r.policies[0].failed = 5;
    Detail other;
    other.result_type = "validation-failure";
    other.failed_session_count = 4;
    r.policies[0].details = {Detail{}, other};
    PolicyJson tlsa;
    tlsa.type = "tlsa";
    tlsa.strings = {"3 1 1 AABB"};
    tlsa.successful = 7;
    r.policies.push_back(tlsa);
    return r;
}

std::string pk(const Outcome& o) {
    return std::to_string(o.report_pk);
}

// "policies|successful|failed|details" of report `id`.
std::string counts(const std::string& id) {
    return db().value("SELECT concat_ws('|', count(DISTINCT p.id), "
                      "(SELECT sum(total_successful_session_count) FROM tlsrpt.policies "
                      "WHERE report_pk = " +
                      id +
                      "), (SELECT sum(total_failure_session_count) FROM tlsrpt.policies "
                      "WHERE report_pk = " +
                      id +
                      "), count(f.id)) FROM tlsrpt.policies p LEFT JOIN tlsrpt.failure_details "
                      "f ON f.policy_pk = p.id WHERE p.report_pk = " +
                      id);
}

std::string dkim_columns(const std::string& id) {
    return db().value("SELECT concat_ws('|', dkim_result, dkim_domain, dkim_selector, "
                      "dkim_algorithm, dkim_source, dkim_dnssec, dkim_authenticated, "
                      "coalesce(authserv_dkim, '-')) FROM tlsrpt.reports WHERE id = " +
                      id);
}

// "message_id|authenticated|successful count of the first policy" per conflict copy, in id order.
std::string conflicts(const std::string& id) {
    return db().value("SELECT coalesce(string_agg(concat_ws('|', message_id, dkim_authenticated, "
                      "raw->'policies'->0->'summary'->>'total-successful-session-count'), ';' "
                      "ORDER BY id), '') FROM tlsrpt.report_conflicts WHERE report_pk = " +
                      id);
}

} // namespace

BOOST_AUTO_TEST_CASE(an_authenticated_copy_replaces_an_unauthenticated_one) {
    const Outcome a = store(mailed(copy_a("repl-1"), "a@x"), unauthenticated());
    BOOST_REQUIRE_MESSAGE(a.status == Status::stored, a.message);
    BOOST_TEST(counts(pk(a)) == "1|10|1|1");
    const Outcome b = store(mailed(copy_b("repl-1"), "b@x"), authenticated());
    BOOST_REQUIRE_MESSAGE(b.status == Status::replaced, b.message);
    BOOST_TEST(b.ok());
    BOOST_TEST(b.report_pk == a.report_pk);
    BOOST_TEST(b.message.find("replaced") != std::string::npos, b.message);
    BOOST_TEST(db().count("SELECT count(*) FROM tlsrpt.reports WHERE report_id = 'repl-1'") == 1);
    BOOST_TEST(db().value("SELECT concat_ws('|', message_id, raw->'policies'->0->'summary'->>"
                          "'total-successful-session-count') FROM tlsrpt.reports WHERE id = " +
                          pk(a)) == "<b@x>|20");
    BOOST_TEST(dkim_columns(pk(a)) ==
               "pass|mailer.example|sel1|ed25519-sha256|milter|insecure|t|-");
    // B's policies and failure details only: 2 policies, 20 + 7 and 5 sessions, 2 details
    BOOST_TEST(counts(pk(a)) == "2|27|5|2");
    BOOST_TEST(db().count("SELECT count(*) FROM tlsrpt.policies p LEFT JOIN tlsrpt.reports r ON "
                          "r.id = p.report_pk WHERE r.id IS NULL") == 0);
    // A is kept whole in report_conflicts, with why it moved there
    BOOST_TEST(conflicts(pk(a)) == "<a@x>|f|10");
    const std::string reason =
        db().value("SELECT reason FROM tlsrpt.report_conflicts WHERE report_pk = " + pk(a));
    BOOST_TEST(reason.find("replaced by a DKIM-authenticated copy") != std::string::npos, reason);
    BOOST_TEST(reason.find("mailer.example") != std::string::npos, reason);
}

BOOST_AUTO_TEST_CASE(an_unauthenticated_copy_never_replaces_an_authenticated_one) {
    const Outcome a = store(mailed(copy_a("repl-2"), "a@x"), authenticated());
    BOOST_REQUIRE_MESSAGE(a.status == Status::stored, a.message);
    const Outcome b = store(mailed(copy_b("repl-2"), "b@x"), unauthenticated());
    BOOST_TEST((b.status == Status::conflict), b.message);
    BOOST_TEST(b.report_pk == a.report_pk);
    BOOST_TEST(db().value("SELECT message_id FROM tlsrpt.reports WHERE id = " + pk(a)) == "<a@x>");
    BOOST_TEST(counts(pk(a)) == "1|10|1|1");
    BOOST_TEST(dkim_columns(pk(a)) ==
               "pass|mailer.example|sel1|ed25519-sha256|milter|insecure|t|-");
    BOOST_TEST(conflicts(pk(a)) == "<b@x>|f|20");
    BOOST_TEST(db().value("SELECT coalesce(reason, '-') FROM tlsrpt.report_conflicts WHERE "
                          "report_pk = " +
                          pk(a)) == "-");
    // a second authenticated copy with different content is a conflict too: the first stays
    const Outcome c = store(mailed(copy_b("repl-2"), "c@x"), authenticated());
    BOOST_TEST((c.status == Status::conflict), c.message);
    BOOST_TEST(db().value("SELECT message_id FROM tlsrpt.reports WHERE id = " + pk(a)) == "<a@x>");
}

BOOST_AUTO_TEST_CASE(an_identical_authenticated_copy_upgrades_the_verdict) {
    const Outcome a = store(mailed(copy_a("repl-3"), "a@x"), unauthenticated());
    BOOST_REQUIRE_MESSAGE(a.status == Status::stored, a.message);
    BOOST_TEST(dkim_columns(pk(a)) == "none|milter|f|-");
    const Outcome b = store(mailed(copy_a("repl-3"), "b@x"), authenticated());
    BOOST_TEST((b.status == Status::duplicate), b.message);
    BOOST_TEST(b.report_pk == a.report_pk);
    BOOST_TEST(dkim_columns(pk(a)) ==
               "pass|mailer.example|sel1|ed25519-sha256|milter|insecure|t|-");
    // the signed copy takes the row (same id), its policies and details written anew
    BOOST_TEST(db().value("SELECT message_id FROM tlsrpt.reports WHERE id = " + pk(a)) == "<b@x>");
    BOOST_TEST(counts(pk(a)) == "1|10|1|1");
    BOOST_TEST(conflicts(pk(a)) == "");
    // and once authenticated, an unauthenticated identical copy is a plain duplicate
    const Outcome c = store(mailed(copy_a("repl-3"), "c@x"), unauthenticated());
    BOOST_TEST((c.status == Status::duplicate), c.message);
    BOOST_TEST(dkim_columns(pk(a)) ==
               "pass|mailer.example|sel1|ed25519-sha256|milter|insecure|t|-");
}

BOOST_AUTO_TEST_CASE(a_conflict_copy_that_becomes_the_report_leaves_report_conflicts) {
    const Outcome a = store(mailed(copy_a("repl-4"), "a@x"), unauthenticated());
    BOOST_REQUIRE_MESSAGE(a.status == Status::stored, a.message);
    const Outcome b = store(mailed(copy_b("repl-4"), "b@x"), unauthenticated());
    BOOST_REQUIRE_MESSAGE(b.status == Status::conflict, b.message);
    BOOST_TEST(conflicts(pk(a)) == "<b@x>|f|20");
    const Outcome again = store(mailed(copy_b("repl-4"), "b2@x"), authenticated());
    BOOST_REQUIRE_MESSAGE(again.status == Status::replaced, again.message);
    BOOST_TEST(again.report_pk == a.report_pk);
    BOOST_TEST(db().value("SELECT message_id FROM tlsrpt.reports WHERE id = " + pk(a)) == "<b2@x>");
    BOOST_TEST(counts(pk(a)) == "2|27|5|2");
    // A moved to report_conflicts; B's earlier conflict row is gone (it is the report now)
    BOOST_TEST(conflicts(pk(a)) == "<a@x>|f|10");
}

BOOST_AUTO_TEST_CASE(every_dkim_column_round_trips) {
    ReportJson r = copy_a("dkim-columns");
    const DkimInfo full{"pass",   "mail.mailer.example",
                        "2026a",  "rsa-sha256",
                        "milter", "secure",
                        true,     "dkim=pass d=mailer.example (authserv:mx.receiver.example)"};
    const Outcome out = store(mailed(r, "cols@x"), full);
    BOOST_REQUIRE_MESSAGE(out.status == Status::stored, out.message);
    BOOST_TEST(dkim_columns(pk(out)) ==
               "pass|mail.mailer.example|2026a|rsa-sha256|milter|secure|t|"
               "dkim=pass d=mailer.example (authserv:mx.receiver.example)");
    // the verdict of a later different copy is kept beside it in report_conflicts
    r.policies[0].successful = 11;
    const DkimInfo failed{"fail",   "mailer.example", "old", "rsa-sha256",
                          "milter", "unknown",        false, ""};
    const Outcome later = store(mailed(r, "cols2@x"), failed);
    BOOST_REQUIRE_MESSAGE(later.status == Status::conflict, later.message);
    BOOST_TEST(db().value("SELECT concat_ws('|', dkim_result, dkim_domain, dkim_selector, "
                          "dkim_authenticated, coalesce(reason, '-')) FROM "
                          "tlsrpt.report_conflicts WHERE report_pk = " +
                          pk(out)) == "fail|mailer.example|old|f|-");
    // empty words are stored as NULL, not as ''
    r.report_id = "dkim-columns-empty";
    const Outcome empty = store(mailed(r, "cols3@x"), DkimInfo{});
    BOOST_REQUIRE_MESSAGE(empty.status == Status::stored, empty.message);
    BOOST_TEST(db().value("SELECT concat_ws('|', dkim_result IS NULL, dkim_domain IS NULL, "
                          "dkim_selector IS NULL, dkim_algorithm IS NULL, dkim_source IS NULL, "
                          "dkim_dnssec IS NULL, dkim_authenticated, authserv_dkim IS NULL) FROM "
                          "tlsrpt.reports WHERE id = " +
                          pk(empty)) == "t|t|t|t|t|t|f|t");
}
