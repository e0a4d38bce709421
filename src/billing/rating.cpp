// SPDX-License-Identifier: Apache-2.0
#include "billing/rating.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace meterd::billing {
namespace {

int64_t Pow10(int n) {
  int64_t v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

// x / d rounded half away from zero.
int64_t DivRound(__int128 x, __int128 d) {
  __int128 q = x / d, r = x % d;
  if (2 * (r < 0 ? -r : r) >= d) q += x < 0 ? -1 : 1;
  return static_cast<int64_t>(q);
}

core::Money Micros(int64_t micros, const std::string& currency) {
  core::Money m;
  m.micros = micros;
  m.currency = {currency[0], currency[1], currency[2]};
  return m;
}

int32_t DaysInMonth(int32_t day) {
  core::CivilDate c = core::CivilFromDays(day);
  core::CivilDate next = c.month == 12 ? core::CivilDate{c.year + 1, 1, 1} : core::CivilDate{c.year, c.month + 1, 1};
  return core::DaysFromCivil(next) - core::DaysFromCivil({c.year, c.month, 1});
}

// Consumption accumulated on one rate period of one version segment, split by tier.
struct TierUse {
  int64_t base = 0;  // in base units at the common scale
  int64_t intervals = 0;
  int64_t estimated = 0;
};

}  // namespace

core::Result<Bill> Rate(const Tariff& tariff, int32_t from_day, int32_t to_day, const std::vector<UsageInterval>& usage,
                        const RateContext& context) {
  if (to_day <= from_day) return core::Fail(core::Error::Invalid("the billing period is empty"));
  const core::Unit base_unit = tariff.unit;
  Bill bill;
  const std::string& cur = tariff.currency;
  bill.subtotal = Micros(0, cur);

  // Version segments of the period.
  struct Segment {
    const TariffVersion* version;
    int32_t from, to;
  };
  std::vector<Segment> segments;
  for (int32_t d = from_day; d < to_day;) {
    const TariffVersion* v = tariff.VersionOn(d);
    if (!v) return core::Fail(core::Error::Invalid(fmt::format("tariff {} has no version on {}", tariff.id, core::FormatDay(d))));
    int32_t end = to_day;
    for (const auto& later : tariff.versions) {
      if (later.effective_day > d && later.effective_day < end) end = later.effective_day;
    }
    segments.push_back({v, d, end});
    d = end;
  }

  // Fixed charges: per day, or a month's amount shared over that month's days.
  for (const auto& s : segments) {
    for (const auto& f : s.version->fixed) {
      int64_t micros = 0;
      for (int32_t d = s.from; d < s.to; ++d) {
        micros += f.per == FixedPer::kDay ? f.amount.micros : 0;
      }
      if (f.per == FixedPer::kMonth) {
        // Per calendar month touched: amount x days used / days in that month.
        for (int32_t d = s.from; d < s.to;) {
          core::CivilDate c = core::CivilFromDays(d);
          int32_t month_start = core::DaysFromCivil({c.year, c.month, 1});
          int32_t month_end = month_start + DaysInMonth(d);
          int32_t used = std::min(month_end, s.to) - d;
          micros += DivRound(static_cast<__int128>(f.amount.micros) * used, DaysInMonth(d));
          d += used;
        }
      }
      BillLine line;
      line.description = f.per == FixedPer::kDay ? f.name : fmt::format("{} (monthly, by day)", f.name);
      line.from_day = s.from;
      line.to_day = s.to;
      line.quantity = core::Quantity{s.to - s.from, 0, core::Unit::kNone};
      line.unit_price = f.per == FixedPer::kDay ? f.amount : Micros(DivRound(micros, s.to - s.from), cur);
      line.amount = Micros(micros, cur);
      bill.lines.push_back(std::move(line));
    }
  }

  // Consumption: each interval belongs to the rate period of its local start.
  int8_t scale = 0;
  for (const auto& u : usage) {
    if (u.value.unit != base_unit) {
      return core::Fail(core::Error::Invalid(fmt::format("usage in {} for a tariff priced per {}", core::UnitSymbol(u.value.unit),
                                                         core::UnitSymbol(base_unit))));
    }
    scale = std::min(scale, u.value.scale);
  }
  // (segment index, rate name) -> use, in order of first use.
  std::map<std::pair<size_t, const RatePeriod*>, TierUse> use;
  std::vector<std::pair<size_t, const RatePeriod*>> order;
  std::set<int32_t> days_seen;
  struct Placed {
    size_t segment;
    const RatePeriod* period;
    const UsageInterval* interval;
  };
  std::vector<Placed> placed;
  for (const auto& u : usage) {
    int64_t local = core::ToUnixSeconds(u.start) + tariff.zone.OffsetSeconds(u.start);
    int32_t day = static_cast<int32_t>((local >= 0 ? local : local - 86399) / 86400);
    int minute = static_cast<int>((local - int64_t{day} * 86400) / 60);
    if (day < from_day || day >= to_day) {
      return core::Fail(core::Error::Invalid(fmt::format("an interval at {} is outside the billing period",
                                                         core::FormatInstant(u.start))));
    }
    days_seen.insert(day);
    size_t seg = 0;
    while (segments[seg].to <= day) ++seg;
    const RatePeriod* p = PeriodAt(*segments[seg].version, day, minute);
    if (!p) return core::Fail(core::Error::Internal("tariff without a rate at " + core::FormatInstant(u.start)));
    placed.push_back({seg, p, &u});
    auto key = std::pair{seg, p};
    auto [it, fresh] = use.try_emplace(key);
    if (fresh) order.push_back(key);
    it->second.base += u.value.Rescaled(scale)->value;
    ++it->second.intervals;
    if (u.quality == core::Quality::kEstimated) ++it->second.estimated;
    ++bill.intervals;
    if (u.quality == core::Quality::kEstimated) ++bill.estimated;
  }
  bill.missing_days = (to_day - from_day) - static_cast<int64_t>(days_seen.size());

  // Price: base units at `scale`, prices per 10^unit_scale base units (kWh = 1000 Wh).
  const int shift = tariff.unit_scale - scale;  // base units at `scale` per priced unit = 10^shift
  const __int128 per_unit = Pow10(shift);
  for (const auto& key : order) {
    const auto& [seg, p] = key;
    const TierUse& t = use[key];
    int64_t left = t.base;
    int64_t below = 0;  // consumption already counted in lower tiers
    for (size_t i = 0; i < p->tiers.size() && (left > 0 || i == 0); ++i) {
      const Tier& tier = p->tiers[i];
      int64_t in_tier = left;
      if (tier.up_to) {
        // The limit in base units at `scale`.
        auto at_scale = tier.up_to->Rescaled(scale);
        if (!at_scale) return core::Fail(core::Error::Invalid(fmt::format("tier limit of {} out of range", p->name)));
        int64_t limit = at_scale->value;
        in_tier = std::min(left, std::max<int64_t>(0, limit - below));
      }
      if (in_tier == 0 && i > 0) continue;
      BillLine line;
      line.description = p->tiers.size() > 1 ? fmt::format("{}, tier {}", p->name, i + 1) : p->name;
      line.from_day = segments[seg].from;
      line.to_day = segments[seg].to;
      line.quantity = core::Quantity{in_tier, scale, base_unit};  // in base units (Wh, m3)
      line.unit_price = tier.price;
      line.amount = Micros(DivRound(static_cast<__int128>(in_tier) * tier.price.micros, per_unit), cur);
      line.intervals = t.intervals;
      line.estimated = t.estimated;
      bill.lines.push_back(std::move(line));
      left -= in_tier;
      below += in_tier;
    }
  }
  // Demand: the highest mean power over one interval, in W at `scale`.
  for (size_t seg = 0; seg < segments.size(); ++seg) {
    for (const auto& d : segments[seg].version->demand) {
      int64_t peak = 0;
      int64_t used = 0;
      for (const auto& pl : placed) {
        if (pl.segment != seg) continue;
        if (!d.periods.empty() && std::find(d.periods.begin(), d.periods.end(), pl.period->name) == d.periods.end()) continue;
        int64_t seconds = (pl.interval->end - pl.interval->start).count();
        if (seconds <= 0) continue;
        int64_t w = DivRound(static_cast<__int128>(pl.interval->value.Rescaled(scale)->value) * 3600, seconds);
        peak = std::max(peak, w);
        ++used;
      }
      // The ratchet: at least this share of the months before.
      int64_t floor_w = DivRound(static_cast<__int128>(context.previous_peak_w) * Pow10(-scale) * d.ratchet_percent, 100);
      int64_t billed = std::max(peak, floor_w);
      bill.peak_demand_w = std::max(bill.peak_demand_w, DivRound(billed, Pow10(-scale)));
      BillLine line;
      line.description = billed > peak ? fmt::format("{} (ratchet {}% of {} W)", d.name, d.ratchet_percent, context.previous_peak_w)
                                       : d.name;
      line.from_day = segments[seg].from;
      line.to_day = segments[seg].to;
      line.quantity = core::Quantity{billed, scale, core::Unit::kW};
      line.unit_price = d.price;
      line.amount = Micros(DivRound(static_cast<__int128>(billed) * d.price.micros, static_cast<__int128>(1000) * Pow10(-scale)), cur);
      line.intervals = used;
      bill.lines.push_back(std::move(line));
    }
  }
  auto sum_lines = [&]() -> core::Result<void> {
    bill.subtotal = Micros(0, cur);
    for (const auto& l : bill.lines) {
      auto sum = core::Add(bill.subtotal, l.amount);
      if (!sum) return core::Fail(sum.error());
      bill.subtotal = *sum;
    }
    return {};
  };
  if (auto r = sum_lines(); !r) return core::Fail(r.error());
  const TariffVersion& last = *segments.back().version;
  if (last.minimum) {
    int64_t minimum = DivRound(static_cast<__int128>(last.minimum->micros) * (to_day - from_day), DaysInMonth(from_day));
    if (bill.subtotal.micros < minimum) {
      BillLine line;
      line.description = "Minimum bill adjustment";
      line.from_day = from_day;
      line.to_day = to_day;
      line.quantity = core::Quantity{to_day - from_day, 0, core::Unit::kNone};
      line.unit_price = *last.minimum;
      line.amount = Micros(minimum - bill.subtotal.micros, cur);
      bill.lines.push_back(std::move(line));
    }
  }
  if (auto r = sum_lines(); !r) return core::Fail(r.error());
  const int64_t taxable = bill.subtotal.micros;
  for (const auto& tax : last.taxes) {
    BillLine line;
    std::string percent = fmt::format("{}.{:04}", tax.rate_ppm / 10000, tax.rate_ppm % 10000);
    while (percent.back() == '0') percent.pop_back();
    if (percent.back() == '.') percent.pop_back();
    line.description = fmt::format("{} ({}%)", tax.name, percent);
    line.from_day = from_day;
    line.to_day = to_day;
    line.quantity = core::Quantity{taxable, -6, core::Unit::kNone};
    line.unit_price = Micros(tax.rate_ppm, cur);
    line.amount = Micros(DivRound(static_cast<__int128>(taxable) * tax.rate_ppm, 1'000'000), cur);
    bill.lines.push_back(std::move(line));
  }
  if (auto r = sum_lines(); !r) return core::Fail(r.error());
  bill.total = Micros(DivRound(bill.subtotal.micros, 10000) * 10000, cur);  // to the cent
  return bill;
}

}  // namespace meterd::billing
