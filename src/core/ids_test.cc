#include "core/ids.h"

#include <gtest/gtest.h>

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
