#include "issuer/issuer.h"

#include <gtest/gtest.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <algorithm>
#include <mutex>

#include <boost/json/serialize.hpp>

#include <fstream>
#include <future>
#include <thread>

#include "auth/jwt/decode.h"
#include "auth/jwt/verify.h"
#include "core/base64.h"
#include "core/files.h"
#include "issuer/certificate.h"
#include "issuer/jwk.h"
#include "issuer/test_util.h"

namespace gatehouse::issuer {
namespace {

using auth::jwt::Alg;
using testing::call;
using testing::header;
using testing::json_of;
using testing::TempDir;

constexpr char kIssuerUrl[] = "https://blog.example/";
constexpr char kApi[] = "https://api.example";
constexpr char kForm[] = "application/x-www-form-urlencoded";
constexpr char kPeer[] = "198.51.100.7";

struct X509Deleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

ClientOptions client(std::string id, std::string secret, std::vector<std::string> audiences,
                     std::vector<std::string> scopes) {
  ClientOptions c;
  c.id = std::move(id);
  c.secret = std::move(secret);
  c.audiences = std::move(audiences);
  c.scopes = std::move(scopes);
  c.token_lifetime_s = 3600;
  return c;
}

HttpRequest post(std::string body, std::string content_type = kForm, std::string authorization = "",
                 std::string peer = kPeer) {
  HttpRequest request;
  request.method = "POST";
  request.path = "/oauth/token";
  request.content_type = std::move(content_type);
  request.authorization = std::move(authorization);
  request.body = std::move(body);
  request.peer_ip = std::move(peer);
  return request;
}

HttpRequest get(std::string path, std::string method = "GET") {
  HttpRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  request.peer_ip = kPeer;
  return request;
}

// The svc client's form body, plus `extra`.
std::string svc_form(std::string extra = "") {
  return "grant_type=client_credentials&client_id=svc&client_secret=svc-secret-0123" + extra;
}

class IssuerTest : public ::testing::Test {
 protected:
  IssuerOptions options(Alg alg = Alg::kRS256) {
    IssuerOptions o;
    o.issuer_url = kIssuerUrl;
    o.public_url = "http://127.0.0.1:8080/";
    o.key_dir = tmp_ / "keys";
    o.algorithm = alg;
    o.rotation_grace_s = 3600;
    o.clients = {
        client("svc", "svc-secret-0123", {kApi}, {"read:posts", "write:posts"}),
        client("multi", "multi-secret", {"https://a.example", "https://b.example"}, {}),
        client("weird:id", "p@ss w+rd%", {kApi}, {"read:posts"}),
    };
    ClientOptions disabled = client("disabled", "disabled-secret", {kApi}, {});
    disabled.grant_types.clear();
    o.clients.push_back(std::move(disabled));
    o.rate_limit.max_failures_per_client = 3;
    o.rate_limit.max_failures_per_peer = 5;
    o.rate_limit.window_s = 60;
    return o;
  }

  std::unique_ptr<Issuer> open(IssuerOptions o) {
    auto issuer = Issuer::open(std::move(o), clock_, stats_);
    EXPECT_TRUE(issuer.has_value()) << issuer.error().to_string();
    return issuer ? std::move(*issuer) : nullptr;
  }
  Issuer& issuer() {
    if (!issuer_) issuer_ = open(options());
    return *issuer_;
  }

  // Verifies a token the way the JWT authorizer would, with the issuer's verification keys.
  core::Result<auth::jwt::VerifiedToken, auth::AuthError> verify(
      Issuer& from, const std::string& token, const std::string& audience = kApi) {
    auth::jwt::VerifyOptions opts;
    opts.issuer = kIssuerUrl;
    opts.audiences = {audience};
    auto keys = from.verification_keys();
    return auth::jwt::verify(token, keys, opts, clock_.unix_seconds());
  }

  std::string token_of(const HttpReply& reply) {
    EXPECT_EQ(reply.status, 200u) << reply.body;
    auto body = json_of(reply.body);
    return body.is_object() && body.as_object().contains("access_token")
               ? std::string(body.at("access_token").as_string())
               : std::string();
  }

  std::string active_kid(Issuer& from) {
    auto jwks = json_of(call(from, get("/.well-known/jwks.json")).body);
    return std::string(jwks.at("keys").at(0).at("kid").as_string());
  }

  void expect_error(const HttpReply& reply, unsigned status, std::string_view error,
                    std::string_view description) {
    EXPECT_EQ(reply.status, status) << reply.body;
    EXPECT_EQ(reply.body, boost::json::serialize(boost::json::object{
                              {"error", error}, {"error_description", description}}));
    EXPECT_EQ(header(reply, "Content-Type"), "application/json");
    EXPECT_EQ(header(reply, "Cache-Control"), "no-store");
    EXPECT_EQ(header(reply, "Pragma"), "no-cache");
  }

