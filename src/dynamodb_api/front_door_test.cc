// The front door's verdicts in DynamoDB's order, signatures verified over the request as sent,
// and the response pieces every answer carries (error bodies, CRC-32, request ids).
#include "dynamodb_api/front_door.h"

#include <gtest/gtest.h>

#include "dynamodb_api/errors.h"
#include "dynamodb_api/listener.h"

namespace gatehouse::dynamodb_api {
namespace {

namespace bhttp = boost::beast::http;

// 2013-06-09T10:07:59Z, and its x-amz-date.
const core::SystemTime kNow = std::chrono::system_clock::from_time_t(1370772479);
constexpr std::string_view kAmzDate = "20130609T100759Z";
const aws::Credentials kCreds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"};

// A request as a client sends it: signed with `signer` when given, else with the Authorization
// header as written.
std::unique_ptr<http::Request> request(bhttp::verb method, std::string body,
                                       std::string target = "DynamoDB_20120810.ListTables",
                                       std::optional<aws::Credentials> signer = kCreds,
                                       std::string authorization = {},
                                       std::string date = std::string(kAmzDate)) {
  auto r = std::make_unique<http::Request>();
  r->msg.method(method);
  r->msg.target("/");
  r->msg.version(11);
  r->msg.set(bhttp::field::host, "127.0.0.1:8000");
  r->msg.set(bhttp::field::content_type, "application/x-amz-json-1.0");
  if (!target.empty()) r->msg.set("x-amz-target", target);
  if (!date.empty()) r->msg.set("x-amz-date", date);
  r->msg.body() = std::move(body);
  r->path = "/";
  if (signer) {
    aws::SigningInput in;
    in.method = r->msg.method_string();
    in.path = "/";
    in.headers = {{"host", "127.0.0.1:8000"},
                  {"content-type", "application/x-amz-json-1.0"},
                  {"x-amz-date", date},
                  {"x-amz-target", target}};
    in.payload_sha256_hex = aws::sha256_hex(r->msg.body());
    aws::Scope scope{date.substr(0, 8), "us-east-1", "dynamodb"};
    authorization = aws::authorization_header(*signer, scope, in);
  }
  if (!authorization.empty()) r->msg.set(bhttp::field::authorization, authorization);
  return r;
}

const ApiError* error_of(const Verdict& v) {
  return std::get_if<ApiError>(&v);
}

TEST(FrontDoor, HealthCheckAndNotFound) {
  FrontDoorOptions open;
  auto health = admit(*request(bhttp::verb::get, ""), open, kNow);
  ASSERT_TRUE(std::holds_alternative<DoorAnswer>(health));
  EXPECT_EQ(std::get<DoorAnswer>(health).status, 200u);
  EXPECT_EQ(std::get<DoorAnswer>(health).body, "healthy: dynamodb.us-east-1.amazonaws.com ");
  for (auto method : {bhttp::verb::put, bhttp::verb::delete_}) {
    auto v = admit(*request(method, "{}"), open, kNow);
    ASSERT_TRUE(std::holds_alternative<DoorAnswer>(v));
    EXPECT_EQ(std::get<DoorAnswer>(v).status, 404u);
    EXPECT_EQ(std::get<DoorAnswer>(v).body, "<UnknownOperationException/>\n");
  }
  auto other_type = request(bhttp::verb::post, "{}");
  other_type->msg.set(bhttp::field::content_type, "application/x-amz-json-1.1");
  EXPECT_EQ(std::get<DoorAnswer>(admit(*other_type, open, kNow)).status, 404u);
}

TEST(FrontDoor, DynamoDbsOrderOfRefusals) {
  FrontDoorOptions open;
  // Bad JSON is found before the target, the target before the signature.
  auto bad_json = admit(*request(bhttp::verb::post, "{", "nonsense", std::nullopt), open, kNow);
  ASSERT_TRUE(error_of(bad_json));
  EXPECT_EQ(error_of(bad_json)->type, ErrorType::kSerialization);
  auto unknown =
      admit(*request(bhttp::verb::post, "{}", "DynamoDB_20120810.ListTable"), open, kNow);
  ASSERT_TRUE(error_of(unknown));
  EXPECT_EQ(error_of(unknown)->type, ErrorType::kUnknownOperation);
  auto unsigned_request = admit(
      *request(bhttp::verb::post, "{}", "DynamoDB_20120810.ListTables", std::nullopt), open, kNow);
  ASSERT_TRUE(error_of(unsigned_request));
  EXPECT_EQ(error_of(unsigned_request)->type, ErrorType::kMissingAuthenticationToken);
  EXPECT_EQ(error_of(unsigned_request)->message, "Request is missing Authentication Token");
  auto incomplete = admit(
      *request(bhttp::verb::post, "{}", "DynamoDB_20120810.ListTables", std::nullopt, "AWS4-", ""),
      open, kNow);
  ASSERT_TRUE(error_of(incomplete));
  EXPECT_EQ(error_of(incomplete)->message,
            "Authorization header requires 'Credential' parameter. Authorization header requires "
            "'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
            "Authorization=AWS4-");
  auto empty = admit(*request(bhttp::verb::post, ""), open, kNow);
  ASSERT_TRUE(error_of(empty));
  EXPECT_EQ(error_of(empty)->type, ErrorType::kSerialization);

  // Any signer is served without credentials configured.
  auto any = admit(*request(bhttp::verb::post, "{}", "DynamoDB_20120810.ListTables",
                            aws::Credentials{"someone", "anything"}),
                   open, kNow);
  ASSERT_TRUE(std::holds_alternative<Call>(any));
  EXPECT_EQ(std::get<Call>(any).operation, "ListTables");
}

TEST(FrontDoor, ConfiguredCredentialsVerifyEverySignature) {
  FrontDoorOptions verify{"us-east-1", kCreds};
  EXPECT_TRUE(std::holds_alternative<Call>(admit(*request(bhttp::verb::post, "{}"), verify, kNow)));

  auto other_key = admit(*request(bhttp::verb::post, "{}", "DynamoDB_20120810.ListTables",
                                  aws::Credentials{"AKIDOTHER", kCreds.secret_access_key}),
                         verify, kNow);
  ASSERT_TRUE(error_of(other_key));
  EXPECT_EQ(error_of(other_key)->type, ErrorType::kUnrecognizedClient);
  EXPECT_EQ(error_of(other_key)->message, "The security token included in the request is invalid.");

  auto wrong_secret = admit(*request(bhttp::verb::post, "{}", "DynamoDB_20120810.ListTables",
                                     aws::Credentials{kCreds.access_key_id, "not-the-secret"}),
                            verify, kNow);
  ASSERT_TRUE(error_of(wrong_secret));
  EXPECT_EQ(error_of(wrong_secret)->type, ErrorType::kInvalidSignature);
  EXPECT_TRUE(
      error_of(wrong_secret)
          ->message.starts_with(
              "The request signature we calculated does not match the signature you provided."));

  // A body changed after signing no longer verifies.
  auto tampered = request(bhttp::verb::post, "{}");
  tampered->msg.body() = "{\"Limit\":1}";
  auto changed = admit(*tampered, verify, kNow);
  ASSERT_TRUE(error_of(changed));
  EXPECT_EQ(error_of(changed)->type, ErrorType::kInvalidSignature);

  auto old = admit(*request(bhttp::verb::post, "{}"), verify, kNow + std::chrono::minutes(16));
  ASSERT_TRUE(error_of(old));
  EXPECT_EQ(error_of(old)->message,
            "Signature expired: 20130609T100759Z is now earlier than 20130609T100859Z "
            "(20130609T102359Z - 15 min.)");
}

TEST(Answers, ErrorBodiesAndChecksums) {
  EXPECT_EQ(error_body(serialization()),
            "{\"__type\":\"com.amazon.coral.service#SerializationException\"}");
  EXPECT_EQ(error_body(validation("bad")),
            "{\"__type\":\"com.amazon.coral.validate#ValidationException\",\"message\":\"bad\"}");
  EXPECT_EQ(error_body(serialization("NUMBER_VALUE cannot be converted to String")),
            "{\"__type\":\"com.amazon.coral.service#SerializationException\",\"Message\":"
            "\"NUMBER_VALUE cannot be converted to String\"}");
  ApiError cancelled{
      ErrorType::kTransactionCanceled,
      "Transaction cancelled, please refer cancellation reasons for specific reasons [None, "
      "ConditionalCheckFailed]",
      {},
      {{"None", {}, {}}, {"ConditionalCheckFailed", "The conditional request failed", {}}}};
  EXPECT_EQ(error_body(cancelled),
            "{\"__type\":\"com.amazonaws.dynamodb.v20120810#TransactionCanceledException\","
            "\"CancellationReasons\":[{\"Code\":\"None\"},{\"Code\":\"ConditionalCheckFailed\","
            "\"Message\":\"The conditional request failed\"}],\"Message\":\"Transaction "
            "cancelled, please refer cancellation reasons for specific reasons [None, "
            "ConditionalCheckFailed]\"}");
  // The checksums DynamoDB sends with these bodies.
  EXPECT_EQ(crc32_text("{\"__type\":\"com.amazon.coral.service#SerializationException\"}"),
            "3948637019");
  EXPECT_EQ(crc32_text("<UnknownOperationException/>\n"), "3552371480");
  const std::string id = new_request_id();
  EXPECT_EQ(id.size(), 52u);
  EXPECT_EQ(id.find_first_not_of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"), std::string::npos);
  EXPECT_NE(id, new_request_id());
}

}  // namespace
}  // namespace gatehouse::dynamodb_api
