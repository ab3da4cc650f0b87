#include "core/status.h"

#include <gtest/gtest.h>

namespace gatehouse::core {
namespace {

// A default Status is ok and prints as "ok".
TEST(Status, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), Code::kOk);
  EXPECT_EQ(s.to_string(), "ok");
}

// An error keeps its code and message.
TEST(Status, ErrorCarriesCodeAndMessage) {
  Status s = not_found("no such key 'abc'");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.to_string(), "not found: no such key 'abc'");
}

// Result holds either the value or the error.
TEST(Result, HoldsValueOrError) {
  Result<int> good = 7;
  ASSERT_TRUE(good.has_value());
  EXPECT_EQ(*good, 7);
  Result<int> bad = invalid_argument("nope");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), Code::kInvalidArgument);
}

// A domain enum works as the error type, and unexpected() disambiguates same-typed errors.
enum class Fruit { kApple, kPear };
TEST(Result, DomainErrorEnum) {
  Result<std::string, Fruit> r = Fruit::kPear;
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), Fruit::kPear);
  Result<int, int> same = unexpected(3);
  ASSERT_FALSE(same.has_value());
  EXPECT_EQ(same.error(), 3);
}

}  // namespace
}  // namespace gatehouse::core
