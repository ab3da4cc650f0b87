#include "store/sqlite/sqlite_table.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <initializer_list>
#include <map>
#include <optional>
#include <string_view>
#include <utility>
#include <variant>

#include "core/assert.h"
#include "core/clock.h"
#include "core/defaults.h"
#include "store/cursor.h"
#include "store/sqlite/detail/open_file.h"
#include "store/sqlite/detail/statement.h"

namespace gatehouse::store::sqlite {
namespace {

using detail::bind_all;
using detail::column_text;
using detail::Db;
using detail::kColumns;
using detail::open_connection;
using detail::open_failure;
using detail::prepare;
using detail::quote_identifier;
using detail::ResetOnExit;
using detail::run;
using detail::Stmt;

constexpr uint32_t kMaxListLimit = core::defaults::kMaxCrudPageLimit;

// Every column of the row but the key.
void row_fields(sqlite3_stmt* stmt, Record& item) {
  item.owner = column_text(stmt, 1);
  item.created_ms = sqlite3_column_int64(stmt, 2);
  item.updated_ms = sqlite3_column_int64(stmt, 3);
  item.attributes = column_text(stmt, 4);
}

Record row_item(sqlite3_stmt* stmt) {
  Record item;
  item.key = column_text(stmt, 0);
  row_fields(stmt, item);
  return item;
}

// Safe for clients: sqlite3_errstr describes the code only, never the file or the statement.
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
      return {StoreErrorCode::kIoError, std::string("storage error: ") + sqlite3_errstr(rc)};
  }
}

StoreError closed_error() {
  return {StoreErrorCode::kUnavailable, "table is closed"};
}

std::string select_from(std::string_view table) {
  return "SELECT " + std::string(kColumns) + " FROM " + quote_identifier(table);
}

std::atomic<uint64_t> next_table_id{1};

}  // namespace

// The writer's connection and cached statements.
struct SqliteTable::Statements {
  Db db;  // declared first: destroyed after the statements
  Stmt begin, commit, rollback;
  Stmt insert;
  Stmt replace, replace_owned;
  Stmt remove, remove_owned;
};

struct SqliteTable::WriteOp {
  enum class Kind : uint8_t { kCreate, kReplace, kRemove };
  enum class Outcome : uint8_t { kApplied, kAlreadyExists, kNotFound };

  Kind kind;
  Record item;  // remove: only the key
  OwnerFilter owner;
  std::variant<ItemDone, VoidDone> done;
  Outcome outcome = Outcome::kApplied;

  void answer(StoreError error) {
    std::visit([&](auto& callback) { callback(std::move(error)); }, done);
  }
  void answer_outcome() {
    switch (outcome) {
      case Outcome::kAlreadyExists:
        return answer({StoreErrorCode::kAlreadyExists, "an item with this key already exists"});
      case Outcome::kNotFound:
        return answer({StoreErrorCode::kNotFound, "no item with this key"});
      case Outcome::kApplied:
        if (kind == Kind::kRemove) return std::get<VoidDone>(done)(std::monostate{});
        return std::get<ItemDone>(done)(std::move(item));
    }
  }
};

// One thread's read connection to one table.
struct SqliteTable::ReadConnection {
  // Held by its thread while reading, by release_idle_readers() while ending an idle snapshot, and
  // by whoever closes it. Guards everything below but `closed`, which may be read without it.
  std::mutex mu;
  std::atomic<bool> closed{false};
  Db db;
  Stmt begin, rollback;
  Stmt get, get_owned;
  Stmt list_first, list_after, list_owned_first, list_owned_after;
  // The open read transaction: whether there is one, the table's generation loaded just before it
  // began, and whether release_idle_readers() has already found it open once.
  bool in_snapshot = false;
  uint64_t snapshot_generation = 0;
  bool seen_by_release = false;

  // Ends the read transaction, if one is open (a failed statement may have ended it already).
  // Statements are reset after every use, so nothing is pending. Requires: mu held.
  void end_snapshot() {
    if (db && !sqlite3_get_autocommit(db.get())) run(rollback.get());
    in_snapshot = false;
  }

  // Closing the connection ends its read transaction. Requires: mu held.
  void close() {
    in_snapshot = false;
    begin.reset();
    rollback.reset();
    get.reset();
    get_owned.reset();
    list_first.reset();
    list_after.reset();
    list_owned_first.reset();
    list_owned_after.reset();
    db.reset();
    closed.store(true, std::memory_order_release);
  }
};

