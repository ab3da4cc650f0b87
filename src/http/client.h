// A small asynchronous HTTP/1.1 client for fetching documents (JWKS, OpenID discovery; later the
// DynamoDB API). HTTPS certificates are verified against the system CA store (OpenSSL's default
// paths; SSL_CERT_FILE / SSL_CERT_DIR override them) including the host name.
//
// Thread safety: get() may be called from any thread; completions run on the client's io_context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/defaults.h"
#include "core/status.h"

namespace gatehouse::http {

struct FetchOptions {
  // Default 1500 ms for the whole exchange (resolve, connect, TLS, request, response), as API
  // Gateway's JWKS fetch timeout.
  uint32_t timeout_ms = core::defaults::kJwksFetchTimeoutMs;
  // Default 150000 bytes of response body (API Gateway's JWKS size cap).
  size_t max_body_bytes = core::defaults::kMaxJwksBytes;
};

struct FetchResponse {
  unsigned status = 0;
  std::string content_type;
  std::string body;
};

class Client {
 public:
  explicit Client(boost::asio::io_context& ioc);
  ~Client();

  // GETs `url` (http or https). `done` gets the response for a 2xx status. Errors:
  // kInvalidArgument (not an http(s) URL), kUnavailable (DNS, connect, TLS or certificate failure,
  // non-2xx status: the message says which), kDeadlineExceeded, kResourceExhausted (body too
  // large).
  void get(const std::string& url, FetchOptions options,
           std::function<void(core::Result<FetchResponse>)> done);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace gatehouse::http