  TempDir tmp_;
  core::ManualClock clock_;
  IssuerStats stats_;
  std::unique_ptr<Issuer> issuer_;
};

// --- the token endpoint: success -------------------------------------------------------------

// A form request gets a Bearer token with every claim, verifiable with verification_keys().
TEST_F(IssuerTest, IssuesTokenWithEveryClaim) {
  HttpReply reply = call(issuer(), post(svc_form("&audience=https%3A%2F%2Fapi.example")));
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_EQ(header(reply, "Content-Type"), "application/json");
  EXPECT_EQ(header(reply, "Cache-Control"), "no-store");
  EXPECT_EQ(header(reply, "Pragma"), "no-cache");
  auto body = json_of(reply.body).as_object();
  EXPECT_EQ(body.size(), 4u);
  EXPECT_EQ(body.at("token_type"), "Bearer");
  EXPECT_EQ(body.at("expires_in"), 3600);
  EXPECT_EQ(body.at("scope"), "read:posts write:posts");  // none requested: all of the client's

  const std::string token(body.at("access_token").as_string());
  auto verified = verify(issuer(), token);
  ASSERT_TRUE(verified.has_value()) << auth::to_string(verified.error());
  const auto& claims = verified->claims;
  const int64_t now = clock_.unix_seconds();
  EXPECT_EQ(claims.at("iss"), kIssuerUrl);
  EXPECT_EQ(claims.at("sub"), "svc@clients");
  EXPECT_EQ(claims.at("aud"), kApi);
  EXPECT_EQ(claims.at("iat"), now);
  EXPECT_EQ(claims.at("exp"), now + 3600);
  EXPECT_EQ(claims.at("scope"), "read:posts write:posts");
  EXPECT_EQ(claims.at("azp"), "svc");
  EXPECT_EQ(claims.at("gty"), "client-credentials");
  auto jti = core::base64url_decode(claims.at("jti").as_string());
  ASSERT_TRUE(jti.has_value());
  EXPECT_EQ(jti->size(), 16u);
  EXPECT_EQ(claims.size(), 9u);
  EXPECT_EQ(verified->scopes, (std::vector<std::string>{"read:posts", "write:posts"}));

  auto decoded = auth::jwt::decode(token);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->header.alg, Alg::kRS256);
  EXPECT_EQ(decoded->header.typ, "JWT");
  EXPECT_EQ(decoded->header.kid, active_kid(issuer()));
  EXPECT_EQ(stats_.tokens_issued.value(), 1u);

