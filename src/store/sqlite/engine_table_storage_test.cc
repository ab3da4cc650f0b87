// The engine's file machinery under the crud table: the writer thread with group commit, read
// snapshots and WAL upkeep, storage failures (through the fault VFS or real files), opening and
// closing.
#include "store/sqlite/engine_table_test_support.h"

namespace gatehouse::store::sqlite {
namespace {

using namespace test_support;

// --- Group commit -----------------------------------------------------------------------------

// Writes queued while a transaction is in progress go together into the next one: 400 writes from
// 8 threads take 2 transactions (max_batch 256), and each transaction costs one WAL fsync.
TEST_F(EngineTableTest, ConcurrentWritesAreGroupedIntoFewCommits) {
  auto o = options();
  o.vfs = FaultVfs::kName;  // counts the fsyncs
  ASSERT_NO_FATAL_FAILURE(open(o));
  const uint64_t commits = stats_.commits.value();
  const uint64_t batched = stats_.batched_ops.value();
  const uint64_t written = stats_.items_written.value();
  std::vector<std::future<StoreResult<Record>>> writes(400);
  uint64_t syncs_before;
  {
    WriterGate gate(*table_);
    ASSERT_TRUE(gate.gate_created());
    syncs_before = FaultVfs::instance().wal_syncs();
    std::vector<std::thread> writers;
    for (int t = 0; t < 8; ++t) {
      writers.emplace_back([&, t] {
        for (int i = 0; i < 50; ++i)
          writes[t * 50 + i] =
              create_async(*table_, make_item("t" + std::to_string(t) + "-" + std::to_string(i)));
      });
    }
    for (auto& w : writers)
      w.join();
    EXPECT_EQ(stats_.queue_depth.value(), 401) << "the gate's write and 400 queued";
  }
  for (auto& w : writes)
    ASSERT_TRUE(w.get().has_value());
  EXPECT_EQ(FaultVfs::instance().wal_syncs() - syncs_before, 2u) << "one fsync per commit";
  engine_->close();

  EXPECT_EQ(stats_.commits.value() - commits, 3u);  // the gate's, then 256 + 144
  EXPECT_EQ(stats_.batched_ops.value() - batched, 401u);
  EXPECT_EQ(stats_.items_written.value() - written, 401u);
  EXPECT_EQ(stats_.queue_depth.value(), 0);
  ASSERT_NO_FATAL_FAILURE(open());
  EXPECT_EQ(list(*table_, {.limit = 1000, .cursor = {}, .owner = {}})->items.size(), 401u);
}

// max_batch caps a transaction: 10 queued writes with max_batch 4 take 3 commits.
TEST_F(EngineTableTest, MaxBatchSplitsTheQueueIntoSeveralTransactions) {
  auto o = options();
  o.max_batch = 4;
  ASSERT_NO_FATAL_FAILURE(open(o));
  const uint64_t commits = stats_.commits.value();
  const uint64_t batched = stats_.batched_ops.value();
  std::vector<std::future<StoreResult<Record>>> writes;
  {
    WriterGate gate(*table_);
    for (int i = 0; i < 10; ++i)
      writes.push_back(create_async(*table_, make_item("k" + std::to_string(i))));
  }
  for (auto& w : writes)
    ASSERT_TRUE(w.get().has_value());
  EXPECT_EQ(stats_.commits.value() - commits, 1u + 3u);
  EXPECT_EQ(stats_.batched_ops.value() - batched, 11u);
}

// An operation that fails on its own (exists, absent) does not affect the others in its
// transaction, and operations apply in queue order. (A replace reads the item when it is called,
// so it targets an item committed before the gate: a replace issued before an unanswered create
// of its key finds no item.)
TEST_F(EngineTableTest, OneFailingOperationLeavesTheRestOfItsBatchAlone) {
  ASSERT_NO_FATAL_FAILURE(open());
  ASSERT_TRUE(create(*table_, make_item("taken")).has_value());
  ASSERT_TRUE(create(*table_, make_item("kept")).has_value());
  const uint64_t commits = stats_.commits.value();
  const uint64_t written = stats_.items_written.value();
  std::future<StoreResult<Record>> duplicate, fresh, replaced;
  Answer<std::monostate> removed_absent, removed_taken;
  {
    WriterGate gate(*table_);
    duplicate = create_async(*table_, make_item("taken"));
    fresh = create_async(*table_, make_item("fresh"));
    table_->remove("absent", std::nullopt, removed_absent.callback());
    Record update = make_item("kept", "alice", 2000);
    replaced = replace_async(*table_, update);
    table_->remove("taken", std::nullopt, removed_taken.callback());
  }
  expect_error(duplicate.get(), StoreErrorCode::kAlreadyExists);
  EXPECT_TRUE(fresh.get().has_value());
  auto absent = removed_absent.get();
  ASSERT_FALSE(absent.has_value());
  EXPECT_EQ(absent.error().code, StoreErrorCode::kNotFound);
  auto r = replaced.get();
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->updated_ms, 2000);
  EXPECT_TRUE(removed_taken.get().has_value());
  EXPECT_EQ(stats_.commits.value() - commits, 2u);  // the gate's and one more
  EXPECT_EQ(stats_.failed_batches.value(), 0u);
  EXPECT_EQ(stats_.items_written.value() - written, 4u) << "the gate, fresh, kept, taken";
  expect_error(get(*table_, "taken"), StoreErrorCode::kNotFound);
  EXPECT_TRUE(get(*table_, "fresh").has_value());
  EXPECT_EQ(get(*table_, "kept")->updated_ms, 2000);
}

// Past max_queue unanswered writes, a write fails at once with kOverloaded.
TEST_F(EngineTableTest, FullQueueFailsWritesWithOverloaded) {
  auto o = options();
  o.max_queue = 2;
  ASSERT_NO_FATAL_FAILURE(open(o));
  std::future<StoreResult<Record>> queued;
  {
    WriterGate gate(*table_);  // one unanswered write
    queued = create_async(*table_, make_item("k1"));
    Answer<Record> refused;
    table_->create(make_item("k2"), refused.callback());
    ASSERT_TRUE(refused.ready());
    auto r = refused.get();
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, StoreErrorCode::kOverloaded);
    EXPECT_EQ(r.error().message, "The write queue is full; retry later");
    Answer<std::monostate> removed;
    table_->remove("k1", std::nullopt, removed.callback());
    ASSERT_TRUE(removed.ready());
    EXPECT_EQ(removed.get().error().code, StoreErrorCode::kOverloaded);
  }
  EXPECT_TRUE(queued.get().has_value());
  EXPECT_EQ(stats_.queue_full.value(), 2u);
  EXPECT_TRUE(create(*table_, make_item("k2")).has_value());
}

