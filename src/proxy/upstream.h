// One upstream service of http_proxy integrations: an origin (http(s)://host:port) with a
// keep-alive connection pool per I/O thread (http::OriginClient), so a request is sent from the
// thread it arrived on, with no hop and no lock between threads. Routes with the same origin share
// one Upstream, and its counters.
//
// Bodies pass through as they arrive, both ways (http::OriginClient::open): what an exchange
// holds is a piece each way, whatever the body's size. A request that may have reached the
// service is never sent twice: a reused connection found closed before any answer is retried on
// a fresh one only for idempotent methods whose body was held whole, or when the request could
// not even be written.
//
// Thread safety: open() on an I/O thread of the pools (the client connection's); the answer and
// the body's pieces come on that thread.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/stats.h"
#include "core/status.h"
#include "http/origin_client.h"

namespace gatehouse::proxy {

struct UpstreamStats {
  core::Counter requests;     // exchanges begun
  core::Counter answered;     // an answer came back (any status)
  core::Counter unavailable;  // no connection, refused, reset, a broken answer
  core::Counter timeouts;     // no complete answer within the route's timeout
  core::Counter busy;         // refused: too many requests already waited for a connection
  core::Counter cut_off;      // the answer's head came, its body broke off before its end
  core::Histogram latency;    // from sending to the answer's head
};

class Upstream : public std::enable_shared_from_this<Upstream> {
 public:
  // `origin` as core/endpoint_uri.h derives it; one pool per context in `io` (the I/O threads).
  static core::Result<std::shared_ptr<Upstream>> create(
      std::string origin, const std::vector<boost::asio::io_context*>& io,
      http::OriginOptions options = {});

  const std::string& origin() const { return origin_; }
  // What it was created with.
  const http::OriginOptions& options() const { return options_; }
  const UpstreamStats& stats() const { return stats_; }
  // New connections opened so far, and those open now (idle or busy), over every pool.
  uint64_t connections_opened() const;
  uint64_t connections_open() const;

  // Passive health (proxy/targets.h): after no connection could be opened to it, the upstream
  // is cooling down for `cool_down`, and routes with other targets skip it meanwhile.
  void mark_unreachable(std::chrono::milliseconds cool_down);
  bool cooling_down() const;

  // The exchange on the pool of the I/O thread `where` runs on (http::OriginClient::open).
  // kInternal when `where` is not one of the pools' threads.
  // `done` gets the answer and this upstream (what Targets tells its callers).
  using Done =
      std::function<void(core::Result<http::OriginStream, http::OriginError>, const Upstream&)>;
  void open(const boost::asio::any_io_executor& where, http::OriginRequest request,
            std::chrono::milliseconds timeout, Done done);

 private:
  Upstream(std::string origin, http::OriginOptions options,
           std::vector<std::shared_ptr<http::OriginClient>> lanes);
  std::string origin_;
  http::OriginOptions options_;
  std::vector<std::shared_ptr<http::OriginClient>> lanes_;
  std::vector<boost::asio::io_context*> contexts_;
  UpstreamStats stats_;
  std::atomic<int64_t> cool_until_us_{0};  // on core::os_monotonic()
};

}  // namespace gatehouse::proxy
