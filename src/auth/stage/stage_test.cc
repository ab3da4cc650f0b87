#include "auth/stage/stage.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include <deque>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "auth/authorizers/function_authorizer.h"
#include "auth/authorizers/jwt_authorizer.h"
#include "auth/jwks/key_provider.h"
#include "auth/jwt/test_common.h"
#include "functions/invoker.h"

namespace gatehouse::auth::stage {
namespace {

namespace json = boost::json;
namespace events = functions::events;
namespace t = jwt::testing;
using Kind = IdentitySource::Kind;

constexpr char kArnPrefix[] = "arn:aws:execute-api:us-east-1:123456789012:abc123/Lab/";

// A function that answers when the test says so, as a worker pool would: never inside invoke().
class FakeInvoker final : public functions::Invoker {
 public:
  using Answer = std::function<functions::InvokeResult(const json::object& event)>;
  explicit FakeInvoker(Answer answer) : answer_(std::move(answer)) {}

  void invoke(functions::InvokeRequest request, functions::InvokeCallback done) override {
    events_.push_back(json::parse(request.payload).as_object());
    pending_.push_back({events_.back(), std::move(done)});
  }
  const std::string& name() const override { return name_; }

  // Answers every pending invocation; returns how many there were.
  size_t answer_all() {
    size_t n = 0;
    while (!pending_.empty()) {
      auto [event, done] = std::move(pending_.front());
      pending_.pop_front();
      done(answer_(event));
      ++n;
    }
    return n;
  }
  size_t invocations() const { return events_.size(); }
  const json::object& last_event() const { return events_.back(); }

 private:
  Answer answer_;
  std::string name_ = "fake";
  std::vector<json::object> events_;
  std::deque<std::pair<json::object, functions::InvokeCallback>> pending_;
};

std::string policy_output(std::string_view principal, std::string_view effect,
                          std::string_view resource) {
  return R"({"principalId":")" + std::string(principal) +
         R"(","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":")" +
         std::string(effect) + R"(","Resource":")" + std::string(resource) + R"("}]}})";
}

functions::InvokeResult unauthorized() {
  return functions::InvokeFailure{functions::InvokeError::kFunctionError, "Error", "Unauthorized"};
}

// The value a header has in an event's `headers` map, compared case-insensitively; "" if none.
std::string event_header(const json::object& event, std::string_view name) {
  const json::value& headers = event.at("headers");
  if (headers.is_null()) return {};
  for (const auto& m : headers.as_object()) {
    if (events::header_name_equals(m.key(), name)) return std::string(m.value().as_string());
  }
  return {};
}

std::string event_query(const json::object& event, std::string_view name) {
  const json::value& query = event.at("queryStringParameters");
  if (query.is_null()) return {};
  const json::value* v = query.as_object().if_contains(name);
  return v ? std::string(v->as_string()) : std::string();
}

// One request's facts, built from owned strings the fixture keeps alive.
using Headers = std::vector<std::pair<std::string, std::string>>;
struct Request {
  Request(Headers h = {}, std::string q = "", std::string m = "GET", std::string p = "/resource")
      : headers(std::move(h)), query(std::move(q)), method(std::move(m)), path(std::move(p)) {}
  Headers headers;
  std::string query;
  std::string method;
  std::string path;
};

class StageTest : public ::testing::Test {
 protected:
  // A function authorizer of `type` ("token" or "request") over `sources`.
  void make_function_stage(bool request_type, std::vector<IdentitySource> sources,
                           FakeInvoker::Answer answer, uint32_t ttl_s = 300, bool by_method = false,
                           std::optional<std::string> regex = {}) {
    invoker_ = std::make_unique<FakeInvoker>(std::move(answer));
    FunctionAuthorizerOptions fo;
    fo.name = "lambda";
    fo.request_type = request_type;
    StageOptions so;
    so.name = "lambda";
    so.sources = std::move(sources);
    so.request_event = request_type;
    so.cache_by_method = by_method;
    if (regex) so.validation_regex.emplace(*regex, boost::regex::ECMAScript);
    cache::CacheOptions co;
    co.ttl_s = ttl_s;
    stage_ = std::make_unique<Stage>(
        std::move(so), std::make_unique<FunctionAuthorizer>(std::move(fo), *invoker_, clock_), co,
        clock_, stats_);
  }

