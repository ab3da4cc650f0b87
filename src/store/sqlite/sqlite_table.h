// The embedded store::Table: one table in one SQLite file, written by one thread with group commit
// and read on the callers' threads.
//
// Durability. The file is in WAL mode with synchronous=FULL. A commit appends the transaction's
// pages to the -wal file, ending with a commit frame, and with FULL SQLite fsyncs the -wal file
// before COMMIT returns (the first sync of a new -wal file also fsyncs its directory). After a
// crash or power cut the next open replays every WAL transaction whose commit frame is intact, so
// a write whose `done` received a value survives both (on a disk that honours fsync). NORMAL would
// sync the WAL only at checkpoints and lose the last commits to a power cut; rollback-journal
// modes would need two fsyncs per commit and block readers.
//
// Writes (create, replace, remove) go into a bounded queue and return at once. One writer thread
// takes everything queued, and per group of up to max_batch operations runs BEGIN IMMEDIATE, each
// operation's statement, COMMIT: one fsync for the group. Only after COMMIT succeeds are the
// operations' callbacks called, on the writer thread, in queue order. An operation that fails on
// its own (kAlreadyExists, kNotFound) leaves the others alone; if the transaction fails (locked,
// disk full, I/O error), it is rolled back and every operation of the group fails with that error:
// nothing is acknowledged that is not durable. The writer recovers by itself: the next group starts
// a fresh transaction. (A failed fsync can leave the group's frames in the -wal file, and a crash
// before the next commit may then replay them: a write that reported kIoError is not applied as
// far as this process can see, but is not guaranteed absent after such a crash.)
//
// Reads (get, list) run on the calling thread, on a read-only connection that belongs to that
// thread and this table (opened by the thread's first read, kept until the thread exits or the
// table closes), and call `done` before they return. In WAL mode they do not wait for the writer
// (only while another connection recovers the WAL after a crash may one wait, up to
// busy_timeout_ms) and see every write whose `done` has run. A point lookup costs about 4 µs.
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
//   (*table)->create(item, [](StoreResult<Item> r) { ... });  // on the writer thread
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

#include "core/stats.h"
#include "core/status.h"
#include "store/table.h"

namespace gatehouse::store::sqlite {

struct SqliteOptions {
  std::string path = {};        // the database file
  std::string table_name = {};  // [A-Za-z_][A-Za-z0-9_]{0,63}, not starting with "sqlite_"
  // Largest Item::attributes accepted (kTooLarge beyond); 400 KiB is DynamoDB's item limit.
  uint64_t max_item_bytes = 400 * 1024;
  uint32_t max_batch = 256;         // operations per transaction
  uint32_t busy_timeout_ms = 2000;  // wait this long for another connection's lock
  // Writes accepted and not yet answered; past this, writes fail at once ("write queue full").
  uint32_t max_queue = 10000;
  // SQLite VFS name; empty: the default. Tests register fault-injecting ones.
  std::string vfs = {};
};

// Owned by the table's owner (registered with the metrics registry); must outlive the table.
struct SqliteStats {
  core::Counter commits;           // write transactions committed (one WAL fsync each)
  core::Counter batched_ops;       // operations in committed transactions (/ commits = mean batch)
  core::Counter items_written;     // operations committed that changed an item
  core::Histogram commit_latency;  // BEGIN to the end of COMMIT (including the fsync), µs
  core::Gauge queue_depth;         // writes accepted and not yet answered
  core::Counter queue_full;        // writes refused because max_queue were pending
  core::Counter failed_batches;    // transactions rolled back: all their operations failed
  // Storage failures by kind (a failed transaction counts once, as does a failed read).
  core::Counter unavailable;  // locked, disk full, read-only
  core::Counter corrupt;
  core::Counter io_errors;
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

  void create(Item item, ItemDone done) override;
  void get(std::string key, OwnerFilter owner, ItemDone done) override;
  void list(ListQuery query, PageDone done) override;
  void replace(Item item, OwnerFilter owner, ItemDone done) override;
  void remove(std::string key, OwnerFilter owner, VoidDone done) override;
  void close() override;

  // The schema version this build writes to PRAGMA user_version.
  static constexpr int kSchemaVersion = 1;

 private:
  struct Statements;
  struct WriteOp;
  struct ReadConnection;
  struct ThreadReaders;

  SqliteTable(SqliteOptions options, SqliteStats& stats, std::unique_ptr<Statements> writer);

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
  StoreResult<Item> read_item(const std::string& key, const OwnerFilter& owner);
  StoreResult<Page> read_page(const ListQuery& query);

  const SqliteOptions options_;
  SqliteStats& stats_;
  const uint64_t id_;  // unique per table object in this process; keys per-thread readers

  // Set when close() starts; writes check it under queue_mu_, reads without a lock.
  std::atomic<bool> closing_{false};

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
