// drainer.hpp: the background thread that empties the spool into the database: oldest entries
// first, each deleted only once stored (or kept in rejected_messages); when the database still
// fails it waits with exponential backoff (1 s doubling to 60 s) and tries again. Started at
// startup, so a restart drains what a crash left.
#pragma once

#include "intake.hpp"
#include "spool.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace httpd {

class Drainer {
  public:
    Drainer(Spool& spool, Intake& intake);
    ~Drainer(); // stops and joins
    Drainer(const Drainer&) = delete;
    Drainer& operator=(const Drainer&) = delete;

    // Something was spooled: look soon.
    void poke();
    void stop();

  private:
    void run();
    bool drain_batch(); // false when the database refused (back off)

    Spool& spool_;
    Intake& intake_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    bool poked_ = false;
    std::thread thread_;
};

} // namespace httpd
