// SPDX-License-Identifier: Apache-2.0
// SQLite store: opening and migrations, records, listings, commands, events, users, sessions.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/migrations.h"
#include "store_fixture.h"

namespace meterd::store {
namespace {

using core::CommandState;
using core::Medium;
using testing::Day;
using testing::Device;
using testing::Meter;
using testing::StoreTest;
using testing::T;
using testing::TempDir;

// Runs SQL on the file directly (a second, independent connection) and returns column 0 of
// the first row as text.
std::string Sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  std::string out;
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW && sqlite3_column_text(stmt, 0)) out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  EXPECT_TRUE(rc == SQLITE_ROW || rc == SQLITE_DONE) << sqlite3_errmsg(db);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

TEST(SqliteMigrations, FreshDatabaseGetsEveryStepOnce) {
  TempDir dir;
  std::string path = dir.File("m.db");
  { ASSERT_TRUE(OpenSqliteStore({path})); }
  EXPECT_EQ(Sql(path, "SELECT MAX(version) FROM schema_version"), std::to_string(LatestSchemaVersion()));
  EXPECT_EQ(Sql(path, "SELECT COUNT(*) FROM schema_version"), std::to_string(SqliteMigrations().size()));
  EXPECT_EQ(Sql(path, "PRAGMA journal_mode"), "wal");
  // Reopening applies nothing: the recorded rows are untouched.
  Sql(path, "UPDATE schema_version SET applied = 42");
  { ASSERT_TRUE(OpenSqliteStore({path})); }
  EXPECT_EQ(Sql(path, "SELECT COUNT(*) FROM schema_version WHERE applied = 42"), std::to_string(SqliteMigrations().size()));
}

TEST(SqliteMigrations, RefusesANewerDatabase) {
  TempDir dir;
  std::string path = dir.File("m.db");
  { ASSERT_TRUE(OpenSqliteStore({path})); }
  Sql(path, "INSERT INTO schema_version (version, applied) VALUES (999, 0)");
  auto s = OpenSqliteStore({path});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, core::ErrorCode::kConflict);
  EXPECT_NE(s.error().message.find("999 is newer"), std::string::npos) << s.error().message;
}

TEST(SqliteMigrations, RefusesAMemoryDatabaseAndAMissingDirectory) {
  EXPECT_FALSE(OpenSqliteStore({":memory:"}));
  EXPECT_FALSE(OpenSqliteStore({"/nonexistent-dir-meterd/x.db"}));
}

TEST_F(StoreTest, DeviceAndMeterRoundTripAndSurviveReopen) {
  DeviceRecord d = Device("acq-1", "wm-1");
  d.acked_seq = std::numeric_limits<uint64_t>::max();
  d.last_count = 0xfffffffffffull;
  d.has_sample = true;
  d.offset_pulses = -12;
  d.backlog = 3;
  d.output_on = true;
  d.last_seen = T("2026-02-01T10:00:00Z");
  MeterRecord m = Meter("wm-1", Medium::kWater, "Europe/London");
  m.device = "acq-1";
  m.has_register = true;
  m.register_value = core::Quantity{123456, -3, core::Unit::kM3};
  m.register_at = T("2026-02-01T10:00:00Z");
  ASSERT_TRUE(store_->PutDevice(d, m));
  Reopen();
  auto got_d = store_->GetDevice("acq-1");
  ASSERT_TRUE(got_d && *got_d);
  EXPECT_EQ((*got_d)->acked_seq, d.acked_seq);
  EXPECT_EQ((*got_d)->last_count, d.last_count);
  EXPECT_EQ((*got_d)->offset_pulses, -12);
  EXPECT_EQ((*got_d)->pulse_weight, d.pulse_weight);
  EXPECT_EQ((*got_d)->token_hash, d.token_hash);
  EXPECT_EQ((*got_d)->last_seen, d.last_seen);
  EXPECT_TRUE((*got_d)->output_on);
  auto got_m = store_->GetMeter("wm-1");
  ASSERT_TRUE(got_m && *got_m);
  EXPECT_EQ((*got_m)->time_zone, "Europe/London");
  EXPECT_EQ((*got_m)->register_value, m.register_value);
  EXPECT_EQ((*got_m)->register_at, m.register_at);
  EXPECT_FALSE(*store_->GetDevice("nope"));
  EXPECT_FALSE(*store_->GetMeter("nope"));

  // Replacing keeps one row and takes the new state whole.
  d.backlog = 0;
  ASSERT_TRUE(store_->PutDevice(d, m));
  EXPECT_EQ((*store_->GetDevice("acq-1"))->backlog, 0u);
  EXPECT_EQ(store_->Stats()->devices, 1);
}

