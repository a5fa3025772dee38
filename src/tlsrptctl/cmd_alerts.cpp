// cmd_alerts.cpp: `tlsrptctl alerts [--db C] [--json] [--textfile PATH] [--since T]
// [--domain D]... [--record] [thresholds]`: evaluates the alert rules of store/alerts.hpp over the
// stored reports and prints them (alerts_output.hpp). Exit status after the Nagios plugin
// convention: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (bad usage, the database unreachable or
// unmigrated, the textfile not written). --textfile writes the Prometheus form atomically (a
// temporary file in the same directory, renamed) and prints only the status line, unless --json.
// --record also writes the evaluation to the database (tlsrpt.current_alerts, the dashboard's alert
// table).
#include "alerts_output.hpp"
#include "cmd_store.hpp"

#include "store/migrations.hpp"
#include "tlsrpt/datetime.hpp"
#include "tlsrpt/json_writer.hpp"
#include "tlsrpt/text.hpp"

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <functional>
#include <iostream>
#include <sys/stat.h>
#include <unistd.h>

namespace tlsrptctl {

namespace {

namespace al = tlsrpt::store::alerts;
constexpr int exit_unknown = 3;

// The threshold options: name, what it sets (with its default), and how to read it.
struct Threshold {
    const char* name;
    const char* help;
    std::function<bool(al::Thresholds&, double)> set;
};

bool whole(double v) {
    return v >= 0 && v <= 1e9 && v == static_cast<double>(static_cast<long>(v));
}

const std::vector<Threshold>& threshold_options() {
    static const std::vector<Threshold> table = {
        {"dane-threshold", "tlsa rules: failed sessions on the last day above N (0)",
         [](al::Thresholds& t, double v) { return whole(v) && (t.dane_sessions = v, true); }},
        {"sts-warning-days", "sts rules: consecutive days for a warning (2)",
         [](al::Thresholds& t, double v) { return whole(v) && (t.sts_warning_days = v, true); }},
        {"sts-critical-days", "sts rules: consecutive days for critical (3)",
         [](al::Thresholds& t, double v) { return whole(v) && (t.sts_critical_days = v, true); }},
        {"min-success", "a day's success rate below P percent (99)",
         [](al::Thresholds& t, double v) {
             return v >= 0 && v <= 100 && (t.min_success = v, true);
         }},
        {"min-sessions", "... with at least N sessions (100)",
         [](al::Thresholds& t, double v) { return whole(v) && (t.min_sessions = v, true); }},
        {"reporter-days", "silent reporter: reports on N of the 7 days before (5)",
         [](al::Thresholds& t, double v) {
             return whole(v) && v <= 7 && (t.reporter_active_days = v, true);
         }},
        {"silent-days", "... and none for N complete days (2)",
         [](al::Thresholds& t, double v) {
             return whole(v) && v >= 1 && v <= 365 && (t.reporter_silent_days = v, true);
         }},
        {"no-report-days", "a domain without a report for N complete days (3)",
         [](al::Thresholds& t, double v) {
             return whole(v) && v >= 1 && (t.no_report_days = v, true);
         }},
    };
    return table;
}

std::string usage() {
    std::string out =
        "usage: tlsrptctl alerts [--db CONNINFO] [--json] [--textfile PATH] [--since TIME]\n"
        "                        [--domain D]... [--record] [THRESHOLD OPTIONS]\n"
        "  --since TIME   evaluate as at TIME (RFC 3339 date-time, or YYYY-MM-DD for its 00:00\n"
        "                 UTC; default now): the last day is the UTC day before TIME's\n"
        "  --domain D     only this policy domain (repeatable; default every domain seen)\n"
        "  --textfile P   write Prometheus gauges to P atomically, print only the status line\n"
        "  --record       store the evaluation in the database (view tlsrpt.current_alerts)\n"
        "exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN\nthresholds:\n";
    for (const Threshold& t : threshold_options())
        out += "  --" + std::string(t.name) + std::string(18 - std::strlen(t.name), ' ') + t.help +
               "\n";
    return out;
}

// Flags parse_options does not know (--json; --domain, which repeats) taken out of `args`.
struct Extracted {
    Args rest;
    std::vector<std::string> domains;
    bool json = false;
    bool record = false;
    bool ok = true;
};

Extracted extract(const Args& args) {
    Extracted out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--json") {
            out.json = true;
        } else if (args[i] == "--record") {
            out.record = true;
        } else if (args[i] == "--domain") { // stored domains are normalized: so are these
            if (i + 1 >= args.size())
                out.ok = false;
            else
                out.domains.push_back(tlsrpt::normalize_domain(args[++i]));
        } else if (args[i].rfind("--domain=", 0) == 0) {
            out.domains.push_back(tlsrpt::normalize_domain(args[i].substr(9)));
        } else {
            out.rest.push_back(args[i]);
        }
    }
    return out;
}

