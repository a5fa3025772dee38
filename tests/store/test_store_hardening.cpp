// test_store_hardening.cpp: the store's defences against failures that recur forever and
// figures that lie, against a real PostgreSQL: a quarantined message is kept once, temporary
// failures are counted per message, program-limit errors are permanent, a pooled connection
// that died with a server restart is replaced without failing the report, the session pins
// synchronous_commit and UTF-8, the daily views neither mix policy types' counts nor
// overflow, and a real deadlock counts as temporary (libpqxx 6.4 throws it as no sql_error).
#define BOOST_TEST_MODULE store_hardening
#include <boost/test/unit_test.hpp>

#include "store/classify.hpp"
#include "store/connection.hpp"
#include "store_test.hpp"
#include "tlsrpt/store.hpp"

#include <exception>
#include <thread>

using namespace tlsrpt::store;
using storetest::PolicyJson;
using storetest::ReportJson;
using storetest::TestDatabase;

namespace {

TestDatabase& db() {
    static TestDatabase instance("hardening");
    return instance;
}

} // namespace

// A retry after a late 451 brings the same bytes again: one row, the first one's id.
BOOST_AUTO_TEST_CASE(quarantine_keeps_a_message_once) {
    Store s(db().conninfo());
    tlsrpt::MessageHeaders h;
    h.subject = "quarantined once";
    const std::string raw = "Subject: quarantined once\r\n\r\nnot a report\r\n";
    const Outcome first = s.quarantine(raw, "not-a-report", h, Source::smtp);
    const Outcome again = s.quarantine(raw, "not-a-report", h, Source::smtp);
    BOOST_TEST((first.status == Status::stored));
    BOOST_TEST((again.status == Status::duplicate));
    BOOST_TEST(first.report_pk == again.report_pk);
    BOOST_TEST(db().value("SELECT count(*) FROM tlsrpt.rejected_messages WHERE subject = "
                          "'quarantined once'") == "1");
    BOOST_TEST((s.quarantine(raw + "x", "other", h, Source::smtp).status == Status::stored));
    // the retry arrives with another Received field from the receiving MTA: the same message
    const std::string retried = "Received: from a by mx (Postfix) with ESMTP id XYZ;\r\n"
                                "\tWed, 2 Dec 2026 00:00:00 +0000\r\n" +
                                raw;
    const Outcome third = s.quarantine(retried, "not-a-report", h, Source::smtp);
    BOOST_TEST((third.status == Status::duplicate));
    BOOST_TEST(third.report_pk == first.report_pk);
}

BOOST_AUTO_TEST_CASE(temporary_failures_are_counted_per_message) {
    Store s(db().conninfo());
    const auto a1 = s.record_failed_attempt("message A", "statement timeout");
    const auto a2 = s.record_failed_attempt("message A", "statement timeout again");
    const auto b1 = s.record_failed_attempt("message B", "x");
    BOOST_REQUIRE(a1 && a2 && b1);
    BOOST_TEST(a1->count == 1);
    BOOST_TEST(a2->count == 2);
    BOOST_TEST(b1->count == 1);
    BOOST_TEST(a2->age.count() >= 0);
    BOOST_TEST(db().value("SELECT last_error FROM tlsrpt.failed_attempts WHERE message_hash = "
                          "md5('message A'::bytea)") == "statement timeout again");
    // the next delivery attempt has another Received field on top: the same message
    const auto a3 = s.record_failed_attempt("Received: by mx; now\r\nmessage A", "again");
    BOOST_REQUIRE(a3);
    BOOST_TEST(a3->count == 3);
    Store down("host=127.0.0.1 port=9 connect_timeout=1");
    BOOST_TEST(!down.record_failed_attempt("message A", "x").has_value());
}

// SQLSTATE class 54 (an index row too large, ...) meets the same report on every retry.
BOOST_AUTO_TEST_CASE(program_limit_errors_are_permanent) {
    BOOST_TEST((classify_sqlstate("54000") == Status::permanent));
    BOOST_TEST((classify_sqlstate("54001") == Status::permanent));
    BOOST_TEST((classify_sqlstate("53100") == Status::temporary));
}

// The server restarted since the pooled connection was made: the first report after it is
// stored, not answered 451.
BOOST_AUTO_TEST_CASE(a_dead_pooled_connection_is_replaced_once) {
    Store s(db().conninfo());
    ReportJson r;
    r.report_id = "hardening-before-kill";
    BOOST_REQUIRE((s.store_report(storetest::read_one(r.json()), {}).status == Status::stored));
    // kill this session's backend, as a server restart would
    db().exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
              "datname = current_database() AND pid <> pg_backend_pid()");
    r.report_id = "hardening-after-kill";
    const Outcome o = s.store_report(storetest::read_one(r.json()), {});
    BOOST_TEST((o.status == Status::stored), o.message);
}

