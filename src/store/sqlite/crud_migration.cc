#include "store/sqlite/crud_migration.h"

#include <sqlite3.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "store/sqlite/detail/open_file.h"
#include "store/sqlite/detail/statement.h"

namespace gatehouse::store::sqlite {
namespace {

// Writes in flight at once: enough to fill the writer's groups, bounded for memory.
constexpr size_t kWindow = 512;

class Window {
 public:
  void acquire() {
    std::unique_lock lock(mu_);
    ready_.wait(lock, [&] { return in_flight_ < kWindow; });
    ++in_flight_;
  }
  void release(const StoreResult<Record>& r, const std::string& key) {
    std::lock_guard lock(mu_);
    --in_flight_;
    if (r) {
      ++moved_;
    } else if (r.error().code == StoreErrorCode::kAlreadyExists) {
      ++kept_;
    } else if (!failure_) {
      failure_ = "item '" + key + "': " + r.error().message;
      item_refused_ =
          r.error().code == StoreErrorCode::kInvalid || r.error().code == StoreErrorCode::kTooLarge;
    }
    ready_.notify_all();
  }
  void drain() {
    std::unique_lock lock(mu_);
    ready_.wait(lock, [&] { return in_flight_ == 0; });
  }
  std::optional<std::string> failure() {
    std::lock_guard lock(mu_);
    return failure_;
  }
  // The failure is the item's own (it cannot be a DynamoDB item), not the storage's.
  bool item_refused() {
    std::lock_guard lock(mu_);
    return item_refused_;
  }
  uint64_t moved() const { return moved_; }
  uint64_t kept() const { return kept_; }

 private:
  std::mutex mu_;
  std::condition_variable ready_;
  size_t in_flight_ = 0;
  uint64_t moved_ = 0, kept_ = 0;
  std::optional<std::string> failure_;
  bool item_refused_ = false;
};

}  // namespace

core::Result<MigrationReport> migrate_crud_file(const std::string& path,
                                                const std::string& old_table, Table& into) {
  MigrationReport report;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return report;
  report.found = true;
  const std::string what = "table file '" + path + "' of an earlier gatehouse";
  detail::Db db;
  // Read-write: SQLite replays a WAL the earlier process left behind.
  int rc = detail::open_connection(path, "", 2000, SQLITE_OPEN_READWRITE, db);
  if (rc != SQLITE_OK) return detail::open_failure(path, "cannot open", rc, db.get());
  std::string columns;
  rc = detail::query_text(db.get(),
                          "SELECT group_concat(name, ', ') FROM (SELECT name FROM "
                          "pragma_table_info(" +
                              detail::quote_identifier(old_table) + ") ORDER BY cid)",
                          columns);
  if (rc != SQLITE_OK) return detail::open_failure(path, "cannot read the schema", rc, db.get());
  if (columns != detail::kColumns)
    return core::invalid_argument(
        what + " has no crud table '" + old_table +
        "' to move into the DynamoDB store; move the file aside (or set tables." + old_table +
        ".sqlite to the file that holds it)");
  detail::Stmt rows;
  rc = detail::prepare(db.get(),
                       "SELECT key, owner, created, updated, attributes FROM " +
                           detail::quote_identifier(old_table) + " ORDER BY key",
                       rows);
  if (rc != SQLITE_OK) return detail::open_failure(path, "cannot read the items", rc, db.get());
  Window window;
  while ((rc = sqlite3_step(rows.get())) == SQLITE_ROW) {
    Record record;
    record.key = detail::column_text(rows.get(), 0);
    record.owner = detail::column_text(rows.get(), 1);
    record.created_ms = sqlite3_column_int64(rows.get(), 2);
    record.updated_ms = sqlite3_column_int64(rows.get(), 3);
    record.attributes = detail::column_text(rows.get(), 4);
    window.acquire();
    std::string key = record.key;
    into.create(std::move(record),
                [&window, key](StoreResult<Record> r) { window.release(r, key); });
    if (window.failure()) break;
  }
  window.drain();
  if (auto failure = window.failure()) {
    if (window.item_refused())
      return core::invalid_argument(
          what + ": " + *failure +
          "; change or remove that item in the file (e.g. with the sqlite3 shell) and start "
          "again: the items moved so far stay, nothing was removed");
    return core::io_error(what + ": moving its items into the DynamoDB store failed: " + *failure +
                          "; nothing was removed, start again to retry");
  }
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return detail::open_failure(path, "cannot read the items", rc, db.get());
  rows.reset();
  db.reset();  // checkpoints and removes its -wal and -shm
  std::filesystem::rename(path, path + ".migrated", ec);
  if (ec)
    return core::io_error(what +
                          ": its items are in the DynamoDB store, but the file cannot be "
                          "renamed to " +
                          path + ".migrated (" + ec.message() + "); rename or remove it");
  report.moved = window.moved();
  report.kept = window.kept();
  return report;
}

}  // namespace gatehouse::store::sqlite
