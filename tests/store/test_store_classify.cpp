// test_store_classify.cpp: the pure parts of the store, no database: SQLSTATE and exception
// classification (classify.cpp) and the statement parameters (report_row.cpp): text made safe
// for PostgreSQL, address checks, the jsonb pre-check, and the content hash input.
#define BOOST_TEST_MODULE store_classify
#include <boost/test/unit_test.hpp>

#include "store/classify.hpp"
#include "store/connection.hpp"
#include "store/report_row.hpp"
#include "store_test.hpp"

#include <pqxx/except>

using namespace tlsrpt::store;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_CASE(sqlstates_that_retrying_can_cure_are_temporary) {
    for (const char* s :
         {"08000", "08003", "08006", "08001", "08004", "08P01", "40001", "40P01", "53000", "53100",
          "53200", "53300", "53400", "57P01", "57P02", "57P03", "57014", "55P03", "",
          // the database's state, not the report's: an operator can fix it, the sender retries
          "25006", "42P01", "42703", "42501", "40002", "55000", "57000", "58030", "XX000", "XX001",
          "0A000", "25P02"}) {
        BOOST_TEST_CONTEXT(s) {
            BOOST_TEST((classify_sqlstate(s) == Status::temporary));
        }
    }
}

BOOST_AUTO_TEST_CASE(data_and_constraint_errors_are_permanent) {
    for (const char* s : {"22001", "22003", "22007", "22008", "22021", "22P02", "23502", "23503",
                          "23505", "23514"}) {
        BOOST_TEST_CONTEXT(s) {
            BOOST_TEST((classify_sqlstate(s) == Status::permanent));
        }
    }
}

Failure classify(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (...) {
        return classify_current_exception();
    }
}

BOOST_AUTO_TEST_CASE(exceptions_are_classified_by_type_and_sqlstate) {
    auto f = classify(std::make_exception_ptr(pqxx::broken_connection("server closed\n")));
    BOOST_TEST((f.status == Status::temporary));
    BOOST_TEST(f.message == "PostgreSQL connection failed: server closed");
    f = classify(std::make_exception_ptr(pqxx::sql_error("deadlock detected", "q", "40P01")));
    BOOST_TEST((f.status == Status::temporary));
    BOOST_TEST(f.message.find("SQLSTATE 40P01") != std::string::npos);
    // what libpqxx 6.4 really throws for these: classes without the code, or no sql_error
    f = classify(std::make_exception_ptr(pqxx::deadlock_detected("deadlock detected")));
    BOOST_TEST((f.status == Status::temporary));
    BOOST_TEST(f.message == "SQLSTATE 40P01: deadlock detected");
    f = classify(std::make_exception_ptr(pqxx::serialization_failure("could not serialize")));
    BOOST_TEST((f.status == Status::temporary));
    BOOST_TEST(f.message == "SQLSTATE 40001: could not serialize");
    f = classify(std::make_exception_ptr(pqxx::insufficient_privilege("permission denied")));
    BOOST_TEST((f.status == Status::temporary));
    BOOST_TEST(f.message == "SQLSTATE 42501: permission denied");
    f = classify(std::make_exception_ptr(pqxx::failure("No result set given")));
    BOOST_TEST((f.status == Status::temporary));
    f = classify(std::make_exception_ptr(pqxx::unique_violation("dup", "q", "23505")));
    BOOST_TEST((f.status == Status::permanent));
    f = classify(std::make_exception_ptr(pqxx::in_doubt_error("lost during commit")));
    BOOST_TEST((f.status == Status::temporary));
    f = classify(std::make_exception_ptr(TemporaryError("schema too old")));
    BOOST_TEST((f.status == Status::temporary));
    f = classify(std::make_exception_ptr(std::runtime_error("bug")));
    BOOST_TEST((f.status == Status::permanent));
    f = classify(std::make_exception_ptr(42));
    BOOST_TEST((f.status == Status::permanent));
}

BOOST_AUTO_TEST_CASE(text_is_made_valid_utf8_without_nul) {
    BOOST_TEST(pg_text("plain") == "plain");
    BOOST_TEST(pg_text(std::string("a\0b", 3)) == "ab");
    BOOST_TEST(pg_text("caf\xc3\xa9") == "caf\xc3\xa9");
    BOOST_TEST(pg_text("bad \xff byte") == "bad \xEF\xBF\xBD byte");
    BOOST_TEST(pg_text("cut \xe2\x82") == "cut \xEF\xBF\xBD\xEF\xBF\xBD");
    BOOST_TEST(!opt_text("").has_value());
    BOOST_TEST(*opt_text("x") == "x");
}

