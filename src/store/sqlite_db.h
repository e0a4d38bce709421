// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/error.h"

namespace meterd::store {

// Thin RAII layer over the SQLite C API that turns result codes into core::Error.
// Nothing here is thread-safe: a Database and its statements belong to whoever holds the
// mutex guarding them (see SqliteStore).

// Maps an SQLite result code to our error categories (busy -> unavailable, constraint ->
// conflict, corrupt -> corruption, everything else internal).
core::Error SqliteError(sqlite3* db, int rc, std::string_view context);

// A borrowed, cached prepared statement. Bind, step, read columns; on destruction the statement
// is reset and its bindings cleared so the next user finds it fresh. Parameters are 1-based,
// columns 0-based, as in SQLite.
class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Stmt(Stmt&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt& operator=(Stmt&&) = delete;
  ~Stmt();

  Stmt& Bind(int i, int64_t v);
  Stmt& Bind(int i, std::string_view text);
  Stmt& BindBlob(int i, std::string_view bytes);
  Stmt& BindNull(int i);

  // true: a row is ready; false: done.
  core::Result<bool> Step();
  // Steps to completion (for statements that return no rows).
  core::Result<void> Run();

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string Text(int col) const;
  std::string_view Blob(int col) const;  // valid until the next Step or destruction

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// One connection with its statement cache. Statements are prepared once (SQLITE_PREPARE_PERSISTENT)
// and finalised when the Database closes.
class Database {
 public:
  static core::Result<std::unique_ptr<Database>> Open(const std::string& path, bool create);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements without results (DDL, pragmas, BEGIN/COMMIT).
  core::Result<void> Exec(std::string_view sql);
  // A cached statement for `sql`. The SQL text is the cache key.
  core::Result<Stmt> Prepare(std::string_view sql);
  // Runs a single-row, single-column query, e.g. "PRAGMA journal_mode=WAL".
  core::Result<std::string> QueryText(std::string_view sql);

  int64_t LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }
  int Changes() const { return sqlite3_changes(db_); }
  sqlite3* handle() const { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  // Looked up by the SQL text without copying it (most statements are literals run per row).
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, sqlite3_stmt*, TextHash, std::equal_to<>> cache_;
};

// BEGIN (IMMEDIATE for writers, so the write lock is taken up front rather than failing with
// SQLITE_BUSY half-way) ... COMMIT; rolls back if destroyed before Commit().
class Transaction {
 public:
  static core::Result<Transaction> Begin(Database& db, bool immediate);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  core::Result<void> Commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;  // null once committed or rolled back
};

}  // namespace meterd::store
