#include "store/remote/dynamo_client.h"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>

#include <optional>

#include "store/remote/scripted_server.h"

namespace gatehouse::store::remote {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test_support::header;
using test_support::ScriptedServer;

const aws::Credentials kKeys{"AKIDTEST", "secret-never-shown"};

// Calls one operation and runs the io_context until it is answered.
DbResult<std::string> call(const std::string& origin, std::string operation, std::string body,
                           std::chrono::milliseconds timeout = 2000ms, RetryPolicy retry = {},
                           std::string session_token = {}) {
  asio::io_context ioc;
  auto client = std::make_shared<DynamoClient>(
      ioc, *http::OriginClient::create(ioc, origin), "eu-west-1",
      aws::ResolvedCredentials{kKeys, session_token, "test"}, core::system_clock(), retry);
  std::optional<DbResult<std::string>> answer;
  client->call(std::move(operation), std::move(body), core::os_monotonic() + timeout,
               [&](DbResult<std::string> r) { answer = std::move(r); });
  ioc.run();
  EXPECT_TRUE(answer.has_value());
  return answer ? std::move(*answer) : DbResult<std::string>(DbError{});
}

TEST(DynamoClient, SignsTheCallAsDynamoDBVerifiesIt) {
  ScriptedServer server({{200, R"({"Item":{}})"}});
  auto answer = call(server.origin(), "GetItem", R"({"TableName":"t"})", 2000ms, {}, "tok");
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(*answer, R"({"Item":{}})");
  const auto seen = server.seen().at(0);
  EXPECT_EQ(header(seen, "x-amz-target"), "DynamoDB_20120810.GetItem");
  EXPECT_EQ(header(seen, "content-type"), "application/x-amz-json-1.0");
  EXPECT_EQ(header(seen, "x-amz-security-token"), "tok");
  // The server's side of SigV4: the signature recomputed from what arrived matches.
  auto parsed = aws::parse_authorization(header(seen, "authorization"));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->access_key_id, "AKIDTEST");
  EXPECT_EQ(parsed->scope.region, "eu-west-1");
  EXPECT_EQ(parsed->scope.service, "dynamodb");
  aws::SigningInput in{"POST", "/", {}, {}, aws::sha256_hex(seen.body)};
  for (const std::string& name : parsed->signed_headers)
    in.headers.emplace_back(name, header(seen, name));
  const std::string expected = aws::signature(
      kKeys.secret_access_key, parsed->scope,
      aws::string_to_sign(header(seen, "x-amz-date"), parsed->scope, aws::canonical_request(in)));
  EXPECT_EQ(parsed->signature, expected);
  for (const auto& [n, v] : seen.headers)
    EXPECT_EQ(v.find("secret-never-shown"), std::string::npos);
}

// A call made on one lane's thread is sent and answered there: here the second lane's
// io_context runs this thread and the first is never run, so an answer proves which lane sent it.
TEST(DynamoClient, ACallIsSentFromTheLaneOfTheCallingThread) {
  ScriptedServer server({{200, "{}"}});
  asio::io_context first;
  asio::io_context second;
  auto client = std::make_shared<DynamoClient>(
      std::vector<DynamoClient::Lane>{
          {&first, *http::OriginClient::create(first, server.origin())},
          {&second, *http::OriginClient::create(second, server.origin())}},
      "eu-west-1", aws::ResolvedCredentials{kKeys, {}, "test"}, core::system_clock());
  std::optional<DbResult<std::string>> answer;
  bool answered_on_second = false;
  asio::post(second, [&] {
    client->call("GetItem", "{}", core::os_monotonic() + 2000ms, [&](DbResult<std::string> r) {
      answered_on_second = second.get_executor().running_in_this_thread();
      answer = std::move(r);
    });
  });
  second.run();
  ASSERT_TRUE(answer.has_value());
  EXPECT_TRUE(*answer);
  EXPECT_TRUE(answered_on_second);
}

TEST(DynamoClient, DynamoDBErrorsBecomeTheStoresKinds) {
  ScriptedServer server(
      {{400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
             R"("message":"The conditional request failed","Item":{"pk":{"S":"a"}}})"},
       {400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",)"
             R"("message":"Requested resource not found"})"},
       {400, R"({"__type":"com.amazon.coral.service#UnrecognizedClientException",)"
             R"("message":"The security token included in the request is invalid."})"}});
  auto failed = call(server.origin(), "PutItem", "{}");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind, DbErrorKind::kConditionalCheckFailed);
  ASSERT_TRUE(failed.error().item);
  EXPECT_EQ(failed.error().item->at("pk").as_string(), "a");
  EXPECT_EQ(call(server.origin(), "GetItem", "{}").error().kind, DbErrorKind::kResourceNotFound);
  auto refused = call(server.origin(), "GetItem", "{}");
  EXPECT_EQ(refused.error().kind, DbErrorKind::kInternal);
  EXPECT_EQ(
      refused.error().message,
      "the DynamoDB endpoint refused gatehouse's signed request (UnrecognizedClientException): "
      "The security token included in the request is invalid.");
}

TEST(DynamoClient, ThrottlingAndServerErrorsAreRetriedThenAnswered) {
  ScriptedServer server(
      {{400,
        R"({"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"})"},
       {500, R"({"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError"})"},
       {200, R"({"Count":1})"}});
  auto answer = call(server.origin(), "Query", "{}", 2000ms, {.base_ms = 1, .cap_ms = 5});
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(*answer, R"({"Count":1})");
  EXPECT_EQ(server.seen().size(), 3u);
}

TEST(DynamoClient, ThrottlingPastTheAttemptsIsAThrottle) {
  std::deque<std::pair<unsigned, std::string>> script;
  for (int i = 0; i < 10; ++i)
    script.emplace_back(400,
                        R"({"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException"})");
  ScriptedServer server(script);
  auto answer =
      call(server.origin(), "Query", "{}", 2000ms, {.base_ms = 1, .cap_ms = 2, .max_attempts = 3});
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, DbErrorKind::kThrottled);
  EXPECT_EQ(server.seen().size(), 3u);
}

TEST(DynamoClient, AnEndpointThatIsDownIsUnavailableAtTheDeadline) {
  auto answer = call("http://127.0.0.1:1", "GetItem", "{}", 200ms, {.base_ms = 5, .cap_ms = 20});
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, DbErrorKind::kUnavailable);
  EXPECT_NE(answer.error().message.find("http://127.0.0.1:1"), std::string::npos);
}

TEST(DynamoClient, AConnectionThatBreaksAfterTheRequestIsNotRetried) {
  ScriptedServer server({{0, ""}});
  auto answer = call(server.origin(), "PutItem", "{}");
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, DbErrorKind::kUnavailable);
  EXPECT_NE(answer.error().message.find("may have been carried out"), std::string::npos);
  EXPECT_EQ(server.seen().size(), 1u);
}

}  // namespace
}  // namespace gatehouse::store::remote
