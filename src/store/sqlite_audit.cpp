// SPDX-License-Identifier: Apache-2.0
// SqliteStore audit log: append (linking the hash chain under the write lock), list, range.
#include <fmt/format.h>

#include <algorithm>

#include "store/sqlite_listing.h"
#include "store/sqlite_rows.h"
#include "store/sqlite_store.h"

namespace meterd::store {
namespace {

using core::Error;
using core::Fail;
using core::AuditEntry;

constexpr const char* kAuditColumns = "seq, at, actor, action, target, detail, remote, prev_hash, hash";

AuditEntry ReadAudit(const Stmt& s) {
  AuditEntry e;
  e.seq = s.Int(0);
  e.at = rows::At(s.Int(1));
  e.actor = s.Text(2);
  e.action = s.Text(3);
  e.target = s.Text(4);
  e.detail = s.Text(5);
  e.remote = s.Text(6);
  e.prev_hash = s.Text(7);
  e.hash = s.Text(8);
  return e;
}

}  // namespace

core::Result<AuditEntry> SqliteStore::AppendAudit(AuditEntry entry, const AuditSeal& seal) {
  if (entry.action.empty()) return Fail(Error::Invalid("audit entry needs an action", "action"));
  std::lock_guard lock(write_mu_);
  // The last entry is read and the new one inserted in one IMMEDIATE transaction under
  // write_mu_, so no other append can slip in between: the chain stays linear.
  auto tx = Transaction::Begin(*writer_, /*immediate=*/true);
  if (!tx) return Fail(tx.error());
  {
    auto last = writer_->Prepare("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
    if (!last) return Fail(last.error());
    auto row = last->Step();
    if (!row) return Fail(row.error());
    entry.seq = *row ? last->Int(0) + 1 : 1;
    entry.prev_hash = *row ? last->Text(1) : core::kAuditGenesis;
  }
  entry.hash = seal(entry);
  {
    auto insert = writer_->Prepare(fmt::format(
        "INSERT INTO audit_log ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", kAuditColumns));
    if (!insert) return Fail(insert.error());
    insert->Bind(1, entry.seq).Bind(2, rows::Unix(entry.at)).Bind(3, entry.actor).Bind(4, entry.action);
    insert->Bind(5, entry.target).Bind(6, entry.detail).Bind(7, entry.remote).Bind(8, entry.prev_hash);
    insert->Bind(9, entry.hash);
    if (auto r = insert->Run(); !r) return Fail(r.error());
  }
  if (auto c = tx->Commit(); !c) return Fail(c.error());
  return entry;
}

core::Result<Listing<AuditEntry>> SqliteStore::ListAudit(const AuditFilter& filter) {
  std::lock_guard lock(read_mu_);
  return RunListing<AuditEntry>(
      *reader_, kAuditColumns, "audit_log",
      "(?1 = '' OR actor = ?1) AND (?2 = '' OR action = ?2) AND (?3 = '' OR instr(target, ?3) > 0) "
      "AND (?4 IS NULL OR at >= ?4) AND (?5 IS NULL OR at < ?5)",
      "seq DESC", filter.page,
      [&](Stmt& s) {
        s.Bind(1, filter.actor).Bind(2, filter.action).Bind(3, filter.target);
        if (filter.from) s.Bind(4, rows::Unix(*filter.from));
        if (filter.to) s.Bind(5, rows::Unix(*filter.to));
      },
      ReadAudit);
}

core::Result<std::vector<AuditEntry>> SqliteStore::AuditRange(int64_t from_seq, int32_t limit) {
  limit = std::clamp(limit, 1, 10000);
  std::lock_guard lock(read_mu_);
  auto stmt = reader_->Prepare(
      fmt::format("SELECT {} FROM audit_log WHERE seq >= ?1 ORDER BY seq LIMIT ?2", kAuditColumns));
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, from_seq).Bind(2, int64_t{limit});
  std::vector<AuditEntry> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return Fail(row.error());
    if (!*row) break;
    out.push_back(ReadAudit(*stmt));
  }
  return out;
}

}  // namespace meterd::store
