// SPDX-License-Identifier: Apache-2.0
// A bill run end to end on the embedded store: N accounts, each with its own meter holding a month
// (April 2026, 30 x 96 = 2880 intervals) of 15-minute electricity data in day blocks, billed
// against a TOU + tiers + standing charge + VAT tariff: read the blocks, decode, rate, audit, write
// the bills (billing::RunBills with all cores). Also measures this machine's memory read
// bandwidth, to compare the scan rate with it.
//
// The store is built once per N by a bulk loader (plain SQL inserts into the store's own schema,
// far faster than ingesting 2.9 billion readings through the head-end) and kept for the next
// invocation; the meter-days are drawn from a pool of 4096 distinct days of metersim's electricity
// profile (BDEW H0 shape with per-slot noise), so block sizes are those of real-looking data.
//   bill_run_bench [accounts=100000] [dir=/tmp/meterd-bill-bench] [threads=0 (all cores)]
#include <sqlite3.h>
#include <sys/resource.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <thread>
#include <vector>

#include "billing/run.h"
#include "device/load_profile.h"
#include "store/day_block.h"
#include "store/store.h"

namespace {

using namespace meterd;
using Clock = std::chrono::steady_clock;

constexpr const char* kTariff = R"(id = "bench-tou"
name = "Residential TOU with tiers"
currency = "GBP"
unit = "kWh"
time_zone = "Europe/London"
[[version]]
effective = "2025-01-01"
fixed = [{ name = "Standing charge", amount = "0.5012", per = "day" }]
taxes = [{ name = "VAT", rate = "0.05" }]
[[version.rate]]
name = "night"
from = "00:00"
to = "07:00"
price = "0.1200"
[[version.rate]]
name = "day"
days = ["weekday"]
from = "07:00"
to = "16:00"
tiers = [{ up_to = "100", price = "0.2500" }, { up_to = "250", price = "0.2800" }, { price = "0.3100" }]
[[version.rate]]
name = "peak"
days = ["weekday"]
from = "16:00"
to = "19:00"
price = "0.3500"
[[version.rate]]
name = "evening"
days = ["weekday"]
from = "19:00"
to = "24:00"
price = "0.2200"
[[version.rate]]
name = "weekend"
days = ["weekend", "holiday"]
from = "07:00"
to = "24:00"
price = "0.2000"
)";

constexpr int kDays = 30;
constexpr int kPool = 4096;

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

long MaxRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

bool Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "sqlite: %s: %s\n", sql, err ? err : "?");
    sqlite3_free(err);
    return false;
  }
  return true;
}

