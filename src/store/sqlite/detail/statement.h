// The SQLite statement kit the table's files use: owned handles, binding, stepping and reading
// columns. Internal to store/sqlite.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace gatehouse::store::sqlite::detail {

struct StmtDeleter {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

struct DbDeleter {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, DbDeleter>;

// Resets a statement when the scope ends, so it lets go of its read snapshot at once and the next
// use starts clean whatever path this one left by.
class ResetOnExit {
 public:
  explicit ResetOnExit(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~ResetOnExit() { sqlite3_reset(stmt_); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

// The strings outlive the statement's step (SQLITE_STATIC: no copy).
inline int bind_value(sqlite3_stmt* stmt, int index, std::string_view text) {
  return sqlite3_bind_text64(stmt, index, text.data() ? text.data() : "", text.size(),
                             SQLITE_STATIC, SQLITE_UTF8);
}
inline int bind_value(sqlite3_stmt* stmt, int index, int64_t value) {
  return sqlite3_bind_int64(stmt, index, value);
}

// Binds `values` to parameters ?1, ?2, ... in order; the first failure's code, or SQLITE_OK.
template <class... Values>
int bind_all(sqlite3_stmt* stmt, const Values&... values) {
  int index = 0;
  int rc = SQLITE_OK;
  ((rc = rc == SQLITE_OK ? bind_value(stmt, ++index, values) : rc), ...);
  return rc;
}

// Runs a statement that returns no rows (BEGIN, COMMIT, ROLLBACK).
inline int run(sqlite3_stmt* stmt) {
  int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

inline std::string column_text(sqlite3_stmt* stmt, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
  return text ? std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt, column)))
              : std::string();
}

inline int prepare(sqlite3* db, const std::string& sql, Stmt& out) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size() + 1),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  out.reset(stmt);
  return rc;
}

}  // namespace gatehouse::store::sqlite::detail
