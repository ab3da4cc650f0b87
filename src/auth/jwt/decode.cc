#include "auth/jwt/decode.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include <utility>

#include "auth/jwt/detail/jws.h"
#include "core/base64.h"

namespace gatehouse::auth::jwt {
namespace detail {
namespace {

boost::json::parse_options json_options() {
  boost::json::parse_options opts;
  opts.max_depth = kMaxJsonDepth;
  return opts;
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

// A string member as an optional, or kTokenMalformed when present with another type.
core::Result<std::optional<std::string>, AuthError> optional_string(const boost::json::object& obj,
                                                                    std::string_view name) {
  const boost::json::value* v = obj.if_contains(name);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) return core::unexpected(AuthError::kTokenMalformed);
  return std::optional<std::string>(std::string(v->get_string()));
}

}  // namespace

core::Result<JwsParts, AuthError> split_token(std::string_view token, size_t max_token_bytes) {
  if (token.empty()) return AuthError::kTokenMissing;
  if (token.size() > max_token_bytes) return AuthError::kTokenTooLarge;
  size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return AuthError::kTokenMalformed;
  size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return AuthError::kTokenMalformed;
  // Exactly three parts: a fourth or fifth one is JWE, or garbage.
  if (token.find('.', dot2 + 1) != std::string_view::npos) return AuthError::kTokenMalformed;
  JwsParts parts;
  parts.header_b64 = token.substr(0, dot1);
  parts.payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  parts.signature_b64 = token.substr(dot2 + 1);
  parts.signing_input = token.substr(0, dot2);
  if (parts.header_b64.empty() || parts.payload_b64.empty()) return AuthError::kTokenMalformed;
  return parts;
}

core::Result<JwtHeader, AuthError> parse_header(std::string_view header_b64) {
  std::optional<std::string> json = core::base64url_decode(header_b64);
  if (!json) return AuthError::kTokenMalformed;
  // Headers are small: parse into a stack buffer and copy out the few fields we keep.
  unsigned char buffer[2048];
  boost::json::monotonic_resource arena(buffer, sizeof buffer);
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(*json, ec, &arena, json_options());
  if (ec || !value.is_object()) return AuthError::kTokenMalformed;
  const boost::json::object& obj = value.get_object();

  const boost::json::value* alg = obj.if_contains("alg");
  if (alg == nullptr || !alg->is_string()) return AuthError::kTokenMalformed;
  std::string_view alg_name = alg->get_string();
  // "none" in any spelling: some libraries once compared case-insensitively, and attackers
  // still send "None" and "NONE" to find them.
  if (equals_ignore_case(alg_name, "none")) return AuthError::kAlgNone;
  std::optional<Alg> parsed = parse_alg(alg_name);
  if (!parsed) return AuthError::kAlgNotAllowed;

  // RFC 7515 §4.1.11: a recipient must reject a `crit` extension it does not understand, and we
  // understand none (this also rules out RFC 7797 unencoded payloads, which require `crit`).
  if (obj.contains("crit")) return AuthError::kTokenMalformed;

  JwtHeader header;
  header.alg = *parsed;
  auto kid = optional_string(obj, "kid");
  if (!kid) return kid.error();
  header.kid = std::move(*kid);
  auto typ = optional_string(obj, "typ");
  if (!typ) return typ.error();
  header.typ = std::move(*typ);
  return header;
}

core::Result<boost::json::object, AuthError> parse_payload(std::string_view payload_b64) {
  std::optional<std::string> json = core::base64url_decode(payload_b64);
  if (!json) return AuthError::kTokenMalformed;
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(*json, ec, {}, json_options());
  if (ec || !value.is_object()) return AuthError::kTokenMalformed;
  return std::move(value.get_object());
}

}  // namespace detail

core::Result<DecodedJwt, AuthError> decode(std::string_view token, size_t max_token_bytes) {
  auto parts = detail::split_token(token, max_token_bytes);
  if (!parts) return parts.error();
  auto header = detail::parse_header(parts->header_b64);
  if (!header) return header.error();
  std::optional<std::string> signature = core::base64url_decode(parts->signature_b64);
  if (!signature) return AuthError::kTokenMalformed;
  auto payload = detail::parse_payload(parts->payload_b64);
  if (!payload) return payload.error();

  DecodedJwt out;
  out.header = std::move(*header);
  out.payload = std::move(*payload);
  out.signing_input = parts->signing_input;
  out.signature = std::move(*signature);
  return out;
}

}  // namespace gatehouse::auth::jwt
