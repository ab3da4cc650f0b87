// The HTTP/1.1 listener: Asio acceptor plus one Beast session per connection.
//
// Usage:
//   http::IoPool pool(2);                       // one io_context and thread per core
//   http::Server server(pool, handler, limits, "api");
//   if (auto s = server.listen("127.0.0.1", 8080); !s.ok()) ...
//   server.start();
//   pool.run();                                 // blocks until the pool stops
//   // on SIGTERM: server.drain(then) stops accepting, lets in-flight requests finish and calls
//   // `then` when no connection is left (or close_all() after the grace period).
//
// Per connection, requests are handed to the handler one at a time and answered in order; an
// exchange the handler drops unanswered answers 500 itself (http/message.h). Limits (limits.h)
// bound what a connection can make the server hold.
//
// With set_tls(), connections speak TLS: each request carries its connection's TlsFacts.
//
// Thread safety: listen() and start() before pool.run(); drain() and close_all() from any thread.
// Each connection lives on one io_context (one thread), so a session needs no strand.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/stats.h"
#include "core/status.h"
#include "http/io_pool.h"
#include "http/limits.h"
#include "http/message.h"

namespace gatehouse::http {

struct ServerStats {
  core::Counter connections_accepted;
  core::Counter connections_refused;  // closed at once: the admission check said no
  core::Gauge connections_open;
  core::Counter protocol_errors;
  core::Counter timeouts;
  core::Counter tls_handshake_errors;  // TLS listeners: handshakes that failed or timed out
};

// Decides, before a byte is read, whether an accepted connection may stay (a worker's Runtime API
// endpoint admits only its own worker's processes). Runs on the acceptor's thread: it must be
// quick and must not throw.
using Admission = std::function<bool(const boost::asio::ip::tcp::endpoint& local,
                                     const boost::asio::ip::tcp::endpoint& peer)>;

class TlsServerContext;  // http/tls_server.h

// The TLS settings for a connection being accepted: the current ones (a reload may have loaded
// new certificates). Runs on the acceptor's thread; must not throw. Null refuses the connection:
// a TLS listener never falls back to plain HTTP.
using TlsSource = std::function<std::shared_ptr<const TlsServerContext>()>;

class Server {
 public:
  Server(IoPool& pool, Handler& handler, Limits limits, std::string name, ServerStats* stats);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. Errors name the address (e.g. "address already in use").
  core::Status listen(const std::string& host, uint16_t port);
  // The bound port (useful with port 0).
  uint16_t port() const { return port_; }
  const std::string& name() const { return name_; }
  // Every accepted connection is first shown to `admission`; refused ones are closed unread.
  // Requires: before start().
  void set_admission(Admission admission);
  // Every accepted connection speaks TLS with the settings `tls` gives at its accept: its
  // handshake must complete within Limits::header_timeout_ms. Requires: before start().
  void set_tls(TlsSource tls);
  // Starts accepting. Requires: listen() succeeded.
  void start();
  // Stops accepting and closes idle connections; connections with requests in flight finish them
  // (answered with `Connection: close`). `done` runs once no connection is left.
  void drain(std::function<void()> done);
  // Closes every connection now.
  void close_all();

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
  std::string name_;
  uint16_t port_ = 0;
};

}  // namespace gatehouse::http
