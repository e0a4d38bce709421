// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/error.h"
#include "store/sqlite_db.h"

namespace meterd::store {

// One schema step. Steps are applied in order, each in its own transaction together with the
// schema_version row that records it, so a crash leaves the database at a whole step.
// Never edit a released step: append a new one.
struct Migration {
  int64_t version;
  std::string_view sql;
};

std::span<const Migration> SqliteMigrations();
int64_t LatestSchemaVersion();

// Applies the steps newer than the database's version. Refuses (kConflict) a database whose
// version is newer than this code knows, before changing anything.
core::Result<void> ApplyMigrations(Database& db);

}  // namespace meterd::store
