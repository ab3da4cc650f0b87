#include "auth/jwks/key_provider.h"

#include <vector>

#include <atomic>
#include <chrono>
#include <mutex>
#include <utility>

namespace gatehouse::auth::jwks {

class KeyProvider::State : public std::enable_shared_from_this<State> {
 public:
  explicit State(std::shared_ptr<const KeySet> keys) : static_source_(true) {
    GH_ASSERT(keys != nullptr);
    snapshot_.store(std::move(keys));
  }
  State(KeyProviderOptions options, Fetcher& fetcher, core::Clock& clock, KeyProviderStats& stats)
      : static_source_(false),
        options_(std::move(options)),
        fetcher_(&fetcher),
        clock_(&clock),
        stats_(&stats) {}

  void start() {
    uint64_t seq = 0;
    {
      std::lock_guard lock(mu_);
      if (started_ || static_source_) {
        started_ = true;
        return;
      }
      started_ = true;
      seq = begin_fetch_locked(clock_->monotonic());
    }
    request_first(seq);
  }

  void poll() {
    if (static_source_) return;
    uint64_t seq = 0;
    std::vector<std::function<void()>> waiters;
    bool abandoned = false;
    do {
      std::lock_guard lock(mu_);
      if (!started_) return;
      core::MonoTime now = clock_->monotonic();
      if (fetching_) {
        if (now < fetch_deadline_) return;
        // The Fetcher never called back: give up on it so refreshes do not stop forever. Its
        // late completion, if any, no longer matches fetch_seq_ and is dropped.
        ++fetch_seq_;
        fail_locked(now, core::Status(core::Code::kDeadlineExceeded,
                                      options_.url + ": fetch did not complete in time"));
        waiters.swap(waiters_);
        abandoned = true;
        break;
      }
      if (now < next_fetch_at_) return;
      seq = begin_fetch_locked(now);
    } while (false);
    if (abandoned) {
      for (auto& w : waiters)
        w();
      return;
    }
    request_first(seq);
  }

  bool on_kid_miss(std::function<void()> refreshed) {
    if (static_source_) return false;
    uint64_t seq = 0;
    {
      std::lock_guard lock(mu_);
      if (!started_) return false;
      if (fetching_) {
        // Join the fetch in flight: it may well bring the new kid.
        if (!refreshed || waiters_.size() >= kMaxKidMissWaiters) return false;
        waiters_.push_back(std::move(refreshed));
        return true;
      }
      core::MonoTime now = clock_->monotonic();
      if (now - last_fetch_started_ < std::chrono::seconds(options_.refetch_min_interval_s)) {
        return false;
      }
      stats_->kid_miss_refetches.inc();
      seq = begin_fetch_locked(now);
      if (refreshed) waiters_.push_back(std::move(refreshed));
    }
    request_first(seq);
    return true;
  }

  std::shared_ptr<const KeySet> snapshot() const { return snapshot_.load(); }

  void publish(std::shared_ptr<const KeySet> keys) {
    GH_ASSERT(static_source_ && keys != nullptr);
    snapshot_.store(std::move(keys));
  }

  core::Status last_error() const {
    std::lock_guard lock(mu_);
    return last_error_;
  }

 private:
  enum class Stage { kDiscovery, kJwks };

  uint64_t begin_fetch_locked(core::MonoTime now) {
    fetching_ = true;
    last_fetch_started_ = now;
    int requests = options_.kind == KeyProviderOptions::Kind::kDiscovery ? 2 : 1;
    fetch_deadline_ = now + std::chrono::milliseconds(requests * options_.timeout_ms + 1000);
    return ++fetch_seq_;
  }

  void fail_locked(core::MonoTime now, core::Status error) {
    fetching_ = false;
    stats_->fetch_failed.inc();
    last_error_ = std::move(error);
    next_fetch_at_ = now + std::chrono::seconds(options_.retry_interval_s);
  }

  void request_first(uint64_t seq) {
    request(
        seq, options_.url,
        options_.kind == KeyProviderOptions::Kind::kDiscovery ? Stage::kDiscovery : Stage::kJwks);
  }

  // Called without mu_ held: the Fetcher may complete synchronously.
  void request(uint64_t seq, const std::string& url, Stage stage) {
    std::weak_ptr<State> weak = weak_from_this();
    fetcher_->fetch(url, FetchOptions{options_.timeout_ms, options_.max_bytes},
                    [weak, seq, stage, url](core::Result<std::string> body) {
                      if (auto self = weak.lock()) {
                        self->on_response(seq, stage, url, std::move(body));
                      }
                    });
  }

