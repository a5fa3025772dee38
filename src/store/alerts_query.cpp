// alerts_query.cpp: the evidence of the alert rules (alerts.hpp) read from the stored reports,
// in one read-only transaction: failed sessions per rule, policy domain and day (counted once
// per session: per report the policy type with the most failures of the rule's result type,
// among the types the rule looks at; a rule such as a DANE one counts its own policy type's
// failures, which the digest's breakdown by representative policy type may not show), each day's
// sessions (the daily_sessions view), the days each reporter sent reports on, and the last day
// each policy domain was reported. $1 is always the last day L; days come back as "ago" = L -
// day. Lists go in as JSON and come back as text: ids joined by ',', host names by newlines.
#include "store/alerts.hpp"

#include "tlsrpt/json_writer.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <pqxx/pqxx>
#include <sstream>

namespace tlsrpt::store::alerts {

namespace {

// How far back a run of failure days is followed.
constexpr int lookback_days = 31;

// $2 is the JSON array of the policy domains asked for; every query filters on it.
#define DOMAINS "ARRAY(SELECT jsonb_array_elements_text($2::jsonb))"
#define DOMAIN_FILTER(col) "(cardinality(" DOMAINS ") = 0 OR " col " = ANY (" DOMAINS "))"

// $3 the rules as JSON [{"name", "policy_type" ('' any)}], $4 lookback days.
constexpr const char* failures_sql = R"(
WITH rule AS (
    SELECT * FROM jsonb_to_recordset($3::jsonb) AS r(name text, policy_type text)
), detail AS (
    SELECT rule.name AS rule, p.report_pk, f.day, p.policy_domain, p.policy_type,
           f.failed_session_count::numeric AS sessions,
           replace(f.receiving_mx_hostname, E'\n', ' ') AS mx
    FROM tlsrpt.failure_details f
    JOIN tlsrpt.policies p ON p.id = f.policy_pk AND p.day = f.day
    JOIN rule ON rule.name = f.result_type
             AND (rule.policy_type = '' OR rule.policy_type = p.policy_type)
    WHERE f.day BETWEEN $1::date - $4::int AND $1::date AND p.policy_domain IS NOT NULL
      AND )" DOMAIN_FILTER("p.policy_domain") R"(
), per_type AS (
    SELECT rule, report_pk, day, policy_domain, policy_type, sum(sessions) AS sessions
    FROM detail GROUP BY 1, 2, 3, 4, 5
), per_report AS (
    SELECT rule, report_pk, day, policy_domain, max(sessions) AS sessions
    FROM per_type GROUP BY 1, 2, 3, 4
), hosts AS (
    SELECT rule, day, policy_domain, string_agg(DISTINCT mx, E'\n') AS mx
    FROM detail WHERE mx IS NOT NULL AND mx <> '' GROUP BY 1, 2, 3
)
SELECT pr.rule, pr.policy_domain, pr.day::text, ($1::date - pr.day)::int,
       least(sum(pr.sessions), 9223372036854775807)::bigint,
       string_agg(pr.report_pk::text, ',' ORDER BY pr.report_pk),
       count(*) FILTER (WHERE r.dkim_authenticated), coalesce(min(h.mx), '')
FROM per_report pr
JOIN tlsrpt.reports r ON r.id = pr.report_pk AND r.day = pr.day
LEFT JOIN hosts h ON h.rule = pr.rule AND h.day = pr.day AND h.policy_domain = pr.policy_domain
GROUP BY pr.rule, pr.policy_domain, pr.day
ORDER BY 1, 2, 3
)";

// Each evaluation day's sessions (daily_sessions: each session once) and reports.
constexpr const char* sessions_sql = R"(
SELECT s.policy_domain, s.day::text,
       least(s.successful + s.failed, 9223372036854775807)::bigint,
       least(s.successful, 9223372036854775807)::bigint,
       (SELECT string_agg(DISTINCT p.report_pk::text, ',') FROM tlsrpt.policies p
        WHERE p.policy_domain = s.policy_domain AND p.day = s.day),
       (SELECT count(DISTINCT p.report_pk) FROM tlsrpt.policies p
        JOIN tlsrpt.reports r ON r.id = p.report_pk AND r.day = p.day
        WHERE p.policy_domain = s.policy_domain AND p.day = s.day AND r.dkim_authenticated)
FROM tlsrpt.daily_sessions s
WHERE s.day BETWEEN $1::date - 1 AND $1::date AND s.policy_domain IS NOT NULL
  AND )" DOMAIN_FILTER("s.policy_domain") R"(
)";

