// digest_render.hpp: the forms of `tlsrptctl digest` (store/digest.hpp figures and the alerts
// of store/alerts.hpp): an HTML page whose charts are inline SVG (no script, no external
// image, font or style sheet, so it renders in mail clients that block remote content), the
// text/plain alternative with the same figures as tables, and the small pieces they share.
// Pure functions; every text that came from a report is escaped (HTML) or made printable.
#pragma once

#include "store/alerts.hpp"
#include "store/digest.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tlsrptctl::digest {

namespace dg = tlsrpt::store::digest;
namespace al = tlsrpt::store::alerts;

// What one digest shows.
struct View {
    dg::Digest digest;
    al::Evaluation alerts;        // evaluated for the period's last day
    std::string generated;        // RFC 3339 time it was made
    std::string host;             // where it was made
    std::size_t max_domains = 50; // --max-domains: domains shown, worst first
    std::size_t max_alerts = 50;  // --max-alerts: alerts shown, critical first
};

// What of a View fits on the page: reports can name any number of policy domains (and a
// hostile reporter thousands), so the page shows max_domains domains and max_alerts alerts
// and says how many more there are, keeping the mail bounded. Which domains come first must
// not be one sender's choice: a domain vouched for by more signing domains (the registered
// domains that signed its DKIM-authenticated reports, counted up to three: one domain is
// cheap to have, several is a cost) comes before one with fewer, then the most failed
// sessions, then the name. Alerts: critical first, then in the order of their domains.
struct Shown {
    std::vector<const dg::DomainDigest*> domains; // in that order
    std::vector<const al::Alert*> alerts;
    std::size_t more_domains = 0, more_alerts = 0;
    std::int64_t more_successful = 0, more_failed = 0; // sessions of the domains not shown
};
Shown shown(const View& v);

// ---- shared pieces (digest_format.cpp) ----

// `s` escaped for HTML text and attribute values (& < > " '), made printable first.
std::string html_escape(std::string_view s);
// `s` made printable and cut to at most max_chars characters ("..." marks a cut): names from
// reports (domains, hosts, organizations) are up to 1,024 bytes long.
std::string shorten(std::string_view s, std::size_t max_chars = 64);
// "N more policy domains (S successful and F failed sessions) not shown: ..."
std::string more_domains_text(const Shown& s);
// "N more alerts not shown: tlsrptctl alerts lists them all."
std::string more_alerts_text(const Shown& s);
// "99.52%", or "-" without sessions.
std::string rate_text(std::optional<double> rate);
// "+0.25 pp", "-1.20 pp", "±0.00 pp", or "-" when there is nothing to compare.
std::string change_text(std::optional<double> change);
// 1234567 as "1,234,567".
std::string count_text(std::int64_t n);
// "2026-03-09" or "2026-03-08 .. 2026-03-09".
std::string period_text(const dg::Period& p);
// The subject line: status, period, domains, overall rate, alerts.
std::string subject(const View& v);
// Whether the digest has nothing to say: every domain clean and no alert.
bool all_clean(const View& v);

// ---- SVG charts (digest_svg.cpp) ----

// Stacked bars of successful and failed sessions per day of the chart window.
std::string bar_chart(const std::vector<dg::DayFigures>& days, std::string_view title);
// The success rate of each day with sessions as a line, the 99% line dashed.
std::string sparkline(const std::vector<dg::DayFigures>& days, std::string_view title);

// ---- the page and the text (digest_html.cpp, digest_text.cpp) ----

std::string html_page(const View& v);
std::string text_body(const View& v);

} // namespace tlsrptctl::digest
