// config_table.hpp: the settings table behind config.cpp (internal to the milter's config):
// one row per setting; config_settings.cpp holds the rows.
#pragma once

#include "config.hpp"

#include <span>
#include <string>

namespace milter {

// The largest size a setting takes (1 TiB).
inline constexpr std::size_t kMaxSize = std::size_t{1} << 40;

using Parser = void (*)(Config&, const std::string&);

struct Setting {
    const char* name;
    const char* default_value; // as written in the file; "" = empty
    const char* example;       // shown in the sample when the default is empty
    const char* help;
    Parser parse;
};

// Every setting, in the order of the sample file.
std::span<const Setting> settings();

} // namespace milter
