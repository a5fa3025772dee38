// main.cpp: tlsrpt-milter, the daemon. Reads the configuration (OpenDMARC-style flags), opens
// the milter socket, detaches, drops privileges, and runs libmilter. A database that is not
// ready (missing, no schema, too old) does not stop it: schema_watch.hpp logs the commands that
// set it up and checks again with a growing delay, and report recipients get 4xx meanwhile.
// Signals: SIGHUP reloads the configuration for new connections; SIGTERM/SIGINT turn new
// report recipients away with 4xx, let messages in flight finish (ShutdownTimeout), and exit.
//
// libmilter runs its own signal thread that stops the milter on SIGHUP. To reload instead,
// smfi_main runs in a second thread (libmilter blocks the signals there and in every thread it
// starts) while the main thread keeps them unblocked with handlers: Linux hands a process signal
// to the main thread first when it can take it. Should libmilter's thread win a race anyway,
// libmilter stops listening and the milter exits with status 70 (the service manager restarts
// it), as it does when libmilter's main loop ends for any other reason.
#include "callbacks.hpp"
#include "config.hpp"
#include "runtime.hpp"
#include "schema_watch.hpp"
#include "shared.hpp"

#include "service/cli.hpp"

#include "tlsrpt/store_setup.hpp"
#include "tlsrpt_config.h"

#include <libmilter/mfapi.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <memory>
#include <poll.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace {

using namespace milter;

const char* kUsage = R"(usage: tlsrpt-milter [-f] [-c FILE] [-p SOCKET] [-u USER] [-P PIDFILE]
       tlsrpt-milter -n [-c FILE]  |  --dump-config  |  --man-config  |  -V

Receives SMTP TLS reports (RFC 8460) mailed to the configured report addresses, as a milter
for Postfix or Sendmail, and stores them in PostgreSQL.

  -c FILE         configuration file (default /etc/tlsrpt-milter.conf)
  -f              stay in the foreground
  -p SOCKET       listen here (overrides Socket): unix:/path or inet:port@host
  -u USER         run as USER after opening the socket (overrides UserID)
  -P PIDFILE      write the process id here (overrides PidFile)
  -n              check the configuration and exit
  -V, --version   print the version
  --dump-config   print a commented sample configuration with every setting
  --man-config    print tlsrpt-milter.conf(5), the manual page of the settings (roff)
  -h, --help      this text
)";

const service::cli::Program kProgram{"tlsrpt-milter", "/etc/tlsrpt-milter.conf", kUsage, true};

using service::cli::Options;

// The configuration file with the command-line overrides applied, validated.
Config read_settings(const Options& o) {
    Config c = load_config(o.config_path);
    service::cli::apply_overrides(c, o, set_setting);
    validate(c, o.config_path);
    return c;
}

void warn_unreloadable(const Config& old, const Config& now) {
    auto warn = [](const char* name) {
        log::warning(std::string(name) + " changed: it takes effect at the next restart");
    };
    if (old.socket != now.socket) warn("Socket");
    if (old.user_id != now.user_id) warn("UserID");
    if (old.pid_file != now.pid_file) warn("PidFile");
    if (old.umask != now.umask) warn("UMask");
    if (old.syslog != now.syslog || old.syslog_facility != now.syslog_facility) warn("Syslog");
}

// SIGHUP: a new snapshot for new connections; the old one stays until its connections end.
void reload(const Options& o) {
    try {
        Config c = read_settings(o);
        const auto old = current_runtime();
        const bool new_database = c.database != old->config->database;
        // a working milter is not switched to a database it cannot store in; one that waits
        // for its database takes the new setting (and the watcher checks it next)
        if (new_database && database_ready()) {
            const auto check = tlsrpt::store::check_schema(c.database, c.database_timeout);
            if (check.state != tlsrpt::store::Readiness::ready &&
                check.state != tlsrpt::store::Readiness::unreachable) {
                log::error("reload refused, keeping the running configuration: the new Database "
                           "is not ready: " +
                           tlsrpt::store::describe(check));
                return;
            }
        }
        warn_unreloadable(*old->config, c);
        install_runtime(make_runtime(std::move(c), old.get()));
        log::info("reloaded configuration from " + o.config_path);
        if (new_database && !check_database_now()) watch_database();
    } catch (const std::exception& e) {
        log::error(std::string("reload failed, keeping the running configuration: ") + e.what());
    }
}

int g_signal_pipe[2] = {-1, -1};

extern "C" void on_signal(int sig) {
    const int saved = errno;
    const unsigned char b = static_cast<unsigned char>(sig);
    (void)!write(g_signal_pipe[1], &b, 1);
    errno = saved;
}

