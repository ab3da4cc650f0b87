// The seam between key refresh and the network: KeyProvider asks a Fetcher for a URL's body.
// The gateway implements it over Asio + HTTPS (http/ client); tests use a fake that answers when
// told to.
//
// Thread safety: implementations must accept fetch() from any thread (KeyProvider calls it from
// poll() on the owner's timer and from on_kid_miss() on a request thread). There is no cancel:
// KeyProvider drops completions it no longer wants, and the implementation must complete or
// drop its pending requests before it is destroyed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "core/defaults.h"
#include "core/status.h"

namespace gatehouse::auth::jwks {

struct FetchOptions {
  // Whole-request deadline, connect to last byte. API Gateway uses 1500 ms for JWKS and discovery.
  int64_t timeout_ms = core::defaults::kJwksFetchTimeoutMs;
  // Larger bodies fail with kResourceExhausted (API Gateway: 150,000 bytes for a JWKS).
  size_t max_bytes = core::defaults::kMaxJwksBytes;
};

class Fetcher {
 public:
  // The body of a 200 response, or kUnavailable (connect/TLS/HTTP status errors),
  // kDeadlineExceeded (timeout) or kResourceExhausted (too large); messages name the URL.
  using Done = std::function<void(core::Result<std::string>)>;

  virtual ~Fetcher() = default;

  // Starts a GET of `url` and returns without blocking. Calls `done` exactly once, on any
  // thread, possibly before fetch() returns.
  virtual void fetch(const std::string& url, FetchOptions options, Done done) = 0;
};

}  // namespace gatehouse::auth::jwks