BOOST_AUTO_TEST_CASE(only_plain_addresses_go_to_inet_columns) {
    for (const char* ok : {"192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1", "::"})
        BOOST_TEST(is_ip_address(ok), ok);
    for (const char* bad : {"", "192.0.2", "192.0.2.256", "192.0.2.1/24", "fe80::1%eth0",
                            "[2001:db8::1]", "mx.example", " 192.0.2.1", "192.0.2.1:25"})
        BOOST_TEST(!is_ip_address(bad), bad);
}

BOOST_AUTO_TEST_CASE(jsonb_precheck_matches_what_postgresql_refuses) {
    BOOST_TEST(jsonb_accepts(R"({"a":"\u00e9\n\"\\u0000"})"));
    BOOST_TEST(jsonb_accepts(R"({"a":"\ud83d\ude00"})"));
    BOOST_TEST(!jsonb_accepts(R"({"a":"\u0000"})"));
    BOOST_TEST(!jsonb_accepts(R"({"a":"\ud83d"})"));
    BOOST_TEST(!jsonb_accepts(R"({"a":"\ude00"})"));
    BOOST_TEST(!jsonb_accepts("{\"a\":\"\xff\"}"));
}

BOOST_AUTO_TEST_CASE(text_array_literals_are_escaped) {
    BOOST_TEST(text_array_literal({}) == "{}");
    BOOST_TEST(text_array_literal({"a", "b c"}) == R"({"a","b c"})");
    BOOST_TEST(text_array_literal({R"(q"u\o)"}) == R"({"q\"u\\o"})");
}

BOOST_AUTO_TEST_CASE(content_ignores_form_and_headers_but_not_data) {
    storetest::ReportJson r;
    r.policies[0].details = {storetest::Detail{}};
    const auto compact = storetest::read_one(r.json());
    auto pretty_json = r.json();
    for (std::size_t i = pretty_json.find(','); i != std::string::npos;
         i = pretty_json.find(',', i + 3))
        pretty_json.replace(i, 1, ",\n  ");
    auto pretty = storetest::read_one(pretty_json);
    pretty.headers.subject = "another route";
    const auto a = make_report_row(compact, {.source = Source::file});
    const auto b =
        make_report_row(pretty, {.source = Source::smtp,
                                 .dkim = storetest::dkim_verdict("pass", "mailer.example")});
    BOOST_TEST(a.content == b.content);
    BOOST_TEST((a.raw != b.raw));
    r.policies[0].successful += 1;
    BOOST_TEST(make_report_row(storetest::read_one(r.json()), {}).content != a.content);
    BOOST_TEST(a.rows == 3u);
}

BOOST_AUTO_TEST_CASE(invalid_addresses_keep_their_text) {
    storetest::ReportJson r;
    storetest::Detail d;
    d.sending_mta_ip = "not-an-ip";
    d.receiving_ip = "2001:db8::25";
    r.policies[0].details = {d};
    const auto row = make_report_row(storetest::read_one(r.json()), {});
    BOOST_TEST(row.content.find(R"("sending_mta_ip_text":"not-an-ip")") != std::string::npos);
    BOOST_TEST(row.content.find(R"("receiving_ip":"2001:db8::25")") != std::string::npos);
    BOOST_TEST(row.content.find(R"("sending_mta_ip":)") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(client_timeouts_are_added_where_not_set) {
    using tlsrpt::store::with_client_timeouts;
    const std::string kv = with_client_timeouts("host=db.example dbname=tlsrpt", 5000ms);
    BOOST_TEST(kv.find("connect_timeout='5'") != std::string::npos, kv);
    BOOST_TEST(kv.find("keepalives='1'") != std::string::npos, kv);
    BOOST_TEST(kv.find("tcp_user_timeout='15000'") != std::string::npos, kv);
    BOOST_TEST(kv.find("host='db.example'") != std::string::npos, kv);
    const std::string uri =
        with_client_timeouts("postgresql://u@db.example/tlsrpt?connect_timeout=30", 5000ms);
    BOOST_TEST(uri.find("connect_timeout='30'") != std::string::npos, uri);
    BOOST_TEST(uri.find("dbname='tlsrpt'") != std::string::npos, uri);
    BOOST_TEST(with_client_timeouts("password='it\\'s'", 0ms).find("password='it\\'s'") !=
               std::string::npos);
}
