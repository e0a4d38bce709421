// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "billing/rating.h"
#include "billing/tariff.h"
#include "core/error.h"

// Bill determinants: what was measured over one billing period, per tariff-version segment and
// rate period, before any price is applied. Rate() (interval lists), RateDays() (day blocks) and
// RateRegisters() (register reads) each fill a Determinants and PriceDeterminants() turns it into
// the Bill, so the three price alike by construction.
namespace meterd::billing {

// One rate period of one version segment.
struct PeriodUse {
  int64_t energy = 0;              // consumption, base units (Wh, m3) x 10^Determinants::scale
  int64_t intervals = 0;           // intervals that fell in the period (kMissing ones excluded)
  int64_t estimated = 0;           // of which estimated (with `reads`: estimated reads)
  int64_t reads = 0;               // register reads (RateRegisters)
  int64_t max_w = 0;               // highest interval mean power, W x 10^scale; at least 0
  int64_t reactive = 0;            // reactive energy, varh x 10^Determinants::reactive_scale
  int64_t reactive_intervals = 0;
  int64_t reactive_estimated = 0;
  int64_t reactive_reads = 0;
};

// Days [from_day, to_day) of a bill under one tariff version.
struct VersionSegment {
  const TariffVersion* version = nullptr;
  size_t version_index = 0;  // in Tariff::versions
  int32_t from_day = 0;
  int32_t to_day = 0;
  size_t first_use = 0;      // Determinants::use[first_use + i] is rate i of the version
};

struct Determinants {
  int8_t scale = 0;           // of PeriodUse::energy and max_w: min(0, the finest scale of the
                              // data and of the tier limits ("25.5" m3 needs scale -1))
  int8_t reactive_scale = 0;  // of PeriodUse::reactive
  std::vector<VersionSegment> segments;
  std::vector<PeriodUse> use;
  int64_t intervals = 0;
  int64_t estimated = 0;
  int64_t missing_days = 0;
  std::optional<int64_t> max_demand_w;  // a max-demand register, W: replaces the intervals' peaks
};

// Splits [from_day, to_day) by tariff version into out.segments and sizes out.use, all zero.
// Refuses an empty period and days without a version. Keeps out's capacity (no allocation once
// warm), resets its counters, and sets out.scale to min(0, the scales of the tier limits) and
// out.reactive_scale to 0, for the caller to lower to the data's finest scale.
core::Result<void> SplitByVersion(const Tariff& tariff, int32_t from_day, int32_t to_day, Determinants& out);

// The bill for `d`: fixed charges, consumption by period and tier, demand (with the ratchet of
// context.previous_peak_w), reactive charges, the minimum bill and taxes; see rating.h.
core::Result<Bill> PriceDeterminants(const Tariff& tariff, int32_t from_day, int32_t to_day, const Determinants& d,
                                     const RateContext& context);

// x / d rounded half away from zero (d > 0).
__int128 DivRound(__int128 x, __int128 d);
// 10^n for 0 <= n <= 38.
__int128 Pow10(int n);
// Mean power in W x 10^scale of `value` (Wh x 10^scale) over `seconds` > 0: value x 3600 / s,
// rounded half away from zero. Monotonic in value / seconds, so the peak of the rounded powers is
// the rounded power of the peak: the day-block path may round once per run of slots.
inline __int128 MeanPower(int64_t value, int64_t seconds) { return DivRound(static_cast<__int128>(value) * 3600, seconds); }

}  // namespace meterd::billing
