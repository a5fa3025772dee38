// config.cpp: the one table of settings (name, default, help, parser) and what is derived from
// it: the defaults, the file parser (refusing unknown keys and bad values with file:line) and
// the commented sample of --dump-config (shipped as contrib/tlsrpt-milter.conf.sample).
#include "config.hpp"

#include "tlsrpt/text.hpp"

#include "recipients.hpp"

#include "tlsrpt/policy_string.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <sstream>

namespace milter {

namespace {

using Parser = void (*)(Config&, const std::string&);

struct Setting {
    const char* name;
    const char* default_value; // as written in the file; "" = empty
    const char* example;       // shown in the sample when the default is empty
    const char* help;
    Parser parse;
};

std::string trim(std::string_view s) {
    return std::string(tlsrpt::trim(s));
}

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    std::string item;
    std::istringstream in(text);
    while (std::getline(in, item, ',')) {
        item = trim(item);
        if (!item.empty()) out.push_back(item);
    }
    return out;
}

std::size_t parse_count(const std::string& text, std::size_t min, std::size_t max) {
    const std::size_t v = parse_size(text);
    if (v < min || v > max)
        throw std::invalid_argument("must be between " + std::to_string(min) + " and " +
                                    std::to_string(max));
    return v;
}

OnInvalid parse_on_invalid(const std::string& text) {
    const std::string v = tlsrpt::to_lower(text);
    if (v == "quarantine") return OnInvalid::quarantine;
    if (v == "reject") return OnInvalid::reject;
    if (v == "pass") return OnInvalid::pass;
    throw std::invalid_argument("expected quarantine, reject or pass");
}

std::string parse_socket(const std::string& text) {
    const bool unix_path = text.rfind("unix:/", 0) == 0 || text.rfind("local:/", 0) == 0;
    const bool inet = (text.rfind("inet:", 0) == 0 || text.rfind("inet6:", 0) == 0) &&
                      text.find_first_of("0123456789") != std::string::npos;
    if (!unix_path && !inet)
        throw std::invalid_argument("expected unix:/path or inet:port@host (libmilter syntax)");
    return text;
}

std::vector<std::string> parse_addresses(const std::string& text) {
    std::vector<std::string> out;
    for (const std::string& a : split_list(text)) {
        std::string n = normalize_address(a);
        if (n.find('@') == std::string::npos || n.front() == '@' || n.back() == '@')
            throw std::invalid_argument("'" + a + "' is not an address (local@domain)");
        out.push_back(std::move(n));
    }
    return out;
}

mode_t parse_umask(const std::string& text) {
    if (text.empty() || text.size() > 4 || text.find_first_not_of("01234567") != std::string::npos)
        throw std::invalid_argument("expected an octal mask such as 007");
    return static_cast<mode_t>(std::stoul(text, nullptr, 8));
}

std::string parse_facility(const std::string& text) {
    static const char* known[] = {"mail",   "daemon", "user",   "local0", "local1", "local2",
                                  "local3", "local4", "local5", "local6", "local7"};
    const std::string v = tlsrpt::to_lower(text);
    for (const char* k : known)
        if (v == k) return v;
    throw std::invalid_argument("expected mail, daemon, user or local0..local7");
}

constexpr std::size_t kMaxSize = std::size_t{1} << 40;

// The table. Order is the order of the sample file.
const Setting kSettings[] = {
    {"Socket", "unix:/run/tlsrpt-milter/tlsrpt-milter.sock", "",
     "Where to listen for the MTA, in libmilter syntax: unix:/path/to/socket or\n"
     "inet:port@host (note: Postfix writes inet:host:port). Overridden by -p.",
     [](Config& c, const std::string& v) { c.socket = parse_socket(v); }},
    {"UserID", "", "tlsrpt-milter",
     "User (and its primary group) to run as after the socket is open. Empty: keep the\n"
     "identity the program was started with. Overridden by -u.",
     [](Config& c, const std::string& v) { c.user_id = v; }},
    {"PidFile", "", "/run/tlsrpt-milter/tlsrpt-milter.pid",
     "File to write the process id to. Empty: none. Overridden by -P.",
     [](Config& c, const std::string& v) { c.pid_file = v; }},
    {"UMask", "007", "",
     "Octal umask applied before the socket is created (007: the socket is usable by\n"
     "the owner and its group, e.g. add the postfix user to that group).",
     [](Config& c, const std::string& v) { c.umask = parse_umask(v); }},
    {"Database", "dbname=tlsrpt", "",
     "PostgreSQL connection string (libpq conninfo or service=NAME). The schema must be\n"
     "current: tlsrptctl db migrate --db '<conninfo>'.",
     [](Config& c, const std::string& v) { c.database = v; }},
    {"ReportAddresses", "", "tlsrpt@example.com, tls-reports@example.net",
     "Comma-separated report addresses (the rua=mailto: of your _smtp._tls TXT records).\n"
     "Compared case-insensitively; tlsrpt+anything@example.com matches\n"
     "tlsrpt@example.com. Mail to nobody in this list passes untouched. Required.",
     [](Config& c, const std::string& v) { c.report_addresses = parse_addresses(v); }},
    {"OnInvalid", "quarantine", "",
     "What to do with mail to a report address that holds no usable report:\n"
     "quarantine (keep it in tlsrpt.rejected_messages and drop it), reject (550 5.6.0),\n"
     "or pass (deliver it untouched).",
     [](Config& c, const std::string& v) { c.on_invalid = parse_on_invalid(v); }},
    {"RequireDKIM", "no", "",
     "yes: a report counts as usable only with a passing DKIM result, from a trusted\n"
     "Authentication-Results field, whose d= is the reporter's domain or a parent or\n"
     "child of it (RFC 8460 section 3). Needs a DKIM verifier milter (OpenDKIM) before\n"
     "this one. The result is stored with every report either way.",
     [](Config& c, const std::string& v) { c.require_dkim = parse_bool(v); }},
    {"TrustedAuthservIDs", "", "mx.example.com",
     "Comma-separated authserv-ids whose Authentication-Results fields are believed\n"
     "(your own verifier's). Empty: this host's name. Strip incoming copies of your\n"
     "own authserv-id at the border, or a sender can forge a result.",
     [](Config& c, const std::string& v) { c.trusted_authserv_ids = split_list(v); }},
    {"MaxMessageSize", "16M", "",
     "Largest message to a report address; larger ones get 552 5.3.4 as soon as the\n"
     "size is crossed. Suffixes k, M, G (powers of 1024).",
     [](Config& c, const std::string& v) {
         c.max_message_size = parse_count(v, 1024, kMaxSize);
         c.limits.max_message_size = c.max_message_size;
     }},
    {"MaxReportSize", "20M", "",
     "Largest report after decompression (gzip/zip bombs). Suffixes k, M, G.",
     [](Config& c, const std::string& v) {
         c.limits.max_decompressed_size = parse_count(v, 1024, kMaxSize);
     }},
    {"MaxReports", "32", "", "Most reports read from one message.",
     [](Config& c, const std::string& v) { c.limits.max_reports = parse_count(v, 1, 100000); }},
    {"MaxMimeParts", "64", "", "Most MIME parts in one message.",
     [](Config& c, const std::string& v) { c.limits.max_mime_parts = parse_count(v, 1, 100000); }},
    {"MaxMimeDepth", "8", "", "Deepest nesting of MIME multiparts.",
     [](Config& c, const std::string& v) { c.limits.max_mime_depth = parse_count(v, 1, 100); }},
    {"MaxJsonDepth", "16", "", "Deepest nesting of JSON objects and arrays in a report.",
     [](Config& c, const std::string& v) { c.limits.max_json_depth = parse_count(v, 5, 1000); }},
    {"MaxPolicies", "10000", "", "Most policies in one report.",
     [](Config& c, const std::string& v) { c.limits.max_policies = parse_count(v, 1, kMaxSize); }},
    {"MaxFailureDetails", "1000000", "", "Most failure-details entries in one report.",
     [](Config& c, const std::string& v) {
         c.limits.max_failure_details = parse_count(v, 1, kMaxSize);
     }},
    {"MaxStringLength", "64k", "", "Longest JSON string member of a report.",
     [](Config& c, const std::string& v) {
         c.limits.max_string_length = parse_count(v, 256, kMaxSize);
     }},
    {"DatabaseTimeout", "10", "",
     "Seconds to wait for a free database connection, and the statement timeout. When it\n"
     "passes the message gets 451 4.3.0 and the sender retries. Suffix ms for\n"
     "milliseconds.",
     [](Config& c, const std::string& v) {
         c.database_timeout = parse_duration(v);
         if (c.database_timeout.count() <= 0) throw std::invalid_argument("must be positive");
     }},
    {"DatabasePoolSize", "4", "",
     "Most database connections open at once; messages beyond it wait (see\n"
     "DatabaseTimeout).",
     [](Config& c, const std::string& v) { c.database_pool_size = parse_count(v, 1, 1000); }},
    {"ShutdownTimeout", "30", "",
     "Seconds SIGTERM waits for messages in flight before the process exits.",
     [](Config& c, const std::string& v) {
         c.shutdown_timeout = std::chrono::duration_cast<std::chrono::seconds>(parse_duration(v));
     }},
    {"Syslog", "yes", "", "yes: log to syslog; no: log to standard error.",
     [](Config& c, const std::string& v) { c.syslog = parse_bool(v); }},
    {"SyslogFacility", "mail", "", "Syslog facility: mail, daemon, user or local0..local7.",
     [](Config& c, const std::string& v) { c.syslog_facility = parse_facility(v); }},
};

const Setting* find_setting(const std::string& key) {
    for (const Setting& s : kSettings)
        if (tlsrpt::iequals(s.name, key)) return &s;
    return nullptr;
}

// Drops a comment: '#' at the start of the line or after whitespace.
std::string strip_comment(const std::string& line) {
    for (std::size_t i = 0; i < line.size(); ++i)
        if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t'))
            return line.substr(0, i);
    return line;
}

void apply(Config& c, const Setting& s, const std::string& value, const std::string& where) {
    try {
        s.parse(c, value);
    } catch (const std::exception& e) {
        throw ConfigError(where + ": bad value '" + value + "' for " + s.name + ": " + e.what());
    }
}

// Comment lines of a help text.
std::string commented(const char* help) {
    std::string out = "# ";
    for (const char* p = help; *p; ++p)
        out += *p == '\n' ? std::string("\n# ") : std::string(1, *p);
    return out + "\n";
}

} // namespace

