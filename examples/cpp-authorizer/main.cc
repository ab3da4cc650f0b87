// A TOKEN Lambda authorizer in C++, speaking the AWS Lambda Runtime API itself: what a custom
// runtime (`provided.al2023` on AWS, `command:` in gatehouse) looks like without a runtime library.
//
// It verifies the bearer token as an RS256 JWT against the issuer's certificate (or public key)
// in AUTH0_CLIENT_PUBLIC_KEY (PEM), requires `exp` in the future and `aud` (a string or an array)
// to contain AUTH0_CLIENT_ID, and answers with a policy that allows every method of the stage
// (`<api>/<stage>/*/*`, so API Gateway-style caching per token works) for principalId = `sub`,
// with the token's `scope` in the context. Any failure is the error "Unauthorized" (401).
//
//   export AUTH0_CLIENT_ID=https://blog-api AUTH0_CLIENT_PUBLIC_KEY="$(curl -s localhost:8080/pem)"
//   AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001 gatehouse-example-authorizer
//
// No secret is compared here (the signature check is OpenSSL's), so nothing needs to be
// constant-time; the token's size is capped before any decoding.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = boost::asio::ip::tcp;

constexpr std::size_t kMaxTokenBytes = 8192;             // longer tokens are refused unread
constexpr std::size_t kMaxEventBytes = 6 * 1024 * 1024;  // Lambda's payload limit
constexpr std::string_view kApi = "/2018-06-01/runtime";

[[noreturn]] void die(std::string_view what) {
  std::cerr << "authorizer: " << what << '\n';
  std::exit(1);
}

// One keep-alive HTTP/1.1 connection to the worker's Runtime API endpoint, used synchronously.
// No timeouts: GET /next waits for as long as the function is idle.
class RuntimeApi {
 public:
  RuntimeApi(std::string host, std::string port) : host_(std::move(host)), port_(std::move(port)) {}

  // Sends `req` and reads the answer; a keep-alive connection the server closed is reopened once.
  std::optional<http::response<http::string_body>> exchange(http::request<http::string_body> req) {
    req.set(http::field::host, host_);
    req.prepare_payload();
    for (int attempt = 0; attempt < 2; ++attempt) {
      beast::error_code ec;
      if (!connected_) {
        auto endpoints = tcp::resolver(ioc_).resolve(host_, port_, ec);
        if (!ec) stream_.connect(endpoints, ec);
        if (ec) return std::nullopt;
        connected_ = true;
      }
      http::response_parser<http::string_body> parser;
      parser.body_limit(kMaxEventBytes);
      http::write(stream_, req, ec);
      if (!ec) http::read(stream_, buffer_, parser, ec);
      if (!ec) {
        if (!parser.get().keep_alive()) reset();
        return parser.release();
      }
      reset();
    }
    return std::nullopt;
  }

  // POSTs a JSON document; `error_type` goes in Lambda-Runtime-Function-Error-Type.
  void post(const std::string& path, const std::string& body, std::string_view error_type = {}) {
    http::request<http::string_body> req{http::verb::post, std::string(kApi) + path, 11};
    req.set(http::field::content_type, "application/json");
    if (!error_type.empty()) req.set("Lambda-Runtime-Function-Error-Type", error_type);
    req.body() = body;
    auto res = exchange(std::move(req));
    if (!res) die("the Runtime API is unreachable");
    if (res->result_int() / 100 != 2) {
      std::cerr << "authorizer: POST " << path << " answered " << res->result_int() << ' '
                << res->body() << '\n';
    }
  }

 private:
  void reset() {
    beast::error_code ignored;
    stream_.socket().close(ignored);
    buffer_.clear();
    connected_ = false;
  }

  std::string host_, port_;
  boost::asio::io_context ioc_;
  beast::tcp_stream stream_{ioc_};
  beast::flat_buffer buffer_;
  bool connected_ = false;
};

