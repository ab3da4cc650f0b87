// The crud table on the embedded engine, through the store::Table contract: operations, owner
// filters, sizes and lists. Items are DynamoDB items: their attributes come back key first, then
// by name.
#include "store/sqlite/engine_table_test_support.h"

namespace gatehouse::store::sqlite {
namespace {

using namespace test_support;

// --- Operations -------------------------------------------------------------------------------

// A created item comes back from get with every field as written.
TEST_F(EngineTableTest, CreateThenGetReturnsTheStoredItem) {
  ASSERT_NO_FATAL_FAILURE(open());
  Record item = make_item("k1", "alice", 1'700'000'000'123);
  auto created = create(*table_, item);
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(created->key, "k1");
  EXPECT_EQ(created->attributes, item.attributes);

  auto got = get(*table_, "k1");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->key, "k1");
  EXPECT_EQ(got->attributes, item.attributes);
  EXPECT_EQ(got->owner, "alice");
  EXPECT_EQ(got->created_ms, 1'700'000'000'123);
  EXPECT_EQ(got->updated_ms, 1'700'000'000'123);
}

// Keys and attributes keep their text, including non-ASCII characters and escapes.
TEST_F(EngineTableTest, KeysAndAttributesKeepTheirText) {
  ASSERT_NO_FATAL_FAILURE(open());
  Record item = make_item("ключ ü/?");
  item.attributes = R"({"id":"ключ ü/?","emoji":"🙂","quote":"\""})";
  ASSERT_TRUE(create(*table_, item).has_value());
  auto got = get(*table_, "ключ ü/?");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->attributes, item.attributes);
}

// Attributes are a DynamoDB item: they come back key first, then by name, numbers in canonical
// form; the record's key is the key attribute whatever the attributes say.
TEST_F(EngineTableTest, AttributesComeBackKeyFirstThenByName) {
  ASSERT_NO_FATAL_FAILURE(open());
  Record item = make_item("k1");
  item.attributes = R"({"name":"Yev","age":3.50,"id":"other","tags":["a",{"b":null}],"ok":true})";
  const std::string stored =
      R"({"id":"k1","age":3.5,"name":"Yev","ok":true,"tags":["a",{"b":null}]})";
  auto created = create(*table_, item);
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(created->attributes, stored) << "answered as it reads back";
  EXPECT_EQ(get(*table_, "k1")->attributes, stored);

  item.key = "k2";
  item.attributes = R"({"name":"Ada"})";
  ASSERT_TRUE(create(*table_, item).has_value());
  EXPECT_EQ(get(*table_, "k2")->attributes, R"({"id":"k2","name":"Ada"})");
}

// Attributes that are not a JSON object, or hold a number DynamoDB cannot, fail with kInvalid
// before anything is queued.
TEST_F(EngineTableTest, AttributesThatAreNoDynamoDbItemFailWithInvalid) {
  ASSERT_NO_FATAL_FAILURE(open());
  const uint64_t commits = stats_.commits.value();
  for (std::string attributes : {"", "[1]", "\"text\"", "{\"id\":", R"({"n":1e300})"}) {
    Record item = make_item("k1");
    item.attributes = attributes;
    Answer<Record> created;
    table_->create(item, created.callback());
    ASSERT_TRUE(created.ready()) << attributes;
    expect_error(created.get(), StoreErrorCode::kInvalid);
  }
  EXPECT_EQ(stats_.commits.value(), commits);
  expect_error(get(*table_, "k1"), StoreErrorCode::kNotFound);
}

// The item as the DynamoDB API sees it: the attributes, the key, and the metadata as createdBy,
// createdAt and updatedAt (ISO 8601 with milliseconds).
TEST_F(EngineTableTest, ItemsAreStoredWithTheirMetadataAsAttributes) {
  ASSERT_NO_FATAL_FAILURE(open());
  Record item = make_item("k1", "alice", 1'700'000'000'123);
  item.updated_ms = 1'700'000'000'456;
  ASSERT_TRUE(create(*table_, item).has_value());
  auto got = engine_->get_item({"items", Item{{"id", AttributeValue::string("k1")}}, nullptr});
  ASSERT_TRUE(got.has_value()) << got.error().message;
  ASSERT_TRUE(got->item_json.has_value());
  auto stored = read_item(boost::json::parse(*got->item_json));
  ASSERT_TRUE(stored.has_value()) << *got->item_json;
  Item expected{{"id", AttributeValue::string("k1")},
                {"name", AttributeValue::string("Yev")},
                {"createdBy", AttributeValue::string("alice")},
                {"createdAt", AttributeValue::string("2023-11-14T22:13:20.123Z")},
                {"updatedAt", AttributeValue::string("2023-11-14T22:13:20.456Z")}};
  EXPECT_TRUE(*stored == expected) << *got->item_json;
}

