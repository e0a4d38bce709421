// SPDX-License-Identifier: Apache-2.0
// The background job that packs closed months (Store::PackMonths) inside meterd: at start and then
// every `every`, it packs the months that ended at least `after_days` days ago in `zone`, a bounded
// number of months per call so ingest never waits long for the write lock.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "core/time_zone.h"
#include "store/store.h"

namespace meterd::store {

class PackJob {
 public:
  struct Options {
    int32_t after_days = 5;                      // late data has this long to arrive loose
    std::chrono::seconds every{3600};
    int64_t months_per_call = 2000;
  };
  using Report = std::function<void(const core::Result<Store::PackOutcome>&)>;

  PackJob(Store& store, core::TimeZone zone, Options options, Report report)
      : store_(store), zone_(std::move(zone)), options_(options), report_(std::move(report)) {}
  ~PackJob() { Stop(); }
  PackJob(const PackJob&) = delete;
  PackJob& operator=(const PackJob&) = delete;

  void Start();
  void Stop();
  // One pass at `now`, as the thread does it: everything due, a bounded call at a time, unless
  // stopping. Returns the sum of the calls, or the first error.
  core::Result<Store::PackOutcome> RunOnce(core::Instant now);

 private:
  void Loop();

  Store& store_;
  core::TimeZone zone_;
  Options options_;
  Report report_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace meterd::store
