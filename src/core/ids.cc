#include "core/ids.h"

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
  uint8_t b[16];
  uint64_t ms = static_cast<uint64_t>(unix_ms);
  for (int i = 0; i < 6; ++i) {
    b[i] = uint8_t(ms >> ((5 - i) * 8));  // 48-bit big-endian timestamp
  }
  uint64_t a = rng().next(), c = rng().next();
  for (int i = 0; i < 2; ++i) {
    b[6 + i] = uint8_t(a >> (i * 8));
  }
  for (int i = 0; i < 8; ++i) {
    b[8 + i] = uint8_t(c >> (i * 8));
  }
  b[6] = (b[6] & 0x0F) | 0x70;  // version 7
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
