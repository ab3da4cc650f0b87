// The embedded DynamoDB engine on real SQLite files: tables in the catalog across reopening,
// items by key, conditions evaluated by the writer, index upkeep, pages in key order with
// LastEvaluatedKey, transactions that apply whole or not at all, tokens that replay.
#include "store/sqlite/engine.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <future>

#include <boost/json/parse.hpp>

#include "core/clock.h"
#include "store/expr/parse.h"
#include "store/json_codec.h"

namespace gatehouse::store::sqlite {
namespace {

using V = AttributeValue;

V s(std::string text) {
  return V::string(std::move(text));
}
V n(std::string_view text) {
  return V::number(*Decimal::parse(text));
}

Item parse_item(std::string_view json) {
  boost::system::error_code ec;
  auto value = boost::json::parse(json, ec);
  EXPECT_FALSE(ec) << json;
  auto item = read_item(value);
  EXPECT_TRUE(item.has_value()) << json;
  return item ? *item : Item{};
}

std::string json_of(const Item& item) {
  std::string out;
  append_item_json(out, item);
  return out;
}

TableDefinition users_table() {
  TableDefinition t;
  t.name = "users";
  t.key = {{"pk", ValueType::kS}, KeyElement{"sk", ValueType::kN}};
  t.attribute_definitions = {
      {"pk", ValueType::kS}, {"sk", ValueType::kN}, {"email", ValueType::kS}};
  IndexDefinition by_email;
  by_email.name = "by_email";
  by_email.key = {{"email", ValueType::kS}, std::nullopt};
  by_email.projection.type = ProjectionType::kKeysOnly;
  t.global_indexes.push_back(by_email);
  return t;
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("gh-engine-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    open();
  }
  void TearDown() override {
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }

  void open() {
    engine_.reset();
    auto e = Engine::open({.path = (dir_ / "dynamodb.db").string()}, stats_, clock_);
    ASSERT_TRUE(e.has_value()) << e.error().to_string();
    engine_ = std::move(*e);
  }

  template <class T, class Call>
  DbResult<T> wait(Call call) {
    std::promise<DbResult<T>> p;
    call([&](DbResult<T> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }
  DbResult<TableDescription> create(TableDefinition t) {
    return wait<TableDescription>([&](auto done) { engine_->create_table(std::move(t), done); });
  }
  DbResult<WriteResult> put(std::string_view item_json,
                            std::shared_ptr<const expr::Condition> condition = nullptr) {
    PutItem r{"users", parse_item(item_json), std::move(condition), ReturnValues::kAllOld, true};
    return wait<WriteResult>([&](auto done) { engine_->put_item(std::move(r), done); });
  }
  std::optional<std::string> get(std::string_view key_json) {
    auto r = engine_->get_item({"users", parse_item(key_json), nullptr});
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r ? r->item_json : std::nullopt;
  }
  std::shared_ptr<const expr::Condition> condition(std::string_view text, Item values = {}) {
    expr::Usage usage;
    expr::Context ctx{nullptr, values.empty() ? nullptr : &values};
    auto c = expr::parse_condition(expr::ConditionKind::kCondition, text, ctx, usage);
    EXPECT_TRUE(c.has_value()) << (c ? "" : c.error());
    return std::make_shared<const expr::Condition>(*c);
  }
  std::shared_ptr<const expr::KeyCondition> key_condition(std::string_view text, Item values) {
    expr::Usage usage;
    expr::Context ctx{nullptr, &values};
    auto c = expr::parse_key_condition(text, ctx, usage);
    EXPECT_TRUE(c.has_value()) << (c ? "" : c.error());
    return std::make_shared<const expr::KeyCondition>(*c);
  }

  std::filesystem::path dir_;
  SqliteStats stats_;
  core::ManualClock clock_{1'700'000'000};
  std::unique_ptr<Engine> engine_;
};

TEST_F(EngineTest, TablesLiveInTheCatalogAcrossReopening) {
  auto created = create(users_table());
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(created->definition.created_ms, 1'700'000'000'000);
  EXPECT_EQ(created->definition.table_id.size(), 36u);
  auto again = create(users_table());
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().kind, DbErrorKind::kResourceInUse);

  open();
  auto described = engine_->describe_table("users");
  ASSERT_TRUE(described.has_value());
  EXPECT_EQ(described->definition.key, users_table().key);
  EXPECT_EQ(described->definition.global_indexes.size(), 1u);
  EXPECT_EQ(engine_->list_tables(std::nullopt, 100).names, std::vector<std::string>{"users"});

  auto deleted = wait<TableDescription>([&](auto done) { engine_->delete_table("users", done); });
  ASSERT_TRUE(deleted.has_value());
  EXPECT_EQ(deleted->status, "DELETING");
  auto missing = engine_->describe_table("users");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().message, "Requested resource not found: Table: users not found");
}

TEST_F(EngineTest, ItemsByKeyWithNumbersAsTheirValue) {
  ASSERT_TRUE(create(users_table()).has_value());
  ASSERT_TRUE(put(R"({"pk":{"S":"u"},"sk":{"N":"1000"},"v":{"S":"a"}})").has_value());
  // 1e3 is the same key as 1000: the item is replaced, and the old one returned.
  auto replaced = put(R"({"pk":{"S":"u"},"sk":{"N":"1e3"},"v":{"S":"b"}})");
  ASSERT_TRUE(replaced.has_value());
  ASSERT_TRUE(replaced->attributes.has_value());
  EXPECT_EQ(replaced->attributes->at("v"), s("a"));
  EXPECT_EQ(get(R"({"pk":{"S":"u"},"sk":{"N":"1000.0"}})"),
            R"({"pk":{"S":"u"},"sk":{"N":"1000"},"v":{"S":"b"}})");
  EXPECT_EQ(get(R"({"pk":{"S":"u"},"sk":{"N":"1001"}})"), std::nullopt);

  auto wrong = engine_->get_item({"users", parse_item(R"({"pk":{"S":"u"}})"), nullptr});
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().message, "The provided key element does not match the schema");
  auto missing_key = put(R"({"pk":{"S":"u"}})");
  ASSERT_FALSE(missing_key.has_value());
  EXPECT_EQ(missing_key.error().message,
            "One or more parameter values were invalid: Missing the key sk in the item");
}

TEST_F(EngineTest, ConditionsAreEvaluatedAgainstTheCommittedItem) {
  ASSERT_TRUE(create(users_table()).has_value());
  auto first = put(R"({"pk":{"S":"u"},"sk":{"N":"1"}})", condition("attribute_not_exists(pk)"));
  ASSERT_TRUE(first.has_value());
  auto second = put(R"({"pk":{"S":"u"},"sk":{"N":"1"},"x":{"N":"2"}})",
                    condition("attribute_not_exists(pk)"));
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().kind, DbErrorKind::kConditionalCheckFailed);
  EXPECT_EQ(second.error().message, "The conditional request failed");
  ASSERT_TRUE(second.error().item.has_value());  // ReturnValuesOnConditionCheckFailure=ALL_OLD
  EXPECT_EQ(json_of(*second.error().item), R"({"pk":{"S":"u"},"sk":{"N":"1"}})");

