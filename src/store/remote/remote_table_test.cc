#include "store/remote/remote_table.h"

#include <gtest/gtest.h>

#include <optional>

#include "store/remote/scripted_server.h"

namespace gatehouse::store::remote {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test_support::ScriptedServer;

// A remote crud table on the scripted server, and a way to run one operation to its answer.
struct Remote {
  explicit Remote(const std::string& origin)
      : client(std::make_shared<DynamoClient>(
            ioc, *http::OriginClient::create(ioc, origin), "us-east-1",
            aws::ResolvedCredentials{{"AKID", "secret"}, {}, "test"}, core::system_clock(),
            RetryPolicy{.base_ms = 1, .cap_ms = 2, .max_attempts = 2})),
        table(client, "users", "id", 400 * 1024, 2000ms) {}

  template <class T, class Op>
  StoreResult<T> run(Op op) {
    std::optional<StoreResult<T>> answer;
    op([&](StoreResult<T> r) { answer = std::move(r); });
    ioc.restart();
    ioc.run();
    EXPECT_TRUE(answer.has_value());
    return answer ? std::move(*answer)
                  : StoreResult<T>(StoreError{StoreErrorCode::kIoError, "none"});
  }

  asio::io_context ioc;
  std::shared_ptr<DynamoClient> client;
  RemoteTable table;
};

const char* kStored =
    R"({"Item":{"id":{"S":"u1"},"name":{"S":"Yev"},"n":{"N":"2"},"createdBy":{"S":"alice"},)"
    R"("createdAt":{"S":"2023-11-14T22:13:20.000Z"},"updatedAt":{"S":"2023-11-14T22:13:20.000Z"}}})";

TEST(RemoteTable, CreateIsAConditionalPutAndAnExistingKeyIsAlreadyExists) {
  ScriptedServer server(
      {{200, "{}"},
       {400,
        R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"})"}});
  Remote remote(server.origin());
  Record r{"u1", R"({"id":"u1","n":2})", "alice", 1700000000000, 1700000000000};
  auto created = remote.run<Record>([&](auto done) { remote.table.create(r, done); });
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->attributes, R"({"id":"u1","n":2})");
  EXPECT_EQ(test_support::header(server.seen().at(0), "x-amz-target"), "DynamoDB_20120810.PutItem");
  EXPECT_EQ(server.seen().at(0).body,
            R"({"TableName":"users","Item":{"createdAt":{"S":"2023-11-14T22:13:20.000Z"},)"
            R"("createdBy":{"S":"alice"},"id":{"S":"u1"},"n":{"N":"2"},)"
            R"("updatedAt":{"S":"2023-11-14T22:13:20.000Z"}},)"
            R"x("ConditionExpression":"attribute_not_exists(#k)",)x"
            R"("ExpressionAttributeNames":{"#k":"id"}})");
  auto again = remote.run<Record>([&](auto done) { remote.table.create(r, done); });
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, StoreErrorCode::kAlreadyExists);
}

TEST(RemoteTable, GetReadsConsistentlyAndHidesAnotherOwnersItem) {
  ScriptedServer server({{200, kStored}, {200, kStored}, {200, "{}"}});
  Remote remote(server.origin());
  auto got = remote.run<Record>([&](auto done) { remote.table.get("u1", std::nullopt, done); });
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->owner, "alice");
  EXPECT_EQ(got->attributes, R"({"id":"u1","n":2,"name":"Yev"})");
  EXPECT_EQ(server.seen().at(0).body,
            R"({"TableName":"users","Key":{"id":{"S":"u1"}},"ConsistentRead":true})");
  EXPECT_EQ(
      remote.run<Record>([&](auto done) { remote.table.get("u1", "bob", done); }).error().code,
      StoreErrorCode::kNotFound);
  EXPECT_EQ(remote.run<Record>([&](auto done) { remote.table.get("u2", std::nullopt, done); })
                .error()
                .code,
            StoreErrorCode::kNotFound);
}

TEST(RemoteTable, ListIsOneScanPageWithTheNextCursor) {
  ScriptedServer server(
      {{200,
        R"({"Items":[{"id":{"S":"a"}},{"id":{"S":"b"}}],"Count":2,"LastEvaluatedKey":{"id":{"S":"b"}}})"}});
  Remote remote(server.origin());
  ListQuery query;
  query.limit = 2;
  query.owner = "alice";
  auto page = remote.run<Page>([&](auto done) { remote.table.list(query, done); });
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[1].key, "b");
  ASSERT_TRUE(page->next_cursor);
  EXPECT_EQ(
      server.seen().at(0).body,
      R"({"TableName":"users","Limit":2,"ConsistentRead":true,"FilterExpression":"#by = :by",)"
      R"("ExpressionAttributeNames":{"#by":"createdBy"},"ExpressionAttributeValues":{":by":{"S":"alice"}}})");
}

