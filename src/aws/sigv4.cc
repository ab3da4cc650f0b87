#include "aws/sigv4.h"

#include <ctime>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>

#include "core/text.h"

namespace gatehouse::aws {
namespace {

constexpr char kHex[] = "0123456789abcdef";

std::string hex(const unsigned char* bytes, size_t n) {
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0xF];
  }
  return out;
}

// SHA-256 and HMAC-SHA256 fetched from the provider once: OpenSSL 3's one-shot calls look the
// algorithms up by name on every call, under a lock, which costs more than hashing a request.
const EVP_MD* sha256_md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

// An HMAC context with its digest set, duplicated for each MAC.
const EVP_MAC_CTX* hmac_sha256_template() {
  static EVP_MAC_CTX* const ctx = [] {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    EVP_MAC_CTX* c = mac ? EVP_MAC_CTX_new(mac) : nullptr;
    EVP_MAC_free(mac);  // the context holds its own reference
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                                 OSSL_PARAM_construct_end()};
    if (c && EVP_MAC_CTX_set_params(c, params) != 1) {
      EVP_MAC_CTX_free(c);
      c = nullptr;
    }
    return c;
  }();
  return ctx;
}

// HMAC-SHA256; the key may be any bytes.
std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  size_t length = 0;
  const EVP_MAC_CTX* templ = hmac_sha256_template();
  EVP_MAC_CTX* ctx = templ ? EVP_MAC_CTX_dup(templ) : nullptr;
  const auto* k = reinterpret_cast<const unsigned char*>(key.data());
  const auto* d = reinterpret_cast<const unsigned char*>(data.data());
  const bool ok = ctx != nullptr && EVP_MAC_init(ctx, k, key.size(), nullptr) == 1 &&
                  EVP_MAC_update(ctx, d, data.size()) == 1 &&
                  EVP_MAC_final(ctx, mac.data(), &length, mac.size()) == 1;
  EVP_MAC_CTX_free(ctx);
  // Without a MAC there is no signature: an empty one matches nothing and signs nothing.
  if (!ok) return {};
  return std::string(reinterpret_cast<const char*>(mac.data()), length);
}

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// A header value as SigV4 signs it: trimmed, inner runs of spaces as one.
std::string canonical_value(std::string_view value) {
  value = core::trim_ows(value);
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if ((c == ' ' || c == '\t') && !out.empty() && out.back() == ' ') continue;
    out += c == '\t' ? ' ' : c;
  }
  return out;
}

// The headers lower-cased and sorted by name, repeated names' values joined by ',' in order.
std::vector<std::pair<std::string, std::string>> canonical_headers(const SigningInput& in) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, value] : in.headers)
    out.emplace_back(core::ascii_lower(name), canonical_value(value));
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::pair<std::string, std::string>> merged;
  for (auto& [name, value] : out) {
    if (!merged.empty() && merged.back().first == name) {
      merged.back().second += ',';
      merged.back().second += value;
    } else {
      merged.emplace_back(std::move(name), std::move(value));
    }
  }
  return merged;
}

}  // namespace

std::string Scope::to_string() const {
  return date + "/" + region + "/" + service + "/aws4_request";
}

std::string uri_encode(std::string_view s, bool keep_slash) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out += c;
    } else {
      auto u = static_cast<unsigned char>(c);
      out += '%';
      out += "0123456789ABCDEF"[u >> 4];
      out += "0123456789ABCDEF"[u & 0xF];
    }
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &length, sha256_md(), nullptr);
  return hex(digest.data(), length);
}

std::string signed_headers(const SigningInput& in) {
  std::string out;
  for (const auto& [name, value] : canonical_headers(in)) {
    if (!out.empty()) out += ';';
    out += name;
  }
  return out;
}

std::string canonical_request(const SigningInput& in) {
  std::string out(in.method);
  out += '\n';
  out += in.path.empty() ? "/" : uri_encode(in.path, true);
  out += '\n';
  std::vector<std::pair<std::string, std::string>> query;
  for (const auto& [name, value] : in.query)
    query.emplace_back(uri_encode(name), uri_encode(value));
  std::sort(query.begin(), query.end());
  for (size_t i = 0; i < query.size(); ++i) {
    if (i > 0) out += '&';
    out += query[i].first;
    out += '=';
    out += query[i].second;
  }
  out += '\n';
  const auto headers = canonical_headers(in);
  for (const auto& [name, value] : headers) {
    out += name;
    out += ':';
    out += value;
    out += '\n';
  }
  out += '\n';
  out += signed_headers(in);
  out += '\n';
  out += in.payload_sha256_hex;
  return out;
}

