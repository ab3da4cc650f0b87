#include "functions/runtime_api/runtime_api.h"

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <limits>
#include <string>

#include "functions/invoker.h"

namespace gatehouse::functions::runtime_api {
namespace {

namespace bhttp = boost::beast::http;

constexpr std::string_view kPrefix = "/2018-06-01/runtime/";
constexpr std::string_view kOkBody = R"({"status":"OK"})";

http::Response json_response(bhttp::status status, std::string body) {
  http::Response res{status, 11};
  res.set(bhttp::field::content_type, "application/json");
  res.body() = std::move(body);
  return res;
}

// {"errorMessage":"...","errorType":"..."}: the shape of the Runtime API's own errors.
http::Response api_error(bhttp::status status, std::string_view type, std::string_view message) {
  boost::json::object o;
  o["errorMessage"] = message;
  o["errorType"] = type;
  return json_response(status, boost::json::serialize(o));
}

http::Response outcome_response(PostOutcome outcome) {
  switch (outcome) {
    case PostOutcome::kAccepted:
      return json_response(bhttp::status::accepted, std::string(kOkBody));
    case PostOutcome::kInvalidRequestId:
      return api_error(bhttp::status::bad_request, "InvalidRequestID", "Invalid request ID");
    case PostOutcome::kInvalidState:
      return api_error(bhttp::status::forbidden, "InvalidStateTransition",
                       "State transition is not allowed");
  }
  return api_error(bhttp::status::internal_server_error, "InternalError", "Internal error");
}

bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_alpha(char c) {
  return is_upper(c) || (c >= 'a' && c <= 'z');
}

// The Runtime Interface Emulator's rule: "Runtime.X"/"Function.X" with X = [A-Z][a-zA-Z]+ is kept;
// another "Function." value becomes Function.Unknown, anything else Runtime.Unknown.
std::string normalise_error_type(std::string_view header) {
  for (std::string_view category : {"Runtime.", "Function."}) {
    if (header.substr(0, category.size()) != category) continue;
    std::string_view reason = header.substr(category.size());
    bool ok = reason.size() >= 2 && is_upper(reason[0]);
    for (char c : reason)
      ok = ok && is_alpha(c);
    if (ok) return std::string(header);
    if (category == "Function.") return "Function.Unknown";
  }
  return "Runtime.Unknown";
}

// "invocation/{id}/response" -> {id, "response"}; empty id when the shape is wrong.
std::pair<std::string_view, std::string_view> split_invocation(std::string_view rest) {
  constexpr std::string_view kInvocation = "invocation/";
  if (rest.substr(0, kInvocation.size()) != kInvocation) return {};
  rest.remove_prefix(kInvocation.size());
  auto slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return {};
  std::string_view id = rest.substr(0, slash);
  std::string_view action = rest.substr(slash + 1);
  if (action != "response" && action != "error") return {};
  return {id, action};
}

}  // namespace

ErrorReport parse_error_report(std::string_view error_type_header, std::string_view body) {
  ErrorReport report;
  boost::system::error_code ec;
  boost::json::parse_options opts;
  opts.max_depth = 32;
  boost::json::value doc = boost::json::parse(body, ec, {}, opts);
  if (!ec && doc.is_object()) {
    const auto& o = doc.get_object();
    if (auto* m = o.if_contains("errorMessage"); m && m->is_string()) {
      report.error_message = std::string(m->get_string());
    }
    if (auto* t = o.if_contains("errorType"); t && t->is_string()) {
      report.error_type = std::string(t->get_string());
    }
  }
  if (report.error_type.empty()) report.error_type = normalise_error_type(error_type_header);
  return report;
}

void answer_next(http::Exchange& long_poll, NextInvocation invocation) {
  http::Response res{bhttp::status::ok, 11};
  res.set(bhttp::field::content_type, "application/json");
  res.set("Lambda-Runtime-Aws-Request-Id", invocation.request_id);
  res.set("Lambda-Runtime-Deadline-Ms", std::to_string(invocation.deadline_unix_ms));
  res.set("Lambda-Runtime-Invoked-Function-Arn", invocation.function_arn);
  if (!invocation.trace_id.empty()) res.set("Lambda-Runtime-Trace-Id", invocation.trace_id);
  res.body() = std::move(invocation.payload);
  long_poll.respond(std::move(res));
}

void refuse_next(http::Exchange& next, std::string_view why) {
  next.respond(api_error(bhttp::status::forbidden, "InvalidStateTransition", why));
}

http::Limits runtime_api_limits() {
  http::Limits limits;
  limits.max_body_bytes = kMaxResponseBytes;
  // No idle cut-off: the runtime's connection carries no request while its handler runs (up to
  // 900 s), and its GET /next waits for as long as the function gets no invocation. Closing it
  // under a waiting /next would lose the event handed to it.
  limits.idle_timeout_ms = std::numeric_limits<uint32_t>::max();
  // One runtime needs one connection (two while a helper posts); the endpoint admits only its
  // worker's processes anyway, so this bounds what a runaway worker can hold.
  limits.max_connections = 8;
  // A runtime that posts its result and asks for the next event in one write (gatehouse's own)
  // gets the 202 with that event, in one write: one wake-up per invocation on each side.
  limits.hold_answers_for_pipelined = true;
  return limits;
}

void RuntimeApiHandler::handle(http::ExchangePtr exchange) {
  http::Request& req = exchange->request();
  std::string_view path = req.path;
  if (path.substr(0, kPrefix.size()) != kPrefix) {
    return exchange->respond(
        api_error(bhttp::status::not_found, "InvalidPath", "Unknown Runtime API path"));
  }
  std::string_view rest = path.substr(kPrefix.size());
  bhttp::verb method = req.msg.method();

  if (rest == "invocation/next") {
    if (method != bhttp::verb::get) {
      return exchange->respond(
          api_error(bhttp::status::method_not_allowed, "MethodNotAllowed", "Use GET"));
    }
    return delegate_.on_next(std::move(exchange));
  }
  if (rest == "init/error") {
    if (method != bhttp::verb::post) {
      return exchange->respond(
          api_error(bhttp::status::method_not_allowed, "MethodNotAllowed", "Use POST"));
    }
    ErrorReport report =
        parse_error_report(req.msg["Lambda-Runtime-Function-Error-Type"], req.msg.body());
    return exchange->respond(outcome_response(delegate_.on_init_error(std::move(report))));
  }
  auto [id, action] = split_invocation(rest);
  if (id.empty()) {
    return exchange->respond(
        api_error(bhttp::status::not_found, "InvalidPath", "Unknown Runtime API path"));
  }
  if (method != bhttp::verb::post) {
    return exchange->respond(
        api_error(bhttp::status::method_not_allowed, "MethodNotAllowed", "Use POST"));
  }
  if (action == "response") {
    // Response streaming (chunked, with error trailers) is not supported: refuse it plainly.
    if (req.msg["Lambda-Runtime-Function-Response-Mode"] == "streaming") {
      return exchange->respond(api_error(bhttp::status::bad_request, "InvalidFunctionResponseMode",
                                         "Response streaming is not supported"));
    }
    return exchange->respond(
        outcome_response(delegate_.on_response(id, std::move(req.msg.body()))));
  }
  ErrorReport report =
      parse_error_report(req.msg["Lambda-Runtime-Function-Error-Type"], req.msg.body());
  exchange->respond(outcome_response(delegate_.on_error(id, std::move(report))));
}

http::Response RuntimeApiHandler::protocol_error(http::ProtocolError error,
                                                 const http::Request& partial) {
  if (error == http::ProtocolError::kBodyTooLarge) {
    // The session fills only the message of a refused request: take the path from its target.
    std::string_view path = partial.msg.target();
    path = path.substr(0, path.find('?'));
    if (path.substr(0, kPrefix.size()) == kPrefix) {
      auto [id, action] = split_invocation(path.substr(kPrefix.size()));
      if (!id.empty() && action == "response") delegate_.on_response_too_large(id);
    }
    return api_error(
        bhttp::status::payload_too_large, "RequestEntityTooLarge",
        "Exceeded maximum allowed payload size (" + std::to_string(kMaxResponseBytes) + " bytes).");
  }
  return api_error(bhttp::status::bad_request, "InvalidRequest", "Malformed request");
}

}  // namespace gatehouse::functions::runtime_api
