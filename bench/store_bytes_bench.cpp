// SPDX-License-Identifier: Apache-2.0
// Bytes on disk per 15-minute reading for a simulated year of a mixed fleet (water, hot water,
// gas and electricity pulse meters with metersim's load profiles), in the SQLite store.
// Usage: store_bytes_bench [meters=1000] [days=365] [dir=/tmp/meterd-bytes-bench]
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <vector>

#include "device/load_profile.h"
#include "store/store.h"

using namespace meterd;

int main(int argc, char** argv) {
  int meters = argc > 1 ? std::atoi(argv[1]) : 1000;
  int days = argc > 2 ? std::atoi(argv[2]) : 365;
  std::filesystem::path dir = argc > 3 ? argv[3] : "/tmp/meterd-bytes-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string db = (dir / "meterd.db").string();
  auto store = store::OpenSqliteStore({db, false});
  if (!store) return 1;

  struct Kind {
    core::Medium medium;
    char prefix;
    core::Quantity weight;  // normalised
  };
  const Kind kinds[] = {{core::Medium::kWater, 'W', {1, -3, core::Unit::kM3}},
                        {core::Medium::kWater, 'W', {1, -3, core::Unit::kM3}},
                        {core::Medium::kHotWater, 'H', {1, -3, core::Unit::kM3}},
                        {core::Medium::kGas, 'G', {10, -3, core::Unit::kM3}},
                        {core::Medium::kElectricity, 'E', {1, 0, core::Unit::kWh}}};
  auto zone = core::TimeZone::Utc();
  core::LocalDay first = *core::ParseDay("2025-01-01");
  std::vector<device::LoadProfile> profiles;
  std::vector<store::MeterRecord> records;
  for (int m = 0; m < meters; ++m) {
    const Kind& k = kinds[m % 5];
    profiles.emplace_back(k.medium, 1000 + m);
    store::MeterRecord meter;
    meter.id = fmt::format("{}{:06}", k.prefix, m);
    meter.medium = k.medium;
    meter.device = fmt::format("D{:06}", m);
    store::DeviceRecord dev;
    dev.id = meter.device;
    dev.meter = meter.id;
    dev.medium = k.medium;
    dev.pulse_weight = k.weight;
    if (!(*store)->PutDevice(dev, meter)) return 1;
    records.push_back(meter);
  }
  auto t0 = std::chrono::steady_clock::now();
  int64_t readings = 0;
  const int kMetersPerCommit = 100;
  for (int day = 0; day < days; ++day) {
    for (int m0 = 0; m0 < meters; m0 += kMetersPerCommit) {
      std::vector<store::IngestWrite> writes(1);
      auto& slots = writes[0].slots;
      for (int m = m0; m < std::min(meters, m0 + kMetersPerCommit); ++m) {
        const Kind& k = kinds[m % 5];
        core::Instant day_start = zone.StartOf(first + day);
        for (int i = 0; i < 96; ++i) {
          core::Instant t = day_start + core::Seconds{int64_t{i} * 900};
          // LoadProfile takes the pulse weight as the device reports it (L or Wh).
          core::Quantity reported = k.weight.unit == core::Unit::kM3 ? core::Quantity{k.weight.value, 0, core::Unit::kL} : k.weight;
          uint64_t pulses = profiles[m].Pulses(t, t + core::Seconds{900}, reported);
          store::SlotWrite w;
          w.meter = records[m].id;
          w.channel = core::PulseChannel(k.medium);
          w.day = first + day;
          w.slots_per_day = 96;
          w.interval_s = 900;
          w.slot = i;
          w.value = core::Quantity{static_cast<int64_t>(pulses) * k.weight.value, k.weight.scale, k.weight.unit};
          slots.push_back(std::move(w));
          ++readings;
        }
      }
      if (auto c = (*store)->Commit(writes); !c) {
        std::fprintf(stderr, "%s\n", c.error().ToString().c_str());
        return 1;
      }
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // Fold the WAL into the database file and drop free pages, as a running system's checkpoint does.
  auto on_disk = [&] {
    sqlite3* raw = nullptr;
    sqlite3_open(db.c_str(), &raw);
    sqlite3_exec(raw, "PRAGMA wal_checkpoint(TRUNCATE); VACUUM;", nullptr, nullptr, nullptr);
    sqlite3_close(raw);
    uintmax_t size = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) size += e.file_size();
    return size;
  };
  std::printf("store_bytes_bench: %d meters x %d days x 96 = %lld readings written in %.1f s\n", meters, days,
              static_cast<long long>(readings), secs);
  store->reset();  // VACUUM needs the only connection
  uintmax_t size = on_disk();
  std::printf("store_bytes_bench: %.1f MB on disk, %.3f bytes per 15-minute reading (target <= 2)\n", size / 1e6,
              static_cast<double>(size) / readings);
  // Then every closed month packed, as meterd's pack job leaves them.
  store = store::OpenSqliteStore({db, false});
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().ToString().c_str());
    return 1;
  }
  auto t1 = std::chrono::steady_clock::now();
  auto packed = (*store)->PackMonths(first + days, 0);
  if (!packed) {
    std::fprintf(stderr, "%s\n", packed.error().ToString().c_str());
    return 1;
  }
  double pack_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  store->reset();
  size = on_disk();
  std::printf("store_bytes_bench: %lld months packed in %.1f s: %.1f MB on disk, %.3f bytes per 15-minute reading\n",
              static_cast<long long>(packed->months), pack_s, size / 1e6, static_cast<double>(size) / readings);
  return 0;
}
