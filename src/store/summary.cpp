// summary.cpp: `tlsrptctl summary` figures: sessions per policy domain, each report's counted
// once under its representative policy type (report_sessions.type_rank 1, as daily_sessions
// counts them), how many of those reports were DKIM-authenticated (RFC 8460 §3,
// reports.dkim_authenticated of 003_dkim.sql), and the most frequent result types (RFC 8460
// §4.3) as daily_failures counts them (failure_rollup, 010_failure_rollup.sql).
#include "store/admin.hpp"

#include <map>
#include <pqxx/pqxx>

namespace tlsrpt::store {

namespace {

// Per policy domain: reports, sessions and DKIM-authenticated reports, each report's sessions
// under its representative policy type (type_rank 1: what daily_sessions counts), in one pass.
constexpr const char* sessions_sql = R"(
SELECT coalesce(policy_domain, ''), count(*), sum(successful)::bigint, sum(failed)::bigint,
       count(*) FILTER (WHERE dkim_authenticated)
FROM tlsrpt.report_sessions
WHERE type_rank = 1 AND day > $1::date
  AND ($2::text = '' OR policy_domain = $2::text)
GROUP BY 1 ORDER BY 1
)";

// daily_failures' rows (failure_rollup's representative ones) summed once over the window,
// not first per day by the view: half the time over 7 days of 1,000 domains.
constexpr const char* failures_sql = R"(
SELECT domain, result_type, sessions FROM (
    SELECT coalesce(policy_domain, '') AS domain, result_type, sum(sessions)::bigint AS sessions,
           row_number() OVER (PARTITION BY coalesce(policy_domain, '')
                              ORDER BY sum(sessions) DESC, result_type) AS rank
    FROM tlsrpt.failure_rollup
    WHERE representative AND day > $1::date
      AND ($2::text = '' OR policy_domain = $2::text)
    GROUP BY 1, 2
) ranked
WHERE rank <= $3::int
ORDER BY domain, rank
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
        out.back().authenticated = r[4].as<std::int64_t>();
    }
    for (const pqxx::row& r : tx.exec_params(failures_sql, since, domain, static_cast<int>(top))) {
        const auto it = index.find(r[0].as<std::string>());
        if (it != index.end())
            out[it->second].top_failures.emplace_back(r[1].as<std::string>(),
                                                      r[2].as<std::int64_t>());
    }
    return out;
}

} // namespace tlsrpt::store
