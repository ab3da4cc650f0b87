#include "store/sqlite/sqlite_table.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <thread>
#include <tuple>

#include "store/sqlite/fault_vfs.h"

namespace gatehouse::store::sqlite {
namespace {

Record make_item(const std::string& key, const std::string& owner = "alice", int64_t at_ms = 1000) {
  Record item;
  item.key = key;
  item.attributes = R"({"id":")" + key + R"(","name":"Yev"})";
  item.owner = owner;
  item.created_ms = at_ms;
  item.updated_ms = at_ms;
  return item;
}

// The table's answer to one operation, whichever thread gives it.
template <class T>
struct Answer {
  std::shared_ptr<std::promise<StoreResult<T>>> promise =
      std::make_shared<std::promise<StoreResult<T>>>();
  std::future<StoreResult<T>> future = promise->get_future();
  std::function<void(StoreResult<T>)> callback() {
    return [p = promise](StoreResult<T> r) { p->set_value(std::move(r)); };
  }
  bool ready() const {
    return future.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
  }
  StoreResult<T> get() { return future.get(); }
};

std::future<StoreResult<Record>> create_async(Table& table, Record item) {
  Answer<Record> answer;
  table.create(std::move(item), answer.callback());
  return std::move(answer.future);
}

StoreResult<Record> create(Table& table, Record item) {
  return create_async(table, std::move(item)).get();
}
StoreResult<Record> get(Table& table, const std::string& key, OwnerFilter owner = std::nullopt) {
  Answer<Record> answer;
  table.get(key, std::move(owner), answer.callback());
  return answer.get();
}
StoreResult<Record> replace(Table& table, Record item, OwnerFilter owner = std::nullopt) {
  Answer<Record> answer;
  table.replace(std::move(item), std::move(owner), answer.callback());
  return answer.get();
}
StoreResult<std::monostate> remove(Table& table, const std::string& key,
                                   OwnerFilter owner = std::nullopt) {
  Answer<std::monostate> answer;
  table.remove(key, std::move(owner), answer.callback());
  return answer.get();
}
StoreResult<Page> list(Table& table, ListQuery query) {
  Answer<Page> answer;
  table.list(std::move(query), answer.callback());
  return answer.get();
}

// Holds the writer thread inside a write's callback until release(): writes issued meanwhile
// queue up and then go to the database together, which makes batching deterministic.
class WriterGate {
 public:
  explicit WriterGate(Table& table) {
    // The callback owns its copy of the future: it may still be returning from wait() when the
    // gate is gone.
    table.create(make_item("gate"), [this, released = released_](StoreResult<Record> r) {
      gate_created_ = r.has_value();
      entered_.set_value();
      released.wait();
    });
    entered_.get_future().wait();
  }
  ~WriterGate() { release(); }
  void release() {
    if (!released_flag_) release_.set_value();
    released_flag_ = true;
  }
  bool gate_created() const { return gate_created_; }

 private:
  std::promise<void> entered_;
  std::promise<void> release_;
  std::shared_future<void> released_ = release_.get_future().share();
  bool released_flag_ = false;
  bool gate_created_ = false;
};

// Runs SQL on a connection of the test's own, bypassing the table.
class RawConnection {
 public:
  explicit RawConnection(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
  }
  ~RawConnection() { sqlite3_close(db_); }
  int exec(const std::string& sql) {
    return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  }
  std::string text(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    return out;
  }
  // A PASSIVE checkpoint, which copies back what no open snapshot still needs: {frames in the
  // WAL, frames copied back}. Equal when no snapshot holds back any frame.
  std::pair<int64_t, int64_t> checkpoint() {
    sqlite3_stmt* stmt = nullptr;
    std::pair<int64_t, int64_t> out{-1, -1};
    if (sqlite3_prepare_v2(db_, "PRAGMA wal_checkpoint(PASSIVE)", -1, &stmt, nullptr) ==
            SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
      out = {sqlite3_column_int64(stmt, 1), sqlite3_column_int64(stmt, 2)};
    sqlite3_finalize(stmt);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FaultVfs::instance();  // registers it, for the tests that name it
    char pattern[] = "/tmp/gh-store-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/items.db";
  }
  void TearDown() override {
    FaultVfs::instance().reset();
    std::filesystem::permissions(dir_, std::filesystem::perms::owner_all);
    std::filesystem::remove_all(dir_);
  }

  SqliteOptions options() const { return {.path = path_, .table_name = "items"}; }

  std::unique_ptr<SqliteTable> open(SqliteOptions o) {
    auto table = SqliteTable::open(std::move(o), stats_);
    EXPECT_TRUE(table.has_value()) << table.error().to_string();
    return table ? std::move(*table) : nullptr;
  }
  std::unique_ptr<SqliteTable> open() { return open(options()); }

  core::Status open_error(SqliteOptions o) {
    SqliteStats stats;
    auto table = SqliteTable::open(std::move(o), stats);
    EXPECT_FALSE(table.has_value());
    return table ? core::Status() : table.error();
  }

  std::string dir_;
  std::string path_;
  SqliteStats stats_;
};

void expect_error(const StoreResult<Record>& r, StoreErrorCode code) {
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, code) << r.error().message;
}

// --- Operations -------------------------------------------------------------------------------

// A created item comes back from get with every field as written.
TEST_F(SqliteTableTest, CreateThenGetReturnsTheStoredItem) {
  auto table = open();
  Record item = make_item("k1", "alice", 1'700'000'000'123);
  auto created = create(*table, item);
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(created->key, "k1");
  EXPECT_EQ(created->attributes, item.attributes);

  auto got = get(*table, "k1");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->key, "k1");
  EXPECT_EQ(got->attributes, item.attributes);
  EXPECT_EQ(got->owner, "alice");
  EXPECT_EQ(got->created_ms, 1'700'000'000'123);
  EXPECT_EQ(got->updated_ms, 1'700'000'000'123);
}

// Keys and attributes are kept byte for byte, including non-ASCII text.
TEST_F(SqliteTableTest, KeysAndAttributesKeepTheirBytes) {
  auto table = open();
  Record item = make_item("ключ ü/?");
  item.attributes = R"({"id":"ключ ü/?","emoji":"🙂","quote":"\""})";
  ASSERT_TRUE(create(*table, item).has_value());
  auto got = get(*table, "ключ ü/?");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->attributes, item.attributes);
}

