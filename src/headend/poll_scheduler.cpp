// SPDX-License-Identifier: Apache-2.0
#include "headend/poll_scheduler.h"

#include <spdlog/spdlog.h>

namespace meterd::headend {

PollScheduler::PollScheduler(PolledMeterSink& sink, Loader load, core::Seconds interval)
    : sink_(sink), load_(std::move(load)), interval_(interval.count() > 0 ? interval : core::Seconds{900}) {}

PollScheduler::~PollScheduler() { Stop(); }

void PollScheduler::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void PollScheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

PollOutcome PollScheduler::RunRound(core::Instant now) {
  PollOutcome total;
  for (const auto& source : load_()) {
    PollOutcome o = source->PollOnce(sink_, now);
    total.meters_read += o.meters_read;
    total.errors += o.errors;
    if (o.errors > 0) {
      total.last_error = o.last_error;
      spdlog::warn("poll {}: {} meters read, {} failed; last: {}", source->Name(), o.meters_read, o.errors, o.last_error);
    }
  }
  counters_.rounds += 1;
  counters_.meters_read += total.meters_read;
  counters_.errors += total.errors;
  return total;
}

void PollScheduler::Run() {
  using Clock = std::chrono::system_clock;
  for (;;) {
    // The next multiple of the interval, in wall-clock time.
    int64_t now_s = std::chrono::duration_cast<core::Seconds>(Clock::now().time_since_epoch()).count();
    int64_t next_s = (now_s / interval_.count() + 1) * interval_.count();
    Clock::time_point next{core::Seconds{next_s}};
    {
      std::unique_lock lock(mu_);
      if (wake_.wait_until(lock, next, [this] { return stopping_; })) return;
    }
    RunRound(core::FromUnixSeconds(next_s));
  }
}

}  // namespace meterd::headend
