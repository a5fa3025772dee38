// json_support.hpp: the small pieces the JSON stage (report_parse.cpp) walks with: lazily
// built JSON paths for error messages, the pre-scan of nesting depth and trailing content, the
// duplicate-member set, the stand-in report-id hash. Internal to src/lib.
#pragma once

#include "tlsrpt/error.hpp"

#include <simdjson.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tlsrpt::json {

using MaybeError = std::optional<Error>;

// A JSON path built lazily: the walk links one per level on the stack, and the text
// ("policies[2].failure-details[0].failed-session-count") is made only for an error.
class Path {
  public:
    Path(const char* root) : name_(root) {}
    Path(const Path* parent, std::string_view member) : parent_(parent), name_(member) {}
    Path(const Path* parent, std::size_t index) : parent_(parent), index_(index), is_index_(true) {}

    // "$" for the document itself, else the member path from it
    std::string str() const;

  private:
    std::string prefix() const { return !parent_ && name_.empty() ? std::string() : str(); }

    const Path* parent_ = nullptr;
    std::string_view name_;
    std::size_t index_ = 0;
    bool is_index_ = false;
};

Error invalid(const Path& path, const std::string& what);
Error json_error(const Path& path, simdjson::error_code e);

struct Shape {
    std::size_t max_depth = 0;
    bool trailing = false; // non-blank bytes after the top-level value closed
};

// Nesting depth and trailing content, counted outside strings. Runs before simdjson: On-Demand
// skips unknown members without a depth bound of its own and does not look past the value.
Shape json_shape(std::string_view s);

// FNV-1a, for a stable stand-in report-id when a sender leaves it out (digest §5).
std::string content_hash(std::string_view s);

// Remembers which members of one object were seen, to refuse duplicate names.
class SeenMembers {
  public:
    bool first_time(unsigned bit) {
        const bool seen = bits_ & (1u << bit);
        bits_ |= 1u << bit;
        return !seen;
    }
    bool has(unsigned bit) const { return bits_ & (1u << bit); }
    bool none() const { return bits_ == 0; }

  private:
    unsigned bits_ = 0;
};

} // namespace tlsrpt::json
