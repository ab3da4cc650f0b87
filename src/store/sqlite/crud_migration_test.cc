// Moving a crud table out of the one-file-per-table layout of an earlier gatehouse into the
// engine: every item with its metadata, the rename to <file>.migrated, a run that finds no file,
// a run over items the engine already has, and files it must leave alone.
#include "store/sqlite/crud_migration.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <vector>

#include "core/clock.h"
#include "store/sqlite/engine.h"
#include "store/sqlite/engine_table.h"

namespace gatehouse::store::sqlite {
namespace {

// One row of the old layout.
struct OldRow {
  std::string key;
  std::string owner;
  int64_t created = 0;
  int64_t updated = 0;
  std::string attributes;
};

// Writes `rows` into table `table` of the file at `path` as an earlier gatehouse did: WAL mode,
// the five columns, the owner index, schema version 1. Returns SQLite's first failure.
int write_old_rows(sqlite3* db, const std::string& table, const std::vector<OldRow>& rows) {
  const std::string quoted = "\"" + table + "\"";
  const std::string schema =
      "PRAGMA journal_mode = WAL; BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS " + quoted +
      " (key TEXT NOT NULL PRIMARY KEY, owner TEXT NOT NULL, created INTEGER NOT NULL,"
      " updated INTEGER NOT NULL, attributes TEXT NOT NULL); CREATE INDEX IF NOT EXISTS \"" +
      table + "_by_owner\" ON " + quoted + " (owner, key); PRAGMA user_version = 1; COMMIT;";
  int rc = sqlite3_exec(db, schema.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return rc;
  sqlite3_stmt* insert = nullptr;
  rc =
      sqlite3_prepare_v2(db,
                         ("INSERT INTO " + quoted +
                          " (key, owner, created, updated, attributes) VALUES (?1, ?2, ?3, ?4, ?5)")
                             .c_str(),
                         -1, &insert, nullptr);
  for (const OldRow& row : rows) {
    if (rc != SQLITE_OK) break;
    sqlite3_bind_text(insert, 1, row.key.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 2, row.owner.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(insert, 3, row.created);
    sqlite3_bind_int64(insert, 4, row.updated);
    sqlite3_bind_text(insert, 5, row.attributes.c_str(), -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(insert) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  return rc;
}

void write_old_file(const std::string& path, const std::string& table,
                    const std::vector<OldRow>& rows) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(write_old_rows(db, table, rows), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

// The rows a table of an old file holds, by SQL.
int64_t count_rows(const std::string& path, const std::string& table) {
  sqlite3* db = nullptr;
  int64_t count = -1;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK &&
      sqlite3_prepare_v2(db, ("SELECT count(*) FROM \"" + table + "\"").c_str(), -1, &stmt,
                         nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW)
    count = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return count;
}

StoreResult<Record> get(Table& table, const std::string& key) {
  std::promise<StoreResult<Record>> answer;
  table.get(key, std::nullopt, [&](StoreResult<Record> r) { answer.set_value(std::move(r)); });
  return answer.get_future().get();
}

StoreResult<Record> create(Table& table, Record item) {
  std::promise<StoreResult<Record>> answer;
  table.create(std::move(item), [&](StoreResult<Record> r) { answer.set_value(std::move(r)); });
  return answer.get_future().get();
}

// Three items as the old file held them, and their attributes as the engine gives them back (key
// first, then by name; numbers canonical).
const std::vector<OldRow> kRows = {
    {"a1", "alice", 1'600'000'000'000, 1'600'000'000'500,
     R"({"id":"a1","name":"Yev","tags":["x",{"b":null}],"n":1.50})"},
    {"b2", "bob", 1'700'000'000'123, 1'700'000'000'123, R"({"id":"b2"})"},
    {"ключ", "carol", 1'700'000'000'001, 1'800'000'000'002,
     R"({"zeta":true,"id":"ключ","alpha":"ü"})"},
};
const std::vector<std::string> kStoredAttributes = {
    R"({"id":"a1","n":1.5,"name":"Yev","tags":["x",{"b":null}]})",
    R"({"id":"b2"})",
    R"({"id":"ключ","alpha":"ü","zeta":true})",
};

class CrudMigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/gh-crud-migration-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    old_path_ = dir_ + "/users.db";
  }
  void TearDown() override {
    table_.reset();
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }

  // The engine and its crud table "users", keyed on "id".
  void open_engine() {
    auto engine = Engine::open({.path = dir_ + "/dynamodb.db"}, stats_, clock_);
    ASSERT_TRUE(engine.has_value()) << engine.error().to_string();
    engine_ = std::move(*engine);
    auto table = EngineTable::open(*engine_, "users", "id", 400 * 1024);
    ASSERT_TRUE(table.has_value()) << table.error().to_string();
    table_ = std::move(*table);
  }

  // Every row of kRows is in the engine with its owner, times and attributes.
  void expect_rows_moved() {
    for (size_t i = 0; i < kRows.size(); ++i) {
      auto got = get(*table_, kRows[i].key);
      ASSERT_TRUE(got.has_value()) << kRows[i].key << ": " << got.error().message;
      EXPECT_EQ(got->key, kRows[i].key);
      EXPECT_EQ(got->owner, kRows[i].owner);
      EXPECT_EQ(got->created_ms, kRows[i].created);
      EXPECT_EQ(got->updated_ms, kRows[i].updated);
      EXPECT_EQ(got->attributes, kStoredAttributes[i]);
    }
  }

  std::string dir_;
  std::string old_path_;
  SqliteStats stats_;
  core::ManualClock clock_{1'700'000'000};
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<EngineTable> table_;
};

// Every item moves with its owner, times and attributes; the old file becomes <file>.migrated,
// still holding its rows, with no -wal or -shm left beside either name.
TEST_F(CrudMigrationTest, MovesEveryItemAndRenamesTheFile) {
  ASSERT_NO_FATAL_FAILURE(write_old_file(old_path_, "users", kRows));
  ASSERT_NO_FATAL_FAILURE(open_engine());
  auto report = migrate_crud_file(old_path_, "users", *table_);
  ASSERT_TRUE(report.has_value()) << report.error().to_string();
  EXPECT_TRUE(report->found);
  EXPECT_EQ(report->moved, 3u);
  EXPECT_EQ(report->kept, 0u);
  ASSERT_NO_FATAL_FAILURE(expect_rows_moved());

  EXPECT_FALSE(std::filesystem::exists(old_path_));
  EXPECT_TRUE(std::filesystem::exists(old_path_ + ".migrated"));
  for (std::string suffix : {"-wal", "-shm"}) {
    EXPECT_FALSE(std::filesystem::exists(old_path_ + suffix)) << suffix;
    EXPECT_FALSE(std::filesystem::exists(old_path_ + ".migrated" + suffix)) << suffix;
  }
  EXPECT_EQ(count_rows(old_path_ + ".migrated", "users"), 3);
}

// The next start finds no file: nothing happens, and the migrated file is left alone.
TEST_F(CrudMigrationTest, SecondRunFindsNoFile) {
  ASSERT_NO_FATAL_FAILURE(write_old_file(old_path_, "users", kRows));
  ASSERT_NO_FATAL_FAILURE(open_engine());
  ASSERT_TRUE(migrate_crud_file(old_path_, "users", *table_).has_value());
  const uint64_t commits = stats_.commits.value();

  auto again = migrate_crud_file(old_path_, "users", *table_);
  ASSERT_TRUE(again.has_value()) << again.error().to_string();
  EXPECT_FALSE(again->found);
  EXPECT_EQ(again->moved, 0u);
  EXPECT_EQ(again->kept, 0u);
  EXPECT_EQ(stats_.commits.value(), commits);
  EXPECT_EQ(count_rows(old_path_ + ".migrated", "users"), 3);
  ASSERT_NO_FATAL_FAILURE(expect_rows_moved());
}

// A run started over after an interruption: items the engine already holds stay as it has them
// and count as kept; the rest move.
TEST_F(CrudMigrationTest, ItemsTheEngineAlreadyHasAreKept) {
  ASSERT_NO_FATAL_FAILURE(write_old_file(old_path_, "users", kRows));
  ASSERT_NO_FATAL_FAILURE(open_engine());
  Record already{"b2", R"({"id":"b2","name":"changed since"})", "bob", 1'700'000'000'123,
                 1'750'000'000'000};
  ASSERT_TRUE(create(*table_, already).has_value());

  auto report = migrate_crud_file(old_path_, "users", *table_);
  ASSERT_TRUE(report.has_value()) << report.error().to_string();
  EXPECT_TRUE(report->found);
  EXPECT_EQ(report->moved, 2u);
  EXPECT_EQ(report->kept, 1u);
  auto kept = get(*table_, "b2");
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->attributes, already.attributes);
  EXPECT_EQ(kept->updated_ms, already.updated_ms);
  EXPECT_EQ(get(*table_, "a1")->attributes, kStoredAttributes[0]);
  EXPECT_EQ(get(*table_, "ключ")->attributes, kStoredAttributes[2]);
  EXPECT_TRUE(std::filesystem::exists(old_path_ + ".migrated"));
}

// An item the engine refuses stops the move with an error naming the file; the file stays where
// it is. Once the item is fixed, the next run moves the rest and keeps what had moved.
TEST_F(CrudMigrationTest, RefusedItemStopsTheMoveAndARerunFinishesIt) {
  std::vector<OldRow> rows = kRows;
  rows[1].attributes = "[1]";
  ASSERT_NO_FATAL_FAILURE(write_old_file(old_path_, "users", rows));
  ASSERT_NO_FATAL_FAILURE(open_engine());

  auto failed = migrate_crud_file(old_path_, "users", *table_);
  ASSERT_FALSE(failed.has_value());
  // The item's own fault: named, with how to fix it.
  EXPECT_EQ(failed.error().code(), core::Code::kInvalidArgument);
  EXPECT_NE(failed.error().message().find(old_path_), std::string::npos)
      << failed.error().message();
  EXPECT_NE(
      failed.error().message().find("item '" + rows[1].key + "': the item is not a JSON object"),
      std::string::npos)
      << failed.error().message();
  EXPECT_NE(failed.error().message().find("change or remove that item"), std::string::npos)
      << failed.error().message();
  EXPECT_TRUE(std::filesystem::exists(old_path_));
  EXPECT_FALSE(std::filesystem::exists(old_path_ + ".migrated"));
  EXPECT_TRUE(get(*table_, "a1").has_value()) << "moved before the refused item";

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(old_path_.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, R"(UPDATE users SET attributes = '{"id":"b2"}' WHERE key = 'b2')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto report = migrate_crud_file(old_path_, "users", *table_);
  ASSERT_TRUE(report.has_value()) << report.error().to_string();
  EXPECT_EQ(report->moved, 2u);
  EXPECT_EQ(report->kept, 1u);
  ASSERT_NO_FATAL_FAILURE(expect_rows_moved());
  EXPECT_FALSE(std::filesystem::exists(old_path_));
}

// Items an earlier process committed to the WAL and never checkpointed (it died) are moved too.
TEST_F(CrudMigrationTest, ItemsLeftInTheWalOfACrashedProcessMove) {
  // The child writes and exits without closing: its commits stay in the -wal file. (No other
  // thread runs in this process yet, so the child may use SQLite.)
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    sqlite3* db = nullptr;
    int rc = sqlite3_open(old_path_.c_str(), &db);
    if (rc == SQLITE_OK) rc = write_old_rows(db, "users", kRows);
    ::_exit(rc == SQLITE_OK ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_GT(std::filesystem::file_size(old_path_ + "-wal"), 0u) << "the rows are in the WAL";

  ASSERT_NO_FATAL_FAILURE(open_engine());
  auto report = migrate_crud_file(old_path_, "users", *table_);
  ASSERT_TRUE(report.has_value()) << report.error().to_string();
  EXPECT_EQ(report->moved, 3u);
  ASSERT_NO_FATAL_FAILURE(expect_rows_moved());
  EXPECT_FALSE(std::filesystem::exists(old_path_ + "-wal"));
  EXPECT_EQ(count_rows(old_path_ + ".migrated", "users"), 3);
}

// A file without the crud table is refused with an error naming the file and the table; it stays
// where it is and nothing moves.
TEST_F(CrudMigrationTest, FileWithoutTheTableIsRefusedAndLeftInPlace) {
  ASSERT_NO_FATAL_FAILURE(write_old_file(old_path_, "orders", kRows));
  ASSERT_NO_FATAL_FAILURE(open_engine());
  auto report = migrate_crud_file(old_path_, "users", *table_);
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code(), core::Code::kInvalidArgument);
  EXPECT_NE(report.error().message().find(old_path_), std::string::npos)
      << report.error().message();
  EXPECT_NE(report.error().message().find("no crud table 'users'"), std::string::npos)
      << report.error().message();
  EXPECT_TRUE(std::filesystem::exists(old_path_));
  EXPECT_FALSE(std::filesystem::exists(old_path_ + ".migrated"));
  EXPECT_EQ(count_rows(old_path_, "orders"), 3);
  for (const OldRow& row : kRows)
    EXPECT_FALSE(get(*table_, row.key).has_value()) << row.key;
}

// A table of that name with other columns is refused the same way.
TEST_F(CrudMigrationTest, TableWithOtherColumnsIsRefused) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(old_path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE users (id TEXT PRIMARY KEY, body TEXT)", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  ASSERT_NO_FATAL_FAILURE(open_engine());
  auto report = migrate_crud_file(old_path_, "users", *table_);
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code(), core::Code::kInvalidArgument);
  EXPECT_TRUE(std::filesystem::exists(old_path_));
}

// A file that is not a database is refused with an error naming the file, and left in place.
TEST_F(CrudMigrationTest, FileThatIsNotADatabaseIsRefused) {
  std::ofstream(old_path_) << std::string(8192, 'x');
  ASSERT_NO_FATAL_FAILURE(open_engine());
  auto report = migrate_crud_file(old_path_, "users", *table_);
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code(), core::Code::kIoError);
  EXPECT_NE(report.error().message().find(old_path_), std::string::npos)
      << report.error().message();
  EXPECT_NE(report.error().message().find("not a SQLite database"), std::string::npos)
      << report.error().message();
  EXPECT_TRUE(std::filesystem::exists(old_path_));
  EXPECT_FALSE(std::filesystem::exists(old_path_ + ".migrated"));
}

}  // namespace
}  // namespace gatehouse::store::sqlite
