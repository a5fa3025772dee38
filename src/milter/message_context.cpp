// message_context.cpp: collecting one message (see message_context.hpp).
#include "message_context.hpp"

#include "tlsrpt/headers.hpp"

#include <algorithm>
#include <cctype>

namespace milter {

std::string crlf_lines(std::string_view value) {
    std::string out;
    out.reserve(value.size() + 8);
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '\n' && (i == 0 || value[i - 1] != '\r')) out += '\r';
        out += value[i];
    }
    return out;
}

MessageContext::MessageContext(std::size_t max_size, bool leading_space)
    : max_size_(max_size), leading_space_(leading_space) {}

void MessageContext::add_recipient(std::string envelope, bool is_report_address) {
    if (is_report_address)
        report_recipients_.push_back(std::move(envelope));
    else
        ++other_recipients_;
}

bool MessageContext::append(std::string_view text) {
    seen_ += text.size();
    if (too_large_) return false;
    if (seen_ > max_size_) {
        too_large_ = true;
        std::string().swap(raw_);
        return false;
    }
    raw_.append(text);
    return true;
}

void MessageContext::remember_header(std::string_view name, const std::string& value) {
    tlsrpt::capture_header(headers_, name, value);
}

bool MessageContext::add_header(std::string_view name, std::string_view value) {
    const std::string v = crlf_lines(value);
    std::string line;
    line.reserve(name.size() + v.size() + 4);
    line.append(name).append(leading_space_ ? ":" : ": ").append(v).append("\r\n");
    if (!append(line)) return false;
    remember_header(name, v);
    return true;
}

bool MessageContext::end_of_headers() {
    if (in_body_) return !too_large_;
    in_body_ = true;
    return append("\r\n");
}

bool MessageContext::add_body(std::string_view chunk) {
    if (!in_body_ && !end_of_headers()) return false;
    return append(chunk);
}

} // namespace milter