  // Each token gets its own jti.
  auto second = verify(issuer(), token_of(call(issuer(), post(svc_form()))));
  ASSERT_TRUE(second.has_value());
  EXPECT_NE(second->claims.at("jti"), claims.at("jti"));
}

// JSON bodies work the same; a requested subset of scopes is what the token carries.
TEST_F(IssuerTest, JsonBodyWithScopeSubset) {
  HttpReply reply =
      call(issuer(), post(R"({"grant_type":"client_credentials","client_id":"svc",)"
                          R"("client_secret":"svc-secret-0123","scope":"write:posts"})",
                          "application/json; charset=utf-8"));
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_EQ(json_of(reply.body).at("scope"), "write:posts");
  auto verified = verify(issuer(), token_of(reply));
  ASSERT_TRUE(verified.has_value());
  EXPECT_EQ(verified->claims.at("scope"), "write:posts");
}

// A client without scopes gets a token without `scope`, and the response has none either.
TEST_F(IssuerTest, NoScopeWhenClientHasNone) {
  HttpReply reply = call(issuer(), post("grant_type=client_credentials&client_id=multi"
                                        "&client_secret=multi-secret&audience=https://b.example"));
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_FALSE(json_of(reply.body).as_object().contains("scope"));
  auto verified = verify(issuer(), token_of(reply), "https://b.example");
  ASSERT_TRUE(verified.has_value());
  EXPECT_FALSE(verified->claims.contains("scope"));
  EXPECT_EQ(verified->claims.at("aud"), "https://b.example");
}

// HTTP Basic with a url-encoded id and secret (RFC 6749 §2.3.1).
TEST_F(IssuerTest, BasicAuthWithUrlEncodedCredentials) {
  HttpReply reply =
      call(issuer(), post("grant_type=client_credentials", kForm,
                          "Basic " + core::base64_encode("weird%3Aid:p%40ss+w%2Brd%25")));
  auto verified = verify(issuer(), token_of(reply));
  ASSERT_TRUE(verified.has_value());
  EXPECT_EQ(verified->claims.at("sub"), "weird:id@clients");
  EXPECT_EQ(verified->claims.at("azp"), "weird:id");
}

// --- the token endpoint: errors --------------------------------------------------------------

// A wrong secret and an unknown client get the same answer; no WWW-Authenticate without Basic.
TEST_F(IssuerTest, InvalidClient) {
  const std::string description = "client authentication failed: unknown client or wrong secret";
  HttpReply wrong = call(issuer(), post("grant_type=client_credentials&client_id=svc"
                                        "&client_secret=wrong"));
  expect_error(wrong, 401, "invalid_client", description);
  EXPECT_FALSE(header(wrong, "WWW-Authenticate").has_value());
  HttpReply unknown = call(issuer(), post("grant_type=client_credentials&client_id=nobody"
                                          "&client_secret=svc-secret-0123"));
  expect_error(unknown, 401, "invalid_client", description);
  EXPECT_FALSE(header(unknown, "WWW-Authenticate").has_value());
  EXPECT_EQ(stats_.auth_failures.value(), 2u);
  EXPECT_EQ(stats_.tokens_issued.value(), 0u);
}

// With Basic, the 401 names the scheme (RFC 6749 §5.2).
TEST_F(IssuerTest, InvalidClientWithBasicAsksForBasic) {
  HttpReply reply = call(issuer(), post("grant_type=client_credentials", kForm,
                                        "Basic " + core::base64_encode("svc:wrong")));
  expect_error(reply, 401, "invalid_client",
               "client authentication failed: unknown client or wrong secret");
  EXPECT_EQ(header(reply, "WWW-Authenticate"), "Basic realm=\"gatehouse\"");
  HttpReply bearer = call(issuer(), post(svc_form(), kForm, "Bearer abc"));
  EXPECT_EQ(bearer.status, 401u);
  EXPECT_EQ(header(bearer, "WWW-Authenticate"), "Basic realm=\"gatehouse\"");
}

TEST_F(IssuerTest, InvalidRequests) {
  expect_error(call(issuer(), post(svc_form(), "text/plain")), 400, "invalid_request",
               "unsupported Content-Type 'text/plain'; send application/x-www-form-urlencoded or "
               "application/json");
  expect_error(call(issuer(), post(svc_form("&scope=a&scope=b"))), 400, "invalid_request",
               "parameter 'scope' is repeated; send it once");
  expect_error(call(issuer(), post(R"({"grant_type":"client_credentials","client_id":7})",
                                   "application/json")),
               400, "invalid_request", "parameter 'client_id' must be a JSON string");
  expect_error(call(issuer(), post("client_id=svc&client_secret=x")), 400, "invalid_request",
               "missing grant_type");
  expect_error(call(issuer(),
                    post(svc_form(), kForm, "Basic " + core::base64_encode("svc:svc-secret-0123"))),
               400, "invalid_request",
               "the client authenticated twice: use HTTP Basic or client_secret in the body, not "
               "both");
  expect_error(call(issuer(), post("grant_type=client_credentials")), 401, "invalid_client",
               "client authentication required: send client_id and client_secret in the body or "
               "an HTTP Basic Authorization header");
  EXPECT_EQ(stats_.rejected.value(), 5u);
  EXPECT_EQ(stats_.auth_failures.value(), 1u);
}

TEST_F(IssuerTest, BodyTooLarge) {
  IssuerOptions o = options();
  o.max_body_bytes = 100;
  auto small = open(std::move(o));
  std::string body = svc_form("&pad=") + std::string(100, 'x');
  expect_error(call(*small, post(body)), 400, "invalid_request",
               "request body is " + std::to_string(body.size()) + " bytes; the limit is 100");
}

TEST_F(IssuerTest, UnsupportedGrantType) {
  expect_error(call(issuer(), post("grant_type=password&client_id=svc&client_secret=x")), 400,
               "unsupported_grant_type",
               "grant_type must be client_credentials; no other grant is supported");
}

TEST_F(IssuerTest, UnauthorizedClient) {
  expect_error(call(issuer(), post("grant_type=client_credentials&client_id=disabled"
                                   "&client_secret=disabled-secret")),
               400, "unauthorized_client",
               "client 'disabled' may not use the client_credentials grant");
}

TEST_F(IssuerTest, ScopeNotAllowed) {
  expect_error(call(issuer(), post(svc_form("&scope=read:posts+admin"))), 400, "invalid_scope",
               "scope 'admin' is not allowed for client 'svc'");
}

// No audience: the client's only one, or an error naming the problem when it has several.
TEST_F(IssuerTest, AudienceDefaultAndRequired) {
  auto verified = verify(issuer(), token_of(call(issuer(), post(svc_form()))));
  ASSERT_TRUE(verified.has_value());
  EXPECT_EQ(verified->claims.at("aud"), kApi);
  expect_error(call(issuer(), post("grant_type=client_credentials&client_id=multi"
                                   "&client_secret=multi-secret")),
               400, "invalid_request",
               "audience is required: client 'multi' may call several APIs; name one");
}

TEST_F(IssuerTest, AudienceDenied) {
  expect_error(call(issuer(), post(svc_form("&audience=https://a.example"))), 403, "access_denied",
               "client 'svc' is not allowed to access audience 'https://a.example'");
  EXPECT_EQ(stats_.rejected.value(), 1u);
}

// --- rate limiting ---------------------------------------------------------------------------

// After 3 failures for one client id (from any peers) even its right secret gets 429 until the
// window ends; other clients are unaffected.
TEST_F(IssuerTest, RateLimitsFailuresPerClientFromOnePeer) {
  for (int i = 0; i < 3; ++i) {
    HttpReply reply = call(issuer(), post("grant_type=client_credentials&client_id=svc"
                                          "&client_secret=guess",
                                          kForm, "", "203.0.113.7"));
    EXPECT_EQ(reply.status, 401u);
  }
  HttpReply limited = call(issuer(), post(svc_form(), kForm, "", "203.0.113.7"));
  expect_error(limited, 429, "too_many_requests",
               "too many failed client authentications; retry in 60 s");
  EXPECT_EQ(header(limited, "Retry-After"), "60");
  EXPECT_EQ(stats_.rate_limited.value(), 1u);
  // The client itself is not locked out: its own peer still gets tokens.
  EXPECT_EQ(call(issuer(), post(svc_form())).status, 200u);
  EXPECT_EQ(call(issuer(), post("grant_type=client_credentials&client_id=multi"
                                "&client_secret=multi-secret&audience=https://a.example",
                                kForm, "", "203.0.113.7"))
                .status,
            200u);

  clock_.advance(std::chrono::seconds(45));
  EXPECT_EQ(header(call(issuer(), post(svc_form(), kForm, "", "203.0.113.7")), "Retry-After"),
            "15");
  clock_.advance(std::chrono::seconds(15));
  EXPECT_EQ(call(issuer(), post(svc_form(), kForm, "", "203.0.113.7")).status, 200u);
}

// A flood of wrong secrets fills the hashing queue: a client that got a token from its address
// before is not refused with 503 (a flooder's newest job gives its place up) and is heard before
// the flooders' waiting jobs.
TEST_F(IssuerTest, AKnownClientIsHeardFirstDuringAFlood) {
  IssuerOptions o = options();
  o.max_pending = 3;
  o.rate_limit.max_failures_per_client = 1000;
  o.rate_limit.max_failures_per_peer = 1000;
  issuer_ = open(std::move(o));
  ASSERT_EQ(call(issuer(), post(svc_form(), kForm, "", "198.51.100.1")).status, 200u);
  const std::string wrong = "grant_type=client_credentials&client_id=svc&client_secret=nope";
  for (int i = 0; i < 4; ++i)  // every flooding peer has failed once already
    ASSERT_EQ(call(issuer(), post(wrong, kForm, "", "203.0.113." + std::to_string(i))).status,
              401u);
  std::mutex mu;
  std::vector<std::string> order;
  std::vector<std::promise<void>> answered(9);
  auto submit = [&](std::string body, std::string peer, std::string name, size_t slot) {
    issuer().handle(post(std::move(body), kForm, "", std::move(peer)),
                    [&, name, slot](HttpReply r) {
                      {
                        std::lock_guard lock(mu);
                        order.push_back(name + ":" + std::to_string(r.status));
                      }
                      answered[slot].set_value();
                    });
  };
  for (size_t i = 0; i < 8; ++i)
    submit(wrong, "203.0.113." + std::to_string(i % 4), "flood", i);
  submit(svc_form(), "198.51.100.1", "svc", 8);
  for (auto& a : answered)
    a.get_future().wait();
  auto at = std::find(order.begin(), order.end(), "svc:200");
  ASSERT_NE(at, order.end()) << "the known client was refused";
  size_t hashed_after = static_cast<size_t>(std::count(at, order.end(), "flood:401"));
  EXPECT_GE(hashed_after, 2u) << "it waited for the flood";
}

// After 5 failures from one address, that address is refused for every client id.
TEST_F(IssuerTest, RateLimitsFailuresPerPeer) {
  for (int i = 0; i < 5; ++i) {
    HttpReply reply = call(issuer(), post("grant_type=client_credentials&client_id=guess-" +
                                          std::to_string(i) + "&client_secret=x"));
    EXPECT_EQ(reply.status, 401u);
  }
  HttpReply limited = call(issuer(), post(svc_form()));
  EXPECT_EQ(limited.status, 429u);
  EXPECT_EQ(header(limited, "Retry-After"), "60");
  EXPECT_EQ(call(issuer(), post(svc_form(), kForm, "", "198.51.100.8")).status, 200u);
  clock_.advance(std::chrono::seconds(60));
  EXPECT_EQ(call(issuer(), post(svc_form())).status, 200u);
}

// --- methods and paths -----------------------------------------------------------------------

TEST_F(IssuerTest, WrongMethodsGet405) {
  HttpReply token = call(issuer(), get("/oauth/token"));
  EXPECT_EQ(token.status, 405u);
  EXPECT_EQ(header(token, "Allow"), "POST");
  EXPECT_EQ(json_of(token.body).at("error_description"),
            "method GET is not allowed on /oauth/token; use POST");
  for (const char* path : {"/.well-known/jwks.json", "/.well-known/openid-configuration", "/pem"}) {
    for (const char* method : {"POST", "PUT", "DELETE", "HEAD"}) {
      HttpReply reply = call(issuer(), get(path, method));
      EXPECT_EQ(reply.status, 405u) << method << " " << path;
      EXPECT_EQ(header(reply, "Allow"), "GET");
    }
  }
  EXPECT_EQ(stats_.rejected.value(), 13u);
}

TEST_F(IssuerTest, ServesExactlyItsPaths) {
  for (const char* path :
       {"/oauth/token", "/.well-known/jwks.json", "/.well-known/openid-configuration", "/pem"}) {
    EXPECT_TRUE(issuer().serves(path)) << path;
  }
  for (const char* path : {"/", "/oauth/token/", "/oauth", "/pem.crt", "/.well-known/jwks"}) {
    EXPECT_FALSE(issuer().serves(path)) << path;
  }
  HttpReply other = call(issuer(), get("/other"));
  EXPECT_EQ(other.status, 404u);
  EXPECT_EQ(other.body, R"({"error":"not_found","error_description":"no such issuer endpoint"})");
}

// GETs are answered before handle() returns.
TEST_F(IssuerTest, DocumentsAreAnsweredInline) {
  bool answered = false;
  issuer().handle(get("/pem"), [&answered](HttpReply) { answered = true; });
  EXPECT_TRUE(answered);
}

// --- documents -------------------------------------------------------------------------------

// The JWKS carries the public key, its certificate (x5c, standard base64) and the certificate's
// SHA-1 thumbprint (x5t, base64url), nothing private; the kid is the RFC 7638 thumbprint.
TEST_F(IssuerTest, JwksDocument) {
  HttpReply reply = call(issuer(), get("/.well-known/jwks.json"));
  ASSERT_EQ(reply.status, 200u);
  EXPECT_EQ(header(reply, "Content-Type"), "application/json");
  EXPECT_EQ(header(reply, "Cache-Control"), "public, max-age=60");
  auto keys = json_of(reply.body).at("keys").as_array();
  ASSERT_EQ(keys.size(), 1u);
  const auto& jwk = keys[0].as_object();
  EXPECT_EQ(jwk.size(), 8u) << boost::json::serialize(jwk);
  EXPECT_EQ(jwk.at("kty"), "RSA");
  EXPECT_EQ(jwk.at("use"), "sig");
  EXPECT_EQ(jwk.at("alg"), "RS256");
  EXPECT_EQ(jwk.at("e"), "AQAB");
  EXPECT_EQ(core::base64url_decode(jwk.at("n").as_string())->size(), 256u);
  EXPECT_EQ(jwk.at("kid"), jwk_thumbprint(jwk)->c_str());

  auto der = core::base64_decode(jwk.at("x5c").at(0).as_string());
  ASSERT_TRUE(der.has_value());
  EXPECT_EQ(jwk.at("x5t"), certificate_sha1_thumbprint(*der).c_str());
  const auto* p = reinterpret_cast<const unsigned char*>(der->data());
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der->size())));
  ASSERT_NE(cert, nullptr);
  auto keys_now = issuer().verification_keys();
  ASSERT_EQ(keys_now.size(), 1u);
  EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(cert.get()), keys_now[0].pkey()), 1);
  EXPECT_EQ(keys_now[0].kid(), jwk.at("kid").as_string().c_str());
  EXPECT_EQ(keys_now[0].alg(), Alg::kRS256);
}

