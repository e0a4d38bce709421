// SPDX-License-Identifier: Apache-2.0
// Hand-computed bills (docs/billing-examples.md), examples 7-12: reactive energy, water tiers,
// move-in proration, holidays with peak demand, register reads, a rebill; then RateDays() against
// Rate() on random data.
#include "billing/rating.h"

#include <gtest/gtest.h>

#include <random>

#include "billing/rating_diff.h"
#include "rating_fixture.h"

namespace meterd::billing {
namespace {

using namespace testing;

constexpr const char* kReactive = R"(
id = "pf"
name = "Commercial with a power-factor charge"
currency = "GBP"
unit = "kWh"
time_zone = "UTC"
[[version]]
effective = "2026-01-01"
[[version.rate]]
name = "all"
price = "0.10"
[[version.reactive]]
name = "Reactive energy"
price = "0.05"
power_factor = "0.90"
)";

// Example 7.
TEST(Rating, ReactiveEnergyBeyondThePowerFactorAllowance) {
  Tariff t = Parse(kReactive);
  ASSERT_EQ(t.versions[0].reactive[0].free_ratio_ppm, 484'322);  // sqrt(1 - 0.81) / 0.9 = 0.4843221...
  auto usage = QuarterHours(Day("2026-05-04"), 96, 1000, -1, 0);  // 96 kWh
  RateContext context;
  for (auto u : usage) {
    u.value = {700, 0, core::Unit::kVarh};  // 67.2 kvarh
    context.reactive.push_back(u);
  }
  context.reactive[10].quality = core::Quality::kEstimated;
  auto bill = RateBoth(t, Day("2026-05-04"), Day("2026-05-05"), usage, context);
  ASSERT_TRUE(bill) << bill.error().ToString();
  // Allowance 96000 Wh x 0.484322 = 46494.912 -> 46495 varh; 67200 - 46495 = 20705 varh x 0.05
  // per kvarh = 1.03525. Energy 96 kWh x 0.10 = 9.60. Total 10.63525 -> 10.64.
  const BillLine* r = Line(*bill, "Reactive energy (beyond power factor 0.9)");
  EXPECT_EQ(r->quantity, (core::Quantity{20705, 0, core::Unit::kVarh}));
  EXPECT_EQ(r->amount.micros, 1'035'250);
  EXPECT_EQ(r->intervals, 96);
  EXPECT_EQ(r->estimated, 1);
  EXPECT_EQ(Cents(bill->total), 1064);
  // The ratio written out: 96000 x 0.4843 = 46492.8 -> 46493 varh; 20707 varh = 1.03535.
  std::string text = kReactive;
  text.replace(text.find("power_factor = \"0.90\""), 21, "free_ratio = \"0.4843\"");
  auto by_ratio = RateBoth(Parse(text.c_str()), Day("2026-05-04"), Day("2026-05-05"), usage, context);
  ASSERT_TRUE(by_ratio);
  EXPECT_EQ(Line(*by_ratio, "Reactive energy (beyond 0.4843 kvarh per kWh)")->amount.micros, 1'035'350);
  // Within the allowance (400 varh a quarter hour, 38.4 kvarh): nothing to pay; no reactive data:
  // nothing either, and the line says it used no intervals.
  for (auto& u : context.reactive) u.value.value = 400;
  auto within = RateBoth(t, Day("2026-05-04"), Day("2026-05-05"), usage, context);
  ASSERT_TRUE(within);
  EXPECT_EQ(Line(*within, "Reactive energy (beyond power factor 0.9)")->amount.micros, 0);
  auto none = RateBoth(t, Day("2026-05-04"), Day("2026-05-05"), usage);
  ASSERT_TRUE(none);
  EXPECT_EQ(Line(*none, "Reactive energy (beyond power factor 0.9)")->intervals, 0);
}

constexpr const char* kWater = R"(
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
)";

// Example 8.
TEST(Rating, WaterInCubicMetresThroughThreeTiers) {
  Tariff t = Parse(kWater);
  // June 2026: 50 litres every hour, 36 m3 in all (litres: m3 at scale -3).
  auto usage = Every(t, Day("2026-06-01"), Day("2026-07-01"), 3600, {50, -3, core::Unit::kM3});
  auto bill = RateBoth(t, Day("2026-06-01"), Day("2026-07-01"), usage);
  ASSERT_TRUE(bill) << bill.error().ToString();
  EXPECT_EQ(Line(*bill, "volume, tier 1")->quantity, (core::Quantity{10000, -3, core::Unit::kM3}));
  EXPECT_EQ(Line(*bill, "volume, tier 1")->amount.micros, 18'500'000);  // 10 m3 x 1.85
  EXPECT_EQ(Line(*bill, "volume, tier 2")->amount.micros, 37'200'000);  // 15.5 m3 x 2.40
  EXPECT_EQ(Line(*bill, "volume, tier 3")->quantity, (core::Quantity{10500, -3, core::Unit::kM3}));
  EXPECT_EQ(Line(*bill, "volume, tier 3")->amount.micros, 32'550'000);  // 10.5 m3 x 3.10
  EXPECT_EQ(Line(*bill, "Meter rental (monthly, by day)")->amount.micros, 2'100'000);
  EXPECT_EQ(bill->total.micros, 90'350'000);
  EXPECT_EQ(bill->total.Currency(), "EUR");
  // Whole cubic metres, 2 a day: the 25.5 m3 limit needs tenths, so the lines are at scale -1;
  // 60 m3 leave 34.5 m3 x 3.10 = 106.95 in tier 3.
  auto whole = RateBoth(t, Day("2026-06-01"), Day("2026-07-01"), Every(t, Day("2026-06-01"), Day("2026-07-01"), 86400, {2, 0, core::Unit::kM3}));
  ASSERT_TRUE(whole) << whole.error().ToString();
  EXPECT_EQ(Line(*whole, "volume, tier 3")->quantity, (core::Quantity{345, -1, core::Unit::kM3}));
  EXPECT_EQ(Line(*whole, "volume, tier 3")->amount.micros, 106'950'000);
}

// Example 9.
TEST(Rating, MoveInMidPeriodProratesTheMonthlyChargeByCalendarMonth) {
  Tariff t = Load();
  // Moved in on 2027-04-17, billed to the cycle's end 2027-05-17; 0.5 kWh an hour.
  auto usage = Hourly(t, Day("2027-04-17"), Day("2027-05-17"), 500);
  auto bill = RateBoth(t, Day("2027-04-17"), Day("2027-05-17"), usage);
  ASSERT_TRUE(bill);
  // April: 31.00 x 14/30 = 14.466667; May: 31.00 x 16/31 = 16.00; 360 kWh x 0.25 = 90.00.
  const BillLine* standing = Line(*bill, "Standing charge (monthly, by day)");
  EXPECT_EQ(standing->amount.micros, 30'466'667);
  EXPECT_EQ(standing->quantity, (core::Quantity{30, 0, core::Unit::kNone}));
  EXPECT_EQ(standing->unit_price.micros, 1'015'556);
  EXPECT_EQ(Line(*bill, "flat")->amount.micros, 90'000'000);
  EXPECT_EQ(Cents(bill->total), 12047);
}

constexpr const char* kBusinessTou = R"(
id = "biz-tou"
name = "Business time of use"
currency = "GBP"
unit = "kWh"
time_zone = "UTC"
[[version]]
effective = "2026-01-01"
holidays = ["2026-12-25"]
demand = [{ name = "Peak demand", price = "5.00", periods = ["peak"] }]
[[version.rate]]
name = "night"
days = ["weekday"]
to = "08:00"
price = "0.12"
[[version.rate]]
name = "peak"
days = ["weekday"]
months = [1, 2, 3, 10, 11, 12]
from = "08:00"
to = "20:00"
price = "0.30"
[[version.rate]]
name = "day"
days = ["weekday"]
months = [4, 5, 6, 7, 8, 9]
from = "08:00"
to = "20:00"
price = "0.20"
[[version.rate]]
name = "evening"
days = ["weekday"]
from = "20:00"
price = "0.12"
[[version.rate]]
name = "weekend"
days = ["weekend", "holiday"]
price = "0.10"
)";

