#include "functions/pool/worker_pool.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <fstream>
#include <future>
#include <iterator>
#include <set>
#include <thread>

namespace gatehouse::functions::pool {
namespace {

using namespace std::chrono_literals;

// Real worker processes: a bash + curl runtime (testdata/functions/shell_bootstrap.sh) against
// the pool's real Runtime API endpoints.
class WorkerPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    if (pool_) {
      std::promise<void> stopped;
      pool_->stop([&] { stopped.set_value(); });
      EXPECT_EQ(stopped.get_future().wait_for(10s), std::future_status::ready);
      pool_.reset();
    }
    io_.stop();
    thread_.join();
  }

  PoolOptions options() {
    PoolOptions o;
    o.name = "echo";
    o.argv = {std::string(GH_TESTDATA_DIR) + "/functions/shell_bootstrap.sh"};
    o.handler = "index.handler";
    o.working_dir = GH_TESTDATA_DIR;
    o.concurrency = 1;
    o.timeout = 2000ms;
    o.stop_grace = 200ms;
    o.backoff_initial = 50ms;
    return o;
  }

  void start(PoolOptions o) {
    auto p = WorkerPool::create(std::move(o), io_, clock_, &stats_);
    ASSERT_TRUE(p) << p.error().message();
    pool_ = std::move(*p);
    ASSERT_TRUE(pool_->start().ok());
  }

  InvokeResult call(std::string payload, std::optional<std::chrono::milliseconds> within = {}) {
    return result_of(call_async(std::move(payload), within));
  }

  // The invocation's result, or a test failure if it has none within 20 s.
  static InvokeResult result_of(std::future<InvokeResult> f) {
    if (f.wait_for(20s) != std::future_status::ready) {
      ADD_FAILURE() << "no answer within 20 s";
      return core::unexpected(InvokeFailure{InvokeError::kTimeout, "", "test: no answer"});
    }
    return f.get();
  }

  // Polls `done` every 10 ms; false (and a test failure naming `what`) after 10 s.
  template <class Pred>
  static bool wait_until(Pred done, const char* what) {
    for (auto deadline = std::chrono::steady_clock::now() + 10s; !done();) {
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "waited 10 s for " << what;
        return false;
      }
      std::this_thread::sleep_for(10ms);
    }
    return true;
  }

  std::future<InvokeResult> call_async(std::string payload,
                                       std::optional<std::chrono::milliseconds> within = {}) {
    auto promise = std::make_shared<std::promise<InvokeResult>>();
    auto f = promise->get_future();
    pool_->invoke({std::move(payload), "", within},
                  [promise](InvokeResult r) { promise->set_value(std::move(r)); });
    return f;
  }

  http::IoPool io_{1};
  std::thread thread_;
  core::Clock& clock_ = core::system_clock();
  PoolStats stats_;
  std::unique_ptr<WorkerPool> pool_;
};

