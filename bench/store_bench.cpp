// SPDX-License-Identifier: Apache-2.0
// Store benchmarks: day-block encode/decode throughput on realistic 96-slot days, and Commit
// throughput of 96-slot kAdd day writes for many meters with synchronous=FULL.
//   store_bench [meters=2000] [meters_per_commit=100]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "store/day_block.h"
#include "store/store.h"

namespace {

using namespace meterd;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// A household water day in litres per 15 minutes (see tests/store/day_block_test.cpp).
store::DayBlock WaterDay(std::mt19937& rng) {
  store::DayBlock b = store::DayBlock::Empty(900, 96, -3);
  for (int i = 0; i < 96; ++i) {
    int hour = i / 4;
    int64_t v = 0;
    if (hour >= 6 && hour < 9) v = std::uniform_int_distribution<int>(0, 60)(rng);
    else if (hour >= 18 && hour < 22) v = std::uniform_int_distribution<int>(0, 40)(rng);
    else if (hour >= 9 && hour < 18 && rng() % 5 == 0) v = std::uniform_int_distribution<int>(1, 15)(rng);
    b.values[i] = v;
    b.quality[i] = core::Quality::kValid;
  }
  return b;
}

void BenchCodec() {
  std::mt19937 rng(42);
  std::vector<store::DayBlock> blocks;
  for (int i = 0; i < 1000; ++i) blocks.push_back(WaterDay(rng));
  const int rounds = 200;
  size_t bytes = 0;
  std::vector<std::string> encoded(blocks.size());
  auto t0 = Clock::now();
  for (int r = 0; r < rounds; ++r) {
    for (size_t i = 0; i < blocks.size(); ++i) encoded[i] = store::EncodeDayBlock(blocks[i]);
  }
  double enc_s = Seconds(Clock::now() - t0);
  for (const auto& e : encoded) bytes += e.size();
  int64_t checksum = 0;
  t0 = Clock::now();
  for (int r = 0; r < rounds; ++r) {
    for (const auto& e : encoded) {
      auto b = store::DecodeDayBlock(e);
      if (!b) std::abort();
      checksum += b->values[30];
    }
  }
  double dec_s = Seconds(Clock::now() - t0);
  const double n = static_cast<double>(blocks.size()) * rounds;
  const double mb = static_cast<double>(bytes) * rounds / 1e6;
  std::printf("day block: %.3f bytes/reading (%zu bytes for %zu days)\n", static_cast<double>(bytes) / (blocks.size() * 96),
              bytes, blocks.size());
  std::printf("encode: %.0f blocks/s, %.2f M readings/s, %.1f MB/s\n", n / enc_s, n * 96 / enc_s / 1e6, mb / enc_s);
  std::printf("decode: %.0f blocks/s, %.2f M readings/s, %.1f MB/s (checksum %lld)\n", n / dec_s, n * 96 / dec_s / 1e6,
              mb / dec_s, static_cast<long long>(checksum));
}

// Decoding into a reused block, as a bill run does, on days mixed like the bill run's electricity
// pool (bench/bill_run_bench.cpp): 85% one-byte and 15% two-byte deltas. Best of 20 passes, as
// the figure is a few nanoseconds and the machine may be shared.
void BenchDecodeInto() {
  std::mt19937 rng(43);
  std::vector<std::string> encoded;
  size_t bytes = 0;
  for (int i = 0; i < 4096; ++i) {
    store::DayBlock b = store::DayBlock::Empty(900, 96, 0);
    int64_t v = 300;
    for (int s = 0; s < 96; ++s) {
      const int step = rng() % 100 < 85 ? 63 : 900;
      v = std::max<int64_t>(0, v + std::uniform_int_distribution<int>(-step, step)(rng));
      b.values[static_cast<size_t>(s)] = v;
      b.quality[static_cast<size_t>(s)] = core::Quality::kValid;
    }
    encoded.push_back(store::EncodeDayBlock(b));
    bytes += encoded.back().size();
  }
  store::DayBlock b;
  int64_t checksum = 0;
  double best_s = 1e9;
  for (int pass = 0; pass < 20; ++pass) {
    auto t0 = Clock::now();
    for (const auto& e : encoded) {
      if (!store::DecodeDayBlockInto(e, b)) std::abort();
      checksum += b.values[95];
    }
    best_s = std::min(best_s, Seconds(Clock::now() - t0));
  }
  std::printf("decode into a reused block: %.2f ns/reading (%.1f bytes/day, checksum %lld)\n",
              best_s * 1e9 / (static_cast<double>(encoded.size()) * 96), static_cast<double>(bytes) / encoded.size(),
              static_cast<long long>(checksum));
}

int BenchCommit(int meters, int per_commit) {
  auto dir = std::filesystem::temp_directory_path() / ("meterd-store-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  int rc = 0;
  {
    auto opened = store::OpenSqliteStore({(dir / "bench.db").string(), /*synchronous_full=*/true});
    if (!opened) {
      std::fprintf(stderr, "open: %s\n", opened.error().ToString().c_str());
      return 1;
    }
    auto& s = **opened;
    for (int m = 0; m < meters; ++m) {
      store::MeterRecord meter;
      meter.id = "wm-" + std::to_string(m);
      meter.device = "acq-" + std::to_string(m);
      store::DeviceRecord device;
      device.id = meter.device;
      device.meter = meter.id;
      if (auto r = s.PutDevice(device, meter); !r) std::abort();
    }
    std::mt19937 rng(7);
    const core::LocalDay first_day = *core::ParseDay("2026-03-02");
    const int days = 3;
    int64_t readings = 0;
    int commits = 0;
    auto t0 = Clock::now();
    for (int d = 0; d < days; ++d) {
      for (int m0 = 0; m0 < meters; m0 += per_commit) {
        std::vector<store::IngestWrite> batch;
        for (int m = m0; m < std::min(meters, m0 + per_commit); ++m) {
          store::DayBlock day = WaterDay(rng);
          store::IngestWrite w;
          for (int i = 0; i < 96; ++i) {
            w.slots.push_back(store::SlotWrite{"wm-" + std::to_string(m), core::Channel::kVolume, first_day + d, 96, 900, i,
                                               core::Quantity{day.values[i], -3, core::Unit::kM3}});
          }
          readings += 96;
          batch.push_back(std::move(w));
        }
        if (auto r = s.Commit(batch); !r) {
          std::fprintf(stderr, "commit: %s\n", r.error().ToString().c_str());
          rc = 1;
          break;
        }
        ++commits;
      }
    }
    double secs = Seconds(Clock::now() - t0);
    std::printf("commit (synchronous=FULL, %d meters x %d days, %d meter-days per commit): %.0f readings/s, %.1f commits/s\n",
                meters, days, per_commit, readings / secs, commits / secs);
    std::printf("database: %.1f KB in %lld blocks\n",
                static_cast<double>(std::filesystem::file_size(dir / "bench.db") +
                                    (std::filesystem::exists(dir / "bench.db-wal") ? std::filesystem::file_size(dir / "bench.db-wal") : 0)) /
                    1024,
                static_cast<long long>(s.Stats()->blocks));
  }
  std::filesystem::remove_all(dir);
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  int meters = argc > 1 ? std::atoi(argv[1]) : 2000;
  int per_commit = argc > 2 ? std::atoi(argv[2]) : 100;
  BenchCodec();
  BenchDecodeInto();
  return BenchCommit(meters, per_commit);
}
