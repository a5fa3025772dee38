// intake.hpp: what happens to a received body, decided once: read it (the library's pipeline),
// store it (source https, DKIM result none: HTTPS reports carry no authentication, RFC 8460
// §3), and when the database is unreachable, slow past DatabaseTimeout or refusing for now,
// spool it durably instead. The drainer brings spooled entries back through store_spooled(),
// where an unreadable report goes to rejected_messages like a quarantined mail.
//
// Reading a report costs memory (up to MaxDecompressedSize inflated, and the parse): at most
// DatabasePoolSize bodies are read and stored at once, the drainer's included, so the number
// of connections cannot multiply that cost. A request that finds no slot within
// DatabaseTimeout is spooled unread (its body is at most MaxReportSize) and read later.
#pragma once

#include "config.hpp"
#include "spool.hpp"

#include "service/db_pool.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <semaphore>
#include <string>

namespace httpd {

enum class Verdict {
    stored,      // every report committed (or already there): 201
    invalid,     // no report can be read: 400 with the reason
    spooled,     // kept in the spool for later: 201
    unavailable, // neither the database nor the spool took it: 503
};

struct IntakeResult {
    Verdict verdict = Verdict::unavailable;
    std::string message; // invalid/unavailable: one line; else the store statuses
};

enum class DrainResult { done, retry };

class Intake {
  public:
    Intake(const Config& config, Spool& spool);

    // A request's body as received (gzip or JSON) with its metadata.
    IntakeResult accept(const SpoolEntry& entry);

    // One spooled entry: done when stored, a duplicate or kept in rejected_messages; retry
    // when the database still cannot take it.
    DrainResult store_spooled(const SpoolEntry& entry, std::string& message);

    // True while a recent failure says the database is away (requests spool directly).
    bool database_down() const;
    void mark_database(bool up);

  private:
    enum class StoreResult { ok, temporary, permanent };
    StoreResult store_all(const SpoolEntry& entry, std::string& message);
    IntakeResult spool(const SpoolEntry& entry);

    const Config& config_;
    Spool& spool_;
    service::DbPool pool_;
    std::counting_semaphore<> readers_;          // DatabasePoolSize bodies read and stored at once
    std::atomic<std::int64_t> down_until_ms_{0}; // steady clock
};

} // namespace httpd
