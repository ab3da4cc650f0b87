// The built-in JWT authorizer: the identity source carries `Bearer <JWT>` (or the bare token); it
// is verified in process against the authorizer's key set (auth/jwks), with no network call on the
// request path. A token whose `kid` is not in the current set triggers a rate-limited key refetch
// (key rotation), and the request waits for that refetch instead of failing.
//
// Thread safety: authorize() from any thread; poll() from one thread.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "auth/authorizers/authorizer.h"
#include "auth/jwks/key_provider.h"
#include "auth/jwt/verify.h"

namespace gatehouse::auth {

struct JwtAuthorizerOptions {
  jwt::VerifyOptions verify;
};

class JwtAuthorizer final : public Authorizer {
 public:
  // `keys` supplies the key set (static or fetched); `clock` gives `now` for exp/nbf/iat.
  // `key_stats` are the provider's counters (exported through counters()); they must outlive us.
  JwtAuthorizer(JwtAuthorizerOptions options, std::unique_ptr<jwks::KeyProvider> keys,
                const core::Clock& clock, const jwks::KeyProviderStats& key_stats);

  void authorize(const AuthRequest& request, AuthCallback done) override;
  // True while the key that verified the decision's token is in the current key set.
  bool still_valid(const Decision& decision) const override;
  void start() override;
  void poll() override;
  bool ready() const override;
  std::vector<std::pair<std::string, const core::Counter*>> counters() const override;

  // The pure part: extracts the token from an identity value and verifies it against `keys`.
  static AuthResult decide(std::string_view identity, const jwks::KeySet* keys,
                           const jwt::VerifyOptions& options, int64_t now_unix);

 private:
  const JwtAuthorizerOptions options_;
  std::unique_ptr<jwks::KeyProvider> keys_;
  const core::Clock& clock_;
  const jwks::KeyProviderStats& key_stats_;
};

// The token inside an Authorization-style value: "Bearer <token>" (scheme case-insensitive, as
// RFC 7235 says) or a bare token (API Gateway's JWT authorizers accept both). Empty when the value
// uses another scheme (e.g. Basic) or is blank.
std::string_view bearer_token(std::string_view identity);

}  // namespace gatehouse::auth
