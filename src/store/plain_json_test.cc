// Items as plain JSON both ways, as DocumentClient marshals them, and the stored form read back
// without building the item.
#include "store/plain_json.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "store/json_codec.h"

namespace gatehouse::store {
namespace {

TEST(PlainJson, MarshalsAndReadsBackEveryType) {
  auto object =
      boost::json::parse(R"({"s":"x","n":42.5,"i":-7,"big":12345678901234567890,"t":true,"z":null,)"
                         R"("l":[1,"a",{"m":false}],"m":{"b":"c"}})")
          .as_object();
  auto item = item_from_plain_json(object);
  ASSERT_TRUE(item.has_value()) << item.error();
  EXPECT_EQ(item->at("n").type(), ValueType::kN);
  EXPECT_EQ(item->at("big").as_number().to_string(), "12345678901234567890");
  EXPECT_EQ(item->at("l").type(), ValueType::kL);
  EXPECT_EQ(item->at("m").type(), ValueType::kM);
  std::string plain;
  append_plain_json(plain, AttributeValue::map(*item));
  EXPECT_EQ(plain,
            R"({"big":12345678901234567890,"i":-7,"l":[1,"a",{"m":false}],"m":{"b":"c"},"n":42.5,)"
            R"("s":"x","t":true,"z":null})");
  // The stored DynamoDB JSON gives the same text without building the item; sets and binaries
  // become arrays and base64 strings.
  Item with_sets = *item;
  with_sets.emplace("ss", AttributeValue::string_set({"a", "b"}));
  with_sets.emplace("bin", AttributeValue::binary("\xff"));
  std::string stored;
  append_item_json(stored, with_sets);
  std::string from_stored, from_item;
  ASSERT_TRUE(append_plain_json_of_stored(from_stored,
                                          boost::json::value({{"M", boost::json::parse(stored)}})));
  append_plain_json(from_item, AttributeValue::map(with_sets));
  EXPECT_EQ(from_stored, from_item);
  EXPECT_FALSE(append_plain_json_of_stored(from_stored, boost::json::parse(R"({"X":1})")));
}

TEST(PlainJson, NumbersDynamoDbCannotHoldAreRefused) {
  for (const char* text : {R"({"a":1e300})", R"({"a":5e-324})"}) {
    auto item = item_from_plain_json(boost::json::parse(text).as_object());
    ASSERT_FALSE(item.has_value()) << text;
    EXPECT_TRUE(item.error().starts_with("Number ")) << item.error();
  }
  std::string deep = R"({"a":)" + std::string(40, '[') + std::string(40, ']') + "}";
  boost::json::parse_options options;
  options.max_depth = 64;
  auto item = item_from_plain_json(boost::json::parse(deep, {}, options).as_object());
  ASSERT_FALSE(item.has_value());
  EXPECT_TRUE(item.error().starts_with("Nesting Levels have exceeded")) << item.error();
}

}  // namespace
}  // namespace gatehouse::store
