// SPDX-License-Identifier: Apache-2.0
#include "device/load_profile.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace meterd::device {
namespace {

constexpr int64_t kSlotS = 900;

// Hourly shapes, relative (Shape() scales each row to average 1).
// Electricity: BDEW H0 (1999 set, /work/shared/data/STANDARD-LOAD-PROFILES.md), quarter hours
// averaged to hours and normalised per day type; winter and summer rows are blended by season.
constexpr int kElecWinter[3][24] = {
    {55, 40, 37, 36, 37, 44, 85, 122, 125, 116, 109, 111, 123, 122, 108, 98, 99, 121, 156, 176, 158, 132, 110, 81},
    {56, 44, 35, 33, 32, 33, 44, 68, 100, 118, 123, 129, 139, 138, 128, 120, 120, 150, 174, 175, 143, 111, 102, 86},
    {70, 50, 40, 37, 35, 35, 37, 45, 79, 124, 156, 181, 185, 155, 122, 104, 95, 112, 140, 158, 143, 121, 103, 76}};
constexpr int kElecSummer[3][24] = {
    {63, 47, 42, 40, 42, 51, 83, 111, 121, 123, 119, 121, 135, 130, 112, 101, 98, 104, 121, 141, 142, 134, 123, 96},
    {66, 51, 41, 40, 40, 41, 50, 74, 102, 123, 130, 135, 144, 139, 124, 117, 115, 118, 132, 143, 137, 122, 118, 99},
    {75, 56, 46, 43, 42, 41, 43, 58, 95, 135, 157, 173, 176, 147, 121, 105, 91, 92, 107, 128, 134, 127, 118, 91}};
// H0 day-type levels relative to a workday (mean W of the day type / workday mean, all seasons).
constexpr double kElecDayLevel[3] = {1.00, 1.09, 1.03};

// Cold water: little at night, a sharp morning peak (showers, toilets), a lunchtime shoulder
// and a broad evening peak (cooking, washing); weekends start later and flatter.
constexpr int kWater[2][24] = {
    {15, 8, 5, 5, 8, 30, 150, 230, 190, 120, 95, 95, 105, 95, 85, 85, 100, 135, 170, 175, 150, 120, 80, 40},
    {20, 10, 6, 5, 6, 10, 40, 110, 190, 210, 170, 135, 125, 110, 95, 95, 105, 130, 160, 165, 140, 120, 90, 45}};
// Hot water: showers in the morning dominate, baths and dishes in the evening.
constexpr int kHotWater[2][24] = {
    {8, 4, 2, 2, 5, 30, 200, 300, 210, 110, 75, 70, 85, 70, 60, 60, 80, 120, 165, 175, 160, 120, 60, 25},
    {10, 5, 3, 2, 3, 8, 35, 130, 250, 260, 180, 120, 100, 85, 70, 70, 85, 120, 150, 160, 150, 120, 75, 30}};
// Gas space heating on a timer: set back at night, on in the morning and evening (all day at
// weekends). Gas for hot water and cooking follows the hot water shape.
constexpr int kHeating[2][24] = {
    {30, 25, 25, 25, 40, 110, 210, 210, 150, 80, 70, 70, 70, 70, 80, 100, 150, 190, 200, 200, 180, 150, 90, 45},
    {30, 25, 25, 25, 30, 50, 110, 180, 190, 150, 120, 110, 110, 110, 110, 120, 150, 180, 190, 190, 170, 140, 90, 45}};

// Daily means of an average household: litres for water and gas, Wh for electricity.
constexpr double kWaterL = 300, kHotWaterL = 100, kElectricityWh = 10000;
constexpr double kGasBaseL = 900;           // hot water and cooking, all year
constexpr double kGasPerDegreeDayL = 420;   // space heating per heating degree day
constexpr double kHeatingBaseC = 15.5;

// A row's hour in units of the row's mean hour, so every shape keeps its day's total.
double Shape(const int (&row)[24], int hour) {
  int sum = 0;
  for (int v : row) sum += v;
  return row[hour] * 24.0 / sum;
}

uint64_t Mix(uint64_t x) {  // splitmix64 finaliser
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
double Unit01(uint64_t h) { return (static_cast<double>(h >> 11) + 0.5) / 9007199254740992.0; }  // (0, 1)

int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Day of year 0..365 and day type 0 workday, 1 Saturday, 2 Sunday of a day number.
struct Day {
  int day_of_year;
  int type;
};
Day DayOf(int64_t day) {
  core::CivilDate c = core::CivilFromDays(static_cast<int32_t>(day));
  int64_t jan1 = core::DaysFromCivil({c.year, 1, 1});
  int64_t weekday = FloorDiv(day + 4, 7) * 7;  // 1970-01-01 was a Thursday (4, with Sunday 0)
  int64_t dow = day + 4 - weekday;
  return {static_cast<int>(day - jan1), dow == 6 ? 1 : dow == 0 ? 2 : 0};
}

// Winter weight 1 in mid January, 0 in mid July.
double WinterWeight(int day_of_year) {
  return 0.5 + 0.5 * std::cos(2 * std::numbers::pi * (day_of_year - 15) / 365.25);
}
// Daily mean outdoor temperature, a London-like annual cycle: ~3 C late January, ~18 C late July.
double TemperatureC(int day_of_year) {
  return 10.5 - 7.5 * std::cos(2 * std::numbers::pi * (day_of_year - 20) / 365.25);
}

}  // namespace

LoadProfile::LoadProfile(core::Medium medium, uint64_t seed)
    : medium_(medium), seed_(seed), scale_(0.6 + 1.0 * Unit01(Mix(seed ^ 0x5CA1Eull))) {}

double LoadProfile::SlotRate(int64_t slot) const {
  int64_t day = FloorDiv(slot, 86400 / kSlotS);
  int hour = static_cast<int>((slot - day * (86400 / kSlotS)) / 4);
  Day d = DayOf(day);
  bool weekend = d.type != 0;
  double winter = WinterWeight(d.day_of_year);
  double u = Unit01(Mix(seed_ ^ Mix(static_cast<uint64_t>(slot))));
  double daily = 0, shape = 0, noise = 1;
  switch (medium_) {
    case core::Medium::kElectricity: {
      shape = winter * Shape(kElecWinter[d.type], hour) + (1 - winter) * Shape(kElecSummer[d.type], hour);
      daily = kElectricityWh * kElecDayLevel[d.type] * (0.88 + 0.24 * winter);  // ~+-12 % over the year
      noise = 0.6 + 0.8 * u;  // appliances switching: mean 1
      break;
    }
    case core::Medium::kWater:
      shape = Shape(kWater[weekend], hour);
      daily = kWaterL * (weekend ? 1.1 : 1.0) * (1.05 - 0.1 * winter);  // a little more in summer
      noise = -std::log(u);  // draws come in bursts: exponential, mean 1
      break;
    case core::Medium::kHotWater:
      shape = Shape(kHotWater[weekend], hour);
      daily = kHotWaterL * (weekend ? 1.1 : 1.0) * (0.9 + 0.2 * winter);
      noise = -std::log(u);
      break;
    case core::Medium::kGas: {
      double degree_days = std::max(0.0, kHeatingBaseC - TemperatureC(d.day_of_year));
      double heating = kGasPerDegreeDayL * degree_days * (weekend ? 1.08 : 1.0);
      double base = kGasBaseL * (weekend ? 1.1 : 1.0);
      // Blend the two shapes by their share of the day.
      shape = (heating * Shape(kHeating[weekend], hour) + base * Shape(kHotWater[weekend], hour)) / (heating + base);
      daily = heating + base;
      noise = 0.5 + u;  // thermostat cycling: mean 1
      break;
    }
    case core::Medium::kHeat: {
      // District heat delivered to a flat: the gas household's heat, ~10 Wh per litre of gas.
      constexpr double kWhPerGasL = 10.0;
      double degree_days = std::max(0.0, kHeatingBaseC - TemperatureC(d.day_of_year));
      double heating = kWhPerGasL * kGasPerDegreeDayL * degree_days * (weekend ? 1.08 : 1.0);
      double base = kWhPerGasL * kGasBaseL * (weekend ? 1.1 : 1.0);
      shape = (heating * Shape(kHeating[weekend], hour) + base * Shape(kHotWater[weekend], hour)) / (heating + base);
      daily = heating + base;
      noise = 0.8 + 0.4 * u;  // a heat exchanger smooths the draw
      break;
    }
  }
  return daily * scale_ * shape / 96.0 * noise;
}

double LoadProfile::Consumption(core::Instant from, core::Instant to) const {
  int64_t a = core::ToUnixSeconds(from), b = core::ToUnixSeconds(to);
  double total = 0;
  for (int64_t slot = FloorDiv(a, kSlotS); slot * kSlotS < b; ++slot) {
    int64_t lo = std::max(a, slot * kSlotS), hi = std::min(b, (slot + 1) * kSlotS);
    if (hi > lo) total += SlotRate(slot) * static_cast<double>(hi - lo) / kSlotS;
  }
  return total;
}

uint64_t LoadProfile::Pulses(core::Instant from, core::Instant to, const core::Quantity& pulse_weight) {
  if (to <= from || pulse_weight.value <= 0) return 0;
  // The pulse weight in the unit Consumption uses (litres or Wh).
  double weight = static_cast<double>(pulse_weight.value) * std::pow(10.0, pulse_weight.scale);
  if (pulse_weight.unit == core::Unit::kM3) {
    weight *= 1000;
  } else if (pulse_weight.unit != core::Unit::kL && pulse_weight.unit != core::Unit::kWh) {
    return 0;
  }
  double pulses = Consumption(from, to) / weight + carry_;
  double whole = std::floor(pulses);
  carry_ = pulses - whole;
  return static_cast<uint64_t>(whole);
}

}  // namespace meterd::device
