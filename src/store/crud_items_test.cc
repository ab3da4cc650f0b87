#include "store/crud_items.h"

#include <gtest/gtest.h>

#include "store/json_codec.h"

namespace gatehouse::store {
namespace {

const CrudItems kItems("id", 1000);

Record record() {
  return Record{"k1", R"({"id":"k1","name":"Yev","n":1.50,"tags":["a"]})", "alice", 1700000000000,
                1700000000500};
}

TEST(CrudItems, ARecordIsAnItemWithItsMetadataAndBack) {
  auto item = kItems.to_item(record());
  ASSERT_TRUE(item) << item.error().message;
  EXPECT_EQ(item->at("id").as_string(), "k1");
  EXPECT_EQ(item->at("createdBy").as_string(), "alice");
  EXPECT_EQ(item->at("createdAt").as_string(), "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(item->at("updatedAt").as_string(), "2023-11-14T22:13:20.500Z");
  Record back = kItems.to_record(*item);
  EXPECT_EQ(back.key, "k1");
  EXPECT_EQ(back.owner, "alice");
  EXPECT_EQ(back.created_ms, 1700000000000);
  EXPECT_EQ(back.updated_ms, 1700000000500);
  // Numbers come back in DynamoDB's canonical form; the key first, then the attributes.
  EXPECT_EQ(back.attributes, R"({"id":"k1","n":1.5,"name":"Yev","tags":["a"]})");
  // The stored text reads back to the same record without building the item.
  std::string text;
  append_item_json(text, *item);
  auto decoded = kItems.decode(text);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->attributes, back.attributes);
  EXPECT_EQ(decoded->owner, "alice");
}

TEST(CrudItems, AnItemWrittenWithoutMetadataIsARecordWithout) {
  Record r = kItems.to_record(
      Item{{"id", AttributeValue::string("x")}, {"createdAt", AttributeValue::boolean(true)}});
  EXPECT_EQ(r.owner, "");
  EXPECT_EQ(r.created_ms, 0);
  EXPECT_EQ(r.attributes, R"({"id":"x"})");
}

TEST(CrudItems, WhatCannotBeStoredIsSaidSo) {
  Record big = record();
  big.attributes = R"({"id":"k1","s":")" + std::string(1000, 'x') + R"("})";
  EXPECT_EQ(kItems.to_item(big).error().code, StoreErrorCode::kTooLarge);
  Record list = record();
  list.attributes = "[1]";
  EXPECT_EQ(kItems.to_item(list).error().code, StoreErrorCode::kInvalid);
  EXPECT_EQ(kItems.decode("not json").error().code, StoreErrorCode::kCorrupt);
}

}  // namespace
}  // namespace gatehouse::store
