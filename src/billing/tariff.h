// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/money.h"
#include "core/quantity.h"
#include "core/time_zone.h"

// Tariffs as data (docs/billing.md): versions with effective dates, fixed charges,
// time-of-use rates with seasons, day types and holidays, each with tiers, demand and
// reactive-energy charges, a minimum bill and taxes. Parsing checks everything a bill run would
// otherwise trip over later, and names the file, line and reason.
namespace meterd::billing {

enum class DayType : uint8_t { kWeekday, kWeekend, kHoliday };
std::string_view DayTypeName(DayType t);  // "weekday", "weekend", "holiday"

enum class FixedPer : uint8_t { kDay, kMonth };

struct FixedCharge {
  std::string name;
  core::Money amount;  // per day or per month, prorated for partial periods
  FixedPer per = FixedPer::kDay;
};

// One block of a tiered price: consumption above the previous tier's limit up to `up_to`
// (per billing period; written in the tariff's unit, kept in base units: "100" kWh is
// 100000 Wh) costs `price` per unit. The last tier is open.
struct Tier {
  std::optional<core::Quantity> up_to;
  core::Money price;  // per one unit (kWh or m3)
};

// A time-of-use period: on the day types listed, in the months of its season, from `from` to
// `to` (minutes after local midnight; to = 1440 is the end of the day), at its tiers.
struct RatePeriod {
  std::string name;                 // "peak", "off-peak", ...
  std::vector<uint32_t> months;     // 1..12; the season
  std::vector<DayType> days;
  int from_minute = 0;
  int to_minute = 1440;
  std::vector<Tier> tiers;
  int line = 0;                     // in the file, for messages
};

// A charge on the highest mean power over any one interval of the period (15-minute data:
// kW = kWh x 4), optionally only in the named rate periods, at least `ratchet` of the highest
// demand of the months before (passed in by the caller).
struct DemandCharge {
  std::string name;
  core::Money price;                 // per kW
  std::vector<std::string> periods;  // rate period names; empty: all
  int32_t ratchet_percent = 0;       // 0..100
};

// A charge on reactive energy beyond what a power factor allows (kWh tariffs only). In each
// version segment of a bill, over the rate periods listed (empty: all), reactive energy above
// the allowance free_ratio_ppm x 10^-6 varh per Wh of active energy in the same periods costs
// `price` per kvarh. free_ratio = tan(acos(pf)): pf 0.90 lets 0.484322 kvarh per kWh go free.
struct ReactiveCharge {
  std::string name;
  core::Money price;                 // per kvarh
  int64_t free_ratio_ppm = 0;        // varh free per Wh, in parts per million
  int64_t power_factor_ppm = 0;      // the power factor as written (0: the file gave free_ratio)
  std::vector<std::string> periods;  // rate period names; empty: all
  int line = 0;                      // in the file, for messages
};

// tan(acos(pf)) = sqrt(1 - pf^2) / pf in parts per million, for a power factor in parts per
// million (0 < pf <= 1'000'000): 900'000 (0.90) gives 484'322. Computed in integers only and
// rounded half up: the largest r with (2r - 1) x pf <= 2 x 10^6 x sqrt(10^12 - pf^2).
int64_t FreeRatioPpm(int64_t power_factor_ppm);

// A tax or levy: `rate_ppm` parts per million of the subtotal (after the minimum bill).
struct Tax {
  std::string name;
  int64_t rate_ppm = 0;  // "0.05" is 50000
};

struct TariffVersion {
  int32_t effective_day = 0;        // local day number (core::ParseDay) from which it applies
  std::vector<FixedCharge> fixed;
  std::vector<int32_t> holidays;    // local day numbers
  std::vector<RatePeriod> rates;
  std::vector<DemandCharge> demand;
  std::vector<ReactiveCharge> reactive;
  std::optional<core::Money> minimum;  // the least a bill of a whole month comes to, before tax
  std::vector<Tax> taxes;
};

struct Tariff {
  std::string id;
  std::string name;
  std::string currency;             // ISO 4217, every amount in the file is in it
  core::Unit unit = core::Unit::kWh;  // what the prices are per: kWh (scale 3 of Wh) or m3
  int8_t unit_scale = 3;            // kWh = 10^3 Wh; 0 for m3
  core::TimeZone zone = core::TimeZone::Utc();
  std::vector<TariffVersion> versions;  // ascending effective_day

  // The version in force on local day `day`, if any.
  const TariffVersion* VersionOn(int32_t day) const;
};

// The TOML text of one tariff; `source` names it in errors ("<source>:<line>: <reason>").
core::Result<Tariff> ParseTariff(std::string_view text, std::string_view source);
core::Result<Tariff> LoadTariff(const std::string& path);

// The rate period in force at local day `day`, minute `minute` of a version; null if none
// (cannot happen in a parsed tariff: parsing refuses gaps).
const RatePeriod* PeriodAt(const TariffVersion& version, int32_t day, int minute);
DayType DayTypeOf(const TariffVersion& version, int32_t day);

}  // namespace meterd::billing
