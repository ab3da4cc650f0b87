// The DynamoDB listener's HTTP handler: the front door, the operation, and DynamoDB's response
// headers on every answer (x-amzn-RequestId, x-amz-crc32 of the body, the request's content
// type; CORS headers for browsers).
//
// Usage:
//   dynamodb_api::Listener handler(engine, {.region = "us-east-1"}, account_id, clock);
//   http::Server server(pool, handler, limits, "dynamodb", &stats);
//
// Thread safety: handle() from any I/O thread at once.
#pragma once

#include <string>

#include "core/clock.h"
#include "dynamodb_api/front_door.h"
#include "http/message.h"
#include "store/sqlite/engine.h"

namespace gatehouse::dynamodb_api {

// DynamoDB's limit on a request's body: 16 MB; a larger one is answered 413.
inline constexpr size_t kMaxRequestBytes = 16 * 1024 * 1024;

class Listener final : public http::Handler {
 public:
  Listener(store::sqlite::Engine& engine, FrontDoorOptions options, std::string account_id,
           const core::Clock& clock);
  void handle(http::ExchangePtr exchange) override;
  http::Response protocol_error(http::ProtocolError error, const http::Request& partial) override;

 private:
  store::sqlite::Engine& engine_;
  const FrontDoorOptions options_;
  const std::string account_id_;
  const core::Clock& clock_;
};

// 52 characters of [0-9A-Z], as DynamoDB's request ids; random.
std::string new_request_id();
// What x-amz-crc32 carries: the CRC-32 of the body, in decimal.
std::string crc32_text(std::string_view body);

}  // namespace gatehouse::dynamodb_api