std::optional<tlsrpt::UnixTime> parse_since(const std::string& text) {
    if (text == "now") return std::time(nullptr);
    const std::string full = text.size() == 10 ? text + "T00:00:00Z" : text;
    const auto t = tlsrpt::parse_rfc3339(full);
    if (!t) return std::nullopt;
    return t->time;
}

std::optional<al::Thresholds> parse_thresholds(const Options& opts) {
    al::Thresholds t;
    for (const Threshold& th : threshold_options()) {
        const auto it = opts.values.find(th.name);
        if (it == opts.values.end()) continue;
        double v = -1;
        const auto [end, ec] =
            std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
        if (ec != std::errc() || end != it->second.data() + it->second.size() || !th.set(t, v)) {
            std::cerr << "tlsrptctl alerts: bad --" << th.name << " '" << it->second << "'\n";
            return std::nullopt;
        }
    }
    // runs of failure days are followed back a month (alerts_query.cpp)
    if (t.sts_warning_days > t.sts_critical_days || t.sts_critical_days > 31) {
        std::cerr << "tlsrptctl alerts: want --sts-warning-days <= --sts-critical-days <= 31\n";
        return std::nullopt;
    }
    return t;
}

// Writes `text` to a temporary file beside `path` and renames it over `path`.
bool write_atomically(const std::string& path, const std::string& text) {
    const std::size_t slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
    std::string tmp = dir + "/.tlsrpt-alerts.XXXXXX";
    const int fd = mkstemp(tmp.data());
    bool ok = fd >= 0;
    for (std::size_t done = 0; ok && done < text.size();) {
        const ssize_t n = write(fd, text.data() + done, text.size() - done);
        ok = n > 0 || (n < 0 && errno == EINTR);
        if (n > 0) done += static_cast<std::size_t>(n);
    }
    ok = ok && fchmod(fd, 0644) == 0 && fsync(fd) == 0;
    const int saved = errno;
    if (fd >= 0) ok = close(fd) == 0 && ok;
    ok = ok && rename(tmp.c_str(), path.c_str()) == 0;
    if (!ok) {
        std::cerr << "tlsrptctl alerts: cannot write " << path << ": "
                  << std::strerror(saved ? saved : errno) << "\n";
        if (fd >= 0) unlink(tmp.c_str());
        return false;
    }
    const int dirfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); // the rename too
    if (dirfd >= 0) {
        (void)fsync(dirfd);
        close(dirfd);
    }
    return true;
}

int unknown(const std::string& why, bool json) {
    const std::string line = "TLSRPT UNKNOWN - " + why;
    if (json)
        std::cout << "{\"status\":\"unknown\",\"exit\":3,\"summary\":"
                  << tlsrpt::JsonWriter().value(line).str() << "}\n";
    else
        std::cout << line << "\n";
    return exit_unknown;
}

} // namespace

int cmd_alerts(const Args& args) {
    const Extracted x = extract(args);
    std::vector<std::string> valued = {"textfile", "since"};
    for (const Threshold& t : threshold_options())
        valued.push_back(t.name);
    const auto opts = x.ok ? parse_options(x.rest, valued, "alerts") : std::nullopt;
    if (!opts || opts->help || !opts->positional.empty()) {
        (opts && opts->help ? std::cout : std::cerr) << usage();
        return opts && opts->help ? 0 : exit_unknown;
    }
    const auto since_it = opts->values.find("since");
    const auto at = parse_since(since_it == opts->values.end() ? "now" : since_it->second);
    const auto thresholds = parse_thresholds(*opts);
    if (!at || !thresholds) {
        if (!at) std::cerr << "tlsrptctl alerts: --since wants a date or an RFC 3339 time\n";
        return exit_unknown;
    }
    const tlsrpt::UnixTime now = std::time(nullptr);
    al::Evaluation result;
    try {
        auto conn = open_db(opts->db);
        if (!schema_ready(tlsrpt::store::schema_version(*conn)))
            return unknown("database schema not migrated", x.json);
        result = al::evaluate(*conn, *at, x.domains, *thresholds);
        if (x.record) al::record(*conn, result, x.domains);
    } catch (...) {
        db_failure("alerts");
        return unknown("database unavailable", x.json);
    }
    const auto textfile = opts->values.find("textfile");
    if (textfile != opts->values.end() &&
        !write_atomically(textfile->second, alerts::prometheus_text(result, now)))
        return unknown("cannot write " + textfile->second, x.json);
    if (x.json)
        std::cout << alerts::json(result, now);
    else if (textfile != opts->values.end())
        std::cout << alerts::status_line(result) << "\n";
    else
        std::cout << alerts::table(result);
    return alerts::exit_status(result);
}

} // namespace tlsrptctl
