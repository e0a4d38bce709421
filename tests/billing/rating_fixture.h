// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the rating tests share (rating_test.cpp, rating_more_test.cpp): the worked examples'
// tariff, interval builders, their day-block form, and RateBoth(), which rates the same data by
// Rate() and RateDays() and requires the two bills to be equal.
#include <gtest/gtest.h>

#include <array>
#include <map>
#include <sstream>

#include "billing/rating.h"

namespace meterd::billing::testing {


inline constexpr const char* kTariff = R"(
id = "tou-test"
name = "Two-rate test tariff"
currency = "GBP"
unit = "kWh"
time_zone = "Europe/London"

[[version]]
effective = "2026-01-01"
fixed = [{ name = "Standing charge", amount = "0.50", per = "day" }]

[[version.rate]]
name = "night"
from = "00:00"
to = "07:00"
price = "0.10"

[[version.rate]]
name = "day"
from = "07:00"
to = "24:00"
tiers = [{ up_to = "10", price = "0.20" }, { price = "0.30" }]

[[version]]
effective = "2027-01-01"
fixed = [{ name = "Standing charge", amount = "31.00", per = "month" }]

[[version.rate]]
name = "flat"
price = "0.25"
)";

inline int32_t Day(const char* s) { return *core::ParseDay(s); }

inline Tariff Parse(const char* text) {
  auto t = ParseTariff(text, "test.toml");
  EXPECT_TRUE(t) << t.error().ToString();
  return t ? *t : Tariff{};
}
inline Tariff Load() { return Parse(kTariff); }

// One interval of `seconds` each from the start of local day `from` to that of `to`, each `value`.
inline std::vector<UsageInterval> Every(const Tariff& t, int32_t from, int32_t to, int64_t seconds, core::Quantity value) {
  std::vector<UsageInterval> out;
  for (core::Instant s = t.zone.StartOf(from); s < t.zone.StartOf(to); s += core::Seconds{seconds}) {
    out.push_back({s, s + core::Seconds{seconds}, value, core::Quality::kValid});
  }
  return out;
}
// One interval per real hour of the local days [from, to), each `wh` Wh.
inline std::vector<UsageInterval> Hourly(const Tariff& t, int32_t from, int32_t to, int64_t wh) {
  return Every(t, from, to, 3600, {wh, 0, core::Unit::kWh});
}

// The same data as day blocks: one per local day, slots by interval start.
struct Blocks {
  std::map<int32_t, std::pair<std::vector<int64_t>, std::vector<core::Quality>>> data;
  std::vector<DayUsage> days;
};
inline Blocks ToDays(const Tariff& t, const std::vector<UsageInterval>& usage) {
  struct Input {
    int32_t interval_s = 0;
    int8_t scale = 0;
    std::vector<const UsageInterval*> in;
  };
  std::map<int32_t, Input> by_day;
  for (const auto& u : usage) {
    Input& d = by_day[t.zone.DayOf(u.start)];
    d.interval_s = static_cast<int32_t>((u.end - u.start).count());
    d.scale = std::min(d.scale, u.value.scale);
    d.in.push_back(&u);
  }
  Blocks b;
  for (auto& [day, d] : by_day) {
    auto& [values, quality] = b.data[day];
    values.assign(t.zone.DayLengthSeconds(day) / d.interval_s, 0);
    quality.assign(values.size(), core::Quality::kMissing);
    for (const UsageInterval* u : d.in) {
      size_t i = static_cast<size_t>((u->start - t.zone.StartOf(day)).count() / d.interval_s);
      values[i] = u->value.Rescaled(d.scale)->value;
      quality[i] = u->quality;
    }
    b.days.push_back({day, d.interval_s, d.scale, values, quality});
  }
  return b;
}

inline std::string Dump(const Bill& b) {
  std::ostringstream out;
  for (const auto& l : b.lines) {
    out << l.description << " [" << l.from_day << "," << l.to_day << ") " << l.quantity.ToString() << " x "
        << l.unit_price.micros << " = " << l.amount.micros << " (" << l.intervals << " intervals, " << l.reads
        << " reads, " << l.estimated << " estimated)\n";
  }
  out << "total " << b.total.micros << ", " << b.intervals << " intervals, " << b.missing_days << " missing days";
  return out.str();
}

// Rate() and RateDays() on the same data must give the same bill.
inline core::Result<Bill> RateBoth(const Tariff& t, int32_t from, int32_t to, const std::vector<UsageInterval>& usage,
                            RateContext context = {}) {
  auto by_intervals = Rate(t, from, to, usage, context);
  Blocks days = ToDays(t, usage), reactive = ToDays(t, context.reactive);
  context.reactive.clear();
  context.reactive_days = reactive.days;
  auto by_days = RateDays(t, from, to, days.days, context);
  EXPECT_EQ(by_intervals.has_value(), by_days.has_value());
  if (by_intervals && by_days) {
    EXPECT_EQ(*by_intervals, *by_days) << Dump(*by_intervals) << "\n--- RateDays:\n" << Dump(*by_days);
  }
  return by_intervals;
}

inline int64_t Cents(const core::Money& m) { return m.micros / 10000; }

inline const BillLine* Line(const Bill& b, std::string_view description) {
  for (const auto& l : b.lines) {
    if (l.description == description) return &l;
  }
  ADD_FAILURE() << "no line '" << description << "' in\n" << Dump(b);
  static const BillLine kNone;
  return &kNone;
}

inline constexpr const char* kBusiness = R"(
id = "biz"
name = "Small business with demand"
currency = "GBP"
unit = "kWh"
time_zone = "UTC"
[[version]]
effective = "2026-01-01"
minimum = "20.00"
taxes = [{ name = "VAT", rate = "0.20" }]
demand = [{ name = "Demand", price = "8.00", ratchet = "0.80" }]
[[version.rate]]
name = "all"
price = "0.10"
)";

// 15-minute intervals of one UTC day from `day`, each `wh`, the one at `spike` index `spike_wh`.
inline std::vector<UsageInterval> QuarterHours(int32_t day, int count, int64_t wh, int spike, int64_t spike_wh) {
  std::vector<UsageInterval> out;
  core::Instant s = core::FromUnixSeconds(int64_t{day} * 86400);
  for (int i = 0; i < count; ++i, s += core::Seconds{900}) {
    out.push_back({s, s + core::Seconds{900}, {i == spike ? spike_wh : wh, 0, core::Unit::kWh}, core::Quality::kValid});
  }
  return out;
}

}  // namespace meterd::billing::testing