  // Concurrent read-modify-writes of one counter lose nothing: each runs on the writer.
  expr::Usage usage;
  Item values{{":one", n("1")}};
  auto update = expr::parse_update("ADD c :one", {nullptr, &values}, usage);
  ASSERT_TRUE(update.has_value());
  auto shared = std::make_shared<const expr::Update>(*update);
  std::vector<std::future<DbResult<WriteResult>>> pending;
  std::vector<std::shared_ptr<std::promise<DbResult<WriteResult>>>> promises;
  for (int i = 0; i < 50; ++i) {
    auto p = std::make_shared<std::promise<DbResult<WriteResult>>>();
    pending.push_back(p->get_future());
    engine_->update_item({"users", parse_item(R"({"pk":{"S":"u"},"sk":{"N":"1"}})"), shared,
                          nullptr, ReturnValues::kNone, false},
                         [p](DbResult<WriteResult> r) { p->set_value(std::move(r)); });
  }
  for (auto& f : pending)
    ASSERT_TRUE(f.get().has_value());
  EXPECT_EQ(get(R"({"pk":{"S":"u"},"sk":{"N":"1"}})"),
            R"({"c":{"N":"50"},"pk":{"S":"u"},"sk":{"N":"1"}})");
}

TEST_F(EngineTest, QueryPagesInKeyOrderAndIndexesFollowWrites) {
  ASSERT_TRUE(create(users_table()).has_value());
  for (std::string_view sk : {"10", "-2", "3.5", "1e1", "7"}) {
    if (sk == "1e1") continue;  // 10 again
    ASSERT_TRUE(put(R"({"pk":{"S":"u"},"sk":{"N":")" + std::string(sk) + R"("},"email":{"S":"e)" +
                    std::string(sk) + R"("}})")
                    .has_value());
  }
  ASSERT_TRUE(put(R"({"pk":{"S":"other"},"sk":{"N":"1"}})").has_value());
  Query q;
  q.table = "users";
  q.key_condition = key_condition("pk = :p AND sk > :low", {{":p", s("u")}, {":low", n("-3")}});
  q.limit = 2;
  auto page = engine_->query(q);
  ASSERT_TRUE(page.has_value()) << page.error().message;
  ASSERT_EQ(page->items_json.size(), 2u);
  EXPECT_NE(page->items_json[0].find(R"("sk":{"N":"-2"})"), std::string::npos);
  EXPECT_NE(page->items_json[1].find(R"("sk":{"N":"3.5"})"), std::string::npos);
  ASSERT_TRUE(page->last_evaluated_key.has_value());
  EXPECT_EQ(json_of(*page->last_evaluated_key), R"({"pk":{"S":"u"},"sk":{"N":"3.5"}})");
  q.exclusive_start = page->last_evaluated_key;
  q.limit.reset();
  q.forward = false;  // backwards from the start key: only -2 lies before 3.5
  auto back = engine_->query(q);
  ASSERT_TRUE(back.has_value());
  ASSERT_EQ(back->items_json.size(), 1u);
  EXPECT_FALSE(back->last_evaluated_key.has_value());

  // The index holds the key attributes of items that have an email, and follows deletes.
  Query by_email;
  by_email.table = "users";
  by_email.index = "by_email";
  by_email.select = Select::kAllProjected;
  by_email.key_condition = key_condition("email = :e", {{":e", s("e7")}});
  auto found = engine_->query(by_email);
  ASSERT_TRUE(found.has_value()) << found.error().message;
  ASSERT_EQ(found->items_json.size(), 1u);
  EXPECT_EQ(found->items_json[0], R"({"email":{"S":"e7"},"pk":{"S":"u"},"sk":{"N":"7"}})");
  auto removed = wait<WriteResult>([&](auto done) {
    engine_->delete_item({"users", parse_item(R"({"pk":{"S":"u"},"sk":{"N":"7"}})"), nullptr,
                          ReturnValues::kNone, false},
                         done);
  });
  ASSERT_TRUE(removed.has_value());
  EXPECT_EQ(engine_->query(by_email)->items_json.size(), 0u);

  Scan scan;
  scan.table = "users";
  auto all = engine_->scan(scan);
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->count, 4u);
  size_t segmented = 0;
  for (uint32_t segment = 0; segment < 3; ++segment) {
    scan.segment = segment;
    scan.total_segments = 3;
    segmented += engine_->scan(scan)->count;
  }
  EXPECT_EQ(segmented, 4u);  // each item in exactly one segment
}

