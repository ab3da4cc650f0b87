#include "functions/pool/worker_pool.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>

#include "core/clock.h"
#include "core/ids.h"
#include "functions/pool/output_reader.h"
#include "functions/pool/peer_process.h"
#include "functions/pool/process.h"
#include "functions/pool/worker_env.h"
#include "functions/runtime_api/runtime_api.h"

namespace gatehouse::functions::pool {
namespace {

namespace asio = boost::asio;
using runtime_api::ErrorReport;
using runtime_api::PostOutcome;
using SteadyTime = std::chrono::steady_clock::time_point;
using std::chrono::milliseconds;

// 32 hex digits, as Lambda names a log stream's instance.
std::string log_stream_suffix() {
  std::string id = core::to_string(core::new_request_id());
  std::erase(id, '-');
  return id;
}

}  // namespace

struct Invocation {
  std::string id;
  InvokeRequest request;
  InvokeCallback done;
  std::optional<SteadyTime> caller_deadline;
  std::optional<SteadyTime> function_deadline;  // set when a worker takes it
  SteadyTime accepted{};                        // invoke() took it
  SteadyTime started{};                         // a worker took it
  bool answered = false;                        // `done` has been scheduled
  bool running = false;                         // a worker has it
  std::unique_ptr<asio::steady_timer> timer;
};
using InvocationPtr = std::shared_ptr<Invocation>;

class WorkerPool::Impl : public std::enable_shared_from_this<WorkerPool::Impl> {
 public:
  struct Worker;

  Impl(PoolOptions options, http::IoPool& io, const core::Clock& clock, PoolStats* stats)
      : options_(std::move(options)),
        io_(io),
        executor_(io.next().get_executor()),
        clock_(clock),
        stats_(stats),
        function_arn_(fmt::format("arn:aws:lambda:{}:{}:function:{}", options_.region,
                                  options_.account_id, options_.name)) {}

  core::Status start();
  void invoke(InvokeRequest request, InvokeCallback done);
  void stop(std::function<void()> done);
  void shutdown_now();
  std::vector<int> pids() const;
  const std::string& name() const { return options_.name; }

  // Runtime API calls from worker `w`.
  void on_next(Worker& w, http::ExchangePtr long_poll);
  PostOutcome on_response(Worker& w, std::string_view id, std::string body);
  PostOutcome on_error(Worker& w, std::string_view id, ErrorReport report);
  PostOutcome on_init_error(Worker& w, ErrorReport report);
  void on_response_too_large(Worker& w, std::string_view id);
  // The endpoint's admission check: the connecting process is the worker or descends from it.
  bool admits(const Worker& w, const asio::ip::tcp::endpoint& local,
              const asio::ip::tcp::endpoint& peer);

  struct Worker final : runtime_api::RuntimeApiDelegate {
    enum class State { kDown, kStarting, kReady, kStopping };
    Worker(Impl& impl, size_t index)
        : impl(impl),
          index(index),
          handler(*this),
          restart_timer(impl.executor_),
          kill_timer(impl.executor_) {}
    void on_next(http::ExchangePtr p) override { impl.on_next(*this, std::move(p)); }
    PostOutcome on_response(std::string_view id, std::string body) override {
      return impl.on_response(*this, id, std::move(body));
    }
    PostOutcome on_error(std::string_view id, ErrorReport r) override {
      return impl.on_error(*this, id, std::move(r));
    }
    PostOutcome on_init_error(ErrorReport r) override {
      return impl.on_init_error(*this, std::move(r));
    }
    void on_response_too_large(std::string_view id) override {
      impl.on_response_too_large(*this, id);
    }

    Impl& impl;
    const size_t index;
    runtime_api::RuntimeApiHandler handler;
    http::ServerStats server_stats;
    std::unique_ptr<http::Server> server;
    // Guarded by impl.mu_:
    State state = State::kDown;
    pid_t pid = -1;
    uint64_t generation = 0;   // bumped per spawn: stale exit and log callbacks see a mismatch
    bool initialized = false;  // reached /next since its spawn
    std::optional<ErrorReport> init_error;
    uint32_t failures = 0;  // consecutive failures before a first /next
    bool restart_pending = false;
    bool spawning = false;        // its process is being started (launch() is posted)
    core::MonoTime started_at{};  // when its process started, for init_duration
    http::ExchangePtr long_poll;
    InvocationPtr current;
    std::string last_id;  // the last invocation it finished: a late second answer is 403
    asio::steady_timer restart_timer;
    asio::steady_timer kill_timer;
  };

