// shared.hpp: the daemon pieces the milter shares with tlsrpt-httpd (src/service: logging,
// the database pool, the process chores) under the short names the milter's code uses.
#pragma once

#include "service/daemon.hpp"
#include "service/db_pool.hpp"
#include "service/log.hpp"

namespace milter {

namespace log = service::log;
namespace daemon = service::daemon;
using service::DbPool;

} // namespace milter
