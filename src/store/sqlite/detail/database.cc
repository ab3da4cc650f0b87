#include "store/sqlite/detail/database.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <utility>

#include "core/assert.h"
#include "core/clock.h"
#include "store/sqlite/detail/open_file.h"

namespace gatehouse::store::sqlite::detail {
namespace {

StoreError closed_error() {
  return {StoreErrorCode::kUnavailable, "the store is closed"};
}

std::atomic<uint64_t> next_database_id{1};

}  // namespace

StoreError storage_error(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return {StoreErrorCode::kUnavailable, "database is locked"};
    case SQLITE_FULL:
      return {StoreErrorCode::kUnavailable, "disk full"};
    case SQLITE_READONLY:
      return {StoreErrorCode::kUnavailable, "database is read-only"};
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return {StoreErrorCode::kCorrupt, "database file is damaged"};
    default:
      // sqlite3_errstr describes the code only, never the file or the statement.
      return {StoreErrorCode::kIoError, std::string("storage error: ") + sqlite3_errstr(rc)};
  }
}

sqlite3_stmt* Connection::statement(const std::string& sql, int& rc) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) {
    rc = SQLITE_OK;
    return it->second.get();
  }
  // Statements of dropped tables would pile up in a long-lived process that creates and drops
  // tables: start over past the bound (re-preparing costs microseconds).
  if (statements_.size() >= kMaxStatements) statements_.clear();
  Stmt stmt;
  rc = prepare(db_.get(), sql, stmt);
  if (rc != SQLITE_OK) return nullptr;
  return statements_.emplace(sql, std::move(stmt)).first->second.get();
}

sqlite3_stmt* Connection::statement(uint64_t key, const std::string& sql, int& rc) {
  auto it = by_key_.find(key);
  if (it != by_key_.end()) {
    rc = SQLITE_OK;
    return it->second.get();
  }
  if (by_key_.size() >= kMaxStatements) by_key_.clear();
  Stmt stmt;
  rc = prepare(db_.get(), sql, stmt);
  if (rc != SQLITE_OK) return nullptr;
  return by_key_.emplace(key, std::move(stmt)).first->second.get();
}

// One thread's read connection to one database.
struct Database::ReadConnection {
  // Held by its thread while reading, by release_idle_readers() while ending an idle snapshot, and
  // by whoever closes it. Guards everything below but `closed`.
  std::mutex mu;
  std::atomic<bool> closed{false};
  std::unique_ptr<Connection> connection;
  bool in_snapshot = false;
  uint64_t snapshot_generation = 0;
  bool seen_by_release = false;

  int run(const char* sql) {
    int rc = SQLITE_OK;
    sqlite3_stmt* stmt = connection->statement(sql, rc);
    return stmt ? detail::run(stmt) : rc;
  }
  // Ends the read transaction, if one is open. Requires: mu held.
  void end_snapshot() {
    if (connection && !sqlite3_get_autocommit(connection->handle())) run("ROLLBACK");
    in_snapshot = false;
  }
  // Requires: mu held.
  void close() {
    in_snapshot = false;
    connection.reset();
    closed.store(true, std::memory_order_release);
  }
};

// A thread's read connections, by database id; on thread exit it closes them, touching only them.
struct Database::ThreadReaders {
  struct Entry {
    uint64_t database_id;
    std::shared_ptr<ReadConnection> connection;
  };
  std::vector<Entry> entries;

  ~ThreadReaders() {
    for (auto& entry : entries) {
      std::lock_guard lock(entry.connection->mu);
      entry.connection->close();
    }
  }
};

struct Database::FileState {
  std::atomic<bool> wal_over_mark{false};
};

std::shared_ptr<Database::FileState> Database::file_state(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::make_shared<FileState>();
  static std::mutex mu;
  static std::map<std::pair<dev_t, ino_t>, std::weak_ptr<FileState>> files;
  std::lock_guard lock(mu);
  std::erase_if(files, [](auto& entry) { return entry.second.expired(); });
  std::weak_ptr<FileState>& slot = files[{st.st_dev, st.st_ino}];
  std::shared_ptr<FileState> state = slot.lock();
  if (!state) {
    state = std::make_shared<FileState>();
    slot = state;
  }
  return state;
}

