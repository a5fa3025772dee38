// metrics.cpp: the milter's families on the shared registry (see metrics.hpp and
// service/metrics.hpp).
#include "metrics.hpp"

#include "tlsrpt/report.hpp"
#include "tlsrpt/report_parse.hpp"
#include "tlsrpt/text.hpp"

#include "service/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <mutex>

namespace milter::metrics {

namespace {

namespace pm = prometheus;

struct Families {
    pm::Registry& registry = service::metrics::registry();
    pm::Family<pm::Counter>& messages = pm::BuildCounter()
                                            .Name("tlsrpt_milter_messages_total")
                                            .Help("Messages by outcome (untouched: not for a "
                                                  "report address)")
                                            .Register(registry);
    pm::Family<pm::Counter>& reports = pm::BuildCounter()
                                           .Name("tlsrpt_milter_reports_total")
                                           .Help("Reports by store status")
                                           .Register(registry);
    pm::Family<pm::Counter>& tempfails = pm::BuildCounter()
                                             .Name("tlsrpt_milter_tempfail_total")
                                             .Help("4xx answers by cause")
                                             .Register(registry);
    pm::Family<pm::Counter>& dkim = pm::BuildCounter()
                                        .Name("tlsrpt_milter_dkim_total")
                                        .Help("DKIM verdicts of reports (RFC 8460 section 3)")
                                        .Register(registry);
    pm::Family<pm::Counter>& sessions = pm::BuildCounter()
                                            .Name("tlsrpt_milter_sessions_total")
                                            .Help("RFC 8460 session counts of newly stored "
                                                  "reports by policy domain and result")
                                            .Register(registry);
    pm::Family<pm::Histogram>& store_seconds = pm::BuildHistogram()
                                                   .Name("tlsrpt_milter_store_seconds")
                                                   .Help("Time to store a message's reports")
                                                   .Register(registry);
    pm::Family<pm::Histogram>& message_bytes = pm::BuildHistogram()
                                                   .Name("tlsrpt_milter_message_bytes")
                                                   .Help("Size of messages to report addresses")
                                                   .Register(registry);
    pm::Family<pm::Gauge>& pool_in_use = pm::BuildGauge()
                                             .Name("tlsrpt_milter_db_pool_in_use")
                                             .Help("Database connections leased")
                                             .Register(registry);
    pm::Family<pm::Gauge>& pool_waiting = pm::BuildGauge()
                                              .Name("tlsrpt_milter_db_pool_waiting")
                                              .Help("Messages waiting for a connection")
                                              .Register(registry);
    pm::Family<pm::Gauge>& last_stored = pm::BuildGauge()
                                             .Name("tlsrpt_milter_last_stored_timestamp_seconds")
                                             .Help("When a report was last stored (Unix time)")
                                             .Register(registry);
    pm::Histogram* store_hist = &store_seconds.Add(
        {}, pm::Histogram::BucketBoundaries{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                            1, 2.5, 5, 10, 30});
    pm::Histogram* bytes_hist =
        &message_bytes.Add({}, pm::Histogram::BucketBoundaries{1024, 4096, 16384, 65536, 262144,
                                                               1048576, 4194304, 16777216});
    pm::Gauge* in_use = &pool_in_use.Add({});
    pm::Gauge* waiting = &pool_waiting.Add({});
    pm::Gauge* stored_at = &last_stored.Add({});

    Families() {
        service::metrics::build_info("tlsrpt_milter");
        // every fixed label value exists from the start, so rates work from the first scrape
        for (const char* o :
             {"stored", "duplicate", "quarantined", "rejected", "passed", "tempfail", "untouched"})
            messages.Add({{"outcome", o}});
        for (const char* s : {"stored", "duplicate", "conflict"})
            reports.Add({{"status", s}});
        for (const char* c : {"database", "dns", "pool", "memory", "internal"})
            tempfails.Add({{"cause", c}});
        for (const char* r :
             {"pass", "fail", "policy", "neutral", "temperror", "permerror", "none"})
            dkim.Add({{"result", r}});
    }
};

Families& f() {
    static Families families;
    return families;
}

using service::metrics::bounded;

std::string domain_label(const std::string& domain, const std::vector<std::string>& domains) {
    const std::string d = tlsrpt::normalize_domain(domain);
    return std::find(domains.begin(), domains.end(), d) != domains.end() ? d : "other";
}

} // namespace

void serve(const std::string& listen) {
    f(); // the families exist before the first scrape
    service::metrics::serve(listen);
}

void message(const std::string& outcome, const std::string& tempfail_cause) {
    f().messages
        .Add({{"outcome", bounded(outcome, {"stored", "duplicate", "quarantined", "rejected",
                                            "passed", "tempfail"})}})
        .Increment();
    if (outcome == "tempfail")
        f().tempfails
            .Add(
                {{"cause", bounded(tempfail_cause, {"database", "dns", "pool", "memory"}) == "other"
                               ? std::string("internal")
                               : tempfail_cause}})
            .Increment();
}

void untouched() {
    f().messages.Add({{"outcome", "untouched"}}).Increment();
}

void message_bytes(std::size_t bytes) {
    f().bytes_hist->Observe(static_cast<double>(bytes));
}

void report(const std::string& status) {
    const std::string s = status == "replaced" ? "stored" : status;
    f().reports.Add({{"status", bounded(s, {"stored", "duplicate", "conflict"})}}).Increment();
    if (s == "stored") f().stored_at->Set(static_cast<double>(std::time(nullptr)));
}

void dkim(const std::string& result) {
    f().dkim
        .Add({{"result", bounded(result, {"pass", "fail", "policy", "neutral", "temperror",
                                          "permerror", "none"})}})
        .Increment();
}

void sessions(const tlsrpt::Report& r, const std::vector<std::string>& domains) {
    for (const tlsrpt::Policy& p : r.policies) {
        const std::string domain = domain_label(p.policy_domain, domains);
        if (p.total_successful_session_count > 0)
            f().sessions.Add({{"policy_domain", domain}, {"result", "success"}})
                .Increment(static_cast<double>(p.total_successful_session_count));
        for (const tlsrpt::FailureDetail& d : p.failure_details) {
            if (d.failed_session_count <= 0) continue;
            const std::string type =
                tlsrpt::is_known_result_type(d.result_type) ? d.result_type : "other";
            f().sessions.Add({{"policy_domain", domain}, {"result", type}})
                .Increment(static_cast<double>(d.failed_session_count));
        }
    }
}

void store_seconds(std::chrono::duration<double> d) {
    f().store_hist->Observe(d.count());
}

void pool(std::size_t in_use, std::size_t waiting) {
    f().in_use->Set(static_cast<double>(in_use));
    f().waiting->Set(static_cast<double>(waiting));
}

} // namespace milter::metrics
