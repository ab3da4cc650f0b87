#include "dynamodb_api/listener.h"

#include <openssl/rand.h>

#include <array>
#include <boost/crc.hpp>
#include <exception>

#include "core/assert.h"
#include "dynamodb_api/operations.h"

namespace gatehouse::dynamodb_api {
namespace {

namespace bhttp = boost::beast::http;

http::Response make_response(const http::Request& request, unsigned status,
                             std::string_view content_type, std::string body) {
  http::Response res{static_cast<bhttp::status>(status), request.msg.version()};
  if (!content_type.empty()) res.set(bhttp::field::content_type, content_type);
  res.set("x-amzn-RequestId", new_request_id());
  res.set("x-amz-crc32", crc32_text(body));
  auto origin = request.msg.find(bhttp::field::origin);
  if (origin != request.msg.end()) res.set(bhttp::field::access_control_allow_origin, "*");
  res.body() = std::move(body);
  res.keep_alive(request.msg.keep_alive());
  res.prepare_payload();
  return res;
}

http::Response preflight(const http::Request& request) {
  http::Response res = make_response(request, 200, {}, {});
  auto echo = [&](bhttp::field from, bhttp::field to) {
    auto it = request.msg.find(from);
    if (it != request.msg.end()) res.set(to, it->value());
  };
  echo(bhttp::field::access_control_request_headers, bhttp::field::access_control_allow_headers);
  echo(bhttp::field::access_control_request_method, bhttp::field::access_control_allow_methods);
  res.set(bhttp::field::access_control_max_age, "172800");
  return res;
}

}  // namespace

std::string new_request_id() {
  constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::array<unsigned char, 52> random{};
  GH_CHECK(RAND_bytes(random.data(), static_cast<int>(random.size())) == 1);
  std::string out(random.size(), '0');
  for (size_t i = 0; i < random.size(); ++i)
    out[i] = kAlphabet[random[i] % kAlphabet.size()];
  return out;
}

std::string crc32_text(std::string_view body) {
  boost::crc_32_type crc;
  crc.process_bytes(body.data(), body.size());
  return std::to_string(crc.checksum());
}

Listener::Listener(store::sqlite::Engine& engine, FrontDoorOptions options, std::string account_id,
                   const core::Clock& clock)
    : engine_(engine),
      options_(std::move(options)),
      account_id_(std::move(account_id)),
      clock_(clock) {}

void Listener::handle(http::ExchangePtr exchange) {
  const http::Request& request = exchange->request();
  std::string content_type = accepted_content_type(request);
  if (content_type.empty()) content_type = "application/x-amz-json-1.0";
  auto fail = [&](const ApiError& e) {
    exchange->respond(make_response(request, status_of(e.type), content_type, error_body(e)));
  };
  try {
    Verdict verdict = admit(request, options_, clock_.now());
    if (auto* answer = std::get_if<DoorAnswer>(&verdict)) {
      if (answer->cors_preflight) return exchange->respond(preflight(request));
      return exchange->respond(
          make_response(request, answer->status, answer->content_type, std::move(answer->body)));
    }
    if (auto* refused = std::get_if<ApiError>(&verdict)) return fail(*refused);
    const Call& call = std::get<Call>(verdict);
    OperationContext context{engine_, options_.region, account_id_};
    // The exchange keeps the request alive until the answer, which a write gives later, on the
    // store's writer thread.
    run(context, call, [exchange, content_type](core::Result<std::string, ApiError> result) {
      const http::Request& req = exchange->request();
      try {
        if (result)
          exchange->respond(make_response(req, 200, content_type, std::move(*result)));
        else
          exchange->respond(make_response(req, status_of(result.error().type), content_type,
                                          error_body(result.error())));
      } catch (const std::exception&) {
        // Dropping the exchange answers 500 (http/message.h).
      }
    });
  } catch (const std::exception&) {
    fail(ApiError{ErrorType::kInternalServerError, "Internal server error", {}, {}});
  }
}

http::Response Listener::protocol_error(http::ProtocolError error, const http::Request& partial) {
  if (error == http::ProtocolError::kBodyTooLarge) return make_response(partial, 413, {}, {});
  return make_response(partial, 400, {}, {});
}

}  // namespace gatehouse::dynamodb_api
