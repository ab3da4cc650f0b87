#include "store/json_codec.h"

#include <gtest/gtest.h>

#include <string>

namespace gatehouse::store {
namespace {

using V = AttributeValue;

std::string json_of(const V& v) {
  std::string out;
  append_json(out, v);
  return out;
}

Decimal d(std::string_view text) {
  return *Decimal::parse(text);
}

// Every type as DynamoDB writes it: numbers canonical and quoted, binaries as padded base64.
TEST(DynamoJson, WritesEveryType) {
  EXPECT_EQ(json_of(V::string("a\"b\n")), R"({"S":"a\"b\n"})");
  EXPECT_EQ(json_of(V::number(d("0042.1200"))), R"({"N":"42.12"})");
  EXPECT_EQ(json_of(V::number(d("1e3"))), R"({"N":"1000"})");
  EXPECT_EQ(json_of(V::binary(std::string("\x00\xFF\x10", 3))), R"({"B":"AP8Q"})");
  EXPECT_EQ(json_of(V::binary("ab")), R"({"B":"YWI="})");
  EXPECT_EQ(json_of(V::boolean(false)), R"({"BOOL":false})");
  EXPECT_EQ(json_of(V::null()), R"({"NULL":true})");
  EXPECT_EQ(json_of(V::string_set({"b", "a"})), R"({"SS":["b","a"]})");
  EXPECT_EQ(json_of(V::number_set({d("1.50"), d("-2")})), R"({"NS":["1.5","-2"]})");
  EXPECT_EQ(json_of(V::binary_set({"ab"})), R"({"BS":["YWI="]})");
  EXPECT_EQ(json_of(V::list({V::string("x"), V::list({})})), R"({"L":[{"S":"x"},{"L":[]}]})");
  EXPECT_EQ(json_of(V::map({{"k", V::null()}, {"a", V::map({})}})),
            R"({"M":{"a":{"M":{}},"k":{"NULL":true}}})");
}

TEST(DynamoJson, WritesAnItem) {
  Item item{{"pk", V::string("user#1")}, {"n", V::number(d("7"))}};
  std::string out;
  append_item_json(out, item);
  EXPECT_EQ(out, R"({"n":{"N":"7"},"pk":{"S":"user#1"}})");
}

}  // namespace
}  // namespace gatehouse::store