// /pem is the active key's certificate, CN = the issuer's host, as Auth0 serves it.
TEST_F(IssuerTest, PemEndpoint) {
  HttpReply reply = call(issuer(), get("/pem"));
  ASSERT_EQ(reply.status, 200u);
  EXPECT_EQ(header(reply, "Content-Type"), "application/x-pem-file");
  BIO* bio = BIO_new_mem_buf(reply.body.data(), static_cast<int>(reply.body.size()));
  X509Ptr cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  ASSERT_NE(cert, nullptr) << reply.body;
  char cn[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn);
  EXPECT_STREQ(cn, "blog.example");
  EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(cert.get()), issuer().verification_keys()[0].pkey()), 1);
  EXPECT_EQ(X509_verify(cert.get(), X509_get0_pubkey(cert.get())), 1);
}

TEST_F(IssuerTest, DiscoveryDocument) {
  HttpReply reply = call(issuer(), get("/.well-known/openid-configuration"));
  ASSERT_EQ(reply.status, 200u);
  EXPECT_EQ(header(reply, "Content-Type"), "application/json");
  EXPECT_EQ(header(reply, "Cache-Control"), "public, max-age=60");
  EXPECT_EQ(json_of(reply.body), json_of(R"({
        "issuer": "https://blog.example/",
        "jwks_uri": "http://127.0.0.1:8080/.well-known/jwks.json",
        "token_endpoint": "http://127.0.0.1:8080/oauth/token",
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "response_types_supported": ["token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["read:posts", "write:posts"],
        "claims_supported": ["iss", "sub", "aud", "iat", "exp", "scope", "jti", "azp", "gty"]
      })"));
}

// --- keys ------------------------------------------------------------------------------------

// The key is persisted: a second open (a restart) serves the same kid and certificate.
TEST_F(IssuerTest, KeyPersistsAcrossOpen) {
  auto first = open(options());
  const std::string kid = active_kid(*first);
  const std::string pem = call(*first, get("/pem")).body;
  const std::string token = token_of(call(*first, post(svc_form())));
  first->close();
  first.reset();
  auto second = open(options());
  EXPECT_EQ(active_kid(*second), kid);
  EXPECT_EQ(call(*second, get("/pem")).body, pem);
  EXPECT_TRUE(verify(*second, token).has_value());
}

// A key file others may read is refused at open, with the file and the fix in the message.
TEST_F(IssuerTest, RefusesLooseKeyPermissions) {
  const std::string kid = active_kid(issuer());
  issuer_.reset();
  const std::string key_file = tmp_ / "keys/" + kid + ".key.pem";
  ASSERT_EQ(::chmod(key_file.c_str(), 0644), 0);
  auto refused = Issuer::open(options(), clock_, stats_);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), core::Code::kPermissionDenied);
  EXPECT_EQ(refused.error().message(), "key file '" + key_file +
                                           "' is accessible by group or others (mode 0644); run "
                                           "`chmod 600 " +
                                           key_file + "`");
}