// Creating a key that exists fails with kAlreadyExists and leaves the stored item alone.
TEST_F(SqliteTableTest, CreateOfExistingKeyFailsWithAlreadyExists) {
  auto table = open();
  ASSERT_TRUE(create(*table, make_item("k1", "alice")).has_value());
  expect_error(create(*table, make_item("k1", "bob")), StoreErrorCode::kAlreadyExists);
  EXPECT_EQ(get(*table, "k1")->owner, "alice");
}

// Getting an absent key fails with kNotFound.
TEST_F(SqliteTableTest, GetOfMissingKeyFailsWithNotFound) {
  auto table = open();
  expect_error(get(*table, "absent"), StoreErrorCode::kNotFound);
}

// Under an owner filter another owner's item is absent.
TEST_F(SqliteTableTest, GetWithOwnerFilterHidesOtherOwnersItems) {
  auto table = open();
  ASSERT_TRUE(create(*table, make_item("k1", "alice")).has_value());
  expect_error(get(*table, "k1", "bob"), StoreErrorCode::kNotFound);
  EXPECT_TRUE(get(*table, "k1", "alice").has_value());
}

// Replace stores the new attributes and updated_ms, keeps the stored owner and created_ms, and
// yields the stored item.
TEST_F(SqliteTableTest, ReplaceKeepsOwnerAndCreatedAndSetsUpdated) {
  auto table = open();
  ASSERT_TRUE(create(*table, make_item("k1", "alice", 1000)).has_value());
  Record update = make_item("k1", "mallory", 0);
  update.attributes = R"({"id":"k1","name":"Ada"})";
  update.updated_ms = 2000;
  auto replaced = replace(*table, update);
  ASSERT_TRUE(replaced.has_value()) << replaced.error().message;
  EXPECT_EQ(replaced->owner, "alice");
  EXPECT_EQ(replaced->created_ms, 1000);
  EXPECT_EQ(replaced->updated_ms, 2000);
  EXPECT_EQ(replaced->attributes, update.attributes);

  auto got = get(*table, "k1");
  EXPECT_EQ(got->owner, "alice");
  EXPECT_EQ(got->created_ms, 1000);
  EXPECT_EQ(got->updated_ms, 2000);
  EXPECT_EQ(got->attributes, update.attributes);
}

// Replacing an absent key fails with kNotFound and creates nothing.
TEST_F(SqliteTableTest, ReplaceOfMissingKeyFailsWithNotFound) {
  auto table = open();
  expect_error(replace(*table, make_item("k1")), StoreErrorCode::kNotFound);
  expect_error(get(*table, "k1"), StoreErrorCode::kNotFound);
}

// Replacing another owner's item under an owner filter fails with kNotFound and changes nothing.
TEST_F(SqliteTableTest, ReplaceUnderAnotherOwnerFailsWithNotFound) {
  auto table = open();
  Record original = make_item("k1", "alice");
  ASSERT_TRUE(create(*table, original).has_value());
  Record update = make_item("k1", "bob", 5000);
  update.attributes = "{}";
  expect_error(replace(*table, update, "bob"), StoreErrorCode::kNotFound);
  EXPECT_EQ(get(*table, "k1")->attributes, original.attributes);
  EXPECT_TRUE(replace(*table, update, "alice").has_value());
}

// Remove deletes the item.
TEST_F(SqliteTableTest, RemoveDeletesTheItem) {
  auto table = open();
  ASSERT_TRUE(create(*table, make_item("k1")).has_value());
  EXPECT_TRUE(remove(*table, "k1").has_value());
  expect_error(get(*table, "k1"), StoreErrorCode::kNotFound);
}

// Removing an absent key fails with kNotFound.
TEST_F(SqliteTableTest, RemoveOfMissingKeyFailsWithNotFound) {
  auto table = open();
  auto removed = remove(*table, "absent");
  ASSERT_FALSE(removed.has_value());
  EXPECT_EQ(removed.error().code, StoreErrorCode::kNotFound);
}

// Removing another owner's item under an owner filter fails with kNotFound and keeps it.
TEST_F(SqliteTableTest, RemoveUnderAnotherOwnerFailsWithNotFound) {
  auto table = open();
  ASSERT_TRUE(create(*table, make_item("k1", "alice")).has_value());
  auto removed = remove(*table, "k1", "bob");
  ASSERT_FALSE(removed.has_value());
  EXPECT_EQ(removed.error().code, StoreErrorCode::kNotFound);
  EXPECT_TRUE(get(*table, "k1").has_value());
  EXPECT_TRUE(remove(*table, "k1", "alice").has_value());
}

// Attributes over max_item_bytes fail with kTooLarge before anything is queued; the limit itself
// is accepted.
TEST_F(SqliteTableTest, ItemOverTheSizeLimitFailsWithTooLarge) {
  auto o = options();
  o.max_item_bytes = 100;
  auto table = open(o);
  Record big = make_item("k1");
  big.attributes = std::string(101, 'x');

  Answer<Record> created;
  table->create(big, created.callback());
  ASSERT_TRUE(created.ready()) << "refused on the calling thread, before returning";
  expect_error(created.get(), StoreErrorCode::kTooLarge);
  expect_error(replace(*table, big), StoreErrorCode::kTooLarge);
  EXPECT_EQ(stats_.commits.value(), 0u);

  big.attributes.pop_back();
  EXPECT_TRUE(create(*table, big).has_value());
}

