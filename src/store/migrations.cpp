// SPDX-License-Identifier: Apache-2.0
#include "store/migrations.h"

#include <fmt/format.h>

#include <chrono>

namespace meterd::store {
namespace {

// Instants are unix seconds; quantities are (value, scale, unit) integer triples; enums are
// their stable numeric codes. uint64 counters are stored bit-cast into INTEGER.
constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE meters (
  meter_key INTEGER PRIMARY KEY,        -- surrogate key keeps block rows small
  id TEXT NOT NULL UNIQUE,
  medium INTEGER NOT NULL,
  device TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  interval_s INTEGER NOT NULL,
  has_register INTEGER NOT NULL,
  register_value INTEGER NOT NULL,
  register_scale INTEGER NOT NULL,
  register_unit INTEGER NOT NULL,
  register_at INTEGER NOT NULL
);
CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  meter TEXT NOT NULL,
  medium INTEGER NOT NULL,
  pulse_value INTEGER NOT NULL,
  pulse_scale INTEGER NOT NULL,
  pulse_unit INTEGER NOT NULL,
  counter_bits INTEGER NOT NULL,
  interval_s INTEGER NOT NULL,
  token_hash TEXT NOT NULL,
  created INTEGER NOT NULL,
  acked_seq INTEGER NOT NULL,
  has_sample INTEGER NOT NULL,
  last_count INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  offset_pulses INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  backlog INTEGER NOT NULL,
  output_on INTEGER NOT NULL
);
CREATE INDEX devices_meter ON devices(meter);
CREATE TABLE interval_blocks (
  meter_key INTEGER NOT NULL REFERENCES meters(meter_key),
  channel INTEGER NOT NULL,
  day INTEGER NOT NULL,                 -- local day number in the meter's zone
  version INTEGER NOT NULL,
  source TEXT NOT NULL,                 -- who wrote this version
  created INTEGER NOT NULL,             -- when this version was written
  data BLOB NOT NULL,                   -- docs/formats/day-block.md
  PRIMARY KEY (meter_key, channel, day)
) WITHOUT ROWID;
CREATE TABLE block_history (
  meter_key INTEGER NOT NULL REFERENCES meters(meter_key),
  channel INTEGER NOT NULL,
  day INTEGER NOT NULL,
  version INTEGER NOT NULL,
  source TEXT NOT NULL,
  created INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (meter_key, channel, day, version)
) WITHOUT ROWID;
CREATE TABLE daily_registers (
  meter_key INTEGER NOT NULL REFERENCES meters(meter_key),
  channel INTEGER NOT NULL,
  day INTEGER NOT NULL,
  at INTEGER NOT NULL,
  value INTEGER NOT NULL,
  scale INTEGER NOT NULL,
  unit INTEGER NOT NULL,
  PRIMARY KEY (meter_key, channel, day)
) WITHOUT ROWID;
)sql"},
    {2, R"sql(
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  type INTEGER NOT NULL,
  device TEXT NOT NULL,
  meter TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX events_at ON events(at);
CREATE INDEX events_device ON events(device, at);
CREATE INDEX events_meter ON events(meter, at);
CREATE TABLE commands (
  id INTEGER PRIMARY KEY AUTOINCREMENT,   -- ids are never reused, even after deletes
  device TEXT NOT NULL,
  type INTEGER NOT NULL,
  argument INTEGER NOT NULL,
  state INTEGER NOT NULL,
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  expires INTEGER NOT NULL,
  result TEXT NOT NULL,
  created_by TEXT NOT NULL
);
CREATE INDEX commands_device_state ON commands(device, state, created);
CREATE TABLE users (
  name TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  created INTEGER NOT NULL
);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
  created INTEGER NOT NULL,
  expires INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user);
)sql"},
    // The audit log (core/audit_entry.h; chain in security/audit.h). The triggers refuse UPDATE and DELETE as defence in
    // depth; whoever holds the file can drop them, which is what the hash chain is for.
    {3, R"sql(
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,              -- 1, 2, 3, ... assigned under the write lock
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT NOT NULL,
  remote TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_actor ON audit_log(actor, seq);
CREATE INDEX audit_log_action ON audit_log(action, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
)sql"},
    // Roles with device assignments (customers and field technicians see only these), disabled
    // users, forced password change, and API tokens beside console sessions.
    {4, R"sql(
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
CREATE TABLE user_devices (
  user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
  device TEXT NOT NULL,
  PRIMARY KEY (user, device)
) WITHOUT ROWID;
ALTER TABLE sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'session';
ALTER TABLE sessions ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN scopes TEXT;   -- NULL: all of the role's permissions; else space-separated
)sql"},
    // The newest instantaneous values of polled meters (M-Bus, Modbus): one row per meter and name.
    {5, R"sql(
CREATE TABLE present_values (
  meter TEXT NOT NULL,
  name TEXT NOT NULL,
  value INTEGER NOT NULL,
  scale INTEGER NOT NULL,
  unit INTEGER NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (meter, name)
) WITHOUT ROWID;
)sql"},
    {6, R"sql(
CREATE TABLE tariffs (
  id TEXT PRIMARY KEY,
  source TEXT NOT NULL,                 -- the TOML text (docs/billing.md)
  updated INTEGER NOT NULL,
  updated_by TEXT NOT NULL
);
CREATE TABLE review_zones (
  id TEXT PRIMARY KEY,
  key_zone INTEGER NOT NULL,            -- 1: every bill reviewed; 0: a random sample
  sample_size INTEGER NOT NULL
);
CREATE TABLE service_points (
  id TEXT PRIMARY KEY,
  meter TEXT NOT NULL,                  -- the meter installed there now
  since_day INTEGER NOT NULL
);
CREATE TABLE accounts (
  account_key INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  cycle TEXT NOT NULL,
  zone TEXT NOT NULL,
  customer_class TEXT NOT NULL,
  service_point TEXT NOT NULL,
  meter TEXT NOT NULL,
  tariff TEXT NOT NULL,
  email TEXT NOT NULL,
  phone TEXT NOT NULL,
  move_in_day INTEGER NOT NULL,
  move_out_day INTEGER
);
CREATE INDEX accounts_cycle ON accounts(cycle, account_key);
CREATE TABLE bill_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  cycle TEXT NOT NULL,
  from_day INTEGER NOT NULL,
  to_day INTEGER NOT NULL,
  state INTEGER NOT NULL,
  created INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  finished INTEGER NOT NULL,
  accounts INTEGER NOT NULL,
  chunks INTEGER NOT NULL,
  chunks_done INTEGER NOT NULL,
  billed INTEGER NOT NULL,
  held INTEGER NOT NULL,
  flagged INTEGER NOT NULL,
  UNIQUE (cycle, from_day, to_day)
);
CREATE TABLE bill_run_chunks (
  run INTEGER NOT NULL REFERENCES bill_runs(id),
  chunk INTEGER NOT NULL,
  key_lo INTEGER NOT NULL,
  key_hi INTEGER NOT NULL,
  done INTEGER NOT NULL,
  PRIMARY KEY (run, chunk)
) WITHOUT ROWID;
CREATE TABLE bills (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account TEXT NOT NULL,
  run INTEGER NOT NULL,
  from_day INTEGER NOT NULL,
  to_day INTEGER NOT NULL,
  version INTEGER NOT NULL,
  state INTEGER NOT NULL,
  currency TEXT NOT NULL,
  subtotal INTEGER NOT NULL,
  total INTEGER NOT NULL,
  intervals INTEGER NOT NULL,
  estimated INTEGER NOT NULL,
  missing_days INTEGER NOT NULL,
  peak_demand_w INTEGER NOT NULL,
  lines TEXT NOT NULL,
  flags TEXT NOT NULL,
  changes TEXT NOT NULL,
  zone TEXT NOT NULL,
  sampled INTEGER NOT NULL,
  previous INTEGER,
  difference INTEGER NOT NULL,
  created INTEGER NOT NULL,
  released INTEGER NOT NULL,
  UNIQUE (account, from_day, to_day, version)
);
CREATE INDEX bills_run ON bills(run, zone, state);
CREATE INDEX bills_account ON bills(account, to_day);
-- Released bills are final.
CREATE TRIGGER bills_released_update BEFORE UPDATE ON bills WHEN OLD.state = 3
BEGIN SELECT RAISE(ABORT, 'a released bill cannot change'); END;
CREATE TRIGGER bills_released_delete BEFORE DELETE ON bills WHEN OLD.state = 3
BEGIN SELECT RAISE(ABORT, 'a released bill cannot be deleted'); END;
CREATE TABLE bill_holds (
  run INTEGER NOT NULL,
  account TEXT NOT NULL,
  rule TEXT NOT NULL,
  reason TEXT NOT NULL,
  created INTEGER NOT NULL,
  resolved INTEGER NOT NULL,
  PRIMARY KEY (run, account)
) WITHOUT ROWID;
CREATE TABLE bill_reviews (
  id INTEGER PRIMARY KEY,
  bill INTEGER NOT NULL REFERENCES bills(id),
  reviewer TEXT NOT NULL,
  at INTEGER NOT NULL,
  approved INTEGER NOT NULL,
  note TEXT NOT NULL
);
CREATE INDEX bill_reviews_bill ON bill_reviews(bill);
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  bill INTEGER NOT NULL REFERENCES bills(id),
  channel TEXT NOT NULL,
  address TEXT NOT NULL,
  state INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  next_at INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  updated INTEGER NOT NULL
);
CREATE INDEX notifications_due ON notifications(state, next_at);
CREATE INDEX notifications_bill ON notifications(bill);
)sql"},
    // Bill runs write a million bills: one index fewer per bill. UNIQUE (account, from_day, ...)
    // already finds an account's bills. From here on bills.lines holds the binary form of
    // billing/bill_lines.h (a BLOB; bills written before keep their JSON text).
    {7, R"sql(
DROP INDEX bills_account;
)sql"},
    // Closed months packed into one row per (meter, channel, month): a bill run reads one row per
    // account instead of thirty. A month's days are either all in interval_blocks or all in its
    // pack, never both (docs/store.md, "Packed months").
    {8, R"sql(
CREATE TABLE interval_months (
  meter_key INTEGER NOT NULL REFERENCES meters(meter_key),
  channel INTEGER NOT NULL,
  month INTEGER NOT NULL,               -- local day number of the month's first day
  days INTEGER NOT NULL,                -- day blocks in the pack
  data BLOB NOT NULL,                   -- docs/formats/month-pack.md
  PRIMARY KEY (meter_key, channel, month)
);                                      -- a rowid table: a pack of 3-4 KB stays on its leaf page
-- Stats() sums the packed days from this index instead of reading every pack.
CREATE INDEX interval_months_days ON interval_months(days);
)sql"},
};

