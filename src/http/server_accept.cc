#include <spdlog/spdlog.h>
#include <algorithm>
#include <boost/asio/post.hpp>
#include <vector>

#include "http/detail/server_impl.h"

namespace gatehouse::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using std::chrono::milliseconds;

core::Status Server::Impl::listen(const std::string& host, uint16_t port, uint16_t* bound) {
  beast::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return core::invalid_argument("listen address '" + host + "' is not an IP address");
  tcp::endpoint endpoint(address, port);
  std::string where = host + ":" + std::to_string(port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec == asio::error::address_in_use) {
    return core::unavailable("cannot listen on " + where +
                             ": address already in use (another process holds this port; stop "
                             "it or choose another port in the config)");
  }
  if (ec) return core::unavailable("cannot listen on " + where + ": " + ec.message());
  *bound = acceptor_.local_endpoint(ec).port();
  return {};
}

void Server::Impl::do_accept() {
  acceptor_.async_accept(pool_.next(), peer_,
                         [self = shared_from_this()](beast::error_code ec, detail::Socket socket) {
                           self->on_accept(ec, std::move(socket));
                         });
}

void Server::Impl::on_accept(beast::error_code ec, detail::Socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) return accept_later(ec);
  retry_delay_ = milliseconds(0);
  std::shared_ptr<const TlsServerContext> tls = tls_ ? tls_() : nullptr;
  if (admitted(socket) && (tls || !tls_)) {
    stats_->connections_accepted.inc();
    detail::start_session(std::move(socket), peer_, shared_from_this(), std::move(tls));
  } else {
    stats_->connections_refused.inc();
    beast::error_code ignored;
    socket.close(ignored);
  }
  if (static_cast<uint32_t>(stats_->connections_open.value()) >= limits_.max_connections) {
    accept_paused_ = true;  // resumed by session_closed
    return;
  }
  do_accept();
}

bool Server::Impl::admitted(detail::Socket& socket) {
  if (!admission_) return true;
  beast::error_code ec;
  auto local = socket.local_endpoint(ec);
  if (ec) return false;  // already reset by the peer
  return admission_(local, peer_);
}

void Server::Impl::accept_later(const beast::error_code& ec) {
  // A connection that died in the backlog is no reason to wait.
  if (ec == asio::error::connection_aborted || ec == asio::error::interrupted) return do_accept();
  if (retry_delay_.count() == 0) {
    spdlog::warn(
        "listener {}: cannot accept connections: {}; retrying every second at most "
        "until it can (raise the open-files limit or lower max_connections)",
        name_, ec.message());
  }
  retry_delay_ = std::clamp(retry_delay_ * 2, milliseconds(10), milliseconds(1000));
  retry_timer_.expires_after(retry_delay_);
  retry_timer_.async_wait([self = shared_from_this()](beast::error_code timer_ec) {
    if (timer_ec || !self->acceptor_.is_open()) return;
    self->do_accept();
  });
}

// ---------------------------------------------------------------------------------------------
// The registry of sessions

void Server::Impl::session_opened(const std::shared_ptr<detail::Session>& s) {
  std::lock_guard lock(mu_);
  sessions_.emplace(s.get(), s);
  stats_->connections_open.set(static_cast<int64_t>(sessions_.size()));
}

void Server::Impl::session_closed(detail::Session* s) {
  std::function<void()> done;
  {
    std::lock_guard lock(mu_);
    sessions_.erase(s);
    stats_->connections_open.set(static_cast<int64_t>(sessions_.size()));
    if (draining_ && sessions_.empty() && drained_) done = std::move(drained_);
  }
  if (done) done();
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    if (self->accept_paused_ && self->acceptor_.is_open()) {
      self->accept_paused_ = false;
      self->do_accept();
    }
  });
}

void Server::Impl::drain(std::function<void()> done) {
  asio::post(acceptor_.get_executor(),
             [self = shared_from_this(), done = std::move(done)]() mutable {
               beast::error_code ignored;
               self->acceptor_.close(ignored);
               self->retry_timer_.cancel();
               std::vector<std::shared_ptr<detail::Session>> live;
               {
                 std::lock_guard lock(self->mu_);
                 self->draining_ = true;
                 for (auto& [raw, weak] : self->sessions_) {
                   if (auto s = weak.lock()) live.push_back(std::move(s));
                 }
                 if (self->sessions_.empty()) {
                   if (done) asio::post(self->acceptor_.get_executor(), std::move(done));
                   return;
                 }
                 self->drained_ = std::move(done);
               }
               for (auto& s : live)
                 detail::begin_close(*s);
             });
}

void Server::Impl::close_all() {
  std::vector<std::shared_ptr<detail::Session>> live;
  {
    std::lock_guard lock(mu_);
    for (auto& [raw, weak] : sessions_) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live)
    detail::force_close(*s);
}

// ---------------------------------------------------------------------------------------------
// Server

Server::Server(IoPool& pool, Handler& handler, Limits limits, std::string name, ServerStats* stats)
    : impl_(std::make_shared<Impl>(pool, handler, limits, name, stats)), name_(std::move(name)) {}

Server::~Server() = default;

core::Status Server::listen(const std::string& host, uint16_t port) {
  return impl_->listen(host, port, &port_);
}

void Server::set_admission(Admission admission) {
  impl_->admission_ = std::move(admission);
}

void Server::set_tls(TlsSource tls) {
  impl_->tls_ = std::move(tls);
}

void Server::start() {
  asio::post(impl_->pool_.at(0), [impl = impl_] { impl->start(); });
}

void Server::drain(std::function<void()> done) {
  impl_->drain(std::move(done));
}

void Server::close_all() {
  impl_->close_all();
}

}  // namespace gatehouse::http