 private:
  friend class WorkerPool;
  // Starts w's process outside mu_ (launch), then supervises it under mu_.
  void launch(Worker& w, const ProcessSpec& spec);
  // All below: callers hold mu_.
  void spawn(Worker& w);
  // Takes the worker's waiting /next, if any (the idle gauge follows).
  http::ExchangePtr take_long_poll(Worker& w);
  void init_failed(Worker& w, InvokeFailure failure);
  void watch_exit(Worker& w, int pidfd);
  void read_output(Worker& w, int fd, bool is_stderr);
  void on_exit(Worker& w, uint64_t generation, int status);
  void schedule_restart(Worker& w, milliseconds delay);
  void stop_worker(Worker& w);
  void deliver(Worker& w, InvocationPtr inv);
  void answer(const InvocationPtr& inv, InvokeResult result);
  void arm_timer(const InvocationPtr& inv);
  void on_timer(const InvocationPtr& inv);
  void finish_running(Worker& w);
  void fail_oldest_queued(InvokeFailure failure);
  Worker* idle_worker();
  size_t live_workers() const;
  void maybe_finish_stop();
  ProcessSpec process_spec(const Worker& w) const;

  const PoolOptions options_;
  http::IoPool& io_;
  asio::any_io_executor executor_;
  const core::Clock& clock_;
  PoolStats* const stats_;
  const std::string function_arn_;
  const std::string log_stream_ = "[$LATEST]" + log_stream_suffix();
  // Refusals are logged at most once a second: a process knocking in a loop cannot flood the log.
  std::atomic<int64_t> last_refusal_log_ms_{0};

