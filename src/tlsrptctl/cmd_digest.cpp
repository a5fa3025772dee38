// cmd_digest.cpp: `tlsrptctl digest [--db C] [--days N] [--domain D]... [--html FILE]
// [--mail-to ADDR]... [--mail-from ADDR] [--eml FILE] [--only-failures] [--last-day DAY] ...`:
// the daily digest an operator reads instead of the report mailbox (store/digest.hpp figures,
// store/alerts.hpp alerts, digest_render.hpp forms, digest_mail.hpp message). Without --html,
// --eml or --mail-to the text form goes to stdout (what cron mails). Exit statuses: see
// digest_usage.
#include "cmd_store.hpp"
#include "digest_mail.hpp"
#include "digest_render.hpp"

#include "store/migrations.hpp"
#include "tlsrpt/datetime.hpp"
#include "tlsrpt/text.hpp"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <netdb.h>
#include <pwd.h>
#include <unistd.h>

namespace tlsrptctl {

namespace {

namespace dg = tlsrpt::store::digest;
namespace al = tlsrpt::store::alerts;

const char* digest_usage =
    "usage: tlsrptctl digest [--db CONNINFO] [--days N] [--domain D]... [--html FILE]\n"
    "                        [--mail-to ADDR]... [--mail-from ADDR] [--eml FILE]\n"
    "                        [--only-failures] [--last-day YYYY-MM-DD] [--chart-days N]\n"
    "                        [--sendmail PATH] [--sendmail-timeout SECONDS]\n"
    "                        [--max-domains N] [--max-alerts N]\n"
    "  --days N          report days in the period, ending on the last day (default 1)\n"
    "  --last-day DAY    the period's last report day (default yesterday, UTC)\n"
    "  --domain D        only this policy domain (repeatable; default every domain seen)\n"
    "  --html FILE       write the HTML page to FILE\n"
    "  --mail-to ADDR    mail the digest to ADDR (repeatable) through `sendmail -t -oi`\n"
    "  --mail-from ADDR  the From: of the mail (default tlsrpt-digest@ this host)\n"
    "  --eml FILE        write the mail (RFC 5322, multipart/alternative) to FILE\n"
    "  --only-failures   send and write nothing when every domain is clean and no alert fired\n"
    "  --chart-days N    days the charts show (default 14, at least the period)\n"
    "  --sendmail PATH   the sendmail program (default /usr/sbin/sendmail)\n"
    "  --sendmail-timeout SECONDS  time sendmail has to take the mail and exit (default 120)\n"
    "  --max-domains N   domains shown (default 50): those vouched for by more DKIM\n"
    "                    signing domains first, then the most failed sessions\n"
    "  --max-alerts N    alerts shown, critical first (default 50)\n"
    "Without --html, --eml or --mail-to the text form is printed.\n"
    "Exit status: 0 done (or nothing to send under --only-failures); 1 an output or the mail\n"
    "failed, or the database has no tlsrpt schema yet (run `tlsrptctl db migrate`) or refused\n"
    "the query; 2 bad usage; 75 the database could not be reached or failed for now (also\n"
    "while the database named in --db does not exist yet).\n";

struct Request {
    dg::Request figures;
    std::vector<std::string> mail_to;
    std::string mail_from, html, eml, sendmail = "/usr/sbin/sendmail";
    int sendmail_timeout = 120, max_domains = 50, max_alerts = 50;
    bool only_failures = false;
};

// This host's name, fully qualified when the resolver knows it.
std::string host_name() {
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) != 0) return "localhost";
    addrinfo hints{};
    hints.ai_flags = AI_CANONNAME;
    addrinfo* res = nullptr;
    std::string out = name;
    if (getaddrinfo(name, nullptr, &hints, &res) == 0 && res) {
        if (res->ai_canonname && std::strchr(res->ai_canonname, '.')) out = res->ai_canonname;
        freeaddrinfo(res);
    }
    return tlsrpt::normalize_domain(out);
}

// Takes the repeatable options and the flags out of args; false after printing an error.
bool extract(const Args& args, Args& rest, Request& r) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        const bool domain = a == "--domain" || a.rfind("--domain=", 0) == 0;
        const bool to = a == "--mail-to" || a.rfind("--mail-to=", 0) == 0;
        if (a == "--only-failures") {
            r.only_failures = true;
        } else if (domain || to) {
            std::string value;
            if (a.find('=') != std::string::npos) {
                value = a.substr(a.find('=') + 1);
            } else if (i + 1 < args.size()) {
                value = args[++i];
            } else {
                std::cerr << "tlsrptctl digest: option " << a << " needs a value\n";
                return false;
            }
            if (domain) {
                const std::string d = tlsrpt::normalize_domain(value);
                if (d.empty() || d.size() > 1024) {
                    std::cerr << "tlsrptctl digest: --domain wants a domain name, not '"
                              << tlsrpt::printable(value.substr(0, 80)) << "'\n";
                    return false;
                }
                r.figures.domains.push_back(d);
            } else if (const auto m = digest::mailbox(value)) {
                r.mail_to.push_back(*m);
            } else {
                std::cerr << "tlsrptctl digest: --mail-to '" << tlsrpt::printable(value)
                          << "' is not one mail address\n";
                return false;
            }
        } else {
            rest.push_back(a);
        }
    }
    return true;
}

