// ISO 8601 instants with milliseconds, across the epoch and leap days, and back.
#include "core/iso8601.h"

#include <gtest/gtest.h>

namespace gatehouse::core {
namespace {

TEST(Iso8601, KnownInstantsBothWays) {
  for (auto [ms, text] : std::initializer_list<std::pair<int64_t, std::string_view>>{
           {0, "1970-01-01T00:00:00.000Z"},
           {-1, "1969-12-31T23:59:59.999Z"},
           {951'782'400'000, "2000-02-29T00:00:00.000Z"},
           {1'795'490'095'268, "2026-11-24T03:14:55.268Z"},
           {4'102'444'799'999, "2099-12-31T23:59:59.999Z"}}) {
    EXPECT_EQ(format_iso8601_ms(ms), text);
    EXPECT_EQ(parse_iso8601_ms(text), ms) << text;
  }
}

TEST(Iso8601, OtherTextIsNotAnInstant) {
  for (std::string_view text :
       {"", "2026-11-24T03:14:55Z", "2026-11-24 03:14:55.268Z", "2026-02-30T00:00:00.000Z",
        "2026-13-01T00:00:00.000Z", "2026-11-24T24:00:00.000Z", "2026-11-24T03:14:55.268+",
        "x026-11-24T03:14:55.268Z"})
    EXPECT_EQ(parse_iso8601_ms(text), std::nullopt) << text;
}

}  // namespace
}  // namespace gatehouse::core