// A rotation by another process (rotate_keys) reaches a serving issuer through poll(): the new
// key signs, the old one stays in the JWKS and verification_keys() for the grace, then goes.
TEST_F(IssuerTest, RotationWithGraceAcrossInstances) {
  auto serving = open(options());
  auto other = open(options());  // a second process on the same directory
  const std::string old_kid = active_kid(*serving);
  EXPECT_EQ(active_kid(*other), old_kid);
  const std::string old_token = token_of(call(*serving, post(svc_form())));
  const uint64_t generation = serving->key_generation();
  EXPECT_TRUE(serving->poll().ok());  // nothing changed
  EXPECT_EQ(serving->key_generation(), generation);

  clock_.advance(std::chrono::seconds(100));
  auto new_kid = rotate_keys(options(), clock_);
  ASSERT_TRUE(new_kid.has_value()) << new_kid.error().to_string();
  EXPECT_NE(*new_kid, old_kid);
  EXPECT_EQ(active_kid(*serving), old_kid);  // not before poll()

  for (Issuer* issuer : {serving.get(), other.get()}) {
    ASSERT_TRUE(issuer->poll().ok());
    EXPECT_GT(issuer->key_generation(), generation);
    auto jwks = json_of(call(*issuer, get("/.well-known/jwks.json")).body).at("keys").as_array();
    ASSERT_EQ(jwks.size(), 2u);
    EXPECT_EQ(jwks[0].at("kid"), new_kid->c_str());
    EXPECT_EQ(jwks[1].at("kid"), old_kid.c_str());
    EXPECT_EQ(issuer->verification_keys().size(), 2u);
  }
  EXPECT_EQ(stats_.key_reloads.value(), 2u);
  const std::string new_token = token_of(call(*serving, post(svc_form())));
  EXPECT_EQ(auth::jwt::decode(new_token)->header.kid, *new_kid);
  EXPECT_TRUE(verify(*serving, new_token).has_value());
  EXPECT_TRUE(verify(*serving, old_token).has_value());

  // The grace (3600 s) ends: the old key leaves without any poll(), and the generation moves.
  const uint64_t before_expiry = serving->key_generation();
  clock_.advance(std::chrono::seconds(3599));
  EXPECT_EQ(serving->key_generation(), before_expiry);
  EXPECT_EQ(serving->verification_keys().size(), 2u);
  clock_.advance(std::chrono::seconds(1));
  EXPECT_EQ(serving->key_generation(), before_expiry + 1);
  auto keys = serving->verification_keys();
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].kid(), *new_kid);
  auto jwks = json_of(call(*serving, get("/.well-known/jwks.json")).body).at("keys").as_array();
  ASSERT_EQ(jwks.size(), 1u);
  EXPECT_EQ(jwks[0].at("kid"), new_kid->c_str());
  auth::jwt::VerifyOptions opts;
  opts.issuer = kIssuerUrl;
  opts.audiences = {kApi};
  auto old = auth::jwt::verify(old_token, keys, opts, clock_.unix_seconds() - 3700);
  ASSERT_FALSE(old.has_value());
  EXPECT_EQ(old.error(), auth::AuthError::kKidNotFound);
}

