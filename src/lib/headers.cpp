// headers.cpp: RFC 5322 §2.2 header fields: split, walk, unfold. Linear, bounded by the input.
#include "tlsrpt/headers.hpp"

#include "tlsrpt/text.hpp"

#include <gmime/gmime.h>

#include <mutex>

namespace tlsrpt {

HeaderSplit split_header_section(std::string_view m) {
    if (m.substr(0, 1) == "\n") return {{}, m.substr(1)};
    if (m.substr(0, 2) == "\r\n") return {{}, m.substr(2)};
    for (std::size_t nl = m.find('\n'); nl != std::string_view::npos; nl = m.find('\n', nl + 1)) {
        const std::size_t next = nl + 1;
        if (m.substr(next, 1) == "\n") return {m.substr(0, next), m.substr(next + 1)};
        if (m.substr(next, 2) == "\r\n") return {m.substr(0, next), m.substr(next + 2)};
    }
    return {m, {}};
}

void for_each_header_field(std::string_view h,
                           const std::function<void(std::string_view, std::string_view)>& visit) {
    std::size_t pos = 0;
    while (pos < h.size()) {
        // a field runs until a line that does not start with whitespace
        std::size_t end = pos;
        do {
            const std::size_t nl = h.find('\n', end);
            end = nl == std::string_view::npos ? h.size() : nl + 1;
        } while (end < h.size() && (h[end] == ' ' || h[end] == '\t'));
        const std::string_view field = h.substr(pos, end - pos);
        const std::size_t colon = field.find(':');
        if (colon != std::string_view::npos && colon > 0 && field[0] != ' ' && field[0] != '\t') {
            std::string_view name = field.substr(0, colon);
            while (!name.empty() && (name.back() == ' ' || name.back() == '\t'))
                name.remove_suffix(1);
            visit(name, field.substr(colon + 1));
        }
        pos = end;
    }
}

std::string_view without_leading_trace(std::string_view m) {
    static constexpr std::string_view received = "received:";
    for (;;) {
        if (m.size() < received.size() || !iequals(m.substr(0, received.size()), received))
            return m;
        std::size_t end = m.find('\n'); // the field ends before a line not starting with WSP
        while (end != std::string_view::npos && end + 1 < m.size() &&
               (m[end + 1] == ' ' || m[end + 1] == '\t'))
            end = m.find('\n', end + 1);
        if (end == std::string_view::npos) return m;
        m.remove_prefix(end + 1);
    }
}

std::string unfold(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (char c : raw)
        if (c != '\r' && c != '\n') out += c;
    const auto first = out.find_first_not_of(" \t");
    if (first == std::string::npos) return {};
    const auto last = out.find_last_not_of(" \t");
    return out.substr(first, last - first + 1);
}

void init_gmime() {
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
}

namespace {

// RFC 2047 encoded-words, decoded by GMime.
std::string decode_words(std::string value) {
    if (value.find("=?") == std::string::npos) return value;
    init_gmime();
    char* decoded = g_mime_utils_header_decode_text(nullptr, value.c_str());
    if (!decoded) return value;
    std::string out = decoded;
    g_free(decoded);
    return out;
}

} // namespace

void capture_header(MessageHeaders& h, std::string_view name, std::string_view raw) {
    auto first = [&](std::string& slot, bool encoded_words) {
        if (!slot.empty()) return;
        slot = unfold(raw);
        if (encoded_words) slot = decode_words(std::move(slot));
    };
    if (iequals(name, "Authentication-Results"))
        h.authentication_results.push_back(unfold(raw));
    else if (iequals(name, "From"))
        first(h.from, true);
    else if (iequals(name, "Subject"))
        first(h.subject, true);
    else if (iequals(name, "Message-ID"))
        first(h.message_id, false);
    else if (iequals(name, "Date"))
        first(h.date, false);
    else if (iequals(name, "TLS-Report-Domain"))
        first(h.tls_report_domain, false);
    else if (iequals(name, "TLS-Report-Submitter"))
        first(h.tls_report_submitter, false);
}

} // namespace tlsrpt