// Example 10.
TEST(Rating, WeekdayHolidayAndWeekendWithDemandInThePeakPeriodOnly) {
  Tariff t = Parse(kBusinessTou);
  // Thursday 24, Friday 25 (a holiday) and Saturday 26 December 2026: 0.5 kWh a quarter hour,
  // 1.5 kWh at 18:00 on the 24th (6 kW, in the peak), 3 kWh at 12:00 on the holiday (12 kW).
  auto usage = QuarterHours(Day("2026-12-24"), 96, 500, 72, 1500);
  for (const auto& u : QuarterHours(Day("2026-12-25"), 96, 500, 48, 3000)) usage.push_back(u);
  for (const auto& u : QuarterHours(Day("2026-12-26"), 96, 500, -1, 0)) usage.push_back(u);
  auto bill = RateBoth(t, Day("2026-12-24"), Day("2026-12-27"), usage);
  ASSERT_TRUE(bill) << bill.error().ToString();
  EXPECT_EQ(Line(*bill, "night")->amount.micros, 1'920'000);    // 16 kWh x 0.12
  EXPECT_EQ(Line(*bill, "peak")->amount.micros, 7'500'000);     // 25 kWh x 0.30
  EXPECT_EQ(Line(*bill, "evening")->amount.micros, 960'000);    // 8 kWh x 0.12
  EXPECT_EQ(Line(*bill, "weekend")->quantity, (core::Quantity{98500, 0, core::Unit::kWh}));
  EXPECT_EQ(Line(*bill, "weekend")->amount.micros, 9'850'000);  // 98.5 kWh x 0.10
  const BillLine* demand = Line(*bill, "Peak demand");           // 6 kW x 5.00, not the holiday's 12
  EXPECT_EQ(demand->quantity, (core::Quantity{6000, 0, core::Unit::kW}));
  EXPECT_EQ(demand->amount.micros, 30'000'000);
  EXPECT_EQ(demand->intervals, 48);
  EXPECT_EQ(Cents(bill->total), 5023);
}

core::Quantity Kwh(const char* text) { return *core::Quantity::Parse(std::string(text) + " kWh"); }

// Example 11.
TEST(Rating, RegisterReadsPricedByPeriodAndTier) {
  Tariff t = Load();
  std::vector<RegisterRead> reads{{"night", Kwh("1200"), Kwh("1350.5")}, {"day", Kwh("4000"), Kwh("4290"), true}};
  auto bill = RateRegisters(t, Day("2026-03-01"), Day("2026-04-01"), reads);
  ASSERT_TRUE(bill) << bill.error().ToString();
  EXPECT_EQ(Line(*bill, "Standing charge")->amount.micros, 15'500'000);  // 31 days x 0.50
  EXPECT_EQ(Line(*bill, "night")->amount.micros, 15'050'000);            // 150.5 kWh x 0.10
  EXPECT_EQ(Line(*bill, "night")->reads, 1);
  EXPECT_EQ(Line(*bill, "day, tier 1")->amount.micros, 2'000'000);       // 10 kWh x 0.20
  EXPECT_EQ(Line(*bill, "day, tier 2")->amount.micros, 84'000'000);      // 280 kWh x 0.30
  EXPECT_EQ(Line(*bill, "day, tier 2")->estimated, 1);                   // the estimated read
  EXPECT_EQ(Cents(bill->total), 11655);
  EXPECT_EQ(bill->estimated, 1);
  // The demand tariff of example 5 from an energy register and a max-demand register: the same
  // 41.37 as from the intervals.
  Tariff biz = Parse(kBusiness);
  std::vector<RegisterRead> all{{"all", Kwh("100"), Kwh("124.75")}};
  auto registers = RateRegisters(biz, Day("2026-04-01"), Day("2026-05-01"), all, {.max_demand_w = 4000});
  ASSERT_TRUE(registers) << registers.error().ToString();
  EXPECT_EQ(Cents(registers->total), 4137);
}

TEST(Rating, RegisterReadsRefusedWithTheReason) {
  Tariff t = Load();
  auto refused = [](const core::Result<Bill>& b, std::string_view why) {
    ASSERT_FALSE(b);
    EXPECT_NE(b.error().message.find(why), std::string::npos) << b.error().message;
  };
  const int32_t from = Day("2026-03-01"), to = Day("2026-04-01");
  std::vector<RegisterRead> back{{"night", Kwh("1200"), Kwh("1100")}, {"day", Kwh("1"), Kwh("2")}};
  refused(RateRegisters(t, from, to, back), "register 'night' went backwards: end 1100000 Wh is below start 1200000 Wh");
  std::vector<RegisterRead> day_only{{"day", Kwh("1"), Kwh("2")}};
  refused(RateRegisters(t, from, to, day_only), "no register read for rate 'night'");
  std::vector<RegisterRead> peak{{"peak", Kwh("1"), Kwh("2")}};
  refused(RateRegisters(t, from, to, peak), "register 'peak' names no rate");
  refused(RateRegisters(t, Day("2026-12-15"), Day("2027-01-15"), day_only), "register reads cannot be split");
  std::vector<RegisterRead> all{{"all", Kwh("1"), Kwh("2")}};
  refused(RateRegisters(Parse(kBusiness), from, to, all), "need a max-demand register");
  std::vector<RegisterRead> tou{{"night", Kwh("1"), Kwh("2")}, {"peak", Kwh("1"), Kwh("2")}, {"evening", Kwh("1"), Kwh("2")},
                                {"weekend", Kwh("1"), Kwh("2")}};
  refused(RateRegisters(Parse(kBusinessTou), from, to, tou, {.max_demand_w = 1}), "applies to some rate periods only");
}

// Example 12.
TEST(Rating, RebillAfterCorrectedDataShowsTheDifference) {
  Tariff t = Load();
  const int32_t day = Day("2026-10-25");
  auto usage = Hourly(t, day, day + 1, 1000);
  usage[3].quality = usage[20].quality = core::Quality::kEstimated;  // 02:00 (night) and 19:00 (day)
  auto earlier = RateBoth(t, day, day + 1, usage);
  ASSERT_TRUE(earlier);
  usage[3] = {usage[3].start, usage[3].end, {3000, 0, core::Unit::kWh}, core::Quality::kValid};
  usage[20] = {usage[20].start, usage[20].end, {0, 0, core::Unit::kWh}, core::Quality::kValid};
  auto now = RateBoth(t, day, day + 1, usage);
  ASSERT_TRUE(now);
  BillDiff diff = Compare(*earlier, *now);
  ASSERT_EQ(diff.lines.size(), 4u);
  auto expect = [&](std::string_view what, int64_t before, int64_t after) {
    for (const auto& l : diff.lines) {
      if (l.description != what) continue;
      EXPECT_TRUE(l.in_earlier && l.in_now) << what;
      EXPECT_EQ(l.earlier.micros, before) << what;
      EXPECT_EQ(l.now.micros, after) << what;
      EXPECT_EQ(l.difference.micros, after - before) << what;
      return;
    }
    ADD_FAILURE() << "no line " << what;
  };
  expect("Standing charge", 500'000, 500'000);
  expect("night", 800'000, 1'000'000);       // 8 -> 10 kWh
  expect("day, tier 1", 2'000'000, 2'000'000);
  expect("day, tier 2", 2'100'000, 1'800'000);  // 17 -> 16 kWh: 7 -> 6 kWh above the tier
  EXPECT_EQ(diff.earlier_total.micros, 5'400'000);
  EXPECT_EQ(diff.now_total.micros, 5'300'000);
  EXPECT_EQ(diff.total_difference.micros, -100'000);
  // A line only one bill has is listed against zero.
  usage.resize(8);  // the night only: the day tiers drop out
  auto night_only = RateBoth(t, day, day + 1, usage);
  ASSERT_TRUE(night_only);
  BillDiff dropped = Compare(*now, *night_only);
  ASSERT_EQ(dropped.lines.size(), 4u);
  EXPECT_FALSE(dropped.lines[3].in_now);
  EXPECT_EQ(dropped.lines[3].difference.micros, -1'800'000);
  EXPECT_EQ(Compare(*night_only, *now).lines[2].earlier.micros, 0);
}

// RateDays() == Rate() on random days: DST days, three interval lengths, scales -3..1, every
// quality (values behind kMissing are garbage), negative values, version changes, demand,
// reactive data; one explicit scratch serving all tariffs in turn, and the thread-local one.
TEST(Rating, RateDaysEqualsRateOnRandomData) {
  const Tariff tariffs[] = {Load(), Parse(kBusinessTou), Parse(kReactive), Parse(kBusiness), Parse(kWater)};
  std::mt19937 rng(20260611);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  RatingScratch scratch;
  for (int trial = 0; trial < 300; ++trial) {
    const Tariff& t = tariffs[trial % 5];
    const core::Unit unit = t.unit;
    const int32_t from = Day("2026-03-20") + pick(0, 300), to = from + pick(1, 45);
    std::vector<UsageInterval> usage;
    RateContext context{.previous_peak_w = pick(0, 3) == 0 ? pick(0, 20000) : 0};
    for (auto* out : {&usage, &context.reactive}) {
      if (out == &context.reactive && unit != core::Unit::kWh) break;
      for (int32_t d = from; d < to; ++d) {
        if (pick(0, 9) == 0) continue;  // a day without a block
        const int64_t interval = std::array{900, 1800, 3600}[pick(0, 2)];
        const int64_t slots = t.zone.DayLengthSeconds(d) / interval - (pick(0, 4) == 0 ? pick(0, 3) : 0);
        const auto scale = static_cast<int8_t>(pick(-3, 1));
        for (int64_t i = 0; i < slots; ++i) {
          core::Instant s = t.zone.StartOf(d) + core::Seconds{i * interval};
          auto q = static_cast<core::Quality>(pick(0, 19) < 2 ? 0 : pick(0, 9) == 0 ? 2 : pick(0, 9) == 0 ? 3 : 1);
          out->push_back({s, s + core::Seconds{interval},
                          {pick(-20, 3000), scale, out == &usage ? unit : core::Unit::kVarh}, q});
        }
      }
    }
    auto expected = Rate(t, from, to, usage, context);
    ASSERT_TRUE(expected) << trial << ": " << expected.error().ToString();
    // Blocks with garbage behind the missing slots.
    Blocks days = ToDays(t, usage), reactive = ToDays(t, context.reactive);
    for (auto* b : {&days, &reactive}) {
      for (auto& [day, block] : b->data) {
        for (size_t i = 0; i < block.first.size(); ++i) {
          if (block.second[i] == core::Quality::kMissing) block.first[i] = pick(-1000, 1000);
        }
      }
    }
    context.reactive.clear();
    context.reactive_days = reactive.days;
    auto with_scratch = RateDays(t, from, to, days.days, context, scratch);
    ASSERT_TRUE(with_scratch) << trial << ": " << with_scratch.error().ToString();
    ASSERT_EQ(*expected, *with_scratch) << trial << "\n" << Dump(*expected) << "\n--- RateDays:\n" << Dump(*with_scratch);
    auto thread_local_scratch = RateDays(t, from, to, days.days, context);
    ASSERT_TRUE(thread_local_scratch);
    ASSERT_EQ(*expected, *thread_local_scratch) << trial;
  }
}

TEST(Rating, ScratchNoticesAChangedCalendar) {
  Tariff t = Parse(kBusinessTou);
  auto usage = QuarterHours(Day("2026-12-24"), 96, 500, 72, 1500);
  Blocks days = ToDays(t, usage);
  RatingScratch scratch;
  auto before = RateDays(t, Day("2026-12-24"), Day("2026-12-25"), days.days, {}, scratch);
  ASSERT_TRUE(before);
  t.versions[0].holidays.insert(t.versions[0].holidays.begin(), Day("2026-12-24"));  // now a holiday
  auto after = RateDays(t, Day("2026-12-24"), Day("2026-12-25"), days.days, {}, scratch);
  ASSERT_TRUE(after);
  EXPECT_EQ(*after, *Rate(t, Day("2026-12-24"), Day("2026-12-25"), usage));
  EXPECT_EQ(Line(*after, "weekend")->amount.micros, 4'900'000);  // 49 kWh x 0.10, all at the holiday rate
}

}  // namespace
}  // namespace meterd::billing
