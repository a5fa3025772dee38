// auth_results.cpp: a tolerant reader for Authentication-Results (RFC 8601 §2.2) and the DKIM
// results of trusted verifiers in it. Input is untrusted header text: every loop advances, nothing
// recurses, and anything unreadable is skipped rather than refused.
#include "tlsrpt/auth_results.hpp"

#include "tlsrpt/text.hpp"

#include <algorithm>
#include <cctype>

namespace tlsrpt {

namespace {

enum class Tok { word, quoted, semicolon, equals, end };

struct Token {
    Tok kind = Tok::end;
    std::string text;
};

// Splits a field value into words, quoted-strings, ';' and '=', dropping CFWS (RFC 5322 §3.2.2:
// whitespace, folding and nested comments with quoted-pairs).
class Lexer {
  public:
    explicit Lexer(std::string_view s) : s_(s) {}

    Token next() {
        skip_cfws();
        if (pos_ >= s_.size()) return {};
        const char c = s_[pos_];
        if (c == ';' || c == '=') {
            ++pos_;
            return {c == ';' ? Tok::semicolon : Tok::equals, std::string(1, c)};
        }
        if (c == '"') return quoted();
        return word();
    }

  private:
    static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
    static bool ends_word(char c) {
        return is_space(c) || c == '(' || c == ')' || c == ';' || c == '=' || c == '"';
    }

    void skip_cfws() {
        while (pos_ < s_.size()) {
            if (is_space(s_[pos_])) {
                ++pos_;
            } else if (s_[pos_] == '(') {
                skip_comment();
            } else if (s_[pos_] == ')') {
                ++pos_; // a stray closing parenthesis: ignore it
            } else {
                return;
            }
        }
    }

    // RFC 5322 §3.2.2 comment: nested parentheses, backslash quotes the next character.
    void skip_comment() {
        int depth = 0;
        while (pos_ < s_.size()) {
            const char c = s_[pos_++];
            if (c == '\\') {
                ++pos_;
            } else if (c == '(') {
                ++depth;
            } else if (c == ')' && --depth == 0) {
                return;
            }
        }
    }

    Token quoted() {
        std::string text;
        ++pos_;
        while (pos_ < s_.size() && s_[pos_] != '"') {
            if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
            text += s_[pos_++];
        }
        ++pos_; // closing quote (or past the end)
        return {Tok::quoted, std::move(text)};
    }

    Token word() {
        const std::size_t start = pos_;
        while (pos_ < s_.size() && !ends_word(s_[pos_]))
            ++pos_;
        return {Tok::word, std::string(s_.substr(start, pos_ - start))};
    }

    std::string_view s_;
    std::size_t pos_ = 0;
};

bool all_digits(const std::string& s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

// "reason=..." or "ptype.property=value" (RFC 8601 §2.2 reasonspec / propspec).
void assign(AuthMethodResult& r, const std::string& key, std::string value) {
    const std::string k = to_lower(key);
    if (k == "reason") {
        r.reason = std::move(value);
        return;
    }
    const auto dot = k.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == k.size()) return;
    r.properties.push_back({k.substr(0, dot), k.substr(dot + 1), std::move(value)});
}

// Reads the properties after "method=result" up to the next ';' (left in `t`).
void read_properties(Lexer& lx, Token& t, AuthMethodResult& r) {
    while (t.kind != Tok::semicolon && t.kind != Tok::end) {
        if (t.kind != Tok::word) {
            t = lx.next();
            continue;
        }
        const std::string key = t.text;
        t = lx.next();
        if (t.kind != Tok::equals) continue;
        t = lx.next();
        if (t.kind == Tok::word || t.kind == Tok::quoted) {
            assign(r, key, std::move(t.text));
            t = lx.next();
        }
    }
}

// Reads one resinfo after its ';' (RFC 8601 §2.2); `t` ends on the next ';' or the end.
std::optional<AuthMethodResult> read_resinfo(Lexer& lx, Token& t) {
    t = lx.next();
    if (t.kind != Tok::word) return std::nullopt;
    std::string method = to_lower(t.text);
    method = method.substr(0, method.find('/')); // method-version, RFC 8601 §2.2
    t = lx.next();
    if (t.kind != Tok::equals) return std::nullopt; // "none" (no-result) or garbage
    t = lx.next();
    if (t.kind != Tok::word) return std::nullopt;
    AuthMethodResult r{std::move(method), to_lower(t.text), {}, {}};
    t = lx.next();
    read_properties(lx, t, r);
    return r;
}

std::string signer_domain(const AuthMethodResult& r) {
    std::string d = r.property("header", "d");
    if (d.empty()) {
        const std::string i = r.property("header", "i");
        const auto at = i.rfind('@');
        d = at == std::string::npos ? std::string() : i.substr(at + 1);
    }
    return normalize_domain(d);
}

} // namespace

std::string AuthMethodResult::property(std::string_view ptype, std::string_view name) const {
    for (const AuthProperty& p : properties)
        if (p.ptype == ptype && p.property == name) return p.value;
    return {};
}

std::optional<AuthResults> parse_auth_results(std::string_view value) {
    Lexer lx(value);
    Token t = lx.next();
    if (t.kind != Tok::word && t.kind != Tok::quoted) return std::nullopt;
    AuthResults ar;
    ar.authserv_id = std::move(t.text);
    t = lx.next();
    if (t.kind == Tok::word && all_digits(t.text)) t = lx.next(); // authres-version
    while (t.kind != Tok::end) {
        if (t.kind != Tok::semicolon) {
            t = lx.next();
            continue;
        }
        if (auto r = read_resinfo(lx, t)) ar.results.push_back(std::move(*r));
    }
    return ar;
}

std::vector<SignatureCheck> trusted_dkim_checks(const std::vector<std::string>& field_values,
                                                const std::vector<std::string>& trusted_ids) {
    std::vector<SignatureCheck> out;
    for (const std::string& value : field_values) {
        const auto ar = parse_auth_results(value);
        if (!ar) continue;
        const bool trusted =
            std::any_of(trusted_ids.begin(), trusted_ids.end(),
                        [&](const std::string& id) { return iequals(id, ar->authserv_id); });
        if (!trusted) continue;
        for (const AuthMethodResult& r : ar->results) {
            if (r.method != "dkim") continue;
            SignatureCheck c;
            c.domain = signer_domain(r);
            c.selector = r.property("header", "s");
            c.algorithm = to_lower(r.property("header", "a"));
            c.result = r.result;
            if (r.result != "pass")
                c.reason = "dkim=" + r.result + " according to " + ar->authserv_id +
                           (r.reason.empty() ? "" : " (" + r.reason + ")");
            c.source = "authserv:" + ar->authserv_id;
            out.push_back(std::move(c));
        }
    }
    return out;
}

} // namespace tlsrpt