TEST(RemoteTable, ReplaceKeepsTheCreatorAndPutsOnlyTheItemItRead) {
  ScriptedServer server({{200, kStored}, {200, "{}"}});
  Remote remote(server.origin());
  Record r{"u1", R"({"id":"u1","name":"Yevhen"})", "", 0, 1700000001000};
  auto replaced =
      remote.run<Record>([&](auto done) { remote.table.replace(r, std::nullopt, done); });
  ASSERT_TRUE(replaced) << replaced.error().message;
  EXPECT_EQ(replaced->owner, "alice");
  EXPECT_EQ(replaced->created_ms, 1700000000000);
  const std::string put = server.seen().at(1).body;
  EXPECT_NE(put.find(R"("ConditionExpression":"#by = :by AND #at = :at")"), std::string::npos)
      << put;
  EXPECT_NE(put.find(R"(":at":{"S":"2023-11-14T22:13:20.000Z"})"), std::string::npos) << put;
}

TEST(RemoteTable, RemoveOfAMissingItemIsNotFoundAndAMissingTableSaysSo) {
  ScriptedServer server(
      {{400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"})"},
       {400,
        R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"})"}});
  Remote remote(server.origin());
  auto missing =
      remote.run<std::monostate>([&](auto done) { remote.table.remove("u9", std::nullopt, done); });
  EXPECT_EQ(missing.error().code, StoreErrorCode::kNotFound);
  auto gone =
      remote.run<std::monostate>([&](auto done) { remote.table.remove("u9", std::nullopt, done); });
  EXPECT_EQ(gone.error().code, StoreErrorCode::kUnavailable);
  EXPECT_EQ(gone.error().message, "the remote table 'users' does not exist");
}

// An item written through the DynamoDB API has no creation metadata: the replace's condition
// says so (attribute_not_exists), instead of asking for values the item never had.
TEST(RemoteTable, ReplaceOfAnItemWithoutMetadataConditionsOnItsAbsence) {
  ScriptedServer server({{200, R"({"Item":{"id":{"S":"f1"},"v":{"N":"7"}}})"}, {200, "{}"}});
  Remote remote(server.origin());
  Record r{"f1", R"({"id":"f1","v":8})", "", 0, 1700000001000};
  auto replaced =
      remote.run<Record>([&](auto done) { remote.table.replace(r, std::nullopt, done); });
  ASSERT_TRUE(replaced) << replaced.error().message;
  const std::string put = server.seen().at(1).body;
  EXPECT_NE(put.find(R"x("ConditionExpression":"attribute_not_exists(#by) AND )x"
                     R"x(attribute_not_exists(#at)")x"),
            std::string::npos)
      << put;
  EXPECT_EQ(put.find("ExpressionAttributeValues"), std::string::npos) << put;
}

const char* kFailedCondition =
    R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"})";
const char* kInternalError =
    R"({"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"oops"})";

// A create whose first send got a 500 and whose resend fails its condition: the item there is the
// one written (the first send did it), so the create succeeded; another item is still a conflict.
TEST(RemoteTable, ACreateResentAfterA5xxFindsItsOwnItem) {
  Record r{"u1", R"({"id":"u1","n":2,"name":"Yev"})", "alice", 1700000000000, 1700000000000};
  {
    ScriptedServer server({{500, kInternalError}, {400, kFailedCondition}, {200, kStored}});
    Remote remote(server.origin());
    auto created = remote.run<Record>([&](auto done) { remote.table.create(r, done); });
    ASSERT_TRUE(created) << created.error().message;
    EXPECT_EQ(test_support::header(server.seen().at(2), "x-amz-target"),
              "DynamoDB_20120810.GetItem");
  }
  {
    Record other = r;
    other.attributes = R"({"id":"u1","n":3})";
    ScriptedServer server({{500, kInternalError}, {400, kFailedCondition}, {200, kStored}});
    Remote remote(server.origin());
    auto created = remote.run<Record>([&](auto done) { remote.table.create(other, done); });
    ASSERT_FALSE(created);
    EXPECT_EQ(created.error().code, StoreErrorCode::kAlreadyExists);
  }
  {
    // Without a 5xx before it, a failed condition is a conflict, read no further.
    ScriptedServer server({{400, kFailedCondition}});
    Remote remote(server.origin());
    auto created = remote.run<Record>([&](auto done) { remote.table.create(r, done); });
    EXPECT_EQ(created.error().code, StoreErrorCode::kAlreadyExists);
    EXPECT_EQ(server.seen().size(), 1u);
  }
}

// A delete resent after a 500: the item gone means it was deleted; still there means it is
// another owner's.
TEST(RemoteTable, ADeleteResentAfterA5xxIsDoneWhenTheItemIsGone) {
  {
    ScriptedServer server({{500, kInternalError}, {400, kFailedCondition}, {200, "{}"}});
    Remote remote(server.origin());
    auto removed = remote.run<std::monostate>(
        [&](auto done) { remote.table.remove("u1", std::nullopt, done); });
    EXPECT_TRUE(removed) << removed.error().message;
  }
  {
    ScriptedServer server({{500, kInternalError}, {400, kFailedCondition}, {200, kStored}});
    Remote remote(server.origin());
    auto removed =
        remote.run<std::monostate>([&](auto done) { remote.table.remove("u1", "bob", done); });
    ASSERT_FALSE(removed);
    EXPECT_EQ(removed.error().code, StoreErrorCode::kNotFound);
  }
}

}  // namespace
}  // namespace gatehouse::store::remote
