// One upstream service of http_proxy integrations: an origin (http(s)://host:port) with a
// keep-alive connection pool per I/O thread (http::OriginClient), so a request is sent from the
// thread it arrived on, with no hop and no lock between threads. Routes with the same origin share
// one Upstream, and its counters.
//
// Bodies are held whole in this version (up to kMaxBodyBytes each way, API Gateway's payload
// limit); a request that may have reached the service is never sent twice: a reused connection
// found closed before any answer is retried on a fresh one only for idempotent methods, or when
// the request could not even be written.
//
// Thread safety: send() from any thread; the answer comes on the I/O thread it was sent from.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/stats.h"
#include "core/status.h"
#include "http/origin_client.h"

namespace gatehouse::proxy {

// API Gateway's payload limit: an answer larger than this is refused (502).
inline constexpr size_t kMaxBodyBytes = 10 * 1024 * 1024;

struct UpstreamStats {
  core::Counter requests;     // exchanges begun
  core::Counter answered;     // an answer came back (any status)
  core::Counter unavailable;  // no connection, refused, reset, a broken answer
  core::Counter timeouts;     // no complete answer within the route's timeout
  core::Counter busy;         // refused: too many requests already waited for a connection
  core::Counter too_large;    // the answer was over kMaxBodyBytes
  core::Histogram latency;    // from sending to the complete answer
};

class Upstream {
 public:
  // `origin` as core/endpoint_uri.h derives it; one pool per context in `io` (the I/O threads).
  static core::Result<std::shared_ptr<Upstream>> create(
      std::string origin, const std::vector<boost::asio::io_context*>& io,
      http::OriginOptions options = {});

  const std::string& origin() const { return origin_; }
  // What it was created with (max_response_bytes set to kMaxBodyBytes).
  const http::OriginOptions& options() const { return options_; }
  const UpstreamStats& stats() const { return stats_; }
  // New connections opened so far, over every pool.
  uint64_t connections_opened() const;

  using Done = std::function<void(core::Result<http::OriginResponse, http::OriginError>)>;
  void send(http::OriginRequest request, std::chrono::milliseconds timeout, Done done);

 private:
  Upstream(std::string origin, http::OriginOptions options,
           std::vector<std::shared_ptr<http::OriginClient>> lanes);
  std::string origin_;
  http::OriginOptions options_;
  std::vector<std::shared_ptr<http::OriginClient>> lanes_;
  std::vector<boost::asio::io_context*> contexts_;
  UpstreamStats stats_;
};

}  // namespace gatehouse::proxy
