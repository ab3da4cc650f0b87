#include "gateway/request_facts.h"

#include "core/ids.h"

namespace gatehouse::gateway {

functions::events::RequestFacts request_facts(const http::Request& req, const Runtime& rt,
                                              const RouteRuntime& route, const router::Match* match,
                                              std::string_view method_arn,
                                              std::string_view extended_request_id,
                                              int64_t request_time_epoch_ms) {
  functions::events::RequestFacts f;
  f.method = req.msg.method_string();
  f.raw_path = req.path;
  f.raw_query = req.query;
  f.resource = route.path_template;
  f.path_params = match ? &match->params : nullptr;
  f.headers.reserve(16);
  for (auto& field : req.msg)
    f.headers.emplace_back(field.name_string(), field.value());
  f.body = req.msg.body();
  f.method_arn = method_arn;
  f.stage_variables.reserve(rt.stage_variables.size());
  for (auto& [k, v] : rt.stage_variables)
    f.stage_variables.emplace_back(k, v);
  f.stage = rt.stage;
  f.account_id = rt.account_id;
  f.api_id = rt.api_id;
  // requestContext's Host and User-Agent are the values the events' headers map carries.
  std::string_view host = functions::events::find_header(f.headers, "Host").last;
  f.domain_name = host.empty() ? std::string_view(rt.default_domain) : host;
  f.request_id = core::id_view(req.id);
  f.extended_request_id = extended_request_id;
  f.resource_id = route.resource_id;
  f.source_ip = req.peer_ip;
  f.user_agent = functions::events::find_header(f.headers, "User-Agent").last;
  f.protocol = req.msg.version() == 10 ? "HTTP/1.0" : "HTTP/1.1";
  f.request_time_epoch_ms = request_time_epoch_ms;
  f.tls = req.tls.get();
  return f;
}

}  // namespace gatehouse::gateway
