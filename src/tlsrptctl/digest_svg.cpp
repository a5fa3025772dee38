// digest_svg.cpp: the digest's two charts as inline SVG (digest_render.hpp), for an HTML
// page (the HTML parser puts <svg> in the SVG namespace, so no xmlns URL is written): no
// script, no link, no external font (the generic sans-serif family), sizes in pixels, so a
// mail client that blocks remote content draws them as they are. Each chart and each bar has
// a <title> for readers that show no images.
#include "digest_render.hpp"

#include <algorithm>
#include <cstdio>

namespace tlsrptctl::digest {

namespace {

constexpr int bar_width = 22, bar_gap = 4, chart_height = 120, top_pad = 16, bottom_pad = 18,
              left_pad = 4;
constexpr const char* ok_colour = "#3c9d5d";
constexpr const char* failed_colour = "#d1453b";

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

std::string open_svg(int width, int height, std::string_view title) {
    return "<svg width=\"" + std::to_string(width) + "\" height=\"" + std::to_string(height) +
           "\" viewBox=\"0 0 " + std::to_string(width) + " " + std::to_string(height) +
           "\" role=\"img\" font-family=\"sans-serif\">" + "<title>" + html_escape(title) +
           "</title>";
}

std::string rect(double x, double y, double w, double h, const char* fill) {
    return "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(w) + "\" height=\"" +
           num(h) + "\" fill=\"" + fill + "\"/>";
}

std::string text(double x, double y, std::string_view s, const char* anchor = "start",
                 int size = 10) {
    return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" font-size=\"" + std::to_string(size) +
           "\" fill=\"#555\" text-anchor=\"" + anchor + "\">" + html_escape(s) + "</text>";
}

} // namespace

std::string bar_chart(const std::vector<dg::DayFigures>& days, std::string_view title) {
    const int n = static_cast<int>(days.size());
    const int width = left_pad * 2 + std::max(n, 1) * (bar_width + bar_gap);
    const int height = top_pad + chart_height + bottom_pad;
    double most = 0;
    for (const dg::DayFigures& d : days)
        most = std::max(most, static_cast<double>(d.successful) + static_cast<double>(d.failed));
    std::string out = open_svg(width, height, title);
    out += rect(0, top_pad + chart_height, width, 1, "#999");
    out += text(left_pad, 11,
                most > 0 ? count_text(static_cast<std::int64_t>(most)) + " sessions (highest day)"
                         : "no sessions");
    for (int i = 0; i < n; ++i) {
        const dg::DayFigures& d = days[static_cast<std::size_t>(i)];
        const double x = left_pad + i * (bar_width + bar_gap);
        const double scale = most > 0 ? chart_height / most : 0;
        double failed_h = static_cast<double>(d.failed) * scale;
        if (d.failed > 0) failed_h = std::max(failed_h, 3.0); // a failure is never invisible
        const double ok_h = std::min(static_cast<double>(d.successful) * scale,
                                     std::max(0.0, chart_height - failed_h));
        const double base = top_pad + chart_height;
        out += "<g><title>" +
               html_escape(d.day + ": " + count_text(d.successful) + " successful, " +
                           count_text(d.failed) + " failed") +
               "</title>";
        if (ok_h > 0) out += rect(x, base - ok_h, bar_width, ok_h, ok_colour);
        if (failed_h > 0)
            out += rect(x, base - ok_h - failed_h, bar_width, failed_h, failed_colour);
        out += "</g>";
        if (i == 0 || i == n - 1 || n <= 7)
            out += text(x + bar_width / 2.0, height - 5, d.day.substr(5), "middle", 9);
    }
    return out + "</svg>";
}

std::string sparkline(const std::vector<dg::DayFigures>& days, std::string_view title) {
    constexpr int width = 160, height = 36, pad = 3;
    double low = 99.0;
    std::vector<std::pair<std::size_t, double>> points;
    for (std::size_t i = 0; i < days.size(); ++i)
        if (const auto r = dg::success_rate(days[i].successful, days[i].failed)) {
            points.emplace_back(i, *r);
            low = std::min(low, *r);
        }
    low = std::max(0.0, low - 0.5);
    const double span = 100.0 - low;
    const auto x_of = [&](std::size_t i) {
        return days.size() > 1 ? pad + (width - 2.0 * pad) * static_cast<double>(i) /
                                           static_cast<double>(days.size() - 1)
                               : width / 2.0;
    };
    const auto y_of = [&](double rate) {
        return pad + (height - 2.0 * pad) * (100.0 - rate) / span;
    };
    std::string out = open_svg(width, height, title);
    out += "<line x1=\"0\" x2=\"" + std::to_string(width) + "\" y1=\"" + num(y_of(99.0)) +
           "\" y2=\"" + num(y_of(99.0)) +
           "\" stroke=\"#e0a030\" stroke-width=\"1\" stroke-dasharray=\"3,2\"/>";
    if (points.size() > 1) {
        out += "<polyline fill=\"none\" stroke=\"#2b6cb0\" stroke-width=\"1.5\" points=\"";
        for (const auto& [i, r] : points)
            out += num(x_of(i)) + "," + num(y_of(r)) + " ";
        out.back() = '"';
        out += "/>";
    }
    for (const auto& [i, r] : points)
        if (r < 99.0 || points.size() == 1)
            out += "<circle cx=\"" + num(x_of(i)) + "\" cy=\"" + num(y_of(r)) +
                   "\" r=\"2\" fill=\"" + (r < 99.0 ? failed_colour : "#2b6cb0") + "\"/>";
    if (points.empty()) out += text(width / 2.0, height / 2.0 + 4, "no sessions", "middle");
    return out + "</svg>";
}

} // namespace tlsrptctl::digest