std::string string_to_sign(std::string_view amz_date, const Scope& scope,
                           std::string_view canonical) {
  std::string out = "AWS4-HMAC-SHA256\n";
  out += amz_date;
  out += '\n';
  out += scope.to_string();
  out += '\n';
  out += sha256_hex(canonical);
  return out;
}

std::string signing_key(std::string_view secret_access_key, const Scope& scope) {
  std::string key = "AWS4";
  key += secret_access_key;
  std::string k = hmac_sha256(key, scope.date);
  OPENSSL_cleanse(key.data(), key.size());
  for (std::string_view part : {std::string_view(scope.region), std::string_view(scope.service),
                                std::string_view("aws4_request")}) {
    std::string next = hmac_sha256(k, part);
    OPENSSL_cleanse(k.data(), k.size());
    k = std::move(next);
  }
  return k;
}

std::string signature_with_key(std::string_view key, std::string_view to_sign) {
  std::string mac = hmac_sha256(key, to_sign);
  return hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
}

std::string signature(std::string_view secret_access_key, const Scope& scope,
                      std::string_view to_sign) {
  std::string k = signing_key(secret_access_key, scope);
  std::string out = signature_with_key(k, to_sign);
  // The derived key opens every request of that day: no copy of it outlives the call.
  OPENSSL_cleanse(k.data(), k.size());
  return out;
}

SigningKeyCache::~SigningKeyCache() {
  OPENSSL_cleanse(key_.data(), key_.size());
}

const std::string& SigningKeyCache::key(std::string_view secret_access_key, const Scope& scope) {
  if (key_.empty() || scope.date != scope_.date || scope.region != scope_.region ||
      scope.service != scope_.service) {
    OPENSSL_cleanse(key_.data(), key_.size());
    key_ = signing_key(secret_access_key, scope);
    scope_ = scope;
  }
  return key_;
}

std::string authorization_header(const Credentials& credentials, const Scope& scope,
                                 const SigningInput& in, SigningKeyCache* cache) {
  std::string amz_date;
  for (const auto& [name, value] : in.headers) {
    if (core::ascii_lower(name) == "x-amz-date") amz_date = value;
  }
  std::string to_sign = string_to_sign(amz_date, scope, canonical_request(in));
  std::string sig =
      cache ? signature_with_key(cache->key(credentials.secret_access_key, scope), to_sign)
            : signature(credentials.secret_access_key, scope, to_sign);
  return "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + scope.to_string() +
         ", SignedHeaders=" + signed_headers(in) + ", Signature=" + sig;
}

std::optional<ParsedAuthorization> parse_authorization(std::string_view header) {
  constexpr std::string_view kScheme = "AWS4-HMAC-SHA256 ";
  if (!header.starts_with(kScheme)) return std::nullopt;
  header.remove_prefix(kScheme.size());
  std::optional<std::string_view> credential, signed_names, signature_hex;
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view part = core::trim_ows(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    std::string_view name = part.substr(0, eq), value = part.substr(eq + 1);
    std::optional<std::string_view>* slot = name == "Credential"      ? &credential
                                            : name == "SignedHeaders" ? &signed_names
                                            : name == "Signature"     ? &signature_hex
                                                                      : nullptr;
    if (slot == nullptr || slot->has_value()) return std::nullopt;
    *slot = value;
  }
  if (!credential || !signed_names || !signature_hex) return std::nullopt;

  ParsedAuthorization out;
  // <id>/<date>/<region>/<service>/aws4_request; the key id itself has no '/'.
  std::vector<std::string_view> fields;
  for (std::string_view rest = *credential;;) {
    size_t slash = rest.find('/');
    fields.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (fields.size() != 5 || fields[4] != "aws4_request" ||
      std::any_of(fields.begin(), fields.end(), [](std::string_view f) { return f.empty(); })) {
    return std::nullopt;
  }
  out.access_key_id = fields[0];
  out.scope = Scope{std::string(fields[1]), std::string(fields[2]), std::string(fields[3])};
  for (std::string_view rest = *signed_names;;) {
    size_t semicolon = rest.find(';');
    std::string_view name = rest.substr(0, semicolon);
    if (name.empty()) return std::nullopt;
    out.signed_headers.push_back(core::ascii_lower(name));
    if (semicolon == std::string_view::npos) break;
    rest.remove_prefix(semicolon + 1);
  }
  if (signature_hex->size() != 64 ||
      !std::all_of(signature_hex->begin(), signature_hex->end(),
                   [](char c) { return core::hex_digit_value(c) >= 0; })) {
    return std::nullopt;
  }
  out.signature = *signature_hex;
  return out;
}

bool signatures_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string amz_date(std::chrono::system_clock::time_point t) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char out[17];
  std::strftime(out, sizeof out, "%Y%m%dT%H%M%SZ", &tm);
  return out;
}

}  // namespace gatehouse::aws
