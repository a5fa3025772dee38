// cli.hpp: the command line both daemons share (OpenDMARC-style flags): -c FILE, -f, -u USER,
// -P PIDFILE, -n, -V, --dump-config, --man-config, -h, and -p SOCKET where the program has one;
// and main()'s frame around them: the version, the sample configuration and the manual page of
// the settings (both generated from the settings table), the configuration read and checked
// (-n stops there), then the program's run(). Exit status (sysexits.h): 64 a bad command line,
// 78 a bad configuration, 1 any other failure to start.
#pragma once

#include "service/log.hpp"
#include "service/settings_table.hpp"

#include <exception>
#include <functional>
#include <iostream>
#include <optional>
#include <string>

namespace service::cli {

constexpr int kUsage = 64;  // EX_USAGE
constexpr int kConfig = 78; // EX_CONFIG
constexpr int kFailed = 1;

struct Program {
    const char* name;           // "tlsrpt-httpd"
    const char* default_config; // "/etc/tlsrpt-httpd.conf"
    const char* usage;          // the -h text
    bool takes_socket = false;  // -p SOCKET
};

struct Options {
    std::string config_path;
    bool foreground = false, check_only = false, dump = false, man = false, version = false,
         help = false;
    std::string socket, user, pid_file; // overrides of Socket, UserID, PidFile when not empty
};

// This build's version (TLSRPT_VERSION).
const char* version();

// The options, or nullopt after printing what is wrong and the usage to standard error.
std::optional<Options> parse(const Program& program, int argc, char** argv);

// The command-line overrides as (setting, value, origin) for the program's set_setting().
template <typename Config, typename Set>
void apply_overrides(Config& c, const Options& o, Set set_setting) {
    if (!o.socket.empty()) set_setting(c, "Socket", o.socket, "-p");
    if (!o.user.empty()) set_setting(c, "UserID", o.user, "-u");
    if (!o.pid_file.empty()) set_setting(c, "PidFile", o.pid_file, "-P");
}

// What a program prints from its settings table: the commented sample (--dump-config) and
// its NAME.conf(5) manual page in roff (--man-config).
struct Generated {
    std::function<std::string()> sample;
    std::function<std::string()> man_page;
};

// main() of a daemon: `read` turns the options into a checked Config (throws ConfigError),
// `run` starts it and returns the exit status.
template <typename Config>
int main(const Program& program, int argc, char** argv, const Generated& generated,
         const std::function<Config(const Options&)>& read,
         const std::function<int(const Options&, Config)>& run) {
    log::set_program(program.name);
    const auto o = parse(program, argc, argv);
    if (!o) return kUsage;
    if (o->help) {
        std::cout << program.usage;
        return 0;
    }
    if (o->dump) {
        std::cout << generated.sample();
        return 0;
    }
    if (o->man) {
        std::cout << generated.man_page();
        return 0;
    }
    if (o->version) {
        std::cout << program.name << " " << version() << "\n";
        return 0;
    }
    try {
        Config c = read(*o);
        if (o->check_only) {
            std::cout << o->config_path << ": ok\n";
            return 0;
        }
        return run(*o, std::move(c));
    } catch (const ConfigError& e) {
        log::fatal(e.what());
        return kConfig;
    } catch (const std::exception& e) {
        log::fatal(e.what());
        return kFailed;
    }
}

} // namespace service::cli
