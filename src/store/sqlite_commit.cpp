// SPDX-License-Identifier: Apache-2.0
// SqliteStore::Commit: one transaction per span of IngestWrites; every day block touched is
// read, decoded, merged, encoded and written once.
#include <fmt/format.h>

#include "store/block_merge.h"
#include "store/month_pack.h"
#include "store/sqlite_rows.h"
#include "store/sqlite_store.h"

namespace meterd::store {

using core::Error;
using core::Fail;
using rows::Unix;

core::Result<void> SqliteStore::Commit(std::span<const IngestWrite> writes) {
  std::lock_guard lock(write_mu_);
  auto tx = Transaction::Begin(*writer_, /*immediate=*/true);
  if (!tx) return Fail(tx.error());
  // Writes are applied in span order: a meter upserted by an earlier write (or earlier in the same
  // write) is visible to later slot writes. Blocks are kept in memory until the end.
  std::map<BlockKey, PendingBlock> blocks;
  MeterKeys keys;
  for (size_t w = 0; w < writes.size(); ++w) {
    const IngestWrite& write = writes[w];
    auto fail = [w](const Error& e) {
      Error out = e;
      out.message = fmt::format("commit: write {}: {}", w, e.message);
      return Fail(std::move(out));
    };
    if (write.meter) {
      if (auto r = UpsertMeter(*write.meter); !r) return fail(r.error());
    }
    if (write.device) {
      if (auto r = UpsertDevice(*write.device); !r) return fail(r.error());
    }
    for (const SlotWrite& slot : write.slots) {
      if (auto r = ApplySlot(slot, write.source, blocks, keys); !r) return fail(r.error());
    }
    for (const DailyRegister& reg : write.registers) {
      if (auto r = PutRegister(reg, keys); !r) return fail(r.error());
    }
    for (const core::Event& event : write.events) {
      if (auto r = InsertEvent(event); !r) return fail(r.error());
    }
    for (const CommandUpdate& update : write.commands) {
      if (auto r = UpdateCommand(update); !r) return fail(r.error());
    }
  }
  const int64_t now = Unix(rows::Now());
  for (auto& [key, pending] : blocks) {
    if (auto r = FlushBlock(key, pending, now); !r) return r;
  }
  // COMMIT with synchronous=FULL returns after the WAL is fsynced: the batch is durable.
  return tx->Commit();
}

core::Result<int64_t> SqliteStore::CachedMeterKey(MeterKeys& keys, const std::string& meter) {
  if (auto it = keys.find(meter); it != keys.end()) return it->second;
  auto key = MeterKey(*writer_, meter);
  if (key) keys.emplace(meter, *key);
  return key;
}

core::Result<void> SqliteStore::ApplySlot(const SlotWrite& write, const std::string& source,
                                          std::map<BlockKey, PendingBlock>& blocks, MeterKeys& keys) {
  auto meter_key = CachedMeterKey(keys, write.meter);
  if (!meter_key) return Fail(meter_key.error());
  BlockKey key{*meter_key, write.channel, write.day};
  auto it = blocks.find(key);
  if (it == blocks.end()) {
    PendingBlock pending;
    auto load = [&]() -> core::Result<bool> {
      auto stmt = writer_->Prepare(
          "SELECT version, source, created, data FROM interval_blocks WHERE meter_key = ?1 AND channel = ?2 AND day = ?3");
      if (!stmt) return Fail(stmt.error());
      stmt->Bind(1, *meter_key).Bind(2, static_cast<int64_t>(write.channel)).Bind(3, int64_t{write.day});
      auto row = stmt->Step();
      if (!row) return Fail(row.error());
      if (!*row) return false;
      pending.existed = true;
      pending.old_version = stmt->Int(0);
      pending.old_source = stmt->Text(1);
      pending.old_created = stmt->Int(2);
      pending.old_data = std::string(stmt->Blob(3));
      return true;
    };
    auto found = load();
    if (!found) return Fail(found.error());
    if (!*found) {
      // The day may sit in a packed month: move the month back into day blocks and look again.
      auto unpacked = UnpackMonth(*meter_key, write.channel, MonthStart(write.day));
      if (!unpacked) return Fail(unpacked.error());
      if (*unpacked) {
        found = load();
        if (!found) return Fail(found.error());
      }
    }
    if (*found) {
      auto block = DecodeDayBlock(pending.old_data);
      if (!block) {
        return Fail(Error::Corruption(fmt::format("stored block of meter {} channel {} day {}: {}", write.meter,
                                                  core::ChannelName(write.channel), core::FormatDay(write.day),
                                                  block.error().message)));
      }
      pending.block = std::move(*block);
    } else {
      if (auto ok = CheckDayBlockHeader(write.interval_s, write.slots_per_day, 0); !ok) return Fail(ok.error());
      pending.block = DayBlock::Empty(write.interval_s, write.slots_per_day, write.value.scale);
      pending.source = source;
    }
    it = blocks.emplace(key, std::move(pending)).first;
  }
  PendingBlock& pending = it->second;
  auto outcome = MergeSlot(pending.block, write);
  if (!outcome) return Fail(outcome.error());
  pending.changed |= outcome->changed;
  if (outcome->revised) {
    pending.revised = true;
    pending.source = source;
  }
  return {};
}

core::Result<void> SqliteStore::FlushBlock(const BlockKey& key, PendingBlock& pending, int64_t now) {
  if (!pending.changed) return {};
  const auto& [meter_key, channel, day] = key;
  int64_t version = pending.old_version;
  std::string source = pending.old_source;
  int64_t created = pending.old_created;
  if (!pending.existed || pending.revised) {
    // A new version: the first write of the day, or a kSet that replaced stored values.
    version = pending.old_version + 1;
    source = pending.source;
    created = now;
  }
  if (pending.existed && pending.revised) {
    auto history = writer_->Prepare(
        "INSERT INTO block_history (meter_key, channel, day, version, source, created, data) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!history) return Fail(history.error());
    history->Bind(1, meter_key).Bind(2, static_cast<int64_t>(channel)).Bind(3, int64_t{day});
    history->Bind(4, pending.old_version).Bind(5, pending.old_source).Bind(6, pending.old_created);
    history->BindBlob(7, pending.old_data);
    if (auto r = history->Run(); !r) return r;
  }
  auto stmt = writer_->Prepare(
      "INSERT INTO interval_blocks (meter_key, channel, day, version, source, created, data) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(meter_key, channel, day) DO UPDATE SET "
      "version=excluded.version, source=excluded.source, created=excluded.created, data=excluded.data");
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, meter_key).Bind(2, static_cast<int64_t>(channel)).Bind(3, int64_t{day});
  stmt->Bind(4, version).Bind(5, source).Bind(6, created).BindBlob(7, EncodeDayBlock(pending.block));
  return stmt->Run();
}

core::Result<void> SqliteStore::PutRegister(const DailyRegister& reg, MeterKeys& keys) {
  if (reg.value.unit != core::ChannelUnit(reg.channel)) {
    return Fail(Error::Invalid(fmt::format("register for channel {} must be in {}, not {}", core::ChannelName(reg.channel),
                                           core::UnitSymbol(core::ChannelUnit(reg.channel)),
                                           core::UnitSymbol(reg.value.unit)),
                               "unit"));
  }
  auto meter_key = CachedMeterKey(keys, reg.meter);
  if (!meter_key) return Fail(meter_key.error());
  // The last read of the day wins: an older read arriving late does not replace a newer one.
  auto stmt = writer_->Prepare(
      "INSERT INTO daily_registers (meter_key, channel, day, at, value, scale, unit) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
      "ON CONFLICT(meter_key, channel, day) DO UPDATE SET at=excluded.at, value=excluded.value, scale=excluded.scale, "
      "unit=excluded.unit WHERE excluded.at >= daily_registers.at");
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, *meter_key).Bind(2, static_cast<int64_t>(reg.channel)).Bind(3, int64_t{reg.day}).Bind(4, Unix(reg.at));
  stmt->Bind(5, reg.value.value).Bind(6, int64_t{reg.value.scale}).Bind(7, static_cast<int64_t>(reg.value.unit));
  return stmt->Run();
}

core::Result<void> SqliteStore::InsertEvent(const core::Event& e) {
  auto stmt = writer_->Prepare("INSERT INTO events (at, type, device, meter, detail) VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, Unix(e.at)).Bind(2, static_cast<int64_t>(e.type)).Bind(3, e.device).Bind(4, e.meter).Bind(5, e.detail);
  return stmt->Run();
}

core::Result<void> SqliteStore::UpdateCommand(const CommandUpdate& u) {
  auto stmt = writer_->Prepare("UPDATE commands SET state = ?2, result = ?3, updated = ?4 WHERE id = ?1");
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, u.id).Bind(2, static_cast<int64_t>(u.state)).Bind(3, u.result).Bind(4, Unix(u.at));
  if (auto r = stmt->Run(); !r) return r;
  if (writer_->Changes() == 0) return Fail(Error::NotFound(fmt::format("command {} not found", u.id)));
  return {};
}

}  // namespace meterd::store
