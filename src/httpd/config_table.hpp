// config_table.hpp: tlsrpt-httpd's settings table (rows in config_settings.cpp) over the
// shared machinery of src/service; internal to the httpd's config.
#pragma once

#include "config.hpp"

#include <span>

namespace httpd {

using Setting = service::Setting<Config>;

// Every setting, in the order of the sample file.
std::span<const Setting> settings();

} // namespace httpd
