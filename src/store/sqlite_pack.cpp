// SPDX-License-Identifier: Apache-2.0
// Packed months (docs/store.md): closed months of day blocks moved into one interval_months row
// per (meter, channel, month), and moved back before a write to one of their days.
#include <fmt/format.h>

#include "store/month_pack.h"
#include "store/sqlite_rows.h"
#include "store/sqlite_store.h"

namespace meterd::store {

using core::Error;
using core::Fail;

namespace {

// Months per transaction: large enough that the per-commit fsync is a small share of the work,
// small enough that ingest waits well under a second for the write lock.
constexpr int64_t kMonthsPerTransaction = 1000;

struct DayRow {
  int32_t day;
  int64_t version;
  std::string source;
  int64_t created;
  std::string data;
};

struct MonthGroup {
  int64_t meter_key;
  core::Channel channel;
  core::LocalDay month;
  std::vector<DayRow> days;
};

}  // namespace

core::Result<Store::PackOutcome> SqliteStore::PackMonths(core::LocalDay before, int64_t max_months) {
  const core::LocalDay cutoff = MonthStart(before);  // every day before it is in a closed month
  PackOutcome outcome;
  // Resume point: the key after the last month packed. Months are read in primary-key order, so
  // each batch continues where the previous one stopped and sees rows unpacked meanwhile only if
  // they lie ahead of it (a later call packs the rest).
  int64_t after_meter = -1;
  int64_t after_channel = -1;
  int64_t after_day = INT32_MIN;
  for (;;) {
    std::lock_guard lock(write_mu_);
    auto tx = Transaction::Begin(*writer_, /*immediate=*/true);
    if (!tx) return Fail(tx.error());
    int64_t room = kMonthsPerTransaction;
    if (max_months > 0) room = std::min(room, max_months - outcome.months);
    std::vector<MonthGroup> groups;
    bool exhausted = true;
    {
      auto stmt = writer_->Prepare(
          "SELECT meter_key, channel, day, version, source, created, data FROM interval_blocks "
          "WHERE (meter_key, channel, day) > (?1, ?2, ?3) AND day < ?4 ORDER BY meter_key, channel, day");
      if (!stmt) return Fail(stmt.error());
      stmt->Bind(1, after_meter).Bind(2, after_channel).Bind(3, after_day).Bind(4, int64_t{cutoff});
      for (;;) {
        auto row = stmt->Step();
        if (!row) return Fail(row.error());
        if (!*row) break;
        const int64_t meter_key = stmt->Int(0);
        const auto channel = static_cast<core::Channel>(stmt->Int(1));
        const auto day = static_cast<core::LocalDay>(stmt->Int(2));
        const core::LocalDay month = MonthStart(day);
        if (groups.empty() || groups.back().meter_key != meter_key || groups.back().channel != channel ||
            groups.back().month != month) {
          if (static_cast<int64_t>(groups.size()) == room) {
            exhausted = false;  // a month past this batch's room: the next batch starts with it
            break;
          }
          groups.push_back(MonthGroup{meter_key, channel, month, {}});
        }
        groups.back().days.push_back(DayRow{day, stmt->Int(3), stmt->Text(4), stmt->Int(5), std::string(stmt->Blob(6))});
      }
    }
    std::vector<PackedDay> packed;
    for (const MonthGroup& g : groups) {
      packed.clear();
      for (const DayRow& d : g.days) {
        if (d.source.size() > kMaxPackedSource || d.data.empty() || d.data.size() > kMaxPackedBlock) {
          return Fail(Error::Corruption(fmt::format("pack: meter key {} channel {} day {}: block of {} bytes or source of "
                                                    "{} bytes beyond the month-pack limits",
                                                    g.meter_key, core::ChannelName(g.channel), core::FormatDay(d.day),
                                                    d.data.size(), d.source.size())));
        }
        packed.push_back(PackedDay{d.day, d.version, d.created, d.source, d.data});
      }
      std::string data = EncodeMonthPack(g.month, packed);
      auto insert = writer_->Prepare(
          "INSERT INTO interval_months (meter_key, channel, month, days, data) VALUES (?1, ?2, ?3, ?4, ?5)");
      if (!insert) return Fail(insert.error());
      insert->Bind(1, g.meter_key).Bind(2, static_cast<int64_t>(g.channel)).Bind(3, int64_t{g.month});
      insert->Bind(4, static_cast<int64_t>(g.days.size())).BindBlob(5, data);
      if (auto r = insert->Run(); !r) {
        return Fail(Error::Internal(fmt::format("pack: meter key {} channel {} month {}: {}", g.meter_key,
                                                core::ChannelName(g.channel), core::FormatDay(g.month),
                                                r.error().message)));
      }
      auto erase = writer_->Prepare(
          "DELETE FROM interval_blocks WHERE meter_key = ?1 AND channel = ?2 AND day >= ?3 AND day < ?4");
      if (!erase) return Fail(erase.error());
      erase->Bind(1, g.meter_key).Bind(2, static_cast<int64_t>(g.channel)).Bind(3, int64_t{g.month});
      erase->Bind(4, int64_t{NextMonthStart(g.month)});
      if (auto r = erase->Run(); !r) return Fail(r.error());
      outcome.months += 1;
      outcome.days += static_cast<int64_t>(g.days.size());
      outcome.bytes += static_cast<int64_t>(data.size());
    }
    if (auto r = tx->Commit(); !r) return Fail(r.error());
    if (!groups.empty()) {
      after_meter = groups.back().meter_key;
      after_channel = static_cast<int64_t>(groups.back().channel);
      after_day = groups.back().days.back().day;
    }
    if (exhausted) return outcome;
    if (max_months > 0 && outcome.months >= max_months) {
      outcome.more = true;
      return outcome;
    }
  }
}

core::Result<bool> SqliteStore::UnpackMonth(int64_t meter_key, core::Channel channel, core::LocalDay month) {
  std::string data;
  {
    auto stmt = writer_->Prepare("SELECT data FROM interval_months WHERE meter_key = ?1 AND channel = ?2 AND month = ?3");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(1, meter_key).Bind(2, static_cast<int64_t>(channel)).Bind(3, int64_t{month});
    auto row = stmt->Step();
    if (!row) return Fail(row.error());
    if (!*row) return false;
    data = std::string(stmt->Blob(0));
  }
  std::vector<PackedDay> days;
  if (auto r = DecodeMonthPack(data, month, days); !r) {
    return Fail(Error::Corruption(fmt::format("packed month {} of meter key {} channel {}: {}", core::FormatDay(month),
                                              meter_key, core::ChannelName(channel), r.error().message)));
  }
  for (const PackedDay& d : days) {
    auto insert = writer_->Prepare(
        "INSERT INTO interval_blocks (meter_key, channel, day, version, source, created, data) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!insert) return Fail(insert.error());
    insert->Bind(1, meter_key).Bind(2, static_cast<int64_t>(channel)).Bind(3, int64_t{d.day});
    insert->Bind(4, d.version).Bind(5, d.source).Bind(6, d.created).BindBlob(7, d.block);
    if (auto r = insert->Run(); !r) return Fail(r.error());
  }
  auto erase = writer_->Prepare("DELETE FROM interval_months WHERE meter_key = ?1 AND channel = ?2 AND month = ?3");
  if (!erase) return Fail(erase.error());
  erase->Bind(1, meter_key).Bind(2, static_cast<int64_t>(channel)).Bind(3, int64_t{month});
  if (auto r = erase->Run(); !r) return Fail(r.error());
  return true;
}

}  // namespace meterd::store
