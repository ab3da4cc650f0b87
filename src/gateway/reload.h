// Reading the configuration again while serving (SIGHUP, POST /reload on the admin listener).
//
// A reload reads and validates the whole file, then builds the next runtime beside the current
// one (build_runtime() with the current as `previous`: what did not change is shared, decision
// caches included), starts what is new (function pools, authorizers' key fetches) and waits until
// it is ready: every eager worker of a new pool at its first /next, every new authorizer's keys
// loaded. Only then does it swap the runtime; requests in flight finish on the old one, whose
// replaced pools are stopped once the last of them has (runtime_set.h). Anything wrong (a config
// error, a change that needs a restart, a function that cannot start, keys that do not load)
// refuses the reload: the current runtime keeps serving, untouched, and the outcome says why
// with file:line:col.
//
// Reloads run one at a time on their own thread, never on an I/O thread (building reads files and
// may reach a remote endpoint). Requests that arrive while one runs are served together by the
// next, which reads the file as it is then.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "config/config.h"
#include "gateway/build.h"
#include "gateway/gateway.h"

namespace gatehouse::gateway {

struct ReloadOutcome {
  bool reloaded = false;
  // Reloaded: what changed ("3 routes; functions started: notes; ..."). Refused: why, starting
  // with file:line:col where the config says it.
  std::string message;
  std::shared_ptr<const config::Config> config;  // reloaded: the configuration now served
  // Refused without reading the file: gatehouse is stopping, or too many requests wait already.
  bool not_now = false;
};

class Reloader {
 public:
  // Reads the configuration anew: the file, with what the command line overrides applied.
  using Load = std::function<core::Result<std::shared_ptr<const config::Config>>()>;
  using Done = std::function<void(const ReloadOutcome&)>;

  // At most this many requests wait for one reload; more are refused at once.
  static constexpr size_t kMaxWaiting = 64;
  // At most this many replaced runtimes may still be finishing requests (each may keep function
  // workers of its own alive until then); a reload beyond is refused until some have finished.
  static constexpr size_t kMaxRetired = 8;
  // How long new function workers and new authorizers' keys get to become ready (Lambda's own
  // limit for a function's init phase).
  static constexpr std::chrono::seconds kReadyWithin{10};

  // `deps` as the first runtime was built with. `start_on`: the thread start() ran on, where new
  // pools and key fetches are started.
  Reloader(Gateway& gateway, BuildDeps deps, Load load, boost::asio::io_context& start_on);
  // Waits for a reload in progress (stop() first to cut its waits short).
  ~Reloader();

  // Queues a reload; `done` gets its outcome, on the reload thread (or at once, refused, when
  // too many wait or the process is stopping).
  void request(Done done);
  // Refuses queued and later requests and ends the waits of one in progress (shutdown).
  void stop();

 private:
  void run();
  ReloadOutcome reload();
  // Waits until what `next` started is ready; an error names what is not.
  core::Status wait_ready(const Runtime& next, const Runtime& previous);
  bool stopping() const;

  Gateway& gateway_;
  BuildDeps deps_;
  Load load_;
  boost::asio::io_context& start_on_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::vector<Done> waiting_;  // guarded by mu_
  bool stopping_ = false;      // guarded by mu_
  std::thread thread_;         // last: started once the members above exist
};

}  // namespace gatehouse::gateway
