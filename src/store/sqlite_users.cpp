// SPDX-License-Identifier: Apache-2.0
// SqliteStore: users with their device assignments, and sessions / API tokens.
#include <fmt/format.h>

#include <sstream>

#include "store/sqlite_listing.h"
#include "store/sqlite_rows.h"
#include "store/sqlite_store.h"

namespace meterd::store {

using core::Error;
using core::Fail;
using rows::At;
using rows::Unix;

namespace {

constexpr const char* kUserColumns = "name, password_hash, role, created, disabled, must_change_password";
constexpr const char* kSessionColumns = "token_hash, user, created, expires, kind, name, scopes";

User ReadUser(const Stmt& s) {
  User u;
  u.name = s.Text(0);
  u.password_hash = s.Text(1);
  u.role = s.Text(2);
  u.created = At(s.Int(3));
  u.disabled = s.Int(4) != 0;
  u.must_change_password = s.Int(5) != 0;
  return u;
}

Session ReadSession(const Stmt& s) {
  Session out{s.Text(0), s.Text(1), At(s.Int(2)), At(s.Int(3)), s.Text(4), s.Text(5), std::nullopt};
  if (!s.IsNull(6)) {
    std::vector<std::string> scopes;
    std::istringstream words(s.Text(6));
    for (std::string w; words >> w;) scopes.push_back(std::move(w));
    out.scopes = std::move(scopes);
  }
  return out;
}

// Fills user.devices from user_devices on `db`.
core::Result<void> ReadDevices(Database& db, User& user) {
  auto stmt = db.Prepare("SELECT device FROM user_devices WHERE user = ?1 ORDER BY device");
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, user.name);
  for (;;) {
    auto row = stmt->Step();
    if (!row) return Fail(row.error());
    if (!*row) return {};
    user.devices.push_back(stmt->Text(0));
  }
}

}  // namespace

core::Result<std::optional<User>> SqliteStore::GetUser(std::string_view name) {
  std::lock_guard lock(read_mu_);
  auto tx = Transaction::Begin(*reader_, /*immediate=*/false);
  if (!tx) return Fail(tx.error());
  std::optional<User> user;
  {
    auto stmt = reader_->Prepare(fmt::format("SELECT {} FROM users WHERE name = ?1", kUserColumns));
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(1, name);
    auto row = stmt->Step();
    if (!row) return Fail(row.error());
    if (*row) user = ReadUser(*stmt);
  }
  if (user) {
    if (auto r = ReadDevices(*reader_, *user); !r) return Fail(r.error());
  }
  if (auto c = tx->Commit(); !c) return Fail(c.error());
  return user;
}

core::Result<Listing<User>> SqliteStore::ListUsers(Page page) {
  std::lock_guard lock(read_mu_);
  auto listing = RunListing<User>(*reader_, kUserColumns, "users", "1", "name", page, [](Stmt&) {}, ReadUser);
  if (!listing) return listing;
  for (auto& user : listing->items) {
    if (auto r = ReadDevices(*reader_, user); !r) return Fail(r.error());
  }
  return listing;
}

core::Result<void> SqliteStore::PutUser(const User& user) {
  if (user.name.empty()) return Fail(Error::Invalid("user name is empty", "name"));
  std::lock_guard lock(write_mu_);
  auto tx = Transaction::Begin(*writer_, /*immediate=*/true);
  if (!tx) return Fail(tx.error());
  {
    auto stmt = writer_->Prepare(
        "INSERT INTO users (name, password_hash, role, created, disabled, must_change_password) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(name) DO UPDATE SET password_hash=excluded.password_hash, "
        "role=excluded.role, created=excluded.created, disabled=excluded.disabled, "
        "must_change_password=excluded.must_change_password");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(1, user.name).Bind(2, user.password_hash).Bind(3, user.role).Bind(4, Unix(user.created));
    stmt->Bind(5, int64_t{user.disabled}).Bind(6, int64_t{user.must_change_password});
    if (auto r = stmt->Run(); !r) return r;
  }
  {
    auto stmt = writer_->Prepare("DELETE FROM user_devices WHERE user = ?1");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(1, user.name);
    if (auto r = stmt->Run(); !r) return r;
  }
  for (const auto& device : user.devices) {
    auto stmt = writer_->Prepare("INSERT OR IGNORE INTO user_devices (user, device) VALUES (?1, ?2)");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(1, user.name).Bind(2, device);
    if (auto r = stmt->Run(); !r) return r;
  }
  return tx->Commit();
}

core::Result<void> SqliteStore::PutSession(const Session& session) {
  std::string scopes;
  if (session.scopes) {
    for (const auto& s : *session.scopes) {
      if (s.empty() || s.find(' ') != std::string::npos) return Fail(Error::Invalid("bad scope name", "scopes"));
      if (!scopes.empty()) scopes += ' ';
      scopes += s;
    }
  }
  std::lock_guard lock(write_mu_);
  auto stmt = writer_->Prepare(
      "INSERT INTO sessions (token_hash, user, created, expires, kind, name, scopes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
      "ON CONFLICT(token_hash) DO UPDATE SET user=excluded.user, created=excluded.created, expires=excluded.expires, "
      "kind=excluded.kind, name=excluded.name, scopes=excluded.scopes");
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, session.token_hash).Bind(2, session.user).Bind(3, Unix(session.created)).Bind(4, Unix(session.expires));
  stmt->Bind(5, session.kind).Bind(6, session.name);
  if (session.scopes) {
    stmt->Bind(7, scopes);
  } else {
    stmt->BindNull(7);
  }
  auto r = stmt->Run();
  if (!r && r.error().code == core::ErrorCode::kConflict) {
    return Fail(Error::NotFound(fmt::format("user '{}' not found", session.user)));  // the foreign key
  }
  return r;
}

core::Result<std::optional<Session>> SqliteStore::GetSession(std::string_view token_hash) {
  std::lock_guard lock(read_mu_);
  auto stmt = reader_->Prepare(fmt::format("SELECT {} FROM sessions WHERE token_hash = ?1", kSessionColumns));
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, token_hash);
  auto row = stmt->Step();
  if (!row) return Fail(row.error());
  if (!*row) return std::optional<Session>();
  return std::optional<Session>(ReadSession(*stmt));
}

core::Result<std::vector<Session>> SqliteStore::ListSessions(std::string_view user, core::Instant now) {
  std::lock_guard lock(read_mu_);
  auto stmt = reader_->Prepare(fmt::format(
      "SELECT {} FROM sessions WHERE user = ?1 AND expires > ?2 ORDER BY created DESC, token_hash", kSessionColumns));
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, user).Bind(2, Unix(now));
  std::vector<Session> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return Fail(row.error());
    if (!*row) return out;
    out.push_back(ReadSession(*stmt));
  }
}

core::Result<void> SqliteStore::DeleteSession(std::string_view token_hash) {
  std::lock_guard lock(write_mu_);
  auto stmt = writer_->Prepare("DELETE FROM sessions WHERE token_hash = ?1");
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, token_hash);
  return stmt->Run();
}

core::Result<int64_t> SqliteStore::DeleteSessionsOfUser(std::string_view user, std::string_view keep_token_hash) {
  std::lock_guard lock(write_mu_);
  auto stmt = writer_->Prepare("DELETE FROM sessions WHERE user = ?1 AND token_hash <> ?2");
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, user).Bind(2, keep_token_hash);
  if (auto r = stmt->Run(); !r) return Fail(r.error());
  return int64_t{writer_->Changes()};
}

}  // namespace meterd::store
