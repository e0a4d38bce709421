// SPDX-License-Identifier: Apache-2.0
#include "store/pack_job.h"

namespace meterd::store {

void PackJob::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void PackJob::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

core::Result<Store::PackOutcome> PackJob::RunOnce(core::Instant now) {
  const core::LocalDay before = zone_.DayOf(now) - options_.after_days;
  Store::PackOutcome sum;
  for (;;) {
    auto step = store_.PackMonths(before, options_.months_per_call);
    if (!step) return core::Fail(step.error());
    sum.months += step->months;
    sum.days += step->days;
    sum.bytes += step->bytes;
    if (!step->more) return sum;
    std::lock_guard lock(mu_);
    if (stopping_) {
      sum.more = true;
      return sum;
    }
  }
}

void PackJob::Loop() {
  for (;;) {
    auto outcome = RunOnce(std::chrono::time_point_cast<core::Seconds>(std::chrono::system_clock::now()));
    if (report_) report_(outcome);
    std::unique_lock lock(mu_);
    if (wake_.wait_for(lock, options_.every, [this] { return stopping_; })) return;
  }
}

}  // namespace meterd::store
