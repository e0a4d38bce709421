// SPDX-License-Identifier: Apache-2.0
// SqliteStore: bill runs and their chunks, bills, holds, reviews, release and notifications.
#include <fmt/format.h>

#include "store/sqlite_listing.h"
#include "store/sqlite_rows.h"
#include "store/sqlite_store.h"

namespace meterd::store {

using core::Error;
using core::Fail;
using rows::At;
using rows::Unix;

namespace {

constexpr const char* kRunColumns =
    "id, cycle, from_day, to_day, state, created, created_by, finished, accounts, chunks, chunks_done, billed, held, "
    "flagged";
constexpr const char* kBillColumns =
    "id, account, run, from_day, to_day, version, state, currency, subtotal, total, intervals, estimated, "
    "missing_days, peak_demand_w, lines, flags, changes, zone, sampled, previous, difference, created, released";

BillRun ReadRun(const Stmt& s) {
  BillRun r;
  r.id = s.Int(0);
  r.cycle = s.Text(1);
  r.from_day = static_cast<int32_t>(s.Int(2));
  r.to_day = static_cast<int32_t>(s.Int(3));
  r.state = static_cast<RunState>(s.Int(4));
  r.created = At(s.Int(5));
  r.created_by = s.Text(6);
  r.finished = At(s.Int(7));
  r.accounts = s.Int(8);
  r.chunks = static_cast<int32_t>(s.Int(9));
  r.chunks_done = static_cast<int32_t>(s.Int(10));
  r.billed = s.Int(11);
  r.held = s.Int(12);
  r.flagged = s.Int(13);
  return r;
}

BillRecord ReadBill(const Stmt& s) {
  BillRecord b;
  b.id = s.Int(0);
  b.account = s.Text(1);
  b.run = s.Int(2);
  b.from_day = static_cast<int32_t>(s.Int(3));
  b.to_day = static_cast<int32_t>(s.Int(4));
  b.version = static_cast<int32_t>(s.Int(5));
  b.state = static_cast<BillState>(s.Int(6));
  b.currency = s.Text(7);
  b.subtotal_micros = s.Int(8);
  b.total_micros = s.Int(9);
  b.intervals = s.Int(10);
  b.estimated = s.Int(11);
  b.missing_days = s.Int(12);
  b.peak_demand_w = s.Int(13);
  b.lines = std::string(s.Blob(14));
  b.flags = s.Text(15);
  b.changes = s.Text(16);
  b.zone = s.Text(17);
  b.sampled = s.Int(18) != 0;
  if (!s.IsNull(19)) b.previous = s.Int(19);
  b.difference_micros = s.Int(20);
  b.created = At(s.Int(21));
  b.released = At(s.Int(22));
  return b;
}

Notification ReadNotification(const Stmt& s) {
  Notification n;
  n.id = s.Int(0);
  n.bill = s.Int(1);
  n.channel = s.Text(2);
  n.address = s.Text(3);
  n.state = static_cast<NotifyState>(s.Int(4));
  n.attempts = static_cast<int32_t>(s.Int(5));
  n.next_at = At(s.Int(6));
  n.last_error = s.Text(7);
  n.updated = At(s.Int(8));
  return n;
}
constexpr const char* kNotificationColumns = "id, bill, channel, address, state, attempts, next_at, last_error, updated";

constexpr int64_t kDraft = static_cast<int64_t>(BillState::kDraft);
constexpr int64_t kApproved = static_cast<int64_t>(BillState::kApproved);
constexpr int64_t kRejected = static_cast<int64_t>(BillState::kRejected);
constexpr int64_t kReleased = static_cast<int64_t>(BillState::kReleased);
constexpr int64_t kSuperseded = static_cast<int64_t>(BillState::kSuperseded);

}  // namespace

// ---- runs ----

core::Result<BillRun> SqliteStore::OpenRun(std::string_view cycle, int32_t from_day, int32_t to_day,
                                           int32_t chunk_size, std::string_view by, core::Instant now) {
  if (chunk_size < 1) return Fail(Error::Invalid("chunk size must be at least 1", "chunk_size"));
  if (to_day <= from_day) return Fail(Error::Invalid("the period must end after it starts", "to"));
  std::lock_guard lock(write_mu_);
  auto tx = Transaction::Begin(*writer_, /*immediate=*/true);
  if (!tx) return Fail(tx.error());
  auto existing = ReadFirst<BillRun>(
      [&] {
        auto s = writer_->Prepare(fmt::format(
            "SELECT {} FROM bill_runs WHERE cycle = ?1 AND from_day = ?2 AND to_day = ?3", kRunColumns));
        if (s) s->Bind(1, cycle).Bind(2, int64_t{from_day}).Bind(3, int64_t{to_day});
        return s;
      }(),
      ReadRun);
  if (!existing) return Fail(existing.error());
  if (*existing) return **existing;

  auto insert = writer_->Prepare(
      "INSERT INTO bill_runs (cycle, from_day, to_day, state, created, created_by, finished, accounts, chunks, "
      "chunks_done, billed, held, flagged) VALUES (?1, ?2, ?3, 0, ?4, ?5, 0, 0, 0, 0, 0, 0, 0)");
  if (!insert) return Fail(insert.error());
  insert->Bind(1, cycle).Bind(2, int64_t{from_day}).Bind(3, int64_t{to_day}).Bind(4, Unix(now)).Bind(5, by);
  if (auto r = insert->Run(); !r) return Fail(r.error());
  int64_t run = writer_->LastInsertRowid();

  // Chunk boundaries: every chunk_size-th account key of the cycle.
  auto keys = writer_->Prepare("SELECT account_key FROM accounts WHERE cycle = ?1 ORDER BY account_key");
  if (!keys) return Fail(keys.error());
  keys->Bind(1, cycle);
  int64_t accounts = 0;
  int32_t chunks = 0;
  int64_t lo = 0;
  int64_t hi = 0;
  auto flush = [&]() -> core::Result<void> {
    // A cached statement is reset when its Stmt goes away: one per row.
    auto chunk_insert = writer_->Prepare(
        "INSERT INTO bill_run_chunks (run, chunk, key_lo, key_hi, done) VALUES (?1, ?2, ?3, ?4, 0)");
    if (!chunk_insert) return Fail(chunk_insert.error());
    chunk_insert->Bind(1, run).Bind(2, int64_t{chunks}).Bind(3, lo).Bind(4, hi);
    auto r = chunk_insert->Run();
    ++chunks;
    return r;
  };
  for (;;) {
    auto row = keys->Step();
    if (!row) return Fail(row.error());
    if (!*row) break;
    int64_t key = keys->Int(0);
    if (accounts % chunk_size == 0) {
      if (accounts > 0) {
        if (auto r = flush(); !r) return Fail(r.error());
      }
      lo = key;
    }
    hi = key;
    ++accounts;
  }
  if (accounts > 0) {
    if (auto r = flush(); !r) return Fail(r.error());
  }
  auto update = writer_->Prepare("UPDATE bill_runs SET accounts = ?2, chunks = ?3 WHERE id = ?1");
  if (!update) return Fail(update.error());
  if (auto r = update->Bind(1, run).Bind(2, accounts).Bind(3, int64_t{chunks}).Run(); !r) return Fail(r.error());
  if (auto c = tx->Commit(); !c) return Fail(c.error());
  BillRun out;
  out.id = run;
  out.cycle = std::string(cycle);
  out.from_day = from_day;
  out.to_day = to_day;
  out.created = now;
  out.created_by = std::string(by);
  out.accounts = accounts;
  out.chunks = chunks;
  return out;
}

core::Result<std::optional<BillRun>> SqliteStore::GetRun(int64_t id) {
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare(fmt::format("SELECT {} FROM bill_runs WHERE id = ?1", kRunColumns));
  if (s) s->Bind(1, id);
  return ReadFirst<BillRun>(std::move(s), ReadRun);
}

core::Result<std::vector<BillRun>> SqliteStore::ListRuns(int32_t limit) {
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare(fmt::format("SELECT {} FROM bill_runs ORDER BY id DESC LIMIT ?1", kRunColumns));
  if (!s) return Fail(s.error());
  s->Bind(1, int64_t{std::clamp(limit, 1, 1000)});
  return ReadAll<BillRun>(*s, ReadRun);
}

core::Result<std::vector<RunChunk>> SqliteStore::RunChunks(int64_t run) {
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare("SELECT chunk, key_lo, key_hi, done FROM bill_run_chunks WHERE run = ?1 ORDER BY chunk");
  if (!s) return Fail(s.error());
  s->Bind(1, run);
  return ReadAll<RunChunk>(*s, [](const Stmt& r) {
    return RunChunk{static_cast<int32_t>(r.Int(0)), r.Int(1), r.Int(2), r.Int(3) != 0};
  });
}

namespace {

constexpr int kBillParams = 21;

// "INSERT INTO bills ... VALUES (?, ...), ..." for `rows` bills.
std::string InsertBillsSql(int rows) {
  std::string sql =
      "INSERT INTO bills (account, run, from_day, to_day, version, state, currency, subtotal, total, intervals, "
      "estimated, missing_days, peak_demand_w, lines, flags, changes, zone, sampled, previous, difference, created, "
      "released) VALUES ";
  for (int r = 0; r < rows; ++r) {
    sql += r ? ",(" : "(";
    for (int i = 1; i <= kBillParams; ++i) fmt::format_to(std::back_inserter(sql), "?{},", r * kBillParams + i);
    sql += "0)";
  }
  return sql;
}

void BindBill(Stmt& s, int row, const BillRecord& b) {
  const int o = row * kBillParams;
  s.Bind(o + 1, b.account).Bind(o + 2, b.run).Bind(o + 3, int64_t{b.from_day}).Bind(o + 4, int64_t{b.to_day});
  s.Bind(o + 5, int64_t{b.version}).Bind(o + 6, static_cast<int64_t>(b.state)).Bind(o + 7, b.currency);
  s.Bind(o + 8, b.subtotal_micros).Bind(o + 9, b.total_micros).Bind(o + 10, b.intervals).Bind(o + 11, b.estimated);
  s.Bind(o + 12, b.missing_days).Bind(o + 13, b.peak_demand_w).BindBlob(o + 14, b.lines).Bind(o + 15, b.flags);
  s.Bind(o + 16, b.changes).Bind(o + 17, b.zone).Bind(o + 18, int64_t{b.sampled});
  if (b.previous) {
    s.Bind(o + 19, *b.previous);
  } else {
    s.BindNull(o + 19);
  }
  s.Bind(o + 20, b.difference_micros).Bind(o + 21, Unix(b.created));
}

}  // namespace

core::Result<void> SqliteStore::InsertBill(const BillRecord& b, int64_t* id) {
  auto s = writer_->Prepare(InsertBillsSql(1));
  if (!s) return Fail(s.error());
  BindBill(*s, 0, b);
  if (auto r = s->Run(); !r) return r;
  if (id) *id = writer_->LastInsertRowid();
  return {};
}

core::Result<void> SqliteStore::InsertBills(std::span<const BillRecord> bills) {
  // A run writes a million bills: 32 to a statement is a fraction of the statement overhead
  // (and of the AUTOINCREMENT bookkeeping, which is per statement). A batch that fails is
  // statement-rolled-back and retried bill by bill, so the error names the bill.
  constexpr size_t kBatch = 32;
  static const std::string batch_sql = InsertBillsSql(kBatch);
  size_t i = 0;
  for (; i + kBatch <= bills.size(); i += kBatch) {
    auto s = writer_->Prepare(batch_sql);
    if (!s) return Fail(s.error());
    for (size_t r = 0; r < kBatch; ++r) BindBill(*s, static_cast<int>(r), bills[i + r]);
    if (auto r = s->Run(); !r) break;
  }
  for (; i < bills.size(); ++i) {
    if (auto r = InsertBill(bills[i], nullptr); !r) {
      return Fail(Error{r.error().code, fmt::format("bill of account {}: {}", bills[i].account, r.error().message), ""});
    }
  }
  return {};
}

core::Result<void> SqliteStore::RefreshRunCounts(int64_t run) {
  auto s = writer_->Prepare(
      "UPDATE bill_runs SET "
      "chunks_done = (SELECT COUNT(*) FROM bill_run_chunks WHERE run = ?1 AND done = 1), "
      "billed = (SELECT COUNT(*) FROM bills WHERE run = ?1 AND state <> 4), "
      "held = (SELECT COUNT(*) FROM bill_holds WHERE run = ?1 AND resolved = 0), "
      "flagged = (SELECT COUNT(*) FROM bills WHERE run = ?1 AND state <> 4 AND flags <> '') WHERE id = ?1");
  if (!s) return Fail(s.error());
  return s->Bind(1, run).Run();
}

core::Result<void> SqliteStore::CommitChunk(const ChunkResult& result) {
  std::lock_guard lock(write_mu_);
  auto tx = Transaction::Begin(*writer_, /*immediate=*/true);
  if (!tx) return Fail(tx.error());
  if (result.chunk >= 0) {
    auto mark = writer_->Prepare("UPDATE bill_run_chunks SET done = 1 WHERE run = ?1 AND chunk = ?2 AND done = 0");
    if (!mark) return Fail(mark.error());
    if (auto r = mark->Bind(1, result.run).Bind(2, int64_t{result.chunk}).Run(); !r) return r;
    if (writer_->Changes() != 1) {
      return Fail(Error::Conflict(fmt::format("bill run {}: chunk {} is already done (or not in the run)", result.run,
                                              result.chunk)));
    }
  }
  if (auto r = InsertBills(result.bills); !r) return r;
  for (const auto& hold : result.holds) {
    auto s = writer_->Prepare(
        "INSERT INTO bill_holds (run, account, rule, reason, created, resolved) VALUES (?1, ?2, ?3, ?4, ?5, 0) "
        "ON CONFLICT(run, account) DO UPDATE SET rule = excluded.rule, reason = excluded.reason, resolved = 0");
    if (!s) return Fail(s.error());
    s->Bind(1, hold.run).Bind(2, hold.account).Bind(3, hold.rule).Bind(4, hold.reason).Bind(5, Unix(hold.created));
    if (auto r = s->Run(); !r) return r;
  }
  for (const auto& account : result.resolved) {
    auto s = writer_->Prepare("UPDATE bill_holds SET resolved = 1 WHERE run = ?1 AND account = ?2");
    if (!s) return Fail(s.error());
    if (auto r = s->Bind(1, result.run).Bind(2, account).Run(); !r) return r;
  }
  for (const auto& event : result.events) {
    if (auto r = InsertEvent(event); !r) return r;
  }
  // Counts move by what this chunk wrote (recounting the run's bills per chunk would make a run
  // quadratic); holds are few and counted.
  int64_t flagged = 0;
  for (const auto& b : result.bills) flagged += b.flags.empty() ? 0 : 1;
  auto counts = writer_->Prepare(
      "UPDATE bill_runs SET chunks_done = chunks_done + ?2, billed = billed + ?3, flagged = flagged + ?4, "
      "held = (SELECT COUNT(*) FROM bill_holds WHERE run = ?1 AND resolved = 0) WHERE id = ?1");
  if (!counts) return Fail(counts.error());
  counts->Bind(1, result.run).Bind(2, int64_t{result.chunk >= 0}).Bind(3, static_cast<int64_t>(result.bills.size()));
  if (auto r = counts->Bind(4, flagged).Run(); !r) return r;
  return tx->Commit();
}

core::Result<BillRun> SqliteStore::FinishRun(int64_t run, core::Instant now) {
  {
    std::lock_guard lock(write_mu_);
    auto tx = Transaction::Begin(*writer_, /*immediate=*/true);
    if (!tx) return Fail(tx.error());
    // Draw each regular zone's sample once: bills of the run not yet sampled in a zone that has
    // no sampled bill yet, in random order, up to the zone's sample size.
    auto zones = writer_->Prepare(
        "SELECT z.id, z.sample_size FROM review_zones z WHERE z.key_zone = 0 AND EXISTS "
        "(SELECT 1 FROM bills b WHERE b.run = ?1 AND b.zone = z.id) AND NOT EXISTS "
        "(SELECT 1 FROM bills b WHERE b.run = ?1 AND b.zone = z.id AND b.sampled = 1)");
    if (!zones) return Fail(zones.error());
    zones->Bind(1, run);
    std::vector<std::pair<std::string, int64_t>> draw;
    for (;;) {
      auto row = zones->Step();
      if (!row) return Fail(row.error());
      if (!*row) break;
      draw.emplace_back(zones->Text(0), zones->Int(1));
    }
    for (const auto& [zone, size] : draw) {
      auto s = writer_->Prepare(
          "UPDATE bills SET sampled = 1 WHERE id IN (SELECT id FROM bills WHERE run = ?1 AND zone = ?2 "
          "AND state = 0 ORDER BY random() LIMIT ?3)");
      if (!s) return Fail(s.error());
      if (auto r = s->Bind(1, run).Bind(2, zone).Bind(3, size).Run(); !r) return Fail(r.error());
    }
    auto s = writer_->Prepare("UPDATE bill_runs SET state = 1, finished = ?2 WHERE id = ?1");
    if (!s) return Fail(s.error());
    if (auto r = s->Bind(1, run).Bind(2, Unix(now)).Run(); !r) return Fail(r.error());
    if (auto c = tx->Commit(); !c) return Fail(c.error());
  }
  auto out = GetRun(run);
  if (!out) return Fail(out.error());
  if (!*out) return Fail(Error::NotFound(fmt::format("bill run {} not found", run)));
  return **out;
}

core::Result<std::vector<Hold>> SqliteStore::ListHolds(int64_t run, bool unresolved_only) {
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare(
      "SELECT run, account, rule, reason, created, resolved FROM bill_holds WHERE run = ?1 "
      "AND (?2 = 0 OR resolved = 0) ORDER BY account");
  if (!s) return Fail(s.error());
  s->Bind(1, run).Bind(2, int64_t{unresolved_only});
  return ReadAll<Hold>(*s, [](const Stmt& r) {
    return Hold{r.Int(0), r.Text(1), r.Text(2), r.Text(3), At(r.Int(4)), r.Int(5) != 0};
  });
}

// ---- bills ----

core::Result<std::optional<BillRecord>> SqliteStore::GetBill(int64_t id) {
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare(fmt::format("SELECT {} FROM bills WHERE id = ?1", kBillColumns));
  if (s) s->Bind(1, id);
  return ReadFirst<BillRecord>(std::move(s), ReadBill);
}

core::Result<Listing<BillRecord>> SqliteStore::ListBills(const BillFilter& filter) {
  std::lock_guard lock(read_mu_);
  std::string where =
      "(?1 = 0 OR run = ?1) AND (?2 = '' OR account = ?2) AND (?3 < 0 OR state = ?3) AND "
      "(?4 = 0 OR (state = 0 AND (sampled = 1 OR flags <> '' OR zone IN (SELECT id FROM review_zones WHERE key_zone = 1))))";
  int64_t state = filter.state ? static_cast<int64_t>(*filter.state) : -1;
  return RunListing<BillRecord>(
      *reader_, kBillColumns, "bills", where, "id", Page{filter.limit, filter.offset},
      [&](Stmt& s) { s.Bind(1, filter.run).Bind(2, filter.account).Bind(3, state).Bind(4, int64_t{filter.review_queue}); },
      ReadBill);
}

core::Result<void> SqliteStore::ReviewBill(const Review& review) {
  std::lock_guard lock(write_mu_);
  auto tx = Transaction::Begin(*writer_, /*immediate=*/true);
  if (!tx) return Fail(tx.error());
  auto state = ReadFirst<int64_t>(
      [&] {
        auto s = writer_->Prepare("SELECT state FROM bills WHERE id = ?1");
        if (s) s->Bind(1, review.bill);
        return s;
      }(),
      [](const Stmt& s) { return s.Int(0); });
  if (!state) return Fail(state.error());
  if (!*state) return Fail(Error::NotFound(fmt::format("bill {} not found", review.bill)));
  if (**state == kReleased || **state == kSuperseded) {
    return Fail(Error::Conflict(fmt::format("bill {} is {} and cannot be reviewed", review.bill,
                                            **state == kReleased ? "released" : "superseded")));
  }
  auto insert = writer_->Prepare("INSERT INTO bill_reviews (bill, reviewer, at, approved, note) VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!insert) return Fail(insert.error());
  insert->Bind(1, review.bill).Bind(2, review.reviewer).Bind(3, Unix(review.at)).Bind(4, int64_t{review.approved});
  if (auto r = insert->Bind(5, review.note).Run(); !r) return r;
  auto update = writer_->Prepare("UPDATE bills SET state = ?2 WHERE id = ?1");
  if (!update) return Fail(update.error());
  if (auto r = update->Bind(1, review.bill).Bind(2, review.approved ? kApproved : kRejected).Run(); !r) return r;
  return tx->Commit();
}

core::Result<std::vector<Review>> SqliteStore::Reviews(int64_t bill) {
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare("SELECT bill, reviewer, at, approved, note FROM bill_reviews WHERE bill = ?1 ORDER BY id");
  if (!s) return Fail(s.error());
  s->Bind(1, bill);
  return ReadAll<Review>(*s, [](const Stmt& r) {
    return Review{r.Int(0), r.Text(1), At(r.Int(2)), r.Int(3) != 0, r.Text(4)};
  });
}

core::Result<int64_t> SqliteStore::QueueNotifications(int64_t bill, core::Instant now) {
  auto s = writer_->Prepare(
      "INSERT INTO notifications (bill, channel, address, state, attempts, next_at, last_error, updated) "
      "SELECT b.id, 'email', a.email, 0, 0, ?2, '', ?2 FROM bills b JOIN accounts a ON a.id = b.account "
      "WHERE b.id = ?1 AND a.email <> '' UNION ALL "
      "SELECT b.id, 'webhook', a.phone, 0, 0, ?2, '', ?2 FROM bills b JOIN accounts a ON a.id = b.account "
      "WHERE b.id = ?1 AND a.phone <> ''");
  if (!s) return Fail(s.error());
  if (auto r = s->Bind(1, bill).Bind(2, Unix(now)).Run(); !r) return Fail(r.error());
  return int64_t{writer_->Changes()};
}

core::Result<ReleaseOutcome> SqliteStore::ReleaseRun(int64_t run, core::Instant now) {
  std::lock_guard lock(write_mu_);
  auto tx = Transaction::Begin(*writer_, /*immediate=*/true);
  if (!tx) return Fail(tx.error());
  ReleaseOutcome out;
  // Zone by zone: (zone, key zone?, rejected samples, unreviewed samples).
  auto zones = writer_->Prepare(
      "SELECT b.zone, COALESCE(z.key_zone, 1), "
      "SUM(b.sampled = 1 AND b.state = 2), SUM(b.sampled = 1 AND b.state = 0) "
      "FROM bills b LEFT JOIN review_zones z ON z.id = b.zone WHERE b.run = ?1 AND b.state IN (0, 1, 2) "
      "GROUP BY b.zone ORDER BY b.zone");
  if (!zones) return Fail(zones.error());
  zones->Bind(1, run);
  struct ZoneState {
    std::string zone;
    bool key;
    int64_t rejected_samples;
    int64_t open_samples;
  };
  std::vector<ZoneState> states;
  for (;;) {
    auto row = zones->Step();
    if (!row) return Fail(row.error());
    if (!*row) break;
    states.push_back({zones->Text(0), zones->Int(1) != 0, zones->Int(2), zones->Int(3)});
  }
  for (const auto& z : states) {
    // Key zones (and zones nobody configured: the safe default) release approved bills only. A
    // regular zone releases approved bills and unflagged drafts once its sample is all approved.
    std::string which;
    if (z.key) {
      which = "state = 1";
    } else if (z.rejected_samples > 0) {
      out.held_zones.push_back(z.zone);
      which = "";
    } else if (z.open_samples > 0) {
      which = "";
    } else {
      which = "(state = 1 OR (state = 0 AND flags = ''))";
    }
    if (!which.empty()) {
      auto ids = writer_->Prepare(fmt::format("SELECT id FROM bills WHERE run = ?1 AND zone = ?2 AND {}", which));
      if (!ids) return Fail(ids.error());
      ids->Bind(1, run).Bind(2, z.zone);
      std::vector<int64_t> release;
      for (;;) {
        auto row = ids->Step();
        if (!row) return Fail(row.error());
        if (!*row) break;
        release.push_back(ids->Int(0));
      }
      for (int64_t id : release) {
        auto s = writer_->Prepare("UPDATE bills SET state = 3, released = ?2 WHERE id = ?1");
        if (!s) return Fail(s.error());
        if (auto r = s->Bind(1, id).Bind(2, Unix(now)).Run(); !r) return Fail(r.error());
        if (auto q = QueueNotifications(id, now); !q) return Fail(q.error());
      }
      out.released += static_cast<int64_t>(release.size());
    }
    auto waiting = writer_->Prepare("SELECT COUNT(*) FROM bills WHERE run = ?1 AND zone = ?2 AND state IN (0, 1)");
    if (!waiting) return Fail(waiting.error());
    waiting->Bind(1, run).Bind(2, z.zone);
    auto row = waiting->Step();
    if (!row) return Fail(row.error());
    out.waiting += waiting->Int(0);
  }
  if (auto c = tx->Commit(); !c) return Fail(c.error());
  return out;
}

core::Result<BillRecord> SqliteStore::ReleaseBill(int64_t bill, core::Instant now) {
  {
    std::lock_guard lock(write_mu_);
    auto tx = Transaction::Begin(*writer_, /*immediate=*/true);
    if (!tx) return Fail(tx.error());
    auto s = writer_->Prepare("UPDATE bills SET state = 3, released = ?2 WHERE id = ?1 AND state = 1");
    if (!s) return Fail(s.error());
    if (auto r = s->Bind(1, bill).Bind(2, Unix(now)).Run(); !r) return Fail(r.error());
    if (writer_->Changes() != 1) {
      return Fail(Error::Conflict(fmt::format("bill {} is not approved (only an approved bill can be released)", bill)));
    }
    if (auto q = QueueNotifications(bill, now); !q) return Fail(q.error());
    if (auto c = tx->Commit(); !c) return Fail(c.error());
  }
  auto out = GetBill(bill);
  if (!out) return Fail(out.error());
  return **out;
}

core::Result<BillRecord> SqliteStore::PutRebill(BillRecord bill) {
  if (!bill.previous) return Fail(Error::Invalid("a rebill names the bill it replaces", "previous"));
  {
    std::lock_guard lock(write_mu_);
    auto tx = Transaction::Begin(*writer_, /*immediate=*/true);
    if (!tx) return Fail(tx.error());
    auto prev = ReadFirst<BillRecord>(
        [&] {
          auto s = writer_->Prepare(fmt::format("SELECT {} FROM bills WHERE id = ?1", kBillColumns));
          if (s) s->Bind(1, *bill.previous);
          return s;
        }(),
        ReadBill);
    if (!prev) return Fail(prev.error());
    if (!*prev) return Fail(Error::NotFound(fmt::format("bill {} not found", *bill.previous)));
    const BillRecord& p = **prev;
    if (p.state == BillState::kSuperseded) {
      return Fail(Error::Conflict(fmt::format("bill {} was already replaced by a rebill", p.id)));
    }
    auto top = writer_->Prepare("SELECT MAX(version) FROM bills WHERE account = ?1 AND from_day = ?2 AND to_day = ?3");
    if (!top) return Fail(top.error());
    top->Bind(1, p.account).Bind(2, int64_t{p.from_day}).Bind(3, int64_t{p.to_day});
    auto row = top->Step();
    if (!row) return Fail(row.error());
    bill.version = static_cast<int32_t>(top->Int(0)) + 1;
    bill.account = p.account;
    bill.from_day = p.from_day;
    bill.to_day = p.to_day;
    bill.run = p.run;
    bill.zone = p.zone;
    bill.sampled = p.sampled;
    bill.difference_micros = bill.total_micros - p.total_micros;
    bill.state = BillState::kDraft;
    if (p.state != BillState::kReleased) {
      auto s = writer_->Prepare("UPDATE bills SET state = ?2 WHERE id = ?1");
      if (!s) return Fail(s.error());
      if (auto r = s->Bind(1, p.id).Bind(2, kSuperseded).Run(); !r) return Fail(r.error());
    }
    if (auto r = InsertBill(bill, &bill.id); !r) return Fail(r.error());
    if (p.run != 0) {
      if (auto r = RefreshRunCounts(p.run); !r) return Fail(r.error());
    }
    if (auto c = tx->Commit(); !c) return Fail(c.error());
  }
  return bill;
}

// ---- notifications ----

core::Result<std::vector<Notification>> SqliteStore::DueNotifications(core::Instant now, int32_t limit) {
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare(fmt::format(
      "SELECT {} FROM notifications WHERE state = 0 AND next_at <= ?1 ORDER BY next_at, id LIMIT ?2",
      kNotificationColumns));
  if (!s) return Fail(s.error());
  s->Bind(1, Unix(now)).Bind(2, int64_t{std::clamp(limit, 1, 1000)});
  return ReadAll<Notification>(*s, ReadNotification);
}

core::Result<void> SqliteStore::UpdateNotification(const Notification& n) {
  std::lock_guard lock(write_mu_);
  auto s = writer_->Prepare(
      "UPDATE notifications SET state = ?2, attempts = ?3, next_at = ?4, last_error = ?5, updated = ?6 WHERE id = ?1");
  if (!s) return Fail(s.error());
  s->Bind(1, n.id).Bind(2, static_cast<int64_t>(n.state)).Bind(3, int64_t{n.attempts}).Bind(4, Unix(n.next_at));
  return s->Bind(5, n.last_error).Bind(6, Unix(n.updated)).Run();
}

core::Result<std::vector<Notification>> SqliteStore::BillNotifications(int64_t bill) {
  std::lock_guard lock(read_mu_);
  auto s = reader_->Prepare(fmt::format("SELECT {} FROM notifications WHERE bill = ?1 ORDER BY id", kNotificationColumns));
  if (!s) return Fail(s.error());
  s->Bind(1, bill);
  return ReadAll<Notification>(*s, ReadNotification);
}

}  // namespace meterd::store
