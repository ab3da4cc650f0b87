// The engine's file, catalog and table operations. Item operations: engine_items.cc; Query and
// Scan: engine_pages.cc.
#include "store/sqlite/engine.h"

#include <chrono>
#include <cstdlib>

#include "core/ids.h"
#include "store/sqlite/catalog.h"
#include "store/sqlite/detail/database.h"
#include "store/sqlite/detail/engine_support.h"
#include "store/sqlite/detail/open_file.h"
#include "store/sqlite/detail/table_entry.h"

namespace gatehouse::store::sqlite {

using detail::Connection;
using detail::TableEntry;

namespace {

// The file's layout version (PRAGMA user_version), checked at open.
constexpr int kEngineSchemaVersion = 1;
// Marks a file as the engine's (PRAGMA application_id): "GHDB".
constexpr int kApplicationId = 0x47484442;

// The catalog of tables, and the ClientRequestTokens of recent transactions (the digest of the
// request each was first used with, and when).
constexpr std::string_view kCatalogSql =
    "CREATE TABLE IF NOT EXISTS catalog (name TEXT NOT NULL PRIMARY KEY,"
    " id INTEGER NOT NULL UNIQUE, definition TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS tokens (token TEXT NOT NULL PRIMARY KEY,"
    " digest TEXT NOT NULL, created_ms INTEGER NOT NULL)";

int64_t unix_ms(const core::Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.now().time_since_epoch())
      .count();
}

core::Status check_and_create_schema(Connection& c, const std::string& path) {
  sqlite3* db = c.handle();
  std::string text;
  int rc = detail::query_text(db, "PRAGMA application_id", text);
  if (rc != SQLITE_OK) return detail::open_failure(path, "cannot read the file's header", rc, db);
  const int application = std::atoi(text.c_str());
  rc = detail::query_text(db, "PRAGMA user_version", text);
  if (rc != SQLITE_OK) return detail::open_failure(path, "cannot read the schema version", rc, db);
  const int version = std::atoi(text.c_str());
  std::string tables;
  rc = detail::query_text(db, "SELECT count(*) FROM sqlite_schema", tables);
  if (rc != SQLITE_OK) return detail::open_failure(path, "cannot read the schema", rc, db);
  const bool empty = tables == "0";
  if (!empty && application != kApplicationId)
    return core::invalid_argument("database '" + path +
                                  "' holds tables that are not the DynamoDB store's; give the "
                                  "store a file of its own");
  if (version > kEngineSchemaVersion)
    return core::invalid_argument("database '" + path + "': schema version " +
                                  std::to_string(version) + " is newer than this build's (" +
                                  std::to_string(kEngineSchemaVersion) + ")");
  if (!empty) return {};
  if (sqlite3_db_readonly(db, "main") == 1)
    return core::Status(core::Code::kPermissionDenied,
                        "database '" + path + "': the file is read-only and empty");
  const std::string schema = "BEGIN IMMEDIATE;" + std::string(kCatalogSql) +
                             ";PRAGMA application_id = " + std::to_string(kApplicationId) +
                             ";PRAGMA user_version = " + std::to_string(kEngineSchemaVersion) +
                             ";COMMIT;";
  rc = sqlite3_exec(db, schema.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    core::Status failure = detail::open_failure(path, "cannot create the catalog", rc, db);
    if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return failure;
  }
  return {};
}

DbError table_exists(const std::string& name) {
  return {DbErrorKind::kResourceInUse, "Table already exists: " + name, {}, {}};
}

std::shared_ptr<TableEntry> make_entry(TableDefinition definition, int64_t id) {
  auto entry = std::make_shared<TableEntry>();
  entry->definition = std::move(definition);
  entry->id = id;
  entry->prepare_sql();
  return entry;
}

}  // namespace

