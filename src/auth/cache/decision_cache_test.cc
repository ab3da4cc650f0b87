#include "auth/cache/decision_cache.h"

#include <gtest/gtest.h>

namespace gatehouse::auth::cache {
namespace {

using std::chrono::seconds;

class DecisionCacheTest : public ::testing::Test {
 protected:
  core::ManualClock clock_{1'700'000'000};
  CacheStats stats_;
  auto make(CacheOptions o = {}) { return DecisionCache<std::string>(o, clock_, &stats_); }
  static auto value(const char* s) { return std::make_shared<const std::string>(s); }
};

// A stored value is returned until the TTL passes, then it is a miss.
TEST_F(DecisionCacheTest, HitUntilTtlThenMiss) {
  auto c = make({.ttl_s = 300});
  c.put("tok", value("allow"));
  clock_.advance(seconds(299));
  ASSERT_NE(c.get("tok"), nullptr);
  EXPECT_EQ(*c.get("tok"), "allow");
  clock_.advance(seconds(1));
  EXPECT_EQ(c.get("tok"), nullptr);
  EXPECT_EQ(stats_.expired.value(), 1u);
}

// The token's own expiry caps the entry's life below the TTL.
TEST_F(DecisionCacheTest, NeverOutlivesTokenExpiry) {
  auto c = make({.ttl_s = 300});
  c.put("tok", value("allow"), clock_.now() + seconds(10));
  clock_.advance(seconds(9));
  EXPECT_NE(c.get("tok"), nullptr);
  clock_.advance(seconds(1));
  EXPECT_EQ(c.get("tok"), nullptr);
}

// An already-expired token is not stored at all.
TEST_F(DecisionCacheTest, ExpiredTokenNotStored) {
  auto c = make();
  c.put("tok", value("allow"), clock_.now() - seconds(1));
  EXPECT_EQ(c.size(), 0u);
}

// TTL 0 turns the cache off: nothing is stored or found.
TEST_F(DecisionCacheTest, TtlZeroDisables) {
  auto c = make({.ttl_s = 0});
  c.put("tok", value("allow"));
  EXPECT_EQ(c.get("tok"), nullptr);
  EXPECT_FALSE(c.enabled());
}

// Past max_entries the least recently used entry is evicted and counted.
TEST_F(DecisionCacheTest, EvictsLeastRecentlyUsed) {
  auto c = make({.ttl_s = 300, .max_entries = 2, .shards = 1});
  c.put("a", value("1"));
  c.put("b", value("2"));
  ASSERT_NE(c.get("a"), nullptr);  // a is now most recent
  c.put("c", value("3"));
  EXPECT_EQ(c.get("b"), nullptr);
  EXPECT_NE(c.get("a"), nullptr);
  EXPECT_NE(c.get("c"), nullptr);
  EXPECT_EQ(stats_.evictions.value(), 1u);
}

// Keys over the size cap are never stored.
TEST_F(DecisionCacheTest, OversizedKeyNotStored) {
  auto c = make({.ttl_s = 300, .max_key_bytes = 4});
  c.put("12345", value("x"));
  EXPECT_EQ(c.get("12345"), nullptr);
  EXPECT_EQ(c.size(), 0u);
}

// Hits and misses are counted.
TEST_F(DecisionCacheTest, CountsHitsAndMisses) {
  auto c = make();
  EXPECT_EQ(c.get("x"), nullptr);
  c.put("x", value("v"));
  EXPECT_NE(c.get("x"), nullptr);
  EXPECT_EQ(stats_.hits.value(), 1u);
  EXPECT_EQ(stats_.misses.value(), 1u);
  EXPECT_EQ(stats_.inserts.value(), 1u);
}

}  // namespace
}  // namespace gatehouse::auth::cache
