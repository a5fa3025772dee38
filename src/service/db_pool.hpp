// db_pool.hpp: a bounded pool of tlsrpt::store::Store connections shared by a daemon's
// worker threads (libmilter's connection threads, the HTTP server's request threads). At most
// `size` Stores exist; each is used by one thread at a time (a Lease); acquire() waits up to the
// timeout for one, then gives up (the caller tempfails). Stores are opened lazily and kept: a Store
// reconnects by itself after a lost connection.
#pragma once

#include "tlsrpt/store.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace service {

class DbPool {
  public:
    // Told (in use, waiting) whenever either changes, under the pool's lock (for gauges).
    using Observer = std::function<void(std::size_t in_use, std::size_t waiting)>;

    DbPool(std::string conninfo, std::size_t size, std::chrono::milliseconds timeout,
           Observer observer = {});
    DbPool(const DbPool&) = delete;
    DbPool& operator=(const DbPool&) = delete;

    // Exclusive use of one Store until destroyed.
    class Lease {
      public:
        Lease(DbPool& pool, std::unique_ptr<tlsrpt::store::Store> store);
        Lease(Lease&& other) noexcept;
        Lease& operator=(Lease&&) = delete;
        ~Lease();
        tlsrpt::store::Store& operator*() const { return *store_; }
        tlsrpt::store::Store* operator->() const { return store_.get(); }

      private:
        DbPool* pool_;
        std::unique_ptr<tlsrpt::store::Store> store_;
    };

    // A Store, or nullopt when none came free within the timeout. Throws what the Store
    // constructor throws (the slot is given back first).
    std::optional<Lease> acquire();

    const std::string& conninfo() const { return conninfo_; }
    std::size_t size() const { return size_; }
    std::chrono::milliseconds timeout() const { return timeout_; }

  private:
    void give_back(std::unique_ptr<tlsrpt::store::Store> store);
    void publish() const;

    const std::string conninfo_;
    const std::size_t size_;
    const std::chrono::milliseconds timeout_;
    const Observer observer_;
    std::mutex mutex_;
    std::condition_variable freed_;
    std::vector<std::unique_ptr<tlsrpt::store::Store>> idle_;
    std::size_t opened_ = 0;  // Stores in existence (idle or leased)
    std::size_t waiting_ = 0; // callers in acquire()
};

} // namespace service