// Reads answer on the calling thread before returning; writes answer on the writer thread.
TEST_F(SqliteTableTest, ReadsAnswerInlineAndWritesOnTheWriterThread) {
  auto table = open();
  std::thread::id write_thread;
  std::promise<void> written;
  table->create(make_item("k1"), [&](StoreResult<Record>) {
    write_thread = std::this_thread::get_id();
    written.set_value();
  });
  written.get_future().wait();
  EXPECT_NE(write_thread, std::this_thread::get_id());

  std::thread::id read_thread;
  table->get("k1", std::nullopt,
             [&](StoreResult<Record>) { read_thread = std::this_thread::get_id(); });
  EXPECT_EQ(read_thread, std::this_thread::get_id());
}

// When a write's callback runs, the write is committed: a read from that very callback sees it.
TEST_F(SqliteTableTest, WriteIsVisibleWhenItsCallbackRuns) {
  auto table = open();
  std::promise<bool> seen;
  table->create(make_item("k1"), [&](StoreResult<Record>) {
    table->get("k1", std::nullopt, [&](StoreResult<Record> r) { seen.set_value(r.has_value()); });
  });
  EXPECT_TRUE(seen.get_future().get());
}

// --- Lists ------------------------------------------------------------------------------------

std::vector<std::string> keys_of(const Page& page) {
  std::vector<std::string> keys;
  for (auto& item : page.items)
    keys.push_back(item.key);
  return keys;
}

// An empty table lists as one empty, last page.
TEST_F(SqliteTableTest, ListOfEmptyTableIsOneEmptyPage) {
  auto table = open();
  auto page = list(*table, {});
  ASSERT_TRUE(page.has_value());
  EXPECT_TRUE(page->items.empty());
  EXPECT_FALSE(page->next_cursor.has_value());
}

// Items come back in ascending key order, whatever the order they were written in.
TEST_F(SqliteTableTest, ListReturnsItemsInKeyOrder) {
  auto table = open();
  for (auto key : {"c", "a", "b"})
    ASSERT_TRUE(create(*table, make_item(key)).has_value());
  auto page = list(*table, {});
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(keys_of(*page), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(page->items[0].attributes, make_item("a").attributes);
  EXPECT_FALSE(page->next_cursor.has_value());
}

// Following next_cursor visits every item once, in order; the last page has no cursor, also when
// it is exactly full.
TEST_F(SqliteTableTest, ListPaginatesThroughAllPagesWithTheCursor) {
  auto table = open();
  std::vector<std::future<StoreResult<Record>>> writes;
  for (int i = 0; i < 30; ++i)
    writes.push_back(create_async(*table, make_item("k" + std::to_string(100 + i))));
  for (auto& w : writes)
    ASSERT_TRUE(w.get().has_value());

  for (uint32_t limit : {7u, 10u, 30u}) {
    std::vector<std::string> seen;
    std::optional<std::string> cursor;
    int pages = 0;
    do {
      auto page = list(*table, {.limit = limit, .cursor = cursor, .owner = std::nullopt});
      ASSERT_TRUE(page.has_value()) << page.error().message;
      EXPECT_LE(page->items.size(), limit);
      for (auto& key : keys_of(*page))
        seen.push_back(key);
      cursor = page->next_cursor;
      ++pages;
    } while (cursor);
    EXPECT_EQ(pages, static_cast<int>((30 + limit - 1) / limit)) << "limit " << limit;
    ASSERT_EQ(seen.size(), 30u);
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 30u);
  }
}

// An owner filter lists only that owner's items, across pages.
TEST_F(SqliteTableTest, ListWithOwnerFilterReturnsOnlyThatOwnersItems) {
  auto table = open();
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(
        create(*table, make_item("k" + std::to_string(i), i % 2 ? "alice" : "bob")).has_value());
  auto first = list(*table, {.limit = 3, .cursor = std::nullopt, .owner = "alice"});
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(keys_of(*first), (std::vector<std::string>{"k1", "k3", "k5"}));
  ASSERT_TRUE(first->next_cursor.has_value());
  auto second = list(*table, {.limit = 3, .cursor = first->next_cursor, .owner = "alice"});
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(keys_of(*second), (std::vector<std::string>{"k7", "k9"}));
  EXPECT_FALSE(second->next_cursor.has_value());
  EXPECT_TRUE(list(*table, {.limit = 3, .cursor = std::nullopt, .owner = "carol"})->items.empty());
}

// The limit is clamped to 1..1000.
TEST_F(SqliteTableTest, ListClampsTheLimit) {
  auto table = open();
  std::vector<std::future<StoreResult<Record>>> writes;
  for (int i = 0; i < 1001; ++i)
    writes.push_back(create_async(*table, make_item("k" + std::to_string(10000 + i))));
  for (auto& w : writes)
    ASSERT_TRUE(w.get().has_value());
  auto zero = list(*table, {.limit = 0, .cursor = std::nullopt, .owner = std::nullopt});
  EXPECT_EQ(zero->items.size(), 1u);
  auto huge = list(*table, {.limit = 5000, .cursor = std::nullopt, .owner = std::nullopt});
  EXPECT_EQ(huge->items.size(), 1000u);
  EXPECT_TRUE(huge->next_cursor.has_value());
}

