// config_table.hpp: the milter's settings table (rows in config_settings.cpp) over the shared
// settings-table machinery of src/service; internal to the milter's config.
#pragma once

#include "config.hpp"

#include "service/settings_table.hpp"

#include <span>

namespace milter {

using Setting = service::Setting<Config>;

// Every setting, in the order of the sample file.
std::span<const Setting> settings();

} // namespace milter
