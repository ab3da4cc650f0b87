#include "store/json_codec.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <string>
#include <utility>
#include <vector>

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

// The message DynamoDB gives for `text`, and whether it is a SerializationException.
std::pair<bool, std::string> problem_of(std::string_view text) {
  auto v = read_value(boost::json::parse(text));
  EXPECT_FALSE(v.has_value()) << text;
  if (v) return {false, ""};
  return {v.error().serialization, v.error().message};
}

V read(std::string_view text) {
  auto v = read_value(boost::json::parse(text));
  EXPECT_TRUE(v.has_value()) << text << ": " << (v ? "" : v.error().message);
  return v ? *v : V::null();
}

// What is read is what is written back, numbers and binaries in their canonical forms.
TEST(DynamoJson, ReadsEveryType) {
  for (auto [in, out] : std::vector<std::pair<std::string, std::string>>{
           {R"({"S":"x"})", R"({"S":"x"})"},
           {R"({"S":""})", R"({"S":""})"},
           {R"({"N":"0042.10"})", R"({"N":"42.1"})"},
           {R"({"B":"AP8Q"})", R"({"B":"AP8Q"})"},
           {R"({"B":""})", R"({"B":""})"},
           {R"({"BOOL":true})", R"({"BOOL":true})"},
           {R"({"NULL":true})", R"({"NULL":true})"},
           {R"({"SS":["b","a",""]})", R"({"SS":["b","a",""]})"},
           {R"({"NS":["1","2.50"]})", R"({"NS":["1","2.5"]})"},
           {R"({"BS":["YWI="]})", R"({"BS":["YWI="]})"},
           {R"({"L":[{"S":"a"},{"M":{}}]})", R"({"L":[{"S":"a"},{"M":{}}]})"},
           {R"({"M":{"k":{"N":"1e2"}}})", R"({"M":{"k":{"N":"100"}}})"},
           {R"({"S":"x","N":null})", R"({"S":"x"})"},  // a null is no value
       }) {
    EXPECT_EQ(json_of(read(in)), out) << in;
  }
  auto item = read_item(boost::json::parse(R"({"pk":{"S":"a"},"n":{"N":"1"}})"));
  ASSERT_TRUE(item.has_value());
  EXPECT_EQ(item->size(), 2u);
}

// The JSON's shape: SerializationException texts, found before any value is judged.
TEST(DynamoJson, ShapeProblems) {
  for (auto [in, message] : std::vector<std::pair<std::string, std::string>>{
           {R"({"S":1})", "NUMBER_VALUE cannot be converted to String"},
           {R"({"N":1})", "NUMBER_VALUE cannot be converted to String"},
           {R"({"S":1.5})", "DECIMAL_VALUE cannot be converted to String"},
           {R"({"S":true})", "TRUE_VALUE cannot be converted to String"},
           {R"({"S":false})", "FALSE_VALUE cannot be converted to String"},
           {R"({"S":[]})", "Unrecognized collection type class java.lang.String"},
           {R"({"S":{}})", "Start of structure or map found where not expected"},
           {R"({"BOOL":"true"})", "Unexpected token received from parser"},
           {R"({"NULL":"x"})", "Unexpected token received from parser"},
           {R"({"BOOL":1})", "NUMBER_VALUE cannot be converted to Boolean"},
           {R"({"BOOL":1.5})", "DECIMAL_VALUE cannot be converted to Boolean"},
           {R"({"SS":"a"})", "Unexpected field type"},
           {R"({"L":"a"})", "Unexpected field type"},
           {R"({"L":{}})", "Start of structure or map found where not expected"},
           {R"({"M":[]})",
            "Unrecognized collection type java.util.Map<java.lang.String, "
            "com.amazonaws.dynamodb.v20120810.AttributeValue>"},
           {R"({"M":"x"})", "Unexpected field type"},
           {R"({"B":1})", "only base-64-encoded strings are convertible to bytes"},
           {R"({"B":true})", "only base-64-encoded strings are convertible to bytes"},
           {R"({"B":[]})", "Unrecognized collection type class java.nio.ByteBuffer"},
           {R"({"B":"23456"})",
            "Base64 encoded length is expected a multiple of 4 bytes but found: 5"},
           {R"({"B":"=+/="})", "Invalid last non-pad Base64 character dectected"},
           {R"({"M":{"a":"x"}})", "Unexpected value type in payload"},
           {R"({"M":{"a":[]}})",
            "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue"},
           {R"({"L":[{"S":"a"},1]})", "Unexpected value type in payload"},
           // A shape problem deep inside wins over a value problem before it.
           {R"({"NULL":false,"M":{"a":{"S":1}}})", "NUMBER_VALUE cannot be converted to String"},
       }) {
    EXPECT_EQ(problem_of(in), std::make_pair(true, message)) << in;
  }
}

