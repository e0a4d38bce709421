// SPDX-License-Identifier: Apache-2.0
// RateRegisters(): bill determinants from the start and end of each TOU register.
#include <fmt/format.h>

#include <algorithm>

#include "billing/determinants.h"
#include "billing/rating.h"

namespace meterd::billing {
namespace {

core::Error Invalid(std::string message) { return core::Error::Invalid(std::move(message)); }

bool SameTiers(const RatePeriod& a, const RatePeriod& b) {
  if (a.tiers.size() != b.tiers.size()) return false;
  for (size_t i = 0; i < a.tiers.size(); ++i) {
    if (a.tiers[i].up_to != b.tiers[i].up_to || a.tiers[i].price != b.tiers[i].price) return false;
  }
  return true;
}

// Rates of `v` that apply on at least one day of [from_day, to_day) (their season and day type).
std::vector<bool> InForce(const TariffVersion& v, int32_t from_day, int32_t to_day) {
  std::vector<bool> in(v.rates.size());
  for (int32_t day = from_day; day < to_day; ++day) {
    uint32_t month = core::CivilFromDays(day).month;
    DayType type = DayTypeOf(v, day);
    bool all = true;
    for (size_t r = 0; r < v.rates.size(); ++r) {
      const RatePeriod& p = v.rates[r];
      if (std::find(p.months.begin(), p.months.end(), month) != p.months.end() &&
          std::find(p.days.begin(), p.days.end(), type) != p.days.end()) {
        in[r] = true;
      }
      all = all && in[r];
    }
    if (all) break;
  }
  return in;
}

}  // namespace

core::Result<Bill> RateRegisters(const Tariff& tariff, int32_t from_day, int32_t to_day, std::span<const RegisterRead> reads,
                                 const RateContext& context) {
  if (!context.reactive.empty() || !context.reactive_days.empty()) {
    return core::Fail(Invalid("RateRegisters takes reactive energy as register reads in varh, not intervals"));
  }
  Determinants d;
  if (auto r = SplitByVersion(tariff, from_day, to_day, d); !r) return core::Fail(r.error());
  if (d.segments.size() > 1) {
    return core::Fail(Invalid(fmt::format("{} to {} spans tariff versions (a new one from {}): register reads cannot be split between "
                                          "them, bill each version's days separately",
                                          core::FormatDay(from_day), core::FormatDay(to_day), core::FormatDay(d.segments[1].from_day))));
  }
  const TariffVersion& v = *d.segments.front().version;
  for (const auto& c : v.demand) {
    if (!context.max_demand_w) {
      return core::Fail(Invalid(fmt::format("tariff {} has demand charge '{}': register reads need a max-demand register "
                                            "(RateContext::max_demand_w) or interval data", tariff.id, c.name)));
    }
    if (!c.periods.empty()) {
      return core::Fail(Invalid(fmt::format("demand charge '{}' applies to some rate periods only: a single max-demand register "
                                            "cannot bill it, interval data is needed", c.name)));
    }
    if (*context.max_demand_w < 0) return core::Fail(Invalid("the max-demand register is negative"));
  }
  if (!v.demand.empty()) d.max_demand_w = context.max_demand_w;

  // The data's scales: min(0, the finest read), for energy and for reactive energy.
  for (const auto& read : reads) {
    const bool reactive = read.start.unit == core::Unit::kVarh;
    if (read.start.unit != read.end.unit || (read.start.unit != tariff.unit && !(reactive && tariff.unit == core::Unit::kWh))) {
      return core::Fail(Invalid(fmt::format("register '{}': reads in {} and {} for a tariff in {}", read.period,
                                            core::UnitSymbol(read.start.unit), core::UnitSymbol(read.end.unit),
                                            core::UnitSymbol(tariff.unit))));
    }
    int8_t& scale = reactive ? d.reactive_scale : d.scale;
    scale = std::min({scale, read.start.scale, read.end.scale});
  }
  std::vector<bool> active_read(v.rates.size()), reactive_read(v.rates.size());
  for (const auto& read : reads) {
    const bool reactive = read.start.unit == core::Unit::kVarh;
    auto first = std::find_if(v.rates.begin(), v.rates.end(), [&](const RatePeriod& p) { return p.name == read.period; });
    if (first == v.rates.end()) {
      return core::Fail(Invalid(fmt::format("register '{}' names no rate of tariff {} in force from {}", read.period, tariff.id,
                                            core::FormatDay(v.effective_day))));
    }
    for (auto it = first + 1; it != v.rates.end(); ++it) {
      if (it->name == read.period && !SameTiers(*first, *it)) {
        return core::Fail(Invalid(fmt::format("rates named '{}' have different prices (lines {} and {}): one register cannot be "
                                              "split between them", read.period, first->line, it->line)));
      }
    }
    const size_t r = static_cast<size_t>(first - v.rates.begin());
    std::vector<bool>& done = reactive ? reactive_read : active_read;
    if (done[r]) return core::Fail(Invalid(fmt::format("two {} reads for register '{}'", reactive ? "reactive" : "energy", read.period)));
    done[r] = true;
    const int8_t scale = reactive ? d.reactive_scale : d.scale;
    auto start = read.start.Rescaled(scale);
    auto end = read.end.Rescaled(scale);
    int64_t used = 0;
    if (!start || !end || __builtin_sub_overflow(end->value, start->value, &used)) {
      return core::Fail(core::Error{core::ErrorCode::kOutOfRange, fmt::format("register '{}': reads out of range", read.period), {}});
    }
    if (used < 0) {
      return core::Fail(Invalid(fmt::format("register '{}' went backwards: end {} is below start {} (a register rollover is not "
                                            "handled: correct the reads)", read.period, read.end.ToString(), read.start.ToString())));
    }
    PeriodUse& p = d.use[r];
    if (reactive) {
      p.reactive = used;
      p.reactive_reads = 1;
      p.reactive_estimated = read.estimated ? 1 : 0;
    } else {
      p.energy = used;
      p.reads = 1;
      p.estimated = read.estimated ? 1 : 0;
      d.estimated += p.estimated;
    }
  }
  // Every rate in force needs its register (by name: rates of one name share one).
  std::vector<bool> in_force = InForce(v, from_day, to_day);
  for (size_t r = 0; r < v.rates.size(); ++r) {
    if (!in_force[r]) continue;
    bool read = false;
    for (size_t o = 0; o < v.rates.size(); ++o) read = read || (active_read[o] && v.rates[o].name == v.rates[r].name);
    if (!read) {
      return core::Fail(Invalid(fmt::format("no register read for rate '{}', in force between {} and {}", v.rates[r].name,
                                            core::FormatDay(from_day), core::FormatDay(to_day - 1))));
    }
  }
  return PriceDeterminants(tariff, from_day, to_day, d, context);
}

}  // namespace meterd::billing
