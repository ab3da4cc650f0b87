#include "gateway/runtime_set.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace gatehouse::gateway {

// One pool's stop: the pool lives here until its workers have exited, then the waiters run.
struct RuntimeSet::Stop {
  std::shared_ptr<FunctionRuntime> fn;
  std::mutex mu;
  bool done = false;
  std::vector<std::function<void()>> waiters;

  // Runs `waiter` once the pool has stopped (now if it has).
  void then(std::function<void()> waiter) {
    std::unique_lock lock(mu);
    if (!done) return waiters.push_back(std::move(waiter));
    lock.unlock();
    waiter();
  }
  void finished() {
    std::unique_lock lock(mu);
    done = true;
    auto run = std::move(waiters);
    lock.unlock();
    for (auto& w : run)
      w();
  }
  bool has_finished() {
    std::lock_guard lock(mu);
    return done;
  }
};

namespace {

// Whether `all` holds `one` (a function pool or an authorizer a runtime shares with another).
template <class T>
bool holds(const std::vector<std::shared_ptr<T>>& all, const T* one) {
  return std::any_of(all.begin(), all.end(), [&](const auto& x) { return x.get() == one; });
}

}  // namespace

RuntimeSet::RuntimeSet(std::shared_ptr<const Runtime> first) : current_(std::move(first)) {}

RuntimeSet::~RuntimeSet() = default;

void RuntimeSet::start_all() {
  auto rt = current();
  for (auto& f : rt->functions) {
    if (auto s = f->pool->start(); !s.ok()) spdlog::error("{}", s.message());
  }
  for (auto& a : rt->authorizers)
    a->stage->authorizer().start();
}

core::Status RuntimeSet::start_new(const Runtime& next) {
  auto rt = current();
  for (auto& f : next.functions) {
    if (holds(rt->functions, f.get())) continue;
    if (auto s = f->pool->start(); !s.ok()) return s;
  }
  for (auto& a : next.authorizers) {
    if (!holds(rt->authorizers, a.get())) a->stage->authorizer().start();
  }
  return {};
}

void RuntimeSet::swap(std::shared_ptr<const Runtime> next) {
  auto before = current_.exchange(std::move(next));
  std::lock_guard lock(mu_);
  retired_.push_back(std::move(before));
}

void RuntimeSet::discard(std::shared_ptr<const Runtime> next) {
  std::lock_guard lock(mu_);
  retired_.push_back(std::move(next));
}

bool RuntimeSet::in_use(const FunctionRuntime* fn, const Runtime* except) const {
  if (holds(current()->functions, fn)) return true;
  for (const auto& r : retired_) {
    if (r.get() != except && holds(r->functions, fn)) return true;
  }
  return false;
}

void RuntimeSet::stop_pool(const std::shared_ptr<FunctionRuntime>& fn) {
  for (const auto& s : stopping_) {
    if (s->fn == fn) return;
  }
  auto stop = std::make_shared<Stop>();
  stop->fn = fn;
  stopping_.push_back(stop);
  // The pool calls back on an I/O thread; the Stop (and with it the pool) is dropped later by
  // release_retired(), never inside the pool's own callback, which holds it only weakly (a pool
  // that never finishes stopping must not keep itself alive through its callback).
  fn->pool->stop([weak = std::weak_ptr<Stop>(stop)] {
    if (auto s = weak.lock()) s->finished();
  });
}

void RuntimeSet::release_retired() {
  std::vector<std::shared_ptr<const Runtime>> dropped;
  {
    std::lock_guard lock(mu_);
    auto rt = current();
    for (size_t i = 0; i < retired_.size();) {
      const Runtime& r = *retired_[i];
      // Only this list holds it: no request runs on it, and none can start to.
      if (retired_[i].use_count() != 1) {
        ++i;
        continue;
      }
      for (const auto& f : r.functions) {
        if (!in_use(f.get(), &r)) {
          spdlog::info("function {}: stopping the workers of its previous definition", f->name);
          stop_pool(f);
        }
      }
      bool issuer_shared = r.issuer == nullptr || r.issuer == rt->issuer;
      for (const auto& other : retired_) {
        if (other.get() != &r && other->issuer == r.issuer) issuer_shared = true;
      }
      if (!issuer_shared) r.issuer->close();
      dropped.push_back(std::move(retired_[i]));
      retired_.erase(retired_.begin() + static_cast<std::ptrdiff_t>(i));
    }
    std::erase_if(stopping_, [](const auto& s) { return s->has_finished(); });
  }
  // Dropped here, outside the lock: authorizers' key providers and caches are torn down on this
  // thread.
  dropped.clear();
}

size_t RuntimeSet::retired_in_use() const {
  std::lock_guard lock(mu_);
  return static_cast<size_t>(std::count_if(retired_.begin(), retired_.end(),
                                           [](const auto& r) { return r.use_count() > 1; }));
}

void RuntimeSet::stop_functions(std::function<void()> done) {
  std::vector<std::shared_ptr<Stop>> stops;
  {
    std::lock_guard lock(mu_);
    auto rt = current();
    for (const auto& f : rt->functions)
      stop_pool(f);
    for (const auto& r : retired_) {
      for (const auto& f : r->functions)
        stop_pool(f);
    }
    stops = stopping_;
  }
  if (stops.empty()) return done();
  auto left = std::make_shared<std::atomic<size_t>>(stops.size());
  auto shared_done = std::make_shared<std::function<void()>>(std::move(done));
  for (auto& s : stops) {
    s->then([left, shared_done] {
      if (left->fetch_sub(1) == 1) (*shared_done)();
    });
  }
}

void RuntimeSet::close() {
  auto rt = current();
  std::vector<std::shared_ptr<const Runtime>> retired;
  {
    std::lock_guard lock(mu_);
    retired = retired_;
  }
  for (const auto& r : retired) {
    if (r->issuer && r->issuer != rt->issuer) r->issuer->close();
  }
  if (rt->issuer) rt->issuer->close();
  for (auto& t : rt->tables)
    t->table->close();
  if (rt->dynamodb) rt->dynamodb->engine->close();
}

}  // namespace gatehouse::gateway
