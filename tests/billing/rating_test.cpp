// SPDX-License-Identifier: Apache-2.0
// Hand-computed bills (docs/billing.md, "Worked examples").
#include "billing/rating.h"

#include <gtest/gtest.h>

namespace meterd::billing {
namespace {

constexpr const char* kTariff = R"(
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

int32_t Day(const char* s) { return *core::ParseDay(s); }

Tariff Load() {
  auto t = ParseTariff(kTariff, "test.toml");
  EXPECT_TRUE(t) << t.error().ToString();
  return *t;
}

// One interval per real hour of the local days [from, to), each `wh` Wh.
std::vector<UsageInterval> Hourly(const Tariff& t, int32_t from, int32_t to, int64_t wh) {
  std::vector<UsageInterval> out;
  for (core::Instant s = t.zone.StartOf(from); s < t.zone.StartOf(to); s += core::Seconds{3600}) {
    out.push_back({s, s + core::Seconds{3600}, {wh, 0, core::Unit::kWh}, core::Quality::kValid});
  }
  return out;
}

int64_t Cents(const core::Money& m) { return m.micros / 10000; }

const BillLine* Line(const Bill& b, std::string_view description) {
  for (const auto& l : b.lines) {
    if (l.description == description) return &l;
  }
  return nullptr;
}

TEST(Rating, SpringForwardDayHas23HoursAndCrossesATierInsideThePeriod) {
  Tariff t = Load();
  auto usage = Hourly(t, Day("2026-03-29"), Day("2026-03-30"), 1000);  // 1 kWh each real hour
  ASSERT_EQ(usage.size(), 23u);
  auto bill = Rate(t, Day("2026-03-29"), Day("2026-03-30"), usage);
  ASSERT_TRUE(bill) << bill.error().ToString();
  // Night 00:00-07:00 local has 6 real hours (01:00-02:00 does not exist): 6 kWh x 0.10 = 0.60.
  EXPECT_EQ(Cents(Line(*bill, "night")->amount), 60);
  EXPECT_EQ(Line(*bill, "night")->quantity, (core::Quantity{6000, 0, core::Unit::kWh}));
  // Day 07:00-24:00: 17 kWh, the first 10 at 0.20 = 2.00, the other 7 at 0.30 = 2.10.
  EXPECT_EQ(Cents(Line(*bill, "day, tier 1")->amount), 200);
  EXPECT_EQ(Line(*bill, "day, tier 2")->quantity, (core::Quantity{7000, 0, core::Unit::kWh}));
  EXPECT_EQ(Cents(Line(*bill, "day, tier 2")->amount), 210);
  EXPECT_EQ(Cents(Line(*bill, "Standing charge")->amount), 50);
  EXPECT_EQ(Cents(bill->total), 520);
  EXPECT_EQ(bill->intervals, 23);
}

TEST(Rating, FallBackDayHas25HoursAndTheRepeatedHourIsNight) {
  Tariff t = Load();
  auto usage = Hourly(t, Day("2026-10-25"), Day("2026-10-26"), 1000);
  ASSERT_EQ(usage.size(), 25u);
  usage[3].quality = core::Quality::kEstimated;
  auto bill = Rate(t, Day("2026-10-25"), Day("2026-10-26"), usage);
  ASSERT_TRUE(bill);
  // Night: 00, 01 (BST), 01 (GMT), 02 .. 06 = 8 kWh = 0.80; day 17 kWh = 4.10; standing 0.50.
  EXPECT_EQ(Cents(Line(*bill, "night")->amount), 80);
  EXPECT_EQ(Line(*bill, "night")->estimated, 1);  // the estimated interval is marked on its line
  EXPECT_EQ(Cents(bill->total), 540);
  EXPECT_EQ(bill->estimated, 1);
}

TEST(Rating, MonthlyChargeProratedOverALeapFebruaryAndAVersionChange) {
  Tariff t = Load();
  // 2028-02-29 and 2028-03-01, under the 2027 version: 31.00 a month, shared by day.
  auto bill = Rate(t, Day("2028-02-29"), Day("2028-03-02"), {});
  ASSERT_TRUE(bill);
  // 1/29 of 31.00 = 1.068966 (to the micro-unit) + 1/31 of 31.00 = 1.000000.
  EXPECT_EQ(bill->subtotal.micros, 2068966);
  EXPECT_EQ(Cents(bill->total), 207);
  EXPECT_EQ(bill->missing_days, 2);
  auto across = Rate(t, Day("2026-12-31"), Day("2027-01-02"), Hourly(t, Day("2026-12-31"), Day("2027-01-02"), 500));
  ASSERT_TRUE(across) << across.error().ToString();
  // 2026-12-31: standing 0.50, night 7 x 0.5 kWh x 0.10 = 0.35, day 17 x 0.5 kWh = 8.5 kWh x 0.20 = 1.70.
  // 2027-01-01: 31.00 / 31 = 1.00, 24 x 0.5 kWh x 0.25 = 3.00.
  EXPECT_EQ(Cents(across->total), 50 + 35 + 170 + 100 + 300);
}

TEST(Rating, RefusesWhatDoesNotFit) {
  Tariff t = Load();
  EXPECT_FALSE(Rate(t, Day("2025-12-31"), Day("2026-01-02"), {}));  // no version before 2026
  EXPECT_FALSE(Rate(t, Day("2026-03-01"), Day("2026-03-01"), {}));  // empty period
  auto outside = Hourly(t, Day("2026-03-02"), Day("2026-03-03"), 1);
  EXPECT_FALSE(Rate(t, Day("2026-03-01"), Day("2026-03-02"), outside));
  std::vector<UsageInterval> water{{t.zone.StartOf(Day("2026-03-01")), t.zone.StartOf(Day("2026-03-01")) + core::Seconds{900},
                                    {1, 0, core::Unit::kM3}, core::Quality::kValid}};
  EXPECT_FALSE(Rate(t, Day("2026-03-01"), Day("2026-03-02"), water));
}

}  // namespace
}  // namespace meterd::billing