  void make_jwt_stage(uint32_t ttl_s = 300) {
    signer_.emplace(t::signing_key("rsa.key.pem", jwt::Alg::kRS256, "k1"));
    std::vector<jwt::Key> keys;
    keys.push_back(t::verification_key(*signer_));
    JwtAuthorizerOptions jo;
    jo.verify = t::default_options();
    auto provider = std::make_unique<jwks::KeyProvider>(
        std::make_shared<const jwks::KeySet>(std::move(keys), "test"));
    StageOptions so;
    so.name = "jwt";
    so.sources = {{Kind::kHeader, "Authorization"}};
    cache::CacheOptions co;
    co.ttl_s = ttl_s;
    stage_ = std::make_unique<Stage>(
        std::move(so),
        std::make_unique<JwtAuthorizer>(std::move(jo), std::move(provider), clock_, key_stats_), co,
        clock_, stats_);
  }

  // Runs the stage on `r` and returns the outcome once it is known (answering the function).
  Outcome run(const Request& r, std::vector<std::string> scopes = {}) {
    events::RequestFacts facts;
    facts.method = r.method;
    facts.raw_path = r.path;
    facts.raw_query = r.query;
    facts.resource = r.path;
    facts.stage = "Lab";
    facts.api_id = "abc123";
    facts.account_id = "123456789012";
    facts.request_id = "req-1";
    facts.source_ip = "127.0.0.1";
    for (const auto& [name, value] : r.headers)
      facts.headers.emplace_back(name, value);
    std::string arn = kArnPrefix + r.method + r.path;
    facts.method_arn = arn;
    std::optional<Outcome> out;
    stage_->run(facts, scopes, [&](const Outcome& o) { out = o; });
    if (!out && invoker_) invoker_->answer_all();
    EXPECT_TRUE(out.has_value()) << "the stage never answered";
    return out.value_or(Outcome{});
  }

  size_t invocations() const { return invoker_ ? invoker_->invocations() : 0; }

  core::ManualClock clock_{t::kNow};
  StageStats stats_;
  jwks::KeyProviderStats key_stats_;
  std::unique_ptr<FakeInvoker> invoker_;
  std::unique_ptr<Stage> stage_;
  std::optional<jwt::SigningKey> signer_;
};

const IdentitySource kAuthorization{Kind::kHeader, "Authorization"};

// A TOKEN authorizer allowing exactly "Bearer valid" on every method ARN.
FakeInvoker::Answer allow_only_valid_token() {
  return [](const json::object& event) -> functions::InvokeResult {
    if (event.at("authorizationToken").as_string() != "Bearer valid") return unauthorized();
    return policy_output("alice", "Allow", std::string(kArnPrefix) + "*");
  };
}

// ---------------------------------------------------------------------------------------------
// Identity: refused before the cache and the authorizer

// No identity: 401, the function never runs, nothing is cached.
TEST_F(StageTest, MissingIdentityIsUnauthorizedWithoutInvoking) {
  make_function_stage(false, {kAuthorization}, allow_only_valid_token());
  Outcome o = run({});
  EXPECT_EQ(o.verdict, Verdict::kUnauthorized);
  EXPECT_EQ(o.reason, AuthError::kTokenMissing);
  EXPECT_EQ(o.cache, CacheStatus::kNone);
  EXPECT_EQ(invocations(), 0u);
  EXPECT_EQ(stats_.unauthorized.value(), 1u);
}