BOOST_AUTO_TEST_CASE(the_session_pins_durability_and_encoding) {
    const auto conn = connect(db().conninfo(), std::chrono::seconds(5));
    pqxx::nontransaction tx(*conn);
    BOOST_TEST(tx.exec1("SHOW synchronous_commit")[0].as<std::string>() == "on");
    BOOST_TEST(tx.exec1("SHOW client_encoding")[0].as<std::string>() == "UTF8");
}

// One report, one domain, sts 100/0 and tlsa 0/100: the sessions are one policy type's counts
// taken together (the larger: here a tie, so sts), not 100 + 100 at 50%.
BOOST_AUTO_TEST_CASE(daily_sessions_do_not_mix_policy_types) {
    Store s(db().conninfo());
    ReportJson r;
    r.report_id = "hardening-mixed-types";
    PolicyJson sts;
    sts.domain = "mixed.example";
    sts.successful = 100;
    sts.failed = 0;
    sts.details = {};
    PolicyJson tlsa = sts;
    tlsa.type = "tlsa";
    tlsa.strings = {"3 1 1 AABB"};
    tlsa.successful = 0;
    tlsa.failed = 100;
    r.policies = {sts, tlsa};
    BOOST_REQUIRE((s.store_report(storetest::read_one(r.json()), {}).status == Status::stored));
    BOOST_TEST(db().value("SELECT concat_ws('|', reports, successful, failed, success_rate) FROM "
                          "tlsrpt.daily_sessions WHERE policy_domain = 'mixed.example'") ==
               "1|100|0|100.00");
}

// Counts near the 2^40 bound in many reports: the views sum them without overflow.
BOOST_AUTO_TEST_CASE(view_sums_do_not_overflow) {
    Store s(db().conninfo());
    for (int i = 0; i < 3; ++i) {
        ReportJson r;
        r.report_id = "hardening-huge-" + std::to_string(i);
        PolicyJson p;
        p.domain = "huge.example";
        p.successful = std::int64_t{1} << 40;
        p.failed = 0;
        p.details = {};
        r.policies = {p};
        BOOST_REQUIRE((s.store_report(storetest::read_one(r.json()), {}).status == Status::stored));
    }
    BOOST_TEST(db().value("SELECT successful FROM tlsrpt.daily_sessions WHERE policy_domain = "
                          "'huge.example'") == std::to_string(3 * (std::int64_t{1} << 40)));
    BOOST_TEST(db().value("SELECT sum(successful) FROM tlsrpt.daily_summary WHERE policy_domain "
                          "= 'huge.example'") == std::to_string(3 * (std::int64_t{1} << 40)));
}

// Two sessions that each hold the row the other wants: PostgreSQL ends one with 40P01, which
// libpqxx 6.4 throws as pqxx::deadlock_detected (a transaction_rollback, not an sql_error).
// Retrying cures it, so it must answer 4xx, never refuse the report.
BOOST_AUTO_TEST_CASE(a_real_deadlock_is_temporary) {
    db().exec("CREATE TABLE public.deadlock_test (i int PRIMARY KEY); "
              "INSERT INTO public.deadlock_test VALUES (1), (2)");
    pqxx::connection a(db().conninfo()), b(db().conninfo());
    pqxx::work ta(a), tb(b);
    ta.exec0("UPDATE public.deadlock_test SET i = i WHERE i = 1");
    tb.exec0("UPDATE public.deadlock_test SET i = i WHERE i = 2");
    std::exception_ptr failed_a, failed_b;
    std::thread other([&] {
        try {
            ta.exec0("UPDATE public.deadlock_test SET i = i WHERE i = 2");
        } catch (...) {
            failed_a = std::current_exception();
        }
    });
    try {
        tb.exec0("UPDATE public.deadlock_test SET i = i WHERE i = 1");
    } catch (...) {
        failed_b = std::current_exception();
    }
    other.join();
    ta.abort(); // the survivor's transaction still holds its rows
    tb.abort();
    BOOST_REQUIRE((failed_a == nullptr) != (failed_b == nullptr));
    try {
        std::rethrow_exception(failed_a ? failed_a : failed_b);
    } catch (...) {
        const Failure f = classify_current_exception();
        BOOST_TEST((f.status == Status::temporary), f.message);
        BOOST_TEST(f.message.find("SQLSTATE 40P01") != std::string::npos, f.message);
    }
    db().exec("DROP TABLE public.deadlock_test");
}
