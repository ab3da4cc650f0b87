#include "core/ids.h"

#include <cstdint>
#include <random>

#include "core/base64.h"

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

}  // namespace

RequestId new_request_id() {
  static constexpr char kHex[] = "0123456789abcdef";
  uint8_t b[16];
  uint64_t a = rng().next(), c = rng().next();
  for (int i = 0; i < 8; ++i) {
    b[i] = uint8_t(a >> (i * 8));
    b[8 + i] = uint8_t(c >> (i * 8));
  }
  b[6] = (b[6] & 0x0F) | 0x40;  // version 4
  b[8] = (b[8] & 0x3F) | 0x80;  // variant 10
  RequestId out;
  size_t o = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
    out[o++] = kHex[b[i] >> 4];
    out[o++] = kHex[b[i] & 15];
  }
  return out;
}

std::string new_extended_request_id() {
  uint64_t a = rng().next(), c = rng().next();
  char raw[11];
  for (int i = 0; i < 8; ++i)
    raw[i] = char(a >> (i * 8));
  for (int i = 0; i < 3; ++i)
    raw[8 + i] = char(c >> (i * 8));
  return base64_encode(std::string_view(raw, sizeof raw));
}

}  // namespace gatehouse::core