// The cache-poisoning attempt of the report, in both orders: refused without invoking, and the
// poisoned value alone afterwards is judged by the function (401), never served from a cache.
TEST_F(StageTest, RepeatedIdentityHeaderCannotPoisonTheCache) {
  make_function_stage(true, {kAuthorization}, [](const json::object& event) {
    if (event_header(event, "authorization") != "Bearer valid") return unauthorized();
    return functions::InvokeResult(policy_output("alice", "Allow", std::string(kArnPrefix) + "*"));
  });
  for (const Headers& headers :
       {Headers{{"Authorization", "Bearer poison"}, {"Authorization", "Bearer valid"}},
        Headers{{"Authorization", "Bearer valid"}, {"authorization", "Bearer poison"}}}) {
    Outcome o = run(Request(headers));
    EXPECT_EQ(o.verdict, Verdict::kUnauthorized);
    EXPECT_EQ(o.reason, AuthError::kIdentityRepeated);
    EXPECT_EQ(o.cache, CacheStatus::kNone);
  }
  EXPECT_EQ(invocations(), 0u);
  EXPECT_EQ(stage_->cache_entries(), 0u);
  Outcome poison = run({{{"Authorization", "Bearer poison"}}});
  EXPECT_EQ(poison.verdict, Verdict::kUnauthorized);
  EXPECT_EQ(poison.reason, AuthError::kFunctionUnauthorized);
  EXPECT_EQ(invocations(), 1u);
  Outcome valid = run({{{"Authorization", "Bearer valid"}}});
  EXPECT_EQ(valid.verdict, Verdict::kAllow);
}

// The same for a query-string identity source, with a percent-encoded name as the repeat.
TEST_F(StageTest, RepeatedIdentityQueryParameterCannotPoisonTheCache) {
  make_function_stage(true, {{Kind::kQuery, "token"}}, [](const json::object& event) {
    if (event_query(event, "token") != "valid") return unauthorized();
    return functions::InvokeResult(policy_output("alice", "Allow", std::string(kArnPrefix) + "*"));
  });
  for (const char* q :
       {"token=poison&token=valid", "token=valid&token=poison", "token=poison&%74oken=valid"}) {
    Outcome o = run({{}, q});
    EXPECT_EQ(o.reason, AuthError::kIdentityRepeated) << q;
  }
  EXPECT_EQ(invocations(), 0u);
  EXPECT_EQ(run({{}, "token=poison"}).verdict, Verdict::kUnauthorized);
  EXPECT_EQ(run({{}, "token=valid"}).verdict, Verdict::kAllow);
  EXPECT_EQ(run({{}, "token=valid"}).cache, CacheStatus::kHit);
  EXPECT_EQ(invocations(), 2u);
}

// validation_regex: a token that does not match whole is 401 without invoking.
TEST_F(StageTest, ValidationRegexRefusesWithoutInvoking) {
  make_function_stage(false, {kAuthorization}, allow_only_valid_token(), 300, false,
                      "Bearer [a-z]+");
  Outcome o = run({{{"Authorization", "Bearer valid!"}}});
  EXPECT_EQ(o.reason, AuthError::kIdentityInvalid);
  EXPECT_EQ(invocations(), 0u);
  EXPECT_EQ(run({{{"Authorization", "Bearer valid"}}}).verdict, Verdict::kAllow);
}

// ---------------------------------------------------------------------------------------------
// What the authorizer is shown, and what is cached under it

// TOKEN: the event's authorizationToken is the identity; the decision is cached under it.
TEST_F(StageTest, TokenAuthorizerIsShownTheIdentityAndCachedUnderIt) {
  make_function_stage(false, {kAuthorization}, allow_only_valid_token());
  Outcome first = run({{{"authorization", "Bearer valid"}}});
  EXPECT_EQ(first.verdict, Verdict::kAllow);
  EXPECT_EQ(first.cache, CacheStatus::kMiss);
  EXPECT_EQ(invoker_->last_event().at("authorizationToken").as_string(), "Bearer valid");
  EXPECT_EQ(invoker_->last_event().at("methodArn").as_string(),
            std::string(kArnPrefix) + "GET/resource");
  Outcome second = run({{{"Authorization", "Bearer valid"}}});
  EXPECT_EQ(second.verdict, Verdict::kAllow);
  EXPECT_EQ(second.cache, CacheStatus::kHit);
  EXPECT_EQ(second.decision->principal_id, "alice");
  EXPECT_EQ(invocations(), 1u);
}

