// The embedded store::Table: one table in one SQLite file, written by one thread with group commit
// and read on the callers' threads. The reasons behind each point are in docs/storage.md.
//
// Durability: a write whose `done` received a value is durable, across a crash and a power cut,
// on a disk that honours fsync (WAL mode, synchronous=FULL: one fsync per group of writes). A
// write that reported kIoError is not applied as far as this process can see, but is not
// guaranteed absent after a crash that follows it.
//
// Writes (create, replace, remove) go into a bounded queue and return at once. One writer thread
// commits up to max_batch of them per transaction and only then calls their callbacks, on the
// writer thread, in queue order. An operation that fails on its own (kAlreadyExists, kNotFound)
// leaves the others alone; a transaction that fails (locked, disk full, I/O error) fails every
// operation of its group with that error: nothing is acknowledged that is not durable.
//
// Reads (get, list) run on the calling thread, on a read-only connection of that thread and this
// table, and call `done` before they return. They do not wait for the writer, and see every
// write whose `done` ran before the read started (on this thread, or on one it has synchronized
// with since). The owner calls release_idle_readers() about once a second, which bounds how far
// the WAL can grow behind snapshots that idle threads keep.
//
// Errors detected before queuing (kTooLarge, queue full, closed, kBadCursor) also call `done` on
// the calling thread before the method returns. Storage failures map to: locked/busy ->
// kUnavailable "database is locked"; disk full -> kUnavailable "disk full"; read-only file ->
// kUnavailable "database is read-only"; damaged file -> kCorrupt; anything else -> kIoError.
// Messages never name the file or show SQL. This class logs nothing; SqliteStats counts.
//
// Files. The directory of `path` must exist (the caller creates it). A new file is created with
// mode 0600, and SQLite gives the -wal and -shm files the database file's mode; an existing file
// keeps its mode. A read-only file opens if the table already exists in it: reads work, writes
// fail with kUnavailable. Several tables may share a file (their writers then take turns on the
// file's write lock, waiting up to busy_timeout_ms), but each (file, table) pair must have one
// SqliteTable at a time.
//
// Usage:
//   SqliteStats stats;  // outlives the table
//   auto table = SqliteTable::open({.path = "/var/lib/gatehouse/items.db", .table_name = "items"},
//                                  stats);
//   if (!table) return table.error();  // names the file and the cause
//   (*table)->create(item, [](StoreResult<Record> r) { ... });  // on the writer thread
//
// Thread safety: all methods may be called from any thread at once. close() (and so the
// destructor) must not run on the writer thread, i.e. not inside a write's `done`.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "store/sqlite/stats.h"
#include "store/table.h"

struct sqlite3;
struct sqlite3_stmt;

namespace gatehouse::store::sqlite {

struct SqliteOptions {
  std::string path = {};        // the database file
  std::string table_name = {};  // [A-Za-z_][A-Za-z0-9_]{0,63}, not starting with "sqlite_"
  // Largest Record::attributes accepted (kTooLarge beyond); 400 KiB is DynamoDB's item limit.
  uint64_t max_item_bytes = 400 * 1024;
  uint32_t max_batch = 256;         // operations per transaction
  uint32_t busy_timeout_ms = 2000;  // wait this long for another connection's lock
  // Writes accepted and not yet answered; past this, writes fail at once ("write queue full").
  uint32_t max_queue = 10000;
  // SQLite VFS name; empty: the default. Tests register fault-injecting ones.
  std::string vfs = {};
};

class SqliteTable final : public Table {
 public:
  // Opens (creating if needed) the file and the table, and starts the writer thread. Errors name
  // the file: kInvalidArgument (bad options or table name, a table with other columns, a schema
  // from a newer version, a directory), kNotFound (the directory does not exist),
  // kPermissionDenied, kUnavailable (locked by another connection), kIoError (not a database,
  // damaged, other failures).
  static core::Result<std::unique_ptr<SqliteTable>> open(SqliteOptions options, SqliteStats& stats);
  ~SqliteTable() override;  // close()
  SqliteTable(const SqliteTable&) = delete;
  SqliteTable& operator=(const SqliteTable&) = delete;

