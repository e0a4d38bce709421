// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/time.h"

// What the store keeps for billing (docs/billing-runs.md): tariffs as their TOML text, accounts
// with their service point, cycle and review zone, bill runs split into chunks, bills with their
// lines, holds, reviews and notifications. The store knows nothing of rating; bill lines arrive
// as an opaque JSON array written by billing/.
namespace meterd::store {

struct TariffRecord {
  std::string id;
  std::string source;       // the TOML text, as accepted by billing::ParseTariff
  core::Instant updated;
  std::string updated_by;
};

// A review zone: every bill of a key zone is reviewed before release; a regular zone is released
// after `sample_size` randomly drawn bills of a run are approved, and held whole if one is rejected.
struct ReviewZone {
  std::string id;
  bool key = false;
  int32_t sample_size = 5;
};

// The meter installed at a service point, since local day `since_day`.
struct ServicePoint {
  std::string id;
  std::string meter;
  int32_t since_day = 0;
};

struct Account {
  int64_t key = 0;              // assigned by the store; runs split accounts by key ranges
  std::string id;
  std::string name;
  std::string cycle;            // billing cycle, e.g. "monthly-1"
  std::string zone;             // review zone id
  std::string customer_class;   // "residential", "commercial", ... (total bounds are per class)
  std::string service_point;
  std::string meter;            // the meter the account is billed from
  std::string tariff;           // tariff id
  std::string email;            // empty: no e-mail notification
  std::string phone;            // empty: no SMS (webhook) notification
  int32_t move_in_day = 0;      // local day the account starts (inclusive)
  std::optional<int32_t> move_out_day;  // local day it ends (exclusive)
};

struct CycleCount {
  std::string cycle;
  int64_t accounts = 0;
};

struct AccountFilter {
  std::string cycle;            // exact, empty: all
  std::string search;           // substring of id or name
  int32_t limit = 50;
  int64_t offset = 0;
};

enum class RunState : uint8_t { kRunning = 0, kCompleted = 1 };

struct BillRun {
  int64_t id = 0;
  std::string cycle;
  int32_t from_day = 0;         // local days [from_day, to_day)
  int32_t to_day = 0;
  RunState state = RunState::kRunning;
  core::Instant created;
  std::string created_by;
  core::Instant finished;       // zero while running
  int64_t accounts = 0;         // in the run's key ranges when it was created
  int32_t chunks = 0;
  int32_t chunks_done = 0;
  int64_t billed = 0;           // bills issued (including reissued after a hold)
  int64_t held = 0;             // accounts held now (unresolved)
  int64_t flagged = 0;          // bills flagged by a fluctuation check
};

struct RunChunk {
  int32_t chunk = 0;
  int64_t key_lo = 0;           // account keys [key_lo, key_hi]
  int64_t key_hi = 0;
  bool done = false;
};

// Bill states: draft (audited, awaiting review or release), approved / rejected (by a reviewer),
// released (final: the store refuses to change or delete it), superseded (a rebill replaced an
// unreleased draft).
enum class BillState : uint8_t { kDraft = 0, kApproved = 1, kRejected = 2, kReleased = 3, kSuperseded = 4 };

struct BillRecord {
  int64_t id = 0;
  std::string account;
  int64_t run = 0;              // 0: a rebill outside a run
  int32_t from_day = 0;
  int32_t to_day = 0;
  int32_t version = 1;          // 2, 3, ... for rebills of the same period
  BillState state = BillState::kDraft;
  std::string currency;
  int64_t subtotal_micros = 0;
  int64_t total_micros = 0;     // rounded to the minor unit
  int64_t intervals = 0;
  int64_t estimated = 0;
  int64_t missing_days = 0;
  int64_t peak_demand_w = 0;
  std::string lines;            // the bill lines, encoded by billing/bill_lines.h (JSON for bills of schema 6)
  std::string flags;            // comma-separated review flags, e.g. "fluctuation: +84% vs 3-bill mean"
  std::string changes;          // comma-separated service changes in the period (meter_exchange, ...)
  std::string zone;             // review zone at billing time
  bool sampled = false;         // drawn for review in a regular zone
  std::optional<int64_t> previous;  // the bill this one rebills
  int64_t difference_micros = 0;    // total minus the previous bill's total (rebills)
  core::Instant created;
  core::Instant released;       // zero until released
};

struct Hold {
  int64_t run = 0;
  std::string account;
  std::string rule;             // the rule that failed, e.g. "no_data", "max_estimated"
  std::string reason;           // what and where, for a person
  core::Instant created;
  bool resolved = false;
};

struct BillFilter {
  int64_t run = 0;              // 0: any
  std::string account;          // exact
  std::optional<BillState> state;
  bool review_queue = false;    // only bills that wait for a person (key zone, sampled or flagged drafts)
  int32_t limit = 50;
  int64_t offset = 0;
};

struct Review {
  int64_t bill = 0;
  std::string reviewer;
  core::Instant at;
  bool approved = false;
  std::string note;
};

enum class NotifyState : uint8_t { kPending = 0, kDelivered = 1, kFailed = 2 };

struct Notification {
  int64_t id = 0;
  int64_t bill = 0;
  std::string channel;          // "email" or "webhook"
  std::string address;          // e-mail address or phone number
  NotifyState state = NotifyState::kPending;
  int32_t attempts = 0;
  core::Instant next_at;        // when to try next (pending)
  std::string last_error;
  core::Instant updated;
};

// What one chunk of a run writes, in one transaction with the chunk's done mark.
struct ChunkResult {
  int64_t run = 0;
  int32_t chunk = -1;           // -1: not a chunk (held accounts retried after the chunks)
  std::vector<BillRecord> bills;
  std::vector<Hold> holds;
  std::vector<std::string> resolved;  // accounts whose hold in this run is resolved by a bill here
  std::vector<core::Event> events;    // alerts: bill_held, bill_flagged
};

// The outcome of a release request.
struct ReleaseOutcome {
  int64_t released = 0;
  int64_t waiting = 0;          // still need a review
  std::vector<std::string> held_zones;  // regular zones held whole after a rejected sample
};

}  // namespace meterd::store
