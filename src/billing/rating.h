// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "billing/tariff.h"
#include "core/error.h"
#include "core/money.h"
#include "core/quantity.h"
#include "core/reading.h"
#include "core/time.h"

// Rating one service point's billing period against a tariff: fixed charges prorated by day,
// and consumption priced by time-of-use period and tier, every line explained. Exact: energy
// and volume are integers with a scale, money is integer micro-units; the only rounding is
// written down per line (half away from zero to the micro-unit) and for the total (half away
// from zero to the currency's minor unit, 2 decimals).
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
  core::Quantity quantity;     // Wh or m3 for consumption lines; days (unit none) for fixed ones
  core::Money unit_price;      // per kWh or m3; per day (a monthly charge: its average per day)
  core::Money amount;          // exact to the micro-unit
  int64_t intervals = 0;       // how many intervals the line used
  int64_t estimated = 0;       // of which estimated (marked on the bill)
};

struct Bill {
  std::vector<BillLine> lines;
  core::Money subtotal;        // sum of the lines, exact
  core::Money total;           // rounded to the minor unit, half away from zero
  int64_t intervals = 0;
  int64_t estimated = 0;
  int64_t missing_days = 0;    // local days of the period without any interval
  int64_t peak_demand_w = 0;   // the highest billed demand, for the next period's ratchet
};

struct RateContext {
  // The highest demand billed in the months before, for a demand ratchet; W.
  int64_t previous_peak_w = 0;
};

// Rates [from_day, to_day) (local days in the tariff's zone). `usage` must be in the tariff's
// base unit (Wh for kWh tariffs, m3 for m3 ones) and within the period; intervals outside are
// refused, as are days the tariff has no version for.
// Demand charges use the segment's intervals (their mean power); the minimum bill (prorated by
// day over the month the period starts in) and the taxes are those of the version in force on
// the period's last day.
core::Result<Bill> Rate(const Tariff& tariff, int32_t from_day, int32_t to_day, const std::vector<UsageInterval>& usage,
                        const RateContext& context = {});

}  // namespace meterd::billing