// REQUEST with several sources: the event carries each value; changing any one is a miss.
TEST_F(StageTest, RequestAuthorizerWithSeveralSources) {
  make_function_stage(true,
                      {kAuthorization, {Kind::kQuery, "tenant"}, {Kind::kContext, "httpMethod"}},
                      [](const json::object& event) {
                        if (event_header(event, "Authorization") != "Bearer valid")
                          return unauthorized();
                        std::string tenant = event_query(event, "tenant");
                        return functions::InvokeResult(
                            policy_output(tenant, "Allow", std::string(kArnPrefix) + "*"));
                      });
  Outcome acme = run({{{"Authorization", "Bearer valid"}}, "tenant=acme"});
  EXPECT_EQ(acme.verdict, Verdict::kAllow);
  EXPECT_EQ(acme.decision->principal_id, "acme");
  Outcome globex = run({{{"Authorization", "Bearer valid"}}, "tenant=globex"});
  EXPECT_EQ(globex.cache, CacheStatus::kMiss);
  EXPECT_EQ(globex.decision->principal_id, "globex");
  EXPECT_EQ(run({{{"Authorization", "Bearer valid"}}, "tenant=acme"}).cache, CacheStatus::kHit);
  // One source repeated, or one empty: refused before the cache.
  EXPECT_EQ(run({{{"Authorization", "Bearer valid"}}, "tenant=acme&%74enant=globex"}).reason,
            AuthError::kIdentityRepeated);
  EXPECT_EQ(run({{{"Authorization", "Bearer valid"}}, "tenant="}).reason, AuthError::kTokenMissing);
  EXPECT_EQ(invocations(), 2u);
}

// cache_scope: method keys entries by the method ARN too.
TEST_F(StageTest, CacheScopeMethodKeysByMethodArn) {
  make_function_stage(
      false, {kAuthorization},
      [](const json::object& event) {
        return functions::InvokeResult(
            policy_output("alice", "Allow", event.at("methodArn").as_string()));
      },
      300, true);
  EXPECT_EQ(run({{{"Authorization", "Bearer a"}}}).verdict, Verdict::kAllow);
  Outcome del = run({{{"Authorization", "Bearer a"}}, "", "DELETE", "/resource/7"});
  EXPECT_EQ(del.verdict, Verdict::kAllow);
  EXPECT_EQ(del.cache, CacheStatus::kMiss);
  EXPECT_EQ(run({{{"Authorization", "Bearer a"}}, "", "DELETE", "/resource/7"}).cache,
            CacheStatus::kHit);
  EXPECT_EQ(invocations(), 2u);
}

// Without cache_scope: method, the cached policy is evaluated again for each method ARN.
TEST_F(StageTest, CachedPolicyIsEvaluatedForEachMethodArn) {
  make_function_stage(false, {kAuthorization}, [](const json::object& event) {
    return functions::InvokeResult(
        policy_output("alice", "Allow", event.at("methodArn").as_string()));
  });
  EXPECT_EQ(run({{{"Authorization", "Bearer a"}}}).verdict, Verdict::kAllow);
  Outcome del = run({{{"Authorization", "Bearer a"}}, "", "DELETE", "/resource/7"});
  EXPECT_EQ(del.verdict, Verdict::kAccessDenied);
  EXPECT_EQ(del.reason, AuthError::kPolicyImplicitDeny);
  EXPECT_EQ(del.cache, CacheStatus::kHit);
  EXPECT_EQ(invocations(), 1u);
  EXPECT_EQ(stats_.forbidden.value(), 1u);
}

// A Deny is cached and evaluated again: explicit deny for every request with that token.
TEST_F(StageTest, DenyIsCachedAndEvaluatedAgain) {
  make_function_stage(false, {kAuthorization}, [](const json::object&) {
    return functions::InvokeResult(policy_output("mallory", "Deny", std::string(kArnPrefix) + "*"));
  });
  Outcome first = run({{{"Authorization", "Bearer m"}}});
  EXPECT_EQ(first.verdict, Verdict::kAccessDeniedExplicitly);
  EXPECT_EQ(first.reason, AuthError::kPolicyExplicitDeny);
  ASSERT_NE(first.decision, nullptr);
  Outcome second = run({{{"Authorization", "Bearer m"}}, "", "POST", "/resource"});
  EXPECT_EQ(second.verdict, Verdict::kAccessDeniedExplicitly);
  EXPECT_EQ(second.cache, CacheStatus::kHit);
  EXPECT_EQ(invocations(), 1u);
}

