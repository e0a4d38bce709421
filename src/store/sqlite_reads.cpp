// SPDX-License-Identifier: Apache-2.0
// SqliteStore reads of interval data, registers, block history and events.
#include <fmt/format.h>

#include <algorithm>

#include "store/month_pack.h"
#include "store/sqlite_listing.h"
#include "store/sqlite_rows.h"
#include "store/sqlite_store.h"

namespace meterd::store {

using core::Error;
using core::Fail;
using rows::At;
using rows::Unix;

namespace {

// The current blocks of days first..last (inclusive) of one meter and channel, in day order, from
// interval_blocks and from the packs of packed months.
core::Result<std::vector<std::pair<core::LocalDay, std::string>>> CurrentBlocks(Database& db, int64_t meter_key,
                                                                               core::Channel channel,
                                                                               core::LocalDay first,
                                                                               core::LocalDay last) {
  std::vector<std::pair<core::LocalDay, std::string>> out;
  auto stmt = db.Prepare(
      "SELECT day, data FROM interval_blocks WHERE meter_key = ?1 AND channel = ?2 AND day BETWEEN ?3 AND ?4 "
      "ORDER BY day");
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, meter_key).Bind(2, static_cast<int64_t>(channel)).Bind(3, int64_t{first}).Bind(4, int64_t{last});
  for (;;) {
    auto row = stmt->Step();
    if (!row) return Fail(row.error());
    if (!*row) break;
    out.emplace_back(static_cast<core::LocalDay>(stmt->Int(0)), std::string(stmt->Blob(1)));
  }
  auto months = db.Prepare(
      "SELECT month, data FROM interval_months WHERE meter_key = ?1 AND channel = ?2 AND month BETWEEN ?3 AND ?4 "
      "ORDER BY month");
  if (!months) return Fail(months.error());
  months->Bind(1, meter_key).Bind(2, static_cast<int64_t>(channel)).Bind(3, int64_t{MonthStart(first)});
  months->Bind(4, int64_t{last});
  std::vector<PackedDay> days;
  bool packed = false;
  for (;;) {
    auto row = months->Step();
    if (!row) return Fail(row.error());
    if (!*row) break;
    const auto month = static_cast<core::LocalDay>(months->Int(0));
    if (auto r = DecodeMonthPack(months->Blob(1), month, days); !r) {
      return Fail(Error::Corruption(fmt::format("packed month {} of channel {}: {}", core::FormatDay(month),
                                                core::ChannelName(channel), r.error().message)));
    }
    for (const PackedDay& d : days) {
      if (d.day >= first && d.day <= last) out.emplace_back(d.day, std::string(d.block));
    }
    packed = true;
  }
  if (packed) std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

}  // namespace

core::Result<std::vector<StoredInterval>> SqliteStore::Intervals(std::string_view meter, core::Channel channel,
                                                                 const core::TimeZone& zone, core::Interval range) {
  std::vector<StoredInterval> out;
  if (range.end <= range.start) return out;
  const core::LocalDay first = zone.DayOf(range.start);
  const core::LocalDay last = zone.DayOf(range.end - core::Seconds{1});
  const core::Unit unit = core::ChannelUnit(channel);

  std::lock_guard lock(read_mu_);
  auto tx = Transaction::Begin(*reader_, /*immediate=*/false);
  if (!tx) return Fail(tx.error());
  auto meter_key = MeterKey(*reader_, meter);
  if (!meter_key) return Fail(meter_key.error());
  auto blocks = CurrentBlocks(*reader_, *meter_key, channel, first, last);
  if (!blocks) return Fail(blocks.error());
  for (const auto& [day, bytes] : *blocks) {
    auto block = DecodeDayBlock(bytes);
    if (!block) {
      return Fail(Error::Corruption(fmt::format("stored block of meter {} channel {} day {}: {}", meter,
                                                core::ChannelName(channel), core::FormatDay(day), block.error().message)));
    }
    // Slot i starts at the day's start + i * interval_s; across a DST change this is what makes
    // a 92- or 100-slot day line up with real instants.
    const core::Instant day_start = zone.StartOf(day);
    const core::Seconds len{block->interval_s};
    for (int32_t i = 0; i < block->slots; ++i) {
      if (block->quality[static_cast<size_t>(i)] == core::Quality::kMissing) continue;
      const core::Instant start = day_start + len * i;
      if (start < range.start || start >= range.end) continue;  // a slot belongs where it starts
      out.push_back(StoredInterval{start, start + len,
                                   core::Quantity{block->values[static_cast<size_t>(i)], block->scale, unit},
                                   block->quality[static_cast<size_t>(i)]});
    }
  }
  return out;
}

core::Result<std::vector<DailyRegister>> SqliteStore::Registers(std::string_view meter, core::Channel channel,
                                                                core::LocalDay from, core::LocalDay to) {
  std::lock_guard lock(read_mu_);
  auto tx = Transaction::Begin(*reader_, /*immediate=*/false);
  if (!tx) return Fail(tx.error());
  auto meter_key = MeterKey(*reader_, meter);
  if (!meter_key) return Fail(meter_key.error());
  auto stmt = reader_->Prepare(
      "SELECT day, at, value, scale, unit FROM daily_registers WHERE meter_key = ?1 AND channel = ?2 AND day BETWEEN ?3 "
      "AND ?4 ORDER BY day");
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, *meter_key).Bind(2, static_cast<int64_t>(channel)).Bind(3, int64_t{from}).Bind(4, int64_t{to});
  std::vector<DailyRegister> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return Fail(row.error());
    if (!*row) break;
    out.push_back(DailyRegister{std::string(meter), channel, static_cast<core::LocalDay>(stmt->Int(0)), At(stmt->Int(1)),
                                core::Quantity{stmt->Int(2), static_cast<int8_t>(stmt->Int(3)),
                                               static_cast<core::Unit>(stmt->Int(4))}});
  }
  return out;
}