// An item written through the DynamoDB API without the metadata reads with an empty owner and
// zero times.
TEST_F(EngineTableTest, ItemWithoutMetadataReadsWithEmptyOwnerAndZeroTimes) {
  ASSERT_NO_FATAL_FAILURE(open());
  std::promise<DbResult<WriteResult>> put;
  engine_->put_item({"items",
                     Item{{"id", AttributeValue::string("k1")},
                          {"n", AttributeValue::number(*Decimal::parse("5"))},
                          {"createdAt", AttributeValue::number(*Decimal::parse("7"))}},
                     nullptr, ReturnValues::kNone, false},
                    [&](DbResult<WriteResult> r) { put.set_value(std::move(r)); });
  ASSERT_TRUE(put.get_future().get().has_value());
  auto got = get(*table_, "k1");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->owner, "");
  EXPECT_EQ(got->created_ms, 0);
  EXPECT_EQ(got->updated_ms, 0);
  EXPECT_EQ(got->attributes, R"({"id":"k1","n":5})");
  expect_error(get(*table_, "k1", "alice"), StoreErrorCode::kNotFound);
  // A replace lands on it: its condition asks for the metadata as the item holds it (createdBy
  // absent, createdAt a number), not for the empty values the record shows.
  Record update = make_item("k1", "", 0);
  update.attributes = R"({"id":"k1","n":6})";
  update.updated_ms = 3000;
  auto replaced = replace(*table_, update);
  ASSERT_TRUE(replaced.has_value()) << replaced.error().message;
  EXPECT_EQ(get(*table_, "k1")->attributes, update.attributes);
}

// Creating a key that exists fails with kAlreadyExists and leaves the stored item alone.
TEST_F(EngineTableTest, CreateOfExistingKeyFailsWithAlreadyExists) {
  ASSERT_NO_FATAL_FAILURE(open());
  ASSERT_TRUE(create(*table_, make_item("k1", "alice")).has_value());
  expect_error(create(*table_, make_item("k1", "bob")), StoreErrorCode::kAlreadyExists);
  EXPECT_EQ(get(*table_, "k1")->owner, "alice");
}

// Getting an absent key fails with kNotFound.
TEST_F(EngineTableTest, GetOfMissingKeyFailsWithNotFound) {
  ASSERT_NO_FATAL_FAILURE(open());
  expect_error(get(*table_, "absent"), StoreErrorCode::kNotFound);
}

// Under an owner filter another owner's item is absent.
TEST_F(EngineTableTest, GetWithOwnerFilterHidesOtherOwnersItems) {
  ASSERT_NO_FATAL_FAILURE(open());
  ASSERT_TRUE(create(*table_, make_item("k1", "alice")).has_value());
  expect_error(get(*table_, "k1", "bob"), StoreErrorCode::kNotFound);
  EXPECT_TRUE(get(*table_, "k1", "alice").has_value());
}

// Replace stores the new attributes and updated_ms, keeps the stored owner and created_ms, and
// yields the stored item.
TEST_F(EngineTableTest, ReplaceKeepsOwnerAndCreatedAndSetsUpdated) {
  ASSERT_NO_FATAL_FAILURE(open());
  ASSERT_TRUE(create(*table_, make_item("k1", "alice", 1000)).has_value());
  Record update = make_item("k1", "mallory", 0);
  update.attributes = R"({"id":"k1","name":"Ada"})";
  update.updated_ms = 2000;
  auto replaced = replace(*table_, update);
  ASSERT_TRUE(replaced.has_value()) << replaced.error().message;
  EXPECT_EQ(replaced->owner, "alice");
  EXPECT_EQ(replaced->created_ms, 1000);
  EXPECT_EQ(replaced->updated_ms, 2000);
  EXPECT_EQ(replaced->attributes, update.attributes);

  auto got = get(*table_, "k1");
  EXPECT_EQ(got->owner, "alice");
  EXPECT_EQ(got->created_ms, 1000);
  EXPECT_EQ(got->updated_ms, 2000);
  EXPECT_EQ(got->attributes, update.attributes);
}