  void create(Record item, ItemDone done) override;
  void get(std::string key, OwnerFilter owner, ItemDone done) override;
  void list(ListQuery query, PageDone done) override;
  void replace(Record item, OwnerFilter owner, ItemDone done) override;
  void remove(std::string key, OwnerFilter owner, VoidDone done) override;
  void close() override;

  // Ends the read snapshots of this table's connections that are not in use right now and are
  // either older than the last commit or were already open at the previous call; cheap (a
  // try_lock per reading thread, and a ROLLBACK per snapshot ended). Call it periodically from
  // any thread (the gateway: once a second) so idle threads do not hold back checkpoints.
  void release_idle_readers();

  // The schema version this build writes to PRAGMA user_version.
  static constexpr int kSchemaVersion = 1;

 private:
  struct Statements;
  struct WriteOp;
  struct ReadConnection;
  struct ThreadReaders;
  struct FileState;

  SqliteTable(SqliteOptions options, SqliteStats& stats, std::unique_ptr<Statements> writer,
              std::shared_ptr<FileState> file);

  void enqueue(WriteOp op);
  void run_writer();
  void commit_group(WriteOp* ops, size_t count);
  // Executes one write inside the open transaction: SQLITE_OK with the op's outcome set when it
  // ran (applied, or refused on its own), else the storage failure that dooms the transaction.
  static int execute(WriteOp& op, Statements& statements);
  void count_failure(StoreErrorCode code);
  // This thread's read connection for this table, opened on first use; nullptr with `error` set
  // if it cannot be opened or the table is closed.
  ReadConnection* reader(StoreError& error);
  ReadConnection* open_reader(ThreadReaders& mine, StoreError& error);
  // The state of the file at `path` shared by its tables in this process.
  static std::shared_ptr<FileState> file_state(const std::string& path);
  // Makes `connection`'s snapshot hold every write whose `done` has run, keeping the open one when
  // the table has committed nothing since it began. Requires: connection.mu held.
  int refresh_snapshot(ReadConnection& connection);
  // After a successful read with `stmt`: ends the snapshot while the WAL is past
  // kCheckpointFrames. Requires: connection.mu held.
  void after_read(ReadConnection& connection, sqlite3_stmt* stmt);
  // sqlite3_wal_hook: runs on the writer thread after each commit.
  static int after_wal_commit(void* self, sqlite3* db, const char* schema, int frames);
  StoreResult<Record> read_item(std::string key, const OwnerFilter& owner);
  StoreResult<Page> read_page(const ListQuery& query);

  const SqliteOptions options_;
  SqliteStats& stats_;
  const uint64_t id_;  // unique per table object in this process; keys per-thread readers

  // Set when close() starts; writes check it under queue_mu_, reads without a lock.
  std::atomic<bool> closing_{false};
  // Write transactions ended by the writer; incremented after COMMIT, before the callbacks.
  std::atomic<uint64_t> generation_{0};
  // Frames in the WAL at which the writer checkpoints, SQLite's default.
  static constexpr int kCheckpointFrames = 1000;
  // Shared with the other tables of the same file in this process.
  const std::shared_ptr<FileState> file_;

  // The writer's connection and statements: used only by the writer thread once it runs.
  std::unique_ptr<Statements> writer_db_;
  std::mutex queue_mu_;
  std::condition_variable queue_ready_;
  std::vector<WriteOp> queue_;  // guarded by queue_mu_; swapped out whole by the writer
  size_t in_flight_ = 0;        // guarded by queue_mu_: accepted and not yet answered
  std::thread writer_;

  // Every read connection opened for this table, so close() can close them. Each is used by one
  // thread; close() takes its mutex to close it under a reader's feet safely.
  std::mutex readers_mu_;
  std::vector<std::shared_ptr<ReadConnection>> readers_;  // guarded by readers_mu_

  std::mutex close_mu_;  // serializes close(); held for its whole run
  bool closed_ = false;  // guarded by close_mu_
};

}  // namespace gatehouse::store::sqlite