// max_bytes ends a page at the item that reaches it, whatever the limit; following the cursors
// still visits every item once.
TEST_F(SqliteTableTest, ListEndsAPageAtItsByteCap) {
  auto table = open();
  const size_t item_bytes = make_item("k10").key.size() + make_item("k10").attributes.size() +
                            make_item("k10").owner.size();
  for (int i = 10; i < 30; ++i)
    ASSERT_TRUE(create(*table, make_item("k" + std::to_string(i))).has_value());
  std::vector<std::string> seen;
  std::optional<std::string> cursor;
  do {
    auto page = list(
        *table,
        {.limit = 1000, .cursor = cursor, .owner = std::nullopt, .max_bytes = 3 * item_bytes - 1});
    ASSERT_TRUE(page.has_value());
    EXPECT_LE(page->items.size(), 3u);  // the third item reaches the cap and ends the page
    for (auto& key : keys_of(*page))
      seen.push_back(key);
    cursor = page->next_cursor;
  } while (cursor);
  EXPECT_EQ(seen.size(), 20u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 20u);
  // A cap below one item still makes progress: one item a page.
  auto one =
      list(*table, {.limit = 10, .cursor = std::nullopt, .owner = std::nullopt, .max_bytes = 1});
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->items.size(), 1u);
  EXPECT_TRUE(one->next_cursor.has_value());
}

// A cursor this table did not produce fails with kBadCursor.
TEST_F(SqliteTableTest, ListWithBadCursorFailsWithBadCursor) {
  auto table = open();
  for (std::string cursor : {"not a cursor", "", "YQ==", "a+b/"}) {
    auto page = list(*table, {.limit = 10, .cursor = cursor, .owner = std::nullopt});
    ASSERT_FALSE(page.has_value()) << cursor;
    EXPECT_EQ(page.error().code, StoreErrorCode::kBadCursor);
  }
}

// --- Group commit -----------------------------------------------------------------------------

// Writes queued while a transaction is in progress go together into the next one: 400 writes from
// 8 threads take 2 transactions (max_batch 256), and each transaction costs one WAL fsync.
TEST_F(SqliteTableTest, ConcurrentWritesAreGroupedIntoFewCommits) {
  auto o = options();
  o.vfs = FaultVfs::kName;  // counts the fsyncs
  auto table = open(o);
  std::vector<std::future<StoreResult<Record>>> writes(400);
  uint64_t syncs_before;
  {
    WriterGate gate(*table);
    ASSERT_TRUE(gate.gate_created());
    syncs_before = FaultVfs::instance().wal_syncs();
    std::vector<std::thread> writers;
    for (int t = 0; t < 8; ++t) {
      writers.emplace_back([&, t] {
        for (int i = 0; i < 50; ++i)
          writes[t * 50 + i] =
              create_async(*table, make_item("t" + std::to_string(t) + "-" + std::to_string(i)));
      });
    }
    for (auto& w : writers)
      w.join();
    EXPECT_EQ(stats_.queue_depth.value(), 401) << "the gate's write and 400 queued";
  }
  for (auto& w : writes)
    ASSERT_TRUE(w.get().has_value());
  EXPECT_EQ(FaultVfs::instance().wal_syncs() - syncs_before, 2u) << "one fsync per commit";
  table->close();

  EXPECT_EQ(stats_.commits.value(), 3u);  // the gate's, then 256 + 144
  EXPECT_EQ(stats_.batched_ops.value(), 401u);
  EXPECT_EQ(stats_.items_written.value(), 401u);
  EXPECT_EQ(stats_.queue_depth.value(), 0);
  EXPECT_EQ(list(*open(), {.limit = 1000, .cursor = {}, .owner = {}})->items.size(), 401u);
}

// max_batch caps a transaction: 10 queued writes with max_batch 4 take 3 commits.
TEST_F(SqliteTableTest, MaxBatchSplitsTheQueueIntoSeveralTransactions) {
  auto o = options();
  o.max_batch = 4;
  auto table = open(o);
  std::vector<std::future<StoreResult<Record>>> writes;
  {
    WriterGate gate(*table);
    for (int i = 0; i < 10; ++i)
      writes.push_back(create_async(*table, make_item("k" + std::to_string(i))));
  }
  for (auto& w : writes)
    ASSERT_TRUE(w.get().has_value());
  EXPECT_EQ(stats_.commits.value(), 1u + 3u);
  EXPECT_EQ(stats_.batched_ops.value(), 11u);
}

// An operation that fails on its own (exists, absent) does not affect the others in its
// transaction, and operations apply in queue order.
TEST_F(SqliteTableTest, OneFailingOperationLeavesTheRestOfItsBatchAlone) {
  auto table = open();
  ASSERT_TRUE(create(*table, make_item("taken")).has_value());
  uint64_t commits_before = stats_.commits.value();
  std::future<StoreResult<Record>> duplicate, fresh, replaced;
  Answer<std::monostate> removed_absent, removed_fresh;
  {
    WriterGate gate(*table);
    duplicate = create_async(*table, make_item("taken"));
    fresh = create_async(*table, make_item("fresh"));
    table->remove("absent", std::nullopt, removed_absent.callback());
    Record update = make_item("fresh", "alice", 2000);
    Answer<Record> r;
    table->replace(update, std::nullopt, r.callback());
    replaced = std::move(r.future);
    table->remove("taken", std::nullopt, removed_fresh.callback());
  }
  expect_error(duplicate.get(), StoreErrorCode::kAlreadyExists);
  EXPECT_TRUE(fresh.get().has_value());
  auto absent = removed_absent.get();
  ASSERT_FALSE(absent.has_value());
  EXPECT_EQ(absent.error().code, StoreErrorCode::kNotFound);
  auto r = replaced.get();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->updated_ms, 2000);
  EXPECT_TRUE(removed_fresh.get().has_value());
  EXPECT_EQ(stats_.commits.value() - commits_before, 2u);  // the gate's and one more
  EXPECT_EQ(stats_.failed_batches.value(), 0u);
  expect_error(get(*table, "taken"), StoreErrorCode::kNotFound);
}

