#include "store/table.h"

#include <gtest/gtest.h>

#include <set>

namespace gatehouse::store {
namespace {

// Every error code has its own name, used in logs and metrics labels.
TEST(StoreErrorCode, EachCodeHasADistinctName) {
  std::set<std::string_view> names;
  for (auto code :
       {StoreErrorCode::kNotFound, StoreErrorCode::kAlreadyExists, StoreErrorCode::kTooLarge,
        StoreErrorCode::kInvalid, StoreErrorCode::kBadCursor, StoreErrorCode::kUnavailable,
        StoreErrorCode::kCorrupt, StoreErrorCode::kIoError}) {
    EXPECT_NE(to_string(code), "unknown");
    names.insert(to_string(code));
  }
  EXPECT_EQ(names.size(), 8u);
  EXPECT_EQ(to_string(StoreErrorCode::kAlreadyExists), "already exists");
}

}  // namespace
}  // namespace gatehouse::store
