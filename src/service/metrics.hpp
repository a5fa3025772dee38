// metrics.hpp: the Prometheus plumbing every daemon of the project shares (prometheus-cpp;
// its pull Exposer serves the registry on MetricsListen at /metrics): one process-wide
// registry each program adds its own families to, the exposer, the `<program>_build_info`
// gauge, and the rule that keeps label values a bounded set. Process-wide, so metrics survive
// SIGHUP reloads and reset on a restart.
#pragma once

#include <prometheus/registry.h>

#include <initializer_list>
#include <memory>
#include <string>

namespace service::metrics {

// The registry every family is registered on.
prometheus::Registry& registry();

// Adds `<prefix>_build_info{version} 1` (prefix e.g. "tlsrpt_milter"); call once.
void build_info(const std::string& prefix);

// Starts serving on `listen` ("IP:PORT"); throws std::runtime_error when it cannot. Until
// then (or with `listen` empty) everything is counted and nothing served. A second call does
// nothing (the exposer survives reloads).
void serve(const std::string& listen);

// `value` when it is one of `known`, else "other": label values stay a bounded set whatever a
// peer sends.
std::string bounded(const std::string& value, std::initializer_list<const char*> known);

} // namespace service::metrics
