// SPDX-License-Identifier: Apache-2.0
// Rate(): interval lists into determinants, one time-zone lookup per interval. The bill-run path
// is RateDays() (rating_days.cpp); both price through PriceDeterminants().
#include "billing/rating.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "billing/determinants.h"

namespace meterd::billing {
namespace {

// Where an interval falls: its local day and the rate of its local start.
struct Place {
  int32_t day;
  PeriodUse* use;
};

core::Result<Place> Locate(const Tariff& tariff, int32_t from_day, int32_t to_day, Determinants& d, const UsageInterval& u) {
  if (u.end <= u.start) {
    return core::Fail(core::Error::Invalid(fmt::format("the interval at {} does not end after it starts", core::FormatInstant(u.start))));
  }
  int64_t local = core::ToUnixSeconds(u.start) + tariff.zone.OffsetSeconds(u.start);
  int32_t day = static_cast<int32_t>((local >= 0 ? local : local - 86399) / 86400);
  int minute = static_cast<int>((local - int64_t{day} * 86400) / 60);
  if (day < from_day || day >= to_day) {
    return core::Fail(core::Error::Invalid(fmt::format("an interval at {} is outside the billing period", core::FormatInstant(u.start))));
  }
  size_t seg = 0;
  while (d.segments[seg].to_day <= day) ++seg;
  const TariffVersion& v = *d.segments[seg].version;
  const RatePeriod* p = PeriodAt(v, day, minute);
  if (!p) return core::Fail(core::Error::Internal("tariff without a rate at " + core::FormatInstant(u.start)));
  return Place{day, &d.use[d.segments[seg].first_use + static_cast<size_t>(p - v.rates.data())]};
}

// min(`scale`, the finest scale of the present intervals); every interval must be in `unit`.
core::Result<int8_t> CommonScale(const std::vector<UsageInterval>& usage, core::Unit unit, int8_t scale) {
  for (const auto& u : usage) {
    if (u.value.unit != unit) {
      return core::Fail(core::Error::Invalid(fmt::format("usage in {} where {} is needed", core::UnitSymbol(u.value.unit),
                                                         core::UnitSymbol(unit))));
    }
    if (u.quality != core::Quality::kMissing) scale = std::min(scale, u.value.scale);
  }
  return scale;
}

core::Error TooLarge(const UsageInterval& u) {
  return core::Error{core::ErrorCode::kOutOfRange, fmt::format("the interval at {} is too large", core::FormatInstant(u.start)), {}};
}

}  // namespace

core::Result<Bill> Rate(const Tariff& tariff, int32_t from_day, int32_t to_day, const std::vector<UsageInterval>& usage,
                        const RateContext& context) {
  if (!context.reactive_days.empty()) {
    return core::Fail(core::Error::Invalid("Rate takes reactive energy in context.reactive, not context.reactive_days"));
  }
  Determinants d;
  if (auto r = SplitByVersion(tariff, from_day, to_day, d); !r) return core::Fail(r.error());
  auto scale = CommonScale(usage, tariff.unit, d.scale);
  if (!scale) return core::Fail(scale.error());
  auto reactive_scale = CommonScale(context.reactive, core::Unit::kVarh, d.reactive_scale);
  if (!reactive_scale) return core::Fail(reactive_scale.error());
  d.scale = *scale;
  d.reactive_scale = *reactive_scale;

  std::vector<bool> seen(static_cast<size_t>(to_day - from_day));
  for (const auto& u : usage) {
    auto place = Locate(tariff, from_day, to_day, d, u);
    if (!place) return core::Fail(place.error());
    if (u.quality == core::Quality::kMissing) continue;
    auto value = u.value.Rescaled(d.scale);
    PeriodUse& p = *place->use;
    if (!value || __builtin_add_overflow(p.energy, value->value, &p.energy)) return core::Fail(TooLarge(u));
    __int128 w = MeanPower(value->value, (u.end - u.start).count());
    if (w > std::numeric_limits<int64_t>::max()) return core::Fail(TooLarge(u));
    p.max_w = std::max(p.max_w, static_cast<int64_t>(w));
    ++p.intervals;
    ++d.intervals;
    if (u.quality == core::Quality::kEstimated) {
      ++p.estimated;
      ++d.estimated;
    }
    seen[place->day - from_day] = true;
  }
  for (const auto& u : context.reactive) {
    auto place = Locate(tariff, from_day, to_day, d, u);
    if (!place) return core::Fail(place.error());
    if (u.quality == core::Quality::kMissing) continue;
    auto value = u.value.Rescaled(d.reactive_scale);
    PeriodUse& p = *place->use;
    if (!value || __builtin_add_overflow(p.reactive, value->value, &p.reactive)) return core::Fail(TooLarge(u));
    ++p.reactive_intervals;
    if (u.quality == core::Quality::kEstimated) ++p.reactive_estimated;
  }
  d.missing_days = std::count(seen.begin(), seen.end(), false);
  return PriceDeterminants(tariff, from_day, to_day, d, context);
}

}  // namespace meterd::billing
