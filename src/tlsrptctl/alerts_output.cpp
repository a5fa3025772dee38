// alerts_output.cpp: the plain, JSON and Prometheus forms of `tlsrptctl alerts` results
// (alerts_output.hpp). The status summary follows the Nagios plugin convention: "TLSRPT STATE -
// text", then "|" and performance data.
#include "alerts_output.hpp"

#include "tlsrpt/datetime.hpp"
#include "tlsrpt/json_writer.hpp"
#include "tlsrpt/text.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <vector>

namespace tlsrptctl::alerts {

namespace {

using al::Severity;

const char* state_name(int status) {
    static const char* const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
    return names[std::clamp(status, 0, 3)];
}

std::int64_t count(const al::Evaluation& e, Severity s) {
    return std::count_if(e.alerts.begin(), e.alerts.end(),
                         [s](const al::Alert& a) { return a.decision.severity == s; });
}

// Untrusted text for the one-line summary: printable, and no '|' (it starts perfdata).
std::string summary_text(std::string_view s) {
    std::string out = tlsrpt::printable(s);
    std::replace(out.begin(), out.end(), '|', '?');
    return out;
}

// "N RULE on D1, D2" per rule of the worst severity, in rule order.
std::string worst_alerts(const al::Evaluation& e, Severity worst) {
    std::vector<std::pair<std::string, std::vector<std::string>>> by_rule;
    for (const al::Alert& a : e.alerts) {
        if (a.decision.severity != worst) continue;
        const std::string rule(a.evidence.rule->name);
        auto it = std::find_if(by_rule.begin(), by_rule.end(),
                               [&](const auto& r) { return r.first == rule; });
        if (it == by_rule.end()) it = by_rule.insert(by_rule.end(), {rule, {}});
        if (std::find(it->second.begin(), it->second.end(), a.evidence.domain) == it->second.end())
            it->second.push_back(a.evidence.domain);
    }
    std::string out;
    for (const auto& [rule, domains] : by_rule) {
        std::int64_t n = 0;
        for (const al::Alert& a : e.alerts)
            n += a.decision.severity == worst && a.evidence.rule->name == rule;
        out += (out.empty() ? "" : "; ") + std::to_string(n) + " " + rule + " on ";
        for (std::size_t i = 0; i < domains.size() && i < 3; ++i)
            out += (i ? ", " : "") + summary_text(domains[i]);
        if (domains.size() > 3) out += " and " + std::to_string(domains.size() - 3) + " more";
    }
    return out;
}

std::string ids(const std::vector<std::int64_t>& reports) {
    std::string out;
    for (std::int64_t id : reports)
        out += (out.empty() ? "" : ",") + std::to_string(id);
    return out.empty() ? "-" : out;
}

void alert_json(tlsrpt::JsonWriter& w, const al::Alert& a) {
    const al::Evidence& v = a.evidence;
    w.begin_object().key("domain").value(v.domain);
    w.key("severity").value(al::to_string(a.decision.severity));
    w.key("rule").value(v.rule->name).key("rfc").value(v.rule->rfc);
    w.key("since").value(v.since).key("last").value(v.last);
    w.key("days").value(static_cast<std::int64_t>(v.days)).key("sessions").value(v.sessions);
    w.key("total").value(v.total);
    if (!v.reporter.empty()) w.key("reporter").value(v.reporter);
    w.key("mx").strings(v.mx).key("reports").begin_array();
    for (std::int64_t id : v.reports)
        w.value(id);
    w.end_array().key("authenticated").value(v.authenticated);
    w.key("downgraded").boolean(a.decision.downgraded);
    w.key("figures").value(al::figures(v)).key("hint").value(al::hint(v)).end_object();
}

} // namespace

int exit_status(const al::Evaluation& e) {
    if (count(e, Severity::critical)) return 2;
    return count(e, Severity::warning) ? 1 : 0;
}

std::string status_line(const al::Evaluation& e) {
    const int status = exit_status(e);
    const std::int64_t critical = count(e, Severity::critical);
    const std::int64_t warning = count(e, Severity::warning);
    std::string out = std::string("TLSRPT ") + state_name(status) + " - ";
    if (status == 0)
        out += "no alerts for " + std::to_string(e.domains) + " policy domains, last day " +
               e.last_day;
    else
        out += worst_alerts(e, status == 2 ? Severity::critical : Severity::warning);
    if (status == 2 && warning)
        out += " (and " + std::to_string(warning) + (warning == 1 ? " warning)" : " warnings)");
    return out + " | critical=" + std::to_string(critical) + " warning=" + std::to_string(warning) +
           " domains=" + std::to_string(e.domains);
}

// The lines after the status line: the last day, and each alert with hint and reports.
static std::string details(const al::Evaluation& e) {
    std::string out;
    out += "last day " + e.last_day + " (UTC report day; its reports arrive the day after)\n";
    if (e.alerts.empty()) return out;
    std::size_t width = 6;
    for (const al::Alert& a : e.alerts)
        width = std::max(width, tlsrpt::printable(a.evidence.domain).size());
    const auto pad = [](std::string s, std::size_t n) {
        return s.append(s.size() < n ? n - s.size() : 0, ' ');
    };
    out += pad("domain", width) + "  severity  " + pad("rule", 25) + "  " + pad("since", 10) +
           "  figures\n";
    for (const al::Alert& a : e.alerts) {
        const al::Evidence& v = a.evidence;
        out += pad(tlsrpt::printable(v.domain), width) + "  " +
               pad(al::to_string(a.decision.severity), 8) + "  " +
               pad(std::string(v.rule->name), 25) + "  " +
               pad(v.since.empty() ? "never" : v.since, 10) + "  " +
               tlsrpt::printable(al::figures(v)) + "\n";
        out += "    hint: " + tlsrpt::printable(al::hint(v)) + "\n";
        if (a.decision.downgraded)
            out += "    downgraded from critical: none of its reports of the evaluation days is "
                   "DKIM-authenticated "
                   "(RFC 8460 section 3)\n";
        out += "    reports: " + ids(v.reports) + "\n";
    }
    return out;
}

std::string table(const al::Evaluation& e) {
    std::string out = status_line(e) + "\n" + details(e);
    // Nagios reads a '|' in the long output as the start of performance data
    std::replace(out.begin() + static_cast<std::ptrdiff_t>(out.find('\n')), out.end(), '|', '?');
    return out;
}

std::string json(const al::Evaluation& e, tlsrpt::UnixTime evaluated_at) {
    tlsrpt::JsonWriter w;
    const int status = exit_status(e);
    w.begin_object().key("status").value(tlsrpt::to_lower(state_name(status)));
    w.key("exit").value(static_cast<std::int64_t>(status)).key("summary").value(status_line(e));
    w.key("evaluated_at").value(tlsrpt::format_rfc3339(evaluated_at));
    w.key("last_day").value(e.last_day).key("domains").value(e.domains);
    w.key("alerts").begin_array();
    for (const al::Alert& a : e.alerts)
        alert_json(w, a);
    w.end_array().end_object();
    return w.str() + "\n";
}

std::string escape_label(std::string_view value) {
    std::string out;
    for (const char c : tlsrpt::printable(value)) {
        if (c == '\\' || c == '"') out += '\\';
        out += c == '\n' ? std::string("\\n") : std::string(1, c);
    }
    return out;
}

std::string prometheus_text(const al::Evaluation& e, tlsrpt::UnixTime evaluated_at) {
    std::string out = "# HELP tlsrpt_alert An alert of tlsrptctl alerts that holds, by policy "
                      "domain, rule and severity.\n# TYPE tlsrpt_alert gauge\n";
    std::set<std::tuple<std::string, std::string, std::string>> seen;
    for (const al::Alert& a : e.alerts) {
        const auto labels =
            std::make_tuple(escape_label(a.evidence.domain), std::string(a.evidence.rule->name),
                            std::string(al::to_string(a.decision.severity)));
        if (!seen.insert(labels).second) continue;
        out += "tlsrpt_alert{domain=\"" + std::get<0>(labels) + "\",rule=\"" + std::get<1>(labels) +
               "\",severity=\"" + std::get<2>(labels) + "\"} 1\n";
    }
    return out +
           "# HELP tlsrpt_alerts_evaluated_timestamp_seconds When tlsrptctl alerts last "
           "evaluated the rules.\n# TYPE tlsrpt_alerts_evaluated_timestamp_seconds gauge\n"
           "tlsrpt_alerts_evaluated_timestamp_seconds " +
           std::to_string(evaluated_at) + "\n";
}

} // namespace tlsrptctl::alerts