TEST_F(EngineTest, TransactionsApplyWholeOrNotAtAllAndTokensReplay) {
  ASSERT_TRUE(create(users_table()).has_value());
  ASSERT_TRUE(put(R"({"pk":{"S":"a"},"sk":{"N":"1"}})").has_value());
  auto transact = [&](std::vector<TransactAction> actions, std::optional<std::string> token,
                      std::string digest) {
    return wait<TransactWriteResult>([&](auto done) {
      engine_->transact_write({std::move(actions), std::move(token), std::move(digest)}, done);
    });
  };
  using Kind = TransactAction::Kind;
  std::vector<TransactAction> failing{
      {Kind::kPut, "users", parse_item(R"({"pk":{"S":"b"},"sk":{"N":"1"}})"), nullptr, nullptr,
       false},
      {Kind::kConditionCheck, "users", parse_item(R"({"pk":{"S":"a"},"sk":{"N":"1"}})"),
       condition("attribute_not_exists(pk)"), nullptr, false}};
  auto cancelled = transact(failing, std::nullopt, "");
  ASSERT_FALSE(cancelled.has_value());
  EXPECT_EQ(cancelled.error().kind, DbErrorKind::kTransactionCanceled);
  EXPECT_EQ(cancelled.error().message,
            "Transaction cancelled, please refer cancellation reasons for specific reasons "
            "[None, ConditionalCheckFailed]");
  EXPECT_EQ(get(R"({"pk":{"S":"b"},"sk":{"N":"1"}})"), std::nullopt);  // rolled back

  std::vector<TransactAction> good{
      {Kind::kPut, "users", parse_item(R"({"pk":{"S":"b"},"sk":{"N":"1"}})"), nullptr, nullptr,
       false},
      {Kind::kDelete, "users", parse_item(R"({"pk":{"S":"a"},"sk":{"N":"1"}})"), nullptr, nullptr,
       false}};
  ASSERT_TRUE(transact(good, "token-1", "d1").has_value());
  EXPECT_EQ(get(R"({"pk":{"S":"a"},"sk":{"N":"1"}})"), std::nullopt);
  // The same token and request: answered again without writing (a written item stays deleted).
  ASSERT_TRUE(put(R"({"pk":{"S":"a"},"sk":{"N":"1"}})").has_value());
  auto replay = transact(good, "token-1", "d1");
  ASSERT_TRUE(replay.has_value());
  EXPECT_TRUE(replay->replayed);
  EXPECT_NE(get(R"({"pk":{"S":"a"},"sk":{"N":"1"}})"), std::nullopt);
  auto mismatch = transact(good, "token-1", "d2");
  ASSERT_FALSE(mismatch.has_value());
  EXPECT_EQ(mismatch.error().kind, DbErrorKind::kIdempotentMismatch);
  // Ten minutes later the token is free again.
  clock_.advance(std::chrono::minutes(11));
  EXPECT_TRUE(transact(good, "token-1", "d2").has_value());

  std::vector<TransactAction> twice{good[0], good[0]};
  auto duplicate = transact(twice, std::nullopt, "");
  ASSERT_FALSE(duplicate.has_value());
  EXPECT_EQ(duplicate.error().message,
            "Transaction request cannot include multiple operations on one item");
}