const char* to_string(OnInvalid v) {
    switch (v) {
    case OnInvalid::quarantine:
        return "quarantine";
    case OnInvalid::reject:
        return "reject";
    case OnInvalid::pass:
        return "pass";
    }
    return "?";
}

std::size_t parse_size(const std::string& text) {
    std::size_t used = 0;
    if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0])))
        throw std::invalid_argument("expected a number");
    const unsigned long long n = std::stoull(text, &used);
    const std::string suffix = tlsrpt::to_lower(text.substr(used));
    unsigned shift = 0;
    if (suffix == "k")
        shift = 10;
    else if (suffix == "m")
        shift = 20;
    else if (suffix == "g")
        shift = 30;
    else if (!suffix.empty())
        throw std::invalid_argument("unknown suffix '" + suffix + "'");
    if (n > (kMaxSize >> shift)) throw std::invalid_argument("too large");
    return static_cast<std::size_t>(n << shift);
}

std::chrono::milliseconds parse_duration(const std::string& text) {
    std::size_t used = 0;
    if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0])))
        throw std::invalid_argument("expected a number of seconds");
    const unsigned long long n = std::stoull(text, &used);
    const std::string suffix = tlsrpt::to_lower(text.substr(used));
    if (n > 86400000ULL) throw std::invalid_argument("too large");
    if (suffix.empty() || suffix == "s") return std::chrono::seconds(n);
    if (suffix == "ms") return std::chrono::milliseconds(n);
    throw std::invalid_argument("unknown suffix '" + suffix + "' (use s or ms)");
}

