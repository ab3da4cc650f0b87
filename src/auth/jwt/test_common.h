// Test-only helpers shared by the auth/jwt and auth/jwks unit tests: finding testdata/, loading
// the committed test keys (testdata/keys/make-keys.sh) and building tokens, well-formed or not.
#pragma once

#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/jwt/sign.h"
#include "auth/jwt/verify.h"
#include "core/base64.h"
#include "core/files.h"

namespace gatehouse::auth::jwt::testing {

inline constexpr int64_t kNow = 1'700'000'000;
inline constexpr char kIssuer[] = "https://issuer.example/";
inline constexpr char kAudience[] = "gatehouse-test";
// The secret of testdata/keys/hs256.secret, and a longer one good for every HS* algorithm.
inline constexpr char kHs256Secret[] = "gatehouse-test-hmac-secret-0123456789abcdef";
inline constexpr char kHs512Secret[] =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

// $GH_TESTDATA (set by ctest) or the source tree's testdata/, plus `relative`.
inline std::string testdata_path(std::string_view relative) {
  const char* env = std::getenv("GH_TESTDATA");
#ifdef GH_TESTDATA_DIR
  std::string root = env != nullptr && *env != '\0' ? env : GH_TESTDATA_DIR;
#else
  std::string root = env != nullptr ? env : "testdata";
#endif
  return root + "/" + std::string(relative);
}

// The file's contents; fails the current test (and returns "") when it cannot be read.
inline std::string read_testdata(std::string_view relative) {
  auto text = core::read_file(testdata_path(relative), 1 << 20);
  if (!text) {
    ADD_FAILURE() << text.error().to_string();
    return {};
  }
  return std::move(*text);
}

// A committed token file without its trailing newline.
inline std::string read_token(std::string_view name) {
  std::string token = read_testdata("keys/tokens/" + std::string(name));
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r'))
    token.pop_back();
  return token;
}

// testdata/keys/<file> as a signing key; aborts the test binary if it does not load, since every
// later assertion would be noise.
inline SigningKey signing_key(std::string_view file, Alg alg,
                              std::optional<std::string> kid = std::nullopt) {
  auto key = SigningKey::from_pem(read_testdata("keys/" + std::string(file)), alg, std::move(kid));
  if (!key) {
    ADD_FAILURE() << file << ": " << key.error().to_string();
    std::abort();
  }
  return std::move(*key);
}

inline Key verification_key(const SigningKey& key) {
  auto pub = key.verification_key();
  if (!pub) {
    ADD_FAILURE() << pub.error().to_string();
    std::abort();
  }
  return std::move(*pub);
}

// Claims that pass every check of verify() with the options from default_options().
inline boost::json::object good_claims() {
  return boost::json::object{{"iss", kIssuer},   {"aud", kAudience},   {"sub", "user-1"},
                             {"iat", kNow - 10}, {"exp", kNow + 3600}, {"scope", "read write"}};
}

inline VerifyOptions default_options() {
  VerifyOptions opts;
  opts.issuer = kIssuer;
  opts.audiences = {kAudience};
  opts.algorithms.assign(kAllAlgs.begin(), kAllAlgs.end());
  opts.leeway_s = 0;  // the tests of exp, nbf and iat mean their boundaries exactly
  return opts;
}

inline std::string make_token(const SigningKey& key,
                              const boost::json::object& claims = good_claims(),
                              const boost::json::object& header = {{"typ", "JWT"}}) {
  auto token = sign(header, claims, key);
  if (!token) {
    ADD_FAILURE() << token.error().to_string();
    return {};
  }
  return std::move(*token);
}

// A token from raw parts, for malformed inputs: base64url(header).base64url(payload).base64url(sig)
inline std::string raw_token(std::string_view header_json, std::string_view payload_json,
                             std::string_view signature = "sig") {
  return core::base64url_encode(header_json) + "." + core::base64url_encode(payload_json) + "." +
         core::base64url_encode(signature);
}

}  // namespace gatehouse::auth::jwt::testing
