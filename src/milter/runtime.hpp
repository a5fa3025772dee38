// runtime.hpp: what every libmilter thread shares: the current configuration with its database
// pool, swapped as one on SIGHUP (a connection keeps the snapshot it started with, so a reload
// never disturbs a message in flight), and the in-flight count SIGTERM waits for.
#pragma once

#include "config.hpp"
#include "shared.hpp"

#include "tlsrpt/dkim_verify.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace milter {

struct Runtime {
    std::shared_ptr<const Config> config;
    std::shared_ptr<DbPool> pool;
    std::vector<std::string> trusted_authserv_ids;    // TrustedAuthservIDs, or this host's name
    std::shared_ptr<const tlsrpt::DkimVerifier> dkim; // null when DKIMVerify is off
    std::vector<std::string> metrics_domains;         // MetricsDomains, or the report domains
};

// A runtime for `config`; reuses `previous`'s pool when the database settings are unchanged,
// and its DKIM verifier (resolver, cache) when the DKIM settings are. Throws
// std::runtime_error when the resolver cannot be set up.
std::shared_ptr<const Runtime> make_runtime(Config config, const Runtime* previous);

// The current snapshot (never null once install() ran).
std::shared_ptr<const Runtime> current_runtime();
void install_runtime(std::shared_ptr<const Runtime> runtime);

// Shutdown: after begin_stop() new messages are turned away with 4xx.
void begin_stop();

// True once begin_stop() ran.
bool stopping();

// Counts a message to a report address from its first such recipient to its end.
class InFlight {
    struct Admitted {}; // only enter() can make one

  public:
    // Starts counting into `slot` unless the milter is stopping. Checked and counted under the
    // lock begin_stop() and wait_idle() take, so no message slips in after the last wait.
    static bool enter(std::optional<InFlight>& slot);
    explicit InFlight(Admitted) {}
    ~InFlight();
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;
};

// Waits until no message is in flight; false when `timeout` passed first.
bool wait_idle(std::chrono::milliseconds timeout);

} // namespace milter