// RFC 4648 §5 without padding, as JWTs use it. Refuses any other character and non-zero
// leftover bits, so each token has exactly one encoding.
std::optional<std::string> base64url_decode(std::string_view in) {
  static constexpr auto kTable = [] {
    std::array<int8_t, 256> t{};
    t.fill(-1);
    constexpr std::string_view kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
      t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
    }
    return t;
  }();
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = kTable[static_cast<unsigned char>(c)];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
      acc &= (1u << bits) - 1;
    }
  }
  if (acc != 0) return std::nullopt;
  return out;
}

// A base64url segment holding a JSON object.
std::optional<json::object> decode_object(std::string_view segment) {
  auto text = base64url_decode(segment);
  if (!text) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(*text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

// The RSA public key of a PEM certificate or SPKI public key, at least 2048 bits.
std::optional<Pkey> load_key(const std::string& pem) {
  auto bio = [&] {
    return std::unique_ptr<BIO, decltype(&BIO_free)>(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  };
  Pkey key;
  if (auto b = bio(); b) {
    if (X509* cert = PEM_read_bio_X509(b.get(), nullptr, nullptr, nullptr)) {
      key.reset(X509_get_pubkey(cert));
      X509_free(cert);
    }
  }
  if (!key) {
    if (auto b = bio(); b) key.reset(PEM_read_bio_PUBKEY(b.get(), nullptr, nullptr, nullptr));
  }
  if (!key || !EVP_PKEY_is_a(key.get(), "RSA") || EVP_PKEY_get_bits(key.get()) < 2048) {
    return std::nullopt;
  }
  return key;
}

// Verified claims, or the reason the token was refused (for the log, never for the caller).
struct Verdict {
  std::optional<json::object> claims;
  std::string reason;
};

Verdict verify(std::string_view token, EVP_PKEY* key, std::string_view audience) {
  if (token.size() > kMaxTokenBytes) return {std::nullopt, "token too long"};
  auto dot1 = token.find('.');
  auto dot2 = dot1 == token.npos ? token.npos : token.find('.', dot1 + 1);
  if (dot2 == token.npos || token.find('.', dot2 + 1) != token.npos)
    return {std::nullopt, "not a JWS"};

  auto header = decode_object(token.substr(0, dot1));
  if (!header) return {std::nullopt, "bad header"};
  // Only RS256: never "none", never HS256 keyed with the public key.
  auto* alg = header->if_contains("alg");
  if (!alg || !alg->is_string() || alg->as_string() != "RS256")
    return {std::nullopt, "alg not RS256"};
  if (header->contains("crit")) return {std::nullopt, "unsupported crit header"};

  auto signature = base64url_decode(token.substr(dot2 + 1));
  if (!signature || signature->size() != static_cast<std::size_t>(EVP_PKEY_get_size(key))) {
    return {std::nullopt, "bad signature encoding"};
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::string_view signed_part = token.substr(0, dot2);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestVerify(
          ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()), signature->size(),
          reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size()) != 1) {
    return {std::nullopt, "bad signature"};
  }

  auto claims = decode_object(token.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!claims) return {std::nullopt, "bad payload"};
  double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto* exp = claims->if_contains("exp");
  if (!exp || !exp->is_number() || exp->to_number<double>() <= now)
    return {std::nullopt, "expired or no exp"};
  if (auto* nbf = claims->if_contains("nbf");
      nbf && (!nbf->is_number() || nbf->to_number<double>() > now)) {
    return {std::nullopt, "not yet valid"};
  }
  bool aud_ok = false;
  if (auto* aud = claims->if_contains("aud"); aud && aud->is_string()) {
    aud_ok = aud->as_string() == audience;
  } else if (aud && aud->is_array()) {
    for (const auto& a : aud->as_array())
      aud_ok = aud_ok || (a.is_string() && a.as_string() == audience);
  }
  if (!aud_ok) return {std::nullopt, "audience"};
  auto* sub = claims->if_contains("sub");
  if (!sub || !sub->is_string() || sub->as_string().empty()) return {std::nullopt, "no sub"};
  return {std::move(claims), {}};
}

// The TOKEN event → the authorizer's answer, or nullopt for "Unauthorized".
std::optional<std::string> authorize(std::string_view event_text, EVP_PKEY* key,
                                     std::string_view audience) {
  boost::system::error_code ec;
  json::value event = json::parse(event_text, ec);
  const json::object* e = (!ec && event.is_object()) ? &event.as_object() : nullptr;
  const json::value* token = e ? e->if_contains("authorizationToken") : nullptr;
  const json::value* arn = e ? e->if_contains("methodArn") : nullptr;
  if (!token || !token->is_string() || !arn || !arn->is_string()) {
    std::cerr << "authorizer: denied: not a TOKEN event\n";
    return std::nullopt;
  }
  // "Bearer <token>", the scheme in any case.
  std::string_view value = token->as_string();
  constexpr std::string_view kScheme = "bearer ";
  bool bearer = value.size() > kScheme.size();
  for (std::size_t i = 0; bearer && i < kScheme.size(); ++i) {
    bearer = std::tolower(static_cast<unsigned char>(value[i])) == kScheme[i];
  }
  if (!bearer) {
    std::cerr << "authorizer: denied: no bearer token\n";
    return std::nullopt;
  }
  Verdict verdict = verify(value.substr(kScheme.size()), key, audience);
  // arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>: keep up to the stage.
  std::string_view method_arn = arn->as_string();
  auto slash = method_arn.find('/');
  auto stage_end = slash == method_arn.npos ? slash : method_arn.find('/', slash + 1);
  if (!verdict.claims || stage_end == method_arn.npos) {
    std::cerr << "authorizer: denied: " << (verdict.claims ? "bad methodArn" : verdict.reason)
              << '\n';
    return std::nullopt;
  }
  const json::value* scope = verdict.claims->if_contains("scope");
  json::object answer{
      {"principalId", verdict.claims->at("sub")},
      {"policyDocument",
       {{"Version", "2012-10-17"},
        {"Statement", json::array{json::object{
                          {"Action", "execute-api:Invoke"},
                          {"Effect", "Allow"},
                          {"Resource", std::string(method_arn.substr(0, stage_end)) + "/*/*"}}}}}},
      {"context",
       {{"scope",
         scope && scope->is_string() ? json::value(scope->as_string()) : json::value("")}}}};
  return json::serialize(answer);
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

int main() {
  std::string endpoint = env("AWS_LAMBDA_RUNTIME_API");
  auto colon = endpoint.rfind(':');
  if (colon == std::string::npos || colon == 0) die("AWS_LAMBDA_RUNTIME_API must be host:port");
  RuntimeApi api(endpoint.substr(0, colon), endpoint.substr(colon + 1));

  // Init: the key and the audience, or an init error the gateway reports (and retries).
  std::string audience = env("AUTH0_CLIENT_ID");
  std::optional<Pkey> key = load_key(env("AUTH0_CLIENT_PUBLIC_KEY"));
  if (!key || audience.empty()) {
    std::string message = !key ? "AUTH0_CLIENT_PUBLIC_KEY is not a PEM certificate or public key "
                                 "of an RSA key of 2048 bits or more"
                               : "AUTH0_CLIENT_ID is not set";
    json::object doc{{"errorMessage", message}, {"errorType", "Function.ConfigurationError"}};
    api.post("/init/error", json::serialize(doc), "Function.ConfigurationError");
    die(message);
  }

  for (;;) {
    http::request<http::string_body> next{http::verb::get, std::string(kApi) + "/invocation/next",
                                          11};
    auto res = api.exchange(std::move(next));
    if (!res || res->result() != http::status::ok) die("GET /invocation/next failed");
    std::string id((*res)["Lambda-Runtime-Aws-Request-Id"]);
    // The id goes into a path: refuse anything but URL-safe characters.
    constexpr std::string_view kSafe =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    if (id.empty() || id.find_first_not_of(kSafe) != std::string::npos) {
      die("bad Lambda-Runtime-Aws-Request-Id");
    }
    if (auto answer = authorize(res->body(), key->get(), audience)) {
      api.post("/invocation/" + id + "/response", *answer);
    } else {
      api.post("/invocation/" + id + "/error",
               R"({"errorMessage":"Unauthorized","errorType":"Unauthorized"})", "Unauthorized");
    }
  }
}
