#include "auth/authorizers/jwt_authorizer.h"

#include <chrono>

#include "core/text.h"

namespace gatehouse::auth {

std::string_view bearer_token(std::string_view identity) {
  identity = core::trim_ows(identity);
  auto space = identity.find(' ');
  if (space == std::string_view::npos) {
    // A bare token: three dot-separated parts, checked strictly by the decoder.
    return identity;
  }
  std::string_view scheme = identity.substr(0, space);
  static constexpr std::string_view kBearer = "bearer";
  if (scheme.size() != kBearer.size()) return {};
  for (size_t i = 0; i < kBearer.size(); ++i) {
    if ((scheme[i] | 0x20) != kBearer[i]) return {};
  }
  std::string_view token = core::trim_ows(identity.substr(space + 1));
  // "Bearer a b" is not one token.
  if (token.find(' ') != std::string_view::npos) return {};
  return token;
}

JwtAuthorizer::JwtAuthorizer(JwtAuthorizerOptions options, std::unique_ptr<jwks::KeyProvider> keys,
                             const core::Clock& clock, const jwks::KeyProviderStats& key_stats)
    : options_(std::move(options)), keys_(std::move(keys)), clock_(clock), key_stats_(key_stats) {}

AuthResult JwtAuthorizer::decide(std::string_view identity, const jwks::KeySet* keys,
                                 const jwt::VerifyOptions& options, int64_t now_unix) {
  std::string_view token = bearer_token(identity);
  if (token.empty()) return AuthError::kTokenMalformed;
  if (!keys) return AuthError::kKeysUnavailable;
  auto verified = jwt::verify(token, keys->keys(), options, now_unix);
  if (!verified) return verified.error();
  auto decision = std::make_shared<Decision>();
  decision->principal_id = std::move(verified->subject);
  decision->claims = std::move(verified->claims);
  decision->scopes = std::move(verified->scopes);
  decision->expires_at = core::SystemTime(std::chrono::seconds(verified->expires_at));
  decision->verified_by = std::move(verified->key);
  return DecisionPtr(std::move(decision));
}

bool JwtAuthorizer::still_valid(const Decision& decision) const {
  if (!decision.verified_by) return false;  // every decision of ours names its key
  auto keys = keys_->snapshot();
  if (!keys) return false;
  for (const jwt::Key& key : keys->keys()) {
    if (key.same_material(*decision.verified_by)) return true;
  }
  return false;
}

void JwtAuthorizer::authorize(const AuthRequest& request, AuthCallback done) {
  auto keys = keys_->snapshot();
  AuthResult result = decide(request.identity, keys.get(), options_.verify, clock_.unix_seconds());
  if (result || result.error() != AuthError::kKidNotFound) return done(std::move(result));
  // An unknown kid: the issuer may have rotated its keys. Ask for a refetch (rate-limited) and
  // verify once more when it ends; without a refetch (static keys, or too soon) it fails now.
  auto shared_done = std::make_shared<AuthCallback>(std::move(done));
  bool waiting =
      keys_->on_kid_miss([this, identity = std::string(request.identity), shared_done]() {
        auto fresh = keys_->snapshot();
        (*shared_done)(decide(identity, fresh.get(), options_.verify, clock_.unix_seconds()));
      });
  if (!waiting) (*shared_done)(AuthError::kKidNotFound);
}

void JwtAuthorizer::start() {
  keys_->start();
}

void JwtAuthorizer::poll() {
  keys_->poll();
}

bool JwtAuthorizer::ready() const {
  return keys_->ready();
}

std::vector<std::pair<std::string, const core::Counter*>> JwtAuthorizer::counters() const {
  const auto& s = key_stats_;
  return {{"jwks_fetch_ok_total", &s.fetch_ok},
          {"jwks_fetch_failed_total", &s.fetch_failed},
          {"jwks_kid_miss_refetch_total", &s.kid_miss_refetches}};
}

}  // namespace gatehouse::auth