  mutable std::mutex mu_;
  // Guarded by mu_:
  std::vector<std::unique_ptr<Worker>> workers_;
  std::deque<InvocationPtr> queue_;
  std::optional<InvokeFailure> last_init_failure_;  // reset when a worker reaches /next
  bool started_ = false;
  bool stopping_ = false;
  bool shut_down_ = false;  // shutdown_now(): a process started after it is killed at once
  std::function<void()> stopped_;
};

// ---------------------------------------------------------------------------------------------

core::Status WorkerPool::Impl::start() {
  std::lock_guard lock(mu_);
  if (started_) return {};
  started_ = true;
  for (size_t i = 0; i < options_.concurrency; ++i) {
    auto w = std::make_unique<Worker>(*this, i);
    w->server = std::make_unique<http::Server>(io_, w->handler, runtime_api::runtime_api_limits(),
                                               options_.name + "-runtime-api", &w->server_stats);
    w->server->set_admission(
        [weak = weak_from_this(), &worker = *w](const auto& local, const auto& peer) {
          auto self = weak.lock();
          return self && self->admits(worker, local, peer);
        });
    if (auto s = w->server->listen("127.0.0.1", 0); !s.ok()) {
      return {core::Code::kUnavailable,
              fmt::format("function '{}': cannot open a Runtime API endpoint: {}", options_.name,
                          s.message())};
    }
    w->server->start();
    workers_.push_back(std::move(w));
  }
  if (!options_.lazy) {
    for (auto& w : workers_)
      spawn(*w);
  }
  return {};
}

ProcessSpec WorkerPool::Impl::process_spec(const Worker& w) const {
  WorkerEnvInputs in;
  in.runtime_api_port = w.server->port();
  in.log_stream = log_stream_;
  in.now = clock_.now();
  if (const char* path = std::getenv("PATH")) in.path = path;
  if (const char* home = std::getenv("HOME")) in.home = home;
  return ProcessSpec{options_.argv, worker_environment(options_, in), options_.working_dir};
}

// The fork and the wait for the child's exec run on the executor, outside mu_: a slow fork (a
// large address space) holds up no invocation, Runtime API call or other worker.
void WorkerPool::Impl::spawn(Worker& w) {
  if (w.spawning) return;
  w.spawning = true;
  w.state = Worker::State::kStarting;
  asio::post(executor_, [weak = weak_from_this(), &w, spec = process_spec(w)] {
    if (auto self = weak.lock()) self->launch(w, spec);
  });
}

http::ExchangePtr WorkerPool::Impl::take_long_poll(Worker& w) {
  if (w.long_poll) stats_->idle.add(-1);
  http::ExchangePtr taken = std::move(w.long_poll);
  w.long_poll = nullptr;
  return taken;
}

void WorkerPool::Impl::launch(Worker& w, const ProcessSpec& spec) {
  core::Result<StartedProcess> started = start_process(spec);
  std::unique_lock lock(mu_);
  w.spawning = false;
  if (!started) {
    const std::string& why = started.error().message();
    spdlog::error("function {}: cannot start a worker: {}", options_.name, why);
    init_failed(w, InvokeFailure{InvokeError::kInitFailed, "Runtime.InvalidEntrypoint", why});
    return maybe_finish_stop();
  }
  if (shut_down_) {
    lock.unlock();
    for (int fd : {started->pidfd, started->stdout_fd, started->stderr_fd})
      ::close(fd);
    return kill_and_reap(started->pid);
  }
  w.pid = started->pid;
  ++w.generation;
  w.state = Worker::State::kStarting;
  w.initialized = false;
  w.init_error.reset();
  take_long_poll(w);
  w.started_at = core::os_monotonic();
  stats_->worker_starts.inc();
  stats_->workers.add(1);
  watch_exit(w, started->pidfd);
  read_output(w, started->stdout_fd, false);
  read_output(w, started->stderr_fd, true);
  if (stopping_) stop_worker(w);  // stop() came while it was starting
}

// A worker failed before its first /next: counted, kept as the answer for invocations that find
// every worker failing, given to the oldest waiting caller, and retried after a backoff that
// doubles with each consecutive failure.
void WorkerPool::Impl::init_failed(Worker& w, InvokeFailure failure) {
  ++w.failures;
  stats_->init_failures.inc();
  stats_->failing_to_start.set(1);
  last_init_failure_ = failure;
  fail_oldest_queued(std::move(failure));
  w.state = Worker::State::kDown;
  if (stopping_) return;
  schedule_restart(w, std::min(options_.backoff_max,
                               options_.backoff_initial * (1u << std::min(w.failures - 1, 16u))));
}

void WorkerPool::Impl::watch_exit(Worker& w, int pidfd) {
  auto sd = std::make_shared<asio::posix::stream_descriptor>(executor_, pidfd);
  uint64_t generation = w.generation;
  sd->async_wait(asio::posix::stream_descriptor::wait_read,
                 [weak = weak_from_this(), &w, sd, generation](boost::system::error_code ec) {
                   if (ec) return;  // cancelled: the pool is gone and reaped its children itself
                   int status = reap(sd->native_handle());
                   sd->close();
                   auto self = weak.lock();
                   if (!self) return;
                   std::lock_guard lock(self->mu_);
                   self->on_exit(w, generation, status);
                 });
}

void WorkerPool::Impl::read_output(Worker& w, int fd, bool is_stderr) {
  std::weak_ptr<Impl> weak = weak_from_this();
  auto emit = [weak, &w, is_stderr, name = options_.name](std::string_view text) {
    std::string id;
    if (auto self = weak.lock()) {
      std::lock_guard lock(self->mu_);
      if (w.current) id = w.current->id;
    }
    if (id.empty()) id = "-";
    if (is_stderr) {
      spdlog::warn("[{} {}] {}", name, id, text);
    } else {
      spdlog::info("[{} {}] {}", name, id, text);
    }
  };
  read_lines(executor_, fd, std::move(emit));
}

void WorkerPool::Impl::on_exit(Worker& w, uint64_t generation, int status) {
  if (generation != w.generation || w.pid < 0) return;
  std::string how = describe_exit(status);
  w.pid = -1;
  stats_->workers.add(-1);
  w.kill_timer.cancel();
  take_long_poll(w);
  // Whatever outlived the process (a helper that left its group) loses the endpoint with it.
  w.server->close_all();
  bool was_stopping = w.state == Worker::State::kStopping;
  bool had_served = w.initialized;
  if (w.current) {
    InvocationPtr inv = w.current;
    finish_running(w);
    if (!inv->answered) {
      stats_->crashes.inc();
      answer(inv, InvokeFailure{InvokeError::kCrashed, "Runtime.ExitError",
                                "Runtime exited with error: " + how});
    }
  }
  w.state = Worker::State::kDown;
  if (stopping_) return maybe_finish_stop();
  if (!had_served && !was_stopping) {
    // Failed before its first /next: an init failure, answered to the oldest waiting caller.
    InvokeFailure f{InvokeError::kInitFailed, "Runtime.ExitError",
                    "Runtime exited without providing a reason (" + how + ")"};
    if (w.init_error) {
      f.error_type = w.init_error->error_type;
      f.error_message = w.init_error->error_message;
    }
    spdlog::error("function {}: worker failed to start ({}): {} {}", options_.name, how,
                  f.error_type, f.error_message);
    return init_failed(w, std::move(f));
  }
  if (!was_stopping) spdlog::warn("function {}: worker exited ({})", options_.name, how);
  // A worker that served (or was stopped by us) is replaced at once; lazy pools only on demand.
  if (!options_.lazy || !queue_.empty()) spawn(w);
}

void WorkerPool::Impl::schedule_restart(Worker& w, milliseconds delay) {
  if (options_.lazy && queue_.empty()) return;  // started again by the next invocation
  w.restart_pending = true;
  w.restart_timer.expires_after(delay);
  w.restart_timer.async_wait([weak = weak_from_this(), &w](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self) return;
    std::lock_guard lock(self->mu_);
    w.restart_pending = false;
    if (self->stopping_ || w.state != Worker::State::kDown) return;
    self->spawn(w);
  });
}

