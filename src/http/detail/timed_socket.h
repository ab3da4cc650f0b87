// A TCP socket whose reads and writes are bounded by a deadline, with the contract of
// beast::basic_stream's timeouts, which the listener's sessions and the service client were
// written against, at a fraction of its cost per operation.
//
// The contract: expires_after / expires_at / expires_never set the deadline of the operations
// started from then on (a pending one keeps the deadline it started with). When an operation's
// deadline passes before it completes, the socket is closed and the pending operations complete
// with beast::error::timeout; one started after its deadline passed completes so at once.
//
// The cost: beast::basic_stream waits on a timer per operation and cancels it at the end (an
// allocation, two timer-queue updates and one more handler through the scheduler, for every read
// and every write). Here one timer per socket is armed for the earliest deadline of what is
// pending, and moved only when an operation starts with an earlier one: a keep-alive connection
// whose deadlines move later with each request re-arms it about once per timeout period.
//
// Thread safety: one thread at a time (the socket's context's), as for the socket.
#pragma once

#include <algorithm>
#include <boost/asio/associator.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <utility>

namespace gatehouse::http::detail {

class TimedSocket {
  struct State;

 public:
  using executor_type = boost::asio::io_context::executor_type;
  using socket_type = boost::asio::basic_stream_socket<boost::asio::ip::tcp, executor_type>;
  // What asio::ssl::stream asks of the layer below it.
  using lowest_layer_type = socket_type;
  using clock = std::chrono::steady_clock;

  explicit TimedSocket(executor_type ex) : state_(std::make_shared<State>(socket_type(ex))) {}
  explicit TimedSocket(socket_type socket) : state_(std::make_shared<State>(std::move(socket))) {}
  TimedSocket(TimedSocket&&) noexcept = default;
  TimedSocket& operator=(TimedSocket&&) = delete;
  // Closes the socket: what is pending completes as aborted (and lets go of the state).
  ~TimedSocket() {
    if (!state_) return;  // moved from
    state_->timer.cancel();
    close();
  }

  executor_type get_executor() noexcept { return state_->socket.get_executor(); }
  socket_type& socket() noexcept { return state_->socket; }
  lowest_layer_type& lowest_layer() noexcept { return state_->socket; }
  const lowest_layer_type& lowest_layer() const noexcept { return state_->socket; }

  void expires_after(clock::duration d) { state_->deadline = clock::now() + d; }
  void expires_at(clock::time_point t) { state_->deadline = t; }
  // Gives the read in progress, if any, the deadline `t` instead of the one it started with (the
  // listener waits for a client's next request untimed while an answer is still owed, and gives
  // that wait the idle timeout once none is). Operations started later are not affected.
  void read_expires_at(clock::time_point t) { state_->move_due(kRead, t); }
  // With nothing pending, the timer is let go too: an armed wait would keep the socket's context
  // running with nothing to time (a pooled idle connection, a context run until its work ends).
  void expires_never() {
    state_->deadline = clock::time_point::max();
    state_->disarm_if_idle();
  }

  void close() {
    boost::beast::error_code ignored;
    state_->socket.close(ignored);
  }

