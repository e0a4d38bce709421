// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "device/acq_device.h"
#include "device/load_profile.h"

namespace meterd::apps {

struct SimOptions {
  std::string url = "http://127.0.0.1:8080";
  std::string ca_file;        // PEM trust anchor for an https URL (else the system's)
  int devices = 1000;
  int first_id = 1;
  std::string state_dir = "var/metersim";
  std::string enrolment_key;  // devices derive their tokens from it
  std::map<std::string, std::string> trusted_keys;  // command-signing keys the devices trust
  int32_t interval_s = 900;
  int upload_every = 4;       // samples per uplink while catching up (backfill)
  int connections = 8;        // parallel keep-alive connections to meterd
  uint64_t seed = 1;
  // Network cuts: `cut_count` devices, spread over the fleet, lose their network for
  // `cut_s` seconds of simulated time starting `cut_after_s` after the start.
  int cut_count = 0;
  std::vector<std::string> cut_devices;  // and/or these devices by id
  int64_t cut_after_s = 0;
  int64_t cut_s = 0;
};

// One simulated device with its load and its network state.
struct SimDevice {
  std::unique_ptr<device::AcqDevice> device;
  std::unique_ptr<device::LoadProfile> profile;
  bool cut = false;                  // chosen to lose its network
  bool sampled = false;              // has taken at least one sample in this run
  uint64_t first_total = 0;          // pulses counted at the first sample of this run
  uint64_t last_total = 0;           // pulses counted at the latest sample
  core::Instant first_at, last_at;
  int64_t sends = 0, failures = 0, refused = 0;
};

struct ExchangeStats {
  int64_t uplinks = 0;
  int64_t failures = 0;
  int64_t refused = 0;  // 4xx from meterd: a bug or bad config, reported
};

// Thousands of acquisition devices in one process, talking to meterd over HTTP.
class SimFleet {
 public:
  static core::Result<std::unique_ptr<SimFleet>> Create(const SimOptions& options);

  // Adds the pulses of (t - interval, t] to each device and takes a sample at t.
  core::Result<void> SampleAll(core::Instant t);
  // Lets every device with something to send (and a network at `t`) send one uplink; in
  // parallel over the connections. With `poll`, devices with nothing queued still ask for
  // commands (an empty uplink), as a real device polls its head-end.
  ExchangeStats Exchange(core::Instant t, bool poll = false);
  size_t TotalBacklog() const;
  bool NetworkUp(const SimDevice& d, core::Instant t) const;
  // JSON per device: id, meter, medium, pulse weight, pulses and consumption over this run.
  std::string Summary() const;
  const std::vector<SimDevice>& devices() const { return devices_; }
  void SetStart(core::Instant start) { start_ = start; }

 private:
  explicit SimFleet(SimOptions options) : options_(std::move(options)) {}
  SimOptions options_;
  std::vector<SimDevice> devices_;
  core::Instant start_{};
};

}  // namespace meterd::apps