// Builds the store for `accounts` accounts. Returns the bytes of block data written.
bool Build(const std::string& path, int accounts, int64_t* block_bytes) {
  {
    auto store = store::OpenSqliteStore({path, false});  // creates the schema
    if (!store) return false;
    if (!(*store)->PutTariff({"bench-tou", kTariff, core::FromUnixSeconds(0), "bench"})) return false;
    if (!(*store)->PutZone({"bench", false, 100})) return false;
  }
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return false;
  Exec(db, "PRAGMA synchronous=OFF");
  Exec(db, "PRAGMA cache_size=-1000000");

  // The pool of distinct meter-days (electricity, Wh, 96 slots).
  auto zone = *core::TimeZone::Find("Europe/London");
  core::LocalDay first = *core::ParseDay("2026-04-01");
  std::vector<std::string> pool;
  for (int i = 0; i < kPool; ++i) {
    device::LoadProfile profile(core::Medium::kElectricity, 7000 + static_cast<uint64_t>(i));
    store::DayBlock b = store::DayBlock::Empty(900, 96, 0);
    core::LocalDay day = first + (i % kDays);
    core::Instant start = zone.StartOf(day);
    for (int s = 0; s < 96; ++s) {
      core::Instant a = start + core::Seconds{900 * s};
      b.values[static_cast<size_t>(s)] =
          static_cast<int64_t>(profile.Pulses(a, a + core::Seconds{900}, core::Quantity{1, 0, core::Unit::kWh}));
      b.quality[static_cast<size_t>(s)] = core::Quality::kValid;
    }
    pool.push_back(store::EncodeDayBlock(b));
  }

  auto t0 = Clock::now();
  Exec(db, "BEGIN");
  sqlite3_stmt* meter = nullptr;
  sqlite3_stmt* point = nullptr;
  sqlite3_stmt* account = nullptr;
  sqlite3_stmt* block = nullptr;
  sqlite3_prepare_v2(db,
                     "INSERT INTO meters (meter_key, id, medium, device, time_zone, interval_s, has_register, "
                     "register_value, register_scale, register_unit, register_at) VALUES (?1, ?2, 0, ?3, "
                     "'Europe/London', 900, 0, 0, 0, 0, 0)",
                     -1, &meter, nullptr);
  sqlite3_prepare_v2(db, "INSERT INTO service_points (id, meter, since_day) VALUES (?1, ?2, 0)", -1, &point, nullptr);
  sqlite3_prepare_v2(db,
                     "INSERT INTO accounts (account_key, id, name, cycle, zone, customer_class, service_point, meter, "
                     "tariff, email, phone, move_in_day) VALUES (?1, ?2, '', 'bench', 'bench', 'residential', ?3, ?4, "
                     "'bench-tou', '', '', 0)",
                     -1, &account, nullptr);
  sqlite3_prepare_v2(db,
                     "INSERT INTO interval_blocks (meter_key, channel, day, version, source, created, data) VALUES "
                     "(?1, 1, ?2, 1, 'bench', 0, ?3)",
                     -1, &block, nullptr);
  int64_t bytes = 0;
  for (int i = 1; i <= accounts; ++i) {
    std::string m = fmt::format("E{:07}", i);
    std::string sp = fmt::format("SP{:07}", i);
    std::string a = fmt::format("A{:07}", i);
    sqlite3_bind_int64(meter, 1, i);
    sqlite3_bind_text(meter, 2, m.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(meter, 3, m.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_step(meter);
    sqlite3_reset(meter);
    sqlite3_bind_text(point, 1, sp.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(point, 2, m.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_step(point);
    sqlite3_reset(point);
    sqlite3_bind_int64(account, 1, i);
    sqlite3_bind_text(account, 2, a.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(account, 3, sp.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(account, 4, m.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(account) != SQLITE_DONE) {
      std::fprintf(stderr, "insert account: %s\n", sqlite3_errmsg(db));
      return false;
    }
    sqlite3_reset(account);
    for (int d = 0; d < kDays; ++d) {
      // Day d of the month from the pool entries made for that day of the month.
      const std::string& data = pool[static_cast<size_t>(((i * 31 + d * 7) % (kPool / kDays)) * kDays + d)];
      sqlite3_bind_int64(block, 1, i);
      sqlite3_bind_int64(block, 2, first + d);
      sqlite3_bind_blob(block, 3, data.data(), static_cast<int>(data.size()), SQLITE_STATIC);
      if (sqlite3_step(block) != SQLITE_DONE) {
        std::fprintf(stderr, "insert block: %s\n", sqlite3_errmsg(db));
        return false;
      }
      sqlite3_reset(block);
      bytes += static_cast<int64_t>(data.size());
    }
    if (i % 100000 == 0) {
      Exec(db, "COMMIT");
      Exec(db, "BEGIN");
      std::fprintf(stderr, "  loaded %d accounts (%.0f s)\n", i,
                   std::chrono::duration<double>(Clock::now() - t0).count());
    }
  }
  Exec(db, "COMMIT");
  for (auto* s : {meter, point, account, block}) sqlite3_finalize(s);
  Exec(db, "CREATE TABLE bench_meta (accounts INTEGER, block_bytes INTEGER)");
  Exec(db, fmt::format("INSERT INTO bench_meta VALUES ({}, {})", accounts, bytes).c_str());
  Exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  sqlite3_close(db);
  *block_bytes = bytes;
  std::printf("built %d accounts, %d days each, %.2f GB of day blocks (%.3f bytes/reading) in %.0f s\n", accounts,
              kDays, static_cast<double>(bytes) / 1e9, static_cast<double>(bytes) / (accounts * kDays * 96.0),
              std::chrono::duration<double>(Clock::now() - t0).count());
  return true;
}

// Sequential read bandwidth of this machine: sums a 1 GiB buffer with `threads` threads.
double ReadBandwidthGBs(int threads) {
  const size_t n = (1ull << 30) / sizeof(uint64_t);
  std::vector<uint64_t> buf(n, 1);
  std::atomic<uint64_t> sink{0};
  auto t0 = Clock::now();
  const int reps = 4;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      uint64_t s = 0;
      size_t lo = n * t / threads, hi = n * (t + 1) / threads;
      for (int r = 0; r < reps; ++r) {
        for (size_t i = lo; i < hi; i += 4) s += buf[i] + buf[i + 1] + buf[i + 2] + buf[i + 3];
      }
      sink += s;
    });
  }
  for (auto& t : pool) t.join();
  double s = std::chrono::duration<double>(Clock::now() - t0).count();
  return reps * static_cast<double>(n * sizeof(uint64_t)) / s / 1e9 + static_cast<double>(sink.load() & 0);
}

}  // namespace

int main(int argc, char** argv) {
  int accounts = argc > 1 ? std::atoi(argv[1]) : 100000;
  std::filesystem::path dir = argc > 2 ? argv[2] : "/tmp/meterd-bill-bench";
  int threads = argc > 3 ? std::atoi(argv[3]) : 0;
  std::filesystem::create_directories(dir);
  std::string path = (dir / fmt::format("bills-{}.db", accounts)).string();

  int64_t block_bytes = 0;
  {
    sqlite3* db = nullptr;
    bool have = false;
    if (std::filesystem::exists(path) && sqlite3_open(path.c_str(), &db) == SQLITE_OK) {
      sqlite3_stmt* s = nullptr;
      if (sqlite3_prepare_v2(db, "SELECT accounts, block_bytes FROM bench_meta", -1, &s, nullptr) == SQLITE_OK &&
          sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) == accounts) {
        have = true;
        block_bytes = sqlite3_column_int64(s, 1);
      }
      sqlite3_finalize(s);
      // A fresh run each time: drop the bills of the last invocation. Without the delete trigger
      // (no bill here is released) SQLite truncates the table instead of deleting row by row.
      if (have) {
        std::string trigger;
        sqlite3_stmt* t = nullptr;
        if (sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master WHERE name = 'bills_released_delete'", -1, &t,
                               nullptr) == SQLITE_OK &&
            sqlite3_step(t) == SQLITE_ROW) {
          trigger = reinterpret_cast<const char*>(sqlite3_column_text(t, 0));
        }
        sqlite3_finalize(t);
        Exec(db, "BEGIN; DROP TRIGGER IF EXISTS bills_released_delete; DELETE FROM bills; DELETE FROM bill_holds; "
                 "DELETE FROM bill_run_chunks; DELETE FROM bill_runs; DELETE FROM events");
        if (!trigger.empty()) Exec(db, trigger.c_str());
        Exec(db, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE)");
      }
      sqlite3_close(db);
    }
    if (!have) {
      std::filesystem::remove(path);
      std::filesystem::remove(path + "-wal");
      std::filesystem::remove(path + "-shm");
      if (!Build(path, accounts, &block_bytes)) return 1;
    }
  }
  // Closed months are packed (one row per meter-month) by the store's pack job a few days after
  // the month ends; the first invocation on a fresh store does it here and reports its cost.
  {
    auto store = store::OpenSqliteStore({path, false});
    if (!store) {
      std::fprintf(stderr, "%s\n", store.error().ToString().c_str());
      return 1;
    }
    auto t0 = Clock::now();
    auto packed = (*store)->PackMonths(*core::ParseDay("2026-04-01") + kDays, 0);
    if (!packed) {
      std::fprintf(stderr, "pack: %s\n", packed.error().ToString().c_str());
      return 1;
    }
    if (packed->months > 0) {
      std::printf("packed %lld months (%lld day blocks, %.2f GB of packs) in %.1f s\n",
                  static_cast<long long>(packed->months), static_cast<long long>(packed->days),
                  static_cast<double>(packed->bytes) / 1e9, std::chrono::duration<double>(Clock::now() - t0).count());
    }
  }
  // Bring the file into the page cache (it would be warm on a server that just ingested it).
  {
    auto t0 = Clock::now();
    FILE* f = std::fopen(path.c_str(), "rb");
    std::vector<char> buf(1 << 20);
    size_t total = 0;
    while (f) {
      size_t n = std::fread(buf.data(), 1, buf.size(), f);
      if (n == 0) break;
      total += n;
    }
    if (f) std::fclose(f);
    std::printf("store file %.2f GB (read into the page cache in %.1f s)\n", static_cast<double>(total) / 1e9,
                std::chrono::duration<double>(Clock::now() - t0).count());
  }

  auto store = store::OpenSqliteStore({path, false});
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().ToString().c_str());
    return 1;
  }
  billing::RunOptions o;
  o.cycle = "bench";
  o.from_day = *core::ParseDay("2026-04-01");
  o.to_day = o.from_day + kDays;
  o.chunk_size = 2000;
  o.threads = threads;
  o.by = "bench";
  double cpu0 = CpuSeconds();
  auto t0 = Clock::now();
  auto run = billing::RunBills(**store, billing::Rules{}, o);
  double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  double cpu = CpuSeconds() - cpu0;
  if (!run) {
    std::fprintf(stderr, "bill run failed: %s\n", run.error().ToString().c_str());
    return 1;
  }
  int cores = threads > 0 ? threads : static_cast<int>(std::thread::hardware_concurrency());
  double readings = static_cast<double>(accounts) * kDays * 96;
  std::printf(
      "bill run: %d accounts, %.2f G readings: %.1f s wall, %.1f s CPU on %d threads, %lld billed, %lld held; "
      "%.0f bills/s (%.0f per core-second of CPU), %.1f M readings/s, blocks scanned at %.0f MB/s, max RSS %ld MB\n",
      accounts, readings / 1e9, wall, cpu, cores, static_cast<long long>(run->billed),
      static_cast<long long>(run->held), accounts / wall, accounts / cpu, readings / wall / 1e6,
      static_cast<double>(block_bytes) / wall / 1e6, MaxRssMb());
  double bw1 = ReadBandwidthGBs(1);
  double bw = ReadBandwidthGBs(cores);
  std::printf("memory read bandwidth: %.1f GB/s on 1 thread, %.1f GB/s on %d; the run scans %.3f GB/s of blocks "
              "(%.2f%% of it) and decodes them to %.1f GB/s of 9-byte intervals\n",
              bw1, bw, cores, static_cast<double>(block_bytes) / wall / 1e9,
              100.0 * static_cast<double>(block_bytes) / wall / 1e9 / bw, readings * 9 / wall / 1e9);
  return 0;
}
