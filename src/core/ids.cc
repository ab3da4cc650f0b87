#include "core/ids.h"

#include <atomic>
#include <cstdint>
#include <random>

namespace gatehouse::core {
namespace {

// splitmix64: tiny, fast and statistically fine for identifiers that need to be unique, not
// unpredictable.
struct IdRng {
  uint64_t state;
  IdRng() {
    std::random_device rd;
    state = (uint64_t(rd()) << 32) ^ rd();
  }
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

IdRng& rng() {
  thread_local IdRng r;
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
  uint64_t a = rng().next(), c = rng().next();
  for (int i = 0; i < 8; ++i) {
    b[i] = uint8_t(a >> (i * 8));
    b[8 + i] = uint8_t(c >> (i * 8));
  }
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
  uint64_t random = rng().next();
  for (int i = 0; i < 8; ++i) {
    b[8 + i] = uint8_t(random >> (i * 8));
  }
  b[8] = (b[8] & 0x3F) | 0x80;  // variant 10
  return format_uuid(b);
}

ExtendedRequestId new_extended_request_id() {
  // Random base64 characters, written directly: the id only has to be unique and look like
  // API Gateway's (16 characters ending in '='), and this avoids an allocation per request.
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  ExtendedRequestId out;
  uint64_t bits = rng().next();
  for (size_t i = 0; i < 15; ++i) {
    if (i == 10) bits = rng().next();  // 6 bits per character: 10 from each draw
    out[i] = kAlphabet[bits & 63];
    bits >>= 6;
  }
  out[15] = '=';
  return out;
}

}  // namespace gatehouse::core