// --- Read snapshots ---------------------------------------------------------------------------

// Each of 4 threads, 1000 times: creates a key, waits for the callback and must find the key; then
// reads the keys that two other threads keep replacing, each its own with ever larger versions,
// and must see at least the version whose callback ran last, and never an older one than it saw
// before. With `sweep`, another thread calls release_idle_readers() all the while. Returns the
// number of failed checks.
int read_after_callbacks(Table& table, Engine& engine, bool sweep) {
  constexpr int kReaders = 4;
  constexpr int kRounds = 1000;
  constexpr int kWriters = 2;
  const std::string hot[kWriters] = {"hot0", "hot1"};
  for (auto& key : hot) {
    if (!create(table, make_item(key, "writers", 0)).has_value()) return 1;
  }
  std::atomic<int64_t> acknowledged[kWriters] = {0, 0};  // the version whose callback ran last
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};

  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int64_t version = 1; !stop.load(); ++version) {
        Record update = make_item(hot[w], "writers", 0);
        update.updated_ms = version;
        Answer<Record> answer;
        table.replace(update, std::nullopt, [&, w, p = answer.promise](StoreResult<Record> r) {
          if (r.has_value()) acknowledged[w].store(r->updated_ms);
          p->set_value(std::move(r));
        });
        if (!answer.get().has_value()) ++failures;
      }
    });
  }
  std::thread sweeper([&] {
    while (sweep && !stop.load()) {
      engine.release_idle_readers();
      std::this_thread::yield();
    }
  });

  std::vector<std::thread> readers;
  for (int t = 0; t < kReaders; ++t) {
    readers.emplace_back([&, t] {
      int64_t last_seen[kWriters] = {0, 0};
      for (int i = 0; i < kRounds; ++i) {
        std::string key = "r" + std::to_string(t) + "-" + std::to_string(i);
        if (!create(table, make_item(key)).has_value()) ++failures;
        auto got = get(table, key);
        if (!got.has_value() || got->attributes != make_item(key).attributes) ++failures;

        for (int w = 0; w < kWriters; ++w) {
          int64_t at_least = std::max(acknowledged[w].load(), last_seen[w]);
          auto item = get(table, hot[w]);
          if (!item.has_value() || item->updated_ms < at_least) ++failures;
          if (item.has_value()) last_seen[w] = item->updated_ms;
        }
      }
    });
  }
  for (auto& r : readers)
    r.join();
  stop = true;
  for (auto& w : writers)
    w.join();
  sweeper.join();
  return failures.load();
}

