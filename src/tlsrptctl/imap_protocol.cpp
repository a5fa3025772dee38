// imap_protocol.cpp: see imap_protocol.hpp.
#include "imap_protocol.hpp"

#include "tlsrpt/text.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace tlsrptctl::imap {

namespace {

// %XX decoding (RFC 3986 §2.1); nullopt on a broken escape or a decoded control character.
std::optional<std::string> percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '%') {
            unsigned v = 0;
            if (i + 2 >= s.size()) return std::nullopt;
            const auto [end, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
            if (ec != std::errc() || end != s.data() + i + 3) return std::nullopt;
            c = static_cast<char>(v);
            i += 2;
        }
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return std::nullopt;
        out += c;
    }
    return out;
}

// Calls visit(line) for each CRLF- or LF-terminated line of `text`.
template <typename F> void for_each_line(std::string_view text, F&& visit) {
    while (!text.empty()) {
        std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        visit(line);
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
}

// The words of `s` separated by spaces.
std::vector<std::string_view> words(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ' ')
            ++i;
        const std::size_t start = i;
        while (i < s.size() && s[i] != ' ')
            ++i;
        if (i > start) out.push_back(s.substr(start, i - start));
    }
    return out;
}

template <typename N> std::optional<N> number(std::string_view s) {
    N v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

// "* WORD rest" (case-insensitive WORD): rest, else nullopt.
std::optional<std::string_view> untagged(std::string_view line, std::string_view word) {
    if (line.size() < word.size() + 2 || line.substr(0, 2) != "* ") return std::nullopt;
    if (!tlsrpt::iequals(line.substr(2, word.size()), word)) return std::nullopt;
    std::string_view rest = line.substr(2 + word.size());
    if (!rest.empty() && rest.front() != ' ') return std::nullopt;
    return rest;
}

} // namespace

bool is_imap_url(std::string_view word) {
    const std::string lower = tlsrpt::to_lower(word.substr(0, 8));
    return lower.rfind("imap://", 0) == 0 || lower.rfind("imaps://", 0) == 0;
}

ParsedTarget parse_url(std::string_view url) {
    ParsedTarget out;
    Target t;
    const std::string lower = tlsrpt::to_lower(url.substr(0, 8));
    if (lower.rfind("imaps://", 0) == 0) {
        url.remove_prefix(8);
    } else if (lower.rfind("imap://", 0) == 0) {
        url.remove_prefix(7);
        t.implicit_tls = false;
        t.port = 143;
    } else {
        out.error = "not an imap:// or imaps:// URL";
        return out;
    }
    const std::size_t slash = url.find('/');
    std::string_view authority = url.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? "" : url.substr(slash + 1);
    const std::size_t at = authority.rfind('@');
    if (at == std::string_view::npos) {
        out.error = "no user: write imaps://USER@HOST/MAILBOX (a '@' in USER as %40)";
        return out;
    }
    std::string_view user = authority.substr(0, at), hostport = authority.substr(at + 1);
    if (user.find(':') != std::string_view::npos || user.find(';') != std::string_view::npos) {
        out.error = "a password or ;AUTH= in the URL: give the password with --password-file, "
                    "~/.netrc or TLSRPT_IMAP_PASSWORD, never on the command line";
        return out;
    }
    const auto decoded_user = percent_decode(user);
    if (!decoded_user || decoded_user->empty()) {
        out.error = "the user name is empty or badly %-escaped";
        return out;
    }
    t.user = *decoded_user;
    std::string_view port;
    bool port_given = false;
    if (!hostport.empty() && hostport.front() == '[') {
        const std::size_t close = hostport.find(']');
        if (close == std::string_view::npos) {
            out.error = "unclosed '[' in the host";
            return out;
        }
        t.host = std::string(hostport.substr(1, close - 1));
        std::string_view after = hostport.substr(close + 1);
        if (!after.empty() && after.front() != ':') {
            out.error = "junk after the IPv6 address";
            return out;
        }
        port_given = !after.empty();
        if (port_given) port = after.substr(1);
    } else {
        const std::size_t colon = hostport.find(':');
        t.host = std::string(hostport.substr(0, colon));
        port_given = colon != std::string_view::npos;
        if (port_given) port = hostport.substr(colon + 1);
    }
    const bool host_ok = !t.host.empty() && std::all_of(t.host.begin(), t.host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':';
    });
    if (!host_ok) {
        out.error = "no host, or a host with characters no host name has";
        return out;
    }
    if (port_given) {
        const auto p = number<int>(port);
        if (!p || *p < 1 || *p > 65535) {
            out.error = "the port is not a number from 1 to 65535";
            return out;
        }
        t.port = *p;
    }
    if (path.find(';') != std::string_view::npos || path.find('?') != std::string_view::npos) {
        out.error = "the mailbox part holds ';' or '?': name only the mailbox (UIDs are ours)";
        return out;
    }
    while (!path.empty() && path.back() == '/')
        path.remove_suffix(1);
    if (!path.empty()) {
        const auto mailbox = percent_decode(path);
        if (!mailbox || !quote(*mailbox)) {
            out.error = "the mailbox name is badly %-escaped or not plain ASCII";
            return out;
        }
        t.mailbox = *mailbox;
    }
    out.target = t;
    return out;
}

