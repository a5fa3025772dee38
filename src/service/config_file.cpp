// config_file.cpp: the non-template half of the settings-table machinery (settings_table.hpp):
// splitting a `Key value` file into lines, reading it, the sample's comment lines, and the value
// parsers every program's table uses (sizes, durations, booleans, counts, lists, IP:PORT,
// syslog facilities).
#include "settings_table.hpp"

#include "tlsrpt/dns.hpp"
#include "tlsrpt/text.hpp"

#include <cctype>
#include <fstream>
#include <sstream>

namespace service {

namespace {

std::string trim(std::string_view s) {
    return std::string(tlsrpt::trim(s));
}

// Drops a comment: '#' at the start of the line or after whitespace.
std::string strip_comment(const std::string& line) {
    for (std::size_t i = 0; i < line.size(); ++i)
        if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t'))
            return line.substr(0, i);
    return line;
}

} // namespace

std::vector<ConfigLine> split_config(const std::string& text) {
    std::vector<ConfigLine> out;
    std::istringstream in(text);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        const std::string body = trim(strip_comment(line));
        if (body.empty()) continue;
        const auto sp = body.find_first_of(" \t");
        out.push_back(
            {n, body.substr(0, sp), sp == std::string::npos ? "" : trim(body.substr(sp))});
    }
    return out;
}

std::string read_config_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(path + ": cannot read the configuration file");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string commented(const char* help) {
    std::string out = "# ";
    for (const char* p = help; *p; ++p)
        out += *p == '\n' ? std::string("\n# ") : std::string(1, *p);
    return out + "\n";
}

bool same_name(const std::string& a, const char* b) {
    return tlsrpt::iequals(a, b);
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

std::size_t parse_count(const std::string& text, std::size_t min, std::size_t max) {
    const std::size_t v = parse_size(text);
    if (v < min || v > max)
        throw std::invalid_argument("must be between " + std::to_string(min) + " and " +
                                    std::to_string(max));
    return v;
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

std::string parse_listen(const std::string& text) {
    if (text.empty()) return text;
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon + 1 >= text.size() ||
        text.find_first_not_of("0123456789", colon + 1) != std::string::npos)
        throw std::invalid_argument("expected IP:PORT, e.g. 127.0.0.1:9460");
    tlsrpt::dns::forwarder_address(text); // the same literal-address check
    return text;
}

std::string parse_facility(const std::string& text) {
    static const char* known[] = {"mail",   "daemon", "user",   "local0", "local1", "local2",
                                  "local3", "local4", "local5", "local6", "local7"};
    const std::string v = tlsrpt::to_lower(text);
    for (const char* k : known)
        if (v == k) return v;
    throw std::invalid_argument("expected mail, daemon, user or local0..local7");
}

} // namespace service
