// SPDX-License-Identifier: Apache-2.0
// SqliteStore commands: create, read, list, and the downlink hand-off.
#include <fmt/format.h>

#include "store/sqlite_listing.h"
#include "store/sqlite_rows.h"
#include "store/sqlite_store.h"

namespace meterd::store {

using core::CommandState;
using core::Error;
using core::Fail;
using rows::Unix;

core::Result<core::Command> SqliteStore::CreateCommand(core::Command c) {
  if (!core::IsValidId(c.device)) return Fail(Error::Invalid(fmt::format("invalid device id '{}'", c.device), "device"));
  std::lock_guard lock(write_mu_);
  auto stmt = writer_->Prepare(
      "INSERT INTO commands (device, type, argument, state, created, updated, expires, result, created_by) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, c.device).Bind(2, static_cast<int64_t>(c.type)).Bind(3, c.argument).Bind(4, static_cast<int64_t>(c.state));
  stmt->Bind(5, Unix(c.created)).Bind(6, Unix(c.updated)).Bind(7, Unix(c.expires)).Bind(8, c.result).Bind(9, c.created_by);
  if (auto r = stmt->Run(); !r) return Fail(r.error());
  c.id = writer_->LastInsertRowid();
  return c;
}

core::Result<std::optional<core::Command>> SqliteStore::GetCommand(core::CommandId id) {
  std::lock_guard lock(read_mu_);
  auto stmt = reader_->Prepare(fmt::format("SELECT {} FROM commands WHERE id = ?1", rows::kCommandColumns));
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, id);
  auto row = stmt->Step();
  if (!row) return Fail(row.error());
  if (!*row) return std::optional<core::Command>();
  return std::optional<core::Command>(rows::ReadCommand(*stmt));
}

core::Result<Listing<core::Command>> SqliteStore::ListCommands(const CommandFilter& filter) {
  std::lock_guard lock(read_mu_);
  return RunListing<core::Command>(
      *reader_, rows::kCommandColumns, "commands", "(?1 = '' OR device = ?1) AND (?2 IS NULL OR state = ?2)",
      "created DESC, id DESC", filter.page,
      [&](Stmt& s) {
        s.Bind(1, filter.device);
        if (filter.state) s.Bind(2, static_cast<int64_t>(*filter.state));
      },
      rows::ReadCommand);
}

core::Result<std::vector<core::Command>> SqliteStore::TakeCommandsForDownlink(std::string_view device,
                                                                              core::Instant now) {
  const int64_t now_s = Unix(now);
  std::lock_guard lock(write_mu_);
  auto tx = Transaction::Begin(*writer_, /*immediate=*/true);
  if (!tx) return Fail(tx.error());
  {
    auto expire = writer_->Prepare(
        "UPDATE commands SET state = ?3, updated = ?2 WHERE device = ?1 AND state IN (?4, ?5) AND expires <= ?2");
    if (!expire) return Fail(expire.error());
    expire->Bind(1, device).Bind(2, now_s).Bind(3, static_cast<int64_t>(CommandState::kExpired));
    expire->Bind(4, static_cast<int64_t>(CommandState::kPending)).Bind(5, static_cast<int64_t>(CommandState::kSent));
    if (auto r = expire->Run(); !r) return Fail(r.error());
  }
  std::vector<core::Command> out;
  {
    auto select = writer_->Prepare(fmt::format(
        "SELECT {} FROM commands WHERE device = ?1 AND state IN (?2, ?3) ORDER BY created, id", rows::kCommandColumns));
    if (!select) return Fail(select.error());
    select->Bind(1, device).Bind(2, static_cast<int64_t>(CommandState::kPending));
    select->Bind(3, static_cast<int64_t>(CommandState::kSent));
    for (;;) {
      auto row = select->Step();
      if (!row) return Fail(row.error());
      if (!*row) break;
      out.push_back(rows::ReadCommand(*select));
    }
  }
  {
    auto mark = writer_->Prepare("UPDATE commands SET state = ?2, updated = ?3 WHERE device = ?1 AND state = ?4");
    if (!mark) return Fail(mark.error());
    mark->Bind(1, device).Bind(2, static_cast<int64_t>(CommandState::kSent)).Bind(3, now_s);
    mark->Bind(4, static_cast<int64_t>(CommandState::kPending));
    if (auto r = mark->Run(); !r) return Fail(r.error());
  }
  if (auto r = tx->Commit(); !r) return Fail(r.error());
  // Return them as they now are in the database.
  for (core::Command& c : out) {
    if (c.state == CommandState::kPending) {
      c.state = CommandState::kSent;
      c.updated = now;
    }
  }
  return out;
}

}  // namespace meterd::store
