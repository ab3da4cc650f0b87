#include "http/io_pool.h"

#include <boost/asio/post.hpp>
#include <thread>

#include "core/assert.h"

namespace gatehouse::http {

namespace asio = boost::asio;

IoPool::IoPool(unsigned threads) {
  GH_CHECK(threads >= 1);
  for (unsigned i = 0; i < threads; ++i) {
    // Concurrency hint 1: each context is run by exactly one thread, so Asio can skip locking.
    contexts_.push_back(std::make_unique<asio::io_context>(1));
    guards_.push_back(std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(
        contexts_.back()->get_executor()));
  }
}

IoPool::~IoPool() {
  stop();
}

asio::io_context& IoPool::next() {
  return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

void IoPool::run() {
  std::vector<std::thread> threads;
  for (size_t i = 1; i < contexts_.size(); ++i) {
    threads.emplace_back([this, i] { contexts_[i]->run(); });
  }
  contexts_[0]->run();
  for (auto& t : threads)
    t.join();
}

void IoPool::release() {
  for (auto& c : contexts_) {
    asio::post(*c, [this, ctx = c.get()] {
      for (auto& g : guards_) {
        if (g && &g->get_executor().context() == ctx) g->reset();
      }
    });
  }
}

void IoPool::stop() {
  for (auto& c : contexts_)
    c->stop();
}

}  // namespace gatehouse::http