// The Runtime API port a worker was given, from its environment.
uint16_t runtime_api_port(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  std::string environ((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  constexpr std::string_view kName = "AWS_LAMBDA_RUNTIME_API=127.0.0.1:";
  auto at = environ.find(kName);
  if (at == std::string::npos) return 0;
  return static_cast<uint16_t>(std::stoi(environ.substr(at + kName.size())));
}

// Connects to 127.0.0.1:port, sends `request` and returns everything read until the peer closes.
std::string exchange_raw(uint16_t port, const std::string& request) {
  int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(0x7F000001);
  a.sin_port = htons(port);
  if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(s);
    return "(connect failed)";
  }
  timeval tv{5, 0};
  ::setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ssize_t ignored = ::send(s, request.data(), request.size(), MSG_NOSIGNAL);
  (void)ignored;
  std::string got;
  char buf[4096];
  for (ssize_t n; (n = ::recv(s, buf, sizeof buf, 0)) > 0;)
    got.append(buf, static_cast<size_t>(n));
  ::close(s);
  return got;
}

// Any other local process (here: the test itself, the worker's parent) that finds a worker's
// endpoint gets its connection closed unread: it cannot take the worker's events, nor answer
// them, nor hold the endpoint's connections.
TEST_F(WorkerPoolTest, AnOutsiderCannotUseAWorkersEndpoint) {
  start(options());
  ASSERT_TRUE(call("\"warm\""));
  auto pids = pool_->worker_pids_for_test();
  ASSERT_EQ(pids.size(), 1u);
  uint16_t port = runtime_api_port(pids[0]);
  ASSERT_NE(port, 0);
  const std::string next = "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n";
  for (int i = 0; i < 20; ++i) {  // more than the endpoint's connection limit
    EXPECT_EQ(exchange_raw(port, next), "") << "attempt " << i;
  }
  EXPECT_EQ(exchange_raw(port,
                         "POST /2018-06-01/runtime/invocation/x/response HTTP/1.1\r\nHost: "
                         "x\r\nContent-Length: 2\r\n\r\n{}"),
            "");
  uint64_t refusals = 21;
  if (::geteuid() == 0) {
    // Another user's process (nobody) is refused by the socket's owner alone.
    int result[2];
    ASSERT_EQ(::pipe(result), 0);
    pid_t child = ::fork();
    if (child == 0) {
      char verdict = 'x';
      if (::setgid(65534) == 0 && ::setuid(65534) == 0)
        verdict = exchange_raw(port, next).empty() ? 'y' : 'n';
      ssize_t ignored = ::write(result[1], &verdict, 1);
      (void)ignored;
      ::_exit(0);
    }
    ::close(result[1]);
    char verdict = 0;
    EXPECT_EQ(::read(result[0], &verdict, 1), 1);
    ::close(result[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_EQ(verdict, 'y') << "another user's connection was answered";
    ++refusals;
  }
  EXPECT_EQ(stats_.refused_connections.value(), refusals);
  // The worker still gets its events.
  auto r = call("\"after\"");
  ASSERT_TRUE(r) << r.error().error_message;
  EXPECT_EQ(*r, "\"after\"");
}

// A runtime that asks for the next event while one runs gets 403 InvalidStateTransition; the
// running invocation stays its own and is answered normally.
TEST_F(WorkerPoolTest, ASecondNextWhileAnInvocationRunsIsRefused) {
  start(options());
  auto r = call("\"second-next\"");
  ASSERT_TRUE(r) << r.error().error_message;
  auto doc = boost::json::parse(*r).as_object();
  EXPECT_EQ(doc["code"].as_int64(), 403);
  EXPECT_EQ(doc["body"].as_object()["errorType"].as_string(), "InvalidStateTransition");
  auto again = call("\"again\"");
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, "\"again\"");
}

// A runtime that gives up on a /next (its connection closes while the /next waits) and asks
// again on a new connection gets the next event there: the abandoned /next neither swallows it
// nor blocks the new one (403).
TEST_F(WorkerPoolTest, AnAbandonedNextIsReplaced) {
  start(options());
  auto r = call("\"abandon-next\"");
  ASSERT_TRUE(r) << r.error().error_message;
  auto pids = pool_->worker_pids_for_test();
  // The runtime's curl gives up after 0.3 s; then it asks again.
  std::this_thread::sleep_for(1s);
  auto after = call("\"after\"");
  ASSERT_TRUE(after) << after.error().error_message;
  EXPECT_EQ(*after, "\"after\"");
  EXPECT_EQ(pool_->worker_pids_for_test(), pids) << "the worker was replaced";
  EXPECT_EQ(stats_.timeouts.value(), 0u);
}

// An event goes to the worker and its response comes back byte for byte.
TEST_F(WorkerPoolTest, ReturnsTheFunctionsResponse) {
  start(options());
  auto r = call(R"({"hello":"world"})");
  ASSERT_TRUE(r) << r.error().error_message;
  EXPECT_EQ(*r, R"({"hello":"world"})");
  EXPECT_EQ(stats_.succeeded.value(), 1u);
}

// The worker sees Lambda's variables and its own, but none of gatehouse's other variables.
TEST_F(WorkerPoolTest, GivesWorkersTheLambdaEnvironmentOnly) {
  ::setenv("GH_TEST_SECRET", "must-not-leak", 1);
  auto o = options();
  o.memory_mb = 512;
  o.environment = {{"CUSTOM", "yes"}};
  start(std::move(o));
  auto r = call(R"("env")");
  ASSERT_TRUE(r) << r.error().error_message;
  auto v = boost::json::parse(*r).as_object();
  EXPECT_EQ(v["name"].as_string(), "echo");
  EXPECT_EQ(v["handler"].as_string(), "index.handler");
  EXPECT_EQ(v["root"].as_string(), GH_TESTDATA_DIR);
  EXPECT_EQ(v["memory"].as_string(), "512");
  EXPECT_EQ(v["tz"].as_string(), ":UTC");
  EXPECT_EQ(v["custom"].as_string(), "yes");
  EXPECT_EQ(v["secret"].as_string(), "unset");
  ::unsetenv("GH_TEST_SECRET");
}

// A function error keeps its errorMessage exactly (the authorizer's 401 depends on it).
TEST_F(WorkerPoolTest, ReportsFunctionErrors) {
  start(options());
  auto r = call(R"("unauthorized")");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().error, InvokeError::kFunctionError);
  EXPECT_EQ(r.error().error_type, "Error");
  EXPECT_EQ(r.error().error_message, "Unauthorized");
  EXPECT_TRUE(call(R"("after")")) << "the worker serves on";
}

// A worker that dies mid-invocation fails that invocation and is replaced.
TEST_F(WorkerPoolTest, ReplacesAWorkerThatCrashes) {
  start(options());
  auto r = call(R"("crash")");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().error, InvokeError::kCrashed);
  EXPECT_EQ(r.error().error_message, "Runtime exited with error: exit status 3");
  auto again = call(R"("next")");
  ASSERT_TRUE(again) << again.error().error_message;
  EXPECT_EQ(stats_.crashes.value(), 1u);
}

