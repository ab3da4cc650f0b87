// The Issuer façade: endpoint dispatch, the token grant's decisions, key snapshots and the worker
// thread that does the expensive part (scrypt, signing) off the gateway's I/O threads.

#include "issuer/issuer.h"

#include <openssl/err.h>
#include <openssl/rand.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

#include "auth/jwt/sign.h"
#include "core/base64.h"
#include "issuer/certificate.h"
#include "issuer/client_registry.h"
#include "issuer/documents.h"
#include "issuer/key_store.h"
#include "issuer/oauth_error.h"
#include "issuer/rate_limiter.h"
#include "issuer/token_request.h"
#include "issuer/wipe.h"

namespace gatehouse::issuer {
namespace {

// Short: a rotation should reach JWKS caches quickly; a verifier that misses a kid refetches.
constexpr std::string_view kPublicCacheControl = "public, max-age=60";

// What a token grant resolved to, once every check passed.
struct Grant {
  const Client* client = nullptr;
  std::string audience;
  std::vector<std::string> scopes;
};

OAuthError oauth_error(OAuthErrorCode code, std::string description) {
  return {code, std::move(description)};
}

// The audience, scope and grant-type decisions shared by the endpoint and mint().
core::Result<Grant, OAuthError> decide(const Client& client,
                                       const std::optional<std::string>& audience,
                                       const std::optional<std::string>& scope) {
  if (!client.client_credentials_allowed) {
    return oauth_error(OAuthErrorCode::kUnauthorizedClient,
                       "client '" + client.id + "' may not use the client_credentials grant");
  }
  Grant grant;
  grant.client = &client;
  if (!audience) {
    if (client.audiences.size() != 1) {
      return oauth_error(
          OAuthErrorCode::kInvalidRequest,
          "audience is required: client '" + client.id + "' may call several APIs; name one");
    }
    grant.audience = client.audiences.front();
  } else if (!client.allows_audience(*audience)) {
    return oauth_error(
        OAuthErrorCode::kAccessDenied,
        "client '" + client.id + "' is not allowed to access audience '" + *audience + "'");
  } else {
    grant.audience = *audience;
  }
  std::vector<std::string> requested = scope ? split_scope(*scope) : std::vector<std::string>();
  if (requested.empty()) {
    grant.scopes = client.scopes;
  } else {
    for (const auto& name : requested) {
      if (!client.allows_scope(name)) {
        return oauth_error(OAuthErrorCode::kInvalidScope,
                           "scope '" + name + "' is not allowed for client '" + client.id + "'");
      }
    }
    grant.scopes = std::move(requested);
  }
  return grant;
}

std::string join_scopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& scope : scopes) {
    if (!out.empty()) out += ' ';
    out += scope;
  }
  return out;
}

core::Result<std::string> random_jti() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    ERR_clear_error();
    return core::internal_error("the random generator failed");
  }
  return core::base64url_encode(std::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
}

// The host of the issuer URL, for the certificate's CN; "gatehouse" when it has none.
std::string certificate_common_name(const std::string& issuer_url) {
  auto url = boost::urls::parse_uri(issuer_url);
  if (url && !url->host().empty()) return url->host();
  return "gatehouse";
}

core::Status check_options(const IssuerOptions& options) {
  if (options.issuer_url.empty()) {
    return core::invalid_argument("issuer: issuer_url is empty; set the `iss` tokens carry");
  }
  auto url = boost::urls::parse_absolute_uri(options.public_url);
  if (!url || (url->scheme() != "http" && url->scheme() != "https") || url->host().empty()) {
    return core::invalid_argument("issuer: public_url '" + options.public_url +
                                  "' is not an http(s) URL, e.g. http://127.0.0.1:8080");
  }
  if (options.key_dir.empty()) return core::invalid_argument("issuer: key_dir is empty");
  if (!is_supported_signing_alg(options.algorithm)) {
    return core::invalid_argument("issuer: algorithm " +
                                  std::string(auth::jwt::to_string(options.algorithm)) +
                                  " is not supported for issuing; use RS256, ES256 or EdDSA");
  }
  if (options.rate_limit.window_s == 0) {
    return core::invalid_argument("issuer: rate_limit.window_s must be at least 1");
  }
  if (options.max_pending == 0) {
    return core::invalid_argument("issuer: max_pending must be at least 1");
  }
  return {};
}