// Replacing an absent key fails with kNotFound and creates nothing.
TEST_F(EngineTableTest, ReplaceOfMissingKeyFailsWithNotFound) {
  ASSERT_NO_FATAL_FAILURE(open());
  expect_error(replace(*table_, make_item("k1")), StoreErrorCode::kNotFound);
  expect_error(get(*table_, "k1"), StoreErrorCode::kNotFound);
}

// Replacing another owner's item under an owner filter fails with kNotFound and changes nothing.
TEST_F(EngineTableTest, ReplaceUnderAnotherOwnerFailsWithNotFound) {
  ASSERT_NO_FATAL_FAILURE(open());
  Record original = make_item("k1", "alice");
  ASSERT_TRUE(create(*table_, original).has_value());
  Record update = make_item("k1", "bob", 5000);
  update.attributes = "{}";
  expect_error(replace(*table_, update, "bob"), StoreErrorCode::kNotFound);
  EXPECT_EQ(get(*table_, "k1")->attributes, original.attributes);
  auto replaced = replace(*table_, update, "alice");
  ASSERT_TRUE(replaced.has_value());
  EXPECT_EQ(replaced->attributes, R"({"id":"k1"})");
}

// A replace reads the item, then writes on the condition that it is still the one read. When the
// item was removed and created again by another owner in between, the replace reads it again:
// without an owner filter it replaces the new item (keeping its owner); under the first owner's
// filter it fails with kNotFound and leaves the new owner's item alone.
TEST_F(EngineTableTest, ReplaceReadsAgainWhenTheItemChangedHands) {
  ASSERT_NO_FATAL_FAILURE(open());
  for (auto key : {"k1", "k2"})
    ASSERT_TRUE(create(*table_, make_item(key, "alice", 1000)).has_value());
  Answer<std::monostate> removed[2];
  std::future<StoreResult<Record>> recreated[2], plain, filtered;
  {
    WriterGate gate(*table_);
    for (int i = 0; i < 2; ++i) {
      std::string key = "k" + std::to_string(i + 1);
      table_->remove(key, std::nullopt, removed[i].callback());
      recreated[i] = create_async(*table_, make_item(key, "bob", 3000));
    }
    // Both read alice's items, committed before the gate.
    Record update = make_item("k1", "alice", 0);
    update.updated_ms = 4000;
    plain = replace_async(*table_, update);
    update.key = "k2";
    update.attributes = R"({"id":"k2","name":"Ada"})";
    filtered = replace_async(*table_, update, "alice");
  }
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(removed[i].get().has_value());
    ASSERT_TRUE(recreated[i].get().has_value());
  }
  auto r = plain.get();
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->owner, "bob");
  EXPECT_EQ(r->created_ms, 3000);
  EXPECT_EQ(r->updated_ms, 4000);
  expect_error(filtered.get(), StoreErrorCode::kNotFound);
  auto k2 = get(*table_, "k2");
  EXPECT_EQ(k2->owner, "bob");
  EXPECT_EQ(k2->attributes, make_item("k2").attributes);
  EXPECT_EQ(k2->updated_ms, 3000);
}

// Remove deletes the item.
TEST_F(EngineTableTest, RemoveDeletesTheItem) {
  ASSERT_NO_FATAL_FAILURE(open());
  ASSERT_TRUE(create(*table_, make_item("k1")).has_value());
  EXPECT_TRUE(remove(*table_, "k1").has_value());
  expect_error(get(*table_, "k1"), StoreErrorCode::kNotFound);
}

// Removing an absent key fails with kNotFound.
TEST_F(EngineTableTest, RemoveOfMissingKeyFailsWithNotFound) {
  ASSERT_NO_FATAL_FAILURE(open());
  auto removed = remove(*table_, "absent");
  ASSERT_FALSE(removed.has_value());
  EXPECT_EQ(removed.error().code, StoreErrorCode::kNotFound);
}

// Removing another owner's item under an owner filter fails with kNotFound and keeps it.
TEST_F(EngineTableTest, RemoveUnderAnotherOwnerFailsWithNotFound) {
  ASSERT_NO_FATAL_FAILURE(open());
  ASSERT_TRUE(create(*table_, make_item("k1", "alice")).has_value());
  auto removed = remove(*table_, "k1", "bob");
  ASSERT_FALSE(removed.has_value());
  EXPECT_EQ(removed.error().code, StoreErrorCode::kNotFound);
  EXPECT_TRUE(get(*table_, "k1").has_value());
  EXPECT_TRUE(remove(*table_, "k1", "alice").has_value());
}

