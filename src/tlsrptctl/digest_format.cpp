// digest_format.cpp: the pieces the digest's HTML and text forms share (digest_render.hpp):
// escaping, number, rate and period formatting, the subject line, and what "clean" means.
#include "digest_render.hpp"

#include "tlsrpt/text.hpp"

#include <cmath>
#include <cstdio>

namespace tlsrptctl::digest {

std::string html_escape(std::string_view s) {
    std::string out;
    for (const char c : tlsrpt::printable(s)) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string rate_text(std::optional<double> rate) {
    if (!rate) return "-";
    char buf[32];
    // never round a failure up to 100.00%
    const double shown = *rate < 100.0 && *rate > 99.995 ? 99.99 : *rate;
    std::snprintf(buf, sizeof buf, "%.2f%%", shown);
    return buf;
}

std::string change_text(std::optional<double> change) {
    if (!change) return "-";
    char buf[32];
    if (std::fabs(*change) < 0.005)
        std::snprintf(buf, sizeof buf, "\u00b10.00 pp");
    else
        std::snprintf(buf, sizeof buf, "%+.2f pp", *change);
    return buf;
}

std::string count_text(std::int64_t n) {
    std::string digits = std::to_string(n < 0 ? -n : n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return n < 0 ? "-" + out : out;
}

std::string period_text(const dg::Period& p) {
    return p.first == p.last ? p.first : p.first + " .. " + p.last;
}

bool all_clean(const View& v) {
    for (const dg::DomainDigest& d : v.digest.domains)
        if (!dg::clean(d)) return false;
    return v.alerts.alerts.empty();
}

std::string subject(const View& v) {
    std::int64_t ok = 0, failed = 0, critical = 0;
    for (const dg::DomainDigest& d : v.digest.domains) {
        ok += d.successful;
        failed += d.failed;
    }
    for (const al::Alert& a : v.alerts.alerts)
        critical += a.decision.severity == al::Severity::critical;
    const std::size_t alerts = v.alerts.alerts.size();
    std::string status = critical ? "CRITICAL" : alerts ? "WARNING" : failed ? "FAILURES" : "OK";
    std::string out = "[TLS-RPT " + status + "] " + period_text(v.digest.period) + ": " +
                      std::to_string(v.digest.domains.size()) + " domain" +
                      (v.digest.domains.size() == 1 ? "" : "s") + ", " +
                      rate_text(dg::success_rate(ok, failed)) + " of " + count_text(ok + failed) +
                      " sessions";
    if (alerts) out += ", " + std::to_string(alerts) + " alert" + (alerts == 1 ? "" : "s");
    return tlsrpt::printable(out);
}

} // namespace tlsrptctl::digest
