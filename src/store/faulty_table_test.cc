#include "store/faulty_table.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <thread>

namespace gatehouse::store {
namespace {

// An in-memory table that answers at once and records which operations reached it.
class RecordingTable final : public Table {
 public:
  std::vector<std::string> calls;
  bool closed = false;

  void create(Record item, ItemDone done) override {
    calls.push_back("create " + item.key);
    if (items_.contains(item.key)) return done(StoreError{StoreErrorCode::kAlreadyExists, "taken"});
    items_[item.key] = item;
    done(std::move(item));
  }
  void get(std::string key, OwnerFilter, ItemDone done) override {
    calls.push_back("get " + key);
    auto it = items_.find(key);
    if (it == items_.end()) return done(StoreError{StoreErrorCode::kNotFound, "absent"});
    done(it->second);
  }
  void list(ListQuery, PageDone done) override {
    calls.push_back("list");
    Page page;
    for (auto& [key, item] : items_)
      page.items.push_back(item);
    done(std::move(page));
  }
  void replace(Record item, OwnerFilter, ItemDone done) override {
    calls.push_back("replace " + item.key);
    done(std::move(item));
  }
  void remove(std::string key, OwnerFilter, VoidDone done) override {
    calls.push_back("remove " + key);
    items_.erase(key);
    done(std::monostate{});
  }
  void close() override { closed = true; }

 private:
  std::map<std::string, Record> items_;
};

Record item(const std::string& key) {
  Record out;
  out.key = key;
  out.attributes = "{}";
  return out;
}

class FaultyTableTest : public ::testing::Test {
 protected:
  FaultyTableTest() {
    auto inner = std::make_unique<RecordingTable>();
    inner_ = inner.get();
    table_ = std::make_unique<FaultyTable>(std::move(inner));
  }

  // Runs create and returns what `done` got, or nullopt if `done` has not run yet.
  std::optional<StoreResult<Record>> create(const std::string& key) {
    std::optional<StoreResult<Record>> out;
    table_->create(item(key), [&](StoreResult<Record> r) { out.emplace(std::move(r)); });
    return out;
  }
  std::optional<StoreResult<Record>> get(const std::string& key) {
    std::optional<StoreResult<Record>> out;
    table_->get(key, std::nullopt, [&](StoreResult<Record> r) { out.emplace(std::move(r)); });
    return out;
  }

