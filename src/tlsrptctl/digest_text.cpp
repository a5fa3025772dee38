// digest_text.cpp: the text/plain form of `tlsrptctl digest` (digest_render.hpp): the same
// figures as the HTML page, as fixed-width tables (what stdout shows without --html or
// --mail-to, and the alternative part of the mail). Untrusted text is made printable and
// shortened; the domains and alerts shown are those of shown() (digest_format.cpp).
#include "digest_render.hpp"

#include "tlsrpt/text.hpp"

#include <cstdio>

namespace tlsrptctl::digest {

namespace {

std::string pad(std::string_view s, std::size_t width, bool right = false) {
    std::string out = shorten(s);
    std::size_t shown = 0; // characters, not bytes (UTF-8 continuation bytes do not count)
    for (const char c : out)
        shown += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (shown >= width) return out;
    const std::string fill(width - shown, ' ');
    return right ? fill + out : out + fill;
}

std::string line(const std::string& text) {
    return text.empty() ? "" : text + "\n";
}

std::string alerts_block(const View& v, const Shown& s) {
    if (s.alerts.empty()) return "";
    std::string out = "ALERTS (as tlsrptctl alerts evaluates them for " + v.alerts.last_day + ")\n";
    for (const al::Alert* alert : s.alerts) {
        const al::Alert& a = *alert;
        const al::Evidence& e = a.evidence;
        out += "  " +
               pad(a.decision.severity == al::Severity::critical ? "CRITICAL" : "WARNING", 9) +
               shorten(e.domain) + "  " + std::string(e.rule->name) + "\n    " +
               shorten(al::figures(e), 240) +
               (a.decision.downgraded ? " (critical, but no DKIM-authenticated report)" : "") +
               "\n    " + shorten(al::hint(e), 240) + "\n";
    }
    return out + line(more_alerts_text(s)) + "\n";
}

std::string overview(const View& v, const Shown& s) {
    std::string out = pad("policy domain", 32) + pad("reports", 9, true) +
                      pad("successful", 13, true) + pad("failed", 10, true) +
                      pad("success", 9, true) + pad("change", 11, true) + "\n";
    for (const dg::DomainDigest* domain : s.domains) {
        const dg::DomainDigest& d = *domain;
        out += pad(d.domain, 32) + pad(std::to_string(d.reports), 9, true) +
               pad(std::to_string(d.successful), 13, true) +
               pad(std::to_string(d.failed), 10, true) +
               pad(rate_text(dg::success_rate(d.successful, d.failed)), 9, true) +
               pad(change_text(dg::rate_change(d)), 11, true) + "\n";
    }
    if (v.digest.domains.empty()) out += "no report in this period\n";
    return out + line(more_domains_text(s));
}

std::string named(const char* label, const std::vector<dg::Named>& rows) {
    if (rows.empty()) return "";
    std::string out = "  " + pad(label, 46) + pad("failed", 10, true) + "\n";
    for (const dg::Named& n : rows)
        out += "  " + pad(n.name, 46) + pad(std::to_string(n.sessions), 10, true) + "\n";
    return out;
}

std::string domain_block(const View& v, const dg::DomainDigest& d) {
    std::string out = "\n== " + shorten(d.domain) + "\n";
    out += "  " + std::to_string(d.reports) + " reports (" + std::to_string(d.authenticated) +
           " DKIM-authenticated), " + std::to_string(d.successful) + " successful, " +
           std::to_string(d.failed) +
           " failed: " + rate_text(dg::success_rate(d.successful, d.failed)) + " (" +
           change_text(dg::rate_change(d)) + " against " + period_text(v.digest.previous) + ")\n";
    out += "  " + pad("day", 12) + pad("successful", 13, true) + pad("failed", 10, true) +
           pad("success", 9, true) + "\n";
    for (const dg::DayFigures& day : d.days)
        out += "  " + pad(day.day, 12) + pad(std::to_string(day.successful), 13, true) +
               pad(std::to_string(day.failed), 10, true) +
               pad(rate_text(dg::success_rate(day.successful, day.failed)), 9, true) + "\n";
    out += named("failure type", d.failure_types);
    out += named("sending MTA", d.sending_ips);
    out += named("receiving MX", d.mx_hosts);
    if (!d.reporters.empty()) {
        out += "  " + pad("reporter", 30) + pad("reports", 9, true) + pad("DKIM", 6, true) +
               pad("successful", 13, true) + pad("failed", 10, true) + "\n";
        for (const dg::ReporterFigures& r : d.reporters)
            out += "  " + pad(r.reporter, 30) + pad(std::to_string(r.reports), 9, true) +
                   pad(std::to_string(r.authenticated), 6, true) +
                   pad(std::to_string(r.successful), 13, true) +
                   pad(std::to_string(r.failed), 10, true) + "\n";
    }
    return out;
}

} // namespace

std::string text_body(const View& v) {
    std::string out = "SMTP TLS reports, report days (UTC) " + period_text(v.digest.period) +
                      ", compared with " + period_text(v.digest.previous) + "\n" +
                      "(sessions counted once per report; made " + v.generated + " on " +
                      tlsrpt::printable(v.host) + ")\n\n";
    const Shown s = shown(v);
    out += alerts_block(v, s) + overview(v, s);
    for (const dg::DomainDigest* d : s.domains)
        out += domain_block(v, *d);
    out += "\n" + std::to_string(v.digest.quarantined) +
           " messages quarantined since the period began (tlsrptctl rejected list)\n";
    return out;
}

} // namespace tlsrptctl::digest
