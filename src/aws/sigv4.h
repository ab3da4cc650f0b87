// AWS Signature Version 4 (the AWS4-HMAC-SHA256 scheme), on OpenSSL: the canonical request, the
// string to sign, the signing key and the Authorization header, as AWS's SigV4 test suite defines
// them for services other than S3 (each path segment URI-encoded). What signs requests to a remote
// DynamoDB and verifies requests to gatehouse's own.
//
// Usage:
//   aws::SigningInput in{"POST", "/", {}, {{"host", "dynamodb.us-east-1.amazonaws.com"},
//                         {"x-amz-date", "20150830T123600Z"}, ...}, aws::sha256_hex(body)};
//   std::string auth = aws::authorization_header(credentials, scope, in);
//
// Thread safety: pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gatehouse::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;  // never logged
};

// Where a signature is valid: "<date>/<region>/<service>/aws4_request".
struct Scope {
  std::string date;  // YYYYMMDD, the day of the request's x-amz-date
  std::string region;
  std::string service;
  std::string to_string() const;
};

// A request as it is signed. The path and query are decoded (the signer encodes them); header
// names in any case, each header once or repeated.
struct SigningInput {
  std::string_view method;
  std::string_view path;                                   // "/", "/a b/ሴ": decoded
  std::vector<std::pair<std::string, std::string>> query;  // decoded names and values
  std::vector<std::pair<std::string, std::string>>
      headers;                     // the ones to sign, x-amz-date included
  std::string payload_sha256_hex;  // of the body as sent
};

// RFC 3986 encoding of everything but the unreserved characters (A-Z a-z 0-9 - . _ ~), as SigV4
// encodes path segments and query names and values; '/' too unless keep_slash.
std::string uri_encode(std::string_view s, bool keep_slash = false);

// "20150830T123600Z": a time as x-amz-date writes it (UTC, ISO 8601 basic format).
std::string amz_date(std::chrono::system_clock::time_point t);

// Lower-case hex of SHA-256(data).
std::string sha256_hex(std::string_view data);

// The canonical request: method, encoded path, sorted encoded query, sorted lower-case headers
// with trimmed values (inner runs of spaces collapsed, repeats joined by ','), the signed header
// names, and the payload hash, joined by '\n'.
std::string canonical_request(const SigningInput& in);
// "host;x-amz-date": the lower-case names of in.headers, sorted, each once.
std::string signed_headers(const SigningInput& in);

// "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex SHA-256 of the canonical request>".
std::string string_to_sign(std::string_view amz_date, const Scope& scope,
                           std::string_view canonical);

// The signing key of a scope: the HMAC-SHA256 chain of "AWS4" + secret over the scope's date,
// region, service and "aws4_request". Raw bytes, as secret as the secret.
std::string signing_key(std::string_view secret_access_key, const Scope& scope);
// Lower-case hex of HMAC(signing key, string_to_sign).
std::string signature_with_key(std::string_view signing_key, std::string_view to_sign);
// The same, deriving the signing key for this one call.
std::string signature(std::string_view secret_access_key, const Scope& scope,
                      std::string_view to_sign);

// One signer's signing key, derived again only when the scope changes (once a day): four of the
// five HMACs of a signature. One cache per secret; wiped when destroyed.
// Thread safety: none; one per thread.
class SigningKeyCache {
 public:
  SigningKeyCache() = default;
  SigningKeyCache(const SigningKeyCache&) = delete;
  SigningKeyCache& operator=(const SigningKeyCache&) = delete;
  ~SigningKeyCache();
  const std::string& key(std::string_view secret_access_key, const Scope& scope);

 private:
  Scope scope_;  // key_'s
  std::string key_;
};

// "AWS4-HMAC-SHA256 Credential=<key id>/<scope>, SignedHeaders=<names>, Signature=<hex>", for the
// x-amz-date among in.headers; with `cache`, the signing key comes from it.
std::string authorization_header(const Credentials& credentials, const Scope& scope,
                                 const SigningInput& in, SigningKeyCache* cache = nullptr);

// An Authorization header of the AWS4-HMAC-SHA256 scheme, taken apart.
struct ParsedAuthorization {
  std::string access_key_id;
  Scope scope;
  std::vector<std::string> signed_headers;  // lower-case, as listed
  std::string signature;                    // hex, as sent
};

// "AWS4-HMAC-SHA256 Credential=<id>/<date>/<region>/<service>/aws4_request,
// SignedHeaders=<a;b>, Signature=<hex>", the three parts in any order, blanks after the commas
// optional. nullopt for another scheme, a missing or repeated part, a credential scope without
// its five fields, an empty signed-headers list or a signature that is not 64 hex digits.
std::optional<ParsedAuthorization> parse_authorization(std::string_view header);

// Whether two hex signatures are equal, in time that does not depend on where they differ.
bool signatures_equal(std::string_view a, std::string_view b);

}  // namespace gatehouse::aws