// The TTL runs on the injected clock: past it, the function is asked again.
TEST_F(StageTest, EntriesExpireAfterTheTtl) {
  make_function_stage(false, {kAuthorization}, allow_only_valid_token(), 60);
  run({{{"Authorization", "Bearer valid"}}});
  clock_.advance(std::chrono::seconds(59));
  EXPECT_EQ(run({{{"Authorization", "Bearer valid"}}}).cache, CacheStatus::kHit);
  clock_.advance(std::chrono::seconds(1));
  EXPECT_EQ(run({{{"Authorization", "Bearer valid"}}}).cache, CacheStatus::kMiss);
  EXPECT_EQ(invocations(), 2u);
}

// TTL 0: no caching, the function runs every time.
TEST_F(StageTest, TtlZeroCachesNothing) {
  make_function_stage(false, {kAuthorization}, allow_only_valid_token(), 0);
  EXPECT_EQ(run({{{"Authorization", "Bearer valid"}}}).cache, CacheStatus::kNone);
  EXPECT_EQ(run({{{"Authorization", "Bearer valid"}}}).cache, CacheStatus::kNone);
  EXPECT_EQ(invocations(), 2u);
}

// A REQUEST authorizer without identity sources (allowed only with its cache off) is shown the
// whole request every time; even with a cache configured nothing is stored under an empty key.
TEST_F(StageTest, RequestAuthorizerWithoutSourcesIsInvokedEveryTime) {
  for (uint32_t ttl : {0u, 300u}) {
    make_function_stage(
        true, {},
        [](const json::object& event) {
          if (event_header(event, "X-Tenant") != "acme") return unauthorized();
          return functions::InvokeResult(
              policy_output("t", "Allow", std::string(kArnPrefix) + "*"));
        },
        ttl);
    EXPECT_EQ(run(Request(Headers{{"X-Tenant", "acme"}})).verdict, Verdict::kAllow);
    Outcome other = run(Request(Headers{{"X-Tenant", "globex"}}));
    EXPECT_EQ(other.verdict, Verdict::kUnauthorized);
    EXPECT_EQ(other.cache, CacheStatus::kNone);
    EXPECT_EQ(invocations(), 2u);
    EXPECT_EQ(stage_->cache_entries(), 0u);
  }
}

// Unauthorized and every failure: never cached, each maps to its verdict.
TEST_F(StageTest, UnauthorizedAndFailuresAreNeverCached) {
  struct Case {
    functions::InvokeResult answer;
    Verdict verdict;
    AuthError reason;
  };
  std::vector<Case> cases = {
      {unauthorized(), Verdict::kUnauthorized, AuthError::kFunctionUnauthorized},
      {functions::InvokeFailure{functions::InvokeError::kFunctionError, "Error", "boom"},
       Verdict::kAuthorizerConfigurationError, AuthError::kFunctionError},
      {std::string(R"({"principalId":""})"), Verdict::kAuthorizerConfigurationError,
       AuthError::kFunctionOutputInvalid},
      {functions::InvokeFailure{functions::InvokeError::kTimeout, "", "timed out"},
       Verdict::kAuthorizerFailure, AuthError::kFunctionUnavailable},
      {functions::InvokeFailure{functions::InvokeError::kThrottled, "", "full"},
       Verdict::kAuthorizerFailure, AuthError::kFunctionUnavailable},
  };
  for (const Case& c : cases) {
    make_function_stage(false, {kAuthorization}, [&](const json::object&) { return c.answer; });
    for (int i = 0; i < 2; ++i) {
      Outcome o = run({{{"Authorization", "Bearer x"}}});
      EXPECT_EQ(o.verdict, c.verdict);
      EXPECT_EQ(o.reason, c.reason);
      EXPECT_EQ(o.cache, CacheStatus::kMiss);
    }
    EXPECT_EQ(invocations(), 2u) << "asked again: nothing was cached";
    EXPECT_EQ(stage_->cache_entries(), 0u);
  }
}

