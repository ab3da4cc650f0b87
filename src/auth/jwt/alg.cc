#include "auth/jwt/alg.h"

namespace gatehouse::auth::jwt {

std::string_view to_string(Alg alg) {
  switch (alg) {
    case Alg::kRS256:
      return "RS256";
    case Alg::kRS384:
      return "RS384";
    case Alg::kRS512:
      return "RS512";
    case Alg::kPS256:
      return "PS256";
    case Alg::kPS384:
      return "PS384";
    case Alg::kPS512:
      return "PS512";
    case Alg::kES256:
      return "ES256";
    case Alg::kES384:
      return "ES384";
    case Alg::kEdDSA:
      return "EdDSA";
    case Alg::kHS256:
      return "HS256";
    case Alg::kHS384:
      return "HS384";
    case Alg::kHS512:
      return "HS512";
  }
  return "unknown";
}

std::optional<Alg> parse_alg(std::string_view name) {
  for (Alg alg : kAllAlgs) {
    if (to_string(alg) == name) return alg;
  }
  return std::nullopt;
}

std::string_view to_string(KeyType type) {
  switch (type) {
    case KeyType::kRsa:
      return "RSA";
    case KeyType::kEcP256:
      return "EC P-256";
    case KeyType::kEcP384:
      return "EC P-384";
    case KeyType::kEd25519:
      return "OKP Ed25519";
    case KeyType::kOct:
      return "oct";
  }
  return "unknown";
}

KeyType key_type_for(Alg alg) {
  switch (alg) {
    case Alg::kRS256:
    case Alg::kRS384:
    case Alg::kRS512:
    case Alg::kPS256:
    case Alg::kPS384:
    case Alg::kPS512:
      return KeyType::kRsa;
    case Alg::kES256:
      return KeyType::kEcP256;
    case Alg::kES384:
      return KeyType::kEcP384;
    case Alg::kEdDSA:
      return KeyType::kEd25519;
    case Alg::kHS256:
    case Alg::kHS384:
    case Alg::kHS512:
      return KeyType::kOct;
  }
  return KeyType::kOct;
}

}  // namespace gatehouse::auth::jwt