// A manifest that breaks is reported by poll() once; the issuer keeps its keys.
TEST_F(IssuerTest, PollReportsBrokenManifestOnce) {
  const std::string kid = active_kid(issuer());
  std::ofstream(tmp_ / "keys/keys.json", std::ios::trunc) << "{broken";
  core::Status first = issuer().poll();
  EXPECT_EQ(first.code(), core::Code::kInvalidArgument);
  EXPECT_TRUE(issuer().poll().ok());
  EXPECT_EQ(active_kid(issuer()), kid);
  EXPECT_EQ(call(issuer(), post(svc_form())).status, 200u);
}

// ES256 and EdDSA keys work end to end: token, JWKS members, certificate.
TEST_F(IssuerTest, Es256AndEdDsaEndToEnd) {
  const std::tuple<Alg, const char*, const char*, std::vector<std::string>> cases[] = {
      {Alg::kES256, "EC", "P-256", {"x", "y"}}, {Alg::kEdDSA, "OKP", "Ed25519", {"x"}}};
  for (const auto& [alg, kty, crv, coordinates] : cases) {
    TempDir dir;
    IssuerOptions o = options(alg);
    o.key_dir = dir / "keys";
    auto issuer = open(std::move(o));
    ASSERT_NE(issuer, nullptr);
    const std::string token = token_of(call(*issuer, post(svc_form())));
    EXPECT_EQ(auth::jwt::decode(token)->header.alg, alg);
    EXPECT_TRUE(verify(*issuer, token).has_value()) << crv;
    auto jwk = json_of(call(*issuer, get("/.well-known/jwks.json")).body).at("keys").at(0);
    EXPECT_EQ(jwk.at("kty"), kty);
    EXPECT_EQ(jwk.at("crv"), crv);
    EXPECT_EQ(jwk.at("alg"), std::string(auth::jwt::to_string(alg)).c_str());
    for (const auto& c : coordinates)
      EXPECT_EQ(core::base64url_decode(jwk.at(c).as_string())->size(), 32u) << crv << " " << c;
    EXPECT_EQ(jwk.at("kid"), jwk_thumbprint(jwk.as_object())->c_str());
    auto der = core::base64_decode(jwk.at("x5c").at(0).as_string());
    ASSERT_TRUE(der.has_value());
    EXPECT_TRUE(certificate_matches_key(*der, issuer->verification_keys()[0].pkey())) << crv;
    auto discovery = json_of(call(*issuer, get("/.well-known/openid-configuration")).body);
    EXPECT_EQ(discovery.at("id_token_signing_alg_values_supported").at(0),
              std::string(auth::jwt::to_string(alg)).c_str());
  }
}

