// main.cpp: tlsrpt-httpd's entry point: options (the milter's -c -f -u -P -n -V and
// --dump-config), the configuration, the process chores (src/service/daemon.hpp), then the
// spool, its drainer and the HTTP server; SIGHUP reloads the configuration into a new server
// (certificates included), SIGTERM stops after the requests in flight.
#include "config.hpp"
#include "drainer.hpp"
#include "intake.hpp"
#include "metrics.hpp"
#include "server.hpp"
#include "spool.hpp"

#include "service/daemon.hpp"
#include "service/log.hpp"
#include "tlsrpt_config.h"

#include <csignal>
#include <getopt.h>
#include <iostream>
#include <memory>
#include <optional>
#include <unistd.h>

namespace {

using namespace httpd;
namespace log = service::log;
namespace daemon = service::daemon;

const std::string kDefaultConfig = std::string(TLSRPT_SYSCONFDIR) + "/tlsrpt-httpd.conf";

struct Options {
    std::string config_path = kDefaultConfig;
    bool foreground = false, check_only = false, dump = false, version = false;
    std::string user, pid_file;
};

void usage() {
    std::cerr << "usage: tlsrpt-httpd [-c FILE] [-f] [-u USER] [-P PIDFILE] [-n] [-V]\n"
                 "       tlsrpt-httpd --dump-config\n"
                 "  -c FILE  configuration (default "
              << kDefaultConfig
              << ")\n"
                 "  -f       stay in the foreground\n"
                 "  -u USER  run as USER once the ports are open (UserID)\n"
                 "  -P FILE  pid file (PidFile)\n"
                 "  -n       check the configuration and exit\n"
                 "  -V       print the version\n";
}

std::optional<Options> parse_options(int argc, char** argv) {
    static const option longopts[] = {{"dump-config", no_argument, nullptr, 'D'},
                                      {"version", no_argument, nullptr, 'V'},
                                      {"help", no_argument, nullptr, 'h'},
                                      {nullptr, 0, nullptr, 0}};
    Options o;
    int opt;
    while ((opt = getopt_long(argc, argv, "c:fu:P:nVh", longopts, nullptr)) != -1) {
        switch (opt) {
        case 'c':
            o.config_path = optarg;
            break;
        case 'f':
            o.foreground = true;
            break;
        case 'u':
            o.user = optarg;
            break;
        case 'P':
            o.pid_file = optarg;
            break;
        case 'n':
            o.check_only = true;
            break;
        case 'D':
            o.dump = true;
            break;
        case 'V':
            o.version = true;
            break;
        default:
            usage();
            return std::nullopt;
        }
    }
    if (optind != argc) {
        usage();
        return std::nullopt;
    }
    return o;
}

// The configuration file with the command-line overrides, checked.
Config read_settings(const Options& o) {
    Config c = load_config(o.config_path);
    if (!o.user.empty()) set_setting(c, "UserID", o.user, "-u");
    if (!o.pid_file.empty()) set_setting(c, "PidFile", o.pid_file, "-P");
    validate(c, o.config_path);
    return c;
}

void chown_spool(const std::string& dir, const daemon::Identity& who) {
    for (const char* sub : {"", "/tmp", "/new", "/bad"})
        if (chown((dir + sub).c_str(), who.uid, who.gid) != 0)
            throw std::runtime_error("cannot give " + dir + sub + " to " + who.name);
}

int run(const Options& o, Config first) {
    sigset_t sigs;
    sigemptyset(&sigs);
    for (int s : {SIGTERM, SIGINT, SIGHUP})
        sigaddset(&sigs, s);
    pthread_sigmask(SIG_BLOCK, &sigs, nullptr); // every thread made later inherits it
    std::signal(SIGPIPE, SIG_IGN);
    auto startup = std::make_unique<const Config>(std::move(first));
    const Config& c = *startup;
    std::optional<daemon::Identity> who;
    if (!c.user_id.empty()) who = daemon::lookup_user(c.user_id);
    std::unique_ptr<daemon::PidFile> pid;
    if (!c.pid_file.empty()) pid = std::make_unique<daemon::PidFile>(c.pid_file);
    log::use_syslog(c.syslog, c.syslog_facility);
    if (!o.foreground) daemon::detach();
    if (pid) pid->write_pid();
    Spool spool(c.spool_directory, c.spool_max_bytes);
    if (who) chown_spool(c.spool_directory, *who);
    metrics::serve(c.metrics_listen);
    metrics::spool(spool.bytes(), spool.files());
    Intake intake(c, spool);
    Drainer drainer(spool, intake); // drains what a crash or an outage left
    auto config = std::make_unique<const Config>(c);
    auto server = std::make_unique<Server>(*config, intake, drainer);
    if (who) daemon::drop_privileges(*who);
    log::info("listening: " + std::to_string(c.listen.size()) + " address(es), spool " +
              c.spool_directory + " holds " + std::to_string(spool.files()) + " reports");
    for (;;) {
        int sig = 0;
        if (sigwait(&sigs, &sig) != 0) continue;
        if (sig != SIGHUP) break;
        try { // the new server binds before the old one goes: a failure keeps the old one
            auto next = std::make_unique<const Config>(read_settings(o));
            server.reset(); // the ports are free again
            server = std::make_unique<Server>(*next, intake, drainer);
            config = std::move(next);
            log::info("reloaded " + o.config_path +
                      " (Database, DatabasePool*, Spool*, MaxDecompressedSize: at restart)");
        } catch (const std::exception& e) {
            log::error(std::string("reload refused: ") + e.what());
            if (!server) server = std::make_unique<Server>(*config, intake, drainer);
        }
    }
    log::info("stopping");
    server.reset(); // waits for requests in flight
    drainer.stop();
    if (pid) pid->remove();
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    log::set_program("tlsrpt-httpd");
    const auto o = parse_options(argc, argv);
    if (!o) return 64; // EX_USAGE
    if (o->dump) {
        std::cout << dump_config();
        return 0;
    }
    if (o->version) {
        std::cout << "tlsrpt-httpd " << TLSRPT_VERSION << "\n";
        return 0;
    }
    try {
        Config c = read_settings(*o);
        if (o->check_only) {
            std::cout << o->config_path << ": ok\n";
            return 0;
        }
        return run(*o, std::move(c));
    } catch (const ConfigError& e) {
        log::fatal(e.what());
        return 78; // EX_CONFIG
    } catch (const std::exception& e) {
        log::fatal(e.what());
        return 71; // EX_OSERR
    }
}
