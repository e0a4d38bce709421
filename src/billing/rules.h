// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "billing/rating.h"
#include "core/error.h"
#include "store/billing_records.h"

// The audit of a bill run (docs/billing-runs.md): strong constraints that hold an account out of
// the run (no bill is written for it) and fluctuation checks that flag a bill for review.
namespace meterd::billing {

struct TotalBounds {
  std::string customer_class;
  int64_t min_micros = 0;
  int64_t max_micros = 0;
};

struct Rules {
  // Holds. An account with no interval data in its period is always held ("no_data").
  bool consumption_not_negative = true;
  std::optional<int64_t> max_estimated_intervals;  // more than this: held
  bool meter_matches_service_point = true;
  std::vector<TotalBounds> total_bounds;            // per customer class; classes not listed: unbounded
  // Flags: a total more than `fluctuation_percent` above or below the mean of the account's last
  // `history` bills (at least one) is flagged for review; 0 turns the check off.
  int32_t fluctuation_percent = 50;
  int32_t history = 3;
};

// The TOML text of a rules file; errors name "<source>:<line>: <reason>".
core::Result<Rules> ParseRules(std::string_view text, std::string_view source);
core::Result<Rules> LoadRules(const std::string& path);

// What the audit needs to know about one account's bill.
struct AuditInput {
  const store::Account* account = nullptr;
  const Bill* bill = nullptr;
  int64_t negative_intervals = 0;               // intervals with a value below zero
  const store::ServicePoint* point = nullptr;   // the account's service point, if known
  std::span<const int64_t> earlier_totals;      // the account's earlier bill totals, newest first
};

struct Verdict {
  std::string hold_rule;    // empty: not held
  std::string hold_reason;
  std::string flag;         // empty: not flagged
};

Verdict Audit(const Rules& rules, const AuditInput& input);

}  // namespace meterd::billing
