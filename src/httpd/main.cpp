// main.cpp: tlsrpt-httpd's entry point: options (service/cli.hpp: the milter's -c -f -u -P -n
// -V and --dump-config), the configuration, the process chores (src/service/daemon.hpp), then the
// spool, its drainer and the HTTP server; SIGHUP reloads the configuration into a new server
// (certificates included), SIGTERM stops after the requests in flight.
#include "config.hpp"
#include "drainer.hpp"
#include "intake.hpp"
#include "metrics.hpp"
#include "server.hpp"
#include "spool.hpp"

#include "service/cli.hpp"
#include "service/daemon.hpp"
#include "service/log.hpp"

#include <csignal>
#include <memory>
#include <optional>
#include <unistd.h>

namespace {

using namespace httpd;
namespace log = service::log;
namespace daemon = service::daemon;

const char* kUsage = R"(usage: tlsrpt-httpd [-f] [-c FILE] [-u USER] [-P PIDFILE]
       tlsrpt-httpd -n [-c FILE]  |  --dump-config  |  --man-config  |  -V

Receives SMTP TLS reports (RFC 8460) that senders POST to the https: address of a TLS-RPT
record, and stores them in PostgreSQL; spools them durably while the database is away.

  -c FILE         configuration file (default /etc/tlsrpt-httpd.conf)
  -f              stay in the foreground
  -u USER         run as USER after opening the ports (overrides UserID)
  -P PIDFILE      write the process id here (overrides PidFile)
  -n              check the configuration and exit
  -V, --version   print the version
  --dump-config   print a commented sample configuration with every setting
  --man-config    print tlsrpt-httpd.conf(5), the manual page of the settings (roff)
  -h, --help      this text
)";

const service::cli::Program kProgram{"tlsrpt-httpd", "/etc/tlsrpt-httpd.conf", kUsage, false};

using service::cli::Options;

// The configuration file with the command-line overrides, checked.
Config read_settings(const Options& o) {
    Config c = load_config(o.config_path);
    service::cli::apply_overrides(c, o, set_setting);
    validate(c, o.config_path);
    try { // here, so that -n and a reload find a bad file before the running server goes
        check_tls_files(c);
    } catch (const std::runtime_error& e) {
        throw ConfigError(o.config_path + ": " + e.what());
    }
    return c;
}

void chown_spool(const std::string& dir, const daemon::Identity& who) {
    for (const char* sub : {"", "/tmp", "/new", "/bad"})
        if (chown((dir + sub).c_str(), who.uid, who.gid) != 0)
            throw std::runtime_error("cannot give " + dir + sub + " to " + who.name);
}

// After a failed reload: the running configuration's server again; false (logged) when even
// that cannot listen, so that the process stops and its service manager starts it afresh.
bool restart_old(std::unique_ptr<Server>& server, const Config& config, Intake& intake,
                 Drainer& drainer) {
    try {
        server = std::make_unique<Server>(config, intake, drainer);
        return true;
    } catch (const std::exception& e) {
        log::error(std::string("cannot listen again after the failed reload: ") + e.what() +
                   "; exiting");
        return false;
    }
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
    Spool spool(c.spool_directory, c.spool_max_bytes, c.spool_max_files);
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
    bool lost = false; // no server could listen after a reload
    for (;;) {
        int sig = 0;
        if (sigwait(&sigs, &sig) != 0) continue;
        if (sig != SIGHUP) break;
        try { // what can be checked is checked first; a failure keeps (or restarts) the old one
            auto next = std::make_unique<const Config>(read_settings(o));
            server.reset(); // the ports are free again
            server = std::make_unique<Server>(*next, intake, drainer);
            config = std::move(next);
            log::info("reloaded " + o.config_path +
                      " (Database, DatabasePool*, Spool*, MaxDecompressedSize: at restart)");
        } catch (const std::exception& e) {
            log::error(std::string("reload refused: ") + e.what());
        }
        if (!server && !restart_old(server, *config, intake, drainer)) {
            lost = true;
            break;
        }
    }
    log::info("stopping");
    server.reset(); // waits for requests in flight
    drainer.stop();
    if (pid) pid->remove();
    return lost ? service::cli::kFailed : 0;
}

} // namespace

int main(int argc, char** argv) {
    return service::cli::main<Config>(kProgram, argc, argv, {dump_config, man_config},
                                      read_settings, run);
}
