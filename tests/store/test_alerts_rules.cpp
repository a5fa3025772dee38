// test_alerts_rules.cpp: the pure side of `tlsrptctl alerts`, without a database: the rule
// table, the severity decision (table-driven: each rule at and just under its threshold, the
// DKIM downgrade), the choice of one alert per rule and domain, the last day, and the output
// forms (Nagios status line, Prometheus text with escaped labels, JSON).
#define BOOST_TEST_MODULE alerts_rules
#include <boost/test/unit_test.hpp>

#include "src/tlsrptctl/alerts_output.hpp"
#include "store/alerts.hpp"

#include <set>

namespace al = tlsrpt::store::alerts;
using al::Severity;

namespace {

al::Evidence evidence(const char* rule, std::int64_t sessions, int days,
                      std::int64_t authenticated = 1) {
    al::Evidence e;
    e.rule = al::find_rule(rule);
    BOOST_REQUIRE(e.rule);
    e.domain = "example.com";
    e.since = "2026-03-01";
    e.last = "2026-03-02";
    e.sessions = sessions;
    e.total = sessions;
    e.days = days;
    e.reports = {7, 9};
    e.authenticated = e.authenticated_now = authenticated;
    e.mx = {"mx1.example.com"};
    return e;
}

struct Case {
    const char* rule;
    std::int64_t sessions;
    int days;
    std::int64_t authenticated;
    Severity want;
    bool downgraded;
};

} // namespace

BOOST_AUTO_TEST_CASE(the_table_names_each_rule_once_with_a_hint) {
    std::set<std::string_view> names;
    for (const al::Rule& r : al::rules()) {
        BOOST_TEST(names.insert(r.name).second, r.name);
        BOOST_TEST(!r.hint.empty());
        BOOST_TEST(r.rfc.find("RFC") == 0);
    }
    BOOST_TEST(names.size() == 14u);
    BOOST_TEST(al::find_rule("tlsa-invalid")->policy_type == "tlsa");
    BOOST_TEST(!al::find_rule("no-such-rule"));
}

BOOST_AUTO_TEST_CASE(severity_at_and_just_under_each_threshold) {
    const al::Thresholds t; // the defaults
    const Case cases[] = {
        {"certificate-expired", 1, 1, 1, Severity::critical, false},
        {"certificate-expired", 0, 1, 1, Severity::ok, false},
        {"certificate-not-trusted", 1, 1, 1, Severity::critical, false},
        {"certificate-host-mismatch", 1, 1, 0, Severity::warning, true},
        {"tlsa-invalid", 1, 1, 1, Severity::critical, false},
        {"tlsa-invalid", 0, 1, 1, Severity::ok, false},
        {"dnssec-invalid", 1, 1, 0, Severity::warning, true},
        {"dane-required", 2, 1, 1, Severity::critical, false},
        {"validation-failure", 1, 1, 1, Severity::critical, false},
        {"sts-policy-fetch-error", 5, 1, 1, Severity::ok, false},
        {"sts-policy-fetch-error", 5, 2, 1, Severity::warning, false},
        {"sts-policy-invalid", 5, 3, 1, Severity::critical, false},
        {"sts-webpki-invalid", 5, 3, 0, Severity::warning, true},
        {"sts-webpki-invalid", 5, 2, 0, Severity::warning, false},
        {"starttls-not-supported", 1, 1, 0, Severity::warning, false},
        {"starttls-not-supported", 0, 1, 0, Severity::ok, false},
        {"silent-reporter", 0, 5, 0, Severity::warning, false},
        {"silent-reporter", 0, 4, 0, Severity::ok, false},
        {"no-reports", 0, 3, 0, Severity::warning, false},
        {"no-reports", 0, 2, 0, Severity::ok, false},
        {"no-reports", 0, -1, 0, Severity::warning, false}, // never reported
    };
    for (const Case& c : cases) {
        const al::Decision d = al::decide(evidence(c.rule, c.sessions, c.days, c.authenticated), t);
        BOOST_TEST((d.severity == c.want), c.rule << " " << c.sessions << "/" << c.days);
        BOOST_TEST(d.downgraded == c.downgraded, c.rule);
    }
}

BOOST_AUTO_TEST_CASE(thresholds_move_the_decision) {
    al::Thresholds t;
    t.dane_sessions = 3;
    BOOST_TEST((al::decide(evidence("tlsa-invalid", 3, 1), t).severity == Severity::ok));
    BOOST_TEST((al::decide(evidence("tlsa-invalid", 4, 1), t).severity == Severity::critical));
    t.sts_warning_days = 1;
    BOOST_TEST((al::decide(evidence("sts-policy-invalid", 1, 1), t).severity == Severity::warning));
}

BOOST_AUTO_TEST_CASE(low_success_needs_the_rate_below_and_enough_sessions) {
    const al::Thresholds t;
    al::Evidence e = evidence("low-success-rate", 100, 1);
    e.total = 98; // successful of 100
    BOOST_TEST((al::decide(e, t).severity == Severity::warning));
    e.total = 99; // 99.00 % is not below 99
    BOOST_TEST((al::decide(e, t).severity == Severity::ok));
    e.sessions = 99;
    e.total = 90; // below, but 99 sessions < 100
    BOOST_TEST((al::decide(e, t).severity == Severity::ok));
    BOOST_TEST(al::figures(evidence("low-success-rate", 0, 1)).find("0.00%") == 0);
}

