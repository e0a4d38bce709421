// SPDX-License-Identifier: Apache-2.0
#pragma once

// The paged-listing pattern shared by the SQLite store: one read transaction runs
// "SELECT COUNT(*) FROM <from> WHERE <where>" and "SELECT <columns> FROM <from> WHERE <where>
// ORDER BY <order> LIMIT ?20 OFFSET ?21" with the same filter bindings (parameters ?1..?19).
// Internal.

#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite_db.h"
#include "store/sqlite_store.h"

namespace meterd::store {

// Every row of a bound statement, each read with `read`.
template <class T, class Read>
core::Result<std::vector<T>> ReadAll(Stmt& stmt, Read read) {
  std::vector<T> out;
  for (;;) {
    auto row = stmt.Step();
    if (!row) return core::Fail(row.error());
    if (!*row) return out;
    out.push_back(read(stmt));
  }
}

// The first row of a prepared (and bound) statement, if any.
template <class T, class Read>
core::Result<std::optional<T>> ReadFirst(core::Result<Stmt> stmt, Read read) {
  if (!stmt) return core::Fail(stmt.error());
  auto row = stmt->Step();
  if (!row) return core::Fail(row.error());
  if (!*row) return std::optional<T>();
  return std::optional<T>(read(*stmt));
}

template <class T, class Bind, class Read>
core::Result<Listing<T>> RunListing(Database& db, std::string_view columns, std::string_view from,
                                    std::string_view where, std::string_view order, Page page, Bind bind, Read read) {
  page = ClampPage(page);
  auto tx = Transaction::Begin(db, /*immediate=*/false);
  if (!tx) return core::Fail(tx.error());
  Listing<T> out;
  {
    auto count = db.Prepare(fmt::format("SELECT COUNT(*) FROM {} WHERE {}", from, where));
    if (!count) return core::Fail(count.error());
    bind(*count);
    auto row = count->Step();
    if (!row) return core::Fail(row.error());
    out.total = *row ? count->Int(0) : 0;
  }
  {
    auto select = db.Prepare(
        fmt::format("SELECT {} FROM {} WHERE {} ORDER BY {} LIMIT ?20 OFFSET ?21", columns, from, where, order));
    if (!select) return core::Fail(select.error());
    bind(*select);
    select->Bind(20, int64_t{page.limit}).Bind(21, page.offset);
    for (;;) {
      auto row = select->Step();
      if (!row) return core::Fail(row.error());
      if (!*row) break;
      out.items.push_back(read(*select));
    }
  }
  if (auto c = tx->Commit(); !c) return core::Fail(c.error());
  return out;
}

}  // namespace meterd::store
