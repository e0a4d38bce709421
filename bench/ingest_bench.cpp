// SPDX-License-Identifier: Apache-2.0
// Ingest throughput through the whole server path, in process and durable:
// decode batch JSON -> normalise (sequence, deltas, slots) -> dedupe -> merge into day blocks
// -> commit (SQLite WAL, synchronous=FULL) -> acknowledge.
// Usage: ingest_bench [devices=10000] [days=3] [submitters=8] [dir=/tmp/meterd-ingest-bench] [nosync]
// ("nosync" turns fsync off, to show what durability costs on this disk.)
#include <chrono>
#include <cstdio>
#include <string>
#include <filesystem>
#include <fmt/format.h>
#include <thread>
#include <vector>

#include "codec/acq/uplink.h"
#include "device/load_profile.h"
#include "headend/ingest_service.h"
#include "store/store.h"

using namespace meterd;

int main(int argc, char** argv) {
  int devices = argc > 1 ? std::atoi(argv[1]) : 10000;
  int days = argc > 2 ? std::atoi(argv[2]) : 3;
  int submitters = argc > 3 ? std::atoi(argv[3]) : 8;
  std::filesystem::path dir = argc > 4 ? argv[4] : "/tmp/meterd-ingest-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  // Each device sends one uplink per day holding that day's 96 samples (a device catching up).
  core::Instant start = *core::ParseInstant("2026-01-05T00:00:00Z");
  std::vector<std::vector<std::string>> bodies(days);
  std::vector<uint64_t> counts(devices, 0);
  std::vector<device::LoadProfile> profiles;
  const core::Quantity weight{1, 0, core::Unit::kL};
  for (int d = 0; d < devices; ++d) profiles.emplace_back(core::Medium::kWater, 7 + d);
  size_t bytes = 0;
  for (int day = 0; day < days; ++day) {
    for (int d = 0; d < devices; ++d) {
      codec::acq::Uplink up;
      up.device = fmt::format("D{:06}", d);
      up.meter = fmt::format("W{:06}", d);
      up.medium = core::Medium::kWater;
      up.pulse_weight = weight;
      for (int i = 0; i < 96; ++i) {
        core::Instant t = start + core::Seconds{int64_t{day} * 86400 + int64_t{i} * 900};
        counts[d] += profiles[d].Pulses(t - core::Seconds{900}, t, weight);
        up.messages.push_back({static_cast<uint64_t>(day * 96 + i + 1), t, counts[d], false, {}});
      }
      bodies[day].push_back(codec::acq::EncodeUplink(up));
      bytes += bodies[day].back().size();
    }
  }
  const bool durable = !(argc > 5 && std::string(argv[5]) == "nosync");
  auto store = store::OpenSqliteStore({(dir / "meterd.db").string(), durable});
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().ToString().c_str());
    return 1;
  }
  headend::IngestService::Options options;
  options.normalise.zone = *core::TimeZone::Find("Europe/London");
  headend::IngestService ingest(**store, options);
  core::Instant now = start + core::Seconds{int64_t{days} * 86400 + 3600};

  auto t0 = std::chrono::steady_clock::now();
  std::atomic<int64_t> failures{0};
  for (int day = 0; day < days; ++day) {
    std::vector<std::thread> threads;
    for (int s = 0; s < submitters; ++s) {
      threads.emplace_back([&, s] {
        for (size_t i = s; i < bodies[day].size(); i += submitters) {
          auto up = codec::acq::DecodeUplink(bodies[day][i]);
          if (!up) {
            ++failures;
            continue;
          }
          auto r = ingest.Ingest(std::move(*up), now);
          if (!r) ++failures;
        }
      });
    }
    for (auto& t : threads) t.join();
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto& c = ingest.counters();
  int64_t messages = int64_t{devices} * days * 96;
  std::printf("ingest_bench: %d devices x %d days x 96 samples = %lld messages (%.1f MB of JSON), %d submitters\n",
              devices, days, static_cast<long long>(messages), bytes / 1e6, submitters);
  std::printf("ingest_bench: %.2f s, %.0f readings/s %s, %lld commits (%.0f uplinks/commit), "
              "%lld interval readings, %lld failures\n",
              secs, messages / secs, durable ? "durable (synchronous=FULL)" : "NOT durable (synchronous=NORMAL)",
              static_cast<long long>(c.commits.load()),
              static_cast<double>(c.uplinks.load()) / std::max<int64_t>(1, c.commits.load()),
              static_cast<long long>(c.readings.load()), static_cast<long long>(failures.load()));
  return failures.load() == 0 ? 0 : 1;
}
