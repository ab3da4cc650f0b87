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
// busy_timeout_ms) and see every write whose `done` has run.
//
// Read snapshots. A read connection keeps its read transaction (its WAL snapshot) open between
// reads, so a read is one statement on a snapshot it already holds: no file-lock system calls
// (beginning and ending one take and drop a WAL read lock with fcntl). The table counts its write
// transactions in a commit generation; a read whose connection's snapshot began at another
// generation than the current one ends it and begins a new one first, so a thread pays for one
// snapshot per commit it reads after, not per read. A point lookup on an open snapshot costs about
// 0.5 µs (2.5 µs with a snapshot per read); the first read after a commit costs what it always
// did, mostly re-reading the pages the commit changed. The first open() also turns off SQLite's
// memory statistics for the process (SQLITE_CONFIG_MEMSTATUS), which take one global mutex around
// every SQLite allocation, a few per read, for all reading threads alike.
//
// WAL growth. SQLite's checkpoint copies back only the WAL frames that no open snapshot still
// needs, and a write starts the WAL over only when every frame has been copied back and no
// snapshot uses the WAL; snapshots kept open between reads would let it grow for good. So the
// writer checkpoints by itself (a WAL hook in place of SQLite's automatic checkpoint: the same
// PASSIVE checkpoint, which never waits for readers, after every commit that leaves 1000 frames or
// more in the WAL), and while the WAL is past that mark, for all tables of the file in this
// process, readers end their snapshot after each read (paying for the locks again): a reading
// thread then holds none between reads, and the WAL starts over as with a snapshot per read. A
// thread that stops reading keeps its snapshot until the owner calls release_idle_readers() (the
// gateway: once a second), which ends every snapshot not in use that is out of date or was already
// open at the previous call (other writers of the file do not move this table's generation). So
// the WAL grows past the mark by at most about one release interval's commits (two for other
// writers' commits), and commit latency does not depend on readers.
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
//
// Visibility: a read sees every write whose `done` ran before the read started (on this thread,
// or on another that the reading thread has synchronized with since). The writer increments the
// generation (release) after COMMIT returns and before it calls the group's callbacks; a read
// loads it (acquire) before anything else and, if it differs from the generation loaded just
// before its connection's snapshot began, ends that snapshot and begins a new one, which SQLite
// takes at the read's first step, after that load. For a write W whose COMMIT was followed by the
// increment to g_W, the read's load returns at least g_W, because W's `done` ran after the
// increment and before the read. If the snapshot's recorded generation equals that value, it was
// loaded with an acquire that read g_W or a later increment, so W's COMMIT (its update of the
// WAL index) happened before the snapshot began; if it differs, the read begins a new snapshot
// after a load that happened after W's COMMIT. Either way W is in the snapshot the read uses. A
// commit racing with a BEGIN costs at most one extra refresh later: the generation recorded is
// the one loaded before the BEGIN, never a newer one.
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

struct sqlite3;
struct sqlite3_stmt;

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
  // Read snapshots begun: each thread's first read, then its first read after a commit or after
  // release_idle_readers() ended its snapshot.
  core::Counter read_snapshots;
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
  StoreResult<Item> read_item(std::string key, const OwnerFilter& owner);
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
