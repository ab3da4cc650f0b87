// What the crud table's tests share: a store in a temporary directory with one crud table, the
// operations as blocking calls, a gate that holds the writer, and a raw connection to the file.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>
#include "store/sqlite/engine_table.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <thread>
#include <tuple>

#include <boost/json/parse.hpp>

#include "core/clock.h"
#include "store/json_codec.h"
#include "store/sqlite/engine.h"
#include "store/sqlite/fault_vfs.h"

namespace gatehouse::store::sqlite::test_support {

constexpr uint64_t kMaxItemBytes = 400 * 1024;

inline Record make_item(const std::string& key, const std::string& owner = "alice",
                        int64_t at_ms = 1000) {
  Record item;
  item.key = key;
  item.attributes = R"({"id":")" + key + R"(","name":"Yev"})";
  item.owner = owner;
  item.created_ms = at_ms;
  item.updated_ms = at_ms;
  return item;
}

// An item whose attributes are `{"id":"<key>","pad":"xxx…"}`, exactly `bytes` long.
inline Record padded_item(const std::string& key, size_t bytes) {
  Record item = make_item(key);
  const std::string head = R"({"id":")" + key + R"(","pad":")";
  item.attributes = head + std::string(bytes - head.size() - 2, 'x') + "\"}";
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

inline std::future<StoreResult<Record>> create_async(Table& table, Record item) {
  Answer<Record> answer;
  table.create(std::move(item), answer.callback());
  return std::move(answer.future);
}

inline StoreResult<Record> create(Table& table, Record item) {
  return create_async(table, std::move(item)).get();
}
inline StoreResult<Record> get(Table& table, const std::string& key,
                               OwnerFilter owner = std::nullopt) {
  Answer<Record> answer;
  table.get(key, std::move(owner), answer.callback());
  return answer.get();
}
inline std::future<StoreResult<Record>> replace_async(Table& table, Record item,
                                                      OwnerFilter owner = std::nullopt) {
  Answer<Record> answer;
  table.replace(std::move(item), std::move(owner), answer.callback());
  return std::move(answer.future);
}
inline StoreResult<Record> replace(Table& table, Record item, OwnerFilter owner = std::nullopt) {
  return replace_async(table, std::move(item), std::move(owner)).get();
}
inline StoreResult<std::monostate> remove(Table& table, const std::string& key,
                                          OwnerFilter owner = std::nullopt) {
  Answer<std::monostate> answer;
  table.remove(key, std::move(owner), answer.callback());
  return answer.get();
}
inline StoreResult<Page> list(Table& table, ListQuery query) {
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

// Runs SQL on a connection of the test's own, bypassing the engine.
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

// One engine on a file of a temporary directory and its crud table "items", keyed on "id".
class EngineTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FaultVfs::instance();  // registers it, for the tests that name it
    char pattern[] = "/tmp/gh-engine-table-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/dynamodb.db";
  }
  void TearDown() override {
    close_store();
    FaultVfs::instance().reset();
    std::filesystem::permissions(dir_, std::filesystem::perms::owner_all);
    std::filesystem::remove_all(dir_);
  }

  EngineOptions options() const { return {.path = path_}; }

  // Opens engine_ and table_, closing those open before.
  void open(EngineOptions o, uint64_t max_item_bytes = kMaxItemBytes) {
    close_store();
    auto engine = Engine::open(std::move(o), stats_, clock_);
    ASSERT_TRUE(engine.has_value()) << engine.error().to_string();
    engine_ = std::move(*engine);
    auto table = EngineTable::open(*engine_, "items", "id", max_item_bytes);
    ASSERT_TRUE(table.has_value()) << table.error().to_string();
    table_ = std::move(*table);
  }
  void open() { open(options()); }
  void close_store() {
    table_.reset();
    engine_.reset();
  }

  core::Status open_error(EngineOptions o) {
    SqliteStats stats;
    auto engine = Engine::open(std::move(o), stats, clock_);
    EXPECT_FALSE(engine.has_value());
    return engine ? core::Status() : engine.error();
  }

  std::string dir_;
  std::string path_;
  SqliteStats stats_;
  core::ManualClock clock_{1'700'000'000};
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<EngineTable> table_;  // declared after engine_: destroyed first
};

inline void expect_error(const StoreResult<Record>& r, StoreErrorCode code) {
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, code) << r.error().message;
}

}  // namespace gatehouse::store::sqlite::test_support