bool parse_bool(const std::string& text) {
    const std::string v = tlsrpt::to_lower(text);
    if (v == "yes" || v == "true" || v == "on" || v == "1") return true;
    if (v == "no" || v == "false" || v == "off" || v == "0") return false;
    throw std::invalid_argument("expected yes or no");
}

Config default_config() {
    Config c;
    for (const Setting& s : kSettings)
        apply(c, s, s.default_value, "built-in default");
    return c;
}

Config parse_config(const std::string& text, const std::string& origin) {
    Config c = default_config();
    std::map<std::string, int> seen; // lower-case key -> line
    std::istringstream in(text);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        const std::string body = trim(strip_comment(line));
        if (body.empty()) continue;
        const std::string where = origin + ":" + std::to_string(n);
        const auto sp = body.find_first_of(" \t");
        const std::string key = body.substr(0, sp);
        const std::string value = sp == std::string::npos ? "" : trim(body.substr(sp));
        const Setting* s = find_setting(key);
        if (!s) throw ConfigError(where + ": unknown setting '" + key + "'");
        const auto [it, fresh] = seen.emplace(tlsrpt::to_lower(key), n);
        if (!fresh)
            throw ConfigError(where + ": " + s->name + " already set at line " +
                              std::to_string(it->second));
        apply(c, *s, value, where);
    }
    return c;
}

Config load_config(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(path + ": cannot read the configuration file");
    std::ostringstream text;
    text << in.rdbuf();
    return parse_config(text.str(), path);
}

void set_setting(Config& config, const std::string& name, const std::string& value,
                 const std::string& where) {
    const Setting* s = find_setting(name);
    if (!s) throw ConfigError(where + ": unknown setting '" + name + "'");
    apply(config, *s, value, where);
}

void validate(const Config& config, const std::string& origin) {
    if (config.report_addresses.empty())
        throw ConfigError(origin + ": ReportAddresses is not set: name at least one address");
    if (config.limits.max_decompressed_size < 1024)
        throw ConfigError(origin + ": MaxReportSize is too small");
}

std::string dump_config() {
    std::string out =
        "# tlsrpt-milter.conf: configuration of tlsrpt-milter, the SMTP TLS Reporting\n"
        "# (RFC 8460) receiver. Generated by `tlsrpt-milter --dump-config`.\n"
        "# Format: one `Key value` per line; '#' starts a comment. Keys are case-insensitive;\n"
        "# an unknown key or a bad value stops the milter at start (and a reload on SIGHUP\n"
        "# keeps the old configuration). Every setting is shown with its default.\n";
    for (const Setting& s : kSettings) {
        out += "\n" + commented(s.help);
        const std::string value = *s.default_value ? s.default_value : s.example;
        if (!*s.default_value) out += "# Default: empty. Example:\n";
        out += "#" + std::string(s.name) + " " + value + "\n";
    }
    return out;
}

} // namespace milter
