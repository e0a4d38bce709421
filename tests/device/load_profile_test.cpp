// SPDX-License-Identifier: Apache-2.0
#include "device/load_profile.h"

#include <gtest/gtest.h>

namespace meterd::device {
namespace {

core::Instant Day(int32_t y, uint32_t m, uint32_t d) {
  return core::FromUnixSeconds(int64_t{core::DaysFromCivil({y, m, d})} * 86400);
}

// Pulses of `weight` over `days` days from `start`, sampled every 15 minutes.
uint64_t RunQuarters(LoadProfile& p, core::Instant start, int days, const core::Quantity& weight) {
  uint64_t total = 0;
  for (int i = 0; i < days * 96; ++i) total += p.Pulses(start + core::Seconds{900 * i}, start + core::Seconds{900 * (i + 1)}, weight);
  return total;
}

TEST(LoadProfile, SameSeedSamePulses) {
  const core::Quantity litre{1, 0, core::Unit::kL};
  LoadProfile a(core::Medium::kWater, 42), b(core::Medium::kWater, 42), c(core::Medium::kWater, 43);
  auto start = Day(2026, 3, 2);
  uint64_t ra = RunQuarters(a, start, 7, litre), rb = RunQuarters(b, start, 7, litre), rc = RunQuarters(c, start, 7, litre);
  EXPECT_EQ(ra, rb);
  EXPECT_NE(ra, rc);
}

TEST(LoadProfile, TotalsDoNotDependOnHowTimeIsSplit) {
  const core::Quantity weight{1, -1, core::Unit::kL};
  LoadProfile fine(core::Medium::kHotWater, 7), coarse(core::Medium::kHotWater, 7);
  auto start = Day(2026, 5, 1);
  uint64_t by_quarter = RunQuarters(fine, start, 3, weight);
  uint64_t by_day = 0;
  for (int d = 0; d < 3; ++d) by_day += coarse.Pulses(start + core::Seconds{86400 * d}, start + core::Seconds{86400 * (d + 1)}, weight);
  EXPECT_NEAR(static_cast<double>(by_quarter), static_cast<double>(by_day), 1.0);
  // Carried fractions: many tiny calls lose nothing against one big one.
  LoadProfile seconds(core::Medium::kHotWater, 7);
  uint64_t by_second_chunks = 0;
  for (int i = 0; i < 3 * 86400 / 60; ++i) by_second_chunks += seconds.Pulses(start + core::Seconds{60 * i}, start + core::Seconds{60 * (i + 1)}, weight);
  EXPECT_NEAR(static_cast<double>(by_second_chunks), static_cast<double>(by_day), 1.0);
}

// Mean daily consumption over a week, in units of `weight`, for the average household (scale 1).
double DailyMean(core::Medium medium, core::Instant start, const core::Quantity& weight, uint64_t seeds = 20) {
  double sum = 0;
  for (uint64_t seed = 1; seed <= seeds; ++seed) {
    LoadProfile p(medium, seed);
    sum += static_cast<double>(RunQuarters(p, start, 7, weight)) / 7 / p.Scale();
  }
  return sum / static_cast<double>(seeds);
}

TEST(LoadProfile, PlausibleDailyTotalsPerMedium) {
  const core::Quantity litre{1, 0, core::Unit::kL};
  const core::Quantity wh{1, 0, core::Unit::kWh};
  const core::Quantity dm3{1, -3, core::Unit::kM3};  // 1 L expressed in m3
  auto winter = Day(2026, 1, 19), summer = Day(2026, 7, 20);
  double water = DailyMean(core::Medium::kWater, winter, litre);
  EXPECT_GT(water, 250);
  EXPECT_LT(water, 360);
  double hot = DailyMean(core::Medium::kHotWater, winter, litre);
  EXPECT_GT(hot, 80);
  EXPECT_LT(hot, 130);
  double gas_winter = DailyMean(core::Medium::kGas, winter, dm3);
  double gas_summer = DailyMean(core::Medium::kGas, summer, dm3);
  EXPECT_GT(gas_winter, 4500);
  EXPECT_LT(gas_winter, 7500);
  EXPECT_GT(gas_summer, 700);
  EXPECT_LT(gas_summer, 1400);
  double elec_winter = DailyMean(core::Medium::kElectricity, winter, wh);
  double elec_summer = DailyMean(core::Medium::kElectricity, summer, wh);
  EXPECT_GT(elec_winter, elec_summer);
  EXPECT_GT(elec_summer, 7500);
  EXPECT_LT(elec_winter, 13500);
}

TEST(LoadProfile, WaterPeaksInTheMorningAndEveningNotAtNight) {
  LoadProfile p(core::Medium::kWater, 3);
  auto day = Day(2026, 4, 7);  // a Tuesday
  double night = 0, morning = 0, evening = 0;
  for (int d = 0; d < 28; ++d) {
    auto base = day + core::Seconds{86400 * 7 * (d / 4)};
    night += p.Consumption(base + core::Seconds{2 * 3600}, base + core::Seconds{4 * 3600});
    morning += p.Consumption(base + core::Seconds{7 * 3600}, base + core::Seconds{9 * 3600});
    evening += p.Consumption(base + core::Seconds{18 * 3600}, base + core::Seconds{20 * 3600});
  }
  EXPECT_GT(morning, 5 * night);
  EXPECT_GT(evening, 5 * night);
}

TEST(LoadProfile, UnsupportedPulseWeightGivesNothing) {
  LoadProfile p(core::Medium::kElectricity, 1);
  auto t = Day(2026, 1, 1);
  EXPECT_EQ(p.Pulses(t, t + core::Seconds{86400}, core::Quantity{1, 0, core::Unit::kV}), 0u);
  EXPECT_EQ(p.Pulses(t + core::Seconds{10}, t, core::Quantity{1, 0, core::Unit::kWh}), 0u);
}

}  // namespace
}  // namespace meterd::device
