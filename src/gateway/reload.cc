#include "gateway/reload.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <future>

namespace gatehouse::gateway {
namespace {

template <class T>
bool holds(const std::vector<std::shared_ptr<T>>& all, const T* one) {
  return std::any_of(all.begin(), all.end(), [&](const auto& x) { return x.get() == one; });
}

// "a, b" or "none".
std::string names(const std::vector<std::string>& list) {
  if (list.empty()) return "none";
  return fmt::format("{}", fmt::join(list, ", "));
}

// What the reload changed, for the log line and POST /reload's answer.
std::string summary(const Runtime& next, const Runtime& previous) {
  std::vector<std::string> started, kept, new_authorizers, kept_authorizers, stopped;
  for (const auto& f : next.functions)
    (holds(previous.functions, f.get()) ? kept : started).push_back(f->name);
  for (const auto& f : previous.functions) {
    if (!holds(next.functions, f.get())) {
      if (next.function(f->name) == nullptr) stopped.push_back(f->name);
    }
  }
  for (const auto& a : next.authorizers) {
    (holds(previous.authorizers, a.get()) ? kept_authorizers : new_authorizers).push_back(a->name);
  }
  std::string out = fmt::format("{} route(s); functions with new workers: {}; unchanged: {}",
                                next.routes.size(), names(started), names(kept));
  if (!stopped.empty()) out += "; removed: " + names(stopped);
  out += fmt::format("; authorizers new: {}; kept with their decision caches: {}",
                     names(new_authorizers), names(kept_authorizers));
  if (next.issuer && next.issuer != previous.issuer) out += "; the issuer was opened anew";
  return out;
}

}  // namespace

Reloader::Reloader(Gateway& gateway, BuildDeps deps, Load load, boost::asio::io_context& start_on)
    : gateway_(gateway),
      deps_(std::move(deps)),
      load_(std::move(load)),
      start_on_(start_on),
      thread_([this] { run(); }) {}

Reloader::~Reloader() {
  stop();
  if (thread_.joinable()) thread_.join();
}

void Reloader::request(Done done) {
  std::unique_lock lock(mu_);
  if (stopping_ || waiting_.size() >= kMaxWaiting) {
    lock.unlock();
    return done(ReloadOutcome{
        false, stopping_ ? "gatehouse is stopping" : "too many reload requests are waiting already",
        nullptr, true});
  }
  waiting_.push_back(std::move(done));
  wake_.notify_one();
}

void Reloader::stop() {
  std::vector<Done> refused;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    refused.swap(waiting_);
  }
  wake_.notify_all();
  for (auto& done : refused)
    done(ReloadOutcome{false, "gatehouse is stopping", nullptr, true});
}

bool Reloader::stopping() const {
  std::lock_guard lock(mu_);
  return stopping_;
}

void Reloader::run() {
  for (;;) {
    std::vector<Done> served;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !waiting_.empty(); });
      if (stopping_) return;
      served.swap(waiting_);
    }
    ReloadOutcome outcome;
    try {
      outcome = reload();
    } catch (const std::exception& e) {
      // A library refusing something while building: the running configuration stays.
      outcome = ReloadOutcome{false, std::string("internal error: ") + e.what(), nullptr};
    }
    if (outcome.reloaded) {
      spdlog::info("reloaded {}: {}", outcome.config->file, outcome.message);
    } else {
      spdlog::error("reload refused, still serving the previous configuration: {}",
                    outcome.message);
    }
    for (auto& done : served)
      done(outcome);
  }
}

ReloadOutcome Reloader::reload() {
  if (size_t retired = gateway_.runtimes().retired_in_use(); retired >= kMaxRetired) {
    return {false,
            fmt::format("{} replaced configurations still have requests in flight; reload again "
                        "once they have finished",
                        retired),
            nullptr, true};
  }
  auto config = load_();
  if (!config) return {false, config.error().message(), nullptr};
  std::shared_ptr<const Runtime> previous = gateway_.runtime();
  auto built = build_runtime(*config, deps_, previous.get());
  if (!built) return {false, built.error().message(), nullptr};
  std::shared_ptr<const Runtime> next = std::move(*built);

  // New pools are started where the first ones were (their workers' lifetime is tied to it).
  auto started = std::make_shared<std::promise<core::Status>>();
  auto started_future = started->get_future();
  boost::asio::post(start_on_, [&runtimes = gateway_.runtimes(), next, started]() noexcept {
    try {
      started->set_value(runtimes.start_new(*next));
    } catch (const std::exception& e) {
      started->set_value(
          core::internal_error(std::string("starting the new runtime: ") + e.what()));
    }
  });
  core::Status status;
  while (started_future.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
    if (stopping()) {
      status = core::unavailable("gatehouse is stopping");
      break;
    }
  }
  if (status.ok()) status = started_future.get();
  if (status.ok()) status = wait_ready(*next, *previous);
  if (!status.ok()) {
    gateway_.runtimes().discard(std::move(next));
    return {false, status.message(), nullptr};
  }
  ReloadOutcome outcome{true, summary(*next, *previous), *config};
  gateway_.runtimes().swap(std::move(next));
  return outcome;
}

core::Status Reloader::wait_ready(const Runtime& next, const Runtime& previous) {
  const auto deadline = std::chrono::steady_clock::now() + kReadyWithin;
  for (;;) {
    std::string waiting_for;
    for (const auto& f : next.functions) {
      if (holds(previous.functions, f.get()) || f->options.lazy) continue;
      const functions::pool::PoolStats& s = *f->stats;
      if (s.failing_to_start.value() != 0) {
        return core::unavailable(
            fmt::format("{}: functions.{}: its new workers fail to start (the log says why)",
                        next.config->file, f->name));
      }
      if (s.idle.value() + s.busy.value() < static_cast<int64_t>(f->options.concurrency)) {
        waiting_for =
            fmt::format("functions.{}: its new workers did not reach their first /next", f->name);
      }
    }
    for (const auto& a : next.authorizers) {
      if (holds(previous.authorizers, a.get()) || a->stage->authorizer().ready()) continue;
      waiting_for = fmt::format("authorizers.{}: its keys did not load from {}", a->name,
                                a->keys_url.empty() ? std::string("their source") : a->keys_url);
    }
    if (waiting_for.empty()) return {};
    if (stopping()) return core::unavailable("gatehouse is stopping");
    if (std::chrono::steady_clock::now() >= deadline) {
      return core::unavailable(
          fmt::format("{}: {} within {} s", next.config->file, waiting_for, kReadyWithin.count()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace gatehouse::gateway
