// The runtime that serves new requests, and the ones a reload replaced while requests still use
// them. A reload swaps the current runtime whole: each request holds a reference to the runtime it
// started on and finishes there; once no request holds a replaced runtime any more, what only it
// had (function pools whose definition changed, an issuer opened with other options) is stopped
// and it is dropped.
//
// Thread safety: current() from any thread (one atomic load). start_new(), swap(), discard() and
// release_retired() from one thread at a time; release_retired() and close() on the thread key
// fetches complete on (a dropped authorizer's key provider must not be torn down under a fetch
// completion).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "gateway/runtime.h"

namespace gatehouse::gateway {

class RuntimeSet {
 public:
  explicit RuntimeSet(std::shared_ptr<const Runtime> first);
  ~RuntimeSet();

  std::shared_ptr<const Runtime> current() const { return current_.load(); }

  // Starts every function pool's workers and every authorizer's key fetches of the first runtime.
  void start_all();
  // Starts what `next` has that the current runtime does not: new function pools' workers and new
  // authorizers' key fetches. Errors name the function.
  core::Status start_new(const Runtime& next);
  // `next` serves every request from now on; the runtime it replaces is retired.
  void swap(std::shared_ptr<const Runtime> next);
  // A reload refused after start_new(): `next` never served; what only it holds is stopped.
  void discard(std::shared_ptr<const Runtime> next);
  // Stops the function pools (and closes the issuer) of retired runtimes no request holds any
  // more, unless a runtime still in use shares them, and drops those runtimes. Call about once a
  // second.
  void release_retired();
  // Replaced runtimes that requests still hold (released ones not yet dropped do not count).
  size_t retired_in_use() const;
  // Stops every function pool of every runtime (graceful: SIGTERM, then SIGKILL after their
  // grace) and calls `done` once all have exited.
  void stop_functions(std::function<void()> done);
  // Closes every issuer (queued token requests finish) and the tables and the store.
  void close();

 private:
  struct Stop;  // one pool's stop in progress
  // Stops `fn`'s pool unless it is already stopping; the pool lives until it has.
  void stop_pool(const std::shared_ptr<FunctionRuntime>& fn);
  // Whether `fn` is used by the current runtime or a retired one other than `except`.
  bool in_use(const FunctionRuntime* fn, const Runtime* except) const;

  std::atomic<std::shared_ptr<const Runtime>> current_;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<const Runtime>> retired_;  // guarded by mu_
  std::vector<std::shared_ptr<Stop>> stopping_;          // guarded by mu_
};

}  // namespace gatehouse::gateway