KeyDirOptions key_dir_options(const IssuerOptions& options) {
  return KeyDirOptions{options.key_dir, options.algorithm, options.rotation_grace_s,
                       certificate_common_name(options.issuer_url)};
}

HttpReply document_reply(std::string_view content_type, std::string body) {
  HttpReply reply;
  reply.headers.emplace_back("Content-Type", std::string(content_type));
  reply.headers.emplace_back("Cache-Control", std::string(kPublicCacheControl));
  reply.body = std::move(body);
  return reply;
}

// What the key endpoints serve at one key generation. Immutable once built.
struct Snapshot {
  std::shared_ptr<const KeySet> key_set;
  std::vector<std::string> visible_kids;  // active first
  std::vector<auth::jwt::Key> verification_keys;
  std::string jwks;
  std::string discovery;
  std::string pem;
};

class IssuerImpl final : public Issuer {
 public:
  IssuerImpl(IssuerOptions options, const core::Clock& clock, IssuerStats& stats,
             std::unique_ptr<ClientRegistry> clients, KeySet keys)
      : options_(std::move(options)),
        key_options_(key_dir_options(options_)),
        clock_(clock),
        stats_(stats),
        clients_(std::move(clients)),
        scopes_(clients_->all_scopes()),
        limiter_(options_.rate_limit, clock) {
    {
      std::lock_guard lock(keys_mu_);
      last_stamp_ = keys.manifest_stamp;
      key_set_ = std::make_shared<const KeySet>(std::move(keys));
      refresh_locked(true);
    }
    worker_ = std::thread([this] { work(); });
  }

  ~IssuerImpl() override { close(); }

  bool serves(std::string_view path) const override {
    return std::find(kEndpointPaths.begin(), kEndpointPaths.end(), path) != kEndpointPaths.end();
  }

  void handle(HttpRequest request, std::function<void(HttpReply)> done) override {
    if (request.path == kTokenPath) {
      if (request.method != "POST") {
        wipe(request.body);
        wipe(request.authorization);
        return answer(done, method_not_allowed(request.method, request.path, "POST"));
      }
      return handle_token(std::move(request), std::move(done));
    }
    if (!serves(request.path)) {
      HttpReply reply;
      reply.status = 404;
      add_no_store_headers(reply);
      reply.body = boost::json::serialize(boost::json::object{
          {"error", "not_found"}, {"error_description", "no such issuer endpoint"}});
      return answer(done, std::move(reply));
    }
    if (request.method != "GET") {
      return answer(done, method_not_allowed(request.method, request.path, "GET"));
    }
    std::shared_ptr<const Snapshot> snap = snapshot();
    if (request.path == kJwksPath) {
      return answer(done, document_reply("application/json", snap->jwks));
    }
    if (request.path == kDiscoveryPath) {
      return answer(done, document_reply("application/json", snap->discovery));
    }
    return answer(done, document_reply("application/x-pem-file", snap->pem));
  }

  core::Status poll() override {
    std::lock_guard poll_lock(poll_mu_);
    const std::string manifest = key_options_.dir + "/" + kManifestFile;
    auto stamp = stamp_of(manifest);
    {
      std::lock_guard lock(keys_mu_);
      refresh_locked(false);  // a retired key may have left the grace window
      if (!stamp) return std::move(stamp).error();
      if (*stamp == last_stamp_) return {};
    }
    auto loaded = load_key_dir(key_options_, clock_, /*wait_for_lock=*/false);
    if (!loaded) {
      if (loaded.error().code() == core::Code::kUnavailable) return {};  // a writer; next time
      std::lock_guard lock(keys_mu_);
      last_stamp_ = *stamp;  // report a broken manifest once, not on every poll
      return std::move(loaded).error();
    }
    std::lock_guard lock(keys_mu_);
    last_stamp_ = loaded->manifest_stamp;
    key_set_ = std::make_shared<const KeySet>(std::move(*loaded));
    refresh_locked(true);
    stats_.key_reloads.inc();
    return {};
  }