// A read after a write's callback sees the write, on every thread, while snapshots are kept open
// between reads and other threads write.
TEST_F(EngineTableTest, ReadAfterAWritesCallbackAlwaysSeesTheWrite) {
  ASSERT_NO_FATAL_FAILURE(open());
  EXPECT_EQ(read_after_callbacks(*table_, *engine_, /*sweep=*/false), 0);
}

// The same while release_idle_readers() ends snapshots under the readers' feet.
TEST_F(EngineTableTest, ReadAfterAWritesCallbackSeesTheWriteWhileSnapshotsAreReleased) {
  ASSERT_NO_FATAL_FAILURE(open());
  EXPECT_EQ(read_after_callbacks(*table_, *engine_, /*sweep=*/true), 0);
}

// A thread that read before a commit sees the commit in its next read: its snapshot is renewed.
TEST_F(EngineTableTest, ReaderThatReadBeforeACommitSeesItAfterward) {
  ASSERT_NO_FATAL_FAILURE(open());
  std::promise<void> read_before, committed;
  std::shared_future<void> committed_future = committed.get_future().share();
  auto reader = std::async(std::launch::async, [&] {
    bool absent_before = !get(*table_, "k1").has_value();
    bool empty_before = list(*table_, {})->items.empty();
    read_before.set_value();
    committed_future.wait();
    auto after = get(*table_, "k1");
    auto page = list(*table_, {});
    return absent_before && empty_before && after.has_value() && page->items.size() == 1;
  });
  read_before.get_future().wait();
  ASSERT_TRUE(create(*table_, make_item("k1")).has_value());
  committed.set_value();
  EXPECT_TRUE(reader.get());
}

// Reads between commits share one snapshot; the first read after a commit begins a new one and
// sees replaces and removes as well as creates.
TEST_F(EngineTableTest, ReadsKeepTheirSnapshotUntilTheEngineCommits) {
  ASSERT_NO_FATAL_FAILURE(open());
  ASSERT_TRUE(create(*table_, make_item("k1", "alice", 1000)).has_value());
  EXPECT_TRUE(get(*table_, "k1").has_value());
  uint64_t snapshots = stats_.read_snapshots.value();
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(get(*table_, "k1").has_value());
    ASSERT_TRUE(list(*table_, {})->items.size() == 1);
  }
  EXPECT_EQ(stats_.read_snapshots.value(), snapshots) << "no commit, no new snapshot";

  Record update = make_item("k1", "alice", 1000);
  update.updated_ms = 2000;
  ASSERT_TRUE(replace(*table_, update).has_value());  // its read reuses the snapshot
  EXPECT_EQ(get(*table_, "k1")->updated_ms, 2000);
  EXPECT_EQ(stats_.read_snapshots.value(), snapshots + 1);
  ASSERT_TRUE(remove(*table_, "k1").has_value());
  expect_error(get(*table_, "k1"), StoreErrorCode::kNotFound);
  EXPECT_TRUE(list(*table_, {})->items.empty());
  EXPECT_EQ(stats_.read_snapshots.value(), snapshots + 2);
}

// A snapshot left open by a thread that stopped reading holds back the checkpoint until
// release_idle_readers() ends it, since a commit made it out of date.
TEST_F(EngineTableTest, ReleaseIdleReadersEndsOutOfDateSnapshots) {
  ASSERT_NO_FATAL_FAILURE(open());
  ASSERT_TRUE(create(*table_, make_item("k0")).has_value());
  ASSERT_TRUE(get(*table_, "k0").has_value());  // this thread's snapshot, then no more reads
  ASSERT_TRUE(create(*table_, make_item("k1")).has_value());

  RawConnection other(path_);
  auto [frames, copied] = other.checkpoint();
  EXPECT_GT(frames, 0);
  EXPECT_LT(copied, frames) << "the open snapshot holds back the last commit's frames";

  engine_->release_idle_readers();
  std::tie(frames, copied) = other.checkpoint();
  EXPECT_GT(frames, 0);
  EXPECT_EQ(copied, frames);

  uint64_t snapshots = stats_.read_snapshots.value();
  EXPECT_TRUE(get(*table_, "k1").has_value());
  EXPECT_EQ(stats_.read_snapshots.value(), snapshots + 1);
}

