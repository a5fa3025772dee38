// digest_format.cpp: the pieces the digest's HTML and text forms share (digest_render.hpp):
// escaping, number, rate and period formatting, the subject line, and what "clean" means.
#include "digest_render.hpp"

#include "tlsrpt/text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

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

std::string shorten(std::string_view s, std::size_t max_chars) {
    std::string out = tlsrpt::printable(s);
    std::size_t chars = 0;
    for (std::size_t i = 0; i < out.size(); ++i) {
        if ((static_cast<unsigned char>(out[i]) & 0xC0) == 0x80) continue; // inside a character
        if (++chars > max_chars) {
            out.resize(i);
            return out + "...";
        }
    }
    return out;
}

namespace {

// Whether domain a comes before b on the page (Shown).
bool before(const dg::DomainDigest& a, const dg::DomainDigest& b) {
    const auto vouched = [](const dg::DomainDigest& d) {
        return std::min<std::int64_t>(d.signing_domains, 3);
    };
    if (vouched(a) != vouched(b)) return vouched(a) > vouched(b);
    if (a.failed != b.failed) return a.failed > b.failed;
    return a.domain < b.domain;
}

} // namespace

Shown shown(const View& v) {
    Shown s;
    for (const dg::DomainDigest& d : v.digest.domains)
        s.domains.push_back(&d);
    std::sort(s.domains.begin(), s.domains.end(),
              [](const auto* a, const auto* b) { return before(*a, *b); });
    std::map<std::string_view, std::size_t> place;
    for (std::size_t i = 0; i < s.domains.size(); ++i)
        place.emplace(s.domains[i]->domain, i);
    if (s.domains.size() > v.max_domains) {
        for (std::size_t i = v.max_domains; i < s.domains.size(); ++i) {
            s.more_successful = dg::saturating_add(s.more_successful, s.domains[i]->successful);
            s.more_failed = dg::saturating_add(s.more_failed, s.domains[i]->failed);
        }
        s.more_domains = s.domains.size() - v.max_domains;
        s.domains.resize(v.max_domains);
    }
    for (const al::Alert& a : v.alerts.alerts)
        s.alerts.push_back(&a);
    const auto rank = [&](const al::Alert* a) {
        const auto it = place.find(a->evidence.domain);
        return std::make_pair(a->decision.severity != al::Severity::critical,
                              it == place.end() ? place.size() : it->second);
    };
    std::stable_sort(s.alerts.begin(), s.alerts.end(),
                     [&](const auto* a, const auto* b) { return rank(a) < rank(b); });
    if (s.alerts.size() > v.max_alerts) {
        s.more_alerts = s.alerts.size() - v.max_alerts;
        s.alerts.resize(v.max_alerts);
    }
    return s;
}

std::string more_domains_text(const Shown& s) {
    if (s.more_domains == 0) return "";
    return count_text(static_cast<std::int64_t>(s.more_domains)) + " more policy domains (" +
           count_text(s.more_successful) + " successful and " + count_text(s.more_failed) +
           " failed sessions) not shown: --domain or --max-domains shows them.";
}

std::string more_alerts_text(const Shown& s) {
    if (s.more_alerts == 0) return "";
    return count_text(static_cast<std::int64_t>(s.more_alerts)) +
           " more alerts not shown: `tlsrptctl alerts` lists them all.";
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
        ok = dg::saturating_add(ok, d.successful);
        failed = dg::saturating_add(failed, d.failed);
    }
    for (const al::Alert& a : v.alerts.alerts)
        critical += a.decision.severity == al::Severity::critical;
    const std::size_t alerts = v.alerts.alerts.size();
    std::string status = critical ? "CRITICAL" : alerts ? "WARNING" : failed ? "FAILURES" : "OK";
    std::string out = "[TLS-RPT " + status + "] " + period_text(v.digest.period) + ": " +
                      std::to_string(v.digest.domains.size()) + " domain" +
                      (v.digest.domains.size() == 1 ? "" : "s") + ", " +
                      rate_text(dg::success_rate(ok, failed)) + " of " +
                      count_text(dg::saturating_add(ok, failed)) + " sessions";
    if (alerts) out += ", " + std::to_string(alerts) + " alert" + (alerts == 1 ? "" : "s");
    return tlsrpt::printable(out);
}

} // namespace tlsrptctl::digest
