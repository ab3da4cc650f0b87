// The I/O threads: N io_contexts, each run by one thread of its own, so everything bound to one
// context (a connection, a pool lane) runs on one thread and needs no lock.
//
// Thread safety: next(), release() and stop() from any thread; run() once.
#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <vector>

namespace gatehouse::http {

// N io_contexts, each run by one thread. Connections are spread over them round-robin.
class IoPool {
 public:
  // Requires: threads >= 1.
  explicit IoPool(unsigned threads);
  ~IoPool();
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;

  size_t size() const { return contexts_.size(); }
  boost::asio::io_context& at(size_t i) { return *contexts_[i]; }
  // Round-robin pick for a new connection. Thread-safe.
  boost::asio::io_context& next();
  // Runs every context on its own thread (the caller's thread runs context 0) and returns when
  // all of them have stopped.
  void run();
  // Lets the contexts return once they run out of work (graceful end).
  void release();
  // Stops every context now (forced end). Thread-safe.
  void stop();

 private:
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<
      std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>>
      guards_;
  std::atomic<size_t> next_{0};
};

}  // namespace gatehouse::http
