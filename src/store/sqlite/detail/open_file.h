// Opening a SQLite file: creating it 0600, each connection's settings, WAL mode, one-row queries,
// with errors that name the file for the operator (detail/database.cc, engine.cc, and
// crud_migration.cc, which reads the files of the one-file-per-table layout). Internal to
// store/sqlite.
#pragma once

#include <sqlite3.h>

#include <string>
#include <string_view>

#include "core/status.h"
#include "store/sqlite/detail/statement.h"

namespace gatehouse::store::sqlite::detail {

// The columns of a crud table in the one-file-per-table layout, in order.
inline constexpr std::string_view kColumns = "key, owner, created, updated, attributes";

std::string quote_identifier(std::string_view name);

// Creates a missing database file with mode 0600 (SQLite would use 0644 less the umask); SQLite
// then gives the -wal and -shm files the same mode.
core::Status create_file_if_absent(const std::string& path);
// A connection in `mode` with extended result codes and the busy timeout; `out` holds the handle
// also on failure (it carries the error and must be closed).
int open_connection(const std::string& path, const std::string& vfs, uint32_t busy_timeout_ms,
                    int mode, Db& out);
// An open() error for the operator: it names the file and keeps SQLite's own detail.
core::Status open_failure(const std::string& path, std::string_view doing, int rc, sqlite3* db);
// Runs a one-row query (a PRAGMA) and returns its first column as text (empty without a row).
int query_text(sqlite3* db, const std::string& sql, std::string& out);
// Puts the file in WAL mode and the connection in synchronous=FULL (a commit is fsynced).
core::Status enable_wal(sqlite3* db, const std::string& path);
// Turns off SQLite's memory statistics before its first use in the process.
void disable_memory_statistics();

}  // namespace gatehouse::store::sqlite::detail