// Attributes over max_item_bytes fail with kTooLarge before anything is queued; the limit itself
// is accepted. (A replace reads the item first: of an absent key it fails with kNotFound.)
TEST_F(EngineTableTest, ItemOverTheSizeLimitFailsWithTooLarge) {
  ASSERT_NO_FATAL_FAILURE(open(options(), 100));
  const uint64_t commits = stats_.commits.value();
  Record big = padded_item("k1", 101);

  Answer<Record> created;
  table_->create(big, created.callback());
  ASSERT_TRUE(created.ready()) << "refused on the calling thread, before returning";
  expect_error(created.get(), StoreErrorCode::kTooLarge);
  EXPECT_EQ(stats_.commits.value(), commits);

  Record fits = padded_item("k1", 100);
  EXPECT_TRUE(create(*table_, fits).has_value());
  Answer<Record> replaced;
  table_->replace(big, std::nullopt, replaced.callback());
  ASSERT_TRUE(replaced.ready());
  expect_error(replaced.get(), StoreErrorCode::kTooLarge);
  EXPECT_EQ(get(*table_, "k1")->attributes, fits.attributes);
}

// An item within max_item_bytes that DynamoDB's 400 KB item limit refuses (with the key and the
// metadata) fails with kTooLarge.
TEST_F(EngineTableTest, ItemOverDynamoDbsLimitFailsWithTooLarge) {
  ASSERT_NO_FATAL_FAILURE(open(options(), 500 * 1024));
  expect_error(create(*table_, padded_item("k1", 400 * 1024)), StoreErrorCode::kTooLarge);
  expect_error(get(*table_, "k1"), StoreErrorCode::kNotFound);
}

// Reads answer on the calling thread before returning; writes answer on the writer thread.
TEST_F(EngineTableTest, ReadsAnswerInlineAndWritesOnTheWriterThread) {
  ASSERT_NO_FATAL_FAILURE(open());
  std::thread::id write_thread;
  std::promise<void> written;
  table_->create(make_item("k1"), [&](StoreResult<Record>) {
    write_thread = std::this_thread::get_id();
    written.set_value();
  });
  written.get_future().wait();
  EXPECT_NE(write_thread, std::this_thread::get_id());

  std::thread::id read_thread;
  table_->get("k1", std::nullopt,
              [&](StoreResult<Record>) { read_thread = std::this_thread::get_id(); });
  EXPECT_EQ(read_thread, std::this_thread::get_id());
  std::thread::id list_thread;
  table_->list({}, [&](StoreResult<Page>) { list_thread = std::this_thread::get_id(); });
  EXPECT_EQ(list_thread, std::this_thread::get_id());
}

