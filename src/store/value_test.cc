#include "store/value.h"

#include <gtest/gtest.h>

#include <string>

namespace gatehouse::store {
namespace {

using V = AttributeValue;

V n(std::string_view text) {
  return V::number(*Decimal::parse(text));
}

TEST(AttributeValue, TypesAndTheirNames) {
  EXPECT_EQ(V::string("x").type(), ValueType::kS);
  EXPECT_EQ(n("1").type(), ValueType::kN);
  EXPECT_EQ(V::binary("\x01").type(), ValueType::kB);
  EXPECT_EQ(V::boolean(true).type(), ValueType::kBool);
  EXPECT_EQ(V::null().type(), ValueType::kNull);
  EXPECT_EQ(V::string_set({"a"}).type(), ValueType::kSS);
  EXPECT_EQ(V::number_set({*Decimal::parse("1")}).type(), ValueType::kNS);
  EXPECT_EQ(V::binary_set({"a"}).type(), ValueType::kBS);
  EXPECT_EQ(V::list({}).type(), ValueType::kL);
  EXPECT_EQ(V::map({}).type(), ValueType::kM);
  std::string names;
  for (int t = 0; t <= static_cast<int>(ValueType::kM); ++t) {
    names += to_string(static_cast<ValueType>(t));
    names += ' ';
  }
  EXPECT_EQ(names, "S N B BOOL NULL SS NS BS L M ");
}

// Numbers by value, sets as sets, documents element by element; never across types.
TEST(AttributeValue, Equality) {
  EXPECT_EQ(n("1"), n("1.0"));
  EXPECT_EQ(n("1e3"), n("1000"));
  EXPECT_NE(n("1"), V::string("1"));
  EXPECT_NE(V::string("a"), V::binary("a"));
  EXPECT_EQ(V::string_set({"a", "b"}), V::string_set({"b", "a"}));
  EXPECT_NE(V::string_set({"a", "b"}), V::string_set({"a"}));
  EXPECT_EQ(V::number_set({*Decimal::parse("1"), *Decimal::parse("2")}),
            V::number_set({*Decimal::parse("2.0"), *Decimal::parse("1")}));
  EXPECT_NE(V::list({V::string("a"), V::string("b")}), V::list({V::string("b"), V::string("a")}));
  EXPECT_EQ(V::map({{"a", n("1")}, {"b", V::null()}}),
            V::map({{"b", V::null()}, {"a", n("1.00")}}));
  EXPECT_NE(V::map({{"a", n("1")}}), V::map({{"a", n("2")}}));
  EXPECT_EQ(V::boolean(false), V::boolean(false));
  EXPECT_NE(V::boolean(false), V::boolean(true));
}

// DynamoDB's item-size accounting (docs/dynamodb.md): names count, documents cost 3 plus 1 per
// element.
TEST(AttributeValue, Sizes) {
  EXPECT_EQ(attribute_size("name", V::string("héllo")), 4u + 6u);
  EXPECT_EQ(attribute_size("b", V::binary(std::string(10, '\0'))), 1u + 10u);
  EXPECT_EQ(attribute_size("n", n("3.14159")), 1u + 5u);
  EXPECT_EQ(attribute_size("t", V::boolean(true)), 2u);
  EXPECT_EQ(attribute_size("z", V::null()), 2u);
  EXPECT_EQ(attribute_size("ss", V::string_set({"ab", "c"})), 2u + 3u);
  EXPECT_EQ(attribute_size("ns", V::number_set({*Decimal::parse("1"), *Decimal::parse("120")})),
            2u + 2u + 2u);
  EXPECT_EQ(attribute_size("l", V::list({V::string("ab"), V::null()})), 1u + 3u + 2u + 2u + 1u);
  EXPECT_EQ(attribute_size("m", V::map({{"k", V::string("ab")}})), 1u + 3u + 1u + 1u + 2u);
  EXPECT_EQ(attribute_size("e", V::map({})), 1u + 3u);
  Item item{{"pk", V::string("user#1")}, {"n", n("42")}};
  EXPECT_EQ(item_size(item), 2u + 6u + 1u + 2u);
}

TEST(AttributeValue, NestingDepth) {
  EXPECT_EQ(nesting_depth(V::string("a")), 0);
  EXPECT_EQ(nesting_depth(V::list({})), 1);
  EXPECT_EQ(nesting_depth(V::map({{"a", V::list({V::map({})})}})), 3);
  V deep = V::null();
  for (int i = 0; i < kMaxNesting; ++i)
    deep = V::list({deep});
  EXPECT_EQ(nesting_depth(deep), kMaxNesting);
}

// Range keys sort as DynamoDB sorts them: S and B by unsigned bytes, N by value.
TEST(AttributeValue, KeyOrder) {
  EXPECT_EQ(compare_keys(V::string("a"), V::string("b")), -1);
  EXPECT_EQ(compare_keys(V::string("b"), V::string("ab")), 1);
  EXPECT_EQ(compare_keys(V::string("a"), V::string("a")), 0);
  EXPECT_EQ(compare_keys(V::string("z"), V::string("\xC3\xA9")), -1);  // é's bytes after 'z'
  EXPECT_EQ(compare_keys(V::binary("\x7F"), V::binary("\x80")), -1);
  EXPECT_EQ(compare_keys(V::binary("\xFF"), V::binary(std::string("\x00\x01", 2))), 1);
  EXPECT_EQ(compare_keys(V::binary(std::string("\x00", 1)), V::binary(std::string("\x00\x01", 2))),
            -1);
  EXPECT_EQ(compare_keys(n("9"), n("10")), -1);
  EXPECT_EQ(compare_keys(n("-1"), n("-2")), 1);
  EXPECT_EQ(compare_keys(n("1.0"), n("1")), 0);
}

}  // namespace
}  // namespace gatehouse::store