void install_signal_handlers() {
    if (pipe2(g_signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("pipe2");
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGHUP, SIGTERM, SIGINT})
        sigaction(sig, &sa, nullptr);
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGHUP, SIGTERM, SIGINT})
        sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

// Waits for the next signal (or a wake-up byte 0 from the milter thread).
int next_event() {
    for (;;) {
        pollfd p{g_signal_pipe[0], POLLIN, 0};
        if (poll(&p, 1, -1) < 0 && errno != EINTR) return 0;
        unsigned char b = 0;
        if (read(g_signal_pipe[0], &b, 1) == 1) return b;
    }
}

// What this process created and removes at exit: the locked pid file and its unix socket.
std::unique_ptr<daemon::PidFile> g_pid_file;
daemon::OwnSocket g_socket;

// SIGTERM/SIGINT: finish the messages in flight, then exit. Meanwhile report addresses get
// 451 4.3.2 at RCPT (the sender retries) and other mail passes as usual. smfi_stop() is not
// called first: Debian's libmilter (worker pool) drops idle sessions once stopped, and a
// message between two commands is such a session. status 70 (EX_SOFTWARE): libmilter's main
// loop ended by itself, so that the service manager (Restart=on-failure) starts a new milter.
[[noreturn]] void shut_down(const Config& c, int status) {
    log::info("stopping: waiting up to " + std::to_string(c.shutdown_timeout.count()) +
              " s for messages in flight");
    begin_stop();
    if (!wait_idle(c.shutdown_timeout)) log::warning("messages still in flight at exit");
    // The last answer is written by libmilter just after its callback returned.
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    daemon::remove_socket(g_socket);
    if (g_pid_file) g_pid_file->remove();
    log::info(status == 0 ? "stopped" : "stopped with status " + std::to_string(status));
    std::_Exit(status); // libmilter's threads still run: skip destructors and atexit handlers
}

// After install_signal_handlers() (before start(): a SIGHUP or SIGTERM while starting waits
// in the pipe instead of killing the process and leaving its socket and pid file behind).
[[noreturn]] void serve(const Options& o) {
    std::thread milter_thread([] {
        const int rc = smfi_main();
        log::error(std::string("libmilter's main loop ended") +
                   (rc == MI_SUCCESS ? " (stopped by a signal it caught)" : " with a failure") +
                   "; exiting with status 70 so that the milter is restarted");
        const unsigned char wake = 0; // the main loop shuts down
        (void)!write(g_signal_pipe[1], &wake, 1);
    });
    milter_thread.detach();
    log::info(std::string("started ") + TLSRPT_VERSION + " on " +
              current_runtime()->config->socket);
    // a missing database does not stop the milter (a fresh installation has none yet)
    if (!check_database_now()) watch_database();
    for (;;) {
        const int ev = next_event();
        if (ev == SIGHUP) {
            reload(o);
            continue;
        }
        shut_down(*current_runtime()->config, ev == 0 ? 70 : 0);
    }
}

// The pid file's lock first and a check that no milter listens on our unix socket (opening it
// unlinks what is there), then the socket (errors still reach the terminal), detach, the pid,
// identity.
void start(const Options& o, Config c) {
    std::optional<daemon::Identity> who;
    if (!c.user_id.empty()) who = daemon::lookup_user(c.user_id);
    if (!c.pid_file.empty()) g_pid_file = std::make_unique<daemon::PidFile>(c.pid_file);
    daemon::refuse_live_socket(c.socket);
    if (!register_callbacks()) throw std::runtime_error("smfi_register failed");
    std::string socket = c.socket;
    if (smfi_setconn(socket.data()) != MI_SUCCESS) throw std::runtime_error("smfi_setconn failed");
    umask(c.umask);
    if (smfi_opensocket(true) != MI_SUCCESS)
        throw std::runtime_error("cannot open socket " + c.socket);
    g_socket = daemon::own_socket(c.socket);
    if (who) daemon::chown_socket(g_socket, *who);
    log::use_syslog(c.syslog, c.syslog_facility); // before detach: later errors reach syslog
    if (!o.foreground) daemon::detach();
    if (g_pid_file) g_pid_file->write_pid();
    if (who) daemon::drop_privileges(*who);
    install_runtime(make_runtime(std::move(c), nullptr));
}

} // namespace

int main(int argc, char** argv) {
    return service::cli::main<Config>(kProgram, argc, argv, {dump_config, man_config},
                                      read_settings, [](const Options& o, Config c) -> int {
                                          install_signal_handlers();
                                          start(o, std::move(c));
                                          serve(o); // does not return
                                      });
}
