// digest.hpp: the figures of `tlsrptctl digest`, the daily mail an operator reads instead of
// the report mailbox: per policy domain, over a period of whole report days (the UTC date of a
// report's start-datetime), the reports, the sessions (RFC 8460 §4.4 summary counts, each
// session once as daily_sessions counts it), the success rate and its change against the
// period before, the failure types (RFC 8460 §4.3), the sending MTAs and receiving MX hosts
// that failed, who reported, and every day of a chart window. The store reads them in one
// read-only transaction (digest_query.cpp); the period arithmetic and the assembly are pure
// (digest_data.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/connection_base>
#include <string>
#include <vector>

namespace tlsrpt::store::digest {

// Whole UTC report days, first..last inclusive, "YYYY-MM-DD".
struct Period {
    std::string first, last;
};

struct Request {
    std::string last_day;             // the last day of the period (default: yesterday UTC)
    int days = 1;                     // --days: the period's length
    int chart_days = 14;              // the chart window ends on last_day; at least `days`
    std::vector<std::string> domains; // --domain (normalized); empty: every domain seen
    std::size_t top = 5;              // rows of each top list
};

struct Named {
    std::string name;
    std::int64_t sessions = 0;
};

struct ReporterFigures {
    std::string reporter;     // the reporter key (contact-info domain, else the name)
    std::string organization; // organization-name
    std::int64_t reports = 0, authenticated = 0, successful = 0, failed = 0;
};

// One day of one domain, as the store found it.
struct DayFigures {
    std::string day;
    std::int64_t reports = 0, authenticated = 0, successful = 0, failed = 0;
};

struct DomainDigest {
    std::string domain;
    std::int64_t reports = 0, authenticated = 0, successful = 0, failed = 0; // the period
    std::int64_t prev_reports = 0, prev_successful = 0, prev_failed = 0;     // the one before
    std::vector<Named> failure_types;       // most failed sessions first
    std::vector<Named> sending_ips;         // sending-mta-ip of the failures
    std::vector<Named> mx_hosts;            // receiving-mx-hostname of the failures
    std::vector<ReporterFigures> reporters; // most sessions first
    std::int64_t signing_domains = 0;       // registered domains (last two labels) that
                                            // signed its DKIM-authenticated reports
    std::vector<DayFigures> days;           // every day of the chart window, oldest first
};

struct Digest {
    Period period, previous, chart;
    std::vector<DomainDigest> domains; // by name
    std::int64_t quarantined = 0;      // messages quarantined since the period began
};

// ---- pure (digest_data.cpp) ----

// a + b, or the largest int64 where that would overflow (both >= 0: counts).
std::int64_t saturating_add(std::int64_t a, std::int64_t b);

// "YYYY-MM-DD" `n` days after `day` (n may be negative); nullopt when day is no valid date.
std::optional<std::string> add_days(const std::string& day, int n);

// The period of `days` days ending on last_day, the period before it, and the chart window.
// nullopt when last_day is no date, or outside 2000-01-01..9000-12-31, or days is not 1..3660.
struct Periods {
    Period period, previous, chart;
};
std::optional<Periods> periods(const Request& r);

// Success rate in percent; nullopt without sessions.
std::optional<double> success_rate(std::int64_t successful, std::int64_t failed);

// The change of the success rate against the period before, in percentage points; nullopt
// when either period has no sessions.
std::optional<double> rate_change(const DomainDigest& d);

// No failed session in the period.
bool clean(const DomainDigest& d);

// Adds one day's figures to the domain: to the period's, the previous period's, and to the
// chart day (which must exist). Pure.
void add_day(DomainDigest& d, const Periods& p, const DayFigures& day);

// The empty chart days of a domain: every day of the window, oldest first.
std::vector<DayFigures> chart_days(const Period& chart);

// ---- the store (digest_query.cpp) ----

// Reads the digest; throws std::invalid_argument on a bad request, pqxx errors on database
// failure.
Digest collect(pqxx::connection_base& conn, const Request& r);

} // namespace tlsrpt::store::digest
