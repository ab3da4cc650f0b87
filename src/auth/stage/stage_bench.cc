// CPU per request of the auth stage's cache-off JWT path (bench/run.sh case c without HTTP), and
// of its parts: the RS256 verification alone, the token's decoding, the identity.
//   ninja -C build gh_auth_stage_bench && GH_TESTDATA=testdata
//   build/src/auth/stage/gh_auth_stage_bench
// Timing lives here and in bench/, never in unit tests.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/authorizers/jwt_authorizer.h"
#include "auth/jwks/key_provider.h"
#include "auth/jwt/decode.h"
#include "auth/jwt/test_common.h"
#include "auth/stage/stage.h"
#include "core/base64.h"

namespace gatehouse::auth::stage {
namespace {

namespace t = jwt::testing;

// The benchmark token's shape: what examples/mock/mint-token.sh and bench/run.sh sign.
boost::json::object bench_claims() {
  return boost::json::object{{"iss", t::kIssuer},     {"sub", "demo-client@clients"},
                             {"aud", t::kAudience},   {"iat", t::kNow - 10},
                             {"exp", t::kNow + 3600}, {"scope", "read:users write:users"}};
}

struct Fixture {
  Fixture() {
    signer.emplace(t::signing_key("rsa.key.pem", jwt::Alg::kRS256, "k1"));
    token = t::make_token(*signer, bench_claims(), {{"typ", "JWT"}});
    header = "Bearer " + token;
    std::vector<jwt::Key> keys;
    keys.push_back(t::verification_key(*signer));
    key_set = std::make_shared<const jwks::KeySet>(std::move(keys), "bench");
  }
  std::unique_ptr<Stage> make_stage(uint32_t ttl_s) {
    JwtAuthorizerOptions jo;
    jo.verify = t::default_options();
    StageOptions so;
    so.name = "jwt";
    so.sources = {{IdentitySource::Kind::kHeader, "Authorization"}};
    cache::CacheOptions co;
    co.ttl_s = ttl_s;
    return std::make_unique<Stage>(
        std::move(so),
        std::make_unique<JwtAuthorizer>(std::move(jo), std::make_unique<jwks::KeyProvider>(key_set),
                                        clock, key_stats),
        co, clock, stats);
  }
  functions::events::RequestFacts facts() const {
    functions::events::RequestFacts f;
    f.method = "GET";
    f.raw_path = "/resource";
    f.headers = {{"Host", "127.0.0.1:8080"}, {"User-Agent", "wrk"}, {"Authorization", header}};
    f.method_arn = "arn:aws:execute-api:us-east-1:123456789012:abc123/Lab/GET/resource";
    return f;
  }

  core::ManualClock clock{t::kNow};
  std::optional<jwt::SigningKey> signer;
  std::string token, header;
  std::shared_ptr<const jwks::KeySet> key_set;
  jwks::KeyProviderStats key_stats;
  StageStats stats;
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

// The whole stage on one request, with the given cache TTL: identity, cache lookup,
// verification on a miss, decision, scopes.
void run_stage(benchmark::State& state, uint32_t ttl_s) {
  Fixture& f = fixture();
  auto stage = f.make_stage(ttl_s);
  auto facts = f.facts();
  bool allowed = false;
  for (auto _ : state) {
    stage->run(facts, {}, [&](const Outcome& o) { allowed = o.verdict == Verdict::kAllow; });
    benchmark::DoNotOptimize(allowed);
  }
  if (!allowed) state.SkipWithError("not allowed");
}

// Cache off: every request verifies RS256 (bench/run.sh case c without HTTP).
void BM_StageJwtCacheOff(benchmark::State& state) {
  run_stage(state, 0);
}
BENCHMARK(BM_StageJwtCacheOff);

// Warm cache (case b without HTTP).
void BM_StageJwtCacheHit(benchmark::State& state) {
  run_stage(state, 300);
}
BENCHMARK(BM_StageJwtCacheHit);

// jwt::verify alone: decode, RS256 signature, claims.
void BM_JwtVerify(benchmark::State& state) {
  Fixture& f = fixture();
  auto opts = t::default_options();
  for (auto _ : state) {
    auto r = jwt::verify(f.token, f.key_set->keys(), opts, t::kNow);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_JwtVerify);

// JwtAuthorizer::decide: the bearer token, verify, and the Decision.
void BM_JwtDecide(benchmark::State& state) {
  Fixture& f = fixture();
  auto opts = t::default_options();
  for (auto _ : state) {
    auto r = JwtAuthorizer::decide(f.header, f.key_set.get(), opts, t::kNow);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_JwtDecide);

// The floor of an RS256 verification through EVP: SHA-256 of the signing input, then
// EVP_PKEY_verify on a context prepared once and reused (no per-token setup at all).
void BM_Rs256Floor(benchmark::State& state) {
  Fixture& f = fixture();
  EVP_PKEY* pkey = f.key_set->keys()[0].pkey();
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr);
  EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_PKEY_verify_init(ctx);
  EVP_PKEY_CTX_set_signature_md(ctx, sha256);
  std::string_view token = f.token;
  std::string_view input = token.substr(0, token.rfind('.'));
  auto sig = core::base64url_decode(token.substr(token.rfind('.') + 1));
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  unsigned char digest[32];
  unsigned int len = 0;
  int ok = 0;
  for (auto _ : state) {
    EVP_DigestInit_ex2(md, sha256, nullptr);
    EVP_DigestUpdate(md, input.data(), input.size());
    EVP_DigestFinal_ex(md, digest, &len);
    ok = EVP_PKEY_verify(ctx, reinterpret_cast<const unsigned char*>(sig->data()), sig->size(),
                         digest, len);
    benchmark::DoNotOptimize(ok);
  }
  if (ok != 1) state.SkipWithError("verify failed");
  EVP_MD_CTX_free(md);
  EVP_MD_free(sha256);
  EVP_PKEY_CTX_free(ctx);
}
BENCHMARK(BM_Rs256Floor);

// The token's decoding alone (base64url, header JSON), no signature.
void BM_JwtDecode(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) {
    auto r = jwt::decode(f.token, jwt::kDefaultMaxTokenBytes);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_JwtDecode);

// The identity read from the request's facts.
void BM_ReadIdentity(benchmark::State& state) {
  Fixture& f = fixture();
  auto facts = f.facts();
  std::vector<IdentitySource> sources = {{IdentitySource::Kind::kHeader, "Authorization"}};
  for (auto _ : state) {
    auto r = read_identity(sources, facts);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ReadIdentity);

}  // namespace
}  // namespace gatehouse::auth::stage

BENCHMARK_MAIN();