// ---------------------------------------------------------------------------------------------
// The JWT authorizer

// A valid token passes and is cached until its exp, even when the TTL is longer.
TEST_F(StageTest, JwtDecisionLivesUntilTheTokensExpiry) {
  make_jwt_stage(3600);
  auto claims = t::good_claims();
  claims["exp"] = t::kNow + 120;
  std::string token = "Bearer " + t::make_token(*signer_, claims);
  Outcome first = run({{{"Authorization", token}}});
  EXPECT_EQ(first.verdict, Verdict::kAllow);
  EXPECT_EQ(first.decision->principal_id, "user-1");
  EXPECT_EQ(run({{{"Authorization", token}}}).cache, CacheStatus::kHit);
  clock_.advance(std::chrono::seconds(120));
  Outcome expired = run({{{"Authorization", token}}});
  EXPECT_EQ(expired.cache, CacheStatus::kMiss);
  EXPECT_EQ(expired.reason, AuthError::kExpired);
}

// Two Authorization headers, one valid: refused; the JWT authorizer never judges either.
TEST_F(StageTest, JwtRefusesTwoAuthorizationHeaders) {
  make_jwt_stage();
  std::string token = "Bearer " + t::make_token(*signer_);
  Outcome o = run({{{"Authorization", token}, {"Authorization", "Bearer forged"}}});
  EXPECT_EQ(o.verdict, Verdict::kUnauthorized);
  EXPECT_EQ(o.reason, AuthError::kIdentityRepeated);
  EXPECT_EQ(run({{{"Authorization", token}}}).verdict, Verdict::kAllow);
}

// Scopes: any one of the route's is enough; none is 403, and the decision stays cached.
TEST_F(StageTest, JwtScopesAreAnyOf) {
  make_jwt_stage();
  std::string token = "Bearer " + t::make_token(*signer_);  // scope: "read write"
  Outcome admin = run({{{"Authorization", token}}}, {"admin"});
  EXPECT_EQ(admin.verdict, Verdict::kAccessDenied);
  EXPECT_EQ(admin.reason, AuthError::kInsufficientScope);
  Outcome read = run({{{"Authorization", token}}}, {"admin", "read"});
  EXPECT_EQ(read.verdict, Verdict::kAllow);
  EXPECT_EQ(read.cache, CacheStatus::kHit);
}

// A bad token is 401 and not cached.
TEST_F(StageTest, JwtBadTokenIsNotCached) {
  make_jwt_stage();
  Outcome o = run({{{"Authorization", "Bearer not.a.jwt"}}});
  EXPECT_EQ(o.verdict, Verdict::kUnauthorized);
  EXPECT_EQ(o.reason, AuthError::kTokenMalformed);
  EXPECT_EQ(stage_->cache_entries(), 0u);
}

// ---------------------------------------------------------------------------------------------
// The one mapping of AuthError to a verdict

TEST(VerdictFor, MapsEveryAuthError) {
  EXPECT_EQ(verdict_for(AuthError::kTokenMissing), Verdict::kUnauthorized);
  EXPECT_EQ(verdict_for(AuthError::kIdentityRepeated), Verdict::kUnauthorized);
  EXPECT_EQ(verdict_for(AuthError::kIdentityInvalid), Verdict::kUnauthorized);
  EXPECT_EQ(verdict_for(AuthError::kExpired), Verdict::kUnauthorized);
  EXPECT_EQ(verdict_for(AuthError::kBadSignature), Verdict::kUnauthorized);
  EXPECT_EQ(verdict_for(AuthError::kKidNotFound), Verdict::kUnauthorized);
  EXPECT_EQ(verdict_for(AuthError::kFunctionUnauthorized), Verdict::kUnauthorized);
  EXPECT_EQ(verdict_for(AuthError::kInsufficientScope), Verdict::kAccessDenied);
  EXPECT_EQ(verdict_for(AuthError::kPolicyImplicitDeny), Verdict::kAccessDenied);
  EXPECT_EQ(verdict_for(AuthError::kPolicyExplicitDeny), Verdict::kAccessDeniedExplicitly);
  EXPECT_EQ(verdict_for(AuthError::kKeysUnavailable), Verdict::kAuthorizerFailure);
  EXPECT_EQ(verdict_for(AuthError::kFunctionUnavailable), Verdict::kAuthorizerFailure);
  EXPECT_EQ(verdict_for(AuthError::kFunctionError), Verdict::kAuthorizerConfigurationError);
  EXPECT_EQ(verdict_for(AuthError::kFunctionOutputInvalid), Verdict::kAuthorizerConfigurationError);
}