// When a write's callback runs, the write is committed: a read from that very callback sees it.
TEST_F(EngineTableTest, WriteIsVisibleWhenItsCallbackRuns) {
  ASSERT_NO_FATAL_FAILURE(open());
  std::promise<bool> seen;
  table_->create(make_item("k1"), [&](StoreResult<Record>) {
    table_->get("k1", std::nullopt, [&](StoreResult<Record> r) { seen.set_value(r.has_value()); });
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
TEST_F(EngineTableTest, ListOfEmptyTableIsOneEmptyPage) {
  ASSERT_NO_FATAL_FAILURE(open());
  auto page = list(*table_, {});
  ASSERT_TRUE(page.has_value());
  EXPECT_TRUE(page->items.empty());
  EXPECT_FALSE(page->next_cursor.has_value());
}

// Items come back in ascending key order, whatever the order they were written in.
TEST_F(EngineTableTest, ListReturnsItemsInKeyOrder) {
  ASSERT_NO_FATAL_FAILURE(open());
  for (auto key : {"c", "a", "b", "B", "ab"})
    ASSERT_TRUE(create(*table_, make_item(key)).has_value());
  auto page = list(*table_, {});
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(keys_of(*page), (std::vector<std::string>{"B", "a", "ab", "b", "c"}));
  EXPECT_EQ(page->items[1].attributes, make_item("a").attributes);
  EXPECT_EQ(page->items[1].owner, "alice");
  EXPECT_EQ(page->items[1].created_ms, 1000);
  EXPECT_FALSE(page->next_cursor.has_value());
}

// Following next_cursor visits every item once, in order; the last page has no cursor, also when
// it is exactly full.
TEST_F(EngineTableTest, ListPaginatesThroughAllPagesWithTheCursor) {
  ASSERT_NO_FATAL_FAILURE(open());
  std::vector<std::future<StoreResult<Record>>> writes;
  for (int i = 0; i < 30; ++i)
    writes.push_back(create_async(*table_, make_item("k" + std::to_string(100 + i))));
  for (auto& w : writes)
    ASSERT_TRUE(w.get().has_value());

  for (uint32_t limit : {7u, 10u, 30u}) {
    std::vector<std::string> seen;
    std::optional<std::string> cursor;
    int pages = 0;
    do {
      auto page = list(*table_, {.limit = limit, .cursor = cursor, .owner = std::nullopt});
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
TEST_F(EngineTableTest, ListWithOwnerFilterReturnsOnlyThatOwnersItems) {
  ASSERT_NO_FATAL_FAILURE(open());
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(
        create(*table_, make_item("k" + std::to_string(i), i % 2 ? "alice" : "bob")).has_value());
  auto first = list(*table_, {.limit = 3, .cursor = std::nullopt, .owner = "alice"});
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(keys_of(*first), (std::vector<std::string>{"k1", "k3", "k5"}));
  ASSERT_TRUE(first->next_cursor.has_value());
  auto second = list(*table_, {.limit = 3, .cursor = first->next_cursor, .owner = "alice"});
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(keys_of(*second), (std::vector<std::string>{"k7", "k9"}));
  EXPECT_FALSE(second->next_cursor.has_value());
  EXPECT_TRUE(list(*table_, {.limit = 3, .cursor = std::nullopt, .owner = "carol"})->items.empty());
}

// The limit is clamped to 1..1000.
TEST_F(EngineTableTest, ListClampsTheLimit) {
  ASSERT_NO_FATAL_FAILURE(open());
  std::vector<std::future<StoreResult<Record>>> writes;
  for (int i = 0; i < 1001; ++i)
    writes.push_back(create_async(*table_, make_item("k" + std::to_string(10000 + i))));
  for (auto& w : writes)
    ASSERT_TRUE(w.get().has_value());
  auto zero = list(*table_, {.limit = 0, .cursor = std::nullopt, .owner = std::nullopt});
  EXPECT_EQ(zero->items.size(), 1u);
  auto huge = list(*table_, {.limit = 5000, .cursor = std::nullopt, .owner = std::nullopt});
  EXPECT_EQ(huge->items.size(), 1000u);
  EXPECT_TRUE(huge->next_cursor.has_value());
}

// max_bytes ends a page at the item that reaches it, whatever the limit; following the cursors
// still visits every item once. (The engine counts an item's DynamoDB size, metadata included,
// which is larger than key, attributes and owner: pages end sooner, never later.)
TEST_F(EngineTableTest, ListEndsAPageAtItsByteCap) {
  ASSERT_NO_FATAL_FAILURE(open());
  const Record sample = make_item("k10");
  const size_t item_bytes = sample.key.size() + sample.attributes.size() + sample.owner.size();
  for (int i = 10; i < 30; ++i)
    ASSERT_TRUE(create(*table_, make_item("k" + std::to_string(i))).has_value());
  std::vector<std::string> seen;
  std::optional<std::string> cursor;
  int pages = 0;
  do {
    auto page = list(
        *table_,
        {.limit = 1000, .cursor = cursor, .owner = std::nullopt, .max_bytes = 3 * item_bytes - 1});
    ASSERT_TRUE(page.has_value());
    EXPECT_LE(page->items.size(), 3u);  // the third item reaches the cap and ends the page
    for (auto& key : keys_of(*page))
      seen.push_back(key);
    cursor = page->next_cursor;
    ASSERT_LT(++pages, 100);
  } while (cursor);
  EXPECT_EQ(seen.size(), 20u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 20u);
  // A cap below one item still makes progress: one item a page.
  auto one =
      list(*table_, {.limit = 10, .cursor = std::nullopt, .owner = std::nullopt, .max_bytes = 1});
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->items.size(), 1u);
  EXPECT_TRUE(one->next_cursor.has_value());
}

// A cursor this table did not produce fails with kBadCursor.
TEST_F(EngineTableTest, ListWithBadCursorFailsWithBadCursor) {
  ASSERT_NO_FATAL_FAILURE(open());
  for (std::string cursor : {"not a cursor", "", "YQ==", "a+b/"}) {
    auto page = list(*table_, {.limit = 10, .cursor = cursor, .owner = std::nullopt});
    ASSERT_FALSE(page.has_value()) << cursor;
    EXPECT_EQ(page.error().code, StoreErrorCode::kBadCursor);
  }
}

}  // namespace
}  // namespace gatehouse::store::sqlite
