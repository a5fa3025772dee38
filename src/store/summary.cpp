// summary.cpp: `tlsrptctl summary` figures from the views of 001_initial.sql: sessions per
// policy domain (daily_sessions: a session reported under both sts and tlsa counts once), the
// most frequent result types (RFC 8460 §4.3) from daily_failures, and how many of the reports
// were DKIM-authenticated (RFC 8460 §3, reports.dkim_authenticated of 003_dkim.sql).
#include "store/admin.hpp"

#include <map>
#include <pqxx/pqxx>

namespace tlsrpt::store {

namespace {

constexpr const char* sessions_sql = R"(
SELECT coalesce(policy_domain, ''), sum(reports)::bigint, sum(successful)::bigint,
       sum(failed)::bigint
FROM tlsrpt.daily_sessions
WHERE day > $1::date
  AND ($2::text = '' OR policy_domain = $2::text)
GROUP BY 1 ORDER BY 1
)";

constexpr const char* failures_sql = R"(
SELECT domain, result_type, sessions FROM (
    SELECT coalesce(policy_domain, '') AS domain, result_type, sum(sessions)::bigint AS sessions,
           row_number() OVER (PARTITION BY coalesce(policy_domain, '')
                              ORDER BY sum(sessions) DESC, result_type) AS rank
    FROM tlsrpt.daily_failures
    WHERE day > $1::date
      AND ($2::text = '' OR policy_domain = $2::text)
    GROUP BY 1, 2
) ranked
WHERE rank <= $3::int
ORDER BY domain, rank
)";

// Counted as daily_sessions counts reports: once per report, policy domain and day.
constexpr const char* authenticated_sql = R"(
SELECT coalesce(p.policy_domain, ''), count(DISTINCT (p.report_pk, p.day))::bigint
FROM tlsrpt.policies p JOIN tlsrpt.reports r ON r.id = p.report_pk AND r.day = p.day
WHERE r.dkim_authenticated
  AND p.day > $1::date
  AND ($2::text = '' OR p.policy_domain = $2::text)
GROUP BY 1
)";

} // namespace

std::vector<DomainSummary> summarize(pqxx::connection_base& conn, int days,
                                     const std::string& domain, std::size_t top) {
    pqxx::read_transaction tx(conn, "tlsrpt_summary");
    // the window's first day as a constant, and joins partition by partition: the planner
    // then reads only the partitions of the window (009_partitioning.sql)
    tx.exec("SET LOCAL enable_partitionwise_join = on");
    const std::string since =
        tx.exec_params1("SELECT ((now() AT TIME ZONE 'UTC')::date - $1::int)::text", days)[0]
            .as<std::string>();
    std::vector<DomainSummary> out;
    std::map<std::string, std::size_t> index;
    for (const pqxx::row& r : tx.exec_params(sessions_sql, since, domain)) {
        index[r[0].as<std::string>()] = out.size();
        out.push_back({r[0].as<std::string>(),
                       r[1].as<std::int64_t>(),
                       r[2].as<std::int64_t>(),
                       r[3].as<std::int64_t>(),
                       {}});
    }
    for (const pqxx::row& r : tx.exec_params(failures_sql, since, domain, static_cast<int>(top))) {
        const auto it = index.find(r[0].as<std::string>());
        if (it != index.end())
            out[it->second].top_failures.emplace_back(r[1].as<std::string>(),
                                                      r[2].as<std::int64_t>());
    }
    for (const pqxx::row& r : tx.exec_params(authenticated_sql, since, domain)) {
        const auto it = index.find(r[0].as<std::string>());
        if (it != index.end()) out[it->second].authenticated = r[1].as<std::int64_t>();
    }
    return out;
}

} // namespace tlsrpt::store
