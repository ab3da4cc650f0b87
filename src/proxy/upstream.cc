#include "proxy/upstream.h"

#include <boost/asio/post.hpp>

#include "core/clock.h"

namespace gatehouse::proxy {

core::Result<std::shared_ptr<Upstream>> Upstream::create(
    std::string origin, const std::vector<boost::asio::io_context*>& io,
    http::OriginOptions options) {
  options.max_response_bytes = kMaxBodyBytes;
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

void Upstream::send(http::OriginRequest request, std::chrono::milliseconds timeout, Done done) {
  // The calling I/O thread's own pool: no thread hop, and connections stay on one thread.
  size_t lane = 0;
  for (size_t i = 0; i < contexts_.size(); ++i) {
    if (contexts_[i]->get_executor().running_in_this_thread()) lane = i;
  }
  stats_.requests.inc();
  // Timed on the OS clock, as the client's deadlines are.
  const auto sent = core::os_monotonic();
  lanes_[lane]->send(
      std::move(request), timeout,
      [this, sent,
       done = std::move(done)](core::Result<http::OriginResponse, http::OriginError> result) {
        stats_.latency.observe_us(static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(core::os_monotonic() - sent)
                .count()));
        if (result) {
          stats_.answered.inc();
        } else {
          switch (result.error().status.code()) {
            case core::Code::kDeadlineExceeded:
              stats_.timeouts.inc();
              break;
            case core::Code::kResourceExhausted:
              (result.error().maybe_received ? stats_.too_large : stats_.busy).inc();
              break;
            default:
              stats_.unavailable.inc();
              break;
          }
        }
        done(std::move(result));
      });
}

}  // namespace gatehouse::proxy
