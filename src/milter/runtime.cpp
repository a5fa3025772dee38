// runtime.cpp: the shared snapshot and the in-flight counter (see runtime.hpp).
#include "runtime.hpp"

#include "metrics.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <unistd.h>

namespace milter {

namespace {

std::atomic<std::shared_ptr<const Runtime>> g_runtime;
std::atomic<bool> g_stopping{false};
std::mutex g_flight_mutex;
std::condition_variable g_flight_done;
std::size_t g_in_flight = 0;

std::string host_name() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
    return buf;
}

bool same_database(const Config& c, const DbPool& pool) {
    return c.database == pool.conninfo() && c.database_pool_size == pool.size() &&
           c.database_timeout == pool.timeout();
}

bool same_dkim(const Config& c, const tlsrpt::DkimVerifier& v) {
    return c.resolver == v.resolver().options().resolver &&
           c.trust_anchor == v.resolver().options().trust_anchor &&
           c.dns_timeout == v.options().timeout &&
           c.max_dkim_signatures == v.options().max_signatures;
}

std::shared_ptr<const tlsrpt::DkimVerifier> make_verifier(const Config& c,
                                                          const Runtime* previous) {
    if (!c.dkim_verify) return nullptr;
    if (previous && previous->dkim && same_dkim(c, *previous->dkim)) return previous->dkim;
    auto resolver = std::make_shared<tlsrpt::dns::Resolver>(
        tlsrpt::dns::ResolverOptions{c.resolver, c.trust_anchor});
    return std::make_shared<const tlsrpt::DkimVerifier>(
        std::move(resolver), tlsrpt::DkimOptions{c.dns_timeout, c.max_dkim_signatures});
}

} // namespace

std::shared_ptr<const Runtime> make_runtime(Config config, const Runtime* previous) {
    auto rt = std::make_shared<Runtime>();
    if (previous && previous->pool && same_database(config, *previous->pool))
        rt->pool = previous->pool;
    else
        rt->pool = std::make_shared<DbPool>(config.database, config.database_pool_size,
                                            config.database_timeout, metrics::pool);
    rt->dkim = make_verifier(config, previous);
    rt->metrics_domains = config.metrics_domains;
    if (rt->metrics_domains.empty())
        for (const std::string& a : config.report_addresses)
            rt->metrics_domains.push_back(a.substr(a.rfind('@') + 1));
    if (!previous) metrics::serve(config.metrics_listen); // once: it survives reloads
    rt->trusted_authserv_ids = config.trusted_authserv_ids;
    if (rt->trusted_authserv_ids.empty()) rt->trusted_authserv_ids.push_back(host_name());
    rt->config = std::make_shared<const Config>(std::move(config));
    return rt;
}

std::shared_ptr<const Runtime> current_runtime() {
    return g_runtime.load();
}

void install_runtime(std::shared_ptr<const Runtime> runtime) {
    g_runtime.store(std::move(runtime));
}

void begin_stop() {
    std::lock_guard lock(g_flight_mutex);
    g_stopping = true;
}

bool stopping() {
    return g_stopping;
}

bool InFlight::enter(std::optional<InFlight>& slot) {
    std::lock_guard lock(g_flight_mutex);
    if (g_stopping) return false;
    ++g_in_flight;
    slot.emplace(Admitted{});
    return true;
}

InFlight::~InFlight() {
    {
        std::lock_guard lock(g_flight_mutex);
        --g_in_flight;
    }
    g_flight_done.notify_all();
}

bool wait_idle(std::chrono::milliseconds timeout) {
    std::unique_lock lock(g_flight_mutex);
    return g_flight_done.wait_for(lock, timeout, [] { return g_in_flight == 0; });
}

} // namespace milter