// ---------------------------------------------------------------------------------------------
// Randomized: the value the authorizer was shown is always the value its entry is keyed by

// Over many generated requests (the identity header repeated or not, in random casings and
// orders, valid and poisoned values; then the same with a query source), a request is allowed only
// if it carries exactly one identity value and that value is the valid one; and after each
// invocation, a clean request carrying exactly the value the authorizer was shown is a cache hit,
// while one carrying any other value sent along is not.
TEST_F(StageTest, RandomizedShownValueIsAlwaysTheKey) {
  std::mt19937 rng(9);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  const std::vector<std::string> values = {"valid", "poison", "", "valid ", "VALID"};
  for (bool query_source : {false, true}) {
    std::string shown;
    IdentitySource source = query_source ? IdentitySource{Kind::kQuery, "token"}
                                         : IdentitySource{Kind::kHeader, "X-Token"};
    make_function_stage(true, {source}, [&](const json::object& event) {
      shown = query_source ? event_query(event, "token") : event_header(event, "X-Token");
      if (shown != "valid") return unauthorized();
      return functions::InvokeResult(
          policy_output("alice", "Allow", std::string(kArnPrefix) + "*"));
    });
    const std::vector<std::string> names =
        query_source ? std::vector<std::string>{"token", "%74oken", "tok%65n"}
                     : std::vector<std::string>{"X-Token", "x-token", "X-TOKEN"};
    for (int round = 0; round < 400; ++round) {
      Request r;
      std::vector<std::string> sent;
      size_t n = pick(4);
      for (size_t i = 0; i < n; ++i) {
        sent.push_back(values[pick(values.size())]);
        const std::string& name = names[pick(names.size())];
        if (query_source) {
          if (!r.query.empty()) r.query += '&';
          r.query += name + "=" + sent.back();
        } else {
          r.headers.emplace_back(name, sent.back());
        }
        if (pick(3) == 0) r.headers.emplace_back("Accept", "*/*");  // noise around it
      }
      size_t before = invocations();
      shown.clear();
      Outcome o = run(r);
      bool clean_valid = n == 1 && sent[0] == "valid";
      EXPECT_EQ(o.verdict == Verdict::kAllow, clean_valid) << "round " << round;
      if (n > 1) {
        EXPECT_EQ(o.reason, AuthError::kIdentityRepeated);
      }
      if (invocations() == before) continue;
      // The function ran: it was shown exactly the one value sent.
      ASSERT_EQ(n, 1u);
      EXPECT_EQ(shown, sent[0]);
      if (o.verdict != Verdict::kAllow) continue;
      // Its decision is keyed by what it was shown: a clean request with that value hits...
      Request probe;
      if (query_source) {
        probe.query = "token=" + shown;
      } else {
        probe.headers = {{"X-Token", shown}};
      }
      size_t probe_before = invocations();
      EXPECT_EQ(run(probe).cache, CacheStatus::kHit);
      EXPECT_EQ(invocations(), probe_before);
      // ...and a clean request with any other value is judged by the function itself.
      Request other = probe;
      if (query_source) {
        other.query = "token=poison";
      } else {
        other.headers = {{"X-Token", "poison"}};
      }
      EXPECT_EQ(run(other).verdict, Verdict::kUnauthorized);
    }
  }
}

}  // namespace
}  // namespace gatehouse::auth::stage
