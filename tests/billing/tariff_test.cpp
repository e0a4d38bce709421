// SPDX-License-Identifier: Apache-2.0
#include "billing/tariff.h"

#include <gtest/gtest.h>

namespace meterd::billing {
namespace {

constexpr const char* kTou = R"(
id = "res-tou-2026"
name = "Residential time of use"
currency = "GBP"
unit = "kWh"
time_zone = "Europe/London"

[[version]]
effective = "2026-01-01"
fixed = [{ name = "Standing charge", amount = "0.5012", per = "day" }]
holidays = ["2026-12-25", "2026-12-26"]

[[version.rate]]
name = "off-peak"
from = "00:00"
to = "07:00"
price = "0.1200"

[[version.rate]]
name = "day"
days = ["weekday"]
from = "07:00"
to = "16:00"
tiers = [{ up_to = "100", price = "0.2500" }, { price = "0.2800" }]

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
to = "24:00"
price = "0.2200"

[[version.rate]]
name = "weekend"
days = ["weekend", "holiday"]
from = "07:00"
to = "24:00"
price = "0.2000"

[[version]]
effective = "2026-07-01"
fixed = [{ name = "Standing charge", amount = "15.00", per = "month" }]

[[version.rate]]
name = "flat"
price = "0.2450"
)";

int32_t Day(const char* s) { return *core::ParseDay(s); }

TEST(Tariff, ParsesVersionsPeriodsTiersAndHolidays) {
  auto t = ParseTariff(kTou, "tou.toml");
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_EQ(t->currency, "GBP");
  EXPECT_EQ(t->zone.Name(), "Europe/London");
  ASSERT_EQ(t->versions.size(), 2u);
  const TariffVersion& v1 = t->versions[0];
  ASSERT_EQ(v1.fixed.size(), 1u);
  EXPECT_EQ(v1.fixed[0].amount.micros, 501200);
  EXPECT_EQ(v1.fixed[0].per, FixedPer::kDay);
  // Version choice by effective date.
  EXPECT_EQ(t->VersionOn(Day("2025-12-31")), nullptr);
  EXPECT_EQ(t->VersionOn(Day("2026-06-30")), &t->versions[0]);
  EXPECT_EQ(t->VersionOn(Day("2026-07-01")), &t->versions[1]);
  // Day types: 2026-11-23 is a Monday, 2026-11-21 a Saturday, Christmas a holiday (a Friday).
  EXPECT_EQ(DayTypeOf(v1, Day("2026-11-23")), DayType::kWeekday);
  EXPECT_EQ(DayTypeOf(v1, Day("2026-11-21")), DayType::kWeekend);
  EXPECT_EQ(DayTypeOf(v1, Day("2026-12-25")), DayType::kHoliday);
  // Periods by season, day type and minute.
  EXPECT_EQ(PeriodAt(v1, Day("2026-11-23"), 17 * 60)->name, "peak");
  EXPECT_EQ(PeriodAt(v1, Day("2026-05-04"), 17 * 60)->name, "peak-summer");
  EXPECT_EQ(PeriodAt(v1, Day("2026-11-23"), 6 * 60 + 59)->name, "off-peak");
  EXPECT_EQ(PeriodAt(v1, Day("2026-11-23"), 7 * 60)->name, "day");
  EXPECT_EQ(PeriodAt(v1, Day("2026-12-25"), 17 * 60)->name, "weekend");
  EXPECT_EQ(PeriodAt(v1, Day("2026-11-23"), 23 * 60 + 59)->name, "evening");
  const RatePeriod* day = PeriodAt(v1, Day("2026-11-23"), 8 * 60);
  ASSERT_EQ(day->tiers.size(), 2u);
  EXPECT_EQ(day->tiers[0].up_to, (core::Quantity{100000, 0, core::Unit::kWh}));  // 100 kWh in Wh
  EXPECT_FALSE(day->tiers[1].up_to);
  EXPECT_EQ(day->tiers[1].price.micros, 280000);
  EXPECT_EQ(t->versions[1].fixed[0].per, FixedPer::kMonth);
}

// Replaces the first occurrence of `from` in the good tariff.
std::string With(std::string_view from, std::string_view to) {
  std::string s = kTou;
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  s.replace(at, from.size(), to);
  return s;
}

TEST(Tariff, RefusesBadFilesWithLineAndReason) {
  struct Case {
    std::string text;
    const char* expect;
  } cases[] = {
      {With("to = \"07:00\"\nprice = \"0.1200\"", "to = \"06:00\"\nprice = \"0.1200\""), "no rate on weekdays in month 1 from 06:00"},
      {With("from = \"07:00\"\nto = \"16:00\"", "from = \"06:00\"\nto = \"16:00\""), "tou.toml:19: rate 'day' overlaps another on weekdays in month 1 at 06:00"},
      {With("{ up_to = \"100\", price = \"0.2500\" }, { price", "{ up_to = \"100\", price = \"0.2500\" }, { up_to = \"50\", price = \"0.26\" }, { price"), "tiers out of order: 50 after 100"},
      {With("time_zone = \"Europe/London\"", "time_zone = \"Europe/Londres\""), "tou.toml:6: unknown time zone 'Europe/Londres'"},
      {With("price = \"0.4000\"", "price = \"0.4000 EUR\""), "tou.toml:32: price: currency mismatch: EUR in a tariff in GBP"},
      {With("currency = \"GBP\"", "currency = \"pounds\""), "tou.toml:4: currency must be an ISO 4217 code"},
      {With("effective = \"2026-07-01\"", "effective = \"2025-07-01\""), "versions must be in order of their effective dates"},
      {With("months = [1, 2, 3, 10, 11, 12]", "months = [1, 2, 13]"), "tou.toml:29: months must be 1..12"},
      {With("from = \"16:00\"", "from = \"16:60\""), "tou.toml:30: from must be a time"},
      {With("days = [\"weekend\", \"holiday\"]", "days = [\"sunday\"]"), "days must be weekday, weekend or holiday"},
      {With("per = \"day\"", "per = \"week\""), "per must be \"day\" or \"month\""},
      {With("unit = \"kWh\"", "unit = \"therm\""), "tou.toml:5: unit must be"},
      {With("name = \"flat\"\nprice = \"0.2450\"", "name = \"flat\""), "rate 'flat' needs either price or tiers"},
      {With("[[version.rate]]\nname = \"flat\"", "[[version.rate]]\ncolour = \"red\"\nname = \"flat\""), "unknown key 'colour'"},
      {"id = \"x\"\nname = \"x\"\ncurrency = \"GBP\"\nunit = \"m3\"\ntime_zone = \"UTC\"\n", "a tariff needs [[version]] tables"},
      {"id = [", "tou.toml:1:"},
  };
  for (const auto& c : cases) {
    auto t = ParseTariff(c.text, "tou.toml");
    ASSERT_FALSE(t) << c.expect;
    EXPECT_NE(t.error().message.find(c.expect), std::string::npos) << c.expect << "\n  got: " << t.error().message;
  }
}

TEST(Tariff, PowerFactorToFreeRatioExactlyRounded) {
  EXPECT_EQ(FreeRatioPpm(900'000), 484'322);    // sqrt(0.19) / 0.9 = 0.48432210...
  EXPECT_EQ(FreeRatioPpm(800'000), 750'000);    // sqrt(0.36) / 0.8 = 0.75 exactly
  EXPECT_EQ(FreeRatioPpm(950'000), 328'684);    // 0.32868410...
  EXPECT_EQ(FreeRatioPpm(500'000), 1'732'051);  // sqrt(3) = 1.7320508...
  EXPECT_EQ(FreeRatioPpm(1'000'000), 0);
  EXPECT_EQ(FreeRatioPpm(1), 999'999'999'999);  // 10^6 x sqrt(1 - 10^-12) / 10^-6, rounded
}

TEST(Tariff, ReactiveChargesByPowerFactorOrRatio) {
  std::string text = kTou;
  text.replace(text.find("[[version.rate]]"), 0,
               "[[version.reactive]]\nname = \"Reactive\"\nprice = \"0.03\"\npower_factor = \"0.95\"\nperiods = [\"day\", \"peak\"]\n\n");
  auto t = ParseTariff(text, "tou.toml");
  ASSERT_TRUE(t) << t.error().ToString();
  const auto& r = t->versions[0].reactive;
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].price.micros, 30'000);
  EXPECT_EQ(r[0].power_factor_ppm, 950'000);
  EXPECT_EQ(r[0].free_ratio_ppm, 328'684);
  EXPECT_EQ(r[0].periods, (std::vector<std::string>{"day", "peak"}));
  EXPECT_EQ(r[0].line, 13);
  auto inline_ratio = ParseTariff(With("holidays =", "reactive = [{ name = \"R\", price = \"0.03\", free_ratio = \"0.4843\" }]\nholidays ="), "tou.toml");
  ASSERT_TRUE(inline_ratio) << inline_ratio.error().ToString();
  EXPECT_EQ(inline_ratio->versions[0].reactive[0].free_ratio_ppm, 484'300);
  EXPECT_EQ(inline_ratio->versions[0].reactive[0].power_factor_ppm, 0);

  auto refused = [](std::string reactive, const char* expect, const char* unit = "kWh") {
    std::string s = With("holidays =", "reactive = [" + reactive + "]\nholidays =");
    s.replace(s.find("unit = \"kWh\""), 12, std::string("unit = \"") + unit + "\"");
    auto t = ParseTariff(s, "tou.toml");
    ASSERT_FALSE(t) << expect;
    EXPECT_NE(t.error().message.find(expect), std::string::npos) << expect << "\n  got: " << t.error().message;
  };
  refused("{ name = \"R\", price = \"0.03\" }", "tou.toml:11: reactive charge 'R' needs either power_factor or free_ratio");
  refused("{ name = \"R\", price = \"0.03\", power_factor = \"0.9\", free_ratio = \"0.5\" }", "needs either power_factor or free_ratio");
  refused("{ name = \"R\", price = \"0.03\", power_factor = \"1.2\" }", "tou.toml:11: power_factor must be a decimal above 0 and at most 1");
  refused("{ name = \"R\", price = \"0.03\", power_factor = \"0\" }", "power_factor must be a decimal above 0");
  refused("{ name = \"R\", price = \"0.03\", free_ratio = \"-0.1\" }", "free_ratio must be a decimal fraction");
  refused("{ name = \"R\", price = \"0.03 EUR\", free_ratio = \"0.5\" }", "reactive price: currency mismatch");
  refused("{ name = \"R\", free_ratio = \"0.5\" }", "a reactive charge needs 'price'");
  refused("{ name = \"R\", price = \"0.03\", free_ratio = \"0.5\", periods = [\"night\"] }", "periods must name rates of this version");
  refused("{ name = \"R\", price = \"0.03\", free_ratio = \"0.5\", cosphi = 1 }", "unknown key 'cosphi' in reactive");
  refused("{ name = \"R\", price = \"0.03\", free_ratio = \"0.5\" }", "tou.toml:11: reactive charges need a tariff in kWh", "m3");
}

TEST(Tariff, WaterInCubicMetresWithTiers) {
  auto t = ParseTariff(R"(
id = "water-2026"
name = "Domestic water"
currency = "EUR"
unit = "m3"
time_zone = "Europe/Berlin"
[[version]]
effective = "2026-01-01"
fixed = [{ name = "Meter rental", amount = "2.10", per = "month" }]
[[version.rate]]
name = "volume"
tiers = [{ up_to = "10", price = "1.85" }, { up_to = "25.5", price = "2.40" }, { price = "3.10" }]
)", "water.toml");
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_EQ(t->unit, core::Unit::kM3);
  const auto& tiers = t->versions[0].rates[0].tiers;
  ASSERT_EQ(tiers.size(), 3u);
  EXPECT_EQ(tiers[1].up_to, (core::Quantity{255, -1, core::Unit::kM3}));
  EXPECT_EQ(tiers[2].price.Currency(), "EUR");
}

}  // namespace
}  // namespace meterd::billing