// Past max_queue unanswered writes, a write fails at once with kUnavailable "write queue full".
TEST_F(SqliteTableTest, FullQueueFailsWritesWithUnavailable) {
  auto o = options();
  o.max_queue = 2;
  auto table = open(o);
  std::future<StoreResult<Record>> queued;
  {
    WriterGate gate(*table);  // one unanswered write
    queued = create_async(*table, make_item("k1"));
    Answer<Record> refused;
    table->create(make_item("k2"), refused.callback());
    ASSERT_TRUE(refused.ready());
    auto r = refused.get();
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, StoreErrorCode::kUnavailable);
    EXPECT_EQ(r.error().message, "write queue full");
  }
  EXPECT_TRUE(queued.get().has_value());
  EXPECT_EQ(stats_.queue_full.value(), 1u);
  EXPECT_TRUE(create(*table, make_item("k2")).has_value());
}

// --- Read snapshots ---------------------------------------------------------------------------

// Each of 4 threads, 1000 times: creates a key, waits for the callback and must find the key; then
// reads the keys that two other threads keep replacing, each its own with ever larger versions,
// and must see at least the version whose callback ran last, and never an older one than it saw
// before. With `sweep`, another thread calls release_idle_readers() all the while. Returns the
// number of failed checks.
int read_after_callbacks(SqliteTable& table, bool sweep) {
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
      table.release_idle_readers();
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
TEST_F(SqliteTableTest, ReadAfterAWritesCallbackAlwaysSeesTheWrite) {
  auto table = open();
  EXPECT_EQ(read_after_callbacks(*table, /*sweep=*/false), 0);
}

// The same while release_idle_readers() ends snapshots under the readers' feet.
TEST_F(SqliteTableTest, ReadAfterAWritesCallbackSeesTheWriteWhileSnapshotsAreReleased) {
  auto table = open();
  EXPECT_EQ(read_after_callbacks(*table, /*sweep=*/true), 0);
}

// A thread that read before a commit sees the commit in its next read: its snapshot is renewed.
TEST_F(SqliteTableTest, ReaderThatReadBeforeACommitSeesItAfterward) {
  auto table = open();
  std::promise<void> read_before, committed;
  std::shared_future<void> committed_future = committed.get_future().share();
  auto reader = std::async(std::launch::async, [&] {
    bool absent_before = !get(*table, "k1").has_value();
    bool empty_before = list(*table, {})->items.empty();
    read_before.set_value();
    committed_future.wait();
    auto after = get(*table, "k1");
    auto page = list(*table, {});
    return absent_before && empty_before && after.has_value() && page->items.size() == 1;
  });
  read_before.get_future().wait();
  ASSERT_TRUE(create(*table, make_item("k1")).has_value());
  committed.set_value();
  EXPECT_TRUE(reader.get());
}

// Reads between commits share one snapshot; the first read after a commit begins a new one and
// sees replaces and removes as well as creates.
TEST_F(SqliteTableTest, ReadsKeepTheirSnapshotUntilTheTableCommits) {
  auto table = open();
  ASSERT_TRUE(create(*table, make_item("k1", "alice", 1000)).has_value());
  EXPECT_TRUE(get(*table, "k1").has_value());
  uint64_t snapshots = stats_.read_snapshots.value();
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(get(*table, "k1").has_value());
    ASSERT_TRUE(list(*table, {})->items.size() == 1);
  }
  EXPECT_EQ(stats_.read_snapshots.value(), snapshots) << "no commit, no new snapshot";

  Record update = make_item("k1", "alice", 1000);
  update.updated_ms = 2000;
  ASSERT_TRUE(replace(*table, update).has_value());
  EXPECT_EQ(get(*table, "k1")->updated_ms, 2000);
  EXPECT_EQ(stats_.read_snapshots.value(), snapshots + 1);
  ASSERT_TRUE(remove(*table, "k1").has_value());
  expect_error(get(*table, "k1"), StoreErrorCode::kNotFound);
  EXPECT_TRUE(list(*table, {})->items.empty());
  EXPECT_EQ(stats_.read_snapshots.value(), snapshots + 2);
}

// A snapshot left open by a thread that stopped reading holds back the checkpoint until
// release_idle_readers() ends it, since a commit made it out of date.
TEST_F(SqliteTableTest, ReleaseIdleReadersEndsOutOfDateSnapshots) {
  auto table = open();
  ASSERT_TRUE(create(*table, make_item("k0")).has_value());
  ASSERT_TRUE(get(*table, "k0").has_value());  // this thread's snapshot, then no more reads
  ASSERT_TRUE(create(*table, make_item("k1")).has_value());

  RawConnection other(path_);
  auto [frames, copied] = other.checkpoint();
  EXPECT_GT(frames, 0);
  EXPECT_LT(copied, frames) << "the open snapshot holds back the last commit's frames";

  table->release_idle_readers();
  std::tie(frames, copied) = other.checkpoint();
  EXPECT_GT(frames, 0);
  EXPECT_EQ(copied, frames);

  uint64_t snapshots = stats_.read_snapshots.value();
  EXPECT_TRUE(get(*table, "k1").has_value());
  EXPECT_EQ(stats_.read_snapshots.value(), snapshots + 1);
}

// An up-to-date snapshot survives one call and ends at the next, so snapshots are bounded in age
// also when the table's own generation does not move: here another table in the same file commits.
TEST_F(SqliteTableTest, ReleaseIdleReadersEndsSnapshotsOpenSinceThePreviousCall) {
  auto items = open();
  auto o = options();
  o.table_name = "orders";
  auto orders = open(o);
  ASSERT_TRUE(create(*items, make_item("k1")).has_value());
  ASSERT_TRUE(get(*items, "k1").has_value());
  ASSERT_TRUE(create(*orders, make_item("o1")).has_value());  // items' snapshot is now old
  RawConnection other(path_);
  uint64_t snapshots = stats_.read_snapshots.value();

  items->release_idle_readers();
  auto [frames, copied] = other.checkpoint();
  EXPECT_LT(copied, frames) << "up to date for items: kept by the first call";
  EXPECT_TRUE(get(*items, "k1").has_value());
  EXPECT_EQ(stats_.read_snapshots.value(), snapshots) << "the read reused it";

  items->release_idle_readers();
  std::tie(frames, copied) = other.checkpoint();
  EXPECT_EQ(copied, frames) << "still open at the second call: ended";
  EXPECT_TRUE(get(*items, "k1").has_value());
  EXPECT_EQ(stats_.read_snapshots.value(), snapshots + 1);
}