std::string describe(const Target& t) {
    const bool v6 = t.host.find(':') != std::string::npos;
    return std::string(t.implicit_tls ? "imaps://" : "imap://") + t.user + "@" +
           (v6 ? "[" + t.host + "]" : t.host) + ":" + std::to_string(t.port) + "/" + t.mailbox;
}

std::optional<std::string> quote(std::string_view mailbox) {
    if (mailbox.empty()) return std::nullopt;
    std::string out = "\"";
    for (char c : mailbox) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7f) return std::nullopt;
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string with_delimiter(std::string_view name, char delimiter) {
    std::string out(name);
    if (delimiter != '\0') std::replace(out.begin(), out.end(), '/', delimiter);
    return out;
}

std::map<Uid, std::uint64_t> parse_sizes(std::string_view response, bool skip_deleted) {
    std::map<Uid, std::uint64_t> out;
    for_each_line(response, [&](std::string_view line) {
        if (line.substr(0, 2) != "* ") return;
        const std::size_t open = line.find('(');
        const std::size_t close = line.rfind(')');
        if (open == std::string_view::npos || close == std::string_view::npos || close < open)
            return;
        const auto head = words(line.substr(2, open - 2));
        if (head.size() != 2 || !tlsrpt::iequals(head[1], "FETCH")) return;
        const std::string_view inner = line.substr(open + 1, close - open - 1);
        if (skip_deleted) {
            const std::size_t flags = tlsrpt::to_lower(inner).find("flags (");
            const std::size_t end = flags == std::string::npos ? flags : inner.find(')', flags);
            if (end != std::string_view::npos &&
                tlsrpt::to_lower(inner.substr(flags, end - flags)).find("\\deleted") !=
                    std::string::npos)
                return;
        }
        const auto items = words(inner);
        std::optional<Uid> uid;
        std::optional<std::uint64_t> size;
        for (std::size_t i = 0; i + 1 < items.size(); ++i) {
            if (tlsrpt::iequals(items[i], "UID")) uid = number<Uid>(items[i + 1]);
            if (tlsrpt::iequals(items[i], "RFC822.SIZE"))
                size = number<std::uint64_t>(items[i + 1]);
        }
        if (uid && size && *uid != 0) out[*uid] = *size;
    });
    return out;
}

std::optional<std::uint64_t> parse_status_messages(std::string_view response) {
    std::optional<std::uint64_t> out;
    for_each_line(response, [&](std::string_view line) {
        if (out || !untagged(line, "STATUS")) return;
        const std::size_t open = line.rfind('(');
        if (open == std::string_view::npos) return;
        const auto items = words(line.substr(open + 1, line.find(')', open) - open - 1));
        for (std::size_t i = 0; i + 1 < items.size(); ++i)
            if (tlsrpt::iequals(items[i], "MESSAGES")) out = number<std::uint64_t>(items[i + 1]);
    });
    return out;
}

std::set<std::string> parse_capabilities(std::string_view response) {
    std::set<std::string> out;
    for_each_line(response, [&](std::string_view line) {
        const auto rest = untagged(line, "CAPABILITY");
        if (!rest) return;
        for (std::string_view w : words(*rest)) {
            std::string upper(w);
            for (char& c : upper)
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            out.insert(upper);
        }
    });
    return out;
}

std::optional<char> parse_list_delimiter(std::string_view response) {
    std::optional<char> out;
    for_each_line(response, [&](std::string_view line) {
        if (out) return;
        const auto rest = untagged(line, "LIST");
        if (!rest) return;
        const std::size_t close = rest->find(')');
        if (close == std::string_view::npos) return;
        std::string_view d = rest->substr(close + 1);
        while (!d.empty() && d.front() == ' ')
            d.remove_prefix(1);
        if (d.size() >= 3 && tlsrpt::iequals(d.substr(0, 3), "NIL")) {
            out = '\0';
        } else if (d.size() >= 4 && d[0] == '"' && d[1] == '\\' && d[3] == '"') {
            out = d[2];
        } else if (d.size() >= 3 && d[0] == '"' && d[2] == '"') {
            out = d[1];
        }
    });
    return out;
}

bool has_list_line(std::string_view response) {
    bool found = false;
    for_each_line(response,
                  [&](std::string_view line) { found = found || untagged(line, "LIST"); });
    return found;
}

} // namespace tlsrptctl::imap
