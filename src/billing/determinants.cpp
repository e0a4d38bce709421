// SPDX-License-Identifier: Apache-2.0
#include "billing/determinants.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <string_view>

namespace meterd::billing {

__int128 DivRound(__int128 x, __int128 d) {
  constexpr __int128 k62 = static_cast<__int128>(1) << 62;
  if (x > -k62 && x < k62 && d < k62) {  // the common case, without the slow 128-bit division
    const auto x64 = static_cast<int64_t>(x), d64 = static_cast<int64_t>(d);
    int64_t q = x64 / d64, r = x64 % d64;
    if (2 * (r < 0 ? -r : r) >= d64) q += x64 < 0 ? -1 : 1;
    return q;
  }
  __int128 q = x / d, r = x % d;
  if (2 * (r < 0 ? -r : r) >= d) q += x < 0 ? -1 : 1;
  return q;
}

__int128 Pow10(int n) {
  __int128 v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

namespace {

bool FitsInt64(__int128 v) {
  return v <= std::numeric_limits<int64_t>::max() && v >= std::numeric_limits<int64_t>::min();
}

core::Error OutOfRange(std::string_view what) {
  return core::Error{core::ErrorCode::kOutOfRange, fmt::format("{} is out of range", what), {}};
}

core::Money Micros(int64_t micros, const std::string& currency) {
  core::Money m;
  m.micros = micros;
  m.currency = {currency[0], currency[1], currency[2]};
  return m;
}

// num / den in micro-units, rounded half away from zero.
core::Result<core::Money> Amount(__int128 num, __int128 den, const std::string& currency, std::string_view what) {
  __int128 v = DivRound(num, den);
  if (!FitsInt64(v)) return core::Fail(OutOfRange(what));
  return Micros(static_cast<int64_t>(v), currency);
}

int32_t DaysInMonth(int32_t day) {
  core::CivilDate c = core::CivilFromDays(day);
  core::CivilDate next = c.month == 12 ? core::CivilDate{c.year + 1, 1, 1} : core::CivilDate{c.year, c.month + 1, 1};
  return core::DaysFromCivil(next) - core::DaysFromCivil({c.year, c.month, 1});
}

bool Listed(const std::vector<std::string>& periods, const std::string& name) {
  return periods.empty() || std::find(periods.begin(), periods.end(), name) != periods.end();
}

// 900000 ppm -> "0.9", 200000 -> "0.2", 1000000 -> "1".
std::string PpmDecimal(int64_t ppm) {
  std::string s = fmt::format("{}.{:06}", ppm / 1'000'000, ppm % 1'000'000);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

// The steps of PriceDeterminants, each appending its lines.
class Pricer {
 public:
  Pricer(const Tariff& tariff, const Determinants& d, const RateContext& context, Bill& bill)
      : tariff_(tariff), cur_(tariff.currency), d_(d), context_(context), bill_(bill) {}

  core::Result<void> Fixed(const VersionSegment& s) {
    for (const auto& f : s.version->fixed) {
      __int128 micros = 0;
      if (f.per == FixedPer::kDay) {
        micros = static_cast<__int128>(f.amount.micros) * (s.to_day - s.from_day);
      } else {
        // Per calendar month touched: amount x days used / days in that month.
        for (int32_t d = s.from_day; d < s.to_day;) {
          core::CivilDate c = core::CivilFromDays(d);
          int32_t month_end = core::DaysFromCivil({c.year, c.month, 1}) + DaysInMonth(d);
          int32_t used = std::min(month_end, s.to_day) - d;
          micros += DivRound(static_cast<__int128>(f.amount.micros) * used, DaysInMonth(d));
          d += used;
        }
      }
      BillLine& line = Line(f.per == FixedPer::kDay ? f.name : fmt::format("{} (monthly, by day)", f.name), s);
      line.quantity = core::Quantity{s.to_day - s.from_day, 0, core::Unit::kNone};
      auto amount = Amount(micros, 1, cur_, "a fixed charge");
      auto average = Amount(micros, s.to_day - s.from_day, cur_, "a fixed charge");
      if (!amount || !average) return core::Fail(OutOfRange("a fixed charge"));
      line.unit_price = f.per == FixedPer::kDay ? f.amount : *average;
      line.amount = *amount;
    }
    return {};
  }

  // Each rate period that was used: its tiers, lowest first; the first tier even at zero.
  core::Result<void> Consumption(const VersionSegment& s) {
    const __int128 per_unit = Pow10(tariff_.unit_scale - d_.scale);  // base units at `scale` per priced unit
    const auto& rates = s.version->rates;
    for (size_t r = 0; r < rates.size(); ++r) {
      const RatePeriod& p = rates[r];
      const PeriodUse& u = d_.use[s.first_use + r];
      if (u.intervals == 0 && u.reads == 0) continue;
      int64_t left = u.energy;
      int64_t below = 0;  // consumption already counted in lower tiers
      for (size_t i = 0; i < p.tiers.size() && (left > 0 || i == 0); ++i) {
        const Tier& tier = p.tiers[i];
        int64_t in_tier = left;
        if (tier.up_to) {
          auto limit = tier.up_to->Rescaled(d_.scale);
          if (!limit) return core::Fail(OutOfRange(fmt::format("the tier limit of {} at the data's scale", p.name)));
          in_tier = std::min(left, std::max<int64_t>(0, limit->value - below));
        }
        if (in_tier == 0 && i > 0) continue;
        BillLine& line = Line(p.tiers.size() > 1 ? fmt::format("{}, tier {}", p.name, i + 1) : p.name, s);
        line.quantity = core::Quantity{in_tier, d_.scale, tariff_.unit};
        line.unit_price = tier.price;
        auto amount = Amount(static_cast<__int128>(in_tier) * tier.price.micros, per_unit, cur_, "a consumption line");
        if (!amount) return core::Fail(amount.error());
        line.amount = *amount;
        line.intervals = u.intervals;
        line.reads = u.reads;
        line.estimated = u.estimated;
        left -= in_tier;
        below += in_tier;
      }
    }
    return {};
  }

  // The highest interval mean power in the charge's periods, at least the ratchet's share of the
  // months before.
  core::Result<void> Demand(const VersionSegment& s) {
    const __int128 unit = Pow10(-d_.scale);  // W x 10^scale per W
    for (const auto& c : s.version->demand) {
      __int128 peak = 0;
      int64_t used = 0;
      for (size_t r = 0; r < s.version->rates.size(); ++r) {
        if (!Listed(c.periods, s.version->rates[r].name)) continue;
        const PeriodUse& u = d_.use[s.first_use + r];
        peak = std::max<__int128>(peak, u.max_w);
        used += u.intervals;
      }
      if (d_.max_demand_w) peak = static_cast<__int128>(*d_.max_demand_w) * unit;
      __int128 floor_w = DivRound(static_cast<__int128>(context_.previous_peak_w) * unit * c.ratchet_percent, 100);
      __int128 billed = std::max(peak, floor_w);
      if (!FitsInt64(billed)) return core::Fail(OutOfRange("the billed demand"));
      bill_.peak_demand_w = std::max(bill_.peak_demand_w, static_cast<int64_t>(DivRound(billed, unit)));
      BillLine& line = Line(billed > peak ? fmt::format("{} (ratchet {}% of {} W)", c.name, c.ratchet_percent, context_.previous_peak_w)
                                          : c.name,
                            s);
      line.quantity = core::Quantity{static_cast<int64_t>(billed), d_.scale, core::Unit::kW};
      line.unit_price = c.price;
      auto amount = Amount(billed * c.price.micros, 1000 * unit, cur_, "a demand charge");
      if (!amount) return core::Fail(amount.error());
      line.amount = *amount;
      line.intervals = used;
      line.reads = d_.max_demand_w ? 1 : 0;
    }
    return {};
  }

  // Reactive energy above the allowance (active energy x free ratio, rounded half away from zero
  // to the finer of the two data scales) in the charge's periods.
  core::Result<void> Reactive(const VersionSegment& s) {
    const int8_t scale = std::min(d_.scale, d_.reactive_scale);
    for (const auto& c : s.version->reactive) {
      __int128 active = 0, reactive = 0;
      int64_t intervals = 0, reads = 0, estimated = 0;
      for (size_t r = 0; r < s.version->rates.size(); ++r) {
        if (!Listed(c.periods, s.version->rates[r].name)) continue;
        const PeriodUse& u = d_.use[s.first_use + r];
        active += static_cast<__int128>(u.energy) * Pow10(d_.scale - scale);
        reactive += static_cast<__int128>(u.reactive) * Pow10(d_.reactive_scale - scale);
        intervals += u.reactive_intervals;
        reads += u.reactive_reads;
        estimated += u.reactive_estimated;
      }
      __int128 allowance = std::max<__int128>(0, DivRound(active * c.free_ratio_ppm, 1'000'000));
      __int128 excess = std::max<__int128>(0, reactive - allowance);
      if (!FitsInt64(excess)) return core::Fail(OutOfRange("the reactive energy"));
      BillLine& line = Line(c.power_factor_ppm ? fmt::format("{} (beyond power factor {})", c.name, PpmDecimal(c.power_factor_ppm))
                                               : fmt::format("{} (beyond {} kvarh per kWh)", c.name, PpmDecimal(c.free_ratio_ppm)),
                            s);
      line.quantity = core::Quantity{static_cast<int64_t>(excess), scale, core::Unit::kVarh};
      line.unit_price = c.price;
      auto amount = Amount(excess * c.price.micros, Pow10(3 - scale), cur_, "a reactive charge");
      if (!amount) return core::Fail(amount.error());
      line.amount = *amount;
      line.intervals = intervals;
      line.reads = reads;
      line.estimated = estimated;
    }
    return {};
  }

  core::Result<void> SumLines() {
    bill_.subtotal = Micros(0, cur_);
    for (const auto& l : bill_.lines) {
      auto sum = core::Add(bill_.subtotal, l.amount);
      if (!sum) return core::Fail(sum.error());
      bill_.subtotal = *sum;
    }
    return {};
  }

  // The minimum bill (prorated by day over the month the period starts in) and the taxes of the
  // version in force on the period's last day.
  core::Result<void> MinimumAndTaxes(int32_t from_day, int32_t to_day) {
    if (auto r = SumLines(); !r) return r;
    const TariffVersion& last = *d_.segments.back().version;
    if (last.minimum) {
      __int128 minimum = DivRound(static_cast<__int128>(last.minimum->micros) * (to_day - from_day), DaysInMonth(from_day));
      if (bill_.subtotal.micros < minimum) {
        BillLine& line = Line("Minimum bill adjustment", {nullptr, 0, from_day, to_day, 0});
        line.quantity = core::Quantity{to_day - from_day, 0, core::Unit::kNone};
        line.unit_price = *last.minimum;
        auto amount = Amount(minimum - bill_.subtotal.micros, 1, cur_, "the minimum bill");
        if (!amount) return core::Fail(amount.error());
        line.amount = *amount;
      }
    }
    if (auto r = SumLines(); !r) return r;
    const int64_t taxable = bill_.subtotal.micros;
    for (const auto& tax : last.taxes) {
      BillLine& line = Line(fmt::format("{} ({}%)", tax.name, PpmDecimal(tax.rate_ppm * 100)), {nullptr, 0, from_day, to_day, 0});
      line.quantity = core::Quantity{taxable, -6, core::Unit::kNone};
      line.unit_price = Micros(tax.rate_ppm, cur_);
      auto amount = Amount(static_cast<__int128>(taxable) * tax.rate_ppm, 1'000'000, cur_, "a tax");
      if (!amount) return core::Fail(amount.error());
      line.amount = *amount;
    }
    if (auto r = SumLines(); !r) return r;
    auto total = Amount(DivRound(bill_.subtotal.micros, 10000) * 10000, 1, cur_, "the total");  // to the cent
    if (!total) return core::Fail(total.error());
    bill_.total = *total;
    return {};
  }

 private:
  BillLine& Line(std::string description, const VersionSegment& s) {
    BillLine& line = bill_.lines.emplace_back();
    line.description = std::move(description);
    line.from_day = s.from_day;
    line.to_day = s.to_day;
    line.unit_price = Micros(0, cur_);
    line.amount = Micros(0, cur_);
    return line;
  }

  const Tariff& tariff_;
  const std::string& cur_;
  const Determinants& d_;
  const RateContext& context_;
  Bill& bill_;
};

}  // namespace

core::Result<void> SplitByVersion(const Tariff& tariff, int32_t from_day, int32_t to_day, Determinants& out) {
  if (to_day <= from_day) return core::Fail(core::Error::Invalid("the billing period is empty"));
  out.segments.clear();
  out.use.clear();
  out.scale = out.reactive_scale = 0;
  out.intervals = out.estimated = out.missing_days = 0;
  out.max_demand_w.reset();
  for (int32_t d = from_day; d < to_day;) {
    const TariffVersion* v = tariff.VersionOn(d);
    if (!v) return core::Fail(core::Error::Invalid(fmt::format("tariff {} has no version on {}", tariff.id, core::FormatDay(d))));
    int32_t end = to_day;
    for (const auto& later : tariff.versions) {
      if (later.effective_day > d && later.effective_day < end) end = later.effective_day;
    }
    out.segments.push_back({v, static_cast<size_t>(v - tariff.versions.data()), d, end, out.use.size()});
    for (const auto& r : v->rates) {
      for (const auto& tier : r.tiers) {
        if (tier.up_to) out.scale = std::min(out.scale, tier.up_to->scale);
      }
    }
    out.use.resize(out.use.size() + v->rates.size());
    d = end;
  }
  return {};
}

core::Result<Bill> PriceDeterminants(const Tariff& tariff, int32_t from_day, int32_t to_day, const Determinants& d,
                                     const RateContext& context) {
  Bill bill;
  bill.lines.reserve(16);
  bill.intervals = d.intervals;
  bill.estimated = d.estimated;
  bill.missing_days = d.missing_days;
  Pricer pricer(tariff, d, context, bill);
  for (const auto& s : d.segments) {
    if (auto r = pricer.Fixed(s); !r) return core::Fail(r.error());
  }
  for (const auto& s : d.segments) {
    if (auto r = pricer.Consumption(s); !r) return core::Fail(r.error());
  }
  for (const auto& s : d.segments) {
    if (auto r = pricer.Demand(s); !r) return core::Fail(r.error());
  }
  for (const auto& s : d.segments) {
    if (auto r = pricer.Reactive(s); !r) return core::Fail(r.error());
  }
  if (auto r = pricer.MinimumAndTaxes(from_day, to_day); !r) return core::Fail(r.error());
  return bill;
}

}  // namespace meterd::billing
