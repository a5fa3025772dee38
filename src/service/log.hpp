// log.hpp: the daemons' logging (shared by tlsrpt-milter and tlsrpt-httpd): syslog (facility from
// the config) or standard error, one line per call. Severities mean one thing each: info (a message
// outcome), warning (the peer's or the environment's fault, carrying on), error (our operation
// failed), fatal (exiting).
#pragma once

#include <string>
#include <string_view>

namespace service::log {

enum class Level { info, warning, error, fatal };

// Names the program in every line (the syslog ident, the stderr prefix); call first.
void set_program(const std::string& name);
const std::string& program();

// Switches to syslog (ident: the program name) or back to standard error.
void use_syslog(bool enabled, const std::string& facility);

void write(Level level, std::string_view line);

inline void info(std::string_view line) {
    write(Level::info, line);
}
inline void warning(std::string_view line) {
    write(Level::warning, line);
}
inline void error(std::string_view line) {
    write(Level::error, line);
}
inline void fatal(std::string_view line) {
    write(Level::fatal, line);
}

// A value for a key=value log line: quoted with "" when it holds blanks, quotes or '=', with
// control characters replaced; bounded to 300 characters.
std::string quote(std::string_view value);

} // namespace service::log