void WorkerPool::Impl::stop_worker(Worker& w) {
  if (w.pid < 0 || w.state == Worker::State::kStopping) return;
  w.state = Worker::State::kStopping;
  // A pending /next stays unanswered until the process is gone (on_exit drops it): answering
  // it now would only have the runtime report a failed Runtime API on its way out.
  ::kill(-w.pid, SIGTERM);
  w.kill_timer.expires_after(options_.stop_grace);
  uint64_t generation = w.generation;
  w.kill_timer.async_wait([weak = weak_from_this(), &w, generation](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self) return;
    std::lock_guard lock(self->mu_);
    if (w.generation == generation && w.pid > 0) ::kill(-w.pid, SIGKILL);
  });
}

WorkerPool::Impl::Worker* WorkerPool::Impl::idle_worker() {
  for (auto& w : workers_) {
    if (w->state != Worker::State::kReady || !w->long_poll || w->current) continue;
    // A /next whose client left (a runtime that gave up on it) would swallow the event.
    if (w->long_poll->client_gone()) {
      take_long_poll(*w);
      continue;
    }
    return w.get();
  }
  return nullptr;
}

size_t WorkerPool::Impl::live_workers() const {
  size_t n = 0;
  for (auto& w : workers_)
    n += w->pid > 0 || w->spawning ? 1 : 0;
  return n;
}

void WorkerPool::Impl::answer(const InvocationPtr& inv, InvokeResult result) {
  if (inv->answered) return;
  inv->answered = true;
  if (!inv->running && inv->timer) inv->timer->cancel();
  if (result) {
    stats_->succeeded.inc();
  } else {
    InvokeFailure failure = std::move(result).error();
    failure.invocation_id = inv->id;
    result = InvokeResult(std::move(failure));
    switch (result.error().error) {
      case InvokeError::kFunctionError:
        stats_->function_errors.inc();
        break;
      case InvokeError::kTimeout:
        stats_->timeouts.inc();
        break;
      case InvokeError::kCallerTimeout:
        stats_->caller_timeouts.inc();
        break;
      default:
        break;
    }
  }
  asio::post(executor_, [done = std::move(inv->done), r = std::move(result)]() mutable {
    done(std::move(r));
  });
}

void WorkerPool::Impl::arm_timer(const InvocationPtr& inv) {
  std::optional<SteadyTime> at;
  if (!inv->answered) at = inv->caller_deadline;
  if (inv->running && inv->function_deadline && (!at || *inv->function_deadline < *at)) {
    at = inv->function_deadline;
  }
  if (!at) {
    if (inv->timer) inv->timer->cancel();
    return;
  }
  if (!inv->timer) inv->timer = std::make_unique<asio::steady_timer>(executor_);
  inv->timer->expires_at(*at);
  std::weak_ptr<Invocation> weak = inv;
  inv->timer->async_wait([pool = weak_from_this(), weak](boost::system::error_code ec) {
    auto self = pool.lock();
    if (ec || !self) return;
    auto inv = weak.lock();
    if (!inv) return;
    std::lock_guard lock(self->mu_);
    self->on_timer(inv);
  });
}

