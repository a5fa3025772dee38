// test_store_alerts.cpp: the built `tlsrptctl alerts` against a real PostgreSQL. Reports are
// stored for each rule of store/alerts.cpp on a policy domain of its own: RULE.fires.test,
// where the rule holds, and RULE.under.test, just under its threshold (a day too early, one
// session too few, one day too short). Evaluated as at a fixed time, the JSON must name exactly
// the firing domains with their severity, and the table, the Nagios exit status and the
// Prometheus textfile must agree. DKIM: a critical failure whose reports are not authenticated
// is a warning (RFC 8460 §3).
#define BOOST_TEST_MODULE store_alerts
#include <boost/test/unit_test.hpp>

#include "store_test.hpp"
#include "tlsrpt/datetime.hpp"
#include "tlsrpt/store.hpp"

#include <map>
#include <simdjson.h>

using namespace tlsrpt::store;
using storetest::Detail;
using storetest::PolicyJson;
using storetest::ReportJson;
using storetest::run;
using storetest::sh;
using storetest::TempDir;
using storetest::TestDatabase;

namespace {

// Evaluated as at 2026-03-10 12:00 UTC: the last day L is 2026-03-09.
const std::string at = "2026-03-10T12:00:00Z";

constexpr tlsrpt::UnixTime last_day = 1773014400; // 2026-03-09T00:00:00Z

std::string day(int before_last) { // "YYYY-MM-DD" of L - before_last
    return tlsrpt::format_rfc3339(last_day - static_cast<tlsrpt::UnixTime>(before_last) * 86400)
        .substr(0, 10);
}

TestDatabase& db() {
    static TestDatabase instance("alerts");
    return instance;
}

DkimInfo dkim(bool authenticated) {
    if (!authenticated) return {"none", "", "", "", "milter", "", false, ""};
    return {"pass", "mailer.example", "s1", "ed25519-sha256", "milter", "insecure", true, ""};
}

int serial = 0;

// Stores one report of `reporter` for `domain` on day L - before_last: `ok` successful
// sessions and `failed` failed ones of `result_type` ("" no failure details).
void report(const std::string& domain, int before_last, std::int64_t ok, std::int64_t failed,
            const std::string& result_type = "", const std::string& policy_type = "sts",
            bool authenticated = true, const std::string& reporter = "mailer.example") {
    ReportJson r;
    r.organization_name = reporter;
    r.contact_info = "tlsrpt@" + reporter;
    r.report_id = "alerts-" + std::to_string(++serial);
    r.day = day(before_last);
    PolicyJson& p = r.policies[0];
    p.domain = domain;
    p.type = policy_type;
    if (policy_type == "tlsa") p.strings = {"3 1 1 0123456789abcdef"};
    p.mx_host = {"mx1." + domain};
    p.successful = ok;
    p.failed = failed;
    if (!result_type.empty()) {
        Detail d;
        d.result_type = result_type;
        d.receiving_mx_hostname = "mx1." + domain;
        d.failed_session_count = failed;
        p.details = {d};
    }
    Store s(db().conninfo());
    const auto out =
        s.store_report(storetest::read_one(storetest::report_message(r.json(), r.report_id)),
                       {Source::smtp, dkim(authenticated)});
    BOOST_REQUIRE(out.status == Status::stored);
}

// Every domain gets an ordinary report on L, so only the rule under test can fire for it.
void quiet(const std::string& domain) {
    report(domain, 0, 100000, 0);
}

void failure_rule(const std::string& rule, const std::string& policy_type, int fires_ago,
                  int under_ago, std::int64_t fires_n = 1, std::int64_t under_n = 1) {
    report(rule + ".fires.test", fires_ago, 100000, fires_n, rule, policy_type);
    report(rule + ".under.test", under_ago, 100000, under_n, rule, policy_type);
    quiet(rule + ".fires.test");
    quiet(rule + ".under.test");
}

void consecutive_rule(const std::string& rule) {
    for (int ago : {0, 1, 2}) // three days: critical
        report(rule + ".fires.test", ago, 100000, 5, rule);
    for (int ago : {0, 1}) // two days: a warning
        report(rule + ".warns.test", ago, 100000, 5, rule);
    for (int ago : {0, 2}) // a gap: one day
        report(rule + ".under.test", ago, 100000, 5, rule);
}

// The stored reports of every rule's cases, once.
void fill() {
    static bool done = false;
    if (done) return;
    done = true;
    // any session on an evaluation day (L-1, L); under: two days before L
    for (const char* r :
         {"certificate-expired", "certificate-not-trusted", "certificate-host-mismatch"})
        failure_rule(r, "sts", 0, 2);
    failure_rule("starttls-not-supported", "sts", 1, 2);
    // tlsa rules above --dane-threshold 2: 3 sessions fire, 2 do not
    for (const char* r : {"tlsa-invalid", "dnssec-invalid", "dane-required", "validation-failure"})
        failure_rule(r, "tlsa", 0, 0, 3, 2);
    report("tlsa-invalid.sts.test", 0, 100000, 9, "tlsa-invalid", "sts"); // not a tlsa policy
    for (const char* r : {"sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid"})
        consecutive_rule(r);
    // low success: 98 of 100 fire; 99 of 100 and 97 of 99 (too few sessions) do not
    report("low-success-rate.fires.test", 0, 98, 2);
    report("low-success-rate.under.test", 0, 99, 1);
    report("low-success-rate.few.test", 0, 97, 2);
    // silent reporter: 5 of the 7 days before L-1, L-2, then nothing; under: 4 days
    for (int ago = 3; ago <= 7; ++ago)
        report("silent-reporter.fires.test", ago, 100, 0, "", "sts", true, "quiet.example");
    for (int ago = 3; ago <= 6; ++ago)
        report("silent-reporter.under.test", ago, 100, 0, "", "sts", true, "quiet.example");
    // no reports: the last on L-4 (three complete days without) fires, on L-3 does not
    report("no-reports.fires.test", 4, 100, 0);
    report("no-reports.under.test", 3, 100, 0);
    // three days of sts-policy-invalid, signed only on the first: the unsigned days after it
    // are not vouched for, so a warning, downgraded
    report("sts-policy-invalid.old-signature.test", 2, 100000, 5, "sts-policy-invalid", "sts",
           true);
    for (int ago : {0, 1})
        report("sts-policy-invalid.old-signature.test", ago, 100000, 5, "sts-policy-invalid", "sts",
               false);
    // a critical failure only unauthenticated reports show: a warning, downgraded
    report("certificate-expired.unauthenticated.test", 0, 100000, 4, "certificate-expired", "sts",
           false);
}

storetest::CommandResult alerts(const std::string& args) {
    fill();
    const std::string ctl = storetest::env("TLSRPT_CTL");
    BOOST_REQUIRE(!ctl.empty());
    return run(sh(ctl) + " alerts --since " + at + " --dane-threshold 2 " + args + " --db " +
               sh(db().conninfo()));
}

struct Found {
    std::string severity;
    bool downgraded = false;
    std::int64_t reports = 0, days = 0;
    std::string hint;
};

// (domain, rule) -> what the JSON output says.
std::map<std::pair<std::string, std::string>, Found> parse(const std::string& json) {
    simdjson::dom::parser parser;
    const simdjson::dom::element doc = parser.parse(json);
    std::map<std::pair<std::string, std::string>, Found> out;
    for (const simdjson::dom::element a : doc["alerts"].get_array()) {
        Found f;
        f.severity = std::string(std::string_view(a["severity"]));
        f.downgraded = bool(a["downgraded"]);
        f.reports = static_cast<std::int64_t>(a["reports"].get_array().size());
        f.days = std::int64_t(a["days"]);
        f.hint = std::string(std::string_view(a["hint"]));
        out[{std::string(std::string_view(a["domain"])),
             std::string(std::string_view(a["rule"]))}] = f;
    }
    return out;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_CASE(each_rule_fires_above_and_not_under_its_threshold) {
    const auto r = alerts("--json");
    BOOST_TEST_INFO(r.out + r.err);
    BOOST_TEST(r.status == 2);
    const auto found = parse(r.out);
    const std::map<std::pair<std::string, std::string>, std::string> want = {
        {{"certificate-expired.fires.test", "certificate-expired"}, "critical"},
        {{"certificate-not-trusted.fires.test", "certificate-not-trusted"}, "critical"},
        {{"certificate-host-mismatch.fires.test", "certificate-host-mismatch"}, "critical"},
        {{"starttls-not-supported.fires.test", "starttls-not-supported"}, "warning"},
        {{"tlsa-invalid.fires.test", "tlsa-invalid"}, "critical"},
        {{"dnssec-invalid.fires.test", "dnssec-invalid"}, "critical"},
        {{"dane-required.fires.test", "dane-required"}, "critical"},
        {{"validation-failure.fires.test", "validation-failure"}, "critical"},
        {{"sts-policy-fetch-error.fires.test", "sts-policy-fetch-error"}, "critical"},
        {{"sts-policy-fetch-error.warns.test", "sts-policy-fetch-error"}, "warning"},
        {{"sts-policy-invalid.fires.test", "sts-policy-invalid"}, "critical"},
        {{"sts-policy-invalid.warns.test", "sts-policy-invalid"}, "warning"},
        {{"sts-webpki-invalid.fires.test", "sts-webpki-invalid"}, "critical"},
        {{"sts-webpki-invalid.warns.test", "sts-webpki-invalid"}, "warning"},
        {{"low-success-rate.fires.test", "low-success-rate"}, "warning"},
        {{"silent-reporter.fires.test", "silent-reporter"}, "warning"},
        {{"no-reports.fires.test", "no-reports"}, "warning"},
        {{"certificate-expired.unauthenticated.test", "certificate-expired"}, "warning"},
        {{"sts-policy-invalid.old-signature.test", "sts-policy-invalid"}, "warning"},
    };
    for (const auto& [key, severity] : want) {
        BOOST_TEST_INFO(key.first << " " << key.second);
        BOOST_TEST((found.count(key) ? found.at(key).severity : "none") == severity);
    }
    for (const auto& [key, f] : found) { // nothing else: no under case, no stray rule
        BOOST_TEST_INFO(key.first << " " << key.second << " " << f.severity);
        BOOST_TEST(want.count(key) == 1u);
    }
    BOOST_TEST(
        found.at({"certificate-expired.unauthenticated.test", "certificate-expired"}).downgraded);
    BOOST_TEST(!found.at({"certificate-expired.fires.test", "certificate-expired"}).downgraded);
    BOOST_TEST(
        found.at({"sts-policy-invalid.old-signature.test", "sts-policy-invalid"}).downgraded);
    BOOST_TEST(found.at({"sts-policy-invalid.fires.test", "sts-policy-invalid"}).days == 3);
    BOOST_TEST(found.at({"sts-policy-invalid.fires.test", "sts-policy-invalid"}).reports == 3);
    BOOST_TEST(found.at({"certificate-expired.fires.test", "certificate-expired"}).hint ==
               "renew the certificate of mx1.certificate-expired.fires.test");
}

BOOST_AUTO_TEST_CASE(each_alert_names_reports_that_exist) {
    const auto r = alerts("--json");
    simdjson::dom::parser parser;
    const simdjson::dom::element doc = parser.parse(r.out);
    for (const simdjson::dom::element a : doc["alerts"].get_array()) {
        const std::string domain{std::string_view(a["domain"])};
        for (const simdjson::dom::element id : a["reports"].get_array()) {
            BOOST_TEST_INFO(domain << " report " << std::int64_t(id));
            BOOST_TEST(db().count("SELECT count(*) FROM tlsrpt.reports r JOIN tlsrpt.policies p "
                                  "ON p.report_pk = r.id WHERE r.id = " +
                                  std::to_string(std::int64_t(id)) + " AND p.policy_domain = '" +
                                  domain + "'") == 1);
        }
    }
}

BOOST_AUTO_TEST_CASE(the_table_and_the_nagios_status_line) {
    const auto r = alerts("");
    BOOST_TEST_INFO(r.out + r.err);
    BOOST_TEST(r.status == 2);
    BOOST_TEST(r.out.rfind("TLSRPT CRITICAL - ", 0) == 0u);
    BOOST_TEST(contains(r.out, "| critical=10 warning=9 domains="));
    BOOST_TEST(
        contains(r.out, "hint: renew the certificate of mx1.certificate-expired.fires.test"));
    BOOST_TEST(contains(r.out,
                        "downgraded from critical: none of its reports of the evaluation days is "
                        "DKIM-authenticated"));
    BOOST_TEST(contains(r.out, "last day 2026-03-09"));
}

BOOST_AUTO_TEST_CASE(exit_status_follows_the_worst_alert_of_the_domains_asked_for) {
    BOOST_TEST(alerts("--domain certificate-expired.fires.test").status == 2);
    const auto warn = alerts("--domain starttls-not-supported.fires.test");
    BOOST_TEST(warn.status == 1);
    BOOST_TEST(warn.out.rfind("TLSRPT WARNING - 1 starttls-not-supported on "
                              "starttls-not-supported.fires.test",
                              0) == 0u);
    const auto ok =
        alerts("--domain certificate-expired.under.test --domain tlsa-invalid.under.test");
    BOOST_TEST_INFO(ok.out);
    BOOST_TEST(ok.status == 0);
    BOOST_TEST(ok.out.rfind("TLSRPT OK - no alerts for 2 policy domains", 0) == 0u);
    // a configured domain nobody ever reported on
    const auto never = alerts("--json --domain never-reported.test");
    BOOST_TEST(never.status == 1);
    const auto found = parse(never.out);
    BOOST_TEST(found.count({"never-reported.test", "no-reports"}) == 1u);
}

BOOST_AUTO_TEST_CASE(thresholds_are_options) {
    // 98% is not below 97%; three sts days are only a warning when critical needs four
    const auto r = alerts("--json --min-success 97 --sts-critical-days 4 "
                          "--domain low-success-rate.fires.test --domain "
                          "sts-policy-invalid.fires.test");
    const auto found = parse(r.out);
    BOOST_TEST(found.count({"low-success-rate.fires.test", "low-success-rate"}) == 0u);
    BOOST_TEST(found.at({"sts-policy-invalid.fires.test", "sts-policy-invalid"}).severity ==
               "warning");
    BOOST_TEST(r.status == 1);
    BOOST_TEST(alerts("--min-success 101").status == 3);
    BOOST_TEST(alerts("--min-sessions many").status == 3);
}

BOOST_AUTO_TEST_CASE(the_textfile_for_node_exporter) {
    TempDir dir;
    const std::string path = dir / "tlsrpt.prom";
    const auto r = alerts("--textfile " + sh(path));
    BOOST_TEST(r.status == 2);
    BOOST_TEST(r.out.rfind("TLSRPT CRITICAL - ", 0) == 0u);
    BOOST_TEST(std::count(r.out.begin(), r.out.end(), '\n') == 1); // the status line only
    const std::string text = storetest::read_file(path);
    BOOST_TEST(contains(text, "# TYPE tlsrpt_alert gauge\n"));
    BOOST_TEST(contains(text, "tlsrpt_alert{domain=\"certificate-expired.fires.test\","
                              "rule=\"certificate-expired\",severity=\"critical\"} 1\n"));
    BOOST_TEST(contains(text, "tlsrpt_alert{domain=\"no-reports.fires.test\",rule=\"no-reports\","
                              "severity=\"warning\"} 1\n"));
    BOOST_TEST(!contains(text, "under.test"));
    BOOST_TEST(std::count(text.begin(), text.end(), '\n') == 19 + 5);
    BOOST_TEST(contains(text, "\ntlsrpt_alerts_evaluated_timestamp_seconds "));
    // Prometheus's own reader takes it (the test command installs promtool)
    const auto check = run("promtool check metrics < " + sh(path));
    BOOST_TEST_INFO(check.out + check.err);
    BOOST_TEST(check.status == 0);
    // not writable: unknown, and nothing left behind
    BOOST_TEST(alerts("--textfile /nonexistent-dir/x.prom").status == 3);
    BOOST_TEST(run("ls -A " + sh(dir.path()) + " | grep -c .").out == "1\n");
}

BOOST_AUTO_TEST_CASE(an_unreachable_database_is_unknown) {
    const std::string ctl = storetest::env("TLSRPT_CTL");
    const auto r = run(sh(ctl) + " alerts --json --db 'host=127.0.0.1 port=9 connect_timeout=2'");
    BOOST_TEST(r.status == 3);
    BOOST_TEST(contains(r.out, "\"status\":\"unknown\""));
    const auto plain = run(sh(ctl) + " alerts --db 'host=127.0.0.1 port=9 connect_timeout=2'");
    BOOST_TEST(plain.status == 3);
    BOOST_TEST(plain.out.rfind("TLSRPT UNKNOWN - database unavailable", 0) == 0u);
}
