// man_page.hpp: the roff pieces of the configuration manual pages (tlsrpt-milter.conf(5),
// tlsrpt-httpd.conf(5)), which each program prints with --man-config from its settings table,
// so a page lists exactly the settings, defaults and help texts the parser and --dump-config
// use. The build runs --man-config; tests compare the page against the table.
#pragma once

#include <string>
#include <string_view>

namespace service::man {

// Text made safe for roff: backslashes escaped, no line starting with a control character,
// minus signs kept literal (options, negative numbers).
std::string roff_text(std::string_view text);

// One setting as a .TP paragraph: the name, its help text and its default (or an example).
std::string setting_entry(const char* name, const char* default_value, const char* example,
                          const char* help);

// `text` with @VERSION@ replaced by this build's version.
std::string with_version(std::string text);

// The page: `head` (up to .SH SETTINGS), one entry per row, then `tail`.
template <class Rows> std::string page(const char* head, const Rows& rows, const char* tail) {
    std::string out = with_version(head);
    for (const auto& s : rows)
        out += setting_entry(s.name, s.default_value, s.example, s.help);
    return out + with_version(tail);
}

} // namespace service::man
