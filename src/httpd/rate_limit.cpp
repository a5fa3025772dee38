// rate_limit.cpp: per-client token buckets (see rate_limit.hpp).
#include "rate_limit.hpp"

#include "cidr.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

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

std::string RateLimiter::bucket_key(const std::string& client) {
    const auto bytes = parse_address(client);
    if (!bytes) return client;
    static const std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(std::begin(kMapped), std::end(kMapped), bytes->begin())) return client;
    char key[40];
    std::snprintf(key, sizeof key, "%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", (*bytes)[0],
                  (*bytes)[1], (*bytes)[2], (*bytes)[3], (*bytes)[4], (*bytes)[5], (*bytes)[6],
                  (*bytes)[7]);
    return key;
}

bool RateLimiter::admit(const std::string& client, Clock::time_point now, int& retry_after) {
    retry_after = 0;
    if (limit_.per_second <= 0) return true;
    const std::string key = bucket_key(client);
    std::lock_guard lock(mutex_);
    auto it = buckets_.find(key);
    if (it == buckets_.end()) {
        if (buckets_.size() >= max_clients_ &&
            (!evicted_ || now - last_eviction_ >= std::chrono::seconds(1))) {
            evict_idle(now); // a full scan: at most once a second
            last_eviction_ = now;
            evicted_ = true;
        }
        if (buckets_.size() >= max_clients_) {
            retry_after = 1;
            return false;
        }
        it = buckets_.emplace(key, Bucket{limit_.burst, now}).first;
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
