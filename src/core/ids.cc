#include "core/ids.h"

#include <sys/random.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "core/assert.h"

namespace gatehouse::core {
namespace {

// Random bytes from the kernel's CSPRNG (getrandom(2)), drawn a block at a time into a per-thread
// buffer: a request id or an invocation id (the only credential of a Runtime API answer) must not
// be computable from ids a client has seen. A block serves 32 ids for one system call; the bytes
// never leave the process except as the ids themselves.
class RandomBytes {
 public:
  void fill(uint8_t* out, size_t n) {
    while (n > 0) {
      if (used_ == block_.size()) refill();
      size_t take = std::min(n, block_.size() - used_);
      std::memcpy(out, block_.data() + used_, take);
      // Bytes handed out are wiped: a later read of this buffer (a core dump) does not show them.
      std::memset(block_.data() + used_, 0, take);
      used_ += take;
      out += take;
      n -= take;
    }
  }
  uint64_t next_u64() {
    uint8_t b[8];
    fill(b, sizeof b);
    uint64_t v;
    std::memcpy(&v, b, sizeof v);
    return v;
  }

 private:
  void refill() {
    size_t got = 0;
    while (got < block_.size()) {
      ssize_t n = ::getrandom(block_.data() + got, block_.size() - got, 0);
      if (n < 0 && errno == EINTR) continue;
      // No kernel randomness means no safe id: stop rather than hand out guessable ones.
      GH_CHECK(n > 0);
      got += static_cast<size_t>(n);
    }
    used_ = 0;
  }
  std::array<uint8_t, 512> block_{};
  size_t used_ = 512;
};

RandomBytes& random_bytes() {
  thread_local RandomBytes r;
  return r;
}

// 8-4-4-4-12 lower-case hex of 16 bytes.
RequestId format_uuid(const uint8_t (&b)[16]) {
  static constexpr char kHex[] = "0123456789abcdef";
  RequestId out;
  size_t o = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
    out[o++] = kHex[b[i] >> 4];
    out[o++] = kHex[b[i] & 15];
  }
  return out;
}

}  // namespace

RequestId new_request_id() {
  uint8_t b[16];
  random_bytes().fill(b, sizeof b);
  b[6] = (b[6] & 0x0F) | 0x40;  // version 4
  b[8] = (b[8] & 0x3F) | 0x80;  // variant 10
  return format_uuid(b);
}

RequestId new_time_ordered_id(int64_t unix_ms) {
  // RFC 9562 §6.2 method 1: the 12 bits after the timestamp are a counter, so ids made in the same
  // millisecond still sort in the order they were made. One process-wide state keeps that true
  // across threads; when the counter runs out within a millisecond, the timestamp moves ahead by
  // one (allowed by §6.2), and a clock that steps back does not break the order either.
  static std::atomic<uint64_t> last{0};  // (48-bit ms << 12) | 12-bit counter
  uint64_t now = static_cast<uint64_t>(unix_ms) << 12;
  uint64_t prev = last.load(std::memory_order_relaxed);
  uint64_t next;
  do {
    next = now > prev ? now : prev + 1;
  } while (!last.compare_exchange_weak(prev, next, std::memory_order_relaxed));
  uint64_t ms = next >> 12;
  uint64_t counter = next & 0xFFF;
  uint8_t b[16];
  for (int i = 0; i < 6; ++i) {
    b[i] = uint8_t(ms >> ((5 - i) * 8));  // 48-bit big-endian timestamp
  }
  b[6] = uint8_t(0x70 | (counter >> 8));  // version 7, counter high bits
  b[7] = uint8_t(counter & 0xFF);
  uint64_t random = random_bytes().next_u64();
  for (int i = 0; i < 8; ++i) {
    b[8 + i] = uint8_t(random >> (i * 8));
  }
  b[8] = (b[8] & 0x3F) | 0x80;  // variant 10
  return format_uuid(b);
}

ExtendedRequestId new_extended_request_id() {
  // Random base64 characters, written directly: 90 random bits shaped like API Gateway's id
  // (16 characters ending in '='), without an allocation per request.
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  ExtendedRequestId out;
  uint64_t bits = random_bytes().next_u64();
  for (size_t i = 0; i < 15; ++i) {
    if (i == 10) bits = random_bytes().next_u64();  // 6 bits per character: 10 from each draw
    out[i] = kAlphabet[bits & 63];
    bits >>= 6;
  }
  out[15] = '=';
  return out;
}

}  // namespace gatehouse::core
