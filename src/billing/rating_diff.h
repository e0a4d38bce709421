// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "billing/rating.h"
#include "core/money.h"
#include "core/quantity.h"

// The difference between an earlier bill and a rebill of the same period (after corrected data),
// line by line, for the customer and the reviewer to see what changed and why.
namespace meterd::billing {

// One line of either bill. Lines are matched by description and period (from_day, to_day); the
// n-th line of one description and period in the earlier bill with the n-th in the new one.
struct LineDiff {
  std::string description;
  int32_t from_day = 0;
  int32_t to_day = 0;
  bool in_earlier = false;         // false: the line is new in the rebill
  bool in_now = false;             // false: the rebill dropped the line
  core::Quantity earlier_quantity;
  core::Quantity now_quantity;
  core::Money earlier;             // zero when !in_earlier
  core::Money now;                 // zero when !in_now
  core::Money difference;          // now - earlier, exact
  friend bool operator==(const LineDiff&, const LineDiff&) = default;
};

struct BillDiff {
  std::vector<LineDiff> lines;      // the earlier bill's order, then the lines new in the rebill
  core::Money earlier_total;        // both totals as billed (rounded to the minor unit)
  core::Money now_total;
  core::Money total_difference;     // now_total - earlier_total: what the customer is owed (< 0) or owes
  core::Money subtotal_difference;  // the exact difference before rounding
};

// Both bills must be in one currency (a programmer error otherwise: a rebill keeps its tariff's
// currency); the result is in it.
BillDiff Compare(const Bill& earlier, const Bill& now);

}  // namespace meterd::billing
