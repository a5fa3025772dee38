// metrics.cpp: the shared registry, the build_info gauge and the exposer (see metrics.hpp).
#include "metrics.hpp"

#include "tlsrpt_config.h"

#include <prometheus/exposer.h>
#include <prometheus/gauge.h>

namespace service::metrics {

namespace {

std::shared_ptr<prometheus::Registry>& shared_registry() {
    static auto r = std::make_shared<prometheus::Registry>();
    return r;
}

std::unique_ptr<prometheus::Exposer>& exposer() {
    static std::unique_ptr<prometheus::Exposer> e;
    return e;
}

} // namespace

prometheus::Registry& registry() {
    return *shared_registry();
}

void build_info(const std::string& prefix) {
    prometheus::BuildGauge()
        .Name(prefix + "_build_info")
        .Help("Build information, value 1")
        .Register(registry())
        .Add({{"version", TLSRPT_VERSION}})
        .Set(1);
}

void serve(const std::string& listen) {
    if (listen.empty() || exposer()) return;
    exposer() = std::make_unique<prometheus::Exposer>(listen, 1);
    exposer()->RegisterCollectable(shared_registry());
}

std::string bounded(const std::string& value, std::initializer_list<const char*> known) {
    for (const char* k : known)
        if (value == k) return value;
    return "other";
}

} // namespace service::metrics