// The whole number of option --NAME (fallback when absent, low..100000); nullopt after saying
// why.
std::optional<int> whole_number(const Options& o, const char* name, int fallback, int low) {
    const auto it = o.values.find(name);
    if (it == o.values.end()) return fallback;
    const std::string& text = it->second;
    int n = -1;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size() || n < low || n > 100000) {
        std::cerr << "tlsrptctl digest: --" << name << " wants a whole number from " << low
                  << " to 100000, not '" << tlsrpt::printable(text.substr(0, 40)) << "'\n";
        return std::nullopt;
    }
    return n;
}

std::string value(const Options& o, const char* name, const std::string& fallback = "") {
    const auto it = o.values.find(name);
    return it == o.values.end() ? fallback : it->second;
}

// The request from the command line; nullopt after printing why.
std::optional<Request> parse(const Args& args, std::string& db, bool& help) {
    Request r;
    Args rest;
    if (!extract(args, rest, r)) return std::nullopt;
    const auto o = parse_options(rest,
                                 {"days", "html", "mail-from", "eml", "last-day", "chart-days",
                                  "sendmail", "sendmail-timeout", "max-domains", "max-alerts"},
                                 "digest");
    if (!o) return std::nullopt;
    help = o->help;
    if (o->help) return r;
    if (!o->positional.empty()) {
        std::cerr << "tlsrptctl digest: unexpected argument '"
                  << tlsrpt::printable(o->positional[0]) << "'\n";
        return std::nullopt;
    }
    db = o->db;
    const auto days = whole_number(*o, "days", 1, 1), chart = whole_number(*o, "chart-days", 14, 1);
    const auto timeout = whole_number(*o, "sendmail-timeout", 120, 1),
               max_domains = whole_number(*o, "max-domains", 50, 1),
               max_alerts = whole_number(*o, "max-alerts", 50, 1);
    if (!days || !chart || !timeout || !max_domains || !max_alerts) return std::nullopt;
    r.figures.days = *days;
    r.figures.chart_days = *chart;
    r.sendmail_timeout = *timeout;
    r.max_domains = *max_domains;
    r.max_alerts = *max_alerts;
    r.figures.last_day = value(*o, "last-day", al::last_day_at(std::time(nullptr)));
    if (!dg::periods(r.figures)) {
        std::cerr << "tlsrptctl digest: --last-day wants a date YYYY-MM-DD from 2000-01-01 to "
                     "9000-12-31, --days at most 3660\n";
        return std::nullopt;
    }
    r.html = value(*o, "html");
    r.eml = value(*o, "eml");
    r.sendmail = value(*o, "sendmail", r.sendmail);
    if (r.mail_to.empty() && r.eml.empty()) return r; // no mail: no From to check
    const std::string from = value(*o, "mail-from", "tlsrpt-digest@" + host_name());
    if (!digest::mailbox(from)) {
        std::cerr << "tlsrptctl digest: --mail-from '" << tlsrpt::printable(from)
                  << "' is not one mail address\n";
        return std::nullopt;
    }
    r.mail_from = from.find('<') == std::string::npos ? "TLS-RPT digest <" + from + ">" : from;
    return r;
}

bool write_file(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp";
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out || std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::cerr << "tlsrptctl digest: cannot write " << path << ": " << std::strerror(errno)
                  << "\n";
        std::remove(tmp.c_str());
        return false;
    }
    return true;
}

// Writes and sends what was asked for; the exit status.
int deliver(const Request& r, const digest::View& v) {
    const bool mail = !r.mail_to.empty() || !r.eml.empty();
    if (r.html.empty() && !mail) {
        std::cout << digest::text_body(v);
        return std::cout.flush() ? 0 : 1;
    }
    const std::string html = digest::html_page(v);
    bool ok = r.html.empty() || write_file(r.html, html);
    if (!mail) return ok ? 0 : 1;
    std::vector<std::string> to = r.mail_to;
    if (to.empty()) to.push_back("postmaster@" + v.host); // --eml alone: a complete message
    const std::string message = digest::build_message(
        {r.mail_from, to, digest::subject(v), digest::text_body(v), html, v.host});
    if (!r.eml.empty()) ok = write_file(r.eml, message) && ok;
    if (!r.mail_to.empty()) {
        const std::string error = digest::send_mail(r.sendmail, message, r.sendmail_timeout);
        if (!error.empty()) {
            std::cerr << "tlsrptctl digest: mail not sent: " << error << "\n";
            ok = false;
        }
    }
    return ok ? 0 : 1;
}

} // namespace

int cmd_digest(const Args& args) {
    std::string db;
    bool help = false;
    const auto r = parse(args, db, help);
    if (!r || help) {
        (help ? std::cout : std::cerr) << digest_usage;
        return help ? 0 : 2;
    }
    digest::View v;
    v.host = host_name();
    v.generated = tlsrpt::format_rfc3339(std::time(nullptr));
    v.max_domains = static_cast<std::size_t>(r->max_domains);
    v.max_alerts = static_cast<std::size_t>(r->max_alerts);
    try {
        auto conn = open_db(db);
        if (!schema_ready(tlsrpt::store::schema_version(*conn))) return 1;
        v.digest = dg::collect(*conn, r->figures);
        // evaluated as at the end of the last day: its alerts are those of the period's end
        const auto at = tlsrpt::parse_rfc3339(*dg::add_days(r->figures.last_day, 1) + "T00:00:00Z");
        v.alerts = al::evaluate(*conn, at->time, r->figures.domains, al::Thresholds{});
    } catch (...) {
        return db_failure("digest");
    }
    if (r->only_failures && digest::all_clean(v)) return 0;
    return deliver(*r, v);
}

} // namespace tlsrptctl