// An up-to-date snapshot survives one call and ends at the next, so snapshots are bounded in age
// also when the engine's own generation does not move: here another engine on the same file (as
// another process would) commits.
TEST_F(EngineTableTest, ReleaseIdleReadersEndsSnapshotsOpenSinceThePreviousCall) {
  ASSERT_NO_FATAL_FAILURE(open());
  ASSERT_TRUE(create(*table_, make_item("k1")).has_value());
  ASSERT_TRUE(get(*table_, "k1").has_value());
  SqliteStats other_stats;
  auto other_engine = Engine::open(options(), other_stats, clock_);
  ASSERT_TRUE(other_engine.has_value()) << other_engine.error().to_string();
  auto other_table = EngineTable::open(**other_engine, "items", "id", kMaxItemBytes);
  ASSERT_TRUE(other_table.has_value()) << other_table.error().to_string();
  ASSERT_TRUE(create(**other_table, make_item("o1")).has_value());  // our snapshot is now old
  RawConnection other(path_);
  uint64_t snapshots = stats_.read_snapshots.value();

  engine_->release_idle_readers();
  auto [frames, copied] = other.checkpoint();
  EXPECT_LT(copied, frames) << "up to date for this engine: kept by the first call";
  EXPECT_TRUE(get(*table_, "k1").has_value());
  EXPECT_EQ(stats_.read_snapshots.value(), snapshots) << "the read reused it";

  engine_->release_idle_readers();
  std::tie(frames, copied) = other.checkpoint();
  EXPECT_EQ(copied, frames) << "still open at the second call: ended";
  EXPECT_TRUE(get(*table_, "o1").has_value());
  EXPECT_EQ(stats_.read_snapshots.value(), snapshots + 1);
}

// A thread that reads between every two writes always holds a snapshot when the writer commits,
// which would keep the WAL from ever starting over. Past the checkpoint mark (1000 frames) readers
// give up their snapshots after each read, so the WAL starts over and stays near the mark.
TEST_F(EngineTableTest, WalStartsOverWhileAThreadReadsBetweenWrites) {
  ASSERT_NO_FATAL_FAILURE(open());
  // Thousands of frames in all: each commit adds a table page and an index page or more.
  for (int i = 0; i < 1000; ++i) {
    Record item = padded_item("k" + std::to_string(i), 1500);
    ASSERT_TRUE(create(*table_, item).has_value());
    ASSERT_TRUE(get(*table_, item.key).has_value());
  }
  int64_t frames = RawConnection(path_).checkpoint().first;
  EXPECT_GE(frames, 0);
  EXPECT_LT(frames, 1100) << "the WAL started over since the mark";
}

// Engine::close() closes read connections whose snapshots are open, on this thread and on threads
// that are still alive; those threads' later reads fail with kUnavailable and their exit is clean.
// The writer's connection, closed last, then checkpoints and deletes the WAL, which it can do
// only as the file's last connection.
TEST_F(EngineTableTest, CloseClosesConnectionsWithOpenSnapshots) {
  ASSERT_NO_FATAL_FAILURE(open());
  ASSERT_TRUE(create(*table_, make_item("k1")).has_value());
  ASSERT_TRUE(get(*table_, "k1").has_value());
  constexpr int kThreads = 3;
  std::vector<std::promise<void>> have_read(kThreads);
  std::promise<void> closed;
  std::shared_future<void> closed_future = closed.get_future().share();
  std::vector<std::future<std::optional<StoreError>>> after_close;
  for (int t = 0; t < kThreads; ++t) {
    after_close.push_back(std::async(std::launch::async, [&, t]() -> std::optional<StoreError> {
      bool ok = get(*table_, "k1").has_value();
      have_read[t].set_value();
      closed_future.wait();
      auto r = get(*table_, "k1");
      if (!ok || r.has_value()) return std::nullopt;
      return r.error();
    }));
  }
  for (auto& p : have_read)
    p.get_future().wait();
  EXPECT_TRUE(create(*table_, make_item("k2")).has_value());  // every snapshot out of date

  engine_->close();
  EXPECT_FALSE(std::filesystem::exists(path_ + "-wal"));
  engine_->release_idle_readers();  // nothing left to release
  closed.set_value();
  for (auto& f : after_close) {
    auto error = f.get();
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code, StoreErrorCode::kUnavailable);
    EXPECT_EQ(error->message, "the store is closed");
  }
  ASSERT_NO_FATAL_FAILURE(open());
  EXPECT_TRUE(get(*table_, "k2").has_value());
}

// --- Storage failures -------------------------------------------------------------------------

