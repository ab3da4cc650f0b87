#include "gateway/build_authorizers.h"

#include <boost/regex.hpp>

#include "auth/authorizers/function_authorizer.h"
#include "auth/authorizers/jwt_authorizer.h"
#include "auth/jwks/key_provider.h"
#include "auth/jwks/parse.h"
#include "auth/jwt/alg.h"
#include "auth/jwt/key.h"
#include "auth/stage/stage.h"
#include "aws/sigv4.h"
#include "core/files.h"
#include "functions/events/request_facts.h"

namespace gatehouse::gateway::detail {
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

// The key provider an authorizer's `keys:` section describes. Static sources are read now, so a
// bad key file fails start-up with its name rather than the first request.
core::Result<std::unique_ptr<auth::jwks::KeyProvider>> make_keys(const config::Authorizer& a,
                                                                 const std::string& path,
                                                                 BuildDeps& deps,
                                                                 const Runtime& runtime,
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
      rt.key_digest = aws::sha256_hex(*text);
      return std::make_unique<auth::jwks::KeyProvider>(
          std::make_shared<const auth::jwks::KeySet>(std::move(*set)));
    }
    case Source::kPemFile: {
      auto text = core::read_file(k.location, auth::jwks::kMaxPemBytes);
      if (!text) return fail(text.error().message());
      auto set = auth::jwks::parse_pem(*text, k.location);
      if (!set) return fail("pem_file '" + k.location + "': " + set.error().message());
      rt.key_digest = aws::sha256_hex(*text);
      return std::make_unique<auth::jwks::KeyProvider>(
          std::make_shared<const auth::jwks::KeySet>(std::move(*set)));
    }
    case Source::kHmacSecret: {
      auto secret = config::resolve_secret(k.hmac_secret);
      if (!secret) return fail("hmac_secret: " + secret.error().message());
      auto key = auth::jwt::Key::from_secret(*secret);
      if (!key) return fail("hmac_secret: " + key.error().message());
      rt.key_digest = aws::sha256_hex(*secret);
      std::vector<auth::jwt::Key> keys;
      keys.push_back(std::move(*key));
      return std::make_unique<auth::jwks::KeyProvider>(
          std::make_shared<const auth::jwks::KeySet>(std::move(keys), "hmac_secret"));
    }
    case Source::kIssuer: {
      if (deps.validate_only) {
        return std::make_unique<auth::jwks::KeyProvider>(std::make_shared<const auth::jwks::KeySet>(
            std::vector<auth::jwt::Key>{}, "issuer: self"));
      }
      // config guarantees an issuer: section when an authorizer says issuer: self.
      GH_CHECK(runtime.issuer != nullptr);
      auto provider =
          std::make_unique<auth::jwks::KeyProvider>(std::make_shared<const auth::jwks::KeySet>(
              runtime.issuer->verification_keys(), "issuer: self"));
      rt.issuer_keys = provider.get();
      rt.published_key_generation = runtime.issuer->key_generation();
      return provider;
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
      auto provider = std::make_unique<auth::jwks::KeyProvider>(std::move(o), *rt.fetcher,
                                                                deps.clock, rt.key_stats);
      rt.url_keys = provider.get();
      rt.keys_url = k.location;
      return provider;
    }
  }
  return fail("unknown key source");
}

