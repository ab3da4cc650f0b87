#include "observability/access_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>

#include "core/json_text.h"

namespace gatehouse::observability {
namespace {

// Past this much unwritten text (a stalled disk or pipe), new lines are dropped and counted rather
// than growing memory without bound.
constexpr size_t kMaxBufferedBytes = 8 * 1024 * 1024;
constexpr size_t kWakeBytes = 64 * 1024;
constexpr auto kFlushInterval = std::chrono::milliseconds(20);

}  // namespace

core::Result<std::unique_ptr<AccessLog>> AccessLog::open(const std::string& path) {
  if (path == "-") return std::unique_ptr<AccessLog>(new AccessLog(STDOUT_FILENO, false));
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) {
    return core::io_error("cannot open access log '" + path + "': " + std::strerror(errno));
  }
  return std::unique_ptr<AccessLog>(new AccessLog(fd, true));
}

AccessLog::AccessLog(int fd, bool owns_fd) : fd_(fd), owns_fd_(owns_fd) {
  buffer_.reserve(64 * 1024);
  writer_ = std::thread([this] { run(); });
}

AccessLog::~AccessLog() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  writer_.join();
  if (owns_fd_) ::close(fd_);
}

void AccessLog::write(const AccessRecord& r) {
  thread_local std::string line;
  line.clear();
  line += "{\"time_ms\":";
  fmt::format_to(std::back_inserter(line), "{}", r.unix_ms);
  line += ",\"request_id\":";
  core::append_json_string(line, r.request_id);
  line += ",\"peer\":";
  core::append_json_string(line, r.peer);
  line += ",\"method\":";
  core::append_json_string(line, r.method);
  line += ",\"path\":";
  core::append_json_string(line, r.path);
  line += ",\"route\":";
  core::append_json_string(line, r.route);
  fmt::format_to(std::back_inserter(line), ",\"status\":{}", r.status);
  line += ",\"principal\":";
  core::append_json_string(line, r.principal);
  line += ",\"cache\":";
  core::append_json_string(line, r.cache);
  line += ",\"upstream\":";
  core::append_json_string(line, r.upstream);
  fmt::format_to(std::back_inserter(line),
                 ",\"authorizer_us\":{},\"integration_us\":{},\"total_us\":{}", r.authorizer_us,
                 r.integration_us, r.total_us);
  line += ",\"error\":";
  core::append_json_string(line, r.error);
  line += "}\n";
  bool wake;
  {
    std::lock_guard lock(mu_);
    if (buffer_.size() + line.size() > kMaxBufferedBytes) {
      lines_dropped.inc();
      return;
    }
    buffer_ += line;
    // Wake the writer only for a large batch; otherwise it wakes on its own every
    // kFlushInterval, so a busy server pays no futex wake per request.
    wake = buffer_.size() >= kWakeBytes && buffer_.size() - line.size() < kWakeBytes;
    ++appended_;
  }
  if (wake) cv_.notify_one();
}

void AccessLog::flush() {
  std::unique_lock lock(mu_);
  uint64_t target = appended_;
  flush_requested_ = true;
  cv_.notify_one();
  flushed_cv_.wait(lock, [&] { return written_ >= target || stop_; });
}

void AccessLog::run() {
  std::string out;
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait_for(lock, kFlushInterval,
                 [&] { return stop_ || flush_requested_ || buffer_.size() >= kWakeBytes; });
    flush_requested_ = false;
    if (buffer_.empty()) {
      if (stop_) break;
      flushed_cv_.notify_all();
      continue;
    }
    out.swap(buffer_);
    uint64_t batch_end = appended_;
    lock.unlock();
    size_t off = 0;
    while (off < out.size()) {
      ssize_t n = ::write(fd_, out.data() + off, out.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        lines_dropped.inc();  // the rest of this batch is lost; keep serving
        break;
      }
      off += static_cast<size_t>(n);
    }
    out.clear();
    lock.lock();
    written_ = batch_end;
    flushed_cv_.notify_all();
  }
  flushed_cv_.notify_all();
}

}  // namespace gatehouse::observability
