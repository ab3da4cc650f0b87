#include "auth/jwt/verify.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

#include "auth/jwt/detail/crypto.h"
#include "auth/jwt/detail/jws.h"
#include "core/base64.h"

namespace gatehouse::auth::jwt {
namespace {

using boost::json::object;
using boost::json::value;

bool verify_signature(const Key& key, Alg alg, std::string_view input, std::string_view signature) {
  if (is_hmac(alg)) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t len = detail::hmac(alg, key.secret_bytes(), input, mac);
    // Constant time: a byte-wise early exit would leak how much of a forged MAC is right.
    return len != 0 && signature.size() == len && CRYPTO_memcmp(mac, signature.data(), len) == 0;
  }
  unsigned char der[detail::kMaxEcdsaDerBytes];
  if (alg == Alg::kES256 || alg == Alg::kES384) {
    size_t len = detail::ecdsa_raw_to_der(signature, detail::ecdsa_coordinate_bytes(alg), der);
    if (len == 0) return false;
    signature = std::string_view(reinterpret_cast<const char*>(der), len);
  }
  bool ok = false;
  const detail::VerifyContexts* contexts = detail::KeyAccess::contexts(key);
  if (contexts != nullptr && contexts->get(alg) != nullptr) {
    // Fast path (RS*, PS*, ES*): hash, then verify with this thread's copy of the prepared
    // context.
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = detail::digest(detail::digest_for(alg), input, digest);
    ok = digest_len != 0 && detail::verify_digest(*contexts, alg, signature, digest, digest_len);
  } else {
    // EdDSA, or a context OpenSSL would not prepare.
    const auto* sig = reinterpret_cast<const unsigned char*>(signature.data());
    const auto* data = reinterpret_cast<const unsigned char*>(input.data());
    // One digest context per thread, reset after every use (a new one per token would be two
    // allocations and a lock on the hot path).
    thread_local detail::MdCtx md;
    EVP_PKEY_CTX* pctx = nullptr;  // owned by md.ctx
    ok = EVP_DigestVerifyInit(md.ctx, &pctx, detail::digest_for(alg), nullptr, key.pkey()) == 1 &&
         detail::set_padding(pctx, alg) &&
         EVP_DigestVerify(md.ctx, sig, signature.size(), data, input.size()) == 1;
    EVP_MD_CTX_reset(md.ctx);  // drops the key reference now rather than at the next token
  }
  // A failed verify leaves entries on this thread's OpenSSL error queue; do not let them pile up
  // or leak into unrelated code that checks the queue.
  if (!ok) ERR_clear_error();
  return ok;
}

core::Result<const Key*, AuthError> select_key(std::span<const Key> keys, const JwtHeader& header) {
  if (keys.empty()) return AuthError::kKeysUnavailable;
  if (header.kid) {
    bool kid_seen = false;
    for (const Key& key : keys) {
      if (key.kid() && *key.kid() == *header.kid) {
        if (key.can_verify(header.alg)) return &key;
        kid_seen = true;
      }
    }
    if (kid_seen) return AuthError::kKeyTypeMismatch;
  }
  // No kid in the token, or a kid no key has: only keys without a kid are candidates for the
  // latter, any key for the former. Choosing among several would mean trying each signature.
  const Key* chosen = nullptr;
  size_t fitting = 0;
  bool any_candidate = false;
  for (const Key& key : keys) {
    if (header.kid && key.kid()) continue;
    any_candidate = true;
    if (key.can_verify(header.alg)) {
      chosen = &key;
      ++fitting;
    }
  }
  if (fitting == 1) return chosen;
  if (header.kid) {
    return any_candidate && fitting == 0 ? AuthError::kKeyTypeMismatch : AuthError::kKidNotFound;
  }
  return fitting == 0 ? AuthError::kKeyTypeMismatch : AuthError::kKidMissing;
}

int64_t saturating_add(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
}

// A NumericDate claim (RFC 7519 §2): nullopt when absent, kTokenMalformed when not a finite
// number. Fractional seconds are truncated; out-of-range values saturate.
core::Result<std::optional<int64_t>, AuthError> numeric_date(const object& claims,
                                                             std::string_view name) {
  const value* v = claims.if_contains(name);
  if (v == nullptr) return std::optional<int64_t>();
  if (v->is_int64()) return std::optional<int64_t>(v->get_int64());
  if (v->is_uint64()) {
    uint64_t u = v->get_uint64();
    constexpr auto kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
    return std::optional<int64_t>(static_cast<int64_t>(std::min(u, kMax)));
  }
  if (v->is_double()) {
    double d = v->get_double();
    if (!std::isfinite(d)) return core::unexpected(AuthError::kTokenMalformed);
    // 2^63 is exactly representable; anything at or beyond it saturates.
    if (d >= 9223372036854775808.0) return std::optional<int64_t>(INT64_MAX);
    if (d < -9223372036854775808.0) return std::optional<int64_t>(INT64_MIN);
    return std::optional<int64_t>(static_cast<int64_t>(std::trunc(d)));
  }
  return core::unexpected(AuthError::kTokenMalformed);
}

bool contains(std::span<const std::string> list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

std::optional<AuthError> check_audience(const object& claims,
                                        std::span<const std::string> audiences) {
  if (audiences.empty()) return std::nullopt;
  const value* aud = claims.if_contains("aud");
  if (aud == nullptr) {
    // API Gateway: only when `aud` is absent, `client_id` is compared (Cognito access tokens).
    const value* client_id = claims.if_contains("client_id");
    if (client_id != nullptr && client_id->is_string() &&
        contains(audiences, client_id->get_string())) {
      return std::nullopt;
    }
    return AuthError::kAudienceMismatch;
  }
  if (aud->is_string()) {
    if (contains(audiences, aud->get_string())) return std::nullopt;
    return AuthError::kAudienceMismatch;
  }
  if (!aud->is_array()) return AuthError::kTokenMalformed;
  bool matched = false;
  for (const value& item : aud->get_array()) {
    if (!item.is_string()) return AuthError::kTokenMalformed;
    if (!matched && contains(audiences, item.get_string())) matched = true;
  }
  if (matched) return std::nullopt;
  return AuthError::kAudienceMismatch;
}

void split_scopes(std::string_view text, std::vector<std::string>& out) {
  while (!text.empty()) {
    size_t space = text.find(' ');
    std::string_view scope = text.substr(0, space);
    if (!scope.empty()) out.emplace_back(scope);
    if (space == std::string_view::npos) break;
    text.remove_prefix(space + 1);
  }
}

void collect_scopes(const object& claims, std::vector<std::string>& out) {
  if (const value* scope = claims.if_contains("scope"); scope != nullptr && scope->is_string()) {
    split_scopes(scope->get_string(), out);
  }
  if (const value* scp = claims.if_contains("scp"); scp != nullptr) {
    if (scp->is_string()) {
      split_scopes(scp->get_string(), out);
    } else if (scp->is_array()) {
      for (const value& item : scp->get_array()) {
        if (item.is_string()) out.emplace_back(item.get_string());
      }
    }
  }
}

}  // namespace

core::Result<VerifiedToken, AuthError> verify(std::string_view token, std::span<const Key> keys,
                                              const VerifyOptions& opts, int64_t now_unix) {
  // Cheap structural checks and the small header first; the payload waits for the signature.
  auto parts = detail::split_token(token, opts.max_token_bytes);
  if (!parts) return parts.error();
  auto header = detail::parse_header(parts->header_b64);
  if (!header) return header.error();
  if (std::find(opts.algorithms.begin(), opts.algorithms.end(), header->alg) ==
      opts.algorithms.end()) {
    return AuthError::kAlgNotAllowed;
  }
  auto key = select_key(keys, *header);
  if (!key) return key.error();
  std::optional<std::string> signature = core::base64url_decode(parts->signature_b64);
  if (!signature) return AuthError::kTokenMalformed;
  if (!verify_signature(**key, header->alg, parts->signing_input, *signature)) {
    return AuthError::kBadSignature;
  }

  auto payload = detail::parse_payload(parts->payload_b64);
  if (!payload) return payload.error();
  const object& claims = *payload;

  if (!opts.issuer.empty()) {
    const value* iss = claims.if_contains("iss");
    if (iss == nullptr || !iss->is_string() || iss->get_string() != opts.issuer) {
      return AuthError::kIssuerMismatch;
    }
  }
  if (auto error = check_audience(claims, opts.audiences)) return *error;

  auto exp = numeric_date(claims, "exp");
  if (!exp) return exp.error();
  if (!*exp) return AuthError::kExpMissing;
  // RFC 7519 §4.1.4: the current time must be before exp, so exp itself is already too late.
  if (now_unix >= saturating_add(**exp, opts.leeway_s)) return AuthError::kExpired;

  auto nbf = numeric_date(claims, "nbf");
  if (!nbf) return nbf.error();
  if (*nbf && saturating_add(now_unix, opts.leeway_s) < **nbf) return AuthError::kNotYetValid;

  auto iat = numeric_date(claims, "iat");
  if (!iat) return iat.error();
  if (*iat && **iat > saturating_add(now_unix, opts.leeway_s)) return AuthError::kIssuedInFuture;

  VerifiedToken out;
  if (const value* sub = claims.if_contains("sub"); sub != nullptr) {
    if (!sub->is_string()) return AuthError::kTokenMalformed;
    out.subject = sub->get_string();
  }
  collect_scopes(claims, out.scopes);
  out.expires_at = **exp;
  out.claims = std::move(*payload);
  out.key = **key;
  return out;
}

bool has_any_scope(std::span<const std::string> granted, std::span<const std::string> required) {
  if (required.empty()) return true;
  for (const std::string& scope : granted) {
    if (contains(required, scope)) return true;
  }
  return false;
}

}  // namespace gatehouse::auth::jwt
