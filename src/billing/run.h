// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "billing/rules.h"
#include "core/error.h"
#include "store/store.h"

// Bill runs (docs/billing-runs.md): every account of a billing cycle, split by account key into
// chunks that worker threads read, rate, audit and write, each chunk in one transaction with its
// done mark. A run is identified by (cycle, period): running it again resumes it after a crash
// (done chunks are skipped, a chunk half-written is not there at all) and, once all chunks are
// done, retries the accounts it holds, so re-running never bills anyone twice.
namespace meterd::billing {

struct RunOptions {
  std::string cycle;
  int32_t from_day = 0;        // local days [from_day, to_day)
  int32_t to_day = 0;
  int32_t chunk_size = 2000;   // accounts per chunk (only used when the run is created)
  int threads = 0;             // worker threads; 0: one per core
  std::string by;              // who started it (audit, run record)
  // Test hook: stop after this many chunks of this invocation (as a crash would), -1: never.
  int32_t stop_after_chunks = -1;
};

struct RunProgress {
  int64_t run = 0;
  int32_t chunks = 0;
  int32_t chunks_done = 0;
  int64_t accounts_done = 0;   // in this invocation
  int64_t billed = 0;          // in this invocation
  int64_t held = 0;
  int64_t flagged = 0;
};

using ProgressFn = std::function<void(const RunProgress&)>;

// Runs (or resumes) a bill run. Returns the run as stored at the end. Progress is reported after
// each chunk from the worker that finished it (calls are serialised).
core::Result<store::BillRun> RunBills(store::Store& store, const Rules& rules, const RunOptions& options,
                                      const ProgressFn& progress = {});

// Rates one account's bill again after its data was corrected and stores it as a rebill of
// `bill_id` (version + 1, with the difference to that bill). The rebill is a draft that goes
// through review and release like any bill.
core::Result<store::BillRecord> Rebill(store::Store& store, int64_t bill_id);

}  // namespace meterd::billing