// A global index added to a table with items is filled from them in the same transaction, and a
// dropped one is gone; writes that follow keep the new index in step.
TEST_F(EngineTest, IndexesComeAndGoWithTheirItems) {
  TableDefinition t = users_table();
  t.global_indexes.clear();
  t.attribute_definitions = {{"pk", ValueType::kS}, {"sk", ValueType::kN}};
  ASSERT_TRUE(create(std::move(t)).has_value());
  ASSERT_TRUE(put(R"({"pk":{"S":"u"},"sk":{"N":"1"},"email":{"S":"a@x"}})").has_value());
  ASSERT_TRUE(
      put(R"({"pk":{"S":"u"},"sk":{"N":"2"},"email":{"N":"7"}})").has_value());  // wrong type
  auto added = wait<TableDescription>([&](auto done) {
    engine_->update_definition(
        "users",
        [](const TableDefinition& current) -> DbResult<TableDefinition> {
          TableDefinition next = current;
          next.global_indexes.push_back(users_table().global_indexes[0]);
          return next;
        },
        done);
  });
  ASSERT_TRUE(added.has_value()) << added.error().message;
  Query by_email;
  by_email.table = "users";
  by_email.index = "by_email";
  by_email.select = Select::kAllProjected;
  by_email.key_condition = key_condition("email = :e", {{":e", s("a@x")}});
  auto found = engine_->query(by_email);
  ASSERT_TRUE(found.has_value()) << found.error().message;
  EXPECT_EQ(found->items_json.size(), 1u);  // the N-typed email stays out, as DynamoDB's backfill
  ASSERT_TRUE(put(R"({"pk":{"S":"v"},"sk":{"N":"1"},"email":{"S":"a@x"}})").has_value());
  EXPECT_EQ(engine_->query(by_email)->items_json.size(), 2u);
  open();  // the change is in the catalog
  EXPECT_EQ(engine_->query(by_email)->items_json.size(), 2u);

  auto refused = wait<TableDescription>([&](auto done) {
    engine_->update_definition(
        "users",
        [](const TableDefinition&) -> DbResult<TableDefinition> { return validation_error("no"); },
        done);
  });
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().message, "no");
  auto dropped = wait<TableDescription>([&](auto done) {
    engine_->update_definition(
        "users",
        [](const TableDefinition& current) -> DbResult<TableDefinition> {
          TableDefinition next = current;
          next.global_indexes.clear();
          return next;
        },
        done);
  });
  ASSERT_TRUE(dropped.has_value());
  auto gone = engine_->query(by_email);
  ASSERT_FALSE(gone.has_value());
  EXPECT_EQ(gone.error().message, "The table does not have the specified index: by_email");
}

