// SPDX-License-Identifier: Apache-2.0
// Rating throughput: billing::RateDays over a month of 15-minute data per account (January 2026,
// 31 x 96 = 2976 intervals) against a tariff with TOU by season and day type, tiers, a standing
// charge and VAT, on one core and on several. The data of `distinct` accounts (9 bytes an
// interval: value and quality, as decoded day blocks) is generated once and cycled through, so
// with the default 2000 it is 54 MB: more than the last-level cache, read from memory.
//   rating_bench [accounts=200000] [distinct=2000] [threads=2]
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <thread>
#include <vector>

#include "billing/rating.h"

namespace {

using namespace meterd;
using Clock = std::chrono::steady_clock;

constexpr const char* kTariff = R"(
id = "bench-tou"
name = "Residential TOU with tiers"
currency = "GBP"
unit = "kWh"
time_zone = "Europe/London"
[[version]]
effective = "2025-01-01"
fixed = [{ name = "Standing charge", amount = "0.5012", per = "day" }]
holidays = ["2026-01-01"]
taxes = [{ name = "VAT", rate = "0.05" }]
[[version.rate]]
name = "night"
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
months = [1, 2, 3, 10, 11, 12]
from = "16:00"
to = "19:00"
price = "0.4000"
[[version.rate]]
name = "peak-summer"
days = ["weekday"]
months = [4, 5, 6, 7, 8, 9]
from = "16:00"
to = "19:00"
price = "0.3000"
[[version.rate]]
name = "evening"
days = ["weekday"]
from = "19:00"
price = "0.2200"
[[version.rate]]
name = "weekend"
days = ["weekend", "holiday"]
from = "07:00"
tiers = [{ up_to = "50", price = "0.2000" }, { price = "0.2300" }]
)";

struct Account {
  std::vector<int64_t> values;          // 31 days x 96 slots
  std::vector<core::Quality> quality;
  std::vector<billing::DayUsage> days;  // spans into the two above
};

std::vector<Account> MakeAccounts(int distinct, int32_t from_day, int days) {
  std::mt19937 rng(7);
  std::vector<Account> out(distinct);
  for (auto& a : out) {
    a.values.resize(static_cast<size_t>(days) * 96);
    a.quality.resize(a.values.size());
    const int base = std::uniform_int_distribution<int>(20, 120)(rng);
    for (size_t i = 0; i < a.values.size(); ++i) {
      int hour = static_cast<int>(i % 96) / 4;
      int64_t wh = base + (hour >= 17 && hour < 21 ? 3 * base : 0) + static_cast<int64_t>(rng() % 150);
      uint32_t r = rng() % 1000;
      a.values[i] = wh;
      a.quality[i] = r < 3 ? core::Quality::kMissing : r < 20 ? core::Quality::kEstimated : core::Quality::kValid;
    }
    for (int d = 0; d < days; ++d) {
      a.days.push_back({from_day + d, 900, 0, std::span(a.values).subspan(static_cast<size_t>(d) * 96, 96),
                        std::span(a.quality).subspan(static_cast<size_t>(d) * 96, 96)});
    }
  }
  return out;
}

// CPU time of the calling thread: on a shared machine the wall clock also counts other work.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Figures {
  double seconds = 0;      // wall
  double cpu_seconds = 0;  // summed over the threads
  int64_t bills = 0;
  int64_t intervals = 0;
  int64_t checksum = 0;
};

// Rates `accounts` bills on `threads` threads, each with its own scratch (or the thread-local
// one of the short RateDays signature); `empty` rates without data (pricing cost alone).
Figures Run(const billing::Tariff& tariff, const std::vector<Account>& data, int32_t from, int32_t to, int64_t accounts,
            int threads, bool explicit_scratch, bool empty) {
  std::atomic<int64_t> checksum{0}, intervals{0}, cpu_ns{0};
  auto t0 = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      const double cpu0 = ThreadCpuSeconds();
      billing::RatingScratch scratch;
      int64_t sum = 0, n = 0;
      for (int64_t i = t; i < accounts; i += threads) {
        const Account& a = data[static_cast<size_t>(i) % data.size()];
        std::span<const billing::DayUsage> days = empty ? std::span<const billing::DayUsage>() : a.days;
        auto bill = explicit_scratch ? billing::RateDays(tariff, from, to, days, {}, scratch) : billing::RateDays(tariff, from, to, days);
        if (!bill) {
          std::fprintf(stderr, "rating failed: %s\n", bill.error().ToString().c_str());
          std::exit(1);
        }
        sum += bill->total.micros;
        n += bill->intervals;
      }
      checksum += sum;
      intervals += n;
      cpu_ns += static_cast<int64_t>((ThreadCpuSeconds() - cpu0) * 1e9);
    });
  }
  for (auto& th : pool) th.join();
  return {std::chrono::duration<double>(Clock::now() - t0).count(), static_cast<double>(cpu_ns.load()) * 1e-9, accounts,
          intervals.load(), checksum.load()};
}

// Per-core figures are per CPU-second of the rating threads.
void Print(const char* what, int threads, const Figures& f) {
  const double cpu = f.cpu_seconds;
  std::printf("%-31s %d thread%s  wall %6.3f s  cpu %6.3f s  %6.1f M intervals/s per core  %8.0f bills/s per core  %5.2f ns/interval"
              "  %5.2f GB/s read\n",
              what, threads, threads == 1 ? " " : "s", f.seconds, cpu, static_cast<double>(f.intervals) / cpu / 1e6,
              static_cast<double>(f.bills) / cpu, f.intervals ? cpu / static_cast<double>(f.intervals) * 1e9 : 0.0,
              static_cast<double>(f.intervals) * 9 / f.seconds / 1e9);
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t accounts = argc > 1 ? std::atoll(argv[1]) : 200'000;
  const int distinct = argc > 2 ? std::atoi(argv[2]) : 2000;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 2;
  auto tariff = billing::ParseTariff(kTariff, "bench-tou.toml");
  if (!tariff) {
    std::fprintf(stderr, "%s\n", tariff.error().ToString().c_str());
    return 1;
  }
  const int32_t from = *core::ParseDay("2026-01-01"), to = *core::ParseDay("2026-02-01");
  auto data = MakeAccounts(distinct, from, to - from);
  std::printf("rating_bench: %lld accounts x %d days x 96 intervals (TOU 6 periods, tiers, standing charge, VAT), %d distinct (%.0f MB)\n",
              static_cast<long long>(accounts), to - from, distinct, static_cast<double>(distinct) * (to - from) * 96 * 9 / 1e6);
  Run(*tariff, data, from, to, std::min<int64_t>(accounts, 10'000), 1, true, false);  // warm up
  Print("RateDays, explicit scratch", 1, Run(*tariff, data, from, to, accounts, 1, true, false));
  Print("RateDays, thread-local scratch", 1, Run(*tariff, data, from, to, accounts, 1, false, false));
  Print("pricing alone (no data)", 1, Run(*tariff, data, from, to, accounts, 1, true, true));
  if (threads > 1) {
    Figures f = Run(*tariff, data, from, to, accounts, threads, true, false);
    Print("RateDays, explicit scratch", threads, f);
    std::printf("checksum %lld; rating 1,000,000 accounts: %.2f s wall here, %.2f s on %d idle cores at the per-core rate\n",
                static_cast<long long>(f.checksum), f.seconds * 1e6 / static_cast<double>(accounts),
                f.cpu_seconds / threads * 1e6 / static_cast<double>(accounts), threads);
  }
  return 0;
}
