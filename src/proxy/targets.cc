#include "proxy/targets.h"

#include "core/clock.h"

namespace gatehouse::proxy {

struct Targets::Attempt {
  boost::asio::any_io_executor where;
  std::chrono::steady_clock::time_point deadline;
  size_t index = 0;  // the target being tried
  size_t tried = 0;  // targets tried so far
  Done done;
};

Targets::Targets(std::vector<std::shared_ptr<Upstream>> upstreams,
                 std::chrono::milliseconds cool_down)
    : upstreams_(std::move(upstreams)), cool_down_(cool_down) {
  GH_CHECK(!upstreams_.empty());
}

size_t Targets::healthy_from(size_t from) const {
  for (size_t i = 0; i < upstreams_.size(); ++i) {
    size_t at = (from + i) % upstreams_.size();
    if (!upstreams_[at]->cooling_down()) return at;
  }
  return from % upstreams_.size();
}

void Targets::open(const boost::asio::any_io_executor& where, http::OriginRequest request,
                   std::chrono::milliseconds timeout, Done done) {
  if (upstreams_.size() == 1) {
    // One origin: nothing to choose, nowhere else to go.
    return upstreams_.front()->open(where, std::move(request), timeout, std::move(done));
  }
  auto a = std::make_shared<Attempt>();
  a->where = where;
  a->deadline = std::chrono::steady_clock::now() + timeout;
  a->index = healthy_from(turn_.fetch_add(1, std::memory_order_relaxed));
  a->done = std::move(done);
  attempt(std::move(a), std::move(request));
}

void Targets::attempt(std::shared_ptr<Attempt> a, http::OriginRequest request) {
  using std::chrono::milliseconds;
  auto left =
      std::chrono::duration_cast<milliseconds>(a->deadline - std::chrono::steady_clock::now());
  Upstream& target = *upstreams_[a->index];
  ++a->tried;
  target.open(a->where, std::move(request), std::max(left, milliseconds(1)),
              [this, a, &target](core::Result<http::OriginStream, http::OriginError>&& result,
                                 const Upstream&) {
                if (result || !result.error().unsent) return a->done(std::move(result), target);
                const http::OriginError& e = result.error();
                if (e.connect_failed) target.mark_unreachable(cool_down_);
                const bool time_left = std::chrono::steady_clock::now() < a->deadline;
                if (a->tried >= upstreams_.size() || !time_left) {
                  return a->done(std::move(result), target);
                }
                // Nothing was sent: the next target gets the request.
                a->index = healthy_from(a->index + 1);
                std::shared_ptr<http::OriginRequest> unsent = e.unsent;
                attempt(a, std::move(*unsent));
              });
}

}  // namespace gatehouse::proxy