// A thread that reads between every two writes always holds a snapshot when the writer commits,
// which would keep the WAL from ever starting over. Past the checkpoint mark (1000 frames) readers
// give up their snapshots after each read, so the WAL starts over and stays near the mark.
TEST_F(SqliteTableTest, WalStartsOverWhileAThreadReadsBetweenWrites) {
  auto table = open();
  // About 4000 frames in all: each commit adds a table page and an index page or more.
  for (int i = 0; i < 1000; ++i) {
    Record item = make_item("k" + std::to_string(i));
    item.attributes = std::string(1500, 'x');
    ASSERT_TRUE(create(*table, item).has_value());
    ASSERT_TRUE(get(*table, item.key).has_value());
  }
  int64_t frames = RawConnection(path_).checkpoint().first;
  EXPECT_GE(frames, 0);
  EXPECT_LT(frames, 1100) << "the WAL started over since the mark";
}

// close() closes read connections whose snapshots are open, on this thread and on threads that
// are still alive; those threads' later reads fail with kUnavailable and their exit is clean. The
// writer's connection, closed last, then checkpoints and deletes the WAL, which it can do only as
// the file's last connection.
TEST_F(SqliteTableTest, CloseClosesConnectionsWithOpenSnapshots) {
  auto table = open();
  ASSERT_TRUE(create(*table, make_item("k1")).has_value());
  ASSERT_TRUE(get(*table, "k1").has_value());
  constexpr int kThreads = 3;
  std::vector<std::promise<void>> have_read(kThreads);
  std::promise<void> closed;
  std::shared_future<void> closed_future = closed.get_future().share();
  std::vector<std::future<std::optional<StoreError>>> after_close;
  for (int t = 0; t < kThreads; ++t) {
    after_close.push_back(std::async(std::launch::async, [&, t]() -> std::optional<StoreError> {
      bool ok = get(*table, "k1").has_value();
      have_read[t].set_value();
      closed_future.wait();
      auto r = get(*table, "k1");
      if (!ok || r.has_value()) return std::nullopt;
      return r.error();
    }));
  }
  for (auto& p : have_read)
    p.get_future().wait();
  EXPECT_TRUE(create(*table, make_item("k2")).has_value());  // every snapshot out of date

  table->close();
  EXPECT_FALSE(std::filesystem::exists(path_ + "-wal"));
  table->release_idle_readers();  // nothing left to release
  closed.set_value();
  for (auto& f : after_close) {
    auto error = f.get();
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code, StoreErrorCode::kUnavailable);
    EXPECT_EQ(error->message, "table is closed");
  }
  auto reopened = open();
  EXPECT_TRUE(get(*reopened, "k2").has_value());
}

// --- Storage failures -------------------------------------------------------------------------