core::Result<std::unique_ptr<Database>> Database::open(
    DatabaseOptions options, SqliteStats& stats,
    const std::function<core::Status(Connection&)>& setup) {
  disable_memory_statistics();
  const std::string& path = options.path;
  if (path.empty()) return core::invalid_argument("the database path is empty");
  if (options.max_batch == 0 || options.max_queue == 0)
    return core::invalid_argument("database '" + path + "': max_batch and max_queue must be > 0");
  if (!options.vfs.empty() && !sqlite3_vfs_find(options.vfs.c_str()))
    return core::invalid_argument("database '" + path + "': no SQLite VFS named '" + options.vfs +
                                  "'");
  if (auto created = create_file_if_absent(path); !created.ok()) return created;

  Db db;
  int rc = open_connection(path, options.vfs, options.busy_timeout_ms,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, db);
  if (rc != SQLITE_OK) return open_failure(path, "cannot open", rc, db.get());
  std::string version;
  rc = query_text(db.get(), "PRAGMA user_version", version);  // fails here if not a database
  if (rc != SQLITE_OK) return open_failure(path, "cannot read the schema version", rc, db.get());
  if (sqlite3_db_readonly(db.get(), "main") != 1) {
    if (auto wal = enable_wal(db.get(), path); !wal.ok()) return wal;
  }
  auto writer = std::make_unique<Connection>(std::move(db));
  if (auto ready = setup(*writer); !ready.ok()) return ready;
  std::shared_ptr<FileState> file = file_state(path);
  return std::unique_ptr<Database>(
      new Database(std::move(options), stats, std::move(writer), std::move(file)));
}

Database::Database(DatabaseOptions options, SqliteStats& stats, std::unique_ptr<Connection> writer,
                   std::shared_ptr<FileState> file)
    : options_(std::move(options)),
      stats_(stats),
      id_(next_database_id.fetch_add(1, std::memory_order_relaxed)),
      file_(std::move(file)),
      writer_db_(std::move(writer)) {
  sqlite3_wal_hook(writer_db_->handle(), &Database::after_wal_commit, this);
  writer_ = std::thread([this] { run_writer(); });
}

int Database::after_wal_commit(void* self, sqlite3* db, const char* schema, int frames) {
  // As SQLite's own hook, but also telling readers to let go of their snapshots while the WAL is
  // past the mark (docs/storage.md, keeping the WAL from growing).
  const bool over = frames >= kCheckpointFrames;
  static_cast<Database*>(self)->file_->wal_over_mark.store(over, std::memory_order_relaxed);
  if (over) sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  return SQLITE_OK;
}

Database::~Database() {
  close();
}

void Database::close() {
  std::lock_guard close_lock(close_mu_);
  if (closed_) return;
  GH_CHECK(std::this_thread::get_id() != writer_.get_id());
  {
    std::lock_guard lock(queue_mu_);
    closing_.store(true, std::memory_order_release);
  }
  queue_ready_.notify_one();
  writer_.join();  // it drains the queue first

  std::vector<std::shared_ptr<ReadConnection>> readers;
  {
    std::lock_guard lock(readers_mu_);
    readers.swap(readers_);
  }
  for (auto& connection : readers) {
    std::lock_guard lock(connection->mu);
    connection->close();
  }
  // Closed last, the writer's connection checkpoints the WAL into the file and removes it.
  writer_db_.reset();
  closed_ = true;
}

