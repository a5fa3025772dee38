// json_support.cpp: see json_support.hpp.
#include "json_support.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace tlsrpt::json {

namespace {

// Index of the quote closing the string that opens before `from`: a quote preceded by an even
// number of backslashes. npos when the string never closes.
std::size_t string_end(std::string_view s, std::size_t from) {
    for (std::size_t q = s.find('"', from); q != std::string_view::npos; q = s.find('"', q + 1)) {
        std::size_t backslashes = 0;
        while (q - backslashes > from && s[q - backslashes - 1] == '\\')
            ++backslashes;
        if (backslashes % 2 == 0) return q;
    }
    return std::string_view::npos;
}

} // namespace

std::string Path::str() const {
    const std::string out = parent_ ? parent_->prefix() : std::string();
    if (is_index_) return out + "[" + std::to_string(index_) + "]";
    if (!parent_ && name_.empty()) return "$";
    return out.empty() ? std::string(name_) : out + "." + std::string(name_);
}

Error invalid(const Path& path, const std::string& what) {
    return make_error(ErrorKind::invalid, path.str() + ": " + what);
}

Error json_error(const Path& path, simdjson::error_code e) {
    return make_error(ErrorKind::malformed,
                      "not valid JSON at " + path.str() + ": " + simdjson::error_message(e));
}

Shape json_shape(std::string_view s) {
    Shape shape;
    std::size_t depth = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '"') {
            i = string_end(s, i + 1);
            if (i == std::string_view::npos) break; // unterminated: simdjson names the error
        } else if (c == '{' || c == '[') {
            shape.max_depth = std::max(shape.max_depth, ++depth);
        } else if ((c == '}' || c == ']') && depth > 0 && --depth == 0) {
            const auto rest = s.find_first_not_of(" \t\r\n", i + 1);
            shape.trailing = rest != std::string_view::npos;
            break;
        }
    }
    return shape;
}

std::string content_hash(std::string_view s) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s)
        h = (h ^ c) * 1099511628211ull;
    char buf[24];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

} // namespace tlsrpt::json