  bool is_current(uint64_t seq) const {
    std::lock_guard lock(mu_);
    return fetching_ && seq == fetch_seq_;
  }

  // Parsing runs outside the lock: a 150 KB JWKS takes a millisecond or so.
  void on_response(uint64_t seq, Stage stage, const std::string& url,
                   core::Result<std::string> body) {
    if (!is_current(seq)) return;
    if (!body) {
      finish(seq, core::Status(body.error().code(), url + ": " + body.error().message()));
      return;
    }
    if (stage == Stage::kDiscovery) {
      auto discovery = parse_discovery(*body, options_.max_bytes);
      if (!discovery) {
        finish(seq,
               core::Status(discovery.error().code(), url + ": " + discovery.error().message()));
        return;
      }
      if (!options_.expected_issuer.empty() && discovery->issuer != options_.expected_issuer) {
        finish(seq, core::invalid_argument(url + ": issuer \"" + discovery->issuer +
                                           "\" is not the configured \"" +
                                           options_.expected_issuer + "\""));
        return;
      }
      request(seq, discovery->jwks_uri, Stage::kJwks);
      return;
    }
    auto keys = parse_jwks(*body, options_.max_bytes, url);
    if (!keys) {
      finish(seq, std::move(keys).error());
      return;
    }
    finish(seq, std::make_shared<const KeySet>(std::move(*keys)));
  }

  void finish(uint64_t seq, core::Result<std::shared_ptr<const KeySet>> result) {
    std::vector<std::function<void()>> waiters;
    {
      std::lock_guard lock(mu_);
      if (!fetching_ || seq != fetch_seq_) return;
      core::MonoTime now = clock_->monotonic();
      waiters.swap(waiters_);
      if (!result) {
        fail_locked(now, std::move(result).error());
      } else {
        fetching_ = false;
        snapshot_.store(std::move(*result));
        stats_->fetch_ok.inc();
        last_error_ = core::Status();
        next_fetch_at_ = now + std::chrono::seconds(options_.refresh_interval_s);
      }
    }
    // Outside the lock: a waiter verifies its token again and may call back into us.
    for (auto& w : waiters)
      w();
  }

  // Immutable after construction.
  const bool static_source_;
  const KeyProviderOptions options_;
  Fetcher* const fetcher_ = nullptr;  // null for static sources
  core::Clock* const clock_ = nullptr;
  KeyProviderStats* const stats_ = nullptr;

  // Lock-free for readers; written under mu_ (one writer at a time).
  std::atomic<std::shared_ptr<const KeySet>> snapshot_;

  mutable std::mutex mu_;
  // Guarded by mu_.
  bool started_ = false;
  bool fetching_ = false;
  uint64_t fetch_seq_ = 0;  // identifies the fetch in flight; stale completions do not match
  core::MonoTime next_fetch_at_{};
  core::MonoTime last_fetch_started_{};
  core::MonoTime fetch_deadline_{};
  core::Status last_error_;
  std::vector<std::function<void()>> waiters_;  // kid-miss callers waiting for this fetch
};

KeyProvider::KeyProvider(std::shared_ptr<const KeySet> keys)
    : state_(std::make_shared<State>(std::move(keys))) {}

KeyProvider::KeyProvider(KeyProviderOptions options, Fetcher& fetcher, core::Clock& clock,
                         KeyProviderStats& stats)
    : state_(std::make_shared<State>(std::move(options), fetcher, clock, stats)) {}

KeyProvider::~KeyProvider() = default;

void KeyProvider::start() {
  state_->start();
}

void KeyProvider::poll() {
  state_->poll();
}

bool KeyProvider::on_kid_miss() {
  return state_->on_kid_miss(nullptr);
}

bool KeyProvider::on_kid_miss(std::function<void()> refreshed) {
  return state_->on_kid_miss(std::move(refreshed));
}

void KeyProvider::publish(std::shared_ptr<const KeySet> keys) {
  state_->publish(std::move(keys));
}

std::shared_ptr<const KeySet> KeyProvider::snapshot() const {
  return state_->snapshot();
}

core::Status KeyProvider::last_error() const {
  return state_->last_error();
}

}  // namespace gatehouse::auth::jwks