// Reopening with another algorithm switches to a key for it; tokens of the old one still verify.
TEST_F(IssuerTest, AlgorithmChangeKeepsOldKeyForGrace) {
  auto rsa = open(options(Alg::kRS256));
  const std::string old_token = token_of(call(*rsa, post(svc_form())));
  rsa.reset();
  auto ec = open(options(Alg::kES256));
  EXPECT_EQ(ec->verification_keys().size(), 2u);
  EXPECT_TRUE(verify(*ec, old_token).has_value());
  EXPECT_EQ(auth::jwt::decode(token_of(call(*ec, post(svc_form()))))->header.alg, Alg::kES256);
}

// --- mint ------------------------------------------------------------------------------------

TEST_F(IssuerTest, MintSignsWithoutSecret) {
  auto token = issuer().mint("svc", "", "read:posts");
  ASSERT_TRUE(token.has_value()) << token.error().to_string();
  auto verified = verify(issuer(), *token);
  ASSERT_TRUE(verified.has_value());
  EXPECT_EQ(verified->claims.at("scope"), "read:posts");
  EXPECT_EQ(verified->claims.at("sub"), "svc@clients");
  EXPECT_EQ(stats_.tokens_issued.value(), 1u);

  EXPECT_EQ(issuer().mint("nobody", "", "").error().code(), core::Code::kNotFound);
  EXPECT_EQ(issuer().mint("svc", "https://a.example", "").error().code(),
            core::Code::kPermissionDenied);
  EXPECT_EQ(issuer().mint("svc", "", "admin").error().code(), core::Code::kPermissionDenied);
  EXPECT_EQ(issuer().mint("disabled", "", "").error().code(), core::Code::kPermissionDenied);
  auto ambiguous = issuer().mint("multi", "", "");
  EXPECT_EQ(ambiguous.error().code(), core::Code::kInvalidArgument);
  EXPECT_EQ(ambiguous.error().message(),
            "audience is required: client 'multi' may call several APIs; name one");
}

