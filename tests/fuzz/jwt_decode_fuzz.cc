// libFuzzer target: jwt::decode and jwt::verify on arbitrary bytes, against fixed keys of every
// type (testdata/keys). Inputs that decode are also re-signed with an HMAC key and verified
// again, so mutated claims reach the claim checks behind the signature.
#include <openssl/bio.h>
#include <openssl/pem.h>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "auth/jwt/decode.h"
#include "auth/jwt/sign.h"
#include "auth/jwt/verify.h"
#include "fuzz_testdata.h"

namespace {

using namespace gatehouse::auth;  // NOLINT: fuzz target

jwt::Key public_key(const char* file, const char* kid) {
  std::string pem = gatehouse::fuzz::read_testdata(file);
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  jwt::PkeyPtr pkey(PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  if (!pkey) std::abort();
  auto key = jwt::Key::from_pkey(std::move(pkey), std::string(kid));
  if (!key) std::abort();
  return std::move(*key);
}

struct Fixture {
  Fixture()
      : hmac(*jwt::SigningKey::from_secret(gatehouse::fuzz::read_testdata("keys/hs256.secret"),
                                           jwt::Alg::kHS256, "hs-1")) {
    keys.push_back(public_key("keys/rsa.pub.pem", "rsa-1"));
    keys.push_back(public_key("keys/ec256.pub.pem", "ec256-1"));
    keys.push_back(public_key("keys/ec384.pub.pem", "ec384-1"));
    keys.push_back(public_key("keys/ed25519.pub.pem", "ed25519-1"));
    keys.push_back(*hmac.verification_key());
    options.issuer = "https://issuer.example/";
    options.audiences = {"gatehouse-test"};
    options.algorithms.assign(jwt::kAllAlgs.begin(), jwt::kAllAlgs.end());
    options.leeway_s = 30;
  }
  jwt::SigningKey hmac;
  std::vector<jwt::Key> keys;
  jwt::VerifyOptions options;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Fixture fixture;
  constexpr int64_t kNow = 1'700'000'000;
  std::string_view token(reinterpret_cast<const char*>(data), size);

  auto decoded = jwt::decode(token, fixture.options.max_token_bytes);
  auto verified = jwt::verify(token, fixture.keys, fixture.options, kNow);
  // verify() accepts nothing that decode() rejects.
  if (verified && !decoded) __builtin_trap();
  if (verified) (void)jwt::has_any_scope(verified->scopes, fixture.options.audiences);

  if (decoded) {
    boost::json::object header;
    if (decoded->header.kid) header["kid"] = *decoded->header.kid;
    auto resigned = jwt::sign(header, decoded->payload, fixture.hmac);
    if (!resigned) __builtin_trap();  // HMAC signing of any object must work
    auto again = jwt::verify(*resigned, fixture.keys, fixture.options, kNow);
    // A freshly signed token never fails on the signature.
    if (!again && again.error() == AuthError::kBadSignature) __builtin_trap();
  }
  return 0;
}