// A full disk fails the whole transaction with kUnavailable "disk full"; none of it is stored,
// and once space is back the next transaction succeeds.
TEST_F(SqliteTableTest, DiskFullFailsTheWholeBatchAndTheWriterRecovers) {
  auto o = options();
  o.vfs = FaultVfs::kName;
  auto table = open(o);
  ASSERT_TRUE(create(*table, make_item("before")).has_value());
  std::vector<std::future<StoreResult<Record>>> doomed;
  {
    WriterGate gate(*table);
    FaultVfs::instance().fail_writes(SQLITE_FULL);
    for (int i = 0; i < 3; ++i)
      doomed.push_back(create_async(*table, make_item("doomed" + std::to_string(i))));
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
  ASSERT_TRUE(create(*table, make_item("after")).has_value());
  table->close();

  auto reopened = open();
  EXPECT_TRUE(get(*reopened, "before").has_value());
  EXPECT_TRUE(get(*reopened, "after").has_value());
  for (int i = 0; i < 3; ++i)
    expect_error(get(*reopened, "doomed" + std::to_string(i)), StoreErrorCode::kNotFound);
}

// A failing fsync fails the transaction with kIoError, and the writer recovers afterwards.
TEST_F(SqliteTableTest, FailedFsyncFailsTheBatchWithIoError) {
  auto o = options();
  o.vfs = FaultVfs::kName;
  auto table = open(o);
  FaultVfs::instance().fail_syncs(SQLITE_IOERR_FSYNC);
  expect_error(create(*table, make_item("k1")), StoreErrorCode::kIoError);
  EXPECT_EQ(stats_.io_errors.value(), 1u);
  FaultVfs::instance().reset();
  EXPECT_TRUE(create(*table, make_item("k2")).has_value());
  EXPECT_TRUE(get(*table, "k2").has_value());
}

// A write lock held by another connection makes writes fail with kUnavailable after
// busy_timeout_ms, while reads go on (WAL); once it is released writes succeed again.
TEST_F(SqliteTableTest, LockedDatabaseFailsWritesWithUnavailable) {
  auto o = options();
  o.busy_timeout_ms = 20;
  auto table = open(o);
  ASSERT_TRUE(create(*table, make_item("k1")).has_value());
  RawConnection other(path_);
  ASSERT_EQ(other.exec("BEGIN EXCLUSIVE"), SQLITE_OK);

  auto r = create(*table, make_item("k2"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, StoreErrorCode::kUnavailable);
  EXPECT_EQ(r.error().message, "database is locked");
  EXPECT_TRUE(get(*table, "k1").has_value());

  ASSERT_EQ(other.exec("COMMIT"), SQLITE_OK);
  EXPECT_TRUE(create(*table, make_item("k2")).has_value());
}

// A file without write permission opens for reading; writes fail with kUnavailable. (chmod does
// not stop root; ReadOnlyDatabaseServesReadsAndRefusesWrites covers that case.)
TEST_F(SqliteTableTest, ReadOnlyFileServesReadsAndRefusesWrites) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes to read-only files";
  open()->create(make_item("k1"), [](StoreResult<Record>) {});  // answered before the close
  ASSERT_EQ(::chmod(path_.c_str(), 0444), 0);
  auto table = open();
  EXPECT_TRUE(get(*table, "k1").has_value());
  auto r = create(*table, make_item("k2"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, StoreErrorCode::kUnavailable);
  EXPECT_EQ(r.error().message, "database is read-only");
}

// A database file that opens read-only (here through the fault VFS, which works as root too)
// serves reads; writes fail with kUnavailable "database is read-only".
TEST_F(SqliteTableTest, ReadOnlyDatabaseServesReadsAndRefusesWrites) {
  ASSERT_TRUE(create(*open(), make_item("k1")).has_value());
  FaultVfs::instance().open_read_only(true);
  auto o = options();
  o.vfs = FaultVfs::kName;
  auto table = open(o);
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(get(*table, "k1").has_value());
  auto r = create(*table, make_item("k2"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, StoreErrorCode::kUnavailable);
  EXPECT_EQ(r.error().message, "database is read-only");
  EXPECT_EQ(stats_.unavailable.value(), 1u);
}

// A read-only file that lacks the table cannot be opened: the table cannot be created.
TEST_F(SqliteTableTest, ReadOnlyDatabaseWithoutTheTableFailsToOpen) {
  open().reset();  // creates the file with table "items"
  FaultVfs::instance().open_read_only(true);
  auto o = options();
  o.vfs = FaultVfs::kName;
  o.table_name = "orders";
  auto error = open_error(o);
  EXPECT_EQ(error.code(), core::Code::kPermissionDenied);
  EXPECT_NE(error.message().find("read-only"), std::string::npos) << error.message();
  EXPECT_NE(error.message().find(path_), std::string::npos);
}

// A file of garbage is refused at open, with an error that names the file.
TEST_F(SqliteTableTest, GarbageFileFailsToOpen) {
  std::ofstream(path_) << std::string(8192, 'x');
  auto error = open_error(options());
  EXPECT_EQ(error.code(), core::Code::kIoError);
  EXPECT_NE(error.message().find(path_), std::string::npos) << error.message();
  EXPECT_NE(error.message().find("not a SQLite database"), std::string::npos) << error.message();
}

// A database whose data pages are damaged opens (the schema page is intact), then reads and
// writes fail with kCorrupt; nothing crashes.
TEST_F(SqliteTableTest, DamagedPagesFailReadsAndWritesWithCorrupt) {
  {
    auto table = open();
    std::vector<std::future<StoreResult<Record>>> writes;
    for (int i = 0; i < 50; ++i)
      writes.push_back(create_async(*table, make_item("k" + std::to_string(i))));
    for (auto& w : writes)
      ASSERT_TRUE(w.get().has_value());
  }  // closing checkpoints the WAL into the file
  {
    std::fstream file(path_, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(0, std::ios::end);
    auto size = static_cast<size_t>(file.tellp());
    ASSERT_GT(size, 4096u);
    file.seekp(4096);  // everything after the first page, which holds the schema
    file << std::string(size - 4096, '\xab');
  }
  auto table = open();
  ASSERT_NE(table, nullptr);
  expect_error(get(*table, "k1"), StoreErrorCode::kCorrupt);
  auto page = list(*table, {});
  ASSERT_FALSE(page.has_value());
  EXPECT_EQ(page.error().code, StoreErrorCode::kCorrupt);
  expect_error(create(*table, make_item("k99")), StoreErrorCode::kCorrupt);
  EXPECT_EQ(stats_.corrupt.value(), 3u);
}

// --- Opening ----------------------------------------------------------------------------------

// A directory that does not exist is the caller's to create; the error says so.
TEST_F(SqliteTableTest, OpenFailsWhenTheDirectoryDoesNotExist) {
  auto o = options();
  o.path = dir_ + "/missing/items.db";
  auto error = open_error(o);
  EXPECT_EQ(error.code(), core::Code::kNotFound);
  EXPECT_NE(error.message().find(dir_ + "/missing"), std::string::npos) << error.message();
  EXPECT_NE(error.message().find("does not exist"), std::string::npos) << error.message();
}

// A directory in a place where no file can be created fails with kPermissionDenied.
TEST_F(SqliteTableTest, OpenFailsWithoutPermissionToCreateTheFile) {
  if (::geteuid() == 0) GTEST_SKIP() << "root may create files anywhere";
  ASSERT_EQ(::chmod(dir_.c_str(), 0500), 0);
  auto error = open_error(options());
  EXPECT_EQ(error.code(), core::Code::kPermissionDenied);
  EXPECT_NE(error.message().find(path_), std::string::npos) << error.message();
}

// A path that names a directory is refused.
TEST_F(SqliteTableTest, OpenFailsForADirectory) {
  auto o = options();
  o.path = dir_;
  auto error = open_error(o);
  EXPECT_EQ(error.code(), core::Code::kInvalidArgument);
  EXPECT_NE(error.message().find("is a directory"), std::string::npos) << error.message();
}

// Table names must be plain identifiers, so they can be quoted into SQL safely.
TEST_F(SqliteTableTest, OpenRejectsInvalidTableNames) {
  for (const std::string& name :
       std::vector<std::string>{"", "1items", "it-ems", "it\"ems", "items; DROP TABLE x",
                                "sqlite_x", "SQLITE_master", std::string(65, 'a'), "ïtems"}) {
    auto o = options();
    o.table_name = name;
    EXPECT_EQ(open_error(o).code(), core::Code::kInvalidArgument) << name;
  }
  for (const std::string& name :
       std::vector<std::string>{"_items", "Items_2", std::string(64, 'a')}) {
    auto o = options();
    o.table_name = name;
    EXPECT_NE(open(o), nullptr) << name;
  }
}

// An existing table of the same name with other columns is refused at open.
TEST_F(SqliteTableTest, OpenFailsForATableWithOtherColumns) {
  RawConnection(path_).exec("CREATE TABLE items (id TEXT PRIMARY KEY, body TEXT)");
  auto error = open_error(options());
  EXPECT_EQ(error.code(), core::Code::kInvalidArgument);
  EXPECT_NE(error.message().find("has the columns (id, body)"), std::string::npos)
      << error.message();
}

// A file written by a newer schema version is refused rather than misread.
TEST_F(SqliteTableTest, OpenFailsForANewerSchemaVersion) {
  RawConnection(path_).exec("PRAGMA user_version = 2");
  auto error = open_error(options());
  EXPECT_EQ(error.code(), core::Code::kInvalidArgument);
  EXPECT_NE(error.message().find("schema version 2"), std::string::npos) << error.message();
}

// An unknown VFS name is refused.
TEST_F(SqliteTableTest, OpenRejectsAnUnknownVfs) {
  auto o = options();
  o.vfs = "no-such-vfs";
  EXPECT_EQ(open_error(o).code(), core::Code::kInvalidArgument);
}

// A new file is in WAL mode, carries the schema version, and has the owner index.
TEST_F(SqliteTableTest, NewFileIsInWalModeWithSchemaVersion) {
  auto table = open();
  RawConnection raw(path_);
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.text("PRAGMA user_version"), std::to_string(SqliteTable::kSchemaVersion));
  EXPECT_EQ(raw.text("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'items' "
                     "AND sql LIKE '%owner, key%'"),
            "items_by_owner");
}

// The database, -wal and -shm files are readable by their owner only.
TEST_F(SqliteTableTest, FilesAreCreatedWithMode0600) {
  mode_t old_umask = ::umask(022);
  auto table = open();
  ::umask(old_umask);
  ASSERT_TRUE(create(*table, make_item("k1")).has_value());
  for (std::string suffix : {"", "-wal", "-shm"}) {
    struct stat st {};
    ASSERT_EQ(::stat((path_ + suffix).c_str(), &st), 0) << suffix;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << suffix;
  }
}

// Two tables can share one file.
TEST_F(SqliteTableTest, TwoTablesShareOneFile) {
  auto items = open();
  auto o = options();
  o.table_name = "orders";
  auto orders = open(o);
  ASSERT_TRUE(create(*items, make_item("k1", "alice")).has_value());
  ASSERT_TRUE(create(*orders, make_item("k1", "bob")).has_value());
  EXPECT_EQ(get(*items, "k1")->owner, "alice");
  EXPECT_EQ(get(*orders, "k1")->owner, "bob");
}

// --- Lifecycle --------------------------------------------------------------------------------

// What was written is there after close and reopen.
TEST_F(SqliteTableTest, ReopenAfterCloseKeepsData) {
  {
    auto table = open();
    ASSERT_TRUE(create(*table, make_item("k1")).has_value());
    ASSERT_TRUE(create(*table, make_item("k2")).has_value());
    ASSERT_TRUE(remove(*table, "k2").has_value());
  }
  auto table = open();
  EXPECT_TRUE(get(*table, "k1").has_value());
  expect_error(get(*table, "k2"), StoreErrorCode::kNotFound);
}

// close() answers every queued write, successfully, before it returns.
TEST_F(SqliteTableTest, CloseCompletesQueuedWrites) {
  auto table = open();
  std::atomic<int> answered{0};
  std::atomic<int> succeeded{0};
  std::future<int> answered_at_close;
  {
    WriterGate gate(*table);
    for (int i = 0; i < 10; ++i) {
      table->create(make_item("k" + std::to_string(i)), [&](StoreResult<Record> r) {
        succeeded += r.has_value();
        ++answered;
      });
    }
    answered_at_close = std::async(std::launch::async, [&] {
      table->close();
      return answered.load();
    });
  }
  EXPECT_EQ(answered_at_close.get(), 10);
  EXPECT_EQ(succeeded.load(), 10);
  auto reopened = open();
  EXPECT_EQ(list(*reopened, {})->items.size(), 11u);
}

// After close() every operation fails with kUnavailable, and close() may be called again.
TEST_F(SqliteTableTest, OperationsAfterCloseFailWithUnavailable) {
  auto table = open();
  ASSERT_TRUE(create(*table, make_item("k1")).has_value());
  table->close();
  table->close();
  for (auto r :
       {create(*table, make_item("k2")), get(*table, "k1"), replace(*table, make_item("k1"))}) {
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, StoreErrorCode::kUnavailable);
    EXPECT_EQ(r.error().message, "table is closed");
  }
  EXPECT_EQ(remove(*table, "k1").error().code, StoreErrorCode::kUnavailable);
  EXPECT_EQ(list(*table, {}).error().code, StoreErrorCode::kUnavailable);
}

// Many threads read and write at once, each read on its own connection; connections of threads
// that exit are closed with them, the rest by close().
TEST_F(SqliteTableTest, ManyThreadsReadAndWriteAtOnce) {
  auto table = open();
  ASSERT_TRUE(create(*table, make_item("shared")).has_value());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        std::string key = "t" + std::to_string(t) + "-" + std::to_string(i);
        if (!create(*table, make_item(key)).has_value()) ++failures;
        if (!get(*table, key).has_value()) ++failures;
        if (!get(*table, "shared").has_value()) ++failures;
        if (!list(*table, {.limit = 5, .cursor = {}, .owner = "alice"}).has_value()) ++failures;
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(list(*table, {.limit = 1000, .cursor = {}, .owner = {}})->items.size(), 161u);
}

}  // namespace
}  // namespace gatehouse::store::sqlite