// The stage's identity sources from config. Header sources the events never carry, or context
// paths they do not know, would refuse every request with 401: refused here instead.
core::Result<std::vector<auth::stage::IdentitySource>> identity_sources(const config::Authorizer& a,
                                                                        const std::string& path) {
  using Kind = auth::stage::IdentitySource::Kind;
  std::vector<config::IdentitySource> configured = a.identity_sources;
  if (a.type != config::AuthorizerType::kRequest) configured = {a.identity_source};
  std::vector<auth::stage::IdentitySource> out;
  for (const config::IdentitySource& src : configured) {
    auth::stage::IdentitySource r;
    r.name = src.name;
    switch (src.kind) {
      case config::IdentitySource::Kind::kHeader:
        r.kind = Kind::kHeader;
        if (!functions::events::is_passed_on(src.name)) {
          return config_error(a.pos, path + ".identity_source",
                              "the " + src.name +
                                  " header is not passed to authorizers (API Gateway drops it), "
                                  "so every request would be refused with 401; name another "
                                  "header");
        }
        break;
      case config::IdentitySource::Kind::kQueryString:
        r.kind = Kind::kQuery;
        break;
      case config::IdentitySource::Kind::kStageVariable:
        r.kind = Kind::kStageVariable;
        break;
      case config::IdentitySource::Kind::kContext:
        r.kind = Kind::kContext;  // config checked the name against core/context_vars.h
        break;
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

core::Result<std::unique_ptr<AuthorizerRuntime>> make_authorizer(const config::Authorizer& a,
                                                                 BuildDeps& deps,
                                                                 const Runtime& runtime) {
  std::string path = "authorizers." + a.name;
  auto rt = std::make_unique<AuthorizerRuntime>();
  rt->name = a.name;
  auth::stage::StageOptions so;
  so.name = a.name;
  auto sources = identity_sources(a, path);
  if (!sources) return sources.error();
  so.sources = std::move(*sources);

  std::unique_ptr<auth::Authorizer> authorizer;
  if (a.type != config::AuthorizerType::kJwt) {
    functions::Invoker* invoker = nullptr;
    if (const FunctionRuntime* f = runtime.function(a.function.function)) invoker = f->pool.get();
    if (!a.function.validation_regex.empty()) {
      try {
        so.validation_regex.emplace(a.function.validation_regex, boost::regex::ECMAScript);
      } catch (const std::exception& e) {
        return config_error(a.pos, path + ".validation_regex", e.what());
      }
    }
    so.request_event = a.type == config::AuthorizerType::kRequest;
    so.cache_by_method = a.function.cache_scope == config::CacheScope::kMethod;
    GH_CHECK(invoker != nullptr);  // config checked the name
    auth::FunctionAuthorizerOptions fo;
    fo.name = a.name;
    fo.request_type = so.request_event;
    authorizer = std::make_unique<auth::FunctionAuthorizer>(std::move(fo), *invoker, deps.clock);
  } else {
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

    auto keys = make_keys(a, path, deps, runtime, *rt);
    if (!keys) return keys.error();
    authorizer = std::make_unique<auth::JwtAuthorizer>(std::move(opts), std::move(*keys),
                                                       deps.clock, rt->key_stats);
  }
  auth::cache::CacheOptions cache_options;
  cache_options.ttl_s = a.cache_ttl_s;
  cache_options.max_entries = a.cache_max_entries;
  // Room for the token, or a request authorizer's several values, plus a method ARN.
  cache_options.max_key_bytes = a.jwt.max_token_bytes + 64 + router::kMaxMethodArnBytes;
  rt->stage = std::make_unique<auth::stage::Stage>(std::move(so), std::move(authorizer),
                                                   cache_options, deps.clock, rt->stats);
  return rt;
}

// The previous runtime's authorizer named like `a`, if this one may take its place with its
// decision cache and keys: the same definition, the same key material, and the same function
// pool or issuer behind it (a decision made by another function or under other keys is not
// this authorizer's to reuse).
std::shared_ptr<AuthorizerRuntime> kept_authorizer(const config::Authorizer& a,
                                                   const AuthorizerRuntime& built,
                                                   const Runtime& previous, const Runtime& rt) {
  const config::Authorizer* before = previous.config->find_authorizer(a.name);
  if (before == nullptr || !(*before == a)) return nullptr;
  // What the events tell an authorizer about the API (the method ARN's parts, the stage and its
  // variables) must be the same too: a cached decision was made on what it was told.
  const config::Api& was = previous.config->api;
  const config::Api& is = rt.config->api;
  if (was.stage != is.stage || was.region != is.region || was.account_id != is.account_id ||
      was.api_id != is.api_id || was.stage_variables != is.stage_variables)
    return nullptr;
  for (const auto& p : previous.authorizers) {
    if (p->name != a.name || p->key_digest != built.key_digest) continue;
    if (a.type != config::AuthorizerType::kJwt &&
        previous.function(a.function.function) != rt.function(a.function.function))
      return nullptr;
    if (a.type == config::AuthorizerType::kJwt &&
        a.jwt.keys.source == config::JwtKeys::Source::kIssuer && previous.issuer != rt.issuer)
      return nullptr;
    return p;
  }
  return nullptr;
}

}  // namespace gatehouse::gateway::detail