BOOST_AUTO_TEST_CASE(one_alert_per_rule_and_domain_worst_first) {
    std::vector<al::Evidence> found = {evidence("low-success-rate", 200, 1),
                                       evidence("low-success-rate", 200, 1),
                                       evidence("certificate-expired", 1, 1)};
    found[0].total = 10;
    found[1].total = 20;
    found[1].last = "2026-03-03"; // the later day wins
    const auto alerts = al::select_alerts(found, al::Thresholds{});
    BOOST_REQUIRE(alerts.size() == 2u);
    BOOST_TEST(alerts[0].evidence.rule->name == "certificate-expired");
    BOOST_TEST(alerts[1].evidence.last == "2026-03-03");
}

BOOST_AUTO_TEST_CASE(hints_and_figures_name_the_host) {
    const auto e = evidence("certificate-expired", 3, 2);
    BOOST_TEST(al::hint(e) == "renew the certificate of mx1.example.com");
    BOOST_TEST(al::figures(e) == "3 failed sessions on 2026-03-02, 2 days, 2 reports (1 "
                                 "DKIM-authenticated); mx mx1.example.com");
    auto s = evidence("silent-reporter", 0, 6);
    s.reporter = "mailer.example";
    BOOST_TEST(al::hint(s).find("ask mailer.example why") == 0);
    BOOST_TEST(al::hint(evidence("sts-webpki-invalid", 1, 1)) ==
               "renew the certificate of mta-sts.example.com");
}

BOOST_AUTO_TEST_CASE(the_last_day_is_the_utc_day_before) {
    BOOST_TEST(al::last_day_at(1772409600) == "2026-03-01"); // 2026-03-02T00:00:00Z
    BOOST_TEST(al::last_day_at(1772495999) == "2026-03-01"); // 2026-03-02T23:59:59Z
}

namespace out = tlsrptctl::alerts;

al::Evaluation evaluation(std::vector<al::Evidence> found) {
    al::Evaluation e;
    e.last_day = "2026-03-02";
    e.domains = 2;
    e.alerts = al::select_alerts(found, al::Thresholds{});
    return e;
}

BOOST_AUTO_TEST_CASE(status_line_after_the_nagios_convention) {
    BOOST_TEST(out::status_line(evaluation({})) ==
               "TLSRPT OK - no alerts for 2 policy domains, last day 2026-03-02 | critical=0 "
               "warning=0 domains=2");
    BOOST_TEST(out::exit_status(evaluation({})) == 0);
    auto critical = evaluation(
        {evidence("certificate-expired", 1, 1), evidence("starttls-not-supported", 1, 1)});
    BOOST_TEST(out::status_line(critical) ==
               "TLSRPT CRITICAL - 1 certificate-expired on example.com (and 1 warning) | "
               "critical=1 warning=1 domains=2");
    BOOST_TEST(out::exit_status(critical) == 2);
    auto odd = evidence("starttls-not-supported", 1, 1);
    odd.domain = "a|b.example";
    BOOST_TEST(out::status_line(evaluation({odd})).find("on a?b.example |") != std::string::npos);
    BOOST_TEST(out::exit_status(evaluation({odd})) == 1);
}

BOOST_AUTO_TEST_CASE(prometheus_labels_are_escaped) {
    BOOST_TEST(out::escape_label("plain.example") == "plain.example");
    BOOST_TEST(out::escape_label("a\"b\\c") == "a\\\"b\\\\c");
    BOOST_TEST(out::escape_label("x\ny\x1b") == "x?y?"); // controls made printable first
    BOOST_TEST(out::escape_label("caf\xc3\xa9\xff") == "caf\xc3\xa9?");
}

BOOST_AUTO_TEST_CASE(prometheus_text_has_help_type_and_one_sample_per_label_set) {
    auto a = evidence("silent-reporter", 0, 6), b = a;
    a.reporter = "one.example";
    b.reporter = "two.example"; // two alerts, one label set
    auto q = evidence("certificate-expired", 1, 1);
    q.domain = "q\"uote.example";
    const std::string text = out::prometheus_text(evaluation({a, b, q}), 1772409600);
    BOOST_TEST(
        text ==
            "# HELP tlsrpt_alert An alert of tlsrptctl alerts that holds, by policy domain, "
            "rule and severity.\n"
            "# TYPE tlsrpt_alert gauge\n"
            "tlsrpt_alert{domain=\"q\\\"uote.example\",rule=\"certificate-expired\","
            "severity=\"critical\"} 1\n"
            "tlsrpt_alert{domain=\"example.com\",rule=\"silent-reporter\",severity=\"warning\"} "
            "1\n"
            "# HELP tlsrpt_alerts_evaluated_timestamp_seconds When tlsrptctl alerts last "
            "evaluated the rules.\n"
            "# TYPE tlsrpt_alerts_evaluated_timestamp_seconds gauge\n"
            "tlsrpt_alerts_evaluated_timestamp_seconds 1772409600\n",
        text);
}

BOOST_AUTO_TEST_CASE(json_names_the_reports_and_the_downgrade) {
    const std::string j =
        out::json(evaluation({evidence("certificate-expired", 1, 1, 0)}), 1772409600);
    BOOST_TEST(j.find("\"status\":\"warning\",\"exit\":1") != std::string::npos, j);
    BOOST_TEST(j.find("\"reports\":[7,9]") != std::string::npos, j);
    BOOST_TEST(j.find("\"downgraded\":true") != std::string::npos, j);
    BOOST_TEST(j.find("\"evaluated_at\":\"2026-03-02T00:00:00Z\"") != std::string::npos, j);
}
