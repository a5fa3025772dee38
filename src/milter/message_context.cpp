// message_context.cpp: collecting one message (see message_context.hpp).
#include "message_context.hpp"

#include "tlsrpt/headers.hpp"

#include <algorithm>
#include <cctype>

namespace milter {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

} // namespace

std::string crlf_lines(std::string_view value) {
    std::string out;
    out.reserve(value.size() + 8);
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '\n' && (i == 0 || value[i - 1] != '\r')) out += '\r';
        out += value[i];
    }
    return out;
}

MessageContext::MessageContext(std::size_t max_size) : max_size_(max_size) {}

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
    auto set_once = [&](std::string& field) {
        if (field.empty()) field = tlsrpt::unfold(value);
    };
    if (iequals(name, "From"))
        set_once(headers_.from);
    else if (iequals(name, "Subject"))
        set_once(headers_.subject);
    else if (iequals(name, "Message-ID"))
        set_once(headers_.message_id);
    else if (iequals(name, "Date"))
        set_once(headers_.date);
    else if (iequals(name, "TLS-Report-Domain"))
        set_once(headers_.tls_report_domain);
    else if (iequals(name, "TLS-Report-Submitter"))
        set_once(headers_.tls_report_submitter);
    else if (iequals(name, "Authentication-Results"))
        headers_.authentication_results.push_back(tlsrpt::unfold(value));
}

bool MessageContext::add_header(std::string_view name, std::string_view value) {
    const std::string v = crlf_lines(value);
    std::string line;
    line.reserve(name.size() + v.size() + 4);
    line.append(name).append(": ").append(v).append("\r\n");
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
