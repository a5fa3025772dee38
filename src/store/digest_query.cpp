// digest_query.cpp: the digest figures (digest.hpp) read from the views of migrations 007
// and 008 in one read-only transaction: sessions per domain and day (each session once: the
// representative policy type of each report, type_rank 1), failed sessions per result type
// (daily_failures), per sending MTA and per receiving MX (failure_sessions; like the totals,
// only the failures of each report's representative policy type), reporters, the signing
// domains that vouch for each policy domain, and the quarantined messages. $1..$2 is the day range,
// $3 the JSON array of the domains asked for (empty: all), $4 the top-N bound.
#include "store/digest.hpp"

#include "tlsrpt/json_writer.hpp"

#include <map>
#include <pqxx/pqxx>
#include <stdexcept>

namespace tlsrpt::store::digest {

namespace {

#define DOMAINS "ARRAY(SELECT jsonb_array_elements_text($3::jsonb))"
#define DOMAIN_FILTER(col)                                                                         \
    col " IS NOT NULL AND (cardinality(" DOMAINS ") = 0 OR " col " = ANY (" DOMAINS "))"
#define CAP(expr) "least(" expr ", 9223372036854775807)::bigint"

constexpr const char* days_sql = "SELECT policy_domain, day::text, count(*), "
                                 "count(*) FILTER (WHERE dkim_authenticated), " CAP(
                                     "sum(successful)") ", " CAP("sum(failed)") R"(
FROM tlsrpt.report_sessions
WHERE type_rank = 1 AND day BETWEEN $1::date AND $2::date AND )" DOMAIN_FILTER("policy_domain") R"(
GROUP BY 1, 2 ORDER BY 1, 2
)";

constexpr const char* types_sql = R"(
SELECT policy_domain, result_type, sessions FROM (
    SELECT policy_domain, result_type, )" CAP("sum(sessions)") R"( AS sessions,
           row_number() OVER (PARTITION BY policy_domain
                              ORDER BY sum(sessions) DESC, result_type) AS rank
    FROM tlsrpt.daily_failures
    WHERE day BETWEEN $1::date AND $2::date AND )" DOMAIN_FILTER("policy_domain") R"(
    GROUP BY 1, 2
) t WHERE rank <= $4::int ORDER BY 1, rank
)";

// {COL}: sending_mta_ip or receiving_mx_hostname. The failures of each report's
// representative policy type only (failure_sessions.representative, migration 008), as in the
// totals.
constexpr const char* hosts_sql = R"(
SELECT policy_domain, name, sessions FROM (
    SELECT policy_domain, {COL} AS name, )" CAP("sum(sessions)") R"( AS sessions,
           row_number() OVER (PARTITION BY policy_domain ORDER BY sum(sessions) DESC, {COL})
               AS rank
    FROM tlsrpt.failure_sessions
    WHERE representative AND day BETWEEN $1::date AND $2::date AND {COL} <> ''
      AND )" DOMAIN_FILTER("policy_domain") R"(
    GROUP BY 1, 2
) t WHERE rank <= $4::int ORDER BY 1, rank
)";

constexpr const char* reporters_sql = R"(
SELECT policy_domain, reporter, organization, reports, authenticated, successful, failed FROM (
    SELECT policy_domain, reporter, coalesce(max(organization_name), '') AS organization,
           count(*) AS reports, count(*) FILTER (WHERE dkim_authenticated) AS authenticated,
           )" CAP("sum(successful)") R"( AS successful, )" CAP("sum(failed)") R"( AS failed,
           row_number() OVER (PARTITION BY policy_domain
                              ORDER BY sum(successful + failed) DESC, reporter) AS rank
    FROM tlsrpt.report_sessions
    WHERE type_rank = 1 AND day BETWEEN $1::date AND $2::date
      AND )" DOMAIN_FILTER("policy_domain") R"(
    GROUP BY 1, 2
) t WHERE rank <= 2 * $4::int ORDER BY 1, rank
)";

// Per domain, the registered domains (approximated by the last two labels: one key signs for
// any number of subdomains) that signed its DKIM-authenticated reports of the period.
constexpr const char* signers_sql = R"(
SELECT p.policy_domain,
       count(DISTINCT substring(lower(r.dkim_domain) FROM '[^.]+\.[^.]+$'))