core::Result<std::unique_ptr<Engine>> Engine::open(EngineOptions options, SqliteStats& stats,
                                                   const core::Clock& clock) {
  std::map<std::string, std::shared_ptr<const TableEntry>, std::less<>> tables;
  int64_t next_id = 1;
  const std::string path = options.path;
  auto setup = [&](Connection& c) -> core::Status {
    if (auto ready = check_and_create_schema(c, path); !ready.ok()) return ready;
    sqlite3* db = c.handle();
    detail::Stmt stmt;
    int rc = detail::prepare(db, "SELECT name, id, definition FROM catalog ORDER BY name", stmt);
    while (rc == SQLITE_OK && (rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
      const std::string name = detail::column_text(stmt.get(), 0);
      const int64_t id = sqlite3_column_int64(stmt.get(), 1);
      auto definition = definition_from_json(detail::column_text(stmt.get(), 2));
      if (!definition)
        return core::invalid_argument("database '" + path + "': table '" + name +
                                      "': " + definition.error().message());
      tables.emplace(name, make_entry(std::move(*definition), id));
      next_id = std::max(next_id, id + 1);
      rc = SQLITE_OK;
    }
    if (rc != SQLITE_DONE) return detail::open_failure(path, "cannot read the catalog", rc, db);
    return {};
  };
  auto db = detail::Database::open({.path = options.path,
                                    .max_batch = options.max_batch,
                                    .busy_timeout_ms = options.busy_timeout_ms,
                                    .max_queue = options.max_queue,
                                    .vfs = options.vfs},
                                   stats, setup);
  if (!db) return db.error();
  return std::unique_ptr<Engine>(new Engine(std::move(*db), clock, std::move(tables), next_id));
}

Engine::Engine(std::unique_ptr<detail::Database> db, const core::Clock& clock,
               std::map<std::string, std::shared_ptr<const TableEntry>, std::less<>> tables,
               int64_t next_id)
    : db_(std::move(db)), clock_(clock), tables_(std::move(tables)), next_id_(next_id) {}

Engine::~Engine() {
  close();
}

void Engine::close() {
  db_->close();
}

void Engine::release_idle_readers() {
  db_->release_idle_readers();
}

std::shared_ptr<const TableEntry> Engine::entry(std::string_view name) const {
  std::lock_guard lock(tables_mu_);
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : it->second;
}

std::shared_ptr<const TableDefinition> Engine::find_table(std::string_view name) const {
  auto e = entry(name);
  if (!e) return nullptr;
  return {e, &e->definition};
}

ListTablesResult Engine::list_tables(const std::optional<std::string>& start, uint32_t limit) {
  ListTablesResult out;
  std::lock_guard lock(tables_mu_);
  auto it = start ? tables_.upper_bound(*start) : tables_.begin();
  for (; it != tables_.end() && out.names.size() < limit; ++it)
    out.names.push_back(it->first);
  // Named only when more follow.
  if (it != tables_.end() && !out.names.empty()) out.last_evaluated = out.names.back();
  return out;
}

// Creating and dropping a table: the catalog row and the SQL tables in the writer's transaction;
// the in-memory catalog changes once it committed.
class Engine::TableJob final : public detail::WriteJob {
 public:
  TableJob(Engine& engine, std::shared_ptr<TableEntry> entry, bool create,
           Done<TableDescription> done)
      : engine_(engine), entry_(std::move(entry)), create_(create), done_(std::move(done)) {}

  int execute(Connection& c, Outcome& outcome) override {
    int rc = SQLITE_OK;
    sqlite3_stmt* find = c.statement("SELECT id FROM catalog WHERE name = ?1", rc);
    if (!find) return rc;
    bool exists = false;
    {
      detail::ResetOnExit reset(find);
      rc = detail::bind_all(find, std::string_view(entry_->definition.name));
      if (rc == SQLITE_OK) rc = sqlite3_step(find);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return rc;
      exists = rc == SQLITE_ROW;
      if (!create_ && exists && sqlite3_column_int64(find, 0) != entry_->id) exists = false;
    }
    if (create_ == exists) {
      outcome = Outcome::kRefused;
      return SQLITE_OK;
    }
    std::string sql;
    if (create_) {
      entry_->id = engine_.next_id_++;
      entry_->prepare_sql();
      sql = entry_->create_sql();
      sqlite3_stmt* insert =
          c.statement("INSERT INTO catalog (name, id, definition) VALUES (?1, ?2, ?3)", rc);
      if (!insert) return rc;
      detail::ResetOnExit reset(insert);
      const std::string definition = definition_to_json(entry_->definition);
      rc = detail::bind_all(insert, std::string_view(entry_->definition.name), entry_->id,
                            std::string_view(definition));
      if (rc == SQLITE_OK) rc = sqlite3_step(insert);
      if (rc != SQLITE_DONE) return rc;
    } else {
      sql = entry_->drop_sql();
      sqlite3_stmt* remove = c.statement("DELETE FROM catalog WHERE id = ?1", rc);
      if (!remove) return rc;
      detail::ResetOnExit reset(remove);
      rc = detail::bind_all(remove, entry_->id);
      if (rc == SQLITE_OK) rc = sqlite3_step(remove);
      if (rc != SQLITE_DONE) return rc;
      entry_->dropped.store(true, std::memory_order_relaxed);
    }
    rc = sqlite3_exec(c.handle(), sql.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return rc;
    outcome = Outcome::kApplied;
    applied_ = true;
    return SQLITE_OK;
  }

  void committed() override {
    const std::string& name = entry_->definition.name;
    if (!applied_) {
      return done_(create_ ? table_exists(name) : table_not_found(name));
    }
    {
      std::lock_guard lock(engine_.tables_mu_);
      if (create_)
        engine_.tables_[name] = entry_;
      else
        engine_.tables_.erase(name);
    }
    TableDescription description;
    description.definition = entry_->definition;
    description.status = create_ ? "ACTIVE" : "DELETING";
    description.item_count = item_count_;
    description.size_bytes = size_bytes_;
    done_(std::move(description));
  }

  void failed(StoreError error) override {
    if (!create_) entry_->dropped.store(false, std::memory_order_relaxed);
    done_(detail::db_error(error));
  }

  bool needs_savepoint() const override { return true; }
  uint64_t item_count_ = 0;
  uint64_t size_bytes_ = 0;

 private:
  Engine& engine_;
  std::shared_ptr<TableEntry> entry_;
  const bool create_;
  Done<TableDescription> done_;
  bool applied_ = false;
};

void Engine::create_table(TableDefinition table, Done<TableDescription> done) {
  if (entry(table.name)) return done(table_exists(table.name));
  table.created_ms = unix_ms(clock_);
  table.table_id = core::to_string(core::new_request_id());
  db_->write(
      std::make_unique<TableJob>(*this, make_entry(std::move(table), 0), true, std::move(done)));
}

void Engine::delete_table(std::string name, Done<TableDescription> done) {
  auto current = entry(name);
  if (!current) return done(table_not_found(name));
  if (current->definition.deletion_protection)
    return done(validation_error(
        "Resource cannot be deleted as it is currently protected against deletion. Disable "
        "deletion protection first."));
  auto counted = describe_table(name);
  // The job marks the shared entry dropped for the writes still queued behind it.
  auto job = std::make_unique<TableJob>(*this, std::const_pointer_cast<TableEntry>(current), false,
                                        std::move(done));
  if (counted) {
    job->item_count_ = counted->item_count;
    job->size_bytes_ = counted->size_bytes;
  }
  db_->write(std::move(job));
}

DbResult<TableDescription> Engine::describe_table(std::string_view name) {
  auto e = entry(name);
  if (!e) return table_not_found(name);
  TableDescription description;
  description.definition = e->definition;
  auto count = [](Connection& c, const std::string& table, uint64_t& items, uint64_t& bytes) {
    int rc = SQLITE_OK;
    sqlite3_stmt* stmt = c.statement("SELECT count(*), coalesce(sum(size), 0) FROM " + table, rc);
    if (!stmt) return rc;
    detail::ResetOnExit reset(stmt);
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) return rc;
    items = static_cast<uint64_t>(sqlite3_column_int64(stmt, 0));
    bytes = static_cast<uint64_t>(sqlite3_column_int64(stmt, 1));
    return SQLITE_OK;
  };
  auto failure = db_->read([&](Connection& c) {
    int rc = count(c, e->sql_table, description.item_count, description.size_bytes);
    for (const detail::IndexEntry& index : e->indexes) {
      if (rc != SQLITE_OK) break;
      auto& counts = description.index_counts.emplace_back();
      rc = count(c, index.sql_table, counts.first, counts.second);
    }
    return rc;
  });
  if (failure) return detail::read_failure(*failure, *e);
  return description;
}

}  // namespace gatehouse::store::sqlite
