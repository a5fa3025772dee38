// digest_html.cpp: the HTML form of `tlsrptctl digest` (digest_render.hpp): one page, inline
// styles only (mail clients drop style sheets), the alerts first, an overview row per policy
// domain with its success-rate sparkline, then per domain its figures, the sessions-per-day
// chart, the failure types (RFC 8460 §4.3), the failing sending MTAs and MX hosts, and who
// reported. Every figure cell carries its exact value in data-v for machines (the tests). At
// most View::max_domains domains and max_alerts alerts are shown (shown()), names shortened.
#include "digest_render.hpp"

namespace tlsrptctl::digest {

namespace {

constexpr const char* table_style =
    "border-collapse:collapse;width:100%;font-size:13px;margin:6px 0 14px 0";
constexpr const char* th_style =
    "text-align:left;border-bottom:1px solid #ccc;padding:3px 6px;background:#f0f2f5";
constexpr const char* td_style = "border-bottom:1px solid #eee;padding:3px 6px";
constexpr const char* num_style =
    "border-bottom:1px solid #eee;padding:3px 6px;text-align:right;white-space:nowrap";

std::string th(std::string_view label, bool right = false) {
    return "<th style=\"" + std::string(th_style) + (right ? ";text-align:right" : "") + "\">" +
           html_escape(label) + "</th>";
}

// A cell of text from a report: shortened, escaped.
std::string td(std::string_view text) {
    return "<td style=\"" + std::string(td_style) + "\">" + html_escape(shorten(text)) + "</td>";
}

// A paragraph saying what was left out, or nothing.
std::string note(const std::string& text) {
    return text.empty() ? ""
                        : "<p class=\"more\" style=\"font-size:12px;color:#555;margin:0 0 8px "
                          "0\">" +
                              html_escape(text) + "</p>";
}

std::string td_count(std::int64_t n) {
    return "<td style=\"" + std::string(num_style) + "\" data-v=\"" + std::to_string(n) + "\">" +
           count_text(n) + "</td>";
}

std::string td_rate(std::optional<double> r, const char* colour_when_low = "#b3261e") {
    const bool low = r && *r < 99.0;
    return "<td style=\"" + std::string(num_style) + (low ? ";font-weight:bold;color:" : "") +
           (low ? colour_when_low : "") + "\">" + rate_text(r) + "</td>";
}

std::string severity_badge(const al::Alert& a) {
    const bool critical = a.decision.severity == al::Severity::critical;
    return "<span style=\"display:inline-block;padding:1px 6px;border-radius:3px;color:#fff;"
           "background:" +
           std::string(critical ? "#b3261e" : "#c77700") + "\">" +
           (critical ? "CRITICAL" : "WARNING") + "</span>";
}

std::string alerts_section(const View& v, const Shown& s) {
    if (s.alerts.empty()) return "";
    std::string out = "<h2 style=\"font-size:16px;margin:14px 0 4px 0\">Alerts</h2>"
                      "<p style=\"font-size:12px;color:#555;margin:0\">as <code>tlsrptctl "
                      "alerts</code> evaluates them for " +
                      html_escape(v.alerts.last_day) + "</p>";
    out += "<table id=\"alerts\" style=\"" + std::string(table_style) + "\"><tr>" + th("severity") +
           th("domain") + th("rule") + th("what") + "</tr>";
    for (const al::Alert* alert : s.alerts) {
        const al::Alert& a = *alert;
        const al::Evidence& e = a.evidence;
        std::string what = al::figures(e);
        if (a.decision.downgraded) what += " (critical, but no DKIM-authenticated report)";
        out += "<tr data-rule=\"" + html_escape(e.rule->name) + "\" data-domain=\"" +
               html_escape(e.domain) + "\"><td style=\"" + td_style + "\">" + severity_badge(a) +
               "</td>" + td(e.domain) + td(e.rule->name) + "<td style=\"" + td_style + "\">" +
               html_escape(shorten(what, 240)) + "<br><span style=\"color:#555\">" +
               html_escape(shorten(al::hint(e), 240)) + "</span></td></tr>";
    }
    return out + "</table>" + note(more_alerts_text(s));
}

std::string overview(const View& v, const Shown& s) {
    std::string out = "<h2 style=\"font-size:16px;margin:14px 0 4px 0\">Overview</h2>"
                      "<table id=\"overview\" style=\"" +
                      std::string(table_style) + "\"><tr>" + th("policy domain") +
                      th("reports", true) + th("successful", true) + th("failed", true) +
                      th("success", true) + th("change", true) + th("trend") + "</tr>";
    for (const dg::DomainDigest* domain : s.domains) {
        const dg::DomainDigest& d = *domain;
        out += "<tr data-domain=\"" + html_escape(d.domain) + "\">" + td(d.domain) +
               td_count(d.reports) + td_count(d.successful) + td_count(d.failed) +
               td_rate(dg::success_rate(d.successful, d.failed)) + "<td style=\"" + num_style +
               "\">" + html_escape(change_text(dg::rate_change(d))) + "</td><td style=\"" +
               td_style + "\">" +
               sparkline(d.days, "success rate per day of " + shorten(d.domain)) + "</td></tr>";
    }
    if (v.digest.domains.empty())
        out += "<tr><td colspan=\"7\" style=\"" + std::string(td_style) +
               "\">no report in this period</td></tr>";
    return out + "</table>" + note(more_domains_text(s));
}

std::string named_table(const char* id, const char* label, const std::vector<dg::Named>& rows) {
    if (rows.empty()) return "";
    std::string out = "<table class=\"" + std::string(id) + "\" style=\"" + table_style +
                      "\"><tr>" + th(label) + th("failed sessions", true) + "</tr>";
    for (const dg::Named& n : rows)
        out += "<tr>" + td(n.name) + td_count(n.sessions) + "</tr>";
    return out + "</table>";
}

std::string reporters_table(const dg::DomainDigest& d) {
    if (d.reporters.empty()) return "";
    std::string out = "<table class=\"reporters\" style=\"" + std::string(table_style) + "\"><tr>" +
                      th("reporter") + th("organization") + th("reports", true) +
                      th("DKIM-authenticated", true) + th("successful", true) + th("failed", true) +
                      "</tr>";
    for (const dg::ReporterFigures& r : d.reporters)
        out += "<tr>" + td(r.reporter) + td(r.organization) + td_count(r.reports) +
               td_count(r.authenticated) + td_count(r.successful) + td_count(r.failed) + "</tr>";
    return out + "</table>";
}

std::string domain_section(const View& v, const dg::DomainDigest& d) {
    std::string out = "<div class=\"domain\" data-domain=\"" + html_escape(d.domain) +
                      "\" style=\"border-top:2px solid #dde;margin-top:18px;padding-top:6px\">"
                      "<h2 style=\"font-size:16px;margin:4px 0\">" +
                      html_escape(shorten(d.domain)) + "</h2>";
    out += "<p style=\"font-size:13px;margin:2px 0 8px 0\">" + count_text(d.reports) +
           " reports (" + count_text(d.authenticated) + " DKIM-authenticated), " +
           count_text(d.successful) + " successful and " + count_text(d.failed) +
           " failed sessions: <b>" + rate_text(dg::success_rate(d.successful, d.failed)) +
           "</b> (" + html_escape(change_text(dg::rate_change(d))) + " against " +
           html_escape(period_text(v.digest.previous)) + ")</p>";
    out += "<div>" +
           bar_chart(d.days, "sessions per day of " + shorten(d.domain) + ", " +
                                 period_text(v.digest.chart) + ": successful green, failed red") +
           "</div><p style=\"font-size:11px;color:#555;margin:0 0 8px 0\">sessions per day, " +
           html_escape(period_text(v.digest.chart)) +
           ": <span style=\"color:#3c9d5d\">&#9632; successful</span> "
           "<span style=\"color:#d1453b\">&#9632; failed</span></p>";
    out += named_table("failure-types", "failure type", d.failure_types);
    out += named_table("sending-ips", "sending MTA", d.sending_ips);
    out += named_table("mx-hosts", "receiving MX", d.mx_hosts);
    out += reporters_table(d);
    return out + "</div>";
}

} // namespace

std::string html_page(const View& v) {
    const std::string title = subject(v);
    std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                      "<meta name=\"viewport\" content=\"width=device-width\"><title>" +
                      html_escape(title) +
                      "</title></head>\n<body style=\"margin:0;padding:12px;background:#f4f5f7;"
                      "font-family:sans-serif;color:#222\">"
                      "<div style=\"max-width:820px;margin:0 auto;background:#fff;padding:14px "
                      "18px;border:1px solid #dde\">";
    out += "<h1 style=\"font-size:20px;margin:0 0 4px 0\">SMTP TLS reports: " +
           html_escape(period_text(v.digest.period)) + "</h1>";
    out += "<p style=\"font-size:12px;color:#555;margin:0\">report days (UTC) " +
           html_escape(period_text(v.digest.period)) + ", compared with " +
           html_escape(period_text(v.digest.previous)) +
           "; sessions counted once per report "
           "(RFC 8460 summary counts). Made " +
           html_escape(v.generated) + " on " + html_escape(v.host) + ".</p>";
    const Shown s = shown(v);
    out += alerts_section(v, s) + overview(v, s);
    for (const dg::DomainDigest* d : s.domains)
        out += domain_section(v, *d);
    out += "<p style=\"font-size:12px;color:#555;margin-top:16px\">" +
           count_text(v.digest.quarantined) +
           " messages quarantined since the period began (<code>tlsrptctl rejected "
           "list</code>).</p>";
    return out + "</div></body></html>\n";
}

} // namespace tlsrptctl::digest