  uint64_t key_generation() const override {
    std::lock_guard lock(keys_mu_);
    refresh_locked(false);
    return generation_;
  }

  std::vector<auth::jwt::Key> verification_keys() const override {
    return snapshot()->verification_keys;
  }

  const std::string& issuer_url() const override { return options_.issuer_url; }

  std::string signing_certificate_pem() const override { return snapshot()->pem; }

  std::string signing_public_key_pem() const override {
    auto pem = public_key_pem_from_certificate(snapshot()->key_set->active().certificate_der);
    return pem ? *pem : std::string();
  }

  core::Result<std::string> mint(std::string_view client_id, std::string_view audience,
                                 std::string_view scope) override {
    const Client* client = clients_->find(client_id);
    if (client == nullptr) {
      return core::not_found("no issuer client '" + std::string(client_id) + "'");
    }
    auto grant =
        decide(*client, audience.empty() ? std::nullopt : std::optional<std::string>(audience),
               scope.empty() ? std::nullopt : std::optional<std::string>(scope));
    if (!grant) {
      core::Code code = grant.error().code == OAuthErrorCode::kInvalidRequest
                            ? core::Code::kInvalidArgument
                            : core::Code::kPermissionDenied;
      return core::Status(code, grant.error().description);
    }
    auto token = sign_token(*grant);
    if (token) stats_.tokens_issued.inc();
    return token;
  }

  void close() override {
    {
      std::lock_guard lock(queue_mu_);
      closed_ = true;
    }
    queue_cv_.notify_all();
    std::lock_guard lock(join_mu_);
    // From a `done` callback (the worker itself) there is nothing to wait for: the worker stops
    // after this job and the queue's rest; the destructor joins it.
    if (worker_.joinable() && worker_.get_id() != std::this_thread::get_id()) worker_.join();
  }

 private:
  struct Job {
    std::unique_ptr<TokenRequest> request;
    std::string peer_ip;
    std::function<void(HttpReply)> done;
    int priority = 1;  // FailureLimiter::priority(): lower is heard first
  };

  // --- replies and stats ---

  void count(const HttpReply& reply) {
    if (reply.status == 401) {
      stats_.auth_failures.inc();
    } else if (reply.status == 429) {
      stats_.rate_limited.inc();
    } else if (reply.status >= 400 && reply.status < 500) {
      stats_.rejected.inc();
    }
  }

  void answer(const std::function<void(HttpReply)>& done, HttpReply reply) {
    count(reply);
    done(std::move(reply));
  }

  // --- the token endpoint ---

  void handle_token(HttpRequest request, std::function<void(HttpReply)> done) {
    if (request.body.size() > options_.max_body_bytes) {
      const size_t size = request.body.size();
      wipe(request.body);
      wipe(request.authorization);
      return answer(done, error_reply(oauth_error(OAuthErrorCode::kInvalidRequest,
                                                  "request body is " + std::to_string(size) +
                                                      " bytes; the limit is " +
                                                      std::to_string(options_.max_body_bytes))));
    }
    auto parsed = parse_token_request(request.content_type, request.body, request.authorization);
    wipe(request.body);
    wipe(request.authorization);
    if (!parsed) return answer(done, error_reply(parsed.error()));
    std::unique_ptr<TokenRequest> token_request = std::move(*parsed);
    if (auto refused = precheck(*token_request, request.peer_ip)) {
      return answer(done, error_reply(*refused));
    }
    bool closed = false;
    {
      const int priority = limiter_.priority(token_request->client_id, request.peer_ip);
      std::unique_lock lock(queue_mu_);
      closed = closed_;
      if (!closed && queue_.size() >= options_.max_pending) {
        // Full: the newest job of a lower priority (a peer that failed already) gives its place
        // up, so a flood of wrong secrets cannot keep a renewing client out with 503s.
        auto last_lower = std::find_if(queue_.rbegin(), queue_.rend(),
                                       [&](const Job& j) { return j.priority > priority; });
        if (last_lower != queue_.rend()) {
          Job evicted = std::move(*last_lower);
          queue_.erase(std::next(last_lower).base());
          lock.unlock();
          evicted.request.reset();
          answer(evicted.done, busy_reply(false));
          lock.lock();
          closed = closed_;
        }
      }
      if (!closed && queue_.size() < options_.max_pending) {
        queue_.push_back(
            Job{std::move(token_request), std::move(request.peer_ip), std::move(done), priority});
        lock.unlock();
        queue_cv_.notify_one();
        return;
      }
    }
    answer(done, busy_reply(closed));
  }