// A full disk fails the whole transaction with kUnavailable "disk full"; none of it is stored,
// and once space is back the next transaction succeeds.
TEST_F(EngineTableTest, DiskFullFailsTheWholeBatchAndTheWriterRecovers) {
  auto o = options();
  o.vfs = FaultVfs::kName;
  ASSERT_NO_FATAL_FAILURE(open(o));
  ASSERT_TRUE(create(*table_, make_item("before")).has_value());
  std::vector<std::future<StoreResult<Record>>> doomed;
  {
    WriterGate gate(*table_);
    FaultVfs::instance().fail_writes(SQLITE_FULL);
    for (int i = 0; i < 3; ++i)
      doomed.push_back(create_async(*table_, make_item("doomed" + std::to_string(i))));
  }
  for (auto& d : doomed) {
    auto r = d.get();
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, StoreErrorCode::kUnavailable);
    EXPECT_EQ(r.error().message, "disk full");
  }
  EXPECT_EQ(stats_.failed_batches.value(), 1u);
  EXPECT_EQ(stats_.unavailable.value(), 1u);

  FaultVfs::instance().reset();
  ASSERT_TRUE(create(*table_, make_item("after")).has_value());

  ASSERT_NO_FATAL_FAILURE(open());
  EXPECT_TRUE(get(*table_, "before").has_value());
  EXPECT_TRUE(get(*table_, "after").has_value());
  for (int i = 0; i < 3; ++i)
    expect_error(get(*table_, "doomed" + std::to_string(i)), StoreErrorCode::kNotFound);
}

// A failing fsync fails the transaction with kIoError, and the writer recovers afterwards.
TEST_F(EngineTableTest, FailedFsyncFailsTheBatchWithIoError) {
  auto o = options();
  o.vfs = FaultVfs::kName;
  ASSERT_NO_FATAL_FAILURE(open(o));
  FaultVfs::instance().fail_syncs(SQLITE_IOERR_FSYNC);
  expect_error(create(*table_, make_item("k1")), StoreErrorCode::kIoError);
  EXPECT_EQ(stats_.io_errors.value(), 1u);
  EXPECT_EQ(stats_.failed_batches.value(), 1u);
  FaultVfs::instance().reset();
  EXPECT_TRUE(create(*table_, make_item("k2")).has_value());
  EXPECT_TRUE(get(*table_, "k2").has_value());
}

