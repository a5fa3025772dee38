// metrics.cpp: tlsrpt-httpd's families (see metrics.hpp).
#include "metrics.hpp"

#include "service/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

namespace httpd::metrics {

namespace {

namespace pm = prometheus;

struct Families {
    pm::Registry& registry = service::metrics::registry();
    pm::Family<pm::Counter>& requests = pm::BuildCounter()
                                            .Name("tlsrpt_httpd_requests_total")
                                            .Help("HTTP requests answered, by status code")
                                            .Register(registry);
    pm::Family<pm::Counter>& reports = pm::BuildCounter()
                                           .Name("tlsrpt_httpd_reports_total")
                                           .Help("Report bodies by outcome")
                                           .Register(registry);
    pm::Gauge& spool_bytes = pm::BuildGauge()
                                 .Name("tlsrpt_httpd_spool_bytes")
                                 .Help("Bytes waiting in the spool")
                                 .Register(registry)
                                 .Add({});
    pm::Gauge& spool_files = pm::BuildGauge()
                                 .Name("tlsrpt_httpd_spool_files")
                                 .Help("Reports waiting in the spool")
                                 .Register(registry)
                                 .Add({});
    pm::Gauge& in_use = pm::BuildGauge()
                            .Name("tlsrpt_httpd_db_pool_in_use")
                            .Help("Database connections leased")
                            .Register(registry)
                            .Add({});
    pm::Gauge& waiting = pm::BuildGauge()
                             .Name("tlsrpt_httpd_db_pool_waiting")
                             .Help("Requests waiting for a connection")
                             .Register(registry)
                             .Add({});
    pm::Histogram& store_hist =
        pm::BuildHistogram()
            .Name("tlsrpt_httpd_store_seconds")
            .Help("Time to store a report")
            .Register(registry)
            .Add({}, pm::Histogram::BucketBoundaries{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                     0.25, 0.5, 1, 2.5, 5});

    Families() {
        service::metrics::build_info("tlsrpt_httpd");
        for (const char* s : {"201", "400", "403", "404", "405", "408", "413", "415", "429", "503"})
            requests.Add({{"code", s}});
        for (const char* o :
             {"stored", "duplicate", "spooled", "invalid", "drained", "quarantined"})
            reports.Add({{"outcome", o}});
    }
};

Families& f() {
    static Families families;
    return families;
}

} // namespace

void serve(const std::string& listen) {
    f();
    service::metrics::serve(listen);
}

void request(int status) {
    const std::string code = std::to_string(status);
    f().requests
        .Add({{"code", service::metrics::bounded(code, {"201", "400", "403", "404", "405", "408",
                                                        "413", "415", "429", "503"})}})
        .Increment();
}

void report(const std::string& outcome) {
    f().reports
        .Add({{"outcome",
               service::metrics::bounded(outcome, {"stored", "duplicate", "spooled", "invalid",
                                                   "drained", "quarantined"})}})
        .Increment();
}

void spool(std::size_t bytes, std::size_t files) {
    f().spool_bytes.Set(static_cast<double>(bytes));
    f().spool_files.Set(static_cast<double>(files));
}

void store_seconds(std::chrono::duration<double> d) {
    f().store_hist.Observe(d.count());
}

void pool(std::size_t in_use, std::size_t waiting) {
    f().in_use.Set(static_cast<double>(in_use));
    f().waiting.Set(static_cast<double>(waiting));
}

} // namespace httpd::metrics
