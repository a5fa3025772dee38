// man_page.cpp: roff escaping and the per-setting entries of the configuration manual pages
// (man_page.hpp).
#include "service/man_page.hpp"

#include "tlsrpt_config.h"

namespace service::man {

std::string roff_text(std::string_view text) {
    std::string out;
    bool line_start = true;
    for (const char c : text) {
        if (line_start && (c == '.' || c == '\'')) out += "\\&";
        line_start = c == '\n';
        if (c == '\\')
            out += "\\e";
        else if (c == '-')
            out += "\\-";
        else
            out += c;
    }
    return out;
}

std::string setting_entry(const char* name, const char* default_value, const char* example,
                          const char* help) {
    std::string out = ".TP\n.BI \"" + roff_text(name) + " \" value\n";
    out += roff_text(help) + "\n.br\n";
    if (*default_value)
        out += "Default: \\fB" + roff_text(default_value) + "\\fR.\n";
    else
        out += "Default: empty. Example: \\fB" + roff_text(example) + "\\fR.\n";
    return out;
}

std::string with_version(std::string text) {
    const std::string key = "@VERSION@";
    for (auto at = text.find(key); at != std::string::npos; at = text.find(key, at))
        text.replace(at, key.size(), TLSRPT_VERSION);
    return text;
}

} // namespace service::man