  template <class Buffers, class Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::beast::error_code, std::size_t)>(
        [](auto handler, const std::shared_ptr<State>& s, const Buffers& b) {
          s->start(kRead);
          s->socket.async_read_some(b, Finish<decltype(handler)>{s, kRead, std::move(handler)});
        },
        token, state_, buffers);
  }

  template <class Buffers, class Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::beast::error_code, std::size_t)>(
        [](auto handler, const std::shared_ptr<State>& s, const Buffers& b) {
          s->start(kWrite);
          s->socket.async_write_some(b, Finish<decltype(handler)>{s, kWrite, std::move(handler)});
        },
        token, state_, buffers);
  }

  // Connects to the first of `endpoints` that accepts, within the deadline.
  template <class Endpoints, class Token>
  auto async_connect(const Endpoints& endpoints, Token&& token) {
    using endpoint = boost::asio::ip::tcp::endpoint;
    return boost::asio::async_initiate<Token, void(boost::beast::error_code, endpoint)>(
        [](auto handler, const std::shared_ptr<State>& s, const Endpoints& eps) {
          s->start(kWrite);
          boost::asio::async_connect(s->socket, eps,
                                     Finish<decltype(handler)>{s, kWrite, std::move(handler)});
        },
        token, state_, endpoints);
  }

  // The completion of an operation: marks it done and reports a close for its deadline as the
  // timeout it is. Associated executor, allocator and cancellation slot are the handler's.
  template <class Handler>
  struct Finish {
    std::shared_ptr<State> state;
    int direction;
    Handler handler;

    template <class... Args>
    void operator()(boost::beast::error_code ec, Args&&... args) {
      state->pending[direction] = false;
      if (ec == boost::asio::error::operation_aborted && state->timed_out) {
        ec = boost::beast::error::timeout;
      }
      std::move(handler)(ec, std::forward<Args>(args)...);
    }
  };

 private:
  static constexpr int kRead = 0;
  static constexpr int kWrite = 1;

  struct State : std::enable_shared_from_this<State> {
    explicit State(socket_type s) : socket(std::move(s)), timer(socket.get_executor()) {}

    socket_type socket;
    boost::asio::basic_waitable_timer<clock, boost::asio::wait_traits<clock>, executor_type> timer;
    clock::time_point deadline = clock::time_point::max();  // of operations started from now
    clock::time_point due[2] = {clock::time_point::max(), clock::time_point::max()};
    bool pending[2] = {false, false};
    bool armed = false;
    clock::time_point armed_at{};
    bool timed_out = false;

    void start(int direction) {
      pending[direction] = true;
      due[direction] = deadline;
      if (deadline == clock::time_point::max()) return;
      if (armed && armed_at <= deadline) return;  // fires first; re-armed then if need be
      arm(deadline);
    }

    void move_due(int direction, clock::time_point at) {
      if (!pending[direction]) return;
      due[direction] = at;
      // Later than the timer: it finds the operation not due when it fires, and re-arms.
      if (at == clock::time_point::max() || (armed && armed_at <= at)) return;
      arm(at);
    }

    void arm(clock::time_point at) {
      armed = true;
      armed_at = at;
      timer.expires_at(at);  // a wait pending on the earlier setting ends as aborted
      timer.async_wait([weak = weak_from_this()](boost::beast::error_code ec) {
        if (ec == boost::asio::error::operation_aborted) return;
        if (auto self = weak.lock()) self->on_timer();
      });
    }

    void disarm_if_idle() {
      if (!armed || pending[0] || pending[1]) return;
      armed = false;
      timer.cancel();
    }

    void on_timer() {
      const auto now = clock::now();
      if (armed && now < armed_at) return;  // a wait that ended before a re-arm: not due yet
      armed = false;
      auto next = clock::time_point::max();
      for (int d = 0; d < 2; ++d) {
        if (!pending[d]) continue;
        if (due[d] <= now) timed_out = true;
        next = std::min(next, due[d]);
      }
      if (timed_out) {
        boost::beast::error_code ignored;
        socket.close(ignored);  // what is pending completes as aborted: reported as timeout
        return;
      }
      if (next != clock::time_point::max()) arm(next);
    }
  };

  std::shared_ptr<State> state_;
};

}  // namespace gatehouse::http::detail

namespace boost::asio {

template <template <typename, typename> class Associator, typename Handler,
          typename DefaultCandidate>
struct associator<Associator, gatehouse::http::detail::TimedSocket::Finish<Handler>,
                  DefaultCandidate> : Associator<Handler, DefaultCandidate> {
  static typename Associator<Handler, DefaultCandidate>::type get(
      const gatehouse::http::detail::TimedSocket::Finish<Handler>& h) noexcept {
    return Associator<Handler, DefaultCandidate>::get(h.handler);
  }
  static auto get(const gatehouse::http::detail::TimedSocket::Finish<Handler>& h,
                  const DefaultCandidate& c) noexcept
      -> decltype(Associator<Handler, DefaultCandidate>::get(h.handler, c)) {
    return Associator<Handler, DefaultCandidate>::get(h.handler, c);
  }
};

}  // namespace boost::asio
