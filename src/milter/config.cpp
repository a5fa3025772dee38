// config.cpp: the one table of settings (name, default, help, parser) and what is derived from
// it: the defaults, the file parser (refusing unknown keys and bad values with file:line) and
// the commented sample of --dump-config (shipped as contrib/tlsrpt-milter.conf.sample).
#include "config_table.hpp"

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

std::string trim(std::string_view s) {
    return std::string(tlsrpt::trim(s));
}

const Setting* find_setting(const std::string& key) {
    for (const Setting& s : settings())
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
    if (suffix == "h" && n <= 24 * 365) return std::chrono::hours(n);
    throw std::invalid_argument("unknown suffix '" + suffix + "' (use s, ms or h)");
}

bool parse_bool(const std::string& text) {
    const std::string v = tlsrpt::to_lower(text);
    if (v == "yes" || v == "true" || v == "on" || v == "1") return true;
    if (v == "no" || v == "false" || v == "off" || v == "0") return false;
    throw std::invalid_argument("expected yes or no");
}

Config default_config() {
    Config c;
    for (const Setting& s : settings())
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
    for (const Setting& s : settings()) {
        out += "\n" + commented(s.help);
        const std::string value = *s.default_value ? s.default_value : s.example;
        if (!*s.default_value) out += "# Default: empty. Example:\n";
        out += "#" + std::string(s.name) + " " + value + "\n";
    }
    return out;
}

} // namespace milter
