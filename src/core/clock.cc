#include "core/clock.h"

namespace gatehouse::core {
namespace {

class SystemClock final : public Clock {
 public:
  SystemTime now() const override { return std::chrono::system_clock::now(); }
  MonoTime monotonic() const override { return std::chrono::steady_clock::now(); }
};

}  // namespace

Clock& system_clock() {
  static SystemClock clock;
  return clock;
}

ManualClock::ManualClock(int64_t unix_seconds) : wall_us_(unix_seconds * 1'000'000) {}

SystemTime ManualClock::now() const {
  return SystemTime(std::chrono::microseconds(wall_us_.load(std::memory_order_relaxed)));
}

MonoTime ManualClock::monotonic() const {
  return MonoTime(std::chrono::microseconds(mono_us_.load(std::memory_order_relaxed)));
}

void ManualClock::advance(std::chrono::microseconds by) {
  wall_us_.fetch_add(by.count(), std::memory_order_relaxed);
  mono_us_.fetch_add(by.count(), std::memory_order_relaxed);
}

void ManualClock::set_unix_seconds(int64_t unix_seconds) {
  wall_us_.store(unix_seconds * 1'000'000, std::memory_order_relaxed);
}

}  // namespace gatehouse::core
