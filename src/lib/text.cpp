// text.cpp: ASCII and UTF-8 helpers (text.hpp).
#include "tlsrpt/text.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace tlsrpt {

namespace {
// ASCII only, without std::tolower's locale lookup: header names and domains are ASCII.
char lower_char(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
}
} // namespace

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return lower_char(x) == lower_char(y);
           });
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), lower_char);
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

std::size_t utf8_length(std::string_view s, std::size_t i) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
    const unsigned char c = b(0);
    if (c < 0x80) return 1;
    const std::size_t n = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size() || (n == 2 && c < 0xC2) || (n == 4 && c > 0xF4)) return 0;
    for (std::size_t k = 1; k < n; ++k)
        if ((b(k) & 0xC0) != 0x80) return 0;
    if (n == 3 && ((c == 0xE0 && b(1) < 0xA0) || (c == 0xED && b(1) >= 0xA0))) return 0;
    if (n == 4 && ((c == 0xF0 && b(1) < 0x90) || (c == 0xF4 && b(1) >= 0x90))) return 0;
    return n;
}

bool has_control_character(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

namespace {

// The code point of the valid UTF-8 sequence of n bytes at s[i].
char32_t code_point(std::string_view s, std::size_t i, std::size_t n) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
    if (n == 1) return b(0);
    char32_t cp = b(0) & (0xFF >> (n + 1));
    for (std::size_t k = 1; k < n; ++k)
        cp = (cp << 6) | (b(k) & 0x3F);
    return cp;
}

// Characters that change how the text around them reads without showing themselves: every
// Default_Ignorable_Code_Point of Unicode (DerivedCoreProperties.txt: soft hyphen, zero-width
// characters, bidi embeddings, overrides and isolates (UAX #9; "Trojan Source",
// CVE-2021-42574), fillers, variation selectors, tag characters), the other format characters
// (Cf) that render as nothing, the spaces other than U+0020 (a hair space reads as nothing;
// the rest as a plain space), the blank braille pattern, the line and paragraph separators, C1
// controls and noncharacters. Two names differing only by these would look the same.
bool invisible(char32_t cp) {
    static constexpr std::pair<char32_t, char32_t> ranges[] = {
        {0x0080, 0x00A0},   {0x00AD, 0x00AD},   {0x034F, 0x034F},   {0x0600, 0x0605},
        {0x061C, 0x061C},   {0x06DD, 0x06DD},   {0x070F, 0x070F},   {0x0890, 0x0891},
        {0x08E2, 0x08E2},   {0x115F, 0x1160},   {0x1680, 0x1680},   {0x17B4, 0x17B5},
        {0x180B, 0x180F},   {0x2000, 0x200F},   {0x2028, 0x202F},   {0x205F, 0x206F},
        {0x2800, 0x2800},   {0x3000, 0x3000},   {0x3164, 0x3164},   {0xFDD0, 0xFDEF},
        {0xFE00, 0xFE0F},   {0xFEFF, 0xFEFF},   {0xFFA0, 0xFFA0},   {0xFFF0, 0xFFFB},
        {0x110BD, 0x110BD}, {0x110CD, 0x110CD}, {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3},
        {0x1D173, 0x1D17A}, {0xE0000, 0xE0FFF}};
    if ((cp & 0xFFFE) == 0xFFFE) return true; // U+xFFFE, U+xFFFF: noncharacters
    for (const auto& [low, high] : ranges)
        if (cp >= low && cp <= high) return true;
    return false;
}

} // namespace

std::string printable(std::string_view s, bool keep_lines) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t n = utf8_length(s, i);
        const bool line = keep_lines && (c == '\n' || c == '\r' || c == '\t');
        const bool control = n == 1 && (c < 0x20 || c == 0x7f) && !line;
        if (n == 0 || control || (n > 1 && invisible(code_point(s, i, n)))) {
            out += '?';
            i += n == 0 ? 1 : n;
            continue;
        }
        out.append(s.substr(i, n));
        i += n;
    }
    return out;
}

std::string normalize_domain(std::string_view d) {
    d = trim(d);
    while (!d.empty() && (d.front() == '<' || d.front() == ' '))
        d.remove_prefix(1);
    while (!d.empty() && (d.back() == '>' || d.back() == ' ' || d.back() == '.'))
        d.remove_suffix(1);
    return to_lower(d);
}

bool is_valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = utf8_length(s, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

} // namespace tlsrpt