// --- the worker ------------------------------------------------------------------------------

// With the worker busy and the queue full, the next token request is refused at once with 503.
TEST_F(IssuerTest, FullQueueGets503) {
  IssuerOptions o = options();
  o.max_pending = 1;
  auto issuer = open(std::move(o));
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<HttpReply> first;
  // The first request's callback holds the worker until released.
  issuer->handle(post(svc_form()), [&, released](HttpReply r) {
    first.set_value(std::move(r));
    entered.set_value();
    released.wait();
  });
  entered.get_future().wait();
  std::promise<HttpReply> second;
  issuer->handle(post(svc_form()), [&](HttpReply r) { second.set_value(std::move(r)); });
  HttpReply third = call(*issuer, post(svc_form()));
  expect_error(third, 503, "temporarily_unavailable",
               "too many pending token requests; retry shortly");
  EXPECT_EQ(header(third, "Retry-After"), "1");
  release.set_value();
  EXPECT_EQ(first.get_future().get().status, 200u);
  EXPECT_EQ(second.get_future().get().status, 200u);
  issuer->close();  // the callbacks above refer to this test's locals
}

// close() finishes queued requests; later ones get 503; documents are still served.
TEST_F(IssuerTest, CloseDrainsThenRefuses) {
  std::promise<HttpReply> queued;
  issuer().handle(post(svc_form()), [&](HttpReply r) { queued.set_value(std::move(r)); });
  issuer().close();
  EXPECT_EQ(queued.get_future().get().status, 200u);
  expect_error(call(issuer(), post(svc_form())), 503, "temporarily_unavailable",
               "the token issuer is shutting down");
  issuer().close();  // idempotent
  EXPECT_EQ(call(issuer(), get("/pem")).status, 200u);
}

// Token requests are answered on the worker thread, not the caller's.
TEST_F(IssuerTest, TokenRequestsRunOnWorker) {
  std::promise<std::thread::id> where;
  issuer().handle(post(svc_form()),
                  [&](HttpReply) { where.set_value(std::this_thread::get_id()); });
  EXPECT_NE(where.get_future().get(), std::this_thread::get_id());
}

// --- options ---------------------------------------------------------------------------------

TEST_F(IssuerTest, RejectsBadOptions) {
  struct Case {
    const char* name;
    std::function<void(IssuerOptions&)> change;
    const char* message;
  };
  const Case cases[] = {
      {"issuer", [](IssuerOptions& o) { o.issuer_url.clear(); },
       "issuer: issuer_url is empty; set the `iss` tokens carry"},
      {"public_url", [](IssuerOptions& o) { o.public_url = "127.0.0.1:8080"; },
       "issuer: public_url '127.0.0.1:8080' is not an http(s) URL, e.g. http://127.0.0.1:8080"},
      {"key_dir", [](IssuerOptions& o) { o.key_dir.clear(); }, "issuer: key_dir is empty"},
      {"alg", [](IssuerOptions& o) { o.algorithm = Alg::kHS256; },
       "issuer: algorithm HS256 is not supported for issuing; use RS256, ES256 or EdDSA"},
      {"window", [](IssuerOptions& o) { o.rate_limit.window_s = 0; },
       "issuer: rate_limit.window_s must be at least 1"},
      {"pending", [](IssuerOptions& o) { o.max_pending = 0; },
       "issuer: max_pending must be at least 1"},
      {"no clients", [](IssuerOptions& o) { o.clients.clear(); },
       "the issuer has no clients; configure at least one"},
      {"duplicate", [](IssuerOptions& o) { o.clients[1].id = "svc"; },
       "issuer client 1 ('svc'): duplicate client id"},
      {"audiences", [](IssuerOptions& o) { o.clients[0].audiences.clear(); },
       "issuer client 0 ('svc'): no audiences; list the APIs this client may call"},
  };
  for (const auto& test : cases) {
    IssuerOptions o = options();
    test.change(o);
    auto issuer = Issuer::open(std::move(o), clock_, stats_);
    ASSERT_FALSE(issuer.has_value()) << test.name;
    EXPECT_EQ(issuer.error().code(), core::Code::kInvalidArgument) << test.name;
    EXPECT_EQ(issuer.error().message(), test.message);
  }
  EXPECT_EQ(::access((tmp_ / "keys").c_str(), F_OK), -1);  // nothing created on bad options
}

}  // namespace
}  // namespace gatehouse::issuer
