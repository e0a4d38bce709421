// SPDX-License-Identifier: Apache-2.0
// SqliteStore: opening, devices and meters, stats. Users and sessions are in sqlite_users.cpp, Commit is in
// sqlite_commit.cpp, interval/register/event reads in sqlite_reads.cpp, commands in
// sqlite_commands.cpp.
#include "store/sqlite_store.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/json_string.h"
#include "store/migrations.h"
#include "store/sqlite_listing.h"
#include "store/sqlite_rows.h"

namespace meterd::store {

using core::Error;
using core::Fail;
using rows::At;
using rows::Unix;

namespace {

constexpr int kBusyTimeoutMs = 5000;

core::Result<void> Configure(Database& db, bool writer, bool synchronous_full) {
  if (auto r = db.Exec(fmt::format("PRAGMA busy_timeout={}", kBusyTimeoutMs)); !r) return r;
  if (auto r = db.Exec("PRAGMA foreign_keys=ON"); !r) return r;
  if (writer) {
    auto mode = db.QueryText("PRAGMA journal_mode=WAL");
    if (!mode) return Fail(mode.error());
    if (*mode != "wal") return Fail(Error::Internal(fmt::format("sqlite: cannot enable WAL (journal_mode is {})", *mode)));
    // FULL syncs the WAL at every commit, so an acknowledged Commit survives power loss.
    if (auto r = db.Exec(synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"); !r) return r;
  } else {
    if (auto r = db.Exec("PRAGMA query_only=ON"); !r) return r;
  }
  return {};
}

// Single-row read helper: runs `stmt`, reads the row with `read` if there is one.
template <class T, class Read>
core::Result<std::optional<T>> ReadOne(core::Result<Stmt> stmt, Read read) {
  if (!stmt) return Fail(stmt.error());
  auto row = stmt->Step();
  if (!row) return Fail(row.error());
  if (!*row) return std::optional<T>();
  return std::optional<T>(read(*stmt));
}

// ["a","b"] for SQLite's json_each.
std::string JsonArray(const std::vector<std::string>& values) {
  std::string out = "[";
  for (const auto& v : values) {
    if (out.size() > 1) out += ',';
    core::AppendJsonString(out, v);
  }
  return out + "]";
}

}  // namespace

core::Result<void> ConfigureReader(Database& db) { return Configure(db, /*writer=*/false, true); }

Page ClampPage(Page page) {
  page.limit = std::clamp(page.limit, 1, 1000);
  page.offset = std::max<int64_t>(page.offset, 0);
  return page;
}

core::Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteOptions& options) {
  if (options.path.empty() || options.path == ":memory:" || options.path.starts_with("file:")) {
    // The reader connection must see the writer's database, so it has to be a real file.
    return Fail(Error::Invalid("the SQLite store needs a database file path", "path"));
  }
  auto writer = Database::Open(options.path, /*create=*/true);
  if (!writer) return Fail(writer.error());
  if (auto r = Configure(**writer, true, options.synchronous_full); !r) return Fail(r.error());
  if (auto r = ApplyMigrations(**writer); !r) return Fail(r.error());
  auto reader = Database::Open(options.path, /*create=*/false);
  if (!reader) return Fail(reader.error());
  if (auto r = Configure(**reader, false, options.synchronous_full); !r) return Fail(r.error());
  return std::unique_ptr<SqliteStore>(new SqliteStore(options.path, std::move(*writer), std::move(*reader)));
}

core::Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  auto store = SqliteStore::Open(options);
  if (!store) return Fail(store.error());
  return std::unique_ptr<Store>(std::move(*store));
}

// --- Devices and meters ---

core::Result<std::optional<DeviceRecord>> SqliteStore::GetDevice(std::string_view id) {
  std::lock_guard lock(read_mu_);
  auto stmt = reader_->Prepare(fmt::format("SELECT {} FROM devices WHERE id = ?1", rows::kDeviceColumns));
  if (stmt) stmt->Bind(1, id);
  return ReadOne<DeviceRecord>(std::move(stmt), rows::ReadDevice);
}

core::Result<Listing<DeviceRecord>> SqliteStore::ListDevices(const DeviceFilter& filter) {
  std::lock_guard lock(read_mu_);
  return RunListing<DeviceRecord>(
      *reader_, rows::kDeviceColumns, "devices",
      "(?1 = '' OR instr(id, ?1) > 0 OR instr(meter, ?1) > 0) AND (?2 IS NULL OR medium = ?2) "
      "AND (?3 IS NULL OR id IN (SELECT value FROM json_each(?3)))",
      "id", filter.page,
      [&](Stmt& s) {
        s.Bind(1, filter.search);
        if (filter.medium) s.Bind(2, static_cast<int64_t>(*filter.medium));
        if (filter.only_devices) s.Bind(3, JsonArray(*filter.only_devices));
      },
      rows::ReadDevice);
}

core::Result<std::optional<MeterRecord>> SqliteStore::GetMeter(std::string_view id) {
  std::lock_guard lock(read_mu_);
  auto stmt = reader_->Prepare(fmt::format("SELECT {} FROM meters WHERE id = ?1", rows::kMeterColumns));
  if (stmt) stmt->Bind(1, id);
  return ReadOne<MeterRecord>(std::move(stmt), rows::ReadMeter);
}

core::Result<Listing<MeterRecord>> SqliteStore::ListMeters(const MeterFilter& filter) {
  std::lock_guard lock(read_mu_);
  return RunListing<MeterRecord>(
      *reader_, rows::kMeterColumns, "meters",
      "(?1 = '' OR instr(id, ?1) > 0 OR instr(device, ?1) > 0) AND (?2 IS NULL OR medium = ?2) "
      "AND (?3 IS NULL OR device IN (SELECT value FROM json_each(?3)))",
      "id", filter.page,
      [&](Stmt& s) {
        s.Bind(1, filter.search);
        if (filter.medium) s.Bind(2, static_cast<int64_t>(*filter.medium));
        if (filter.only_devices) s.Bind(3, JsonArray(*filter.only_devices));
      },
      rows::ReadMeter);
}

core::Result<void> SqliteStore::UpsertDevice(const DeviceRecord& d) {
  if (!core::IsValidId(d.id)) return Fail(Error::Invalid(fmt::format("invalid device id '{}'", d.id), "device.id"));
  auto stmt = writer_->Prepare(fmt::format(
      "INSERT INTO devices ({}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18) "
      "ON CONFLICT(id) DO UPDATE SET meter=excluded.meter, medium=excluded.medium, pulse_value=excluded.pulse_value, "
      "pulse_scale=excluded.pulse_scale, pulse_unit=excluded.pulse_unit, counter_bits=excluded.counter_bits, "
      "interval_s=excluded.interval_s, token_hash=excluded.token_hash, created=excluded.created, "
      "acked_seq=excluded.acked_seq, has_sample=excluded.has_sample, last_count=excluded.last_count, "
      "last_at=excluded.last_at, offset_pulses=excluded.offset_pulses, last_seen=excluded.last_seen, "
      "backlog=excluded.backlog, output_on=excluded.output_on",
      rows::kDeviceColumns));
  if (!stmt) return Fail(stmt.error());
  rows::BindDevice(*stmt, d);
  return stmt->Run();
}

core::Result<void> SqliteStore::UpsertMeter(const MeterRecord& m) {
  if (!core::IsValidId(m.id)) return Fail(Error::Invalid(fmt::format("invalid meter id '{}'", m.id), "meter.id"));
  // ON CONFLICT DO UPDATE, not INSERT OR REPLACE: replacing would delete the row and give the
  // meter a new meter_key, orphaning its blocks.
  auto stmt = writer_->Prepare(fmt::format(
      "INSERT INTO meters ({}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10) "
      "ON CONFLICT(id) DO UPDATE SET medium=excluded.medium, device=excluded.device, time_zone=excluded.time_zone, "
      "interval_s=excluded.interval_s, has_register=excluded.has_register, register_value=excluded.register_value, "
      "register_scale=excluded.register_scale, register_unit=excluded.register_unit, register_at=excluded.register_at",
      rows::kMeterColumns));
  if (!stmt) return Fail(stmt.error());
  rows::BindMeter(*stmt, m);
  return stmt->Run();
}

core::Result<void> SqliteStore::PutDevice(const DeviceRecord& device, const MeterRecord& meter) {
  std::lock_guard lock(write_mu_);
  auto tx = Transaction::Begin(*writer_, /*immediate=*/true);
  if (!tx) return Fail(tx.error());
  if (auto r = UpsertMeter(meter); !r) return r;
  if (auto r = UpsertDevice(device); !r) return r;
  return tx->Commit();
}

core::Result<int64_t> SqliteStore::MeterKey(Database& db, std::string_view meter) {
  auto stmt = db.Prepare("SELECT meter_key FROM meters WHERE id = ?1");
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, meter);
  auto row = stmt->Step();
  if (!row) return Fail(row.error());
  if (!*row) return Fail(Error::NotFound(fmt::format("meter '{}' not found", meter)));
  return stmt->Int(0);
}

// --- Stats ---

core::Result<StoreStats> SqliteStore::Stats() {
  std::lock_guard lock(read_mu_);
  auto stmt = reader_->Prepare(
      "SELECT (SELECT COUNT(*) FROM devices), (SELECT COUNT(*) FROM meters), "
      "(SELECT COUNT(*) FROM interval_blocks) + (SELECT COALESCE(SUM(days), 0) FROM interval_months), "
      "(SELECT COUNT(*) FROM interval_months), (SELECT COUNT(*) FROM events), "
      "(SELECT COUNT(*) FROM commands WHERE state = 0)");
  if (!stmt) return Fail(stmt.error());
  auto row = stmt->Step();
  if (!row) return Fail(row.error());
  StoreStats s;
  if (*row) s = StoreStats{stmt->Int(0), stmt->Int(1), stmt->Int(2), stmt->Int(3), stmt->Int(4), stmt->Int(5)};
  return s;
}

}  // namespace meterd::store
