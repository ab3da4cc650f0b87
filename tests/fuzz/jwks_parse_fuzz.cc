// libFuzzer target: JWKS, PEM and discovery parsing on arbitrary bytes. Every key a parse
// accepts must satisfy the invariants verify() relies on.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/jwks/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gatehouse::auth;  // NOLINT: fuzz target
  std::string_view input(reinterpret_cast<const char*>(data), size);

  if (auto set = jwks::parse_jwks(input)) {
    if (set->size() == 0 || set->size() > jwks::kMaxJwksKeys) __builtin_trap();
    for (const jwt::Key& key : set->keys()) {
      // Never a shared secret from a published document, always a key object, and a JWK alg
      // restriction always fits the key type.
      if (key.type() == jwt::KeyType::kOct || key.pkey() == nullptr) __builtin_trap();
      if (key.alg() && !key.can_verify(*key.alg())) __builtin_trap();
    }
  }
  if (auto set = jwks::parse_pem(input)) {
    if (set->size() != 1 || set->keys()[0].kid().has_value()) __builtin_trap();
  }
  if (auto discovery = jwks::parse_discovery(input)) {
    if (discovery->issuer.empty() || discovery->jwks_uri.find("://") == std::string::npos) {
      __builtin_trap();
    }
  }
  return 0;
}
