// SPDX-License-Identifier: Apache-2.0
// Whatever parses as a tariff (rates, tiers, demand, reactive charges, minimum, taxes) must cover
// every minute of its days, rate two days of data alike through Rate() and RateDays(), and rate
// register reads without crashing.
#include <cstdint>
#include <string_view>
#include <vector>

#include "billing/rating.h"
#include "billing/tariff.h"

namespace {

using namespace meterd;

// Two local days of 15-minute data from `day`, values drawn from the input bytes.
struct Data {
  std::vector<std::vector<int64_t>> values;
  std::vector<std::vector<core::Quality>> quality;
  std::vector<billing::DayUsage> days;
  std::vector<billing::UsageInterval> intervals;
};

Data Make(const billing::Tariff& t, int32_t day, std::string_view bytes, core::Unit unit, int8_t scale) {
  Data d;
  size_t k = 0;
  for (int32_t n = 0; n < 2; ++n) {
    const int64_t slots = t.zone.DayLengthSeconds(day + n) / 900;
    auto& v = d.values.emplace_back();
    auto& q = d.quality.emplace_back();
    for (int64_t i = 0; i < slots; ++i, ++k) {
      uint8_t b = bytes.empty() ? static_cast<uint8_t>(i) : static_cast<uint8_t>(bytes[k % bytes.size()]);
      v.push_back(static_cast<int64_t>(b) * 37 - 500);
      q.push_back(static_cast<core::Quality>(b & 3));
      if (q.back() == core::Quality::kMissing) continue;
      core::Instant s = t.zone.StartOf(day + n) + core::Seconds{i * 900};
      d.intervals.push_back({s, s + core::Seconds{900}, {v.back(), scale, unit}, q.back()});
    }
  }
  for (size_t n = 0; n < d.values.size(); ++n) d.days.push_back({day + static_cast<int32_t>(n), 900, scale, d.values[n], d.quality[n]});
  return d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto t = billing::ParseTariff(text, "fuzz");
  if (!t) return 0;
  // A parsed tariff covers every minute of every day type: the lookup always finds a period.
  for (const auto& v : t->versions) {
    for (int32_t day = v.effective_day; day < v.effective_day + 7; ++day) {
      for (int minute = 0; minute < 1440; minute += 15) {
        if (!billing::PeriodAt(v, day, minute)) __builtin_trap();
      }
    }
  }
  const int32_t day = t->versions.back().effective_day;
  const auto scale = static_cast<int8_t>(-static_cast<int>(size % 4));
  Data usage = Make(*t, day, text, t->unit, scale);
  Data reactive = Make(*t, day, text.substr(size / 2), core::Unit::kVarh, 0);
  billing::RateContext by_intervals{.previous_peak_w = static_cast<int64_t>(size) * 100};
  billing::RateContext by_days = by_intervals;
  if (t->unit == core::Unit::kWh) {
    by_intervals.reactive = reactive.intervals;
    by_days.reactive_days = reactive.days;
  }
  auto a = billing::Rate(*t, day, day + 2, usage.intervals, by_intervals);
  auto b = billing::RateDays(*t, day, day + 2, usage.days, by_days);
  if (a.has_value() != b.has_value() || (a && *a != *b)) __builtin_trap();

  std::vector<billing::RegisterRead> reads;
  for (const auto& r : t->versions.back().rates) {
    reads.push_back({r.name, {static_cast<int64_t>(size), 0, t->unit}, {static_cast<int64_t>(size) * 3, -1, t->unit}, size % 2 == 0});
  }
  (void)billing::RateRegisters(*t, day, day + 2, reads, {.max_demand_w = static_cast<int64_t>(size)});
  return 0;
}
