#include "core/ids.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <set>

namespace gatehouse::core {
namespace {

// Request ids are UUIDv4-shaped and unique across many draws.
TEST(RequestId, ShapeAndUniqueness) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = to_string(new_request_id());
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(id[8], '-');
    EXPECT_EQ(id[14], '4');
    EXPECT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b');
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

// What an attacker does with a fast non-cryptographic generator: splitmix64 is invertible, so one
// request id (two outputs, six bits overwritten by the version and variant) gives the state, and
// with it every id the thread makes next — invocation ids a runtime answers under included.
namespace splitmix_attack {
constexpr uint64_t kGamma = 0x9E3779B97F4A7C15ull;
uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
uint64_t unshift(uint64_t z, int s) {
  uint64_t x = z;
  for (int i = 0; i < 64 / s + 1; ++i)
    x = z ^ (x >> s);
  return x;
}
uint64_t inverse(uint64_t m) {  // m odd: Newton's iteration mod 2^64
  uint64_t x = m;
  for (int i = 0; i < 6; ++i)
    x *= 2 - m * x;
  return x;
}
uint64_t unmix(uint64_t z) {
  z = unshift(z, 31);
  z = unshift(z * inverse(0x94D049BB133111EBull), 27);
  return unshift(z * inverse(0xBF58476D1CE4E5B9ull), 30);
}
uint8_t hex(char c) {
  return static_cast<uint8_t>(c <= '9' ? c - '0' : c - 'a' + 10);
}
void bytes_of(const std::string& id, uint8_t (&b)[16]) {
  std::string h;
  for (char c : id)
    if (c != '-') h += c;
  for (int i = 0; i < 16; ++i)
    b[i] = static_cast<uint8_t>(hex(h[2 * i]) << 4 | hex(h[2 * i + 1]));
}
uint64_t little_endian(const uint8_t* b) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i)
    v = v << 8 | b[i];
  return v;
}
// Two 64-bit outputs as a version 4 UUID, the way the splitmix64 generator made request ids.
std::string uuid_of(uint64_t a, uint64_t c) {
  uint8_t b[16];
  for (int i = 0; i < 8; ++i) {
    b[i] = uint8_t(a >> (i * 8));
    b[8 + i] = uint8_t(c >> (i * 8));
  }
  b[6] = (b[6] & 0x0F) | 0x40;
  b[8] = (b[8] & 0x3F) | 0x80;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 15];
  }
  return out;
}

// The id a splitmix64 generator whose last output made `id` would make next; nullopt when `id`
// was not made by one.
std::optional<std::string> predict_next(const std::string& id) {
  uint8_t b[16];
  bytes_of(id, b);
  uint64_t a = little_endian(b), c = little_endian(b + 8);
  for (uint64_t nibble = 0; nibble < 16; ++nibble) {  // bits 52..55 of `a` were overwritten
    uint64_t a_full = (a & ~(0xFull << 52)) | nibble << 52;
    uint64_t state = unmix(a_full);
    uint64_t c_full = mix(state + kGamma);
    if ((c_full & ~0xC0ull) != (c & ~0xC0ull)) continue;  // bits 6..7 were overwritten
    return uuid_of(mix(state + 2 * kGamma), mix(state + 3 * kGamma));
  }
  return std::nullopt;
}

}  // namespace splitmix_attack

// The attack works on a splitmix64 id (the predictor is right) and fails on ours: no id is a
// function of the one before it on the same thread.
TEST(RequestId, NotPredictableFromThePreviousOne) {
  {
    // A splitmix64-made id, as the generator before this one made them.
    uint64_t state = 0x0123456789abcdefull;
    auto draw = [&] { return splitmix_attack::mix(state += splitmix_attack::kGamma); };
    auto make = [&] {
      uint64_t a = draw();
      return splitmix_attack::uuid_of(a, draw());
    };
    std::string first = make();
    ASSERT_EQ(splitmix_attack::predict_next(first), make()) << "the predictor works";
  }
  for (int i = 0; i < 200; ++i) {
    std::string first = to_string(new_request_id());
    std::string second = to_string(new_request_id());
    EXPECT_NE(splitmix_attack::predict_next(first), second) << first;
  }
}

// Time-ordered ids carry the timestamp in their first 48 bits (RFC 9562 test vector's layout) and
// sort by it.
TEST(TimeOrderedId, EncodesTimestampAndSortsByIt) {
  // RFC 9562 Appendix A.6: 0x017F22E279B0 = 1645557742000 ms.
  std::string id = to_string(new_time_ordered_id(1645557742000));
  EXPECT_EQ(id.substr(0, 13), "017f22e2-79b0");
  EXPECT_EQ(id[14], '7');
  EXPECT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b');
  std::string later = to_string(new_time_ordered_id(1645557742001));
  EXPECT_LT(id, later);
}

// Within one millisecond, and when the clock steps back, ids still come out in increasing order.
TEST(TimeOrderedId, MonotonicWithinAMillisecondAndAcrossClockSteps) {
  std::string prev = to_string(new_time_ordered_id(1'900'000'000'000));
  for (int i = 0; i < 10'000; ++i) {  // more than the 4096 a counter holds per millisecond
    std::string id =
        to_string(new_time_ordered_id(i < 5'000 ? 1'900'000'000'000 : 1'899'999'999'000));
    ASSERT_LT(prev, id) << i;
    prev = id;
  }
}

// Extended ids look like API Gateway's: 16 base64 characters ending in '='.
TEST(ExtendedRequestId, Shape) {
  std::string id(id_view(new_extended_request_id()));
  EXPECT_EQ(id.size(), 16u);
  EXPECT_EQ(id.back(), '=');
}

}  // namespace
}  // namespace gatehouse::core