  RecordingTable* inner_ = nullptr;
  std::unique_ptr<FaultyTable> table_;
};

const StoreError kDiskFull{StoreErrorCode::kUnavailable, "disk full"};

// Without rules or stalls every operation reaches the inner table and its answer comes back.
TEST_F(FaultyTableTest, ForwardsEverythingByDefault) {
  ASSERT_TRUE(create("a").value().has_value());
  auto got = get("a");
  ASSERT_TRUE(got.value().has_value());
  EXPECT_EQ((*got)->key, "a");
  EXPECT_EQ(inner_->calls, (std::vector<std::string>{"create a", "get a"}));
}

// A rule fails the next matching operation with its error, without reaching the inner table, then
// expires.
TEST_F(FaultyTableTest, FailsTheNextMatchingOperationOnce) {
  table_->fail(FaultyTable::kCreate, kDiskFull);
  auto first = create("a");
  ASSERT_TRUE(first.has_value()) << "an injected failure answers before the call returns";
  ASSERT_FALSE(first->has_value());
  EXPECT_EQ(first->error().code, StoreErrorCode::kUnavailable);
  EXPECT_EQ(first->error().message, "disk full");
  EXPECT_TRUE(inner_->calls.empty());

  EXPECT_TRUE(create("a").value().has_value());
  EXPECT_EQ(inner_->calls, (std::vector<std::string>{"create a"}));
}

// A rule counts down only on the operations in its mask.
TEST_F(FaultyTableTest, RuleAppliesOnlyToItsOperations) {
  table_->fail(FaultyTable::kWrites, kDiskFull, 2);
  EXPECT_EQ(get("a").value().error().code, StoreErrorCode::kNotFound);  // reached the inner table
  EXPECT_EQ(create("a").value().error().code, StoreErrorCode::kUnavailable);

  std::optional<StoreResult<std::monostate>> removed;
  table_->remove("a", std::nullopt, [&](auto r) { removed.emplace(std::move(r)); });
  EXPECT_EQ(removed.value().error().code, StoreErrorCode::kUnavailable);

  EXPECT_TRUE(create("a").value().has_value());
}

// kAlways keeps failing until clear_faults().
TEST_F(FaultyTableTest, AlwaysRuleHoldsUntilCleared) {
  table_->fail(FaultyTable::kReads, {StoreErrorCode::kCorrupt, "damaged"}, FaultyTable::kAlways);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(get("a").value().error().code, StoreErrorCode::kCorrupt);
  std::optional<StoreResult<Page>> page;
  table_->list({}, [&](StoreResult<Page> r) { page.emplace(std::move(r)); });
  EXPECT_EQ(page.value().error().code, StoreErrorCode::kCorrupt);

  table_->clear_faults();
  EXPECT_EQ(get("a").value().error().code, StoreErrorCode::kNotFound);
}

// Rules apply in the order they were added.
TEST_F(FaultyTableTest, EarlierRuleWins) {
  table_->fail(FaultyTable::kCreate, {StoreErrorCode::kIoError, "first"});
  table_->fail(FaultyTable::kAll, {StoreErrorCode::kCorrupt, "second"});
  EXPECT_EQ(create("a").value().error().message, "first");
  EXPECT_EQ(create("a").value().error().message, "second");
}

// Stalled operations wait, unanswered, until resume() forwards them in arrival order.
TEST_F(FaultyTableTest, StallHoldsOperationsUntilResume) {
  table_->stall(FaultyTable::kWrites);
  auto a = create("a");
  auto b = create("b");
  EXPECT_FALSE(a.has_value());
  EXPECT_EQ(table_->stalled(), 2u);
  EXPECT_EQ(get("a").value().error().code, StoreErrorCode::kNotFound);  // reads pass

  std::vector<std::string> answered;
  table_->create(item("c"), [&](StoreResult<Record> r) { answered.push_back(r->key); });
  table_->replace(item("c"), std::nullopt,
                  [&](StoreResult<Record> r) { answered.push_back("replaced " + r->key); });
  table_->resume();
  EXPECT_EQ(answered, (std::vector<std::string>{"c", "replaced c"}));
  EXPECT_EQ(inner_->calls,
            (std::vector<std::string>{"get a", "create a", "create b", "create c", "replace c"}));
  EXPECT_EQ(table_->stalled(), 0u);
  EXPECT_TRUE(create("d").value().has_value()) << "resume() also stops stalling";
}

// A matching failure rule answers at once even while its operations are stalled.
TEST_F(FaultyTableTest, FailureRuleBeatsStall) {
  table_->stall(FaultyTable::kAll);
  table_->fail(FaultyTable::kCreate, kDiskFull);
  EXPECT_EQ(create("a").value().error().code, StoreErrorCode::kUnavailable);
  EXPECT_EQ(table_->stalled(), 0u);
}

// wait_stalled() returns once operations issued on other threads are held.
TEST_F(FaultyTableTest, WaitStalledSeesOperationsFromOtherThreads) {
  table_->stall(FaultyTable::kGet);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] { table_->get("x", std::nullopt, [](StoreResult<Record>) {}); });
  table_->wait_stalled(4);
  EXPECT_EQ(table_->stalled(), 4u);
  for (auto& t : threads)
    t.join();
  table_->resume();
  EXPECT_EQ(inner_->calls.size(), 4u);
}

// close() forwards what is held (the contract: queued operations finish) and closes the inner
// table.
TEST_F(FaultyTableTest, CloseForwardsHeldOperationsThenClosesInner) {
  table_->stall(FaultyTable::kCreate);
  auto a = create("a");
  bool answered = false;
  table_->create(item("b"), [&](StoreResult<Record> r) { answered = r.has_value(); });
  table_->close();
  EXPECT_TRUE(answered);
  EXPECT_TRUE(inner_->closed);
  EXPECT_EQ(inner_->calls, (std::vector<std::string>{"create a", "create b"}));
}

}  // namespace
}  // namespace gatehouse::store
