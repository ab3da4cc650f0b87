#include "proxy/upstream.h"

#include <boost/asio/post.hpp>

#include "core/clock.h"

namespace gatehouse::proxy {

core::Result<std::shared_ptr<Upstream>> Upstream::create(
    std::string origin, const std::vector<boost::asio::io_context*>& io,
    http::OriginOptions options) {
  std::vector<std::shared_ptr<http::OriginClient>> lanes;
  for (boost::asio::io_context* ioc : io) {
    auto client = http::OriginClient::create(*ioc, origin, options);
    if (!client) return client.error();
    lanes.push_back(std::move(*client));
  }
  std::shared_ptr<Upstream> out(new Upstream(std::move(origin), options, std::move(lanes)));
  out->contexts_ = io;
  return out;
}

Upstream::Upstream(std::string origin, http::OriginOptions options,
                   std::vector<std::shared_ptr<http::OriginClient>> lanes)
    : origin_(std::move(origin)), options_(std::move(options)), lanes_(std::move(lanes)) {}

uint64_t Upstream::connections_opened() const {
  uint64_t n = 0;
  for (const auto& lane : lanes_)
    n += lane->connections_opened();
  return n;
}

namespace {
int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             core::os_monotonic().time_since_epoch())
      .count();
}
}  // namespace

void Upstream::mark_unreachable(std::chrono::milliseconds cool_down) {
  cool_until_us_.store(now_us() + cool_down.count() * 1000, std::memory_order_relaxed);
}

bool Upstream::cooling_down() const {
  return now_us() < cool_until_us_.load(std::memory_order_relaxed);
}

uint64_t Upstream::connections_open() const {
  uint64_t n = 0;
  for (const auto& lane : lanes_)
    n += lane->connections_open();
  return n;
}

void Upstream::open(const boost::asio::any_io_executor& where, http::OriginRequest request,
                    std::chrono::milliseconds timeout, Done done) {
  // The client connection's own thread and pool: no hop between threads, and the two sides of
  // a streamed body meet on one thread.
  // Compared by context, without building a type-erased executor per lane and request.
  http::OriginClient* lane = nullptr;
  const auto* ex = where.target<boost::asio::io_context::executor_type>();
  for (size_t i = 0; ex != nullptr && i < contexts_.size(); ++i) {
    if (&ex->context() == contexts_[i]) lane = lanes_[i].get();
  }
  if (lane == nullptr) {
    return done(http::OriginError{core::internal_error(
                                      "the request's thread has no connection pool to " + origin_),
                                  false},
                *this);
  }
  stats_.requests.inc();
  // Timed on the OS clock, as the client's deadlines are.
  const auto sent = core::os_monotonic();
  lane->open(
      std::move(request), timeout,
      [this, sent,
       done = std::move(done)](core::Result<http::OriginStream, http::OriginError> result) {
        stats_.latency.observe_us(static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(core::os_monotonic() - sent)
                .count()));
        if (result) {
          stats_.answered.inc();
          if (result->rest) {
            // The body may outlive the request's runtime (a reload): the upstream is kept.
            result->rest = std::make_shared<http::ObservedBody>(
                std::move(result->rest),
                [self = shared_from_this()](const core::Status& how, uint64_t) {
                  // Cut off by the upstream, not by a client that went away.
                  if (!how.ok() && how.code() != core::Code::kCancelled) {
                    self->stats_.cut_off.inc();
                  }
                });
          }
        } else if (!result.error().body_reader_failed) {
          switch (result.error().status.code()) {
            case core::Code::kDeadlineExceeded:
              stats_.timeouts.inc();
              break;
            case core::Code::kResourceExhausted:
              stats_.busy.inc();
              break;
            default:
              stats_.unavailable.inc();
              break;
          }
        }
        done(std::move(result), *this);
      });
}

}  // namespace gatehouse::proxy
