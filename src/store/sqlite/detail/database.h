// One SQLite file as the embedded store uses it: one writer thread that commits queued write jobs
// in groups (one fsync per group), and reads on the callers' threads, each on a read-only
// connection of its own that keeps its snapshot between reads. docs/storage.md gives the reasons;
// this is the machinery, with no knowledge of what the tables hold. Internal to store/sqlite.
//
// Usage:
//   auto db = Database::open({.path = "data/dynamodb.db"}, stats, create_schema);
//   (*db)->write(std::make_unique<PutJob>(...));      // answered on the writer thread
//   auto failure = (*db)->read([&](Connection& c) { ...; return SQLITE_OK; });
//
// Thread safety: write(), read() and release_idle_readers() from any thread at once. close() (and
// so the destructor) must not run on the writer thread.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "store/sqlite/detail/statement.h"
#include "store/sqlite/stats.h"
#include "store/store_error.h"

namespace gatehouse::store::sqlite::detail {

struct DatabaseOptions {
  std::string path = {};            // the database file; its directory must exist
  uint32_t max_batch = 256;         // write jobs per transaction
  uint32_t busy_timeout_ms = 2000;  // wait this long for another connection's lock
  // Write jobs accepted and not yet answered; past this, jobs fail at once ("write queue full").
  uint32_t max_queue = 10000;
  std::string vfs = {};  // SQLite VFS name; empty: the default
};

// A connection and the statements prepared on it, by their SQL text.
class Connection {
 public:
  explicit Connection(Db db) : db_(std::move(db)) {}
  sqlite3* handle() const { return db_.get(); }
  // The statement for `sql`, prepared on first use and kept (a bounded number are kept: past
  // that, all are finalized and prepared again as used). nullptr with `rc` set on failure.
  sqlite3_stmt* statement(const std::string& sql, int& rc);
  // The same, found by a number the caller derives from what the statement is for (a table's id
  // and the statement's slot), which costs no hashing of the text on the hot paths.
  sqlite3_stmt* statement(uint64_t key, const std::string& sql, int& rc);
  void finalize_statements() {
    statements_.clear();
    by_key_.clear();
  }

 private:
  static constexpr size_t kMaxStatements = 512;
  Db db_;  // declared first: closed after the statements are finalized
  std::unordered_map<std::string, Stmt> statements_;
  std::unordered_map<uint64_t, Stmt> by_key_;
};

// A storage failure as clients may see it: never a file name or SQL.
StoreError storage_error(int rc);

// One write, run by the writer thread inside a group's transaction.
class WriteJob {
 public:
  virtual ~WriteJob() = default;
  // Does the job's reads and writes on the writer's connection. Returns SQLITE_OK when the job
  // ran (its own outcome, applied or refused, is its state), else the storage failure that dooms
  // the group's transaction. A job that may refuse after writing asks for a savepoint: its writes
  // are then rolled back alone when it returns kRefused.
  enum class Outcome { kApplied, kRefused };
  virtual int execute(Connection& writer, Outcome& outcome) = 0;
  virtual bool needs_savepoint() const { return false; }
  // After the group committed (durable), in queue order, on the writer thread.
  virtual void committed() = 0;
  // The job was not applied: the group's transaction failed, or the job was refused before it
  // ran (queue full, closed).
  virtual void failed(StoreError error) = 0;
};

class Database {
 public:
  // Opens (creating it 0600 if needed) the file in WAL mode with synchronous=FULL, runs `setup`
  // on the writer's connection (creating or checking the schema), and starts the writer. Errors
  // name the file.
  static core::Result<std::unique_ptr<Database>> open(
      DatabaseOptions options, SqliteStats& stats,
      const std::function<core::Status(Connection&)>& setup);
  ~Database();  // close()
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Queues a job; the writer answers it (committed() or failed()), on the writer thread, or
  // failed() runs at once on this thread when the queue is full or the database closed.
  void write(std::unique_ptr<WriteJob> job);

  // Runs `read` on this thread's read connection, on a snapshot that holds every write answered
  // before the call. `read` returns SQLite's code (SQLITE_OK, SQLITE_DONE or SQLITE_ROW for
  // success) and must reset the statements it used. The failure, if any, else nullopt.
  template <class F>
  std::optional<StoreError> read(F&& read) {
    return read_with(&read, [](void* f, Connection& c) { return (*static_cast<F*>(f))(c); });
  }

  // Ends idle snapshots (see docs/storage.md); call about once a second.
  void release_idle_readers();
  // Stops accepting writes, answers the queued ones, closes every connection. Idempotent.
  void close();

  // The generation of committed write groups: a reader's snapshot is refreshed when it moved.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  struct ReadConnection;
  struct ThreadReaders;
  struct FileState;

  Database(DatabaseOptions options, SqliteStats& stats, std::unique_ptr<Connection> writer,
           std::shared_ptr<FileState> file);
  std::optional<StoreError> read_with(void* f, int (*call)(void*, Connection&));
  void run_writer();
  void commit_group(std::unique_ptr<WriteJob>* jobs, size_t count);
  int run_job(WriteJob& job, WriteJob::Outcome& outcome);
  void count_failure(StoreErrorCode code);
  ReadConnection* reader(StoreError& error);
  ReadConnection* open_reader(ThreadReaders& mine, StoreError& error);
  static std::shared_ptr<FileState> file_state(const std::string& path);
  int refresh_snapshot(ReadConnection& connection);
  static int after_wal_commit(void* self, sqlite3* db, const char* schema, int frames);

  const DatabaseOptions options_;
  SqliteStats& stats_;
  const uint64_t id_;  // unique per database object in this process; keys per-thread readers

  std::atomic<bool> closing_{false};
  std::atomic<uint64_t> generation_{0};
  static constexpr int kCheckpointFrames = 1000;
  const std::shared_ptr<FileState> file_;

  std::unique_ptr<Connection> writer_db_;
  std::mutex queue_mu_;
  std::condition_variable queue_ready_;
  std::vector<std::unique_ptr<WriteJob>> queue_;  // guarded by queue_mu_
  size_t in_flight_ = 0;                          // guarded by queue_mu_
  std::thread writer_;

  std::mutex readers_mu_;
  std::vector<std::shared_ptr<ReadConnection>> readers_;  // guarded by readers_mu_

  std::mutex close_mu_;
  bool closed_ = false;  // guarded by close_mu_
};

}  // namespace gatehouse::store::sqlite::detail
