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
// Thread safety: call() may be called from any thread; its completion runs on the io_context of
// the lane it was sent from (the caller's own I/O thread, when it is one of them).
#pragma once

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

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
  // Where calls are sent from: an io_context and its keep-alive client for the endpoint.
  struct Lane {
    boost::asio::io_context* ioc = nullptr;
    std::shared_ptr<http::OriginClient> origin;
  };
  // One lane per I/O thread: a call made on a thread that runs one of the lanes' io_contexts is
  // sent from that lane and answered there, on its own connections; a call from any other thread
  // goes to the first lane. Requires: at least one lane.
  DynamoClient(std::vector<Lane> lanes, std::string region, aws::ResolvedCredentials credentials,
               const core::Clock& clock, RetryPolicy retry = {});
  // One lane.
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
  // A lane and what only its thread touches.
  struct LaneState {
    Lane lane;
    std::mt19937 jitter;  // backoff jitter, not a secret
    aws::SigningKeyCache signing_key;
  };
  void attempt(std::shared_ptr<Call> call);
  http::OriginRequest signed_request(const Call& call, LaneState& lane);

  std::vector<std::unique_ptr<LaneState>> lanes_;
  const std::string region_;
  const aws::ResolvedCredentials credentials_;
  const core::Clock& clock_;
  const RetryPolicy retry_;
};

}  // namespace gatehouse::store::remote