TEST_F(StoreTest, RejectsInvalidIds) {
  EXPECT_FALSE(store_->PutDevice(Device("bad id", "wm-1"), Meter("wm-1")));
  EXPECT_FALSE(store_->PutDevice(Device("ok", "wm/1"), Meter("wm/1")));
  EXPECT_EQ(store_->Stats()->meters, 0);  // nothing half-written
}

TEST_F(StoreTest, ListsWithFiltersTotalsAndPaging) {
  for (int i = 0; i < 25; ++i) {
    Medium medium = i % 5 == 0 ? Medium::kElectricity : Medium::kWater;
    std::string n = (i < 10 ? "0" : "") + std::to_string(i);
    AddMeter("m" + n, medium);
  }
  auto all = store_->ListDevices({});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->total, 25);
  EXPECT_EQ(all->items.size(), 25u);
  EXPECT_EQ(all->items.front().id, "dev-m00");

  auto page = store_->ListDevices({.page = {.limit = 10, .offset = 20}});
  EXPECT_EQ(page->total, 25);
  ASSERT_EQ(page->items.size(), 5u);
  EXPECT_EQ(page->items[0].id, "dev-m20");

  auto elec = store_->ListMeters({.medium = Medium::kElectricity});
  EXPECT_EQ(elec->total, 5);
  auto search = store_->ListMeters({.search = "m1", .page = {.limit = 3}});
  EXPECT_EQ(search->total, 10);  // m10..m19
  EXPECT_EQ(search->items.size(), 3u);
  EXPECT_EQ(store_->ListDevices({.search = "m2", .medium = Medium::kWater})->total, 4);  // m21..m24
  EXPECT_EQ(store_->ListMeters({.search = "dev-m03"})->total, 1);  // by device id
  EXPECT_EQ(store_->ListMeters({.search = "%"})->total, 0);  // no LIKE wildcards

  // The limit is clamped to 1..1000 and a negative offset to 0.
  EXPECT_EQ(store_->ListDevices({.page = {.limit = 0}})->items.size(), 1u);
  EXPECT_EQ(store_->ListDevices({.page = {.limit = 5000, .offset = -3}})->items.size(), 25u);
}

core::Command NewCommand(const std::string& device, const char* created, const char* expires) {
  core::Command c;
  c.device = device;
  c.type = core::CommandType::kSetOutput;
  c.argument = 1;
  c.created = T(created);
  c.updated = c.created;
  c.expires = T(expires);
  c.created_by = "admin";
  return c;
}

TEST_F(StoreTest, CommandLifecycleAndExpiry) {
  auto a = store_->CreateCommand(NewCommand("acq-1", "2026-03-01T10:00:00Z", "2026-03-01T12:00:00Z"));
  auto b = store_->CreateCommand(NewCommand("acq-1", "2026-03-01T10:05:00Z", "2026-03-02T10:00:00Z"));
  auto other = store_->CreateCommand(NewCommand("acq-2", "2026-03-01T10:06:00Z", "2026-03-01T10:30:00Z"));
  ASSERT_TRUE(a && b && other);
  EXPECT_GT(a->id, 0);
  EXPECT_NE(a->id, b->id);
  EXPECT_EQ(store_->Stats()->pending_commands, 3);

  auto first = store_->TakeCommandsForDownlink("acq-1", T("2026-03-01T11:00:00Z"));
  ASSERT_TRUE(first);
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].id, a->id);  // oldest first
  EXPECT_EQ((*first)[1].id, b->id);
  EXPECT_EQ((*first)[0].state, CommandState::kSent);
  EXPECT_EQ((*store_->GetCommand(a->id))->state, CommandState::kSent);
  EXPECT_EQ((*store_->GetCommand(a->id))->updated, T("2026-03-01T11:00:00Z"));
  EXPECT_EQ((*store_->GetCommand(other->id))->state, CommandState::kPending);  // other device untouched

  // The device acknowledges b; a is resent until it expires at 12:00 (expires <= now).
  CommandUpdate ack{b->id, CommandState::kAcknowledged, "ok", T("2026-03-01T11:01:00Z")};
  IngestWrite w;
  w.commands.push_back(ack);
  ASSERT_TRUE(store_->Commit({&w, 1}));
  auto acked = *store_->GetCommand(b->id);
  EXPECT_EQ(acked->state, CommandState::kAcknowledged);
  EXPECT_EQ(acked->result, "ok");
  EXPECT_EQ(acked->updated, T("2026-03-01T11:01:00Z"));

  auto second = store_->TakeCommandsForDownlink("acq-1", T("2026-03-01T11:59:59Z"));
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].id, a->id);
  EXPECT_EQ((*second)[0].state, CommandState::kSent);
  EXPECT_TRUE(store_->TakeCommandsForDownlink("acq-1", T("2026-03-01T12:00:00Z"))->empty());
  EXPECT_EQ((*store_->GetCommand(a->id))->state, CommandState::kExpired);
  EXPECT_EQ((*store_->GetCommand(b->id))->state, CommandState::kAcknowledged);  // finished ones stay

  // Listing: newest first, filtered by device and state.
  auto listed = store_->ListCommands({});
  ASSERT_EQ(listed->total, 3);
  EXPECT_EQ(listed->items[0].id, other->id);
  EXPECT_EQ(store_->ListCommands({.device = "acq-1"})->total, 2);
  auto expired = store_->ListCommands({.device = "acq-1", .state = CommandState::kExpired});
  ASSERT_EQ(expired->total, 1);
  EXPECT_EQ(expired->items[0].id, a->id);
  EXPECT_FALSE(*store_->GetCommand(9999));
}