// Values: ValidationException texts, the first problem winning, in DynamoDB's order.
TEST(DynamoJson, ValueProblems) {
  const std::string kEmpty =
      "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes";
  const std::string kTwo =
      "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the "
      "supported datatypes";
  const std::string kInvalid = "One or more parameter values were invalid: ";
  for (auto [in, message] : std::vector<std::pair<std::string, std::string>>{
           {R"({})", kEmpty},
           {R"({"a":""})", kEmpty},
           {R"({"S":null})", kEmpty},
           {R"({"M":{"a":{}}})", kEmpty},
           {R"({"L":[{}]})", kEmpty},
           {R"({"S":"a","N":"1"})", kTwo},
           {R"({"S":"a","N":"b"})", "The parameter cannot be converted to a numeric value: b"},
           {R"({"N":""})", "The parameter cannot be converted to a numeric value: "},
           {R"({"N":" 1"})", "The parameter cannot be converted to a numeric value:  1"},
           {R"({"N":"1e126"})",
            "Number overflow. Attempting to store a number with magnitude larger than supported "
            "range"},
           {R"({"NS":["1","b","a"]})", "The parameter cannot be converted to a numeric value: b"},
           {R"({"SS":[]})", kInvalid + "An string set  may not be empty"},
           {R"({"NS":[]})", kInvalid + "An number set  may not be empty"},
           {R"({"BS":[]})", kInvalid + "Binary sets should not be empty"},
           {R"({"M":{"s":{"SS":[]}}})", kInvalid + "An string set  may not be empty"},
           {R"({"SS":["b","a","b"]})",
            kInvalid + R"(Input collection ["a", "b", "b"] contains duplicates.)"},
           {R"({"SS":["a","a"]})",
            kInvalid + R"(Input collection ["a", "a"] contains duplicates.)"},
           {R"({"SS":["c","b","c","a"]})",
            kInvalid + R"(Input collection ["b", "c", "c", "a"] contains duplicates.)"},
           {R"({"BS":["/w==","AA==","AA=="]})",
            kInvalid + R"(Input collection ["AA==","/w==","AA=="]of type BS contains duplicates.)"},
           {R"({"NS":["2","1","2.0"]})", kInvalid + "Input collection contains duplicates."},
           {R"({"NULL":false})",
            kInvalid + "Null attribute value types must have the value of true"},
       }) {
    EXPECT_EQ(problem_of(in), std::make_pair(false, message)) << in;
  }
}

// An attribute is level 1; its value may hold 31 levels of documents, not 32.
TEST(DynamoJson, NestingLimit) {
  auto nested = [](int wraps) {
    std::string text = R"({"S":"x"})";
    for (int i = 0; i < wraps; ++i)
      text = R"({"M":{"a":)" + text + "}}";
    return text;
  };
  boost::json::parse_options deep;
  deep.max_depth = 200;
  EXPECT_TRUE(read_value(boost::json::parse(nested(31), {}, deep)).has_value());
  auto refused = read_value(boost::json::parse(nested(32), {}, deep));
  ASSERT_FALSE(refused.has_value());
  EXPECT_FALSE(refused.error().serialization);
  EXPECT_EQ(refused.error().message,
            "Nesting Levels have exceeded supported limits: Attributes in the item have nested "
            "levels beyond supported limit");
}

}  // namespace
}  // namespace gatehouse::store
