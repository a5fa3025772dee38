// text.hpp: the small ASCII text helpers every stage needs (header names, domains, policy keys
// are ASCII and compared case-insensitively).
#pragma once

#include <string>
#include <string_view>

namespace tlsrpt {

// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b);

// ASCII lower-case copy.
std::string to_lower(std::string_view s);

// Without leading and trailing whitespace.
std::string_view trim(std::string_view s);

} // namespace tlsrpt