void Database::write(std::unique_ptr<WriteJob> job) {
  bool closed = false;
  bool full = false;
  bool was_empty = false;
  {
    std::lock_guard lock(queue_mu_);
    if (closing_.load(std::memory_order_relaxed)) {
      closed = true;
    } else if (in_flight_ >= options_.max_queue) {
      full = true;
    } else {
      was_empty = queue_.empty();
      queue_.push_back(std::move(job));
      ++in_flight_;
      stats_.queue_depth.set(static_cast<int64_t>(in_flight_));
    }
  }
  if (closed) return job->failed(closed_error());
  if (full) {
    stats_.queue_full.inc();
    return job->failed({StoreErrorCode::kOverloaded, "write queue full"});
  }
  if (was_empty) queue_ready_.notify_one();
}

void Database::run_writer() {
  std::vector<std::unique_ptr<WriteJob>> taken;
  for (;;) {
    {
      std::unique_lock lock(queue_mu_);
      queue_ready_.wait(
          lock, [&] { return !queue_.empty() || closing_.load(std::memory_order_relaxed); });
      if (queue_.empty()) return;
      taken.swap(queue_);
    }
    for (size_t first = 0; first < taken.size(); first += options_.max_batch) {
      size_t count = std::min<size_t>(options_.max_batch, taken.size() - first);
      commit_group(taken.data() + first, count);
      std::lock_guard lock(queue_mu_);
      in_flight_ -= count;
      stats_.queue_depth.set(static_cast<int64_t>(in_flight_));
    }
    taken.clear();
  }
}

int Database::run_job(WriteJob& job, WriteJob::Outcome& outcome) {
  Connection& c = *writer_db_;
  if (!job.needs_savepoint()) return job.execute(c, outcome);
  int rc = SQLITE_OK;
  sqlite3_stmt* savepoint = c.statement("SAVEPOINT job", rc);
  if (!savepoint || (rc = run(savepoint)) != SQLITE_OK) return rc;
  rc = job.execute(c, outcome);
  if (rc != SQLITE_OK) return rc;  // the whole group rolls back
  if (outcome == WriteJob::Outcome::kRefused) {
    sqlite3_stmt* undo = c.statement("ROLLBACK TO job", rc);
    if (!undo || (rc = run(undo)) != SQLITE_OK) return rc;
  }
  sqlite3_stmt* release = c.statement("RELEASE job", rc);
  if (!release) return rc;
  return run(release);
}

void Database::commit_group(std::unique_ptr<WriteJob>* jobs, size_t count) {
  // The commit latency histogram is a measurement, never a decision: the OS clock times it.
  auto started = core::os_monotonic();
  Connection& c = *writer_db_;
  int rc = SQLITE_OK;
  // A ROLLBACK that failed last time leaves the transaction open; end it before starting anew.
  if (!sqlite3_get_autocommit(c.handle())) {
    if (sqlite3_stmt* rollback = c.statement("ROLLBACK", rc)) run(rollback);
  }
  sqlite3_stmt* begin = c.statement("BEGIN IMMEDIATE", rc);
  if (begin) rc = run(begin);
  std::vector<WriteJob::Outcome> outcomes(count, WriteJob::Outcome::kApplied);
  for (size_t i = 0; i < count && rc == SQLITE_OK; ++i)
    rc = run_job(*jobs[i], outcomes[i]);
  if (rc == SQLITE_OK) {
    sqlite3_stmt* commit = c.statement("COMMIT", rc);
    if (commit) rc = run(commit);
  }
  // Readers refresh their snapshots on their next read; published before any answer, so a read
  // after an answer sees the new generation (docs/storage.md).
  auto publish = [&] { generation_.fetch_add(1, std::memory_order_release); };

  if (rc != SQLITE_OK) {
    if (!sqlite3_get_autocommit(c.handle())) {
      int ignored = SQLITE_OK;
      if (sqlite3_stmt* rollback = c.statement("ROLLBACK", ignored)) run(rollback);
    }
    publish();
    StoreError error = storage_error(rc);
    stats_.failed_batches.inc();
    count_failure(error.code);
    for (size_t i = 0; i < count; ++i)
      jobs[i]->failed(error);
    return;
  }

  publish();
  auto elapsed = core::os_monotonic() - started;
  stats_.commits.inc();
  stats_.batched_ops.inc(count);
  stats_.commit_latency.observe_us(static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()));
  stats_.items_written.inc(static_cast<uint64_t>(
      std::count(outcomes.begin(), outcomes.end(), WriteJob::Outcome::kApplied)));
  for (size_t i = 0; i < count; ++i)
    jobs[i]->committed();
}

