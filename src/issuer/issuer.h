// The embedded token issuer: OAuth2 client_credentials (RFC 6749 §4.4) shaped like Auth0's
// /oauth/token, with its signing keys, JWKS, OpenID discovery document and certificate.
// It stands in for Auth0 in development and tests; in production the JWT authorizer points at a
// real OIDC provider instead.
//
// Endpoints (all public, served on the API listener before routing):
//   POST /oauth/token                       client_credentials grant
//   GET  /.well-known/jwks.json             active key + keys retired less than the grace ago
//   GET  /.well-known/openid-configuration  discovery document
//   GET  /pem                               the active key's self-signed certificate (PEM)
//
// Usage (gateway):
//   auto issuer = issuer::Issuer::open(options, clock, stats);  // loads or creates the signing key
//   if (issuer->serves(path)) issuer->handle(std::move(req), [exchange](HttpReply r) {...});
//   every ~1 s: if (auto s = issuer->poll(); !s.ok()) log(s);  // a `gatehouse keys rotate`
//   for `keys: {issuer: self}`: issuer->verification_keys() when key_generation() changes.
//   at shutdown: issuer->close();
//
// Key directory (options.key_dir, created with mode 0700 by open() when missing; see
// key_store.h): keys.json (manifest), keys.lock (flock target), <kid>.key.pem (PKCS#8 private
// key, 0600) and <kid>.crt.pem (its self-signed certificate) for the active key and each retired
// key still inside the grace window. The kid is the RFC 7638 thumbprint of the public key.
//
// Token responses follow RFC 6749 §5.1/§5.2 (see oauth_error.h for every error and its status);
// tokens are shaped like Auth0's: iss, sub "<client_id>@clients", aud, iat, exp, scope, jti,
// azp, gty "client-credentials", with typ/alg/kid in the header.
//
// Thread safety: every method may be called from any thread. handle() never blocks the caller:
// secret hashing (scrypt, ~40 ms) and signing run on the issuer's own worker thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/jwt/alg.h"
#include "auth/jwt/key.h"
#include "core/clock.h"
#include "core/defaults.h"
#include "core/stats.h"
#include "core/status.h"

namespace gatehouse::issuer {

struct ClientOptions {
  std::string id;
  // The plain secret, resolved by the caller from an env var or file. open() keeps only a salted
  // scrypt hash of it and wipes this copy.
  std::string secret;
  std::vector<std::string> audiences;  // non-empty; a request for another audience is 403
  std::vector<std::string> scopes;     // grantable scopes; none requested = all of these
  uint32_t token_lifetime_s = core::defaults::kTokenLifetimeS;  // expires_in
  // Grant types this client may use; only "client_credentials" exists. Empty: the client is
  // disabled (unauthorized_client).
  std::vector<std::string> grant_types{"client_credentials"};
  bool operator==(const ClientOptions&) const = default;
};

struct RateLimitOptions {
  // Failed client authentications tolerated per client id from one peer address (never per
  // client id alone: that would let anyone lock a client out), and per peer address, in one window;
  // beyond that the endpoint answers 429 too_many_requests until the window ends. Checked before
  // any secret is hashed. 0 disables that limit.
  uint32_t max_failures_per_client = core::defaults::kMaxFailuresPerClient;
  uint32_t max_failures_per_peer = core::defaults::kMaxFailuresPerPeer;
  uint32_t window_s = core::defaults::kRateLimitWindowS;
  bool operator==(const RateLimitOptions&) const = default;
};

struct IssuerOptions {
  // The `iss` claim and the discovery document's `issuer`, e.g. "https://blog.example/" (Auth0
  // uses a trailing slash). Independent of where we listen.
  std::string issuer_url;
  // Where the endpoints are reachable, e.g. "http://127.0.0.1:8080"; the discovery document's
  // jwks_uri and token_endpoint are built from it.
  std::string public_url;
  // Directory holding the signing keys (created with mode 0700). Key files are mode 0600; an
  // existing key file with looser permissions is refused.
  std::string key_dir;
  auth::jwt::Alg algorithm = auth::jwt::Alg::kRS256;  // RS256, ES256 or EdDSA
  // A retired key stays in the JWKS this long, so tokens it signed keep verifying.
  uint32_t rotation_grace_s = core::defaults::kKeyRotationGraceS;
  std::vector<ClientOptions> clients;
  RateLimitOptions rate_limit;
  uint32_t max_body_bytes = 8192;  // larger token requests get 400 invalid_request
  uint32_t max_pending = 1024;     // queued token requests beyond this get 503 (Retry-After: 1)
  // A reload keeps what compares equal (secrets included: a rotated secret is a change).
  bool operator==(const IssuerOptions&) const = default;
};

// Counters handed in by the owner, exported by observability/.
struct IssuerStats {
  core::Counter tokens_issued;  // 200 from the token endpoint, and mint()
  core::Counter auth_failures;  // 401 invalid_client
  core::Counter rate_limited;   // 429
  core::Counter rejected;       // other 4xx answers of any endpoint (400, 403, 404, 405)
  core::Counter key_reloads;    // a changed key directory picked up by poll()
};

// The parts of an HTTP request the issuer needs (owned: handle() is asynchronous).
struct HttpRequest {
  std::string method;         // "GET", "POST", ...
  std::string path;           // without the query
  std::string content_type;   // the Content-Type header, as sent
  std::string authorization;  // the Authorization header, as sent
  std::string body;
  std::string peer_ip;
};

struct HttpReply {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // includes Content-Type
  std::string body;
};

class Issuer {
 public:
  // Loads the keys in options.key_dir, creating the directory and a first key when there is none.
  // When the active key's algorithm is not options.algorithm, a key for the new algorithm is
  // generated and made active, and the old one is retired (it keeps verifying for the grace).
  // Hashes each client secret (~40 ms per client) and wipes the plain secrets in `options`.
  // Starts the worker thread. `clock` and `stats` must outlive the issuer.
  // Errors name the file and the fix: a key file readable by group/others (kPermissionDenied),
  // an unreadable or unparsable key (kInvalidArgument / kIoError), bad options (kInvalidArgument:
  // empty issuer_url or key_dir, a public_url that is not an http(s) URL, no clients, a client
  // without audiences or secret, duplicate client ids, a scope with a space, an unknown grant
  // type, a zero token lifetime, rate-limit window or max_pending, an algorithm other than
  // RS256, ES256 or EdDSA).
  static core::Result<std::unique_ptr<Issuer>> open(IssuerOptions options, const core::Clock& clock,
                                                    IssuerStats& stats);
  // Calls close(). Must not run on the worker thread (inside a `done` callback).
  virtual ~Issuer() = default;

