#include "gateway/build.h"

#include <algorithm>

#include "auth/authorizers/jwt_authorizer.h"
#include "auth/jwks/key_provider.h"
#include "auth/jwks/parse.h"
#include "auth/jwt/alg.h"
#include "auth/jwt/key.h"
#include "core/files.h"

namespace gatehouse::gateway {
namespace {

// Key fetches over the gateway's HTTP client.
class HttpFetcher final : public auth::jwks::Fetcher {
 public:
  explicit HttpFetcher(http::Client& client) : client_(client) {}
  void fetch(const std::string& url, auth::jwks::FetchOptions options, Done done) override {
    http::FetchOptions o;
    o.timeout_ms = static_cast<uint32_t>(options.timeout_ms);
    o.max_body_bytes = options.max_bytes;
    client_.get(url, o, [done = std::move(done)](core::Result<http::FetchResponse> r) {
      if (!r) return done(r.error());
      done(std::move(r->body));
    });
  }

 private:
  http::Client& client_;
};

std::string at(const config::SourcePos& pos, std::string_view path) {
  return pos.to_string() + ": " + std::string(path) + ": ";
}

core::Status config_error(const config::SourcePos& pos, std::string_view path,
                          const std::string& what) {
  return core::invalid_argument(at(pos, path) + what);
}

// The key provider an authorizer's `keys:` section describes. Static sources are read now, so a
// bad key file fails start-up with its name rather than the first request.
core::Result<std::unique_ptr<auth::jwks::KeyProvider>> make_keys(const config::Authorizer& a,
                                                                 const std::string& path,
                                                                 BuildDeps& deps,
                                                                 AuthorizerRuntime& rt) {
  using Source = config::JwtKeys::Source;
  const config::JwtKeys& k = a.jwt.keys;
  auto fail = [&](const std::string& what) { return config_error(a.pos, path + ".keys", what); };
  switch (k.source) {
    case Source::kJwksFile: {
      auto text = core::read_file(k.location, k.max_jwks_bytes);
      if (!text) return fail(text.error().message());
      auto set = auth::jwks::parse_jwks(*text, k.max_jwks_bytes, k.location);
      if (!set) return fail("jwks_file '" + k.location + "': " + set.error().message());
      return std::make_unique<auth::jwks::KeyProvider>(
          std::make_shared<const auth::jwks::KeySet>(std::move(*set)));
    }
    case Source::kPemFile: {
      auto text = core::read_file(k.location, auth::jwks::kMaxPemBytes);
      if (!text) return fail(text.error().message());
      auto set = auth::jwks::parse_pem(*text, k.location);
      if (!set) return fail("pem_file '" + k.location + "': " + set.error().message());
      return std::make_unique<auth::jwks::KeyProvider>(
          std::make_shared<const auth::jwks::KeySet>(std::move(*set)));
    }
    case Source::kHmacSecret: {
      auto secret = config::resolve_secret(k.hmac_secret);
      if (!secret) return fail("hmac_secret: " + secret.error().message());
      auto key = auth::jwt::Key::from_secret(*secret);
      if (!key) return fail("hmac_secret: " + key.error().message());
      std::vector<auth::jwt::Key> keys;
      keys.push_back(std::move(*key));
      return std::make_unique<auth::jwks::KeyProvider>(
          std::make_shared<const auth::jwks::KeySet>(std::move(keys), "hmac_secret"));
    }
    case Source::kJwksUrl:
    case Source::kDiscoveryUrl: {
      auth::jwks::KeyProviderOptions o;
      o.url = k.location;
      o.kind = k.source == Source::kJwksUrl ? auth::jwks::KeyProviderOptions::Kind::kJwks
                                            : auth::jwks::KeyProviderOptions::Kind::kDiscovery;
      o.expected_issuer = a.jwt.issuer;
      o.refresh_interval_s = k.refresh_interval_s;
      o.retry_interval_s = k.retry_interval_s;
      o.refetch_min_interval_s = k.refetch_min_interval_s;
      o.timeout_ms = k.fetch_timeout_ms;
      o.max_bytes = k.max_jwks_bytes;
      if (!rt.fetcher) rt.fetcher = std::make_unique<HttpFetcher>(deps.fetch_client);
      return std::make_unique<auth::jwks::KeyProvider>(std::move(o), *rt.fetcher, deps.clock,
                                                       rt.key_stats);
    }
  }
  return fail("unknown key source");
}

core::Result<std::unique_ptr<AuthorizerRuntime>> make_authorizer(const config::Authorizer& a,
                                                                 size_t index, BuildDeps& deps) {
  std::string path = "authorizers." + a.name;
  (void)index;
  auto rt = std::make_unique<AuthorizerRuntime>();
  rt->name = a.name;
  rt->source_is_query = a.identity_source.kind == config::IdentitySource::Kind::kQueryString;
  rt->source_name = a.identity_source.name;
  if (!rt->source_is_query) {
    std::transform(rt->source_name.begin(), rt->source_name.end(), rt->source_name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  }

  auth::JwtAuthorizerOptions opts;
  opts.verify.issuer = a.jwt.issuer;
  opts.verify.audiences = a.jwt.audiences;
  opts.verify.algorithms.clear();
  for (auto alg : a.jwt.algorithms) {
    auto parsed = auth::jwt::parse_alg(config::to_string(alg));
    if (!parsed) return config_error(a.pos, path + ".algorithms", "unsupported algorithm");
    opts.verify.algorithms.push_back(*parsed);
  }
  opts.verify.leeway_s = a.jwt.leeway_s;
  opts.verify.max_token_bytes = a.jwt.max_token_bytes;

  auto keys = make_keys(a, path, deps, *rt);
  if (!keys) return keys.error();
  rt->authorizer = std::make_unique<auth::JwtAuthorizer>(std::move(opts), std::move(*keys),
                                                         deps.clock, rt->key_stats);
  auth::cache::CacheOptions cache_options;
  cache_options.ttl_s = a.cache_ttl_s;
  cache_options.max_entries = a.cache_max_entries;
  cache_options.max_key_bytes = a.jwt.max_token_bytes + 64;
  rt->cache = std::make_unique<auth::cache::DecisionCache<auth::Decision>>(
      cache_options, deps.clock, &rt->cache_stats);
  return rt;
}

ResponseType response_type_of(config::GatewayResponseType t) {
  // Both enums follow API Gateway's names; map by name so a reordering cannot mismatch them.
  auto r = response_type_from_string(config::to_string(t));
  GH_CHECK(r.has_value());
  return *r;
}

}  // namespace

http::Limits http_limits(const config::Config& config) {
  const config::Limits& l = config.api.limits;
  http::Limits out;
  out.max_request_line_bytes = l.max_request_line_bytes;
  out.max_header_bytes = l.max_header_bytes;
  out.max_body_bytes = l.max_body_bytes;
  out.header_timeout_ms = l.header_timeout_ms;
  out.body_timeout_ms = l.body_timeout_ms;
  out.idle_timeout_ms = l.idle_timeout_ms;
  out.max_pipelined_requests = l.max_pipelined_requests;
  out.max_connections = l.max_connections;
  return out;
}

core::Result<std::shared_ptr<const Runtime>> build_runtime(const config::Config& config,
                                                           BuildDeps& deps) {
  auto rt = std::make_shared<Runtime>();
  rt->stage = config.api.stage;
  rt->arn_prefix = router::MethodArnPrefix(config.api.region, config.api.account_id,
                                           config.api.api_id, config.api.stage);

  for (size_t i = 0; i < config.authorizers.size(); ++i) {
    auto a = make_authorizer(config.authorizers[i], i, deps);
    if (!a) return a.error();
    rt->authorizers.push_back(std::move(*a));
  }
  auto find_authorizer = [&](const std::string& name) -> AuthorizerRuntime* {
    for (auto& a : rt->authorizers) {
      if (a->name == name) return a.get();
    }
    return nullptr;
  };

  std::vector<router::RouteSpec> specs;
  for (size_t i = 0; i < config.routes.size(); ++i) {
    const config::Route& r = config.routes[i];
    specs.push_back({r.path, r.methods, i});
    auto route = std::make_unique<RouteRuntime>();
    route->path_template = r.path;
    // config resolved `auth`: nullopt means a public route (auth: none).
    if (r.authorizer) {
      route->authorizer = find_authorizer(*r.authorizer);
      if (!route->authorizer) {
        return config_error(r.pos, "routes[" + std::to_string(i) + "].auth",
                            "unknown authorizer '" + *r.authorizer + "'");
      }
    }
    route->scopes = r.scopes;
    route->mock.status = static_cast<unsigned>(r.integration.mock.status);
    for (auto& h : r.integration.mock.headers)
      route->mock.headers.emplace_back(h.name, h.value);
    route->mock.body_template = r.integration.mock.body;
    route->mock.has_variables = r.integration.mock.body.find("$context.") != std::string::npos;
    rt->routes.push_back(std::move(route));
  }
  auto table = router::compile(specs);
  if (!table) {
    const auto& e = table.error();
    const config::Route& r = config.routes[e.route_index];
    std::string msg = e.message;
    if (e.other_route_index) {
      const config::Route& other = config.routes[*e.other_route_index];
      msg += " (conflicts with routes[" + std::to_string(*e.other_route_index) + "] at " +
             other.path_pos.to_string() + ")";
    }
    return config_error(r.path_pos, "routes[" + std::to_string(e.route_index) + "].path", msg);
  }
  rt->table.emplace(std::move(*table));

  std::map<ResponseType, ResponseOverride> overrides;
  for (auto& g : config.gateway_responses) {
    ResponseOverride o;
    if (g.status) o.status = static_cast<unsigned>(*g.status);
    for (auto& h : g.headers)
      o.headers.emplace_back(h.name, h.value);
    o.body_template = g.body;
    overrides[response_type_of(g.type)] = std::move(o);
  }
  rt->responses = GatewayResponses(std::move(overrides));
  return std::shared_ptr<const Runtime>(std::move(rt));
}

}  // namespace gatehouse::gateway
