// log.cpp: syslog or stderr output (see log.hpp).
#include "log.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <syslog.h>

namespace service::log {

namespace {

std::atomic<bool> g_syslog{false};
std::mutex g_stderr_mutex;
std::string g_program = "tlsrpt"; // set once at start, before any thread

int facility_code(const std::string& name) {
    if (name == "daemon") return LOG_DAEMON;
    if (name == "user") return LOG_USER;
    if (name.size() == 6 && name.rfind("local", 0) == 0 && name[5] >= '0' && name[5] <= '7') {
        static const int local[] = {LOG_LOCAL0, LOG_LOCAL1, LOG_LOCAL2, LOG_LOCAL3,
                                    LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7};
        return local[name[5] - '0'];
    }
    return LOG_MAIL;
}

int priority(Level level) {
    switch (level) {
    case Level::info:
        return LOG_INFO;
    case Level::warning:
        return LOG_WARNING;
    case Level::error:
        return LOG_ERR;
    case Level::fatal:
        return LOG_CRIT;
    }
    return LOG_ERR;
}

const char* prefix(Level level) {
    switch (level) {
    case Level::info:
        return "";
    case Level::warning:
        return "warning: ";
    case Level::error:
        return "error: ";
    case Level::fatal:
        return "fatal: ";
    }
    return "";
}

} // namespace

void set_program(const std::string& name) {
    g_program = name;
}

const std::string& program() {
    return g_program;
}

void use_syslog(bool enabled, const std::string& facility) {
    if (enabled) openlog(g_program.c_str(), LOG_PID | LOG_NDELAY, facility_code(facility));
    g_syslog = enabled;
}

void write(Level level, std::string_view line) {
    if (g_syslog) {
        syslog(priority(level), "%s%.*s", prefix(level), static_cast<int>(line.size()),
               line.data());
        return;
    }
    std::lock_guard lock(g_stderr_mutex);
    std::fprintf(stderr, "%s: %s%.*s\n", g_program.c_str(), prefix(level),
                 static_cast<int>(line.size()), line.data());
    std::fflush(stderr);
}

std::string quote(std::string_view value) {
    std::string v;
    for (char c : value.substr(0, 300)) {
        const unsigned char u = static_cast<unsigned char>(c);
        v += (u < 0x20 || u == 0x7f) ? ' ' : (c == '"' ? '\'' : c);
    }
    if (value.size() > 300) v += "...";
    const bool plain = !v.empty() && v.find_first_of(" \t=") == std::string::npos;
    return plain ? v : "\"" + v + "\"";
}

} // namespace service::log
