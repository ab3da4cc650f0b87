// A client of one DynamoDB endpoint (AWS, ScyllaDB Alternator, another gatehouse): each call is
// an operation of DynamoDB's JSON 1.0 protocol, signed with SigV4 (service "dynamodb") and sent
// over a keep-alive http::OriginClient. Throttling and 5xx answers, and requests that cannot have
// reached the server, are sent again after an exponential backoff with full jitter, as long as the
// deadline allows; DynamoDB's error answers become the store's DbError, so a remote table fails
// as the embedded engine does.
//
// Usage:
//   auto client = std::make_shared<remote::DynamoClient>(ioc, origin, "eu-west-1", credentials,
//                                                       core::system_clock());
//   client->call("GetItem", R"({"TableName":"users","Key":{...}})", deadline,
//                [](store::DbResult<std::string> answer) { ... });
//
// Thread safety: call() may be called from any thread; completions run on the origin client's
// io_context.
#pragma once

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "aws/credential_chain.h"
#include "core/clock.h"
#include "http/origin_client.h"
#include "store/operations.h"

namespace gatehouse::store::remote {

struct RetryPolicy {
  uint32_t base_ms = 25;      // the first backoff's ceiling; each retry doubles it
  uint32_t cap_ms = 1000;     // no backoff's ceiling beyond this
  uint32_t max_attempts = 8;  // sends in all, the first included
};

// What an answer of DynamoDB means for the caller.
struct Classified {
  bool ok = false;         // 2xx: the body is the operation's result
  bool retryable = false;  // throttled, or a 5xx: the same request may succeed later
  DbError error;           // when !ok
};
// Reads DynamoDB's answer (status and body): its __type and message become a DbError of the
// matching kind (ConditionalCheckFailed with its Item, TransactionCanceled with its reasons); a
// refused signature or unknown key is kInternal and says so, naming no secret.
Classified classify_answer(unsigned status, std::string_view body);

class DynamoClient : public std::enable_shared_from_this<DynamoClient> {
 public:
  DynamoClient(boost::asio::io_context& ioc, std::shared_ptr<http::OriginClient> origin,
               std::string region, aws::ResolvedCredentials credentials, const core::Clock& clock,
               RetryPolicy retry = {});

  // The operation's answer (its JSON text), or the store's error for DynamoDB's; kTimeout when
  // the deadline passed with the request possibly received, kUnavailable when it cannot have
  // been.
  using Done = std::function<void(DbResult<std::string>)>;
  void call(std::string operation, std::string body, core::MonoTime deadline, Done done);

 private:
  struct Call;
  void attempt(std::shared_ptr<Call> call);
  http::OriginRequest signed_request(const Call& call);

  boost::asio::io_context& ioc_;
  std::shared_ptr<http::OriginClient> origin_;
  const std::string region_;
  const aws::ResolvedCredentials credentials_;
  const core::Clock& clock_;
  const RetryPolicy retry_;
  std::mt19937 jitter_;  // backoff jitter, not a secret; used on the io_context's thread only
  aws::SigningKeyCache signing_key_;  // used on the io_context's thread only
};

}  // namespace gatehouse::store::remote