// A thread's read connections, by table id. Held in a thread_local; on thread exit it closes its
// connections, touching only them (shared with the tables' registries), never a table.
struct SqliteTable::ThreadReaders {
  struct Entry {
    uint64_t table_id;
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

// What the tables of one database file share in this process.
struct SqliteTable::FileState {
  // Set by the writers while the WAL holds kCheckpointFrames or more (see after_wal_commit).
  std::atomic<bool> wal_over_mark{false};
};

std::shared_ptr<SqliteTable::FileState> SqliteTable::file_state(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::make_shared<FileState>();
  // By device and inode: the same file under any name.
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

core::Result<std::unique_ptr<SqliteTable>> SqliteTable::open(SqliteOptions options,
                                                             SqliteStats& stats) {
  detail::disable_memory_statistics();
  if (auto valid = detail::check_options(options); !valid.ok()) return valid;
  const std::string& path = options.path;
  if (auto created = detail::create_file_if_absent(path); !created.ok()) return created;

  auto writer = std::make_unique<Statements>();
  int rc = open_connection(options, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, writer->db);
  sqlite3* db = writer->db.get();
  if (rc != SQLITE_OK) return open_failure(path, "cannot open", rc, db);
  if (auto ready = detail::prepare_file(db, options); !ready.ok()) return ready;

  const std::string table = quote_identifier(options.table_name);
  Statements& s = *writer;
  for (auto [sql, stmt] : std::initializer_list<std::pair<std::string, Stmt*>>{
           {"BEGIN IMMEDIATE", &s.begin},
           {"COMMIT", &s.commit},
           {"ROLLBACK", &s.rollback},
           {"INSERT INTO " + table + " (" + std::string(kColumns) +
                ") VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (key) DO NOTHING",
            &s.insert},
           {"UPDATE " + table +
                " SET attributes = ?2, updated = ?3 WHERE key = ?1 RETURNING owner, created",
            &s.replace},
           {"UPDATE " + table +
                " SET attributes = ?2, updated = ?3 WHERE key = ?1 AND owner = ?4"
                " RETURNING owner, created",
            &s.replace_owned},
           {"DELETE FROM " + table + " WHERE key = ?1", &s.remove},
           {"DELETE FROM " + table + " WHERE key = ?1 AND owner = ?2", &s.remove_owned},
       }) {
    rc = prepare(db, sql, *stmt);
    if (rc != SQLITE_OK) return open_failure(path, "cannot prepare the statements", rc, db);
  }

  std::shared_ptr<FileState> file = file_state(path);
  return std::unique_ptr<SqliteTable>(
      new SqliteTable(std::move(options), stats, std::move(writer), std::move(file)));
}

SqliteTable::SqliteTable(SqliteOptions options, SqliteStats& stats,
                         std::unique_ptr<Statements> writer, std::shared_ptr<FileState> file)
    : options_(std::move(options)),
      stats_(stats),
      id_(next_table_id.fetch_add(1, std::memory_order_relaxed)),
      file_(std::move(file)),
      writer_db_(std::move(writer)) {
  // Replaces SQLite's automatic checkpoint (the same, but for draining snapshots).
  sqlite3_wal_hook(writer_db_->db.get(), &SqliteTable::after_wal_commit, this);
  writer_ = std::thread([this] { run_writer(); });
}

int SqliteTable::after_wal_commit(void* self, sqlite3* db, const char* schema, int frames) {
  // While the WAL is past the mark, readers give up their snapshots after each read, so that the
  // checkpoint can copy every frame back and the next write start the WAL over (which needs every
  // reader to have begun after a complete checkpoint, or to hold nothing). A snapshot that stays
  // open keeps the checkpointer at its frame and the WAL from restarting, whatever its age.
  const bool over = frames >= kCheckpointFrames;
  static_cast<SqliteTable*>(self)->file_->wal_over_mark.store(over, std::memory_order_relaxed);
  // PASSIVE: copies what no snapshot still needs and never waits. A failure (other than the
  // commit's, which is done) leaves the frames for the next try, as SQLite's own hook does.
  if (over) sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  return SQLITE_OK;
}

SqliteTable::~SqliteTable() {
  close();
}

void SqliteTable::close() {
  std::lock_guard close_lock(close_mu_);
  if (closed_) return;
  // The writer would wait for itself.
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

void SqliteTable::create(Record item, ItemDone done) {
  if (item.attributes.size() > options_.max_item_bytes)
    return done(StoreError{StoreErrorCode::kTooLarge,
                           "item is " + std::to_string(item.attributes.size()) +
                               " bytes; the limit is " + std::to_string(options_.max_item_bytes)});
  enqueue({.kind = WriteOp::Kind::kCreate,
           .item = std::move(item),
           .owner = std::nullopt,
           .done = std::move(done)});
}

void SqliteTable::replace(Record item, OwnerFilter owner, ItemDone done) {
  if (item.attributes.size() > options_.max_item_bytes)
    return done(StoreError{StoreErrorCode::kTooLarge,
                           "item is " + std::to_string(item.attributes.size()) +
                               " bytes; the limit is " + std::to_string(options_.max_item_bytes)});
  enqueue({.kind = WriteOp::Kind::kReplace,
           .item = std::move(item),
           .owner = std::move(owner),
           .done = std::move(done)});
}

void SqliteTable::remove(std::string key, OwnerFilter owner, VoidDone done) {
  Record item;
  item.key = std::move(key);
  enqueue({.kind = WriteOp::Kind::kRemove,
           .item = std::move(item),
           .owner = std::move(owner),
           .done = std::move(done)});
}

void SqliteTable::enqueue(WriteOp op) {
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
      queue_.push_back(std::move(op));
      ++in_flight_;
      stats_.queue_depth.set(static_cast<int64_t>(in_flight_));
    }
  }
  if (closed) return op.answer(closed_error());
  if (full) {
    stats_.queue_full.inc();
    return op.answer({StoreErrorCode::kUnavailable, "write queue full"});
  }
  // The writer waits only on an empty queue, so only the first op needs to wake it.
  if (was_empty) queue_ready_.notify_one();
}

void SqliteTable::run_writer() {
  std::vector<WriteOp> taken;
  for (;;) {
    {
      std::unique_lock lock(queue_mu_);
      queue_ready_.wait(
          lock, [&] { return !queue_.empty() || closing_.load(std::memory_order_relaxed); });
      if (queue_.empty()) return;  // closing, and everything queued is answered
      taken.swap(queue_);          // the emptied vector goes back, keeping its capacity
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

int SqliteTable::execute(WriteOp& op, Statements& s) {
  using Kind = WriteOp::Kind;
  using Outcome = WriteOp::Outcome;
  sqlite3* db = s.db.get();
  const Record& item = op.item;
  switch (op.kind) {
    case Kind::kCreate: {
      sqlite3_stmt* stmt = s.insert.get();
      ResetOnExit reset(stmt);
      int rc =
          bind_all(stmt, item.key, item.owner, item.created_ms, item.updated_ms, item.attributes);
      if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
      if (rc != SQLITE_DONE) return rc;
      op.outcome = sqlite3_changes64(db) > 0 ? Outcome::kApplied : Outcome::kAlreadyExists;
      return SQLITE_OK;
    }
    case Kind::kReplace: {
      sqlite3_stmt* stmt = op.owner ? s.replace_owned.get() : s.replace.get();
      ResetOnExit reset(stmt);
      int rc = op.owner ? bind_all(stmt, item.key, item.attributes, item.updated_ms, *op.owner)
                        : bind_all(stmt, item.key, item.attributes, item.updated_ms);
      if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) {
        op.outcome = Outcome::kNotFound;
        return SQLITE_OK;
      }
      if (rc != SQLITE_ROW) return rc;
      // The stored item keeps its owner and creation time.
      op.item.owner = column_text(stmt, 0);
      op.item.created_ms = sqlite3_column_int64(stmt, 1);
      op.outcome = Outcome::kApplied;
      return SQLITE_OK;
    }
    case Kind::kRemove: {
      sqlite3_stmt* stmt = op.owner ? s.remove_owned.get() : s.remove.get();
      ResetOnExit reset(stmt);
      int rc = op.owner ? bind_all(stmt, item.key, *op.owner) : bind_all(stmt, item.key);
      if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
      if (rc != SQLITE_DONE) return rc;
      op.outcome = sqlite3_changes64(db) > 0 ? Outcome::kApplied : Outcome::kNotFound;
      return SQLITE_OK;
    }
  }
  return SQLITE_INTERNAL;
}

void SqliteTable::commit_group(WriteOp* ops, size_t count) {
  // The commit latency histogram is a measurement, never a decision: the OS clock times it.
  auto started = core::os_monotonic();
  Statements& s = *writer_db_;
  // A ROLLBACK that failed last time leaves the transaction open; end it before starting anew.
  if (!sqlite3_get_autocommit(s.db.get())) run(s.rollback.get());

  int rc = run(s.begin.get());
  for (size_t i = 0; i < count && rc == SQLITE_OK; ++i)
    rc = execute(ops[i], s);
  if (rc == SQLITE_OK) rc = run(s.commit.get());

  // Readers refresh their snapshots on their next read (docs/storage.md, read snapshots). Also
  // after a failure, which SQLite rolls back invisibly: an extra refresh is cheap and assumes
  // nothing about it.
  // Before the callbacks: a read after a `done` must see the new generation.
  auto publish = [&] { generation_.fetch_add(1, std::memory_order_release); };

  if (rc != SQLITE_OK) {
    // SQLite may have rolled back already (disk full, I/O errors); otherwise we do.
    if (!sqlite3_get_autocommit(s.db.get())) run(s.rollback.get());
    publish();
    StoreError error = storage_error(rc);
    stats_.failed_batches.inc();
    count_failure(error.code);
    for (size_t i = 0; i < count; ++i)
      ops[i].answer(error);
    return;
  }

  publish();
  auto elapsed = core::os_monotonic() - started;
  stats_.commits.inc();
  stats_.batched_ops.inc(count);
  stats_.commit_latency.observe_us(static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()));
  uint64_t applied = 0;
  for (size_t i = 0; i < count; ++i) {
    if (ops[i].outcome == WriteOp::Outcome::kApplied) ++applied;
  }
  stats_.items_written.inc(applied);
  for (size_t i = 0; i < count; ++i)
    ops[i].answer_outcome();
}

void SqliteTable::count_failure(StoreErrorCode code) {
  switch (code) {
    case StoreErrorCode::kUnavailable:
      return stats_.unavailable.inc();
    case StoreErrorCode::kCorrupt:
      return stats_.corrupt.inc();
    default:
      return stats_.io_errors.inc();
  }
}

void SqliteTable::get(std::string key, OwnerFilter owner, ItemDone done) {
  done(read_item(std::move(key), owner));
}

void SqliteTable::list(ListQuery query, PageDone done) {
  done(read_page(query));
}

SqliteTable::ReadConnection* SqliteTable::reader(StoreError& error) {
  static thread_local ThreadReaders mine;
  for (auto& entry : mine.entries) {
    if (entry.table_id == id_) return entry.connection.get();
  }
  return open_reader(mine, error);
}

SqliteTable::ReadConnection* SqliteTable::open_reader(ThreadReaders& mine, StoreError& error) {
  auto connection = std::make_shared<ReadConnection>();
  int rc = open_connection(options_, SQLITE_OPEN_READONLY, connection->db);
  sqlite3* db = connection->db.get();
  const std::string select = select_from(options_.table_name);
  for (auto [sql, stmt] : std::initializer_list<std::pair<std::string, Stmt*>>{
           {"BEGIN", &connection->begin},
           {"ROLLBACK", &connection->rollback},
           {select + " WHERE key = ?1", &connection->get},
           {select + " WHERE key = ?1 AND owner = ?2", &connection->get_owned},
           {select + " ORDER BY key LIMIT ?1", &connection->list_first},
           {select + " WHERE key > ?1 ORDER BY key LIMIT ?2", &connection->list_after},
           {select + " WHERE owner = ?1 ORDER BY key LIMIT ?2", &connection->list_owned_first},
           {select + " WHERE owner = ?1 AND key > ?2 ORDER BY key LIMIT ?3",
            &connection->list_owned_after},
       }) {
    if (rc == SQLITE_OK) rc = prepare(db, sql, *stmt);
  }
  if (rc != SQLITE_OK) {
    error = storage_error(rc);
    count_failure(error.code);
    return nullptr;
  }
  {
    std::lock_guard lock(readers_mu_);
    if (closing_.load(std::memory_order_acquire)) {
      error = closed_error();
      return nullptr;
    }
    // Connections of threads that have exited are closed; forget them.
    std::erase_if(readers_, [](auto& c) { return c->closed.load(std::memory_order_acquire); });
    readers_.push_back(connection);
  }
  std::erase_if(mine.entries,
                [](auto& e) { return e.connection->closed.load(std::memory_order_acquire); });
  mine.entries.push_back({id_, connection});
  return connection.get();
}

int SqliteTable::refresh_snapshot(ReadConnection& connection) {
  // Loaded before BEGIN: a commit between the two makes the snapshot newer than recorded, which
  // costs one needless refresh, never a stale read.
  const uint64_t generation = generation_.load(std::memory_order_acquire);
  if (connection.in_snapshot) {
    if (connection.snapshot_generation == generation) return SQLITE_OK;
    connection.end_snapshot();
  }
  // Deferred: the snapshot itself is taken by the read's first step, later still.
  int rc = run(connection.begin.get());
  if (rc != SQLITE_OK) return rc;
  connection.in_snapshot = true;
  connection.snapshot_generation = generation;
  connection.seen_by_release = false;
  stats_.read_snapshots.inc();
  return SQLITE_OK;
}

void SqliteTable::after_read(ReadConnection& connection, sqlite3_stmt* stmt) {
  if (!file_->wal_over_mark.load(std::memory_order_relaxed)) return;
  sqlite3_reset(stmt);
  connection.end_snapshot();
}

void SqliteTable::release_idle_readers() {
  const uint64_t generation = generation_.load(std::memory_order_acquire);
  std::lock_guard lock(readers_mu_);
  std::erase_if(readers_, [](auto& c) { return c->closed.load(std::memory_order_acquire); });
  for (auto& connection : readers_) {
    std::unique_lock use(connection->mu, std::try_to_lock);
    if (!use.owns_lock() || !connection->in_snapshot) continue;  // reading now, or nothing held
    // Out of date, or open since the last call: ends it. (Other writers of a shared file do not
    // move the generation, so age alone must bound a snapshot too.)
    if (connection->snapshot_generation != generation || connection->seen_by_release)
      connection->end_snapshot();
    else
      connection->seen_by_release = true;
  }
}

StoreResult<Record> SqliteTable::read_item(std::string key, const OwnerFilter& owner) {
  if (closing_.load(std::memory_order_acquire)) return closed_error();
  StoreError error{StoreErrorCode::kIoError, {}};
  ReadConnection* connection = reader(error);
  if (!connection) return error;
  std::lock_guard lock(connection->mu);
  if (connection->closed.load(std::memory_order_relaxed)) return closed_error();

  sqlite3_stmt* stmt = owner ? connection->get_owned.get() : connection->get.get();
  ResetOnExit reset(stmt);
  int rc = refresh_snapshot(*connection);
  if (rc == SQLITE_OK) rc = owner ? bind_all(stmt, key, *owner) : bind_all(stmt, key);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    Record item;
    row_fields(stmt, item);
    // The row matched the key byte for byte (BINARY collation); `key` is no longer read by the
    // statement, whose step is over.
    item.key = std::move(key);
    after_read(*connection, stmt);
    return item;
  }
  if (rc == SQLITE_DONE) {
    after_read(*connection, stmt);
    return StoreError{StoreErrorCode::kNotFound, "no item with this key"};
  }
  sqlite3_reset(stmt);
  connection->end_snapshot();  // the next read starts afresh
  error = storage_error(rc);
  count_failure(error.code);
  return error;
}

StoreResult<Page> SqliteTable::read_page(const ListQuery& query) {
  if (closing_.load(std::memory_order_acquire)) return closed_error();
  const int64_t limit = std::clamp<uint32_t>(query.limit, 1, kMaxListLimit);
  std::optional<std::string> after;
  if (query.cursor) {
    after = decode_cursor(*query.cursor);
    if (!after) return StoreError{StoreErrorCode::kBadCursor, "the cursor is not valid"};
  }
  StoreError error{StoreErrorCode::kIoError, {}};
  ReadConnection* connection = reader(error);
  if (!connection) return error;
  std::lock_guard lock(connection->mu);
  if (connection->closed.load(std::memory_order_relaxed)) return closed_error();

  // One row past the page tells whether another page follows.
  sqlite3_stmt* stmt =
      query.owner
          ? (after ? connection->list_owned_after.get() : connection->list_owned_first.get())
          : (after ? connection->list_after.get() : connection->list_first.get());
  ResetOnExit reset(stmt);
  int rc = refresh_snapshot(*connection);
  if (rc == SQLITE_OK) {
    if (query.owner && after)
      rc = bind_all(stmt, *query.owner, *after, limit + 1);
    else if (query.owner)
      rc = bind_all(stmt, *query.owner, limit + 1);
    else if (after)
      rc = bind_all(stmt, *after, limit + 1);
    else
      rc = bind_all(stmt, limit + 1);
  }
  Page page;
  if (rc == SQLITE_OK) {
    size_t bytes = 0;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      bool full = page.items.size() >= static_cast<size_t>(limit) ||
                  (query.max_bytes > 0 && bytes >= query.max_bytes);
      if (full) break;  // this row is past the page
      page.items.push_back(row_item(stmt));
      const Record& item = page.items.back();
      bytes += item.key.size() + item.attributes.size() + item.owner.size();
    }
  }
  const bool more = rc == SQLITE_ROW;  // the row past the page
  if (!more && rc != SQLITE_DONE) {
    sqlite3_reset(stmt);
    connection->end_snapshot();  // the next read starts afresh
    error = storage_error(rc);
    count_failure(error.code);
    return error;
  }
  if (more) page.next_cursor = encode_cursor(page.items.back().key);
  after_read(*connection, stmt);
  return page;
}

}  // namespace gatehouse::store::sqlite