FROM tlsrpt.policies p
JOIN tlsrpt.reports r ON r.id = p.report_pk AND r.day = p.day -- the day: one partition each
WHERE r.dkim_authenticated AND p.day BETWEEN $1::date AND $2::date
  AND )" DOMAIN_FILTER("p.policy_domain") R"(
GROUP BY 1
)";

constexpr const char* quarantined_sql =
    "SELECT count(*) FROM tlsrpt.rejected_messages "
    "WHERE reimported_at IS NULL AND received_at >= $1::date::timestamp AT TIME ZONE 'UTC'";

std::string replace_col(std::string sql, const std::string& col) {
    for (std::size_t at = sql.find("{COL}"); at != std::string::npos; at = sql.find("{COL}"))
        sql.replace(at, 5, col);
    return sql;
}

DomainDigest& domain_of(std::map<std::string, DomainDigest>& by_name, const std::string& name,
                        const Periods& p) {
    auto [it, fresh] = by_name.try_emplace(name);
    if (fresh) {
        it->second.domain = name;
        it->second.days = chart_days(p.chart);
    }
    return it->second;
}

void read_named(pqxx::transaction_base& tx, const std::string& sql, const Period& period,
                const std::string& domains, int top, std::map<std::string, DomainDigest>& by_name,
                std::vector<Named> DomainDigest::*list) {
    for (const pqxx::row& r : tx.exec_params(sql, period.first, period.last, domains, top)) {
        const auto it = by_name.find(r[0].as<std::string>());
        if (it != by_name.end())
            (it->second.*list).push_back({r[1].as<std::string>(), r[2].as<std::int64_t>()});
    }
}

} // namespace

Digest collect(pqxx::connection_base& conn, const Request& r) {
    const auto p = periods(r);
    if (!p) throw std::invalid_argument("bad digest period");
    const std::string domains = JsonWriter().strings(r.domains).str();
    const int top = static_cast<int>(std::min<std::size_t>(r.top, 100));
    pqxx::read_transaction tx(conn, "tlsrpt_digest");
    std::map<std::string, DomainDigest> by_name;
    for (const std::string& d : r.domains)
        domain_of(by_name, d, *p);
    const std::string from = std::min(p->previous.first, p->chart.first);
    for (const pqxx::row& row : tx.exec_params(days_sql, from, p->period.last, domains)) {
        DomainDigest& d = domain_of(by_name, row[0].as<std::string>(), *p);
        add_day(d, *p,
                {row[1].as<std::string>(), row[2].as<std::int64_t>(), row[3].as<std::int64_t>(),
                 row[4].as<std::int64_t>(), row[5].as<std::int64_t>()});
    }
    read_named(tx, types_sql, p->period, domains, top, by_name, &DomainDigest::failure_types);
    read_named(tx, replace_col(hosts_sql, "sending_mta_ip"), p->period, domains, top, by_name,
               &DomainDigest::sending_ips);
    read_named(tx, replace_col(hosts_sql, "receiving_mx_hostname"), p->period, domains, top,
               by_name, &DomainDigest::mx_hosts);
    for (const pqxx::row& row :
         tx.exec_params(reporters_sql, p->period.first, p->period.last, domains, top)) {
        const auto it = by_name.find(row[0].as<std::string>());
        if (it != by_name.end())
            it->second.reporters.push_back({row[1].as<std::string>(), row[2].as<std::string>(),
                                            row[3].as<std::int64_t>(), row[4].as<std::int64_t>(),
                                            row[5].as<std::int64_t>(), row[6].as<std::int64_t>()});
    }
    for (const pqxx::row& row :
         tx.exec_params(signers_sql, p->period.first, p->period.last, domains)) {
        const auto it = by_name.find(row[0].as<std::string>());
        if (it != by_name.end()) it->second.signing_domains = row[1].as<std::int64_t>();
    }
    Digest out;
    out.period = p->period;
    out.previous = p->previous;
    out.chart = p->chart;
    out.quarantined = tx.exec_params1(quarantined_sql, p->period.first)[0].as<std::int64_t>();
    for (auto& [name, d] : by_name)
        out.domains.push_back(std::move(d));
    return out;
}

} // namespace tlsrpt::store::digest
