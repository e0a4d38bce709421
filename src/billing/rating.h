// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "billing/tariff.h"
#include "core/error.h"
#include "core/money.h"
#include "core/quantity.h"
#include "core/reading.h"
#include "core/time.h"

// Rating one service point's billing period against a tariff: fixed charges prorated by day,
// consumption priced by time-of-use period and tier, demand and reactive-energy charges, a
// minimum bill and taxes, every line explained. Exact: energy and volume are integers with a
// scale, money is integer micro-units; the only rounding is written down per line (half away
// from zero to the micro-unit) and for the total (half away from zero to the currency's minor
// unit, 2 decimals). Three inputs, one pricing: interval lists (Rate), decoded day blocks
// (RateDays, the fast path of bill runs) and TOU register reads (RateRegisters).
namespace meterd::billing {

// Consumption over [start, end), as stored (Wh or m3 with a scale), with its quality.
struct UsageInterval {
  core::Instant start;
  core::Instant end;
  core::Quantity value;
  core::Quality quality = core::Quality::kValid;
};

struct BillLine {
  std::string description;     // "Standing charge", "peak, tier 1", ...
  int32_t from_day = 0;        // local days [from_day, to_day)
  int32_t to_day = 0;
  core::Quantity quantity;     // Wh or m3 for consumption lines, W for demand, varh for reactive;
                               // days (unit none) for fixed ones
  core::Money unit_price;      // per kWh, m3, kW or kvarh; per day (a monthly charge: its average per day)
  core::Money amount;          // exact to the micro-unit
  int64_t intervals = 0;       // how many intervals the line used
  int64_t reads = 0;           // how many register reads it used (RateRegisters)
  int64_t estimated = 0;       // of those intervals or reads, how many estimated (marked on the bill)
  friend bool operator==(const BillLine&, const BillLine&) = default;
};

struct Bill {
  std::vector<BillLine> lines;
  core::Money subtotal;        // sum of the lines, exact
  core::Money total;           // rounded to the minor unit, half away from zero
  int64_t intervals = 0;       // energy (or volume) intervals used, kMissing ones excluded
  int64_t estimated = 0;       // of which estimated; for RateRegisters: estimated energy reads
  int64_t missing_days = 0;    // local days of the period without any interval (0 for registers)
  int64_t peak_demand_w = 0;   // the highest billed demand, for the next period's ratchet
  friend bool operator==(const Bill&, const Bill&) = default;
};

// One local day of interval data as decoded from a day block (store/day_block.h):
// slot i covers [StartOf(day) + i*interval_s, +interval_s) in the tariff's zone.
struct DayUsage {
  int32_t day = 0;                          // local day number (core::LocalDay value)
  int32_t interval_s = 900;
  int8_t scale = 0;                         // values are value x 10^scale of the base unit (Wh or m3)
  std::span<const int64_t> values;          // one per slot
  std::span<const core::Quality> quality;   // one per slot; kMissing slots are not consumption
};

struct RateContext {
  // The highest demand billed in the months before, for a demand ratchet; W.
  int64_t previous_peak_w = 0;
  // Reactive energy (varh) for the tariff's reactive charges: intervals for Rate(), day blocks
  // for RateDays(); each function refuses the other's field. The spans must stay live during
  // the call. No reactive data: the reactive lines show 0 intervals.
  std::vector<UsageInterval> reactive;
  std::span<const DayUsage> reactive_days;
  // RateRegisters(): the maximum-demand register of the period, W; needed when the tariff has
  // demand charges (their intervals are not there).
  std::optional<int64_t> max_demand_w;
};

// Rates [from_day, to_day) (local days in the tariff's zone). `usage` must be in the tariff's
// base unit (Wh for kWh tariffs, m3 for m3 ones) and within the period; intervals outside are
// refused, as are days the tariff has no version for. Intervals of quality kMissing are not
// consumption: they are skipped. Each interval belongs to the rate period of its local start.
// Demand charges use the segment's intervals (their mean power); the minimum bill (prorated by
// day over the month the period starts in) and the taxes are those of the version in force on
// the period's last day.
// Consumption lines come per version segment in the order of the version's rates, each period
// that had an interval at least one line (its first tier, even at zero).
core::Result<Bill> Rate(const Tariff& tariff, int32_t from_day, int32_t to_day, const std::vector<UsageInterval>& usage,
                        const RateContext& context = {});

// What a rating worker keeps between accounts so that rating one allocates nothing but the
// Bill it returns: per local day its start, length and slot -> rate-period table (shared by all
// regular days of one version, month, day type, interval and slot count; DST days get their own),
// and the per-period accumulators. Not thread-safe: one per worker thread. It keeps no pointer
// to the tariff: each call checks that the tariff's calendar (zone, versions, holidays, rate
// times) is the one it cached for and starts afresh if not, so one scratch may serve any tariff.
class RatingScratch {
 public:
  RatingScratch();
  ~RatingScratch();
  RatingScratch(RatingScratch&&) noexcept;
  RatingScratch& operator=(RatingScratch&&) noexcept;

  struct Impl;  // rating_days.cpp
  Impl& impl() { return *impl_; }  // for RateDays

 private:
  std::unique_ptr<Impl> impl_;
};

// The same Bill as Rate() for the same data, from decoded day blocks: `days` in any order, each
// within [from_day, to_day) and its slots within its local day (a 23-hour day has 92 slots of
// 15 minutes, a 25-hour one 100); kMissing slots are skipped. Days of a bill without any slot
// count as missing_days. Reactive energy comes in context.reactive_days. The first form uses a
// thread-local RatingScratch.
core::Result<Bill> RateDays(const Tariff& tariff, int32_t from_day, int32_t to_day, std::span<const DayUsage> days,
                            const RateContext& context = {});
core::Result<Bill> RateDays(const Tariff& tariff, int32_t from_day, int32_t to_day, std::span<const DayUsage> days,
                            const RateContext& context, RatingScratch& scratch);

// The start and end of one TOU register over the billing period, for meters that only report
// registers. `period` names a rate of the tariff; start and end are in Wh (or m3), or in varh
// for a reactive register of that period.
struct RegisterRead {
  std::string period;
  core::Quantity start;
  core::Quantity end;
  bool estimated = false;
};

// Bills [from_day, to_day) from register reads: consumption per TOU period = end - start, priced
// in that period's tiers; fixed charges, the minimum bill and taxes as Rate(). Each rate period
// in force on a day of the period needs exactly one read; a register that went backwards is
// refused (a rollover is out of scope: correct the reads). Lines carry reads = 1 and estimated = 1
// for an estimated read. Refused: a period spanning two tariff versions (the reads cannot be split
// by day), rates of one name with different tiers, demand charges without
// context.max_demand_w, and demand charges limited to some rate periods (a single max-demand
// register cannot tell the period).
core::Result<Bill> RateRegisters(const Tariff& tariff, int32_t from_day, int32_t to_day,
                                 std::span<const RegisterRead> reads, const RateContext& context = {});

}  // namespace meterd::billing
