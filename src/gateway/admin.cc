#include "gateway/admin.h"

#include <boost/beast/http/field.hpp>

#include "core/json_text.h"
#include "gateway/metrics.h"

namespace gatehouse::gateway {

namespace bhttp = boost::beast::http;

AdminHandler::AdminHandler(Gateway& gateway, observability::Registry& process, Reload reload)
    : gateway_(gateway), process_(process), reload_(std::move(reload)) {}

void AdminHandler::handle(http::ExchangePtr exchange) {
  auto& req = exchange->request();
  http::Response res{bhttp::status::ok, 11};
  res.set(bhttp::field::content_type, "application/json");
  const bool reload_path = req.path == "/reload" && reload_;
  const bool read = req.msg.method() == bhttp::verb::get || req.msg.method() == bhttp::verb::head;
  if (reload_path && req.msg.method() == bhttp::verb::post &&
      req.msg.find(bhttp::field::origin) != req.msg.end()) {
    // Browsers send Origin with every POST: a web page (cross-site, or through DNS rebinding)
    // must not apply a configuration file the operator is still editing. curl and scripts send
    // none.
    res.result(bhttp::status::forbidden);
    res.body() = R"x({"message":"POST /reload from a browser is refused (it carries Origin)"})x";
    return exchange->respond(std::move(res));
  }
  if (reload_path && req.msg.method() == bhttp::verb::post) {
    // Answered when the reload has ended; the exchange may be answered from any thread.
    return reload_([exchange](unsigned status, std::string body) {
      http::Response answer{static_cast<bhttp::status>(status), 11};
      answer.set(bhttp::field::content_type, "application/json");
      answer.body() = std::move(body);
      exchange->respond(std::move(answer));
    });
  }
  if (reload_path || !read) {
    res.result(bhttp::status::method_not_allowed);
    res.set(bhttp::field::allow, reload_path ? "POST" : "GET, HEAD");
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
    // The runtime's series are registered afresh per scrape: a reload may have replaced them.
    std::shared_ptr<const Runtime> rt = gateway_.runtime();
    observability::Registry runtime_series;
    register_metrics(*rt, runtime_series);
    res.body() = process_.render() + runtime_series.render();
  } else {
    res.result(bhttp::status::not_found);
    res.body() =
        R"({"message":"Not Found","endpoints":["/healthz","/readyz","/metrics","/reload"]})";
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