  static HttpReply busy_reply(bool closed) {
    OAuthError busy = oauth_error(OAuthErrorCode::kTemporarilyUnavailable,
                                  closed ? "the token issuer is shutting down"
                                         : "too many pending token requests; retry shortly");
    busy.retry_after_s = 1;
    return error_reply(busy);
  }

  // The checks that need no secret hashing; run on the caller's thread so a flood of bad
  // requests never reaches the queue.
  std::optional<OAuthError> precheck(const TokenRequest& request, const std::string& peer_ip) {
    if (request.grant_type != "client_credentials") {
      return oauth_error(OAuthErrorCode::kUnsupportedGrantType,
                         "grant_type must be client_credentials; no other grant is supported");
    }
    if (uint32_t wait = limiter_.retry_after_s(request.client_id, peer_ip)) {
      OAuthError error = oauth_error(
          OAuthErrorCode::kTooManyRequests,
          "too many failed client authentications; retry in " + std::to_string(wait) + " s");
      error.retry_after_s = wait;
      return error;
    }
    return std::nullopt;
  }

  // On the worker thread.
  HttpReply grant_token(const TokenRequest& request, const std::string& peer_ip) {
    // Again: failures recorded while this request waited in the queue count too.
    if (auto refused = precheck(request, peer_ip)) return error_reply(*refused);
    const Client* client = clients_->authenticate(request.client_id, request.client_secret);
    if (client == nullptr) {
      limiter_.record_failure(request.client_id, peer_ip);
      OAuthError error = oauth_error(OAuthErrorCode::kInvalidClient,
                                     "client authentication failed: unknown client or wrong "
                                     "secret");
      error.basic_auth = request.basic_auth;
      return error_reply(error);
    }
    limiter_.record_success(request.client_id, peer_ip);
    auto grant = decide(*client, request.audience, request.scope);
    if (!grant) return error_reply(grant.error());
    auto token = sign_token(*grant);
    if (!token) {
      // RFC 6749 §5.2 has no code for this; server_error is what §4.1.2.1 uses.
      HttpReply reply;
      reply.status = 500;
      add_no_store_headers(reply);
      reply.body = boost::json::serialize(boost::json::object{
          {"error", "server_error"}, {"error_description", "the token could not be signed"}});
      return reply;
    }
    stats_.tokens_issued.inc();
    boost::json::object body{{"access_token", *token},
                             {"token_type", "Bearer"},
                             {"expires_in", grant->client->token_lifetime_s}};
    if (!grant->scopes.empty()) body["scope"] = join_scopes(grant->scopes);
    HttpReply reply;
    reply.status = 200;
    add_no_store_headers(reply);
    reply.body = boost::json::serialize(body);
    return reply;
  }

  core::Result<std::string> sign_token(const Grant& grant) {
    std::shared_ptr<const Snapshot> snap = snapshot();
    const StoredKey& key = snap->key_set->active();
    auto jti = random_jti();
    if (!jti) return std::move(jti).error();
    const int64_t now = clock_.unix_seconds();
    boost::json::object claims{{"iss", options_.issuer_url},
                               {"sub", grant.client->id + "@clients"},
                               {"aud", grant.audience},
                               {"iat", now},
                               {"exp", now + static_cast<int64_t>(grant.client->token_lifetime_s)}};
    if (!grant.scopes.empty()) claims["scope"] = join_scopes(grant.scopes);
    claims["jti"] = *jti;
    claims["azp"] = grant.client->id;
    claims["gty"] = "client-credentials";
    return auth::jwt::sign(boost::json::object{{"typ", "JWT"}}, claims, key.signing_key);
  }

