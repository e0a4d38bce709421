// SPDX-License-Identifier: Apache-2.0
// Hand-computed bills (docs/billing-examples.md), examples 1-6. Every interval example is rated
// twice, by Rate() from intervals and by RateDays() from day blocks, and the two bills must be
// equal. Examples 7-12 and the random comparison: rating_more_test.cpp.
#include "billing/rating.h"

#include <gtest/gtest.h>

#include "rating_fixture.h"

namespace meterd::billing {
namespace {

using namespace testing;

// Example 1.
TEST(Rating, SpringForwardDayHas23HoursAndCrossesATierInsideThePeriod) {
  Tariff t = Load();
  auto usage = Hourly(t, Day("2026-03-29"), Day("2026-03-30"), 1000);  // 1 kWh each real hour
  ASSERT_EQ(usage.size(), 23u);
  auto bill = RateBoth(t, Day("2026-03-29"), Day("2026-03-30"), usage);
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

// Example 2.
TEST(Rating, FallBackDayHas25HoursAndTheRepeatedHourIsNight) {
  Tariff t = Load();
  auto usage = Hourly(t, Day("2026-10-25"), Day("2026-10-26"), 1000);
  ASSERT_EQ(usage.size(), 25u);
  usage[3].quality = core::Quality::kEstimated;
  auto bill = RateBoth(t, Day("2026-10-25"), Day("2026-10-26"), usage);
  ASSERT_TRUE(bill);
  // Night: 00, 01 (BST), 01 (GMT), 02 .. 06 = 8 kWh = 0.80; day 17 kWh = 4.10; standing 0.50.
  EXPECT_EQ(Cents(Line(*bill, "night")->amount), 80);
  EXPECT_EQ(Line(*bill, "night")->estimated, 1);  // the estimated interval is marked on its line
  EXPECT_EQ(Cents(bill->total), 540);
  EXPECT_EQ(bill->estimated, 1);
}

// Examples 3 and 4.
TEST(Rating, MonthlyChargeProratedOverALeapFebruaryAndAVersionChange) {
  Tariff t = Load();
  // 2028-02-29 and 2028-03-01, under the 2027 version: 31.00 a month, shared by day.
  auto bill = RateBoth(t, Day("2028-02-29"), Day("2028-03-02"), {});
  ASSERT_TRUE(bill);
  // 1/29 of 31.00 = 1.068966 (to the micro-unit) + 1/31 of 31.00 = 1.000000.
  EXPECT_EQ(bill->subtotal.micros, 2068966);
  EXPECT_EQ(Cents(bill->total), 207);
  EXPECT_EQ(bill->missing_days, 2);
  // The leap day alone with 1 kWh an hour: 1.068966 + 24 kWh x 0.25 = 7.068966.
  auto leap = RateBoth(t, Day("2028-02-29"), Day("2028-03-01"), Hourly(t, Day("2028-02-29"), Day("2028-03-01"), 1000));
  ASSERT_TRUE(leap);
  EXPECT_EQ(leap->subtotal.micros, 7068966);
  EXPECT_EQ(Cents(leap->total), 707);
  auto across = RateBoth(t, Day("2026-12-31"), Day("2027-01-02"), Hourly(t, Day("2026-12-31"), Day("2027-01-02"), 500));
  ASSERT_TRUE(across) << across.error().ToString();
  // 2026-12-31: standing 0.50, night 7 x 0.5 kWh x 0.10 = 0.35, day 17 x 0.5 kWh = 8.5 kWh x 0.20 = 1.70.
  // 2027-01-01: 31.00 / 31 = 1.00, 24 x 0.5 kWh x 0.25 = 3.00.
  EXPECT_EQ(Cents(across->total), 50 + 35 + 170 + 100 + 300);
}

TEST(Rating, RefusesWhatDoesNotFit) {
  Tariff t = Load();
  EXPECT_FALSE(RateBoth(t, Day("2025-12-31"), Day("2026-01-02"), {}));  // no version before 2026
  EXPECT_FALSE(RateBoth(t, Day("2026-03-01"), Day("2026-03-01"), {}));  // empty period
  auto outside = Hourly(t, Day("2026-03-02"), Day("2026-03-03"), 1);
  EXPECT_FALSE(RateBoth(t, Day("2026-03-01"), Day("2026-03-02"), outside));
  std::vector<UsageInterval> water{{t.zone.StartOf(Day("2026-03-01")), t.zone.StartOf(Day("2026-03-01")) + core::Seconds{900},
                                    {1, 0, core::Unit::kM3}, core::Quality::kValid}};
  EXPECT_FALSE(Rate(t, Day("2026-03-01"), Day("2026-03-02"), water));
  // Day blocks: 24 hourly slots do not fit the 23-hour spring-forward day; a day outside the
  // period; values and qualities of different lengths; reactive data in the other form's field.
  std::vector<int64_t> values(24, 1);
  std::vector<core::Quality> quality(24, core::Quality::kValid);
  DayUsage spring{Day("2026-03-29"), 3600, 0, values, quality};
  auto too_long = RateDays(t, Day("2026-03-29"), Day("2026-03-30"), std::span(&spring, 1));
  ASSERT_FALSE(too_long);
  EXPECT_NE(too_long.error().message.find("24 slots of 3600 s do not fit local day 2026-03-29 (82800 s)"), std::string::npos)
      << too_long.error().message;
  DayUsage later{Day("2026-03-30"), 3600, 0, values, quality};
  EXPECT_FALSE(RateDays(t, Day("2026-03-29"), Day("2026-03-30"), std::span(&later, 1)));
  DayUsage ragged{Day("2026-03-30"), 3600, 0, values, std::span(quality).first(3)};
  EXPECT_FALSE(RateDays(t, Day("2026-03-30"), Day("2026-03-31"), std::span(&ragged, 1)));
  EXPECT_FALSE(RateDays(t, Day("2026-03-30"), Day("2026-03-31"), {}, {.reactive = outside}));
  EXPECT_FALSE(Rate(t, Day("2026-03-30"), Day("2026-03-31"), {}, {.reactive_days = std::span(&later, 1)}));
}

// Example 5.
TEST(Rating, DemandChargeWithRatchetThenTax) {
  Tariff t = Parse(kBusiness);
  auto usage = QuarterHours(Day("2026-04-10"), 96, 250, 40, 1000);  // 1 kW all day, 4 kW for 15 min
  auto bill = RateBoth(t, Day("2026-04-01"), Day("2026-05-01"), usage);
  ASSERT_TRUE(bill) << bill.error().ToString();
  // Energy 95 x 0.25 + 1 = 24.75 kWh x 0.10 = 2.475; demand 4 kW x 8.00 = 32.00; VAT 20 % of
  // 34.475 = 6.895; total 41.37.
  EXPECT_EQ(Line(*bill, "all")->amount.micros, 2'475'000);
  EXPECT_EQ(Line(*bill, "Demand")->quantity.Rescaled(0)->value, 4000);
  EXPECT_EQ(Line(*bill, "Demand")->amount.micros, 32'000'000);
  EXPECT_EQ(Line(*bill, "VAT (20%)")->amount.micros, 6'895'000);
  EXPECT_EQ(Cents(bill->total), 4137);
  EXPECT_EQ(bill->peak_demand_w, 4000);
  // With 10 kW the month before and an 80 % ratchet, 8 kW is billed: 64.00, VAT 13.295, 79.77.
  auto ratchet = RateBoth(t, Day("2026-04-01"), Day("2026-05-01"), usage, {.previous_peak_w = 10000});
  ASSERT_TRUE(ratchet);
  EXPECT_EQ(Line(*ratchet, "Demand (ratchet 80% of 10000 W)")->amount.micros, 64'000'000);
  EXPECT_EQ(Cents(ratchet->total), 7977);
}

// Example 6.
TEST(Rating, MinimumBillProratedThenTaxed) {
  Tariff t = Parse(kBusiness);
  auto usage = QuarterHours(Day("2026-04-10"), 4, 250, -1, 0);  // 1 kWh in one hour at 1 kW
  auto bill = RateBoth(t, Day("2026-04-01"), Day("2026-05-01"), usage);
  ASSERT_TRUE(bill);
  // Energy 0.10 + demand 8.00 = 8.10 < 20.00: adjustment 11.90; VAT 4.00; total 24.00.
  EXPECT_EQ(Line(*bill, "Minimum bill adjustment")->amount.micros, 11'900'000);
  EXPECT_EQ(Cents(bill->total), 2400);
  // Half of April: the minimum is 15/30 of 20.00 = 10.00, adjustment 1.90, total 12.00.
  auto half = RateBoth(t, Day("2026-04-01"), Day("2026-04-16"), usage);
  ASSERT_TRUE(half);
  EXPECT_EQ(Line(*half, "Minimum bill adjustment")->amount.micros, 1'900'000);
  EXPECT_EQ(Cents(half->total), 1200);
}

TEST(Rating, RefusesBadDemandAndTaxes) {
  auto bad = [](std::string_view from, std::string_view to) {
    std::string s = kBusiness;
    s.replace(s.find(from), from.size(), to);
    return ParseTariff(s, "biz.toml");
  };
  auto periods = bad("ratchet = \"0.80\"", "ratchet = \"0.80\", periods = [\"peak\"]");
  ASSERT_FALSE(periods);
  EXPECT_NE(periods.error().message.find("periods must name rates of this version"), std::string::npos);
  auto ratchet = bad("ratchet = \"0.80\"", "ratchet = \"1.5\"");
  ASSERT_FALSE(ratchet);
  EXPECT_NE(ratchet.error().message.find("biz.toml:11: ratchet must be a fraction"), std::string::npos) << ratchet.error().message;
  auto tax = bad("rate = \"0.20\"", "rate = \"twenty\"");
  ASSERT_FALSE(tax);
  EXPECT_NE(tax.error().message.find("tax rate must be a decimal fraction"), std::string::npos);
  EXPECT_FALSE(bad("minimum = \"20.00\"", "minimum = \"20.00 EUR\""));
}

}  // namespace
}  // namespace meterd::billing