// Per reporter and domain: days with reports in the $3 days before the last $4 complete days,
// and no report since ($4 complete days and the last day).
constexpr const char* reporters_sql = R"(
WITH seen AS (
    SELECT r.reporter, p.policy_domain, p.day, r.id, r.dkim_authenticated
    FROM tlsrpt.policies p JOIN tlsrpt.reports r ON r.id = p.report_pk AND r.day = p.day
    WHERE p.day BETWEEN $1::date - $4::int - $3::int AND $1::date
      AND p.policy_domain IS NOT NULL AND )" DOMAIN_FILTER("p.policy_domain") R"(
)
SELECT reporter, policy_domain, count(DISTINCT day)::int, (max(day) + 1)::text, max(day)::text,
       string_agg(DISTINCT id::text, ','), count(DISTINCT id) FILTER (WHERE dkim_authenticated)
FROM seen
GROUP BY reporter, policy_domain
HAVING count(*) FILTER (WHERE day >= $1::date - $4::int) = 0
)";

// Per domain (those asked for, or every one ever reported): the last day with a report, up to
// the last day, how many complete days since, and the reports of that day.
constexpr const char* last_seen_sql = R"(
WITH wanted AS (
    SELECT DISTINCT policy_domain AS domain FROM tlsrpt.policies
    WHERE cardinality()" DOMAINS R"() = 0 AND policy_domain IS NOT NULL
    UNION SELECT unnest()" DOMAINS R"()
), last AS (
    SELECT w.domain, max(p.day) AS day
    FROM wanted w LEFT JOIN tlsrpt.policies p ON p.policy_domain = w.domain AND p.day <= $1::date
    GROUP BY w.domain
)
SELECT l.domain, coalesce((l.day + 1)::text, ''), coalesce(l.day::text, ''),
       CASE WHEN l.day IS NULL THEN -1 ELSE greatest($1::date - 1 - l.day, 0) END,
       (SELECT string_agg(DISTINCT p.report_pk::text, ',') FROM tlsrpt.policies p
        WHERE p.policy_domain = l.domain AND p.day = l.day)
FROM last l ORDER BY 1
)";

std::vector<std::int64_t> ids(const pqxx::field& f) {
    std::vector<std::int64_t> out;
    if (f.is_null()) return out;
    std::istringstream in(f.as<std::string>());
    for (std::string id; std::getline(in, id, ',');)
        out.push_back(std::stoll(id));
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        out.push_back(line);
    return out;
}

std::int64_t saturating_add(std::int64_t a, std::int64_t b) { // both >= 0
    return a > std::numeric_limits<std::int64_t>::max() - b
               ? std::numeric_limits<std::int64_t>::max()
               : a + b;
}

// One day of one failure rule and domain, as failures_sql returns it.
struct FailureDay {
    std::string day;
    int ago = 0;
    std::int64_t sessions = 0, authenticated = 0;
    std::vector<std::int64_t> reports;
    std::vector<std::string> mx;
};

// The run of consecutive failure days that reaches an evaluation day (ago 0 or 1), as
// evidence; rule->name empty when there is none. days: ordered by day, oldest first.
Evidence run_evidence(const Rule* rule, const std::string& domain,
                      const std::vector<FailureDay>& days) {
    Evidence e;
    if (days.empty() || days.back().ago > 1) return e;
    std::size_t first = days.size() - 1;
    while (first > 0 && days[first - 1].ago == days[first].ago + 1)
        --first;
    e.rule = rule;
    e.domain = domain;
    e.since = days[first].day;
    e.last = days.back().day;
    e.days = static_cast<int>(days.size() - first);
    e.sessions = days.back().sessions;
    for (std::size_t i = first; i < days.size(); ++i) {
        e.total = saturating_add(e.total, days[i].sessions);
        e.authenticated += days[i].authenticated;
        if (days[i].ago <= 1) e.authenticated_now += days[i].authenticated;
        e.reports.insert(e.reports.end(), days[i].reports.begin(), days[i].reports.end());
        for (const std::string& mx : days[i].mx)
            if (std::find(e.mx.begin(), e.mx.end(), mx) == e.mx.end()) e.mx.push_back(mx);
    }
    std::sort(e.reports.begin(), e.reports.end());
    e.reports.erase(std::unique(e.reports.begin(), e.reports.end()), e.reports.end());
    return e;
}

