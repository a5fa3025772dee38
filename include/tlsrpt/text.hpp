// text.hpp: the small ASCII text helpers every stage needs (header names, domains, policy keys
// are ASCII and compared case-insensitively).
#pragma once

#include <string>
#include <string_view>

namespace tlsrpt {

// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b);

// ASCII lower-case copy.
std::string to_lower(std::string_view s);

// A domain name as stored and compared: ASCII lower case, surrounding blanks and angle
// brackets and the trailing dot(s) of a fully qualified name removed.
std::string normalize_domain(std::string_view d);

// Whether s holds an ASCII control character (NUL, C0, DEL).
bool has_control_character(std::string_view s);

// `s` made safe for a terminal or a page: ASCII control characters (ESC, NUL, ..., DEL), C1
// controls, bytes that are not UTF-8, and the invisible characters that reorder or hide text
// (bidi overrides and isolates, zero-width characters, line separators) become '?', so that no
// escape sequence and no disguised text from an untrusted source reaches the reader.
// keep_lines keeps \n, \r and \t (a whole message shown as text).
std::string printable(std::string_view s, bool keep_lines = false);

// Without leading and trailing whitespace.
std::string_view trim(std::string_view s);

// Length of the well-formed UTF-8 sequence starting at s[i] (RFC 3629 §4), 0 when there is none.
std::size_t utf8_length(std::string_view s, std::size_t i);

bool is_valid_utf8(std::string_view s);

} // namespace tlsrpt
