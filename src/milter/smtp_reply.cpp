// smtp_reply.cpp: the fixed reply codes and the text sanitizer (see smtp_reply.hpp).
#include "smtp_reply.hpp"

#include <cctype>

namespace milter {

namespace {

struct Fixed {
    const char* code;
    const char* xcode;
    const char* text;
};

Fixed fixed(ReplyKind kind) {
    switch (kind) {
    case ReplyKind::tempfail:
        return {"451", "4.3.0", "TLS report not stored, try again later"};
    case ReplyKind::shutting_down:
        return {"451", "4.3.2", "TLS report receiver shutting down, try again later"};
    case ReplyKind::dkim_tempfail:
        return {"451", "4.7.5", "DKIM key lookup failed, try again later"};
    case ReplyKind::too_large:
        return {"552", "5.3.4", "TLS report message too large"};
    case ReplyKind::invalid:
        return {"550", "5.6.0", "no usable TLS report"};
    }
    return {"451", "4.3.0", "internal error"};
}

bool is_digits(std::string_view s, std::size_t min, std::size_t max) {
    if (s.size() < min || s.size() > max) return false;
    for (char c : s)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

} // namespace

std::string sanitize_reply_text(std::string_view text, std::size_t max_length) {
    std::string out;
    for (char ch : text) {
        const unsigned char c = static_cast<unsigned char>(ch);
        const bool blank = c == ' ' || c == '\t' || c == '\r' || c == '\n';
        if (blank) {
            if (!out.empty() && out.back() != ' ') out += ' ';
            continue;
        }
        out += (c < 0x21 || c > 0x7e || c == '%') ? '?' : static_cast<char>(c);
    }
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    if (max_length < 4) max_length = 4;
    if (out.size() > max_length) out = out.substr(0, max_length - 3) + "...";
    return out.empty() ? "-" : out;
}

SmtpReply make_reply(ReplyKind kind, std::string_view detail) {
    const Fixed f = fixed(kind);
    std::string text = f.text;
    if (!detail.empty()) text += ": " + std::string(detail);
    return {f.code, f.xcode, sanitize_reply_text(text)};
}

bool is_valid_reply(const SmtpReply& r) {
    if (r.code.size() != 3 || (r.code[0] != '4' && r.code[0] != '5')) return false;
    if (!is_digits(r.code, 3, 3)) return false;
    const auto d1 = r.xcode.find('.');
    const auto d2 = r.xcode.find('.', d1 == std::string::npos ? 0 : d1 + 1);
    if (d1 != 1 || d2 == std::string::npos || r.xcode[0] != r.code[0]) return false;
    if (!is_digits(std::string_view(r.xcode).substr(2, d2 - 2), 1, 3)) return false;
    if (!is_digits(std::string_view(r.xcode).substr(d2 + 1), 1, 3)) return false;
    if (r.text.empty() || r.text.size() > 400) return false;
    for (char c : r.text)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e ||
            c == '%')
            return false;
    return true;
}

} // namespace milter