void WorkerPool::Impl::on_timer(const InvocationPtr& inv) {
  auto now = core::os_monotonic();  // compared with the timers' deadlines, on their clock
  if (inv->running && inv->function_deadline && now >= *inv->function_deadline) {
    // The function's own timeout: Lambda stops the runtime and reports the invocation failed.
    for (auto& w : workers_) {
      if (w->current != inv) continue;
      auto seconds = std::chrono::duration<double>(options_.timeout).count();
      answer(inv, InvokeFailure{InvokeError::kTimeout, "Sandbox.Timedout",
                                fmt::format("Task timed out after {:.2f} seconds", seconds)});
      spdlog::warn("function {}: invocation {} timed out after {} ms; stopping its worker",
                   options_.name, inv->id, options_.timeout.count());
      finish_running(*w);
      stop_worker(*w);
      break;
    }
    return;
  }
  if (!inv->answered && inv->caller_deadline && now >= *inv->caller_deadline) {
    if (!inv->running) {
      std::erase(queue_, inv);
      stats_->queued.set(static_cast<int64_t>(queue_.size()));
    }
    answer(inv, InvokeFailure{InvokeError::kCallerTimeout, "", "the caller stopped waiting"});
  }
  arm_timer(inv);  // a running invocation still has its function deadline
}

void WorkerPool::Impl::finish_running(Worker& w) {
  if (!w.current) return;
  InvocationPtr inv = std::move(w.current);
  w.current.reset();
  w.last_id = inv->id;
  inv->running = false;
  if (inv->timer) inv->timer->cancel();
  stats_->busy.add(-1);
  auto us =
      std::chrono::duration_cast<std::chrono::microseconds>(core::os_monotonic() - inv->started)
          .count();
  stats_->duration.observe_us(static_cast<uint64_t>(us));
}

void WorkerPool::Impl::fail_oldest_queued(InvokeFailure failure) {
  while (!queue_.empty()) {
    InvocationPtr inv = std::move(queue_.front());
    queue_.pop_front();
    stats_->queued.set(static_cast<int64_t>(queue_.size()));
    if (inv->answered) continue;
    answer(inv, std::move(failure));
    return;
  }
}

void WorkerPool::Impl::deliver(Worker& w, InvocationPtr inv) {
  http::ExchangePtr long_poll = take_long_poll(w);
  w.current = inv;
  inv->running = true;
  // Deadlines below are armed on Asio steady timers, which run on the OS clock.
  inv->started = core::os_monotonic();
  inv->function_deadline = inv->started + options_.timeout;
  stats_->busy.add(1);
  stats_->queue_wait.observe_us(static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(inv->started - inv->accepted).count()));
  arm_timer(inv);
  int64_t deadline_ms =
      std::chrono::duration_cast<milliseconds>(clock_.now().time_since_epoch() + options_.timeout)
          .count();
  // The event is handed over once; the invocation keeps only what it needs to answer.
  runtime_api::answer_next(*long_poll, {inv->id, deadline_ms, function_arn_, inv->request.trace_id,
                                        std::move(inv->request.payload)});
}

void WorkerPool::Impl::invoke(InvokeRequest request, InvokeCallback done) {
  auto inv = std::make_shared<Invocation>();
  inv->id = core::to_string(core::new_request_id());
  inv->accepted = core::os_monotonic();  // the caller's deadline is a steady timer's too
  if (request.answer_within) {
    inv->caller_deadline = inv->accepted + *request.answer_within;
  }
  inv->request = std::move(request);
  inv->done = std::move(done);
  std::lock_guard lock(mu_);
  if (stopping_ || !started_) {
    return answer(inv,
                  InvokeFailure{InvokeError::kShuttingDown, "", "the function is not running"});
  }
  stats_->invocations.inc();
  if (Worker* w = idle_worker()) return deliver(*w, std::move(inv));
  if (queue_.size() >= options_.max_queue) {
    stats_->throttled.inc();
    return answer(inv, InvokeFailure{InvokeError::kThrottled, "", "the invoke queue is full"});
  }
  // Every worker is failing to start and waiting out its backoff: answer with the last init
  // failure now (as Lambda fails an invocation whose init failed) instead of holding the request
  // for the backoff.
  if (live_workers() == 0 && last_init_failure_) {
    bool restarting = false;
    for (auto& w : workers_)
      restarting = restarting || (w->restart_pending && w->failures > 0);
    if (restarting) return answer(inv, *last_init_failure_);
  }
  queue_.push_back(inv);
  stats_->queued.set(static_cast<int64_t>(queue_.size()));
  arm_timer(inv);
  // Lazy pools (and eager ones whose workers are down waiting for nothing) start one now.
  for (auto& w : workers_) {
    if (w->state == Worker::State::kDown && !w->restart_pending) {
      spawn(*w);
      break;
    }
  }
}