void failure_evidence(pqxx::transaction_base& tx, const std::string& last,
                      const std::string& domains, std::vector<Evidence>& out) {
    JsonWriter w;
    w.begin_array();
    for (const Rule& r : rules())
        if (r.kind == Kind::any_session || r.kind == Kind::above_threshold ||
            r.kind == Kind::consecutive_days)
            w.begin_object()
                .key("name")
                .value(r.name)
                .key("policy_type")
                .value(r.policy_type)
                .end_object();
    w.end_array();
    std::map<std::pair<std::string, std::string>, std::vector<FailureDay>> by_rule;
    for (const pqxx::row& r : tx.exec_params(failures_sql, last, domains, w.str(), lookback_days))
        by_rule[{r[0].as<std::string>(), r[1].as<std::string>()}].push_back(
            {r[2].as<std::string>(), r[3].as<int>(), r[4].as<std::int64_t>(),
             r[6].as<std::int64_t>(), ids(r[5]), lines(r[7].as<std::string>())});
    for (const auto& [key, days] : by_rule) {
        Evidence e = run_evidence(find_rule(key.first), key.second, days);
        if (e.rule) out.push_back(std::move(e));
    }
}

void session_evidence(pqxx::transaction_base& tx, const std::string& last,
                      const std::string& domains, std::vector<Evidence>& out) {
    const Rule* rule = find_rule("low-success-rate");
    for (const pqxx::row& r : tx.exec_params(sessions_sql, last, domains)) {
        Evidence e;
        e.rule = rule;
        e.domain = r[0].as<std::string>();
        e.since = e.last = r[1].as<std::string>();
        e.days = 1;
        e.sessions = r[2].as<std::int64_t>();
        e.total = r[3].as<std::int64_t>();
        e.reports = ids(r[4]);
        e.authenticated = e.authenticated_now = r[5].as<std::int64_t>();
        out.push_back(std::move(e));
    }
}

void reporter_evidence(pqxx::transaction_base& tx, const std::string& last,
                       const std::string& domains, const Thresholds& t,
                       std::vector<Evidence>& out) {
    const Rule* rule = find_rule("silent-reporter");
    for (const pqxx::row& r : tx.exec_params(reporters_sql, last, domains, t.reporter_window_days,
                                             t.reporter_silent_days)) {
        Evidence e;
        e.rule = rule;
        e.reporter = r[0].as<std::string>();
        e.domain = r[1].as<std::string>();
        e.days = r[2].as<int>();
        e.since = r[3].as<std::string>();
        e.last = r[4].as<std::string>();
        e.reports = ids(r[5]);
        e.authenticated = r[6].as<std::int64_t>();
        out.push_back(std::move(e));
    }
}

std::int64_t last_seen_evidence(pqxx::transaction_base& tx, const std::string& last,
                                const std::string& domains, std::vector<Evidence>& out) {
    const Rule* rule = find_rule("no-reports");
    std::int64_t n = 0;
    for (const pqxx::row& r : tx.exec_params(last_seen_sql, last, domains)) {
        Evidence e;
        e.rule = rule;
        e.domain = r[0].as<std::string>();
        e.since = r[1].as<std::string>();
        e.last = r[2].as<std::string>();
        e.days = r[3].as<int>();
        e.reports = ids(r[4]);
        out.push_back(std::move(e));
        ++n;
    }
    return n;
}

} // namespace

Evaluation evaluate(pqxx::connection_base& conn, UnixTime at,
                    const std::vector<std::string>& domains, const Thresholds& t) {
    pqxx::read_transaction tx(conn, "tlsrpt_alerts");
    Evaluation out;
    out.last_day = last_day_at(at);
    const std::string wanted = JsonWriter().strings(domains).str();
    std::vector<Evidence> found;
    failure_evidence(tx, out.last_day, wanted, found);
    session_evidence(tx, out.last_day, wanted, found);
    reporter_evidence(tx, out.last_day, wanted, t, found);
    out.domains = last_seen_evidence(tx, out.last_day, wanted, found);
    out.alerts = select_alerts(found, t);
    return out;
}

} // namespace tlsrpt::store::alerts
