// rate_limit.hpp: the per-client token bucket behind RateLimit (429). Each IPv4 address, and
// each IPv6 /64 (one site's or one host's share: a client holding a /64 has 2^64 addresses),
// has a bucket of `burst` tokens refilled at `per_second`; a request takes one. The table is
// bounded: past max_clients buckets, the full (idle) ones are forgotten first, looked for at
// most once a second, and when none is idle the newcomer is refused rather than the table
// growing.
#pragma once

#include "config.hpp"

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace httpd {

class RateLimiter {
  public:
    using Clock = std::chrono::steady_clock;

    explicit RateLimiter(RateLimit limit, std::size_t max_clients = 100000);

    // True when `client` may make a request at `now` (and takes its token). When refused,
    // `retry_after` is the seconds until a token is back.
    bool admit(const std::string& client, Clock::time_point now, int& retry_after);

    std::size_t clients() const;

    // The bucket of an address: itself (IPv4, IPv4-mapped, not an address), or its /64.
    static std::string bucket_key(const std::string& client);

  private:
    struct Bucket {
        double tokens;
        Clock::time_point at;
    };
    void refill(Bucket& b, Clock::time_point now) const;
    void evict_idle(Clock::time_point now);

    const RateLimit limit_;
    const std::size_t max_clients_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Bucket> buckets_;
    Clock::time_point last_eviction_{};
    bool evicted_ = false;
};

} // namespace httpd
