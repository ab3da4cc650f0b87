// The origins of one http_proxy integration (its `targets:`, or the uri's one), taken in turn.
// Passive health: a target no connection could be opened to is skipped for a cool-down, and the
// request goes to the next one, since nothing of it was sent. When every target is cooling down,
// the one in turn is tried anyway: one more try is better than an answer without any.
//
// Thread safety: open() from the I/O threads at once; the turn is an atomic counter and each
// target's health lives in its Upstream (shared by every route that names the origin).
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "proxy/upstream.h"

namespace gatehouse::proxy {

class Targets {
 public:
  // Requires: `upstreams` is not empty.
  Targets(std::vector<std::shared_ptr<Upstream>> upstreams, std::chrono::milliseconds cool_down);

  const std::vector<std::shared_ptr<Upstream>>& upstreams() const { return upstreams_; }

  // Upstream::open on the target in turn, then on the next ones while no connection can be had
  // and time is left of `timeout`. `done` gets the result and the target it came from.
  using Done = Upstream::Done;
  void open(const boost::asio::any_io_executor& where, http::OriginRequest request,
            std::chrono::milliseconds timeout, Done done);

 private:
  struct Attempt;
  void attempt(std::shared_ptr<Attempt> a, http::OriginRequest request);
  // The first target from `from` (in turn) that is not cooling down; `from` when all are.
  size_t healthy_from(size_t from) const;

  std::vector<std::shared_ptr<Upstream>> upstreams_;
  std::chrono::milliseconds cool_down_;
  std::atomic<size_t> turn_{0};
};

}  // namespace gatehouse::proxy
