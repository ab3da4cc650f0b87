#include "gateway/admin.h"

#include <boost/beast/http/field.hpp>

#include "core/json_text.h"

namespace gatehouse::gateway {

namespace bhttp = boost::beast::http;

AdminHandler::AdminHandler(Gateway& gateway, observability::Registry& registry)
    : gateway_(gateway), registry_(registry) {}

void AdminHandler::handle(http::ExchangePtr exchange) {
  auto& req = exchange->request();
  http::Response res{bhttp::status::ok, 11};
  res.set(bhttp::field::content_type, "application/json");
  if (req.msg.method() != bhttp::verb::get && req.msg.method() != bhttp::verb::head) {
    res.result(bhttp::status::method_not_allowed);
    res.set(bhttp::field::allow, "GET, HEAD");
    res.body() = R"({"message":"Method Not Allowed"})";
  } else if (req.path == "/healthz") {
    res.body() = R"({"status":"ok"})";
  } else if (req.path == "/readyz") {
    if (draining_.load()) {
      res.result(bhttp::status::service_unavailable);
      res.body() = R"({"status":"draining"})";
    } else if (!gateway_.ready()) {
      res.result(bhttp::status::service_unavailable);
      res.body() = R"({"status":"starting","reason":"authorizer keys not loaded yet"})";
    } else if (auto failing = gateway_.functions_failing_to_start(); !failing.empty()) {
      // A route or an authorizer needs them: their requests fail until a worker starts.
      res.result(bhttp::status::service_unavailable);
      std::string names;
      for (const std::string& name : failing) {
        if (!names.empty()) names += ',';
        core::append_json_string(names, name);
      }
      res.body() =
          "{\"status\":\"not_ready\",\"reason\":\"functions cannot start their "
          "workers\",\"functions\":[" +
          names + "]}";
    } else {
      res.body() = R"({"status":"ready"})";
    }
  } else if (req.path == "/metrics") {
    res.set(bhttp::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.body() = registry_.render();
  } else {
    res.result(bhttp::status::not_found);
    res.body() = R"({"message":"Not Found","endpoints":["/healthz","/readyz","/metrics"]})";
  }
  exchange->respond(std::move(res));
}

http::Response AdminHandler::protocol_error(http::ProtocolError, const http::Request&) {
  http::Response res{bhttp::status::bad_request, 11};
  res.set(bhttp::field::content_type, "application/json");
  res.body() = R"({"message":"Bad Request"})";
  return res;
}

}  // namespace gatehouse::gateway
