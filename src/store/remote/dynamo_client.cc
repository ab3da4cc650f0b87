#include "store/remote/dynamo_client.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>

#include "core/assert.h"
#include "store/json_codec.h"

namespace gatehouse::store::remote {
namespace {

namespace json = boost::json;

DbError error(DbErrorKind kind, std::string message) {
  return {kind, std::move(message), {}, {}};
}

std::string text_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

Classified classify_answer(unsigned status, std::string_view body) {
  Classified out;
  if (status >= 200 && status < 300) {
    out.ok = true;
    return out;
  }
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  const json::object* o = !ec && parsed.is_object() ? &parsed.get_object() : nullptr;
  std::string type = o ? text_of(*o, "__type") : std::string();
  if (auto hash = type.rfind('#'); hash != std::string::npos) type = type.substr(hash + 1);
  std::string message = o ? text_of(*o, "message") : std::string();
  if (message.empty() && o) message = text_of(*o, "Message");

  if (status >= 500 || type == "InternalServerError" || type == "ServiceUnavailable") {
    out.retryable = true;
    out.error = error(DbErrorKind::kUnavailable,
                      "the DynamoDB endpoint answered " + std::to_string(status) +
                          (type.empty() ? std::string() : " " + type) +
                          (message.empty() ? std::string() : ": " + message));
    return out;
  }
  if (type == "ProvisionedThroughputExceededException" || type == "ThrottlingException" ||
      type == "RequestLimitExceeded") {
    out.retryable = true;
    out.error = error(DbErrorKind::kThrottled, "the DynamoDB endpoint is throttling: " + type);
    return out;
  }
  static const std::pair<std::string_view, DbErrorKind> kKinds[] = {
      {"ConditionalCheckFailedException", DbErrorKind::kConditionalCheckFailed},
      {"TransactionCanceledException", DbErrorKind::kTransactionCanceled},
      {"ResourceNotFoundException", DbErrorKind::kResourceNotFound},
      {"ResourceInUseException", DbErrorKind::kResourceInUse},
      {"ValidationException", DbErrorKind::kValidation},
      {"IdempotentParameterMismatchException", DbErrorKind::kIdempotentMismatch},
      {"LimitExceededException", DbErrorKind::kLimitExceeded},
  };
  for (const auto& [name, kind] : kKinds) {
    if (type != name) continue;
    out.error = error(kind, message);
    if (o && kind == DbErrorKind::kConditionalCheckFailed) {
      if (const json::value* item = o->if_contains("Item")) {
        if (auto read = read_item(*item)) out.error.item = std::move(*read);
      }
    }
    if (o && kind == DbErrorKind::kTransactionCanceled) {
      if (const json::value* reasons = o->if_contains("CancellationReasons");
          reasons && reasons->is_array()) {
        for (const json::value& r : reasons->get_array()) {
          if (!r.is_object()) continue;
          CancellationReason reason{text_of(r.get_object(), "Code"),
                                    text_of(r.get_object(), "Message"), std::nullopt};
          if (const json::value* item = r.get_object().if_contains("Item")) {
            if (auto read = read_item(*item)) reason.item = std::move(*read);
          }
          out.error.reasons.push_back(std::move(reason));
        }
      }
    }
    return out;
  }
  static constexpr std::string_view kRefused[] = {"UnrecognizedClientException",
                                                  "InvalidSignatureException",
                                                  "MissingAuthenticationTokenException",
                                                  "IncompleteSignatureException",
                                                  "AccessDeniedException",
                                                  "ExpiredTokenException"};
  const bool refused =
      std::find(std::begin(kRefused), std::end(kRefused), type) != std::end(kRefused);
  out.error = error(
      DbErrorKind::kInternal,
      std::string(refused ? "the DynamoDB endpoint refused gatehouse's signed request ("
                          : "the DynamoDB endpoint answered " + std::to_string(status) + " (") +
          (type.empty() ? std::string("no error type") : type) + ")" +
          (message.empty() ? std::string() : ": " + message));
  return out;
}

struct DynamoClient::Call {
  std::string operation;
  std::string body;
  core::MonoTime deadline;
  Done done;
  LaneState* lane = nullptr;  // where it is sent from, for all its attempts
  uint32_t attempts = 0;
  bool earlier_send_may_have_applied = false;  // a send before this one got a 5xx
  std::unique_ptr<boost::asio::steady_timer> backoff;
};

DynamoClient::DynamoClient(std::vector<Lane> lanes, std::string region,
                           aws::ResolvedCredentials credentials, const core::Clock& clock,
                           RetryPolicy retry)
    : region_(std::move(region)),
      credentials_(std::move(credentials)),
      clock_(clock),
      retry_(retry) {
  GH_CHECK(!lanes.empty());
  std::random_device seed;
  for (Lane& lane : lanes) {
    auto state = std::make_unique<LaneState>();
    state->lane = std::move(lane);
    state->jitter.seed(seed());
    lanes_.push_back(std::move(state));
  }
}

DynamoClient::DynamoClient(boost::asio::io_context& ioc, std::shared_ptr<http::OriginClient> origin,
                           std::string region, aws::ResolvedCredentials credentials,
                           const core::Clock& clock, RetryPolicy retry)
    : DynamoClient(std::vector<Lane>{Lane{&ioc, std::move(origin)}}, std::move(region),
                   std::move(credentials), clock, retry) {}

void DynamoClient::call(std::string operation, std::string body, core::MonoTime deadline,
                        Done done) {
  auto c = std::make_shared<Call>();
  c->operation = std::move(operation);
  c->body = std::move(body);
  c->deadline = deadline;
  c->done = std::move(done);
  c->lane = lanes_.front().get();
  for (const auto& lane : lanes_) {
    if (lane->lane.ioc->get_executor().running_in_this_thread()) c->lane = lane.get();
  }
  boost::asio::post(*c->lane->lane.ioc, [self = shared_from_this(), c] { self->attempt(c); });
}

http::OriginRequest DynamoClient::signed_request(const Call& c, LaneState& lane) {
  const std::string date = aws::amz_date(clock_.now());
  const std::string target = "DynamoDB_20120810." + c.operation;
  std::vector<std::pair<std::string, std::string>> headers = {
      {"host", lane.lane.origin->host_header()},
      {"content-type", "application/x-amz-json-1.0"},
      {"x-amz-date", date},
      {"x-amz-target", target}};
  if (!credentials_.session_token.empty())
    headers.emplace_back("x-amz-security-token", credentials_.session_token);
  const aws::Scope scope{date.substr(0, 8), region_, "dynamodb"};
  aws::SigningInput in{"POST", "/", {}, headers, aws::sha256_hex(c.body)};
  http::OriginRequest request;
  request.method = "POST";
  request.target = "/";
  request.body = c.body;
  for (auto& header : headers) {
    if (header.first != "host") request.headers.push_back(std::move(header));
  }
  request.headers.emplace_back(
      "authorization",
      aws::authorization_header(credentials_.credentials, scope, in, &lane.signing_key));
  return request;
}

void DynamoClient::attempt(std::shared_ptr<Call> c) {
  ++c->attempts;
  auto self = shared_from_this();
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(c->deadline - core::os_monotonic());
  if (left.count() <= 0)
    return c->done(error(DbErrorKind::kTimeout, "the DynamoDB endpoint was not reached in time"));
  // Sends again after a backoff if the deadline leaves room for it; else answers `last`.
  auto again_or = [self, c](DbError last) {
    const uint64_t ceiling =
        std::min<uint64_t>(self->retry_.cap_ms, uint64_t{self->retry_.base_ms}
                                                    << std::min<uint32_t>(c->attempts - 1, 20));
    const auto pause = std::chrono::milliseconds(
        std::uniform_int_distribution<uint64_t>(0, ceiling)(c->lane->jitter));
    if (c->attempts >= self->retry_.max_attempts || core::os_monotonic() + pause >= c->deadline)
      return c->done(std::move(last));
    c->backoff = std::make_unique<boost::asio::steady_timer>(*c->lane->lane.ioc, pause);
    c->backoff->async_wait([self, c](boost::system::error_code) { self->attempt(c); });
  };
  c->lane->lane.origin->send(
      signed_request(*c, *c->lane), left,
      [self, c, again_or](core::Result<http::OriginResponse, http::OriginError> answer) {
        if (!answer) {
          const http::OriginError& e = answer.error();
          const std::string& why = e.status.message();
          if (e.status.code() == core::Code::kDeadlineExceeded)
            return c->done(error(DbErrorKind::kTimeout, why));
          if (e.maybe_received)
            return c->done(error(e.status.code() == core::Code::kResourceExhausted
                                     ? DbErrorKind::kInternal
                                     : DbErrorKind::kUnavailable,
                                 why + " (the request may have been carried out)"));
          if (e.status.code() == core::Code::kResourceExhausted)
            return c->done(error(DbErrorKind::kThrottled, why));
          return again_or(error(DbErrorKind::kUnavailable, why));
        }
        Classified what = classify_answer(answer->status, answer->body);
        if (what.ok) return c->done(std::move(answer->body));
        what.error.earlier_send_may_have_applied = c->earlier_send_may_have_applied;
        // A throttled request was not carried out; one answered with a 5xx may have
        // been.
        if (answer->status >= 500) c->earlier_send_may_have_applied = true;
        if (what.retryable) return again_or(std::move(what.error));
        c->done(std::move(what.error));
      });
}

}  // namespace gatehouse::store::remote
