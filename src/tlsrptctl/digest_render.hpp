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
    al::Evaluation alerts; // evaluated for the period's last day
    std::string generated; // RFC 3339 time it was made
    std::string host;      // where it was made
};

// ---- shared pieces (digest_format.cpp) ----

// `s` escaped for HTML text and attribute values (& < > " '), made printable first.
std::string html_escape(std::string_view s);
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
