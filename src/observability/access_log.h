// The JSON access log: one line per request, written by a background thread so request threads
// only append to a buffer under a short lock. Lines never contain tokens or secrets: callers pass
// only the fields below.
//
// Thread safety: write() from any thread; the destructor flushes and joins.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "core/stats.h"
#include "core/status.h"

namespace gatehouse::observability {

struct AccessRecord {
  std::string_view request_id;
  std::string_view method;
  std::string_view path;
  std::string_view route;  // the matched template, empty if none
  unsigned status = 0;
  std::string_view principal;  // empty if none
  std::string_view cache;      // "hit", "miss" or empty when no authorizer ran
  std::string_view upstream;   // an http_proxy route's service (its origin), empty otherwise
  std::string_view error;      // internal reason (e.g. "expired"), empty if none
  std::string_view peer;
  uint64_t authorizer_us = 0;
  uint64_t integration_us = 0;
  uint64_t total_us = 0;
  int64_t unix_ms = 0;
};

class AccessLog {
 public:
  // `path`: "-" for stdout, or a file opened for appending. Errors name the path.
  static core::Result<std::unique_ptr<AccessLog>> open(const std::string& path);
  ~AccessLog();

  void write(const AccessRecord& r);
  // Blocks until everything written so far is handed to the OS.
  void flush();

  core::Counter lines_dropped;  // lines lost because the buffer was full or a write failed

 private:
  explicit AccessLog(int fd, bool owns_fd);
  void run();

  const int fd_;
  const bool owns_fd_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable flushed_cv_;
  // Guarded by mu_.
  std::string buffer_;
  bool stop_ = false;
  bool flush_requested_ = false;
  uint64_t appended_ = 0;
  uint64_t written_ = 0;
  std::thread writer_;
};

}  // namespace gatehouse::observability
