// The self-signed X.509 certificate published for each signing key: in the JWKS as `x5c`/`x5t`
// and at GET /pem, the way Auth0 publishes its tenant's signing certificate. Clients that only
// take a certificate (a PEM file in an API gateway's config) can then verify our tokens.
//
// Usage:
//   auto der = make_self_signed_certificate(pkey, "blog.example", clock.unix_seconds());
//   std::string pem = certificate_pem(*der);
//
// Thread safety: pure functions (the key is only read).
#pragma once

#include <openssl/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace gatehouse::issuer {

// Ten years: the certificate only carries the key; rotation, not expiry, retires it.
inline constexpr int kCertificateValidityDays = 3650;

// A v3 certificate for `pkey`, signed by itself: subject = issuer = CN=<common_name> (truncated
// to the 64 characters X.520 allows), a random positive 127-bit serial, valid from `now_unix` for
// kCertificateValidityDays, basicConstraints CA:FALSE, keyUsage digitalSignature, a
// subjectKeyIdentifier. Signed with SHA-256 (RSA, EC) or pure Ed25519. Returns the DER bytes.
// Errors: kInternal when OpenSSL refuses.
core::Result<std::string> make_self_signed_certificate(EVP_PKEY* pkey, std::string_view common_name,
                                                       int64_t now_unix);

// DER bytes as "-----BEGIN CERTIFICATE-----" PEM text.
std::string certificate_pem(std::string_view der);

// The DER bytes of the first certificate in PEM `pem`. Errors (kInvalidArgument): no certificate.
core::Result<std::string> certificate_der_from_pem(std::string_view pem);

// The certificate's public key as "-----BEGIN PUBLIC KEY-----" (SPKI) PEM text. Errors
// (kInvalidArgument): `der` is not a certificate.
core::Result<std::string> public_key_pem_from_certificate(std::string_view der);

// True if the certificate in `der` parses and certifies exactly the public half of `pkey`.
bool certificate_matches_key(std::string_view der, EVP_PKEY* pkey);

// `x5t`: base64url of the SHA-1 of the DER certificate (RFC 7517 §4.8), as Auth0 publishes it.
std::string certificate_sha1_thumbprint(std::string_view der);

}  // namespace gatehouse::issuer
