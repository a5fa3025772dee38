// alerts.hpp: `tlsrptctl alerts`, the rules an operator is warned by, evaluated over the stored
// reports (so every MX writing to one database is covered once). The rules are one table of
// plain data (alerts.cpp); the store gathers the evidence per rule and policy domain in SQL
// (alerts_query.cpp), and a pure function decides the severity from the evidence and the
// thresholds.
//
// Days are report days: the UTC date of a report's start-datetime (policies.day). Reports for
// day D arrive during D+1, so, evaluated at time T:
//   the last day      L = the UTC date of T minus one (the latest day that has ended; its
//                         reports are arriving now);
//   evaluation days   L-1 and L: L-1 is the latest day whose reports are all in, so a failure
//                         seen on it does not vanish at midnight before L's reports come;
//   complete days     ..., L-2, L-1: the absence rules count only these, and a report for L
//                         ends the absence.
#pragma once

#include "tlsrpt/report.hpp"

#include <cstdint>
#include <pqxx/connection_base>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tlsrpt::store::alerts {

enum class Severity { ok, warning, critical };
const char* to_string(Severity s);

// How a rule reads its evidence.
enum class Kind {
    any_session,      // a failure of this result type on an evaluation day
    above_threshold,  // failed sessions on the latest evaluation day above --dane-threshold
    consecutive_days, // the failure on consecutive days up to an evaluation day
    low_success,      // a day's success rate below --min-success, with --min-sessions sessions
    silent_reporter,  // a reporter that stopped sending reports for a domain
    no_reports,       // a policy domain nobody sent a report for
};

struct Rule {
    std::string_view name; // the rule; for failure rules the RFC 8460 §4.3 result type
    Kind kind;
    std::string_view policy_type; // "" any; else only sessions under this policy type
    Severity severity;            // when it holds (consecutive_days: at --sts-critical-days)
    std::string_view rfc;         // where the result type or the condition is defined
    std::string_view hint;        // what to check: {mx}, {domain}, {reporter} are filled in
};

// The rules, in the order they are documented.
std::span<const Rule> rules();
const Rule* find_rule(std::string_view name);

struct Thresholds {
    std::int64_t dane_sessions = 0;  // --dane-threshold: above_threshold fires above this
    int sts_warning_days = 2;        // --sts-warning-days
    int sts_critical_days = 3;       // --sts-critical-days
    double min_success = 99.0;       // --min-success, percent
    std::int64_t min_sessions = 100; // --min-sessions
    int reporter_window_days = 7;    // the days before the silence looked at
    int reporter_active_days = 5;    // --reporter-days: of them, with reports
    int reporter_silent_days = 2;    // --silent-days: complete days without a report
    int no_report_days = 3;          // --no-report-days: complete days without a report
};

// What the store found for one rule and policy domain (and reporter, for silent_reporter).
struct Evidence {
    const Rule* rule = nullptr;
    std::string domain;
    std::string reporter;               // silent_reporter
    std::string since;                  // first day ("YYYY-MM-DD"; "" = never seen)
    std::string last;                   // the day the figures are of (or last seen)
    int days = 0;                       // consecutive days; active days (silent_reporter);
                                        // complete days without a report (no_reports, -1: never)
    std::int64_t sessions = 0;          // failed sessions on `last` (low_success: all sessions)
    std::int64_t total = 0;             // failed sessions over `days` (low_success: successful)
    std::vector<std::string> mx;        // receiving MX hosts the failure details name
    std::vector<std::int64_t> reports;  // tlsrpt.reports.id of the evidence
    std::int64_t authenticated = 0;     // of `reports`, DKIM-authenticated (RFC 8460 §3)
    std::int64_t authenticated_now = 0; // of those, on the evaluation days: what a critical
                                        // severity needs (a signed report of an earlier day
                                        // does not vouch for the unsigned ones after it)
};

struct Decision {
    Severity severity = Severity::ok;
    bool downgraded = false; // critical, but only unauthenticated reports say so: a warning
};

// The severity of one piece of evidence under the thresholds. Pure.
Decision decide(const Evidence& e, const Thresholds& t);

// The one-line hint and the figures of an alert. Pure.
std::string hint(const Evidence& e);
std::string figures(const Evidence& e);

struct Alert {
    Evidence evidence;
    Decision decision;
};

struct Evaluation {
    std::string last_day;      // L
    std::int64_t domains = 0;  // policy domains looked at
    std::vector<Alert> alerts; // worst first, then by domain and rule
};

// Keeps the evidence that is an alert (one per rule, domain and reporter: the latest day), in
// output order. Pure.
std::vector<Alert> select_alerts(const std::vector<Evidence>& found, const Thresholds& t);

// "YYYY-MM-DD" of the last day when evaluated at `at` (see above). Pure.
std::string last_day_at(UnixTime at);

// Evaluates every rule at `at`. domains: the policy domains to look at (empty: every domain
// ever seen). One read-only transaction; throws on database failure.
Evaluation evaluate(pqxx::connection_base& conn, UnixTime at,
                    const std::vector<std::string>& domains, const Thresholds& t);

// Writes the evaluation to tlsrpt.alert_evaluations and tlsrpt.recorded_alerts (the
// tlsrpt.current_alerts view reads the latest) in one transaction, and drops evaluations
// older than seven days; returns the evaluation's id. domains: the --domain list it covered.
std::int64_t record(pqxx::connection_base& conn, const Evaluation& e,
                    const std::vector<std::string>& domains);

} // namespace tlsrpt::store::alerts
