#include "core/gateway_response_types.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace gatehouse::core {
namespace {

// Every type round-trips through its API Gateway name; the table is in enum order and sorted by
// name; the three answers gatehouse never gives are the ones a config may not override.
TEST(GatewayResponseTypes, TheTable) {
  for (size_t i = 0; i < kGatewayResponseTypes.size(); ++i) {
    auto t = static_cast<GatewayResponseType>(i);
    EXPECT_EQ(kGatewayResponseTypes[i].type, t);
    EXPECT_EQ(gateway_response_type(to_string(t)), t);
    if (i > 0) {
      EXPECT_LT(kGatewayResponseTypes[i - 1].name, kGatewayResponseTypes[i].name);
    }
  }
  EXPECT_EQ(gateway_response_type("access_denied"), std::nullopt);
  EXPECT_EQ(std::count_if(kGatewayResponseTypes.begin(), kGatewayResponseTypes.end(),
                          [](const auto& t) { return !t.produced; }),
            2);
  EXPECT_FALSE(
      kGatewayResponseTypes[static_cast<size_t>(GatewayResponseType::kWafFiltered)].produced);
}

}  // namespace
}  // namespace gatehouse::core
