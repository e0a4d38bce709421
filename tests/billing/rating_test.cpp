// SPDX-License-Identifier: Apache-2.0
// Hand-computed bills (docs/billing-examples.md). Every interval example is rated twice, by
// Rate() from intervals and by RateDays() from day blocks, and the two bills must be equal.
#include "billing/rating.h"

#include <gtest/gtest.h>

#include <array>
#include <map>
#include <random>
#include <sstream>

#include "billing/rating_diff.h"

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

Tariff Parse(const char* text) {
  auto t = ParseTariff(text, "test.toml");
  EXPECT_TRUE(t) << t.error().ToString();
  return t ? *t : Tariff{};
}
Tariff Load() { return Parse(kTariff); }

// One interval of `seconds` each from the start of local day `from` to that of `to`, each `value`.
std::vector<UsageInterval> Every(const Tariff& t, int32_t from, int32_t to, int64_t seconds, core::Quantity value) {
  std::vector<UsageInterval> out;
  for (core::Instant s = t.zone.StartOf(from); s < t.zone.StartOf(to); s += core::Seconds{seconds}) {
    out.push_back({s, s + core::Seconds{seconds}, value, core::Quality::kValid});
  }
  return out;
}
// One interval per real hour of the local days [from, to), each `wh` Wh.
std::vector<UsageInterval> Hourly(const Tariff& t, int32_t from, int32_t to, int64_t wh) {
  return Every(t, from, to, 3600, {wh, 0, core::Unit::kWh});
}

// The same data as day blocks: one per local day, slots by interval start.
struct Blocks {
  std::map<int32_t, std::pair<std::vector<int64_t>, std::vector<core::Quality>>> data;
  std::vector<DayUsage> days;
};
Blocks ToDays(const Tariff& t, const std::vector<UsageInterval>& usage) {
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

std::string Dump(const Bill& b) {
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
core::Result<Bill> RateBoth(const Tariff& t, int32_t from, int32_t to, const std::vector<UsageInterval>& usage,
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

int64_t Cents(const core::Money& m) { return m.micros / 10000; }

const BillLine* Line(const Bill& b, std::string_view description) {
  for (const auto& l : b.lines) {
    if (l.description == description) return &l;
  }
  ADD_FAILURE() << "no line '" << description << "' in\n" << Dump(b);
  static const BillLine kNone;
  return &kNone;
}

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

constexpr const char* kBusiness = R"(
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
std::vector<UsageInterval> QuarterHours(int32_t day, int count, int64_t wh, int spike, int64_t spike_wh) {
  std::vector<UsageInterval> out;
  core::Instant s = core::FromUnixSeconds(int64_t{day} * 86400);
  for (int i = 0; i < count; ++i, s += core::Seconds{900}) {
    out.push_back({s, s + core::Seconds{900}, {i == spike ? spike_wh : wh, 0, core::Unit::kWh}, core::Quality::kValid});
  }
  return out;
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