// A write lock held by another connection makes writes fail with kUnavailable after
// busy_timeout_ms, while reads go on (WAL); once it is released writes succeed again.
TEST_F(EngineTableTest, LockedDatabaseFailsWritesWithUnavailable) {
  auto o = options();
  o.busy_timeout_ms = 20;
  ASSERT_NO_FATAL_FAILURE(open(o));
  ASSERT_TRUE(create(*table_, make_item("k1")).has_value());
  RawConnection other(path_);
  ASSERT_EQ(other.exec("BEGIN EXCLUSIVE"), SQLITE_OK);

  auto r = create(*table_, make_item("k2"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, StoreErrorCode::kUnavailable);
  EXPECT_EQ(r.error().message, "database is locked");
  EXPECT_TRUE(get(*table_, "k1").has_value());
  EXPECT_EQ(list(*table_, {})->items.size(), 1u);

  ASSERT_EQ(other.exec("COMMIT"), SQLITE_OK);
  EXPECT_TRUE(create(*table_, make_item("k2")).has_value());
}

// A file without write permission opens for reading; writes fail with kUnavailable. (chmod does
// not stop root; ReadOnlyDatabaseServesReadsAndRefusesWrites covers that case.)
TEST_F(EngineTableTest, ReadOnlyFileServesReadsAndRefusesWrites) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes to read-only files";
  ASSERT_NO_FATAL_FAILURE(open());
  ASSERT_TRUE(create(*table_, make_item("k1")).has_value());
  close_store();
  ASSERT_EQ(::chmod(path_.c_str(), 0444), 0);
  ASSERT_NO_FATAL_FAILURE(open());
  EXPECT_TRUE(get(*table_, "k1").has_value());
  auto r = create(*table_, make_item("k2"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, StoreErrorCode::kUnavailable);
  EXPECT_EQ(r.error().message, "database is read-only");
}

// A database file that opens read-only (here through the fault VFS, which works as root too)
// serves reads; writes fail with kUnavailable "database is read-only".
TEST_F(EngineTableTest, ReadOnlyDatabaseServesReadsAndRefusesWrites) {
  ASSERT_NO_FATAL_FAILURE(open());
  ASSERT_TRUE(create(*table_, make_item("k1")).has_value());
  close_store();
  FaultVfs::instance().open_read_only(true);
  auto o = options();
  o.vfs = FaultVfs::kName;
  ASSERT_NO_FATAL_FAILURE(open(o));
  const uint64_t unavailable = stats_.unavailable.value();
  EXPECT_TRUE(get(*table_, "k1").has_value());
  auto r = create(*table_, make_item("k2"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, StoreErrorCode::kUnavailable);
  EXPECT_EQ(r.error().message, "database is read-only");
  EXPECT_EQ(stats_.unavailable.value() - unavailable, 1u);
}

// A read-only file without the crud table: the table cannot be created, and EngineTable::open
// says so, naming the table.
TEST_F(EngineTableTest, ReadOnlyDatabaseWithoutTheTableFailsToOpenIt) {
  ASSERT_NO_FATAL_FAILURE(open());  // creates the file with table "items"
  close_store();
  FaultVfs::instance().open_read_only(true);
  auto o = options();
  o.vfs = FaultVfs::kName;
  auto engine = Engine::open(o, stats_, clock_);
  ASSERT_TRUE(engine.has_value()) << engine.error().to_string();
  auto table = EngineTable::open(**engine, "orders", "id", kMaxItemBytes);
  ASSERT_FALSE(table.has_value());
  EXPECT_EQ(table.error().code(), core::Code::kIoError);
  EXPECT_NE(table.error().message().find("'orders'"), std::string::npos) << table.error().message();
  EXPECT_NE(table.error().message().find("read-only"), std::string::npos)
      << table.error().message();
}

// A read-only file without the engine's catalog cannot be opened: the catalog cannot be created.
TEST_F(EngineTableTest, ReadOnlyEmptyFileFailsToOpen) {
  FaultVfs::instance().open_read_only(true);
  auto o = options();
  o.vfs = FaultVfs::kName;
  auto error = open_error(o);
  EXPECT_EQ(error.code(), core::Code::kPermissionDenied);
  EXPECT_NE(error.message().find("read-only"), std::string::npos) << error.message();
  EXPECT_NE(error.message().find(path_), std::string::npos);
}

// A file of garbage is refused at open, with an error that names the file.
TEST_F(EngineTableTest, GarbageFileFailsToOpen) {
  std::ofstream(path_) << std::string(8192, 'x');
  auto error = open_error(options());
  EXPECT_EQ(error.code(), core::Code::kIoError);
  EXPECT_NE(error.message().find(path_), std::string::npos) << error.message();
  EXPECT_NE(error.message().find("not a SQLite database"), std::string::npos) << error.message();
}

// A database whose item pages are damaged opens (the schema and the catalog are intact), then
// reads and writes fail with kCorrupt; nothing crashes.
TEST_F(EngineTableTest, DamagedPagesFailReadsAndWritesWithCorrupt) {
  ASSERT_NO_FATAL_FAILURE(open());
  std::vector<std::future<StoreResult<Record>>> writes;
  for (int i = 0; i < 50; ++i)
    writes.push_back(create_async(*table_, make_item("k" + std::to_string(i))));
  for (auto& w : writes)
    ASSERT_TRUE(w.get().has_value());
  close_store();  // closing checkpoints the WAL into the file
  // The table's SQL table and key index come after the catalog's pages; their rows after them.
  const int64_t first_page =
      std::stoll(RawConnection(path_).text("SELECT min(rootpage) FROM sqlite_schema WHERE "
                                           "tbl_name = 't1'"));
  ASSERT_GT(first_page, 1);
  {
    std::fstream file(path_, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(0, std::ios::end);
    auto size = static_cast<size_t>(file.tellp());
    const size_t offset = static_cast<size_t>(first_page - 1) * 4096;
    ASSERT_GT(size, offset + 4096);
    file.seekp(static_cast<std::streamoff>(offset));
    file << std::string(size - offset, '\xab');
  }
  ASSERT_NO_FATAL_FAILURE(open());
  const uint64_t corrupt = stats_.corrupt.value();
  expect_error(get(*table_, "k1"), StoreErrorCode::kCorrupt);
  auto page = list(*table_, {});
  ASSERT_FALSE(page.has_value());
  EXPECT_EQ(page.error().code, StoreErrorCode::kCorrupt);
  expect_error(create(*table_, make_item("k99")), StoreErrorCode::kCorrupt);
  EXPECT_EQ(stats_.corrupt.value() - corrupt, 3u);
}

// --- Opening ----------------------------------------------------------------------------------

// A directory that does not exist is the caller's to create; the error says so.
TEST_F(EngineTableTest, OpenFailsWhenTheDirectoryDoesNotExist) {
  auto o = options();
  o.path = dir_ + "/missing/dynamodb.db";
  auto error = open_error(o);
  EXPECT_EQ(error.code(), core::Code::kNotFound);
  EXPECT_NE(error.message().find(dir_ + "/missing"), std::string::npos) << error.message();
  EXPECT_NE(error.message().find("does not exist"), std::string::npos) << error.message();
}

// A directory in a place where no file can be created fails with kPermissionDenied.
TEST_F(EngineTableTest, OpenFailsWithoutPermissionToCreateTheFile) {
  if (::geteuid() == 0) GTEST_SKIP() << "root may create files anywhere";
  ASSERT_EQ(::chmod(dir_.c_str(), 0500), 0);
  auto error = open_error(options());
  EXPECT_EQ(error.code(), core::Code::kPermissionDenied);
  EXPECT_NE(error.message().find(path_), std::string::npos) << error.message();
}

// A path that names a directory is refused.
TEST_F(EngineTableTest, OpenFailsForADirectory) {
  auto o = options();
  o.path = dir_;
  auto error = open_error(o);
  EXPECT_EQ(error.code(), core::Code::kInvalidArgument);
  EXPECT_NE(error.message().find("is a directory"), std::string::npos) << error.message();
}

// A file that holds tables of something else (here the one-file-per-table layout of an earlier
// gatehouse) is refused rather than written into.
TEST_F(EngineTableTest, OpenFailsForAFileWithOtherTables) {
  RawConnection(path_).exec(
      "CREATE TABLE items (key TEXT NOT NULL PRIMARY KEY, owner TEXT NOT NULL, created INTEGER "
      "NOT NULL, updated INTEGER NOT NULL, attributes TEXT NOT NULL)");
  auto error = open_error(options());
  EXPECT_EQ(error.code(), core::Code::kInvalidArgument);
  EXPECT_NE(error.message().find("not the DynamoDB store's"), std::string::npos) << error.message();
  EXPECT_NE(error.message().find(path_), std::string::npos) << error.message();
}

// A table of the crud table's name with another key schema is refused, naming both.
TEST_F(EngineTableTest, OpenTableFailsForAnotherKeySchema) {
  auto engine = Engine::open(options(), stats_, clock_);
  ASSERT_TRUE(engine.has_value()) << engine.error().to_string();
  ASSERT_TRUE(EngineTable::open(**engine, "items", "pk", kMaxItemBytes).has_value());
  auto table = EngineTable::open(**engine, "items", "id", kMaxItemBytes);
  ASSERT_FALSE(table.has_value());
  EXPECT_EQ(table.error().code(), core::Code::kInvalidArgument);
  EXPECT_NE(table.error().message().find("'items'"), std::string::npos) << table.error().message();
  EXPECT_NE(table.error().message().find("'id'"), std::string::npos) << table.error().message();
  EXPECT_TRUE(EngineTable::open(**engine, "items", "pk", kMaxItemBytes).has_value())
      << "the same schema opens again";
}

// A file written by a newer schema version is refused rather than misread.
TEST_F(EngineTableTest, OpenFailsForANewerSchemaVersion) {
  RawConnection(path_).exec("PRAGMA user_version = 2");
  auto error = open_error(options());
  EXPECT_EQ(error.code(), core::Code::kInvalidArgument);
  EXPECT_NE(error.message().find("schema version 2"), std::string::npos) << error.message();
}

// An unknown VFS name, and a zero batch or queue size, are refused.
TEST_F(EngineTableTest, OpenRejectsBadOptions) {
  auto o = options();
  o.vfs = "no-such-vfs";
  auto error = open_error(o);
  EXPECT_EQ(error.code(), core::Code::kInvalidArgument);
  EXPECT_NE(error.message().find("no-such-vfs"), std::string::npos) << error.message();
  o = options();
  o.max_batch = 0;
  EXPECT_EQ(open_error(o).code(), core::Code::kInvalidArgument);
  o = options();
  o.max_queue = 0;
  EXPECT_EQ(open_error(o).code(), core::Code::kInvalidArgument);
  o = options();
  o.path = "";
  EXPECT_EQ(open_error(o).code(), core::Code::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(path_)) << "nothing was created";
}

// A new file is in WAL mode and carries the engine's mark and schema version.
TEST_F(EngineTableTest, NewFileIsInWalModeWithSchemaVersion) {
  ASSERT_NO_FATAL_FAILURE(open());
  RawConnection raw(path_);
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.text("PRAGMA user_version"), "1");
  EXPECT_EQ(raw.text("PRAGMA application_id"), std::to_string(0x47484442));  // "GHDB"
}

// The database, -wal and -shm files are readable by their owner only.
TEST_F(EngineTableTest, FilesAreCreatedWithMode0600) {
  mode_t old_umask = ::umask(022);
  open();
  ::umask(old_umask);
  ASSERT_NE(table_, nullptr);
  ASSERT_TRUE(create(*table_, make_item("k1")).has_value());
  for (std::string suffix : {"", "-wal", "-shm"}) {
    struct stat st {};
    ASSERT_EQ(::stat((path_ + suffix).c_str(), &st), 0) << suffix;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << suffix;
  }
}

// --- Lifecycle --------------------------------------------------------------------------------

// What was written is there after close and reopen.
TEST_F(EngineTableTest, ReopenAfterCloseKeepsData) {
  ASSERT_NO_FATAL_FAILURE(open());
  Record item = make_item("k1", "alice", 1'700'000'000'123);
  item.updated_ms = 1'700'000'000'456;
  ASSERT_TRUE(create(*table_, item).has_value());
  ASSERT_TRUE(create(*table_, make_item("k2")).has_value());
  ASSERT_TRUE(remove(*table_, "k2").has_value());
  ASSERT_NO_FATAL_FAILURE(open());
  auto got = get(*table_, "k1");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->attributes, item.attributes);
  EXPECT_EQ(got->owner, "alice");
  EXPECT_EQ(got->created_ms, item.created_ms);
  EXPECT_EQ(got->updated_ms, item.updated_ms);
  expect_error(get(*table_, "k2"), StoreErrorCode::kNotFound);
}

// Engine::close() answers every queued write, successfully, before it returns.
TEST_F(EngineTableTest, CloseCompletesQueuedWrites) {
  ASSERT_NO_FATAL_FAILURE(open());
  std::atomic<int> answered{0};
  std::atomic<int> succeeded{0};
  std::future<int> answered_at_close;
  {
    WriterGate gate(*table_);
    for (int i = 0; i < 10; ++i) {
      table_->create(make_item("k" + std::to_string(i)), [&](StoreResult<Record> r) {
        succeeded += r.has_value();
        ++answered;
      });
    }
    answered_at_close = std::async(std::launch::async, [&] {
      engine_->close();
      return answered.load();
    });
  }
  EXPECT_EQ(answered_at_close.get(), 10);
  EXPECT_EQ(succeeded.load(), 10);
  ASSERT_NO_FATAL_FAILURE(open());
  EXPECT_EQ(list(*table_, {})->items.size(), 11u);
}

// After Engine::close() every operation of its tables fails with kUnavailable, and close() may be
// called again. (EngineTable::close() leaves the engine to its owner.)
TEST_F(EngineTableTest, OperationsAfterCloseFailWithUnavailable) {
  ASSERT_NO_FATAL_FAILURE(open());
  ASSERT_TRUE(create(*table_, make_item("k1")).has_value());
  table_->close();
  engine_->close();
  engine_->close();
  for (auto r :
       {create(*table_, make_item("k2")), get(*table_, "k1"), replace(*table_, make_item("k1"))}) {
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, StoreErrorCode::kUnavailable);
    EXPECT_EQ(r.error().message, "the store is closed");
  }
  EXPECT_EQ(remove(*table_, "k1").error().code, StoreErrorCode::kUnavailable);
  EXPECT_EQ(list(*table_, {}).error().code, StoreErrorCode::kUnavailable);
}

// Many threads read and write at once, each read on its own connection; connections of threads
// that exit are closed with them, the rest by close().
TEST_F(EngineTableTest, ManyThreadsReadAndWriteAtOnce) {
  ASSERT_NO_FATAL_FAILURE(open());
  ASSERT_TRUE(create(*table_, make_item("shared")).has_value());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        std::string key = "t" + std::to_string(t) + "-" + std::to_string(i);
        if (!create(*table_, make_item(key)).has_value()) ++failures;
        if (!get(*table_, key).has_value()) ++failures;
        if (!get(*table_, "shared").has_value()) ++failures;
        if (!list(*table_, {.limit = 5, .cursor = {}, .owner = "alice"}).has_value()) ++failures;
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(list(*table_, {.limit = 1000, .cursor = {}, .owner = {}})->items.size(), 161u);
}

}  // namespace
}  // namespace gatehouse::store::sqlite
