// json_writer.cpp: RFC 8259 §7 string escaping; bytes that are not valid UTF-8 become U+FFFD so
// the output is always valid JSON whatever a sender put in its strings.
#include "tlsrpt/json_writer.hpp"

#include "tlsrpt/text.hpp"

#include <cstdio>

namespace tlsrpt {

void JsonWriter::separate() {
    if (need_comma_) out_ += ',';
    need_comma_ = false;
}

JsonWriter& JsonWriter::begin_object() {
    separate();
    out_ += '{';
    return *this;
}

JsonWriter& JsonWriter::end_object() {
    out_ += '}';
    need_comma_ = true;
    return *this;
}

JsonWriter& JsonWriter::begin_array() {
    separate();
    out_ += '[';
    return *this;
}

JsonWriter& JsonWriter::end_array() {
    out_ += ']';
    need_comma_ = true;
    return *this;
}

JsonWriter& JsonWriter::key(std::string_view k) {
    separate();
    quote(k);
    out_ += ':';
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
    separate();
    quote(s);
    need_comma_ = true;
    return *this;
}

JsonWriter& JsonWriter::value(std::int64_t n) {
    separate();
    out_ += std::to_string(n);
    need_comma_ = true;
    return *this;
}

JsonWriter& JsonWriter::boolean(bool b) {
    separate();
    out_ += b ? "true" : "false";
    need_comma_ = true;
    return *this;
}

JsonWriter& JsonWriter::null() {
    separate();
    out_ += "null";
    need_comma_ = true;
    return *this;
}

JsonWriter& JsonWriter::strings(const std::vector<std::string>& list) {
    begin_array();
    for (const auto& s : list)
        value(s);
    return end_array();
}

void JsonWriter::quote(std::string_view s) {
    out_ += '"';
    for (std::size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '"' || c == '\\') {
            out_ += '\\';
            out_ += static_cast<char>(c);
        } else if (c == '\n' || c == '\r' || c == '\t') {
            out_ += '\\';
            out_ += c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        } else if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out_ += buf;
        } else if (c >= 0x80) {
            const std::size_t n = utf8_length(s, i);
            if (n == 0) {
                out_ += "\xEF\xBF\xBD";
                ++i;
                continue;
            }
            out_.append(s.substr(i, n));
            i += n;
            continue;
        } else {
            out_ += static_cast<char>(c);
        }
        ++i;
    }
    out_ += '"';
}

} // namespace tlsrpt