void WorkerPool::Impl::on_next(Worker& w, http::ExchangePtr long_poll) {
  std::lock_guard lock(mu_);
  if (w.state == Worker::State::kStopping || w.state == Worker::State::kDown || stopping_) {
    return;  // dropped: the process is on its way out
  }
  // One runtime asks for one event at a time. A second /next is refused, never swapped in: the
  // invocation running, or the event about to be handed to the waiting /next, stays with the
  // request that asked first.
  if (w.current) {
    return runtime_api::refuse_next(
        *long_poll, fmt::format("Invocation {} is running: post its response or error before "
                                "asking for the next event",
                                w.current->id));
  }
  if (w.long_poll) {
    // A waiting /next whose client left is replaced; one whose client waits is not.
    if (!w.long_poll->client_gone()) {
      return runtime_api::refuse_next(*long_poll,
                                      "Another /next request is already waiting for this runtime");
    }
    take_long_poll(w);
  }
  if (!w.initialized) {
    w.initialized = true;
    w.failures = 0;
    last_init_failure_.reset();
    stats_->failing_to_start.set(0);
    stats_->init_duration.observe_us(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(core::os_monotonic() - w.started_at)
            .count()));
  }
  w.state = Worker::State::kReady;
  w.long_poll = std::move(long_poll);
  stats_->idle.add(1);
  while (!queue_.empty()) {
    InvocationPtr inv = std::move(queue_.front());
    queue_.pop_front();
    stats_->queued.set(static_cast<int64_t>(queue_.size()));
    if (inv->answered) continue;
    return deliver(w, std::move(inv));
  }
}

PostOutcome WorkerPool::Impl::on_response(Worker& w, std::string_view id, std::string body) {
  std::lock_guard lock(mu_);
  if (!w.current || w.current->id != id) {
    return id == w.last_id ? PostOutcome::kInvalidState : PostOutcome::kInvalidRequestId;
  }
  InvocationPtr inv = w.current;
  finish_running(w);
  answer(inv, std::move(body));
  return PostOutcome::kAccepted;
}

PostOutcome WorkerPool::Impl::on_error(Worker& w, std::string_view id, ErrorReport report) {
  std::lock_guard lock(mu_);
  if (!w.current || w.current->id != id) {
    return id == w.last_id ? PostOutcome::kInvalidState : PostOutcome::kInvalidRequestId;
  }
  InvocationPtr inv = w.current;
  finish_running(w);
  answer(inv, InvokeFailure{InvokeError::kFunctionError, std::move(report.error_type),
                            std::move(report.error_message)});
  return PostOutcome::kAccepted;
}

PostOutcome WorkerPool::Impl::on_init_error(Worker& w, ErrorReport report) {
  std::lock_guard lock(mu_);
  if (w.initialized || w.pid < 0) return PostOutcome::kInvalidState;
  w.init_error = std::move(report);
  return PostOutcome::kAccepted;
}

void WorkerPool::Impl::on_response_too_large(Worker& w, std::string_view id) {
  std::lock_guard lock(mu_);
  if (!w.current || w.current->id != id) return;
  InvocationPtr inv = w.current;
  finish_running(w);
  answer(inv, InvokeFailure{
                  InvokeError::kResponseTooLarge, "Function.ResponseSizeTooLarge",
                  fmt::format("Response payload size exceeded maximum allowed payload size ({} "
                              "bytes).",
                              kMaxResponseBytes)});
}

bool WorkerPool::Impl::admits(const Worker& w, const asio::ip::tcp::endpoint& local,
                              const asio::ip::tcp::endpoint& peer) {
  pid_t pid;
  {
    std::lock_guard lock(mu_);
    pid = w.state == Worker::State::kDown ? -1 : w.pid;
  }
  bool ok = false;
  if (pid > 0 && local.address().is_v4() && peer.address().is_v4()) {
    auto socket = peer_socket({peer.address().to_v4().to_uint(), peer.port(),
                               local.address().to_v4().to_uint(), local.port()});
    // Workers run as gatehouse's user: another user's socket is refused before any /proc scan.
    ok = socket && socket->uid == ::geteuid() && held_by_process_tree(pid, socket->inode);
  }
  if (ok) return true;
  stats_->refused_connections.inc();
  // Only spaces out a log line; the OS clock, whose epoch is long past, lets the first one through.
  int64_t now_ms =
      std::chrono::duration_cast<milliseconds>(core::os_monotonic().time_since_epoch()).count();
  int64_t last = last_refusal_log_ms_.load(std::memory_order_relaxed);
  if (now_ms - last >= 1000 && last_refusal_log_ms_.compare_exchange_strong(last, now_ms)) {
    spdlog::warn(
        "function {}: refused a Runtime API connection from {}:{}: not worker {} nor a "
        "process it started (counted in gatehouse_function_runtime_api_refused_total)",
        options_.name, peer.address().to_string(), peer.port(), pid);
  }
  return false;
}