void Database::count_failure(StoreErrorCode code) {
  switch (code) {
    case StoreErrorCode::kUnavailable:
      return stats_.unavailable.inc();
    case StoreErrorCode::kCorrupt:
      return stats_.corrupt.inc();
    default:
      return stats_.io_errors.inc();
  }
}

Database::ReadConnection* Database::reader(StoreError& error) {
  static thread_local ThreadReaders mine;
  for (auto& entry : mine.entries) {
    if (entry.database_id == id_) return entry.connection.get();
  }
  return open_reader(mine, error);
}

Database::ReadConnection* Database::open_reader(ThreadReaders& mine, StoreError& error) {
  auto reading = std::make_shared<ReadConnection>();
  Db db;
  int rc = open_connection(options_.path, options_.vfs, options_.busy_timeout_ms,
                           SQLITE_OPEN_READONLY, db);
  if (rc != SQLITE_OK) {
    error = storage_error(rc);
    count_failure(error.code);
    return nullptr;
  }
  reading->connection = std::make_unique<Connection>(std::move(db));
  {
    std::lock_guard lock(readers_mu_);
    if (closing_.load(std::memory_order_acquire)) {
      error = closed_error();
      return nullptr;
    }
    std::erase_if(readers_, [](auto& c) { return c->closed.load(std::memory_order_acquire); });
    readers_.push_back(reading);
  }
  std::erase_if(mine.entries,
                [](auto& e) { return e.connection->closed.load(std::memory_order_acquire); });
  mine.entries.push_back({id_, reading});
  return reading.get();
}

int Database::refresh_snapshot(ReadConnection& connection) {
  // Loaded before BEGIN: a commit between the two makes the snapshot newer than recorded, which
  // costs one needless refresh, never a stale read.
  const uint64_t generation = generation_.load(std::memory_order_acquire);
  if (connection.in_snapshot) {
    if (connection.snapshot_generation == generation) return SQLITE_OK;
    connection.end_snapshot();
  }
  int rc = connection.run("BEGIN");
  if (rc != SQLITE_OK) return rc;
  connection.in_snapshot = true;
  connection.snapshot_generation = generation;
  connection.seen_by_release = false;
  stats_.read_snapshots.inc();
  return SQLITE_OK;
}

std::optional<StoreError> Database::read_with(void* f, int (*call)(void*, Connection&)) {
  if (closing_.load(std::memory_order_acquire)) return closed_error();
  StoreError error{StoreErrorCode::kIoError, {}};
  ReadConnection* reading = reader(error);
  if (!reading) return error;
  std::lock_guard lock(reading->mu);
  if (reading->closed.load(std::memory_order_relaxed)) return closed_error();
  int rc = refresh_snapshot(*reading);
  if (rc == SQLITE_OK) rc = call(f, *reading->connection);
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    reading->end_snapshot();  // the next read starts afresh
    error = storage_error(rc);
    count_failure(error.code);
    return error;
  }
  if (file_->wal_over_mark.load(std::memory_order_relaxed)) reading->end_snapshot();
  return std::nullopt;
}

void Database::release_idle_readers() {
  const uint64_t generation = generation_.load(std::memory_order_acquire);
  std::lock_guard lock(readers_mu_);
  std::erase_if(readers_, [](auto& c) { return c->closed.load(std::memory_order_acquire); });
  for (auto& connection : readers_) {
    std::unique_lock use(connection->mu, std::try_to_lock);
    if (!use.owns_lock() || !connection->in_snapshot) continue;
    if (connection->snapshot_generation != generation || connection->seen_by_release)
      connection->end_snapshot();
    else
      connection->seen_by_release = true;
  }
}

}  // namespace gatehouse::store::sqlite::detail
