#include "store/sqlite/detail/open_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <mutex>

namespace gatehouse::store::sqlite::detail {
int query_text(sqlite3* db, const std::string& sql, std::string& out) {
  Stmt stmt;
  int rc = prepare(db, sql, stmt);
  if (rc != SQLITE_OK) return rc;
  rc = sqlite3_step(stmt.get());
  if (rc == SQLITE_ROW) {
    out = column_text(stmt.get(), 0);
    return SQLITE_OK;
  }
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

std::string quote_identifier(std::string_view name) {
  return "\"" + std::string(name) + "\"";
}

int open_connection(const std::string& path, const std::string& vfs, uint32_t busy_timeout_ms,
                    int mode, Db& out) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, mode | SQLITE_OPEN_NOMUTEX,
                           vfs.empty() ? nullptr : vfs.c_str());
  out.reset(db);  // also on failure: the handle holds the error and must be closed
  if (rc != SQLITE_OK) return rc;
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(std::min<uint32_t>(busy_timeout_ms, INT32_MAX)));
  return SQLITE_OK;
}

core::Status open_failure(const std::string& path, std::string_view doing, int rc, sqlite3* db) {
  std::string what = "database '" + path + "': " + std::string(doing) + ": ";
  int sys_errno = db ? sqlite3_system_errno(db) : 0;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return core::unavailable(what + "locked by another connection");
    case SQLITE_NOTADB:
      return core::io_error(what + "the file is not a SQLite database");
    case SQLITE_CORRUPT:
      return core::io_error(what + "the file is damaged");
    case SQLITE_PERM:
      return {core::Code::kPermissionDenied, what + "permission denied"};
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
      if (sys_errno == EACCES || sys_errno == EPERM)
        return {core::Code::kPermissionDenied, what + "permission denied"};
      if (sys_errno == ENOENT) return core::not_found(what + "no such file or directory");
      if (sys_errno != 0) return core::io_error(what + std::strerror(sys_errno));
      break;
    default:
      break;
  }
  return core::io_error(what + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
}

// Checked here too because errno says more than SQLite's "unable to open database file".
core::Status create_file_if_absent(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode))
      return core::invalid_argument("database '" + path + "' is a directory");
    return {};
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
    return {};
  }
  int err = errno;
  if (err == EEXIST) return {};  // created meanwhile by another process
  if (err == ENOENT) {
    std::string dir = std::filesystem::path(path).parent_path().string();
    return core::not_found("database '" + path + "': directory '" + (dir.empty() ? "." : dir) +
                           "' does not exist (it must be created first)");
  }
  if (err == EACCES || err == EPERM)
    return {core::Code::kPermissionDenied,
            "database '" + path + "': cannot create the file: permission denied"};
  return core::io_error("database '" + path + "': cannot create the file: " + std::strerror(err));
}

core::Status enable_wal(sqlite3* db, const std::string& path) {
  std::string mode;
  int rc = query_text(db, "PRAGMA journal_mode = WAL", mode);
  if (rc != SQLITE_OK) return open_failure(path, "cannot switch to WAL mode", rc, db);
  if (mode != "wal")
    return core::io_error("database '" + path + "': cannot switch to WAL mode (mode is '" + mode +
                          "')");
  // Per connection: only the writer's commits need it.
  rc = sqlite3_exec(db, "PRAGMA synchronous = FULL", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return open_failure(path, "cannot set synchronous=FULL", rc, db);
  return {};
}

// SQLite's memory statistics (on by default) take a process-wide mutex around every allocation
// SQLite makes, a few per read, which all reading threads then contend for. Nothing here uses them
// (sqlite3_memory_used, soft heap limits). Global configuration only takes before SQLite
// initializes, so in a process that used SQLite before the first open() this changes nothing.
void disable_memory_statistics() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace gatehouse::store::sqlite::detail
