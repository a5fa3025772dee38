// schema_watch.cpp: the readiness of the database and the watcher thread that waits for it
// (schema_watch.hpp). The checks use the configuration of the current runtime, so a reload
// that fixes the Database setting is picked up by the next check.
#include "schema_watch.hpp"

#include "runtime.hpp"
#include "shared.hpp"

#include "tlsrpt/store_setup.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
#include <pwd.h>
#include <thread>
#include <unistd.h>

namespace milter {

namespace {

using namespace std::chrono_literals;

std::atomic<bool> g_ready{false};
std::atomic<bool> g_watching{false};
std::mutex g_log_mutex;
std::string g_last_logged; // the last problem logged, so a repeated one is logged less often
std::chrono::steady_clock::time_point g_last_logged_at;

constexpr auto kFirstDelay = 1s;
constexpr auto kMaxDelay = 60s;
constexpr auto kRepeatLog = 10min; // an unchanged problem is logged again this often

std::string os_user() {
    const passwd* pw = getpwuid(geteuid());
    return pw ? pw->pw_name : std::to_string(geteuid());
}

// Logs a problem with its fix when it is new or was last logged kRepeatLog ago.
void log_not_ready(const tlsrpt::store::SchemaCheck& check, const std::string& conninfo) {
    const std::string what = tlsrpt::store::describe(check);
    std::lock_guard lock(g_log_mutex);
    const auto now = std::chrono::steady_clock::now();
    if (what == g_last_logged && now - g_last_logged_at < kRepeatLog) return;
    g_last_logged = what;
    g_last_logged_at = now;
    log::warning("database not ready: " + what +
                 "; mail to report addresses gets 451 4.3.0 until it is, checked again with "
                 "a growing delay (up to 60 s)");
    for (const std::string& cmd : tlsrpt::store::setup_commands(check, conninfo, os_user()))
        log::warning("to set up the database: " + cmd);
}

bool check_once() {
    const auto rt = current_runtime();
    const Config& c = *rt->config;
    const auto check = tlsrpt::store::check_schema(c.database, c.database_timeout);
    if (check.state != tlsrpt::store::Readiness::ready) {
        log_not_ready(check, c.database);
        g_ready = false;
        return false;
    }
    if (check.have > check.want)
        log::warning("database schema version " + std::to_string(check.have) +
                     " is newer than this build's " + std::to_string(check.want));
    if (!g_ready.exchange(true)) log::info(tlsrpt::store::describe(check));
    std::lock_guard lock(g_log_mutex);
    g_last_logged.clear();
    return true;
}

} // namespace

bool check_database_now() {
    return check_once();
}

bool database_ready() {
    return g_ready;
}

void watch_database() {
    if (g_ready || g_watching.exchange(true)) return;
    std::thread([] {
        auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(kFirstDelay);
        while (!stopping()) {
            std::this_thread::sleep_for(delay);
            if (stopping() || check_once()) break;
            delay = std::min<std::chrono::milliseconds>(delay * 2, kMaxDelay);
        }
        g_watching = false;
        if (!g_ready && !stopping()) watch_database(); // a reload made it unready meanwhile
    }).detach();
}

} // namespace milter
