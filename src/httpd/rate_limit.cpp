// rate_limit.cpp: per-client token buckets (see rate_limit.hpp).
#include "rate_limit.hpp"

#include <algorithm>
#include <cmath>

namespace httpd {

RateLimiter::RateLimiter(RateLimit limit, std::size_t max_clients)
    : limit_(limit), max_clients_(max_clients) {}

void RateLimiter::refill(Bucket& b, Clock::time_point now) const {
    const double elapsed = std::chrono::duration<double>(now - b.at).count();
    if (elapsed > 0) b.tokens = std::min(limit_.burst, b.tokens + elapsed * limit_.per_second);
    b.at = std::max(b.at, now);
}

void RateLimiter::evict_idle(Clock::time_point now) {
    for (auto it = buckets_.begin(); it != buckets_.end();) {
        refill(it->second, now);
        it = it->second.tokens >= limit_.burst ? buckets_.erase(it) : std::next(it);
    }
}

bool RateLimiter::admit(const std::string& client, Clock::time_point now, int& retry_after) {
    retry_after = 0;
    if (limit_.per_second <= 0) return true;
    std::lock_guard lock(mutex_);
    auto it = buckets_.find(client);
    if (it == buckets_.end()) {
        if (buckets_.size() >= max_clients_) evict_idle(now);
        if (buckets_.size() >= max_clients_) {
            retry_after = 1;
            return false;
        }
        it = buckets_.emplace(client, Bucket{limit_.burst, now}).first;
    }
    Bucket& b = it->second;
    refill(b, now);
    if (b.tokens >= 1) {
        b.tokens -= 1;
        return true;
    }
    retry_after = static_cast<int>(std::ceil((1 - b.tokens) / limit_.per_second));
    retry_after = std::max(retry_after, 1);
    return false;
}

std::size_t RateLimiter::clients() const {
    std::lock_guard lock(mutex_);
    return buckets_.size();
}

} // namespace httpd