TEST_F(StoreTest, UpdatingAnUnknownCommandFailsTheCommit) {
  IngestWrite w;
  w.events.push_back({T("2026-03-01T10:00:00Z"), core::EventType::kTamper, "acq-1", "wm-1", "lid"});
  w.commands.push_back({12345, CommandState::kAcknowledged, "", T("2026-03-01T10:00:00Z")});
  auto r = store_->Commit({&w, 1});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(store_->ListEvents({})->total, 0);  // the event of the same commit is gone too
}

TEST_F(StoreTest, EventsNewestFirstWithFilters) {
  IngestWrite w;
  using core::EventType;
  w.events = {
      {T("2026-03-01T10:00:00Z"), EventType::kTamper, "acq-1", "wm-1", "lid opened"},
      {T("2026-03-01T11:00:00Z"), EventType::kPowerLoss, "acq-1", "wm-1", ""},
      {T("2026-03-01T12:00:00Z"), EventType::kTamper, "acq-2", "wm-2", "cable"},
      {T("2026-03-02T00:00:00Z"), EventType::kSequenceGap, "", "wm-1", "3 lost"},
  };
  ASSERT_TRUE(store_->Commit({&w, 1}));
  auto all = store_->ListEvents({});
  ASSERT_EQ(all->total, 4);
  EXPECT_EQ(all->items[0].type, EventType::kSequenceGap);
  EXPECT_EQ(all->items[3].detail, "lid opened");
  EXPECT_EQ(store_->ListEvents({.device = "acq-1"})->total, 2);
  EXPECT_EQ(store_->ListEvents({.meter = "wm-1"})->total, 3);
  auto tamper = store_->ListEvents({.type = EventType::kTamper});
  ASSERT_EQ(tamper->total, 2);
  EXPECT_EQ(tamper->items[0].device, "acq-2");
  auto window = store_->ListEvents({.from = T("2026-03-01T11:00:00Z"), .to = T("2026-03-02T00:00:00Z")});
  ASSERT_EQ(window->total, 2);  // [from, to): 11:00 in, midnight out
  EXPECT_EQ(window->items[0].at, T("2026-03-01T12:00:00Z"));
  auto paged = store_->ListEvents({.meter = "wm-1", .page = {.limit = 1, .offset = 1}});
  EXPECT_EQ(paged->total, 3);
  ASSERT_EQ(paged->items.size(), 1u);
  EXPECT_EQ(paged->items[0].type, EventType::kPowerLoss);
  EXPECT_EQ(store_->Stats()->events, 4);
}

TEST_F(StoreTest, UsersAndSessions) {
  EXPECT_FALSE(*store_->GetUser("admin"));
  ASSERT_TRUE(store_->PutUser({"admin", "$argon2id$x", "admin", T("2026-01-01T00:00:00Z")}));
  ASSERT_TRUE(store_->PutUser({"admin", "$argon2id$y", "admin", T("2026-01-01T00:00:00Z")}));
  EXPECT_EQ((*store_->GetUser("admin"))->password_hash, "$argon2id$y");

  Session s{"feed", "admin", T("2026-01-01T00:00:00Z"), T("2026-01-01T01:00:00Z")};
  ASSERT_TRUE(store_->PutSession(s));
  auto got = store_->GetSession("feed");
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->user, "admin");
  EXPECT_EQ((*got)->expires, s.expires);  // expired or not, the caller decides
  ASSERT_TRUE(store_->DeleteSession("feed"));
  EXPECT_FALSE(*store_->GetSession("feed"));
  ASSERT_TRUE(store_->DeleteSession("feed"));  // deleting twice is fine

  auto orphan = store_->PutSession({"beef", "nobody", T("2026-01-01T00:00:00Z"), T("2026-01-01T01:00:00Z")});
  ASSERT_FALSE(orphan);
  EXPECT_EQ(orphan.error().code, core::ErrorCode::kNotFound);
}

}  // namespace
}  // namespace meterd::store
