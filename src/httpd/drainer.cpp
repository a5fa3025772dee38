// drainer.cpp: the spool drainer thread (see drainer.hpp).
#include "drainer.hpp"

#include "metrics.hpp"

#include "service/log.hpp"

#include <algorithm>

namespace httpd {

Drainer::Drainer(Spool& spool, Intake& intake)
    : spool_(spool), intake_(intake), thread_([this] { run(); }) {}

Drainer::~Drainer() {
    stop();
}

void Drainer::poke() {
    {
        std::lock_guard lock(mutex_);
        poked_ = true;
    }
    wake_.notify_one();
}

void Drainer::stop() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
}

bool Drainer::drain_batch() {
    for (const std::string& name : spool_.list(1000)) {
        {
            std::lock_guard lock(mutex_);
            if (stop_) return true;
        }
        const auto entry = spool_.read(name);
        if (!entry) continue; // gone, or moved to bad/
        std::string message;
        if (intake_.store_spooled(*entry, message) == DrainResult::retry) {
            service::log::warning("spool: database still unavailable (" + message + "); " +
                                  std::to_string(spool_.files()) + " reports wait");
            return false;
        }
        spool_.remove(name);
        service::log::info("spool: stored " + name + " from " + entry->client +
                           " status=" + service::log::quote(message));
        metrics::spool(spool_.bytes(), spool_.files());
    }
    return true;
}

void Drainer::run() {
    std::chrono::milliseconds backoff{1000};
    for (;;) {
        bool ok = true;
        if (spool_.files() > 0) ok = drain_batch();
        backoff = ok ? std::chrono::milliseconds(1000)
                     : std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::seconds(60));
        std::unique_lock lock(mutex_);
        if (stop_) return;
        if (ok && spool_.files() > 0 && !spool_.list(1).empty()) continue; // more to do
        // after a failure wait the backoff whatever pokes come; else until poked or 1 s
        wake_.wait_for(lock, ok ? std::chrono::milliseconds(1000) : backoff / 2,
                       [this, ok] { return stop_ || (ok && poked_); });
        poked_ = false;
        if (stop_) return;
    }
}

} // namespace httpd
