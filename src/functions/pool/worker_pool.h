// One Lambda function as a pool of long-lived worker processes (docs/functions.md).
//
// Each worker is a child process with its own Runtime API endpoint (functions/runtime_api) on
// 127.0.0.1:<ephemeral port>, named in its AWS_LAMBDA_RUNTIME_API. The endpoint serves that
// worker alone: a connection from any process that is not the worker or one it started is closed
// unread (peer_process.h), and a second GET /next is refused, not swapped in. An invocation goes to
// an idle worker's pending GET /next, or waits in a bounded queue (full: kThrottled, nothing runs).
//
// Supervision:
//   - workers start with the pool (eager) or when an invocation finds none idle (lazy);
//   - a worker that exits is replaced: at once if it had served (its invocation, if any, fails
//     with kCrashed), with exponential backoff while it keeps failing before its first /next
//     (each such failure fails the oldest queued invocation with kInitFailed);
//   - an invocation past the function's timeout fails with kTimeout and its worker is stopped:
//     SIGTERM to its process group, SIGKILL after stop_grace;
//   - stdout and stderr are logged line by line with the function's name and the request id of
//     the invocation running at the time.
// Every child runs in its own process group (helpers it spawns are stopped with it) and gets
// SIGKILL if gatehouse dies (PR_SET_PDEATHSIG).
//
// Usage:
//   auto pool = WorkerPool::create(options, io_pool, clock, &stats);
//   if (!pool) return pool.error();            // e.g. bad working directory
//   (*pool)->start();                          // eager workers start now
//   (*pool)->invoke({.payload = event}, done);
//   (*pool)->stop([] { /* every worker has exited */ });
//
// Thread safety: invoke() and stop() from any thread. Internal state is guarded by one mutex;
// callbacks run on the I/O pool's threads, never under the lock and never inside invoke(). A
// worker's fork and exec (process.h) run on an I/O thread without the lock; its environment is
// worker_env.h's, its output is read by output_reader.h.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/defaults.h"
#include "core/stats.h"
#include "core/status.h"
#include "functions/invoker.h"
#include "http/server.h"

namespace gatehouse::functions::pool {

struct PoolOptions {
  std::string name;               // the function's name
  std::vector<std::string> argv;  // argv[0] is looked up in PATH
  std::string handler;            // _HANDLER (may be empty)
  std::string working_dir;        // absolute: cwd and LAMBDA_TASK_ROOT
  std::string runtime_dir;        // LAMBDA_RUNTIME_DIR (empty: the working directory)
  // Extra variables after the platform's (names already validated; values resolved).
  std::vector<std::pair<std::string, std::string>> environment;
  std::string execution_env;  // AWS_EXECUTION_ENV; empty: not set (custom runtimes)
  uint32_t concurrency = 1;   // >= 1: the most workers
  std::chrono::milliseconds timeout = std::chrono::seconds(core::defaults::kFunctionTimeoutS);
  uint32_t memory_mb = core::defaults::kFunctionMemoryMb;
  bool lazy = false;
  size_t max_queue = core::defaults::kFunctionMaxQueue;
  std::string region = core::defaults::kRegion;
  std::string account_id = core::defaults::kAccountId;
  // The DynamoDB endpoint the SDKs in the workers use (AWS_ENDPOINT_URL_DYNAMODB), and the
  // credentials they sign with (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN for
  // temporary ones), as Lambda hands a function its role's. Empty: not set.
  std::string dynamodb_endpoint;
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  // How long a worker gets between SIGTERM and SIGKILL.
  std::chrono::milliseconds stop_grace{500};
  // Restart delays while a worker keeps failing before its first /next: doubles from the first
  // up to the second.
  std::chrono::milliseconds backoff_initial{100};
  std::chrono::milliseconds backoff_max{30'000};
  // A reload keeps what compares equal (secrets included: a rotated secret is a change).
  bool operator==(const PoolOptions&) const = default;
};

struct PoolStats {
  core::Counter invocations;          // accepted by invoke()
  core::Counter succeeded;            // answered with a response
  core::Counter function_errors;      // answered with a function error
  core::Counter timeouts;             // kTimeout
  core::Counter caller_timeouts;      // kCallerTimeout
  core::Counter crashes;              // workers that exited during an invocation
  core::Counter init_failures;        // workers that failed before their first /next
  core::Counter throttled;            // refused: queue full
  core::Counter worker_starts;        // processes spawned
  core::Counter refused_connections;  // Runtime API connections from outside a worker's tree
  core::Gauge workers;                // processes alive
  core::Gauge busy;                   // workers running an invocation
  core::Gauge idle;                   // workers waiting in /next for an invocation
  core::Gauge queued;                 // invocations waiting for a worker
  // 1 from a worker's failure before its first /next until a worker reaches its first /next: the
  // function cannot start (readiness reports it).
  core::Gauge failing_to_start;
  core::Histogram duration;       // from /next handing the event over to its answer
  core::Histogram queue_wait;     // from invoke() to a worker taking the event
  core::Histogram init_duration;  // from a worker's start to its first /next (its cold start)
};

class WorkerPool final : public Invoker {
 public:
  // Checks the options (working directory exists, argv non-empty). Spawns nothing.
  static core::Result<std::unique_ptr<WorkerPool>> create(PoolOptions options, http::IoPool& io,
                                                          const core::Clock& clock,
                                                          PoolStats* stats);
  ~WorkerPool() override;

  // Opens the workers' endpoints and, unless lazy, spawns every worker. Call once, from a
  // thread that lives as long as the workers (PR_SET_PDEATHSIG is tied to the spawning thread).
  core::Status start();
  void invoke(InvokeRequest request, InvokeCallback done) override;
  const std::string& name() const override;
  // Refuses new invocations, fails queued ones with kShuttingDown, lets running ones finish
  // within stop_grace, then SIGTERM/SIGKILL; `done` runs once every worker has exited.
  void stop(std::function<void()> done);
  // Workers spawned and alive right now: their pids (tests).
  std::vector<int> worker_pids_for_test() const;

  class Impl;

 private:
  explicit WorkerPool(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace gatehouse::functions::pool
