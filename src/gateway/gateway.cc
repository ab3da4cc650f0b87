#include "gateway/gateway.h"

#include <spdlog/spdlog.h>

#include <boost/beast/http/field.hpp>

#include <algorithm>
#include <atomic>

#include "auth/jwks/key_set.h"
#include "auth/policy/policy.h"
#include "core/ids.h"
#include "core/json_text.h"
#include "core/text.h"
#include "functions/events/events.h"
#include "functions/events/proxy_response.h"
#include "functions/failure_log.h"
#include "gateway/crud.h"
#include "gateway/key_fetch_report.h"
#include "gateway/request_facts.h"

namespace gatehouse::gateway {
namespace {

namespace bhttp = boost::beast::http;
using std::chrono::duration_cast;
using std::chrono::microseconds;

uint64_t micros_since(const core::Clock& clock, core::MonoTime t) {
  return static_cast<uint64_t>(duration_cast<microseconds>(clock.monotonic() - t).count());
}

// Hands the embedded issuer's current keys to every `issuer: self` authorizer whose copy is older
// (after a rotation).
void publish_issuer_keys(const Runtime& rt) {
  if (!rt.issuer) return;
  uint64_t generation = rt.issuer->key_generation();
  std::shared_ptr<const auth::jwks::KeySet> set;
  for (auto& a : rt.authorizers) {
    if (a->issuer_keys == nullptr || a->published_key_generation == generation) continue;
    if (!set) {
      set = std::make_shared<const auth::jwks::KeySet>(rt.issuer->verification_keys(),
                                                       "issuer: self");
    }
    a->issuer_keys->publish(set);
    a->published_key_generation = generation;
  }
}

}  // namespace

// One request's trip through the pipeline.
struct Gateway::Call {
  http::ExchangePtr exchange;
  std::shared_ptr<const Runtime> runtime;  // the one it started on, whatever a reload swaps in
  RouteRuntime* route = nullptr;
  std::optional<router::Match> match;
  auth::DecisionPtr decision;
  std::string method_arn;  // set for routes with an authorizer
  core::ExtendedRequestId extended_id;
  // What the authorizer and the integration are told about this request, built once (views into
  // this call and the runtime): the identity is read from the same facts the events are built
  // from, and the function integration's event too.
  std::optional<functions::events::RequestFacts> facts;
  std::string_view cache_status;
  std::string_view error_reason;
  bool cors_preflight = false;  // answered by the CORS policy itself: its headers are final
  std::string_view upstream;    // the http_proxy target that answered or failed (its Upstream's)
  uint64_t authorizer_us = 0;
  uint64_t integration_us = 0;
  bool issuer_request = false;  // answered by the embedded issuer
};

Gateway::Gateway(std::shared_ptr<const Runtime> runtime, const core::Clock& clock,
                 observability::AccessLog* access_log)
    : runtimes_(std::move(runtime)), clock_(clock), access_log_(access_log) {}

template <class Step>
void Gateway::guarded(Call& call, Step&& step) noexcept {
  try {
    step();
  } catch (const std::exception& e) {
    try {
      spdlog::error("request {}: {}; answered 500", core::id_view(call.exchange->request().id),
                    e.what());
      call.error_reason = "internal_error";
      finish(call, error_response(call, ResponseType::kDefault5xx,
                                  {.message = "Internal server error", .status = 500}));
    } catch (...) {
      // Nothing more can be done here: the exchange answers 500 itself when it is dropped.
    }
  }
}

void Gateway::handle(http::ExchangePtr exchange) {
  auto call = std::make_shared<Call>();
  call->exchange = std::move(exchange);
  call->runtime = runtimes_.current();
  call->extended_id = core::new_extended_request_id();
  guarded(*call, [&] { route(call); });
}

bool Gateway::streams_body(std::string_view method, std::string_view path) {
  const std::shared_ptr<const Runtime> rt = runtimes_.current();
  if (rt->issuer && rt->issuer->serves(path)) return false;
  auto m = router::match(*rt->table, method, path);
  return m && rt->routes[m->route_index]->kind == RouteRuntime::Kind::kHttpProxy;
}

void Gateway::route(std::shared_ptr<Call> call) {
  http::Request& req = call->exchange->request();
  const Runtime& rt = *call->runtime;

  // A browser's preflight is answered before anything else, as API Gateway does with CORS
  // configured: it carries no credentials, and no route need exist for OPTIONS.
  if (rt.cors && CorsPolicy::is_preflight(req.msg)) {
    call->cors_preflight = true;
    return finish(*call, rt.cors->preflight(req.msg));
  }
  // The embedded issuer's endpoints are public and come before the API's routes (build_runtime
  // refuses routes that would shadow them).
  if (rt.issuer && rt.issuer->serves(req.path)) {
    if (call->exchange->body_pending()) {
      return read_whole_body(std::move(call), &Gateway::serve_issuer);
    }
    return serve_issuer(std::move(call));
  }

  auto m = router::match(*rt.table, req.msg.method_string(), req.path);
  if (!m) {
    call->error_reason = router::to_string(m.error());
    if (m.error() == router::MatchError::kBadPath) {
      return finish(*call, error_response(*call, ResponseType::kDefault4xx,
                                          {.message = "Bad Request", .status = 400}));
    }
    return finish(*call, error_response(*call, ResponseType::kMissingAuthenticationToken));
  }
  call->match.emplace(std::move(*m));
  call->route = rt.routes[call->match->route_index].get();
  // Throttled before anything costs: the body is not read, the authorizer not asked.
  if (core::TokenBucket* bucket = call->route->throttle_for(req.msg.method_string());
      bucket != nullptr && !bucket->try_take(clock_.monotonic())) {
    call->error_reason = "route_throttled";
    return finish(*call, error_response(*call, ResponseType::kThrottled));
  }
  // A key from the header is checked before authorization, as the throttle is.
  if (call->route->api_key_required && rt.api_key_source == config::ApiKeySource::kHeader) {
    auto [it, end] = req.msg.equal_range("x-api-key");
    // Two keys in one request are none: which one would count is not the client's to choose.
    std::string_view key =
        it != end && std::next(it) == end ? std::string_view(it->value()) : std::string_view();
    if (!admit_api_key(*call, key)) return;
  }
  if (call->exchange->body_pending() && call->route->kind != RouteRuntime::Kind::kHttpProxy) {
    return read_whole_body(std::move(call), &Gateway::authorize_or_integrate);
  }
  authorize_or_integrate(std::move(call));
}

void Gateway::authorize_or_integrate(std::shared_ptr<Call> call) {
  if (call->route->authorizer) return authorize(std::move(call));
  integrate(std::move(call));
}

void Gateway::read_whole_body(std::shared_ptr<Call> call,
                              void (Gateway::*next)(std::shared_ptr<Call>)) {
  http::Exchange& ex = *call->exchange;
  ex.read_body([this, call = std::move(call), next](core::Result<std::string_view> piece) {
    guarded(*call, [&] {
      if (!piece) return body_read_failed(*call, piece.error());
      if (piece->empty()) return (this->*next)(call);
      // Bounded: the listener refuses a body over its max_body_bytes.
      call->exchange->request().msg.body().append(*piece);
      read_whole_body(call, next);
    });
  });
}

void Gateway::body_read_failed(Call& call, const core::Status& why) {
  // The connection closes after this answer: what the client still sends cannot be read.
  if (why.code() == core::Code::kResourceExhausted) {
    call.error_reason = "body_too_large";
    return finish(call, error_response(call, ResponseType::kRequestTooLarge));
  }
  call.error_reason =
      why.code() == core::Code::kInvalidArgument ? "bad_request" : "body_incomplete";
  finish(call, error_response(call, ResponseType::kDefault4xx,
                              {.message = "Bad Request", .status = 400}));
}

// Built on first use and kept for the call (request_facts.h).
const functions::events::RequestFacts& Gateway::facts(Call& call) {
  if (call.facts) return *call.facts;
  return call.facts.emplace(request_facts(
      call.exchange->request(), *call.runtime, *call.route, call.match ? &*call.match : nullptr,
      call.method_arn, core::id_view(call.extended_id),
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
          .count()));
}

void Gateway::authorize(std::shared_ptr<Call> call) {
  http::Request& req = call->exchange->request();
  // The method ARN names this request in authorizer policies; API Gateway refuses a request
  // whose ARN would be over 1600 bytes with 414 before calling the authorizer.
  auto arn = router::method_arn(call->runtime->arn_prefix, req.msg.method_string(), req.path);
  if (!arn) {
    call->error_reason = router::to_string(arn.error());
    if (arn.error() == router::MethodArnError::kTooLong) {
      return finish(*call, error_response(*call, ResponseType::kDefault4xx,
                                          {.message = "Request URI too long", .status = 414}));
    }
    return finish(*call, error_response(*call, ResponseType::kDefault4xx,
                                        {.message = "Bad Request", .status = 400}));
  }
  call->method_arn = std::move(*arn);
  const functions::events::RequestFacts& request_facts = facts(*call);
  // The call owns the facts and the route its scopes, both alive until the outcome arrives.
  call->route->authorizer->stage->run(
      request_facts, call->route->scopes, [this, call](const auth::stage::Outcome& outcome) {
        guarded(*call, [&] { on_authorized(call, outcome); });  // called exactly once
      });
}

void Gateway::on_authorized(std::shared_ptr<Call> call, const auth::stage::Outcome& outcome) {
  call->authorizer_us = outcome.authorizer_us;
  call->cache_status = auth::stage::to_string(outcome.cache);
  call->decision = outcome.decision;
  if (outcome.verdict == auth::stage::Verdict::kAllow) {
    // The authorizer names the key (usageIdentifierKey), so it is checked once it has answered.
    if (call->route->api_key_required &&
        call->runtime->api_key_source == config::ApiKeySource::kAuthorizer &&
        !admit_api_key(*call, outcome.decision
                                  ? std::string_view(outcome.decision->usage_identifier_key)
                                  : std::string_view())) {
      return;
    }
    return integrate(std::move(call));
  }
  call->error_reason = outcome.reason ? auth::to_string(*outcome.reason) : "";
  finish(*call, refusal_response(*call, outcome.verdict));
}

bool Gateway::admit_api_key(Call& call, std::string_view key) {
  const Runtime& rt = *call.runtime;
  // Config refuses api_key_required without plans; a runtime without them admits nothing.
  const UsagePlans::Verdict verdict =
      rt.usage_plans ? rt.usage_plans->admit(key, clock_.monotonic(), clock_.now()).verdict
                     : UsagePlans::Verdict::kInvalidKey;
  switch (verdict) {
    case UsagePlans::Verdict::kAllowed:
      return true;
    case UsagePlans::Verdict::kInvalidKey:
      call.error_reason = "invalid_api_key";
      finish(call, error_response(call, ResponseType::kInvalidApiKey));
      return false;
    case UsagePlans::Verdict::kThrottled:
      call.error_reason = "api_key_throttled";
      finish(call, error_response(call, ResponseType::kThrottled));
      return false;
    case UsagePlans::Verdict::kQuotaExceeded:
      call.error_reason = "quota_exceeded";
      finish(call, error_response(call, ResponseType::kQuotaExceeded));
      return false;
  }
  return false;
}

http::Response Gateway::refusal_response(Call& call, auth::stage::Verdict verdict) {
  using auth::stage::Verdict;
  switch (verdict) {
    case Verdict::kAllow:
      break;
    case Verdict::kUnauthorized:
      return error_response(call, ResponseType::kUnauthorized);
    case Verdict::kAccessDenied:
      return error_response(call, ResponseType::kAccessDenied);
    case Verdict::kAccessDeniedExplicitly:
      return error_response(
          call, ResponseType::kAccessDenied,
          {.message = "User is not authorized to access this resource with an explicit deny",
           .status = std::nullopt});
    case Verdict::kAuthorizerFailure:
      return error_response(call, ResponseType::kAuthorizerFailure);
    case Verdict::kAuthorizerConfigurationError:
      return error_response(call, ResponseType::kAuthorizerConfigurationError);
  }
  return error_response(call, ResponseType::kAuthorizerFailure);  // not reached; fails closed
}

void Gateway::integrate_function(std::shared_ptr<Call> call) {
  // The facts the authorizer was shown, when one ran: the event carries the very values judged.
  facts(*call);
  functions::events::RequestFacts& request_facts = *call->facts;
  http::Request& req = call->exchange->request();
  std::string_view content_type = req.msg[bhttp::field::content_type];
  bool binary = !core::is_valid_utf8(request_facts.body);
  for (auto& t : call->runtime->binary_media_types)
    binary = binary || (!content_type.empty() && core::media_type_matches(content_type, t));
  request_facts.body_is_binary = binary && !request_facts.body.empty();
  functions::events::AuthorizerFacts auth_facts;
  const functions::events::AuthorizerFacts* auth_ptr = nullptr;
  if (call->decision) {
    const auth::Decision& d = *call->decision;
    auth_facts.principal_id = d.principal_id;
    if (d.policy) {
      auth_facts.integration_latency_ms = static_cast<int64_t>(d.integration_latency_ms);
      auth_facts.context = &d.context;
    } else {
      auth_facts.claims = &d.claims;
    }
    auth_ptr = &auth_facts;
  }
  std::string event = functions::events::proxy_event(request_facts, auth_ptr);
  auto started = clock_.monotonic();
  const RouteRuntime& route = *call->route;
  route.function->invoke({std::move(event), "", route.function_timeout},
                         [this, call, started](functions::InvokeResult r) {
                           guarded(*call,
                                   [&] { on_function_result(*call, started, std::move(r)); });
                         });
}

void Gateway::on_function_result(Call& call, core::MonoTime started, functions::InvokeResult r) {
  call.integration_us = micros_since(clock_, started);
  if (!r) {
    const functions::InvokeFailure& f = r.error();
    call.error_reason = functions::to_string(f.error);
    functions::log_invoke_failure(core::id_view(call.exchange->request().id),
                                  "function '" + call.route->function->name() + "'", f);
    switch (f.error) {
      case functions::InvokeError::kCallerTimeout:
        return finish(call, error_response(call, ResponseType::kIntegrationTimeout));
      case functions::InvokeError::kThrottled:
        return finish(call, error_response(call, ResponseType::kThrottled));
      default:
        // Function errors, its own timeout, crashes: Lambda reports a failed invocation
        // and API Gateway answers 502.
        return finish(call, error_response(call, ResponseType::kIntegrationFailure,
                                           {.message = "Internal server error", .status = 502}));
    }
  }
  auto parsed = functions::events::parse_proxy_response(*r);
  if (!parsed) {
    call.error_reason = functions::events::to_string(parsed.error());
    return finish(call, error_response(call, ResponseType::kIntegrationFailure,
                                       {.message = "Internal server error", .status = 502}));
  }
  http::Response res{static_cast<bhttp::status>(parsed->status), 11};
  for (auto& [name, value] : parsed->headers)
    res.insert(name, value);
  res.body() = std::move(parsed->body);
  finish(call, std::move(res));
}

void Gateway::serve_issuer(std::shared_ptr<Call> call) {
  http::Request& req = call->exchange->request();
  issuer::HttpRequest ir;
  ir.method = std::string(req.msg.method_string());
  ir.path = std::string(req.path);
  ir.content_type = std::string(req.msg[bhttp::field::content_type]);
  ir.authorization = std::string(req.msg[bhttp::field::authorization]);
  ir.body = std::move(req.msg.body());
  ir.peer_ip = req.peer_ip;
  call->issuer_request = true;
  auto started = clock_.monotonic();
  call->runtime->issuer->handle(std::move(ir), [this, call, started](issuer::HttpReply reply) {
    guarded(*call, [&] {
      call->integration_us = micros_since(clock_, started);
      http::Response res{static_cast<bhttp::status>(reply.status), 11};
      for (auto& [name, value] : reply.headers)
        res.set(name, value);
      res.body() = std::move(reply.body);
      finish(*call, std::move(res));
    });
  });
}

void Gateway::integrate_crud(std::shared_ptr<Call> call) {
  http::Request& req = call->exchange->request();
  const RouteRuntime& route = *call->route;
  CrudRequest cr;
  cr.method = req.msg.method_string();
  cr.path = req.path;
  cr.query = req.query;
  cr.content_type = req.msg[bhttp::field::content_type];
  cr.body = req.msg.body();
  if (route.crud.item_route && !call->match->params.empty()) {
    cr.key = call->match->params[call->match->params.size() - 1].value;
  }
  if (call->decision) cr.principal = call->decision->principal_id;
  auto started = clock_.monotonic();
  run_crud(route.crud, cr, clock_, [this, call, started](CrudOutcome o) {
    guarded(*call, [&] {
      call->integration_us = micros_since(clock_, started);
      call->error_reason = o.reason;
      if (o.gateway_error) {
        http::Response res = error_response(*call, *o.gateway_error, {o.message, o.status});
        if (!o.allow.empty()) res.set(bhttp::field::allow, o.allow);
        return finish(*call, std::move(res));
      }
      http::Response res{static_cast<bhttp::status>(o.status), 11};
      if (!o.location.empty()) res.set(bhttp::field::location, o.location);
      res.body() = std::move(o.body);
      finish(*call, std::move(res));
    });
  });
}

void Gateway::integrate_http_proxy(std::shared_ptr<Call> call) {
  http::Request& req = call->exchange->request();
  const Runtime& rt = *call->runtime;
  const ProxyRoute& route = call->route->proxy;
  if (has_encoded_separator(route, call->match->params)) {
    call->error_reason = "encoded_separator";
    return finish(*call, error_response(*call, ResponseType::kDefault4xx,
                                        {.message = "Bad Request", .status = 400}));
  }
  // The request's facts only for a context.* mapping: building them costs allocations.
  std::optional<ResponseContext> ctx;
  if (route.needs_context) ctx = response_context(*call, true);
  ProxyRequestInputs in{
      req,
      call->match->params,
      [&ctx](std::string_view name) { return ctx ? context_value(name, *ctx) : std::string(); },
      rt.stage_variables,
      {req.peer_ip, req.tls ? "https" : "http", rt.api_port}};
  auto upstream = upstream_request(route, in);
  if (!upstream) {
    // Never sent: the value would smuggle headers into the service's request.
    spdlog::error("request {}: http_proxy to {}: {}", core::id_view(req.id),
                  route.targets->upstreams().front()->origin(), upstream.error().message());
    call->error_reason = "mapped_value_invalid";
    return finish(*call, error_response(*call, ResponseType::kApiConfigurationError));
  }
  if (call->exchange->body_pending()) {
    // The body passes through as it arrives, framed as the listener reads it: with its length,
    // or chunked.
    upstream->body_reader = [ex = call->exchange](http::BodyReadDone done) {
      ex->read_body(std::move(done));
    };
    upstream->body_length = req.streamed_body_length;
  }
  auto started = clock_.monotonic();
  route.targets->open(
      call->exchange->executor(), std::move(*upstream), route.timeout,
      [this, call, started](core::Result<http::OriginStream, http::OriginError>&& result,
                            const proxy::Upstream& target) {
        call->upstream = target.origin();
        guarded(*call, [&] { on_proxy_result(*call, started, std::move(result)); });
      });
}

void Gateway::on_proxy_result(Call& call, core::MonoTime started,
                              core::Result<http::OriginStream, http::OriginError> result) {
  call.integration_us = micros_since(clock_, started);
  if (result) {
    std::shared_ptr<http::BodySource> rest = std::move(result->rest);
    std::optional<uint64_t> length = result->length;
    http::Response res = client_response(*result);
    return finish(call, std::move(res), std::move(rest), length, std::move(result->passed));
  }
  const http::OriginError& e = result.error();
  if (e.body_reader_failed) return body_read_failed(call, e.status);
  // The reason is ours (what failed, the origin), never the request's content.
  spdlog::warn("request {}: http_proxy to {}: {}", core::id_view(call.exchange->request().id),
               call.upstream, e.status.message());
  switch (e.status.code()) {
    case core::Code::kDeadlineExceeded:
      call.error_reason = "integration_timeout";
      return finish(call, error_response(call, ResponseType::kIntegrationTimeout));
    case core::Code::kResourceExhausted:
      call.error_reason = "upstream_busy";
      break;
    default:
      call.error_reason = "upstream_unavailable";
      break;
  }
  finish(call, error_response(call, ResponseType::kIntegrationFailure,
                              {.message = "Internal server error", .status = 502}));
}

void Gateway::integrate(std::shared_ptr<Call> call) {
  if (call->route->kind == RouteRuntime::Kind::kCrud) return integrate_crud(std::move(call));
  if (call->route->kind == RouteRuntime::Kind::kHttpProxy) {
    return integrate_http_proxy(std::move(call));
  }
  if (call->route->kind == RouteRuntime::Kind::kFunction) {
    return integrate_function(std::move(call));
  }
  auto started = clock_.monotonic();
  const MockIntegration& mock = call->route->mock;
  http::Response res{static_cast<bhttp::status>(mock.status), 11};
  for (auto& [k, v] : mock.headers)
    res.set(k, v);
  if (mock.has_variables) {
    res.body() =
        render_template(mock.body_template, response_context(*call, true), {}, std::nullopt);
  } else {
    res.body() = mock.body_template;
  }
  call->integration_us = micros_since(clock_, started);
  finish(*call, std::move(res));
}

// What a template of this call sees: the request, the authorizer's decision, and once a route
// matched, the facts its proxy event is built from. One place for mock bodies and gateway
// responses, so both render the same values.
ResponseContext Gateway::response_context(Call& call, bool with_facts) {
  http::Request& req = call.exchange->request();
  ResponseContext ctx{core::id_view(req.id), core::id_view(call.extended_id),
                      req.msg.method_string(), req.path, call.runtime->stage};
  if (call.decision) {
    ctx.principal_id = call.decision->principal_id;
    ctx.claims = &call.decision->claims;
    ctx.authorizer_context = &call.decision->context;
  }
  if (call.route && (with_facts || call.facts)) ctx.facts = &facts(call);
  return ctx;
}

http::Response Gateway::error_response(Call& call, ResponseType type, const ErrorDetail& detail) {
  // The default bodies read no variables: no facts are built for them.
  const GatewayResponses& responses = call.runtime->responses;
  return responses.render(type, response_context(call, responses.has_templates()), detail);
}

void Gateway::finish(Call& call, http::Response res, std::shared_ptr<http::BodySource> rest,
                     std::optional<uint64_t> length, http::WireFields passed) {
  http::Request& req = call.exchange->request();
  // CORS headers are the policy's alone, on every answer, gateway responses included.
  if (call.runtime->cors && !call.cors_preflight) call.runtime->cors->apply(req.msg, res, passed);
  // Names Beast has no code for (field::unknown), added only when absent from the response and
  // from the fields a service's answer passed: an insert, without the lookup by name and the
  // search for others of the name that set() makes.
  const uint32_t in_passed =
      passed.empty() ? 0 : passed.which_of({"x-amzn-RequestId", "x-amz-apigw-id", "Content-Type"});
  if (!(in_passed & 1) && res.find("x-amzn-RequestId") == res.end())
    res.insert(bhttp::field::unknown, "x-amzn-RequestId", core::id_view(req.id));
  if (!(in_passed & 2) && res.find("x-amz-apigw-id") == res.end())
    res.insert(bhttp::field::unknown, "x-amz-apigw-id", core::id_view(call.extended_id));
  if (!(in_passed & 4) && res.find(bhttp::field::content_type) == res.end() &&
      res.result() != bhttp::status::no_content) {
    res.set(bhttp::field::content_type, "application/json");
  }
  unsigned status = res.result_int();
  uint64_t total_us = micros_since_arrival(req);
  if (call.route) {
    RouteRuntime::MethodStats& stats = call.route->stats_for(req.msg.method_string());
    stats.counters.count(status);
    stats.latency.observe_us(total_us);
  } else if (call.issuer_request) {
    call.runtime->issuer_requests->count(status);
  } else {
    call.runtime->unmatched->count(status);
  }
  if (rest) {
    if (access_log_) rest = logged_at_end(call, status, std::move(rest));
    return call.exchange->respond_streaming(std::move(res), std::move(passed), std::move(rest),
                                            length);
  }
  if (access_log_) access_log_->write(access_record(call, status, total_us));
  if (length || !passed.empty()) {
    return call.exchange->respond_streaming(std::move(res), std::move(passed), nullptr, length);
  }
  call.exchange->respond(std::move(res));
}

uint64_t Gateway::micros_since_arrival(const http::Request& req) {
  // http::Server stamps arrivals on the OS clock its connection timers run on.
  return static_cast<uint64_t>(
      duration_cast<microseconds>(core::os_monotonic() - req.received_at).count());
}

std::shared_ptr<http::BodySource> Gateway::logged_at_end(Call& call, unsigned status,
                                                         std::shared_ptr<http::BodySource> rest) {
  // The line, with what it shows of the request copied: the exchange that holds the request
  // holds its connection too, and the connection holds this body (a cycle that a shutdown
  // cutting the body short would never break). Route and upstream are the runtime's.
  struct Line {
    std::shared_ptr<const Runtime> runtime;
    std::string request_id, method, path, principal, peer;
    core::MonoTime received_at;
    observability::AccessRecord record;
  };
  const http::Request& req = call.exchange->request();
  auto line = std::make_shared<Line>();
  line->runtime = call.runtime;
  line->request_id = core::id_view(req.id);
  line->method = req.msg.method_string();
  line->path = req.path;
  if (call.decision) line->principal = call.decision->principal_id;
  line->peer = req.peer_ip;
  line->received_at = req.received_at;
  line->record = access_record(call, status, 0);
  line->record.request_id = line->request_id;
  line->record.method = line->method;
  line->record.path = line->path;
  line->record.principal = line->principal;
  line->record.peer = line->peer;
  return std::make_shared<http::ObservedBody>(
      std::move(rest), [this, serving = serving_, line](const core::Status& how, uint64_t) {
        // A body still streaming when the I/O threads were stopped (a shutdown's grace over)
        // ends as they are torn down, after the gateway: nothing is logged then.
        if (!*serving) return;
        if (!how.ok()) {
          line->record.error =
              how.code() == core::Code::kCancelled ? "client_closed" : "upstream_cut_off";
        }
        line->record.total_us = static_cast<uint64_t>(
            duration_cast<microseconds>(core::os_monotonic() - line->received_at).count());
        line->record.unix_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
                .count();
        access_log_->write(line->record);
      });
}

observability::AccessRecord Gateway::access_record(Call& call, unsigned status, uint64_t total_us) {
  const http::Request& req = call.exchange->request();
  observability::AccessRecord r;
  r.request_id = core::id_view(req.id);
  r.method = req.msg.method_string();
  r.path = req.path;
  r.route = call.route            ? std::string_view(call.route->path_template)
            : call.issuer_request ? std::string_view("issuer")
                                  : std::string_view();
  r.status = status;
  r.principal = call.decision ? std::string_view(call.decision->principal_id) : std::string_view();
  r.cache = call.cache_status;
  r.upstream = call.upstream;
  r.error = call.error_reason;
  r.peer = req.peer_ip;
  r.authorizer_us = call.authorizer_us;
  r.integration_us = call.integration_us;
  r.total_us = total_us;
  r.unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
                  .count();
  return r;
}

http::Response Gateway::protocol_error(http::ProtocolError error, const http::Request& partial) {
  const std::shared_ptr<const Runtime> rt = runtimes_.current();
  auto id = core::id_view(partial.id);
  ResponseContext ctx{id, {}, partial.msg.method_string(), {}, rt->stage, {}, nullptr};
  ResponseType type = ResponseType::kDefault4xx;
  ErrorDetail detail;
  std::string_view reason;
  switch (error) {
    case http::ProtocolError::kBadRequest:
      detail = {"Bad Request", 400};
      reason = "bad_request";
      break;
    case http::ProtocolError::kRequestLineTooLong:
      detail = {"Request URI too long", 414};
      reason = "request_line_too_long";
      break;
    case http::ProtocolError::kHeadersTooLarge:
      detail = {"Request Header Fields Too Large", 431};
      reason = "headers_too_large";
      break;
    case http::ProtocolError::kBodyTooLarge:
      type = ResponseType::kRequestTooLarge;
      reason = "body_too_large";
      break;
    case http::ProtocolError::kUnsupportedTransferCoding:
      type = ResponseType::kDefault5xx;
      detail = {"Not Implemented", 501};
      reason = "unsupported_transfer_coding";
      break;
  }
  http::Response res = rt->responses.render(type, ctx, detail);
  rt->unmatched->count(res.result_int());
  if (access_log_) {
    observability::AccessRecord r;
    r.request_id = id;
    r.method = partial.msg.method_string();
    r.status = res.result_int();
    r.error = reason;
    r.peer = partial.peer_ip;
    r.unix_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
            .count();
    access_log_->write(r);
  }
  return res;
}

void Gateway::start() {
  runtimes_.start_all();
}

void Gateway::stop_functions(std::function<void()> done) {
  runtimes_.stop_functions(std::move(done));
}

core::Status Gateway::poll() {
  runtimes_.release_retired();
  const std::shared_ptr<const Runtime> rt = runtimes_.current();
  core::Status issuer_status;
  if (rt->issuer) {
    issuer_status = rt->issuer->poll();
    publish_issuer_keys(*rt);
  }
  for (auto& a : rt->authorizers) {
    a->stage->authorizer().poll();
    report_key_fetches(*a, clock_.monotonic());
  }
  // Read snapshots of threads that stopped reading would otherwise keep the WAL from restarting.
  if (rt->dynamodb) {
    rt->dynamodb->engine->release_idle_readers();
    // Items past their TTL go within about a minute (DynamoDB takes up to days); the sweep reads
    // the tables with TTL on, so it runs only every so often.
    if (++polls_ % kTtlSweepPolls == 0)
      rt->dynamodb->engine->expire_items(clock_.unix_seconds(), kTtlSweepItems);
  }
  return issuer_status;
}

void Gateway::close() {
  *serving_ = false;
  runtimes_.close();
}

Gateway::~Gateway() {
  *serving_ = false;
}

bool Gateway::ready() const {
  const std::shared_ptr<const Runtime> rt = runtimes_.current();
  for (auto& a : rt->authorizers) {
    if (!a->stage->authorizer().ready()) return false;
  }
  return true;
}

std::vector<std::string> Gateway::functions_failing_to_start() const {
  std::vector<std::string> out;
  for (const auto& f : runtimes_.current()->functions) {
    if (f->stats->failing_to_start.value() != 0) out.push_back(f->name);
  }
  return out;
}

}  // namespace gatehouse::gateway
