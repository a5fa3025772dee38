// cmd_summary.cpp: `tlsrptctl summary [--db C] [--days N] [--domain D]`: one line per policy
// domain over the last N UTC days (today included): reports, how many of them were
// DKIM-authenticated (RFC 8460 §3), successful and failed sessions (RFC 8460 §4.2 summary
// counts, each session once), success rate, the top result types.
#include "cmd_store.hpp"

#include "tlsrpt/text.hpp"

#include "store/admin.hpp"
#include "store/migrations.hpp"

#include <cstdio>
#include <iostream>

namespace tlsrptctl {

namespace {

const char* summary_usage = "usage: tlsrptctl summary [--db CONNINFO] [--days N] [--domain D]\n"
                            "  N: UTC days back, today included (default 7)\n";

std::string rate(std::int64_t ok, std::int64_t failed) {
    if (ok + failed == 0) return "-";
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.2f%%",
                  100.0 * static_cast<double>(ok) / static_cast<double>(ok + failed));
    return buf;
}

std::string top_list(const tlsrpt::store::DomainSummary& d) {
    std::string out;
    for (const auto& [type, sessions] : d.top_failures)
        out += (out.empty() ? "" : ", ") + type + " " + std::to_string(sessions);
    return out.empty() ? "-" : out;
}

void print_table(const std::vector<tlsrpt::store::DomainSummary>& rows, int days) {
    std::cout << "last " << days << " days (UTC), sessions counted once per report\n";
    if (rows.empty()) {
        std::cout << "no reports\n";
        return;
    }
    std::printf("%-32s %8s %13s %12s %10s %8s  %s\n", "policy domain", "reports", "authenticated",
                "successful", "failed", "success", "top failures");
    for (const auto& d : rows)
        std::printf("%-32s %8lld %13lld %12lld %10lld %8s  %s\n",
                    d.policy_domain.empty() ? "(none)" : tlsrpt::printable(d.policy_domain).c_str(),
                    static_cast<long long>(d.reports), static_cast<long long>(d.authenticated),
                    static_cast<long long>(d.successful), static_cast<long long>(d.failed),
                    rate(d.successful, d.failed).c_str(), tlsrpt::printable(top_list(d)).c_str());
    std::fflush(stdout);
}

} // namespace

int cmd_summary(const Args& args) {
    const auto opts = parse_options(args, {"days", "domain"}, "summary");
    if (!opts) return 2;
    if (opts->help || !opts->positional.empty()) {
        (opts->help ? std::cout : std::cerr) << summary_usage;
        return opts->help ? 0 : 2;
    }
    const auto it = opts->values.find("days");
    const auto days = parse_days(it == opts->values.end() ? "7" : it->second, "--days");
    if (!days) return 2;
    const auto domain = opts->values.find("domain");
    try {
        auto conn = open_db(opts->db);
        if (!schema_ready(tlsrpt::store::schema_version(*conn))) return 1;
        std::cout.flush();
        print_table(tlsrpt::store::summarize(*conn, *days,
                                             domain == opts->values.end() ? "" : domain->second),
                    *days);
    } catch (...) {
        return db_failure("summary");
    }
    return 0;
}

} // namespace tlsrptctl