core::Result<int64_t> CurrentVersion(Database& db) {
  auto stmt = db.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version");
  if (!stmt) return core::Fail(stmt.error());
  auto row = stmt->Step();
  if (!row) return core::Fail(row.error());
  return *row ? stmt->Int(0) : 0;
}

core::Error TooNew(int64_t version) {
  return core::Error::Conflict(fmt::format(
      "database schema version {} is newer than this meterd supports ({}); upgrade meterd", version,
      LatestSchemaVersion()));
}

}  // namespace

std::span<const Migration> SqliteMigrations() { return kMigrations; }
int64_t LatestSchemaVersion() { return std::end(kMigrations)[-1].version; }

core::Result<void> ApplyMigrations(Database& db) {
  auto ok = db.Exec(
      "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied INTEGER NOT NULL)");
  if (!ok) return ok;
  auto version = CurrentVersion(db);
  if (!version) return core::Fail(version.error());
  if (*version > LatestSchemaVersion()) return core::Fail(TooNew(*version));

  for (const Migration& m : kMigrations) {
    if (m.version <= *version) continue;
    auto tx = Transaction::Begin(db, /*immediate=*/true);
    if (!tx) return core::Fail(tx.error());
    // Another process may have migrated while we waited for the write lock.
    auto now_version = CurrentVersion(db);
    if (!now_version) return core::Fail(now_version.error());
    if (*now_version > LatestSchemaVersion()) return core::Fail(TooNew(*now_version));
    if (*now_version >= m.version) continue;
    if (auto step = db.Exec(m.sql); !step) {
      return core::Fail(core::Error::Internal(fmt::format("schema migration {} failed: {}", m.version, step.error().message)));
    }
    auto insert = db.Prepare("INSERT INTO schema_version (version, applied) VALUES (?1, ?2)");
    if (!insert) return core::Fail(insert.error());
    int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count();
    if (auto r = insert->Bind(1, m.version).Bind(2, now).Run(); !r) return r;
    if (auto c = tx->Commit(); !c) return c;
  }
  return {};
}

}  // namespace meterd::store
