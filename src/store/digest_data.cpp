// digest_data.cpp: the pure side of the digest figures (digest.hpp): day arithmetic on
// "YYYY-MM-DD" report days, the period, the one before and the chart window, success rates
// and their change, and adding one day's figures where they belong.
#include "store/digest.hpp"

#include "tlsrpt/datetime.hpp"

#include <algorithm>
#include <limits>

namespace tlsrpt::store::digest {

namespace {

constexpr std::int64_t day_seconds = 86400;

bool within(const Period& p, const std::string& day) {
    return day >= p.first && day <= p.last;
}

} // namespace

std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
    return a > std::numeric_limits<std::int64_t>::max() - b
               ? std::numeric_limits<std::int64_t>::max()
               : a + b;
}

std::optional<std::string> add_days(const std::string& day, int n) {
    if (day.size() != 10) return std::nullopt;
    const auto t = parse_rfc3339(day + "T00:00:00Z");
    if (!t || format_rfc3339(t->time).substr(0, 10) != day) return std::nullopt;
    return format_rfc3339(t->time + static_cast<std::int64_t>(n) * day_seconds).substr(0, 10);
}

std::optional<Periods> periods(const Request& r) {
    if (r.days < 1 || r.days > 3660) return std::nullopt;
    const int chart = std::max(r.days, std::min(std::max(r.chart_days, 1), 366));
    const auto first = add_days(r.last_day, 1 - r.days);
    // report days are of this century; the bounds keep every day computed from them valid
    if (!first || r.last_day < "2000-01-01" || r.last_day > "9000-12-31") return std::nullopt;
    Periods p;
    p.period = {*first, r.last_day};
    p.previous = {*add_days(r.last_day, 1 - 2 * r.days), *add_days(r.last_day, -r.days)};
    p.chart = {*add_days(r.last_day, 1 - chart), r.last_day};
    return p;
}

std::optional<double> success_rate(std::int64_t successful, std::int64_t failed) {
    const double total = static_cast<double>(successful) + static_cast<double>(failed);
    if (total <= 0) return std::nullopt;
    return 100.0 * static_cast<double>(successful) / total;
}

std::optional<double> rate_change(const DomainDigest& d) {
    const auto now = success_rate(d.successful, d.failed);
    const auto before = success_rate(d.prev_successful, d.prev_failed);
    if (!now || !before) return std::nullopt;
    return *now - *before;
}

bool clean(const DomainDigest& d) {
    return d.failed == 0;
}

void add_day(DomainDigest& d, const Periods& p, const DayFigures& day) {
    if (within(p.period, day.day)) {
        d.reports = saturating_add(d.reports, day.reports);
        d.authenticated = saturating_add(d.authenticated, day.authenticated);
        d.successful = saturating_add(d.successful, day.successful);
        d.failed = saturating_add(d.failed, day.failed);
    }
    if (within(p.previous, day.day)) {
        d.prev_reports = saturating_add(d.prev_reports, day.reports);
        d.prev_successful = saturating_add(d.prev_successful, day.successful);
        d.prev_failed = saturating_add(d.prev_failed, day.failed);
    }
    const auto slot = std::find_if(d.days.begin(), d.days.end(),
                                   [&](const DayFigures& f) { return f.day == day.day; });
    if (slot != d.days.end()) *slot = day;
}

std::vector<DayFigures> chart_days(const Period& chart) {
    std::vector<DayFigures> out;
    for (std::string day = chart.first; day <= chart.last && out.size() < 400;
         day = *add_days(day, 1))
        out.push_back({day, 0, 0, 0, 0});
    return out;
}

} // namespace tlsrpt::store::digest
