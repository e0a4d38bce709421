// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/time.h"
#include "headend/polled_meter.h"

namespace meterd::headend {

// What one poll of a source achieved.
struct PollOutcome {
  int meters_read = 0;
  int errors = 0;           // meters or requests that failed this round
  std::string last_error;   // the last one, for the log
};

// Something the head-end reads on a schedule: an M-Bus converter with its bus, a Modbus TCP
// meter. Implementations live beside their protocol (mbus_source, modbus_source).
class PollSource {
 public:
  virtual ~PollSource() = default;
  virtual std::string Name() const = 0;  // "mbus 127.0.0.1:41234", for logs and metrics
  // Reads every meter behind the source once and reports each main register to `sink`. A
  // meter that cannot be read is an error of this round, never a reading.
  virtual PollOutcome PollOnce(PolledMeterSink& sink, core::Instant now) = 0;
};

struct PollCounters {
  std::atomic<int64_t> rounds{0};
  std::atomic<int64_t> meters_read{0};
  std::atomic<int64_t> errors{0};
};

// Polls every source once per round. Rounds start on wall-clock multiples of the interval (a
// 900 s interval reads at :00, :15, :30, :45), so register reads fall on slot boundaries. The
// source list comes from `load`, called before each round, so a changed targets file takes
// effect at the next round.
class PollScheduler {
 public:
  using Loader = std::function<std::vector<std::shared_ptr<PollSource>>()>;
  // `sink` must outlive the scheduler.
  PollScheduler(PolledMeterSink& sink, Loader load, core::Seconds interval);
  ~PollScheduler();  // stops
  PollScheduler(const PollScheduler&) = delete;
  PollScheduler& operator=(const PollScheduler&) = delete;

  void Start();
  void Stop();
  // One round now, on the calling thread (the thread runs the same).
  PollOutcome RunRound(core::Instant now);
  const PollCounters& counters() const { return counters_; }

 private:
  void Run();

  PolledMeterSink& sink_;
  Loader load_;
  core::Seconds interval_;
  PollCounters counters_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace meterd::headend