core::Result<std::vector<Store::BlockVersion>> SqliteStore::BlockHistory(std::string_view meter, core::Channel channel,
                                                                         core::LocalDay day) {
  std::lock_guard lock(read_mu_);
  auto tx = Transaction::Begin(*reader_, /*immediate=*/false);
  if (!tx) return Fail(tx.error());
  auto meter_key = MeterKey(*reader_, meter);
  if (!meter_key) return Fail(meter_key.error());
  auto stmt = reader_->Prepare(
      "SELECT version, source, created FROM interval_blocks WHERE meter_key = ?1 AND channel = ?2 AND day = ?3 "
      "UNION ALL SELECT version, source, created FROM block_history WHERE meter_key = ?1 AND channel = ?2 AND day = ?3 "
      "ORDER BY version DESC");
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, *meter_key).Bind(2, static_cast<int64_t>(channel)).Bind(3, int64_t{day});
  std::vector<BlockVersion> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return Fail(row.error());
    if (!*row) break;
    out.push_back(BlockVersion{stmt->Int(0), stmt->Text(1), At(stmt->Int(2))});
  }
  // A packed month holds the current version of its days.
  const core::LocalDay month = MonthStart(day);
  auto pack = reader_->Prepare("SELECT data FROM interval_months WHERE meter_key = ?1 AND channel = ?2 AND month = ?3");
  if (!pack) return Fail(pack.error());
  pack->Bind(1, *meter_key).Bind(2, static_cast<int64_t>(channel)).Bind(3, int64_t{month});
  auto row = pack->Step();
  if (!row) return Fail(row.error());
  if (*row) {
    std::vector<PackedDay> days;
    if (auto r = DecodeMonthPack(pack->Blob(0), month, days); !r) {
      return Fail(Error::Corruption(fmt::format("packed month {} of meter {} channel {}: {}", core::FormatDay(month),
                                                meter, core::ChannelName(channel), r.error().message)));
    }
    for (const PackedDay& d : days) {
      if (d.day == day) out.insert(out.begin(), BlockVersion{d.version, std::string(d.source), At(d.created)});
    }
  }
  return out;
}

core::Result<Listing<core::Event>> SqliteStore::ListEvents(const EventFilter& filter) {
  std::lock_guard lock(read_mu_);
  return RunListing<core::Event>(
      *reader_, rows::kEventColumns, "events",
      "(?1 = '' OR device = ?1) AND (?2 = '' OR meter = ?2) AND (?3 IS NULL OR type = ?3) AND (?4 IS NULL OR at >= ?4) "
      "AND (?5 IS NULL OR at < ?5)",
      "at DESC, id DESC", filter.page,
      [&](Stmt& s) {
        s.Bind(1, filter.device).Bind(2, filter.meter);
        if (filter.type) s.Bind(3, static_cast<int64_t>(*filter.type));
        if (filter.from) s.Bind(4, Unix(*filter.from));
        if (filter.to) s.Bind(5, Unix(*filter.to));
      },
      rows::ReadEvent);
}

}  // namespace meterd::store
