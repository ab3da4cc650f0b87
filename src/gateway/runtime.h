// The gateway's compiled, immutable view of one configuration: route table, authorizers with
// their caches, integrations and gateway responses. Built at start and again by each reload
// (build_runtime()); requests only read it.
//
// What outlives a reload is shared: a reload builds a new Runtime that holds the same store,
// tables, issuer, function pools and authorizers (decision caches and fetched keys with them) as
// the previous one wherever their definitions did not change, and the same counters for every
// route that is still there, so /metrics counts on across reloads.
#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "auth/authorizers/authorizer.h"
#include "auth/cache/decision_cache.h"
#include "auth/jwks/fetcher.h"
#include "auth/jwks/key_provider.h"
#include "auth/stage/stage.h"
#include "aws/credential_chain.h"
#include "core/defaults.h"
#include "core/stats.h"
#include "core/token_bucket.h"
#include "functions/pool/worker_pool.h"
#include "gateway/cors.h"
#include "gateway/crud.h"
#include "gateway/http_proxy.h"
#include "gateway/responses.h"
#include "gateway/usage_plans.h"
#include "http/tls_server.h"
#include "issuer/issuer.h"
#include "router/method_arn.h"
#include "router/router.h"
#include "store/sqlite/engine.h"
#include "store/table.h"

namespace gatehouse::config {
struct Config;
}

