#include "issuer/documents.h"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "core/base64.h"
#include "issuer/certificate.h"

namespace gatehouse::issuer {

boost::json::object published_jwk(const StoredKey& key) {
  boost::json::object jwk;
  jwk["kty"] = key.public_jwk.at("kty");
  jwk["use"] = "sig";
  jwk["alg"] = auth::jwt::to_string(key.alg);
  jwk["kid"] = key.kid;
  for (const auto& member : key.public_jwk) {
    if (member.key() != "kty") jwk[member.key()] = member.value();
  }
  jwk["x5c"] = boost::json::array{boost::json::string(core::base64_encode(key.certificate_der))};
  jwk["x5t"] = certificate_sha1_thumbprint(key.certificate_der);
  return jwk;
}

std::string jwks_document(std::span<const StoredKey* const> keys) {
  boost::json::array list;
  for (const StoredKey* key : keys)
    list.push_back(published_jwk(*key));
  return boost::json::serialize(boost::json::object{{"keys", std::move(list)}});
}

std::string discovery_document(const DiscoveryInfo& info) {
  std::string_view base = info.public_url;
  while (!base.empty() && base.back() == '/')
    base.remove_suffix(1);
  boost::json::array scopes;
  for (const auto& scope : info.scopes)
    scopes.push_back(boost::json::string(scope));
  boost::json::array claims;
  for (std::string_view claim : kIssuedClaims)
    claims.push_back(boost::json::string(claim));
  boost::json::object doc{
      {"issuer", info.issuer_url},
      {"jwks_uri", std::string(base) + std::string(kJwksPath)},
      {"token_endpoint", std::string(base) + std::string(kTokenPath)},
      {"grant_types_supported", boost::json::array{"client_credentials"}},
      {"token_endpoint_auth_methods_supported",
       boost::json::array{"client_secret_post", "client_secret_basic"}},
      {"response_types_supported", boost::json::array{"token"}},
      {"subject_types_supported", boost::json::array{"public"}},
      {"id_token_signing_alg_values_supported",
       boost::json::array{boost::json::string(auth::jwt::to_string(info.alg))}},
      {"scopes_supported", std::move(scopes)},
      {"claims_supported", std::move(claims)},
  };
  return boost::json::serialize(doc);
}

}  // namespace gatehouse::issuer
