// intake.cpp: read, store or spool one body (see intake.hpp).
#include "intake.hpp"

#include "metrics.hpp"

#include "service/log.hpp"
#include "tlsrpt/pipeline.hpp"
#include "tlsrpt/store.hpp"

namespace httpd {

namespace {

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// How long requests go straight to the spool after the database failed (the drainer and the
// next request after it try again).
constexpr std::int64_t kDownMs = 1000;

} // namespace

Intake::Intake(const Config& config, Spool& spool)
    : config_(config), spool_(spool),
      pool_(config.database, config.database_pool_size, config.database_timeout, metrics::pool),
      readers_(static_cast<std::ptrdiff_t>(config.database_pool_size)) {}

namespace {

// A slot of readers_, released at scope end.
class Slot {
  public:
    explicit Slot(std::counting_semaphore<>& s) : s_(s) {}
    ~Slot() { s_.release(); }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

  private:
    std::counting_semaphore<>& s_;
};

} // namespace

bool Intake::database_down() const {
    return now_ms() < down_until_ms_.load();
}

void Intake::mark_database(bool up) {
    down_until_ms_ = up ? 0 : now_ms() + kDownMs;
}

Intake::StoreResult Intake::store_all(const SpoolEntry& entry, std::string& message) {
    auto reports = tlsrpt::read_reports(entry.body, config_.limits);
    if (!reports) {
        message = reports.error().describe();
        return StoreResult::permanent;
    }
    tlsrpt::store::StoreOptions options;
    options.source = tlsrpt::store::Source::https;
    options.dkim.result = "none"; // RFC 8460 §3: DKIM is asked of mail only
    options.client_address = entry.client;
    options.user_agent = entry.user_agent;
    options.received_at = entry.received_at;
    for (const tlsrpt::Report& r : *reports) {
        const auto started = std::chrono::steady_clock::now();
        tlsrpt::store::Outcome o;
        try {
            auto lease = pool_.acquire();
            if (!lease) {
                message = "no database connection free within DatabaseTimeout";
                return StoreResult::temporary;
            }
            o = (*lease)->store_report(r, options);
        } catch (const std::exception& e) {
            message = std::string("database: ") + e.what();
            return StoreResult::temporary;
        }
        metrics::store_seconds(std::chrono::steady_clock::now() - started);
        if (o.status == tlsrpt::store::Status::temporary) {
            message = "database: " + o.message;
            return StoreResult::temporary;
        }
        if (o.status == tlsrpt::store::Status::permanent) {
            message = "report " + r.report_id + " cannot be stored: " + o.message;
            return StoreResult::permanent;
        }
        if (!message.empty()) message += ",";
        message += tlsrpt::store::to_string(o.status);
        metrics::report(o.status == tlsrpt::store::Status::duplicate ? "duplicate" : "stored");
    }
    return StoreResult::ok;
}

IntakeResult Intake::spool(const SpoolEntry& entry) {
    std::string error;
    if (!spool_.put(entry, error)) {
        service::log::error("cannot spool a report from " + entry.client + ": " + error);
        return {Verdict::unavailable, error};
    }
    metrics::report("spooled");
    metrics::spool(spool_.bytes(), spool_.files());
    return {Verdict::spooled, "spooled"};
}

IntakeResult Intake::accept(const SpoolEntry& entry) {
    if (!readers_.try_acquire_for(config_.database_timeout)) {
        service::log::warning("all " + std::to_string(config_.database_pool_size) +
                              " readers busy past DatabaseTimeout: spooling a report from " +
                              entry.client + " unread");
        return spool(entry);
    }
    const Slot slot(readers_);
    std::string message;
    if (!database_down()) {
        const StoreResult r = store_all(entry, message);
        if (r == StoreResult::ok) {
            mark_database(true);
            return {Verdict::stored, message};
        }
        if (r == StoreResult::permanent) {
            metrics::report("invalid");
            return {Verdict::invalid, message};
        }
        mark_database(false);
        service::log::warning("database unavailable, spooling: " + message);
    } else {
        // still read it, so a bad report is refused now rather than quarantined later
        auto reports = tlsrpt::read_reports(entry.body, config_.limits);
        if (!reports) {
            metrics::report("invalid");
            return {Verdict::invalid, reports.error().describe()};
        }
    }
    return spool(entry);
}

DrainResult Intake::store_spooled(const SpoolEntry& entry, std::string& message) {
    readers_.acquire();
    const Slot slot(readers_);
    const StoreResult r = store_all(entry, message);
    if (r == StoreResult::ok) {
        mark_database(true);
        metrics::report("drained");
        return DrainResult::done;
    }
    if (r == StoreResult::temporary) {
        mark_database(false);
        return DrainResult::retry;
    }
    // unreadable: kept whole in rejected_messages, like a quarantined mail
    try {
        auto lease = pool_.acquire();
        if (!lease) return DrainResult::retry;
        tlsrpt::MessageHeaders headers;
        headers.from = entry.client;
        headers.subject = "HTTPS POST " + entry.path + " User-Agent: " + entry.user_agent;
        const auto o =
            (*lease)->quarantine(entry.body, message, headers, tlsrpt::store::Source::https);
        if (o.status == tlsrpt::store::Status::temporary) return DrainResult::retry;
    } catch (const std::exception& e) {
        message = e.what();
        return DrainResult::retry;
    }
    metrics::report("quarantined");
    return DrainResult::done;
}

} // namespace httpd