namespace gatehouse::gateway {

// Status codes counted per route; anything else lands in the last slot ("other").
inline constexpr std::array<unsigned, 14> kCountedStatuses = {200, 201, 204, 400, 401, 403, 404,
                                                              413, 415, 429, 500, 502, 503, 504};

struct StatusCounters {
  std::array<core::Counter, kCountedStatuses.size() + 1> by_status;
  void count(unsigned status) {
    size_t i = 0;
    while (i < kCountedStatuses.size() && kCountedStatuses[i] != status)
      ++i;
    by_status[i].inc();
  }
};

// What the key-fetch log last said of one authorizer (gateway/key_fetch_report.h).
struct KeyFetchReport {
  uint64_t failed_seen = 0;      // key_stats.fetch_failed when last looked at
  uint64_t ok_seen = 0;          // key_stats.fetch_ok when last looked at
  uint64_t unreported = 0;       // failures not yet in a log line
  uint64_t failures_in_run = 0;  // failures since the last success
  bool failing = false;          // the last fetch seen failed
  core::MonoTime last_line{};
};

struct AuthorizerRuntime {
  std::string name;
  // Key fetching state, owned here because the authorizer's key provider refers to it.
  std::unique_ptr<auth::jwks::Fetcher> fetcher;
  auth::jwks::KeyProviderStats key_stats;
  // Decisions, cache hits and misses; the stage counts, /metrics exports.
  auth::stage::StageStats stats;
  // The auth stage: identity, decision cache, the authorizer itself, policy and scopes.
  std::unique_ptr<auth::stage::Stage> stage;
  // `keys: {issuer: self}`: the provider the embedded issuer's keys are published to (owned by the
  // authorizer), and the key generation last published.
  auth::jwks::KeyProvider* issuer_keys = nullptr;
  uint64_t published_key_generation = 0;
  // URL key sources (jwks_url, discovery_url): the provider (owned by the authorizer) and its URL,
  // for the fetch-failure log; the report's state belongs to Gateway::poll()'s thread.
  auth::jwks::KeyProvider* url_keys = nullptr;
  std::string keys_url;
  KeyFetchReport key_fetch_report;
  // A digest of the key material read at build time (a jwks_file's or pem_file's text, the
  // hmac_secret): a reload keeps this authorizer, and its decision cache, only while it is the
  // same. Empty for URL and issuer keys, which refresh themselves.
  std::string key_digest;
};

struct MockIntegration {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body_template;
  bool has_variables = false;  // false: the body is sent as is
};

// A function's worker pool with its counters.
struct FunctionRuntime {
  std::string name;
  // Its definition, values resolved: a reload keeps the pool (and its warm workers) while equal.
  functions::pool::PoolOptions options;
  std::unique_ptr<functions::pool::PoolStats> stats;
  std::unique_ptr<functions::pool::WorkerPool> pool;
};

struct RouteRuntime {
  enum class Kind { kMock, kCrud, kFunction, kHttpProxy };
  std::string path_template;
  AuthorizerRuntime* authorizer = nullptr;  // nullptr: a public route (auth: none)
  std::vector<std::string> scopes;          // any-of; empty = none required
  Kind kind = Kind::kMock;
  MockIntegration mock;                    // kMock
  CrudRoute crud;                          // kCrud
  functions::Invoker* function = nullptr;  // kFunction
  ProxyRoute proxy;                        // kHttpProxy
  std::chrono::milliseconds function_timeout{core::defaults::kIntegrationTimeoutMs};
  std::string resource_id;        // requestContext.resourceId: stable per route
  bool api_key_required = false;  // a key of a usage plan (Runtime::usage_plans) is needed
  // What /metrics counts, per method the route declares ("ANY" for an ANY route), so two routes
  // on one path (GET and POST /notes) are two series each.
  struct MethodStats {
    std::string method;
    StatusCounters counters;
    core::Histogram latency;
  };
  // One per declared method, in config order; shared with the next runtime's same route and method.
  std::vector<std::shared_ptr<MethodStats>> stats;
  // Per declared method as `stats`: its token bucket (the route's throttle), new with each
  // runtime; empty when the route is not throttled.
  std::vector<std::unique_ptr<core::TokenBucket>> throttles;
  // Where the request's method is among the declared ones (the first for a method not declared:
  // an ANY route's one).
  size_t method_index(std::string_view method) const {
    for (size_t i = 0; i < stats.size(); ++i) {
      if (stats[i]->method == method) return i;
    }
    return 0;
  }
  MethodStats& stats_for(std::string_view method) const { return *stats[method_index(method)]; }
  // The bucket a request of `method` takes from, or nullptr when the route is not throttled.
  core::TokenBucket* throttle_for(std::string_view method) const {
    return throttles.empty() ? nullptr : throttles[method_index(method)].get();
  }
};

// A crud table (tables.<name>): a table of the store.
struct TableRuntime {
  std::string name;
  std::unique_ptr<store::Table> table;
  // A remote table's key, resolved when it was opened: the functions that use the table get it.
  std::optional<aws::ResolvedCredentials> remote_credentials;
};

// The embedded DynamoDB store: the crud tables and those of the DynamoDB API, in one file.
struct DynamoDbRuntime {
  std::unique_ptr<store::sqlite::SqliteStats> stats;  // declared first: outlives the engine
  std::unique_ptr<store::sqlite::Engine> engine;
};

struct Runtime {
  // The configuration this runtime was built from (its file, what a reload compares with).
  std::shared_ptr<const config::Config> config;
  std::string stage;
  // Declared first so they are destroyed last: routes point at them, and the tables at the store.
  // The store and the tables are opened once, at start: every runtime shares them.
  std::shared_ptr<DynamoDbRuntime> dynamodb;
  std::vector<std::shared_ptr<TableRuntime>> tables;
  std::shared_ptr<issuer::IssuerStats> issuer_stats;  // before the issuer, which counts in it
  std::shared_ptr<issuer::Issuer> issuer;             // null without an issuer: section
  // What the issuer was opened with, secrets resolved: a reload keeps it while equal.
  issuer::IssuerOptions issuer_options;
  // Before authorizers and routes, which invoke them.
  std::vector<std::shared_ptr<FunctionRuntime>> functions;
  // Event facts fixed per configuration.
  std::string account_id;
  std::string api_id;
  std::string default_domain;  // <api_id>.execute-api.<region>.amazonaws.com
  uint16_t api_port = 0;       // the API listener's: what X-Forwarded-Port tells upstreams
  std::vector<std::pair<std::string, std::string>> stage_variables;
  std::vector<std::string> binary_media_types;
  std::optional<CorsPolicy> cors;  // api.cors
  // api.tls read from its files (this runtime's: a reload reads them again); null for plain HTTP.
  // The API listener takes it for each connection it accepts.
  std::shared_ptr<const http::TlsServerContext> tls;
  // usage_plans: the API keys; null without plans. Where routes that need a key read it.
  std::unique_ptr<UsagePlans> usage_plans;
  config::ApiKeySource api_key_source = config::ApiKeySource::kHeader;
  std::optional<router::RouteTable> table;  // always set once built
  router::MethodArnPrefix arn_prefix{"", "", "", ""};
  std::vector<std::unique_ptr<RouteRuntime>> routes;  // by RouteSpec::route_index
  std::vector<std::shared_ptr<AuthorizerRuntime>> authorizers;
  // The services http_proxy routes send to, one per origin (routes share them).
  std::vector<std::shared_ptr<proxy::Upstream>> upstreams;
  GatewayResponses responses;
  // Requests that matched no route, and those of the embedded issuer's endpoints (atomic
  // counters, shared across reloads).
  std::shared_ptr<StatusCounters> unmatched = std::make_shared<StatusCounters>();
  std::shared_ptr<StatusCounters> issuer_requests = std::make_shared<StatusCounters>();

  // The function named `name`, or null.
  const FunctionRuntime* function(std::string_view name) const {
    for (const auto& f : functions) {
      if (f->name == name) return f.get();
    }
    return nullptr;
  }
};

}  // namespace gatehouse::gateway