// With TTL on, items whose attribute is a number of seconds before now are deleted by a sweep;
// later ones, and ones whose attribute is not a number, stay.
TEST_F(EngineTest, ExpiredItemsAreSweptAway) {
  ASSERT_TRUE(create(users_table()).has_value());
  ASSERT_TRUE(wait<TableDescription>([&](auto done) {
                engine_->update_definition(
                    "users",
                    [](const TableDefinition& current) -> DbResult<TableDefinition> {
                      TableDefinition next = current;
                      next.ttl_attribute = "expires";
                      return next;
                    },
                    done);
              }).has_value());
  const int64_t now = 1'700'000'000;
  ASSERT_TRUE(put(R"({"pk":{"S":"old"},"sk":{"N":"1"},"expires":{"N":"1699999999"}})").has_value());
  ASSERT_TRUE(put(R"({"pk":{"S":"new"},"sk":{"N":"1"},"expires":{"N":"1700000100"}})").has_value());
  ASSERT_TRUE(put(R"({"pk":{"S":"text"},"sk":{"N":"1"},"expires":{"S":"1"}})").has_value());
  EXPECT_EQ(engine_->expire_items(now, 100), 1u);
  // The deletion is queued: an empty write behind it is answered after it.
  ASSERT_TRUE(put(R"({"pk":{"S":"marker"},"sk":{"N":"1"}})").has_value());
  EXPECT_EQ(get(R"({"pk":{"S":"old"},"sk":{"N":"1"}})"), std::nullopt);
  EXPECT_NE(get(R"({"pk":{"S":"new"},"sk":{"N":"1"}})"), std::nullopt);
  EXPECT_NE(get(R"({"pk":{"S":"text"},"sk":{"N":"1"}})"), std::nullopt);
}

}  // namespace
}  // namespace gatehouse::store::sqlite