  // True for the four endpoint paths above (any method: a wrong method gets 405 from handle()).
  virtual bool serves(std::string_view path) const = 0;
  // Answers one request; `done` is called exactly once: before handle() returns, on the caller's
  // thread, for the GETs, for 405s, and for token requests refused before any secret is hashed
  // (malformed, unsupported grant type, 429, 503 when the queue is full or after close());
  // later, on the issuer's worker thread, for token requests that need client authentication.
  // The request's body and Authorization header are wiped once read. A path serves() rejects
  // gets 404.
  virtual void handle(HttpRequest request, std::function<void(HttpReply)> done) = 0;

  // Reloads the key directory if its manifest changed on disk (a rotation by another process),
  // and drops retired keys that left the grace window. Never blocks for long: a stat() and, on
  // change, a read of a few small files; if a writer holds the directory lock it returns at once
  // and tries again on the next call. Errors (the issuer keeps serving the keys it had; the same
  // broken manifest is reported once): those of open() for the files.
  virtual core::Status poll() = 0;
  // Bumped whenever the key set changes (load, rotation, a retired key leaving the grace window).
  virtual uint64_t key_generation() const = 0;
  // Every key that verifies tokens this issuer signed and that are still acceptable: the active
  // key and retired keys within the grace window, each with its kid and alg.
  virtual std::vector<auth::jwt::Key> verification_keys() const = 0;
  virtual const std::string& issuer_url() const = 0;
  // The active signing key's self-signed certificate (what GET /pem serves) and its public key,
  // as PEM: what functions that verify tokens themselves are handed (functions.*.environment).
  virtual std::string signing_certificate_pem() const = 0;
  virtual std::string signing_public_key_pem() const = 0;

  // Signs a token for a configured client without checking its secret (the `gatehouse token`
  // command, which has already read the same secret), with the same claims as the endpoint.
  // An empty audience means the client's only audience; an empty scope all its scopes.
  // Synchronous (~0.4 ms for RS256). Errors: kNotFound (no such client), kPermissionDenied
  // (audience or scope not allowed, or the client may not use client_credentials),
  // kInvalidArgument (no audience given and the client has several), kInternal (signing failed).
  virtual core::Result<std::string> mint(std::string_view client_id, std::string_view audience,
                                         std::string_view scope) = 0;
  // Stops the worker thread after finishing queued requests (their `done` still runs). Later
  // token requests get 503. Idempotent. From a `done` callback it only stops the worker (the
  // destructor, which must run on another thread, waits for it).
  virtual void close() = 0;
};

// Generates a new active key for options.algorithm in `options.key_dir` (created if missing);
// the previous active key is retired now and stays in the JWKS for rotation_grace_s. Keys retired
// longer ago are deleted. Safe to run while a gatehouse process serves from the same directory
// (it picks the change up in poll()). Uses only key_dir, algorithm, rotation_grace_s and
// issuer_url (the certificate's CN) of `options`; the clients are not touched. Returns the new
// kid. Errors: kInvalidArgument (unsupported algorithm, a manifest that does not parse),
// kIoError.
core::Result<std::string> rotate_keys(const IssuerOptions& options, const core::Clock& clock);

}  // namespace gatehouse::issuer
