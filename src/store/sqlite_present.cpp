// SPDX-License-Identifier: Apache-2.0
// SqliteStore: the present values of polled meters (their newest instantaneous readings).
#include "store/sqlite_rows.h"
#include "store/sqlite_store.h"

namespace meterd::store {

using core::Fail;
using rows::At;
using rows::Unix;

core::Result<void> SqliteStore::PutPresentValues(std::string_view meter, std::span<const PresentValue> values) {
  std::lock_guard lock(write_mu_);
  auto tx = Transaction::Begin(*writer_, /*immediate=*/true);
  if (!tx) return Fail(tx.error());
  for (const auto& v : values) {
    auto stmt = writer_->Prepare(
        "INSERT INTO present_values (meter, name, value, scale, unit, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
        "ON CONFLICT(meter, name) DO UPDATE SET value=excluded.value, scale=excluded.scale, unit=excluded.unit, "
        "at=excluded.at");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(1, meter).Bind(2, v.name).Bind(3, v.value.value).Bind(4, int64_t{v.value.scale});
    stmt->Bind(5, static_cast<int64_t>(v.value.unit)).Bind(6, Unix(v.at));
    if (auto r = stmt->Run(); !r) return r;
  }
  return tx->Commit();
}

core::Result<std::vector<PresentValue>> SqliteStore::PresentValues(std::string_view meter) {
  std::lock_guard lock(read_mu_);
  auto stmt = reader_->Prepare("SELECT name, value, scale, unit, at FROM present_values WHERE meter = ?1 ORDER BY name");
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, meter);
  std::vector<PresentValue> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return Fail(row.error());
    if (!*row) return out;
    out.push_back({stmt->Text(0),
                   core::Quantity{stmt->Int(1), static_cast<int8_t>(stmt->Int(2)), static_cast<core::Unit>(stmt->Int(3))},
                   At(stmt->Int(4))});
  }
}

}  // namespace meterd::store