  void work() {
    for (;;) {
      Job job;
      {
        std::unique_lock lock(queue_mu_);
        queue_cv_.wait(lock, [this] { return closed_ || !queue_.empty(); });
        if (queue_.empty()) return;  // closed and drained
        // Hashing is the bottleneck: the oldest job of the best priority goes first, judged now
        // (failures recorded while jobs waited demote them).
        for (Job& waiting : queue_)
          waiting.priority = limiter_.priority(waiting.request->client_id, waiting.peer_ip);
        auto next = std::min_element(queue_.begin(), queue_.end(), [](const Job& a, const Job& b) {
          return a.priority < b.priority;
        });
        job = std::move(*next);
        queue_.erase(next);
      }
      HttpReply reply = grant_token(*job.request, job.peer_ip);
      job.request.reset();  // wipes the secret before the reply goes out
      answer(job.done, std::move(reply));
    }
  }

  // --- keys ---

  std::shared_ptr<const Snapshot> snapshot() const {
    std::lock_guard lock(keys_mu_);
    refresh_locked(false);
    return snapshot_;
  }

  // Rebuilds the snapshot when the set of keys in the grace window changed (or `force`), and
  // bumps the generation then.
  void refresh_locked(bool force) const {
    const int64_t now = clock_.unix_seconds();
    std::vector<const StoredKey*> visible;
    for (const StoredKey& key : key_set_->keys) {
      if (!key.retired_unix ||
          now - *key.retired_unix < static_cast<int64_t>(options_.rotation_grace_s)) {
        visible.push_back(&key);
      }
    }
    if (!force && snapshot_ && visible.size() == snapshot_->visible_kids.size()) return;
    auto snap = std::make_shared<Snapshot>();
    snap->key_set = key_set_;
    for (const StoredKey* key : visible) {
      snap->visible_kids.push_back(key->kid);
      snap->verification_keys.push_back(key->verification_key);
    }
    snap->jwks = jwks_document(visible);
    snap->discovery = discovery_document(
        {options_.issuer_url, options_.public_url, key_set_->active().alg, scopes_});
    snap->pem = certificate_pem(key_set_->active().certificate_der);
    snapshot_ = std::move(snap);
    ++generation_;
  }

  const IssuerOptions options_;  // client secrets already wiped
  const KeyDirOptions key_options_;
  const core::Clock& clock_;
  IssuerStats& stats_;
  const std::unique_ptr<ClientRegistry> clients_;
  const std::vector<std::string> scopes_;
  FailureLimiter limiter_;

  std::mutex poll_mu_;  // one reload at a time
  mutable std::mutex keys_mu_;
  // Guarded by keys_mu_ (mutable: reads refresh the grace window).
  std::shared_ptr<const KeySet> key_set_;
  FileStamp last_stamp_;
  mutable std::shared_ptr<const Snapshot> snapshot_;
  mutable uint64_t generation_ = 0;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Job> queue_;  // guarded by queue_mu_
  bool closed_ = false;    // guarded by queue_mu_
  std::mutex join_mu_;     // concurrent close() calls join once
  std::thread worker_;
};

}  // namespace

core::Result<std::unique_ptr<Issuer>> Issuer::open(IssuerOptions options, const core::Clock& clock,
                                                   IssuerStats& stats) {
  // The plain secrets go on every path; ClientRegistry::create wipes them too, but an invalid
  // option may return before it runs.
  struct WipeSecrets {
    std::vector<ClientOptions>& clients;
    ~WipeSecrets() {
      for (auto& client : clients)
        wipe(client.secret);
    }
  } wipe_secrets{options.clients};

  if (core::Status valid = check_options(options); !valid.ok()) return valid;
  auto clients = ClientRegistry::create(options.clients);
  if (!clients) return std::move(clients).error();
  auto keys = open_key_dir(key_dir_options(options), clock);
  if (!keys) return std::move(keys).error();
  return std::unique_ptr<Issuer>(
      new IssuerImpl(std::move(options), clock, stats, std::move(*clients), std::move(*keys)));
}

core::Result<std::string> rotate_keys(const IssuerOptions& options, const core::Clock& clock) {
  if (options.key_dir.empty()) return core::invalid_argument("issuer: key_dir is empty");
  return rotate_key_dir(key_dir_options(options), clock);
}

}  // namespace gatehouse::issuer
