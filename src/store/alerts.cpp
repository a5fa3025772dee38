// alerts.cpp: the alert rules of `tlsrptctl alerts` as one table, and the pure functions that
// decide an alert's severity from its evidence (alerts.hpp), without a database. Result types
// are RFC 8460 §4.3's. A critical alert needs at least one DKIM-authenticated report among its
// evidence (RFC 8460 §3: anyone can send a report; "never raise high-severity alerts from
// unauthenticated reports alone"): otherwise it is a warning that says it was downgraded.
#include "store/alerts.hpp"

#include "tlsrpt/datetime.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <tuple>

namespace tlsrpt::store::alerts {

namespace {

constexpr Severity W = Severity::warning, C = Severity::critical;

// THE rule table. Hints: {mx} the first receiving MX the reports name, {domain}, {reporter}.
constexpr std::array<Rule, 14> rule_table{{
    {"certificate-expired", Kind::any_session, "", C, "RFC 8460 §4.3.1",
     "renew the certificate of {mx}"},
    {"certificate-not-trusted", Kind::any_session, "", C, "RFC 8460 §4.3.1",
     "serve a certificate chain to a public root on {mx}"},
    {"certificate-host-mismatch", Kind::any_session, "", C, "RFC 8460 §4.3.1",
     "make the certificate of {mx} name that host"},
    {"tlsa-invalid", Kind::above_threshold, "tlsa", C, "RFC 8460 §4.3.2.1",
     "make the TLSA records of {mx} match its certificate"},
    {"dnssec-invalid", Kind::above_threshold, "tlsa", C, "RFC 8460 §4.3.2.1",
     "fix the DNSSEC signatures of the MX and TLSA records of {domain}"},
    {"dane-required", Kind::above_threshold, "tlsa", C, "RFC 8460 §4.3.2.1",
     "publish valid TLSA records for {mx} (the sender requires DANE)"},
    {"validation-failure", Kind::above_threshold, "tlsa", C, "RFC 8460 §4.3.1",
     "check the TLSA records and the certificate chain of {mx}"},
    {"sts-policy-fetch-error", Kind::consecutive_days, "", C, "RFC 8460 §4.3.2.2",
     "check that https://mta-sts.{domain}/.well-known/mta-sts.txt answers"},
    {"sts-policy-invalid", Kind::consecutive_days, "", C, "RFC 8460 §4.3.2.2",
     "fix the MTA-STS policy file of {domain} (RFC 8461 §3.2)"},
    {"sts-webpki-invalid", Kind::consecutive_days, "", C, "RFC 8460 §4.3.2.2",
     "renew the certificate of mta-sts.{domain}"},
    {"starttls-not-supported", Kind::any_session, "", W, "RFC 8460 §4.3.1",
     "enable STARTTLS on {mx}"},
    {"low-success-rate", Kind::low_success, "", W, "RFC 8460 §4.4 summary counts",
     "look at the failures: tlsrptctl summary --domain {domain}"},
    {"silent-reporter", Kind::silent_reporter, "", W, "RFC 8460 §3 rua",
     "ask {reporter} why its reports stopped; check _smtp._tls.{domain} and the rua mailbox"},
    {"no-reports", Kind::no_reports, "", W, "RFC 8460 §3",
     "check the _smtp._tls.{domain} TXT record and that report mail reaches the milter"},
}};

// The critical severity needs DKIM-authenticated evidence on the evaluation days.
Decision authenticated_or_downgraded(Severity s, const Evidence& e) {
    if (s == Severity::critical && e.authenticated_now == 0) return {Severity::warning, true};
    return {s, false};
}

Severity consecutive(const Evidence& e, const Thresholds& t) {
    if (e.days >= t.sts_critical_days) return Severity::critical;
    return e.days >= t.sts_warning_days ? Severity::warning : Severity::ok;
}

bool low_rate(const Evidence& e, const Thresholds& t) {
    if (e.sessions <= 0 || e.sessions < t.min_sessions) return false;
    return 100.0 * static_cast<double>(e.total) / static_cast<double>(e.sessions) < t.min_success;
}

std::string replace_all(std::string s, std::string_view from, const std::string& to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
    return s;
}

std::string plural(std::int64_t n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string reports_figure(const Evidence& e) {
    return plural(static_cast<std::int64_t>(e.reports.size()), "report") + " (" +
           std::to_string(e.authenticated) + " DKIM-authenticated)";
}

} // namespace

const char* to_string(Severity s) {
    switch (s) {
    case Severity::ok:
        return "ok";
    case Severity::warning:
        return "warning";
    case Severity::critical:
        return "critical";
    }
    return "unknown";
}

std::span<const Rule> rules() {
    return rule_table;
}

const Rule* find_rule(std::string_view name) {
    for (const Rule& r : rule_table)
        if (r.name == name) return &r;
    return nullptr;
}

Decision decide(const Evidence& e, const Thresholds& t) {
    if (!e.rule) return {};
    switch (e.rule->kind) {
    case Kind::any_session:
        return e.sessions > 0 ? authenticated_or_downgraded(e.rule->severity, e) : Decision{};
    case Kind::above_threshold:
        return e.sessions > t.dane_sessions ? authenticated_or_downgraded(e.rule->severity, e)
                                            : Decision{};
    case Kind::consecutive_days:
        return authenticated_or_downgraded(consecutive(e, t), e);
    case Kind::low_success:
        return low_rate(e, t) ? Decision{e.rule->severity, false} : Decision{};
    case Kind::silent_reporter:
        return e.days >= t.reporter_active_days ? Decision{e.rule->severity, false} : Decision{};
    case Kind::no_reports:
        return e.days < 0 || e.days >= t.no_report_days ? Decision{e.rule->severity, false}
                                                        : Decision{};
    }
    return {};
}

std::string hint(const Evidence& e) {
    if (!e.rule) return "";
    const std::string mx = e.mx.empty() ? "the MX hosts of " + e.domain : e.mx.front();
    std::string out = replace_all(std::string(e.rule->hint), "{mx}", mx);
    out = replace_all(out, "{domain}", e.domain);
    return replace_all(out, "{reporter}", e.reporter);
}

std::string figures(const Evidence& e) {
    if (!e.rule) return "";
    switch (e.rule->kind) {
    case Kind::low_success: {
        char rate[32];
        std::snprintf(rate, sizeof rate, "%.2f%%",
                      e.sessions
                          ? 100.0 * static_cast<double>(e.total) / static_cast<double>(e.sessions)
                          : 0.0);
        return std::string(rate) + " of " + plural(e.sessions, "session") + " on " + e.last + ", " +
               reports_figure(e);
    }
    case Kind::silent_reporter:
        return "reports on " + std::to_string(e.days) + " days before, none after " + e.last;
    case Kind::no_reports:
        return e.days < 0 ? "no report ever"
                          : "no report for " + plural(e.days, "day") + ", the last of " + e.last;
    default:
        break;
    }
    std::string out = plural(e.sessions, "failed session") + " on " + e.last + ", " +
                      plural(e.days, "day") + ", " + reports_figure(e);
    for (std::size_t i = 0; i < e.mx.size() && i < 3; ++i)
        out += (i ? ", " : "; mx ") + e.mx[i];
    if (e.mx.size() > 3) out += ", +" + std::to_string(e.mx.size() - 3);
    return out;
}

std::vector<Alert> select_alerts(const std::vector<Evidence>& found, const Thresholds& t) {
    std::vector<Alert> out;
    for (const Evidence& e : found) {
        const Decision d = decide(e, t);
        if (d.severity == Severity::ok) continue;
        const auto same = std::find_if(out.begin(), out.end(), [&](const Alert& a) {
            return a.evidence.rule == e.rule && a.evidence.domain == e.domain &&
                   a.evidence.reporter == e.reporter;
        });
        if (same == out.end())
            out.push_back({e, d});
        else if (e.last > same->evidence.last)
            *same = {e, d};
    }
    const auto key = [](const Alert& a) {
        return std::make_tuple(-static_cast<int>(a.decision.severity), a.evidence.domain,
                               a.evidence.rule - rule_table.data(), a.evidence.reporter);
    };
    std::sort(out.begin(), out.end(),
              [&](const Alert& a, const Alert& b) { return key(a) < key(b); });
    return out;
}

std::string last_day_at(UnixTime at) {
    return format_rfc3339(at - 86400).substr(0, 10);
}

} // namespace tlsrpt::store::alerts