// Past the function's timeout the invocation fails and the hung worker is stopped and replaced.
TEST_F(WorkerPoolTest, StopsAWorkerPastItsTimeout) {
  auto o = options();
  o.timeout = 500ms;
  start(std::move(o));
  auto r = call(R"("hang")");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().error, InvokeError::kTimeout);
  EXPECT_EQ(r.error().error_message, "Task timed out after 0.50 seconds");
  auto again = call(R"("next")");
  ASSERT_TRUE(again) << again.error().error_message;
}

// The caller's own limit answers first; the function keeps running until its timeout.
TEST_F(WorkerPoolTest, AnswersTheCallersTimeout) {
  start(options());
  auto r = call(R"("hang")", 100ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().error, InvokeError::kCallerTimeout);
}

// An init error (POST /init/error, then exit) fails the waiting invocation with its type.
TEST_F(WorkerPoolTest, ReportsInitErrors) {
  auto o = options();
  o.environment = {{"INIT_FAIL", "1"}};
  o.lazy = true;
  start(std::move(o));
  auto r = call(R"("x")");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().error, InvokeError::kInitFailed);
  EXPECT_EQ(r.error().error_type, "Runtime.ImportModuleError");
  EXPECT_EQ(r.error().error_message, "Cannot find module");
}

// With every worker busy and the queue full, an invocation is refused without running.
TEST_F(WorkerPoolTest, ThrottlesWhenTheQueueIsFull) {
  auto o = options();
  o.max_queue = 1;
  o.timeout = 1000ms;
  start(std::move(o));
  auto busy = call_async(R"("hang")");
  // Wait until the hang is running, so the next one queues.
  ASSERT_TRUE(wait_until([&] { return stats_.busy.value() != 0; }, "the hang to run"));
  auto queued = call_async(R"("queued")");
  auto refused = call(R"("refused")");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().error, InvokeError::kThrottled);
  EXPECT_FALSE(result_of(std::move(busy)));
  EXPECT_TRUE(result_of(std::move(queued)));
}

// N workers run N invocations at once: three slow calls are served by three processes.
TEST_F(WorkerPoolTest, RunsInvocationsInParallel) {
  auto o = options();
  o.concurrency = 3;
  start(std::move(o));
  std::vector<std::future<InvokeResult>> calls;
  for (int i = 0; i < 3; ++i)
    calls.push_back(call_async(R"("slow")"));
  std::set<std::string> pids;
  for (auto& c : calls) {
    auto r = result_of(std::move(c));
    ASSERT_TRUE(r) << r.error().error_message;
    pids.insert(std::string(boost::json::parse(*r).as_object()["pid"].as_string()));
  }
  EXPECT_EQ(pids.size(), 3u);
}

// stop() ends every worker process.
TEST_F(WorkerPoolTest, StopEndsEveryWorker) {
  auto o = options();
  o.concurrency = 2;
  start(std::move(o));
  ASSERT_TRUE(call(R"("warm")"));
  ASSERT_TRUE(wait_until([&] { return pool_->worker_pids_for_test().size() >= 2; },
                         "both workers to start"));
  auto pids = pool_->worker_pids_for_test();
  std::promise<void> stopped;
  pool_->stop([&] { stopped.set_value(); });
  ASSERT_EQ(stopped.get_future().wait_for(10s), std::future_status::ready);
  for (int pid : pids)
    EXPECT_NE(::kill(pid, 0), 0) << pid;
  auto r = call(R"("late")");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().error, InvokeError::kShuttingDown);
  pool_.reset();
}

// A command that does not exist is a start-up error naming it.
TEST_F(WorkerPoolTest, RefusesAMissingCommand) {
  auto o = options();
  o.argv = {"no-such-runtime-binary"};
  auto p = WorkerPool::create(std::move(o), io_, clock_, &stats_);
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message().find("'no-such-runtime-binary' not found"), std::string::npos);
}

}  // namespace
}  // namespace gatehouse::functions::pool
