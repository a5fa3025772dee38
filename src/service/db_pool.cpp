// db_pool.cpp: the bounded Store pool (see db_pool.hpp).
#include "db_pool.hpp"

namespace service {

DbPool::DbPool(std::string conninfo, std::size_t size, std::chrono::milliseconds timeout,
               Observer observer)
    : conninfo_(std::move(conninfo)), size_(size == 0 ? 1 : size), timeout_(timeout),
      observer_(std::move(observer)) {}

DbPool::Lease::Lease(DbPool& pool, std::unique_ptr<tlsrpt::store::Store> store)
    : pool_(&pool), store_(std::move(store)) {}

DbPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), store_(std::move(other.store_)) {}

DbPool::Lease::~Lease() {
    if (store_) pool_->give_back(std::move(store_));
}

// Under mutex_: the gauges of the pool in use.
void DbPool::publish() const {
    if (observer_) observer_(opened_ - idle_.size(), waiting_);
}

void DbPool::give_back(std::unique_ptr<tlsrpt::store::Store> store) {
    {
        std::lock_guard lock(mutex_);
        idle_.push_back(std::move(store));
        publish();
    }
    freed_.notify_one();
}

std::optional<DbPool::Lease> DbPool::acquire() {
    std::unique_lock lock(mutex_);
    ++waiting_;
    publish();
    const bool got =
        freed_.wait_for(lock, timeout_, [this] { return !idle_.empty() || opened_ < size_; });
    --waiting_;
    publish();
    if (!got) return std::nullopt;
    if (!idle_.empty()) {
        std::unique_ptr<tlsrpt::store::Store> s = std::move(idle_.back());
        idle_.pop_back();
        publish();
        return Lease(*this, std::move(s));
    }
    ++opened_; // reserve the slot, open outside the lock
    lock.unlock();
    try {
        auto s = std::make_unique<tlsrpt::store::Store>(conninfo_, timeout_);
        return Lease(*this, std::move(s));
    } catch (...) {
        {
            std::lock_guard relock(mutex_);
            --opened_;
            publish();
        }
        freed_.notify_one();
        throw;
    }
}

} // namespace service
