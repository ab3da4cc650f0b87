// Time, injected. Everything that compares times (token expiry, cache TTL, refresh schedules)
// takes a Clock&, so tests move a ManualClock instead of sleeping. No other file calls
// std::chrono::system_clock::now() or steady_clock::now(): what must read the OS's monotonic
// clock whatever the injected one says calls os_monotonic() and says why.
//
// Thread safety: SystemClock is stateless; ManualClock is safe to read from many threads while a
// test advances it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

namespace gatehouse::core {

using SystemTime = std::chrono::system_clock::time_point;
using MonoTime = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time: compared with token `exp`/`nbf`/`iat`.
  virtual SystemTime now() const = 0;
  // Monotonic time: TTLs, timeouts and latency measurements.
  virtual MonoTime monotonic() const = 0;

  // Seconds since the Unix epoch, the unit of JWT NumericDate.
  int64_t unix_seconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(now().time_since_epoch()).count();
  }
};

// The process-wide real clock.
Clock& system_clock();

// The OS's monotonic clock, for what an injected clock must not move: deadlines of Asio timers
// (which run on this clock) and time stamps compared with them. Decisions (expiry, TTLs) and the
// latencies a request reports use Clock::monotonic().
inline MonoTime os_monotonic() {
  return std::chrono::steady_clock::now();
}

// A clock that moves only when told to. Starts at the given Unix time (seconds).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t unix_seconds = 1'700'000'000);
  SystemTime now() const override;
  MonoTime monotonic() const override;
  void advance(std::chrono::microseconds by);
  void set_unix_seconds(int64_t unix_seconds);

 private:
  std::atomic<int64_t> wall_us_;
  std::atomic<int64_t> mono_us_{0};
};

}  // namespace gatehouse::core