void WorkerPool::Impl::stop(std::function<void()> done) {
  std::lock_guard lock(mu_);
  if (stopping_) return;
  stopping_ = true;
  stopped_ = std::move(done);
  while (!queue_.empty()) {
    InvocationPtr inv = std::move(queue_.front());
    queue_.pop_front();
    answer(inv, InvokeFailure{InvokeError::kShuttingDown, "", "the function is shutting down"});
  }
  stats_->queued.set(0);
  for (auto& w : workers_) {
    w->restart_timer.cancel();
    w->restart_pending = false;
    stop_worker(*w);
  }
  maybe_finish_stop();
}

void WorkerPool::Impl::maybe_finish_stop() {
  if (!stopping_ || live_workers() > 0 || !stopped_) return;
  // Closing the endpoints (acceptors included) lets the I/O threads run out of work.
  for (auto& w : workers_) {
    w->server->drain(nullptr);
    w->server->close_all();
  }
  asio::post(executor_, std::move(stopped_));
  stopped_ = nullptr;
}

void WorkerPool::Impl::shutdown_now() {
  std::vector<pid_t> to_kill;
  std::unique_lock lock(mu_);
  stopping_ = true;
  shut_down_ = true;
  for (auto& w : workers_) {
    if (w->pid > 0) {
      to_kill.push_back(w->pid);
      w->pid = -1;
    }
    w->restart_timer.cancel();
    w->kill_timer.cancel();
    take_long_poll(*w);
    w->current.reset();
    if (w->server) {
      w->server->drain(nullptr);
      w->server->close_all();
    }
  }
  lock.unlock();
  for (pid_t pid : to_kill)
    kill_and_reap(pid);
}

std::vector<int> WorkerPool::Impl::pids() const {
  std::lock_guard lock(mu_);
  std::vector<int> out;
  for (auto& w : workers_)
    if (w->pid > 0) out.push_back(w->pid);
  return out;
}

// ---------------------------------------------------------------------------------------------

core::Result<std::unique_ptr<WorkerPool>> WorkerPool::create(PoolOptions options, http::IoPool& io,
                                                             const core::Clock& clock,
                                                             PoolStats* stats) {
  if (options.argv.empty() || options.argv[0].empty()) {
    return core::invalid_argument(fmt::format("function '{}': no command to run", options.name));
  }
  struct stat st {};
  if (::stat(options.working_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return core::invalid_argument(fmt::format("function '{}': working directory {} does not exist",
                                              options.name, options.working_dir));
  }
  if (!command_exists(options.argv[0], options.working_dir)) {
    return core::invalid_argument(
        fmt::format("function '{}': command '{}' not found (not an executable file, nor in PATH)",
                    options.name, options.argv[0]));
  }
  if (options.concurrency < 1) options.concurrency = 1;
  if (options.max_queue < 1) options.max_queue = 1;
  auto impl = std::make_shared<Impl>(std::move(options), io, clock, stats);
  return std::unique_ptr<WorkerPool>(new WorkerPool(std::move(impl)));
}

WorkerPool::WorkerPool(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
WorkerPool::~WorkerPool() {
  impl_->shutdown_now();
}
core::Status WorkerPool::start() {
  return impl_->start();
}
void WorkerPool::invoke(InvokeRequest request, InvokeCallback done) {
  impl_->invoke(std::move(request), std::move(done));
}
const std::string& WorkerPool::name() const {
  return impl_->name();
}
void WorkerPool::stop(std::function<void()> done) {
  impl_->stop(std::move(done));
}
std::vector<int> WorkerPool::worker_pids_for_test() const {
  return impl_->pids();
}

}  // namespace gatehouse::functions::pool
