// DynamoDB's legacy parameters read into the expression AST. Expected texts and their order:
// mhart/dynalite validations/index.js, updateItem.js, query.js, scan.js and test/updateItem.js,
// test/query.js, test/scan.js (written against real DynamoDB); the decompiled DynamoDB Local
// classes InputConverter, LocalDBValidatorUtils and ErrorFactory (AWS's own legacy checks);
// paritysuite/dynamodb-conformance deleteItem.test.ts. Semantics: scylladb test/alternator/
// test_expected.py, test_query_filter.py and test_item.py, run against real DynamoDB.
#include "store/expr/legacy.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <string>
#include <vector>

#include "store/expr/evaluate.h"
#include "store/expr/projection.h"
#include "store/expr/test_common.h"
#include "store/expr/update.h"

namespace gatehouse::store::expr {
namespace {

namespace json = boost::json;
using testing::b;
using testing::l;
using testing::m;
using testing::n;
using testing::ns;
using testing::s;
using Kind = LegacyError::Kind;
using V = AttributeValue;

const std::string kInvalid = "One or more parameter values were invalid: ";

json::value js(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  EXPECT_FALSE(ec) << text;
  return v;
}

template <class T>
std::string error_of(const LegacyResult<T>& r) {
  return r ? std::string("(read)") : r.error().message;
}

std::string expected_error(std::string_view text,
                           std::optional<ConditionalOperator> op = std::nullopt) {
  json::value v = js(text);
  return error_of(read_expected(&v, op));
}

std::string filter_error(std::string_view text,
                         std::optional<ConditionalOperator> op = std::nullopt) {
  json::value v = js(text);
  return error_of(read_filter(FilterParameter::kScanFilter, &v, op));
}

std::string updates_error(std::string_view text) {
  return error_of(read_attribute_updates(js(text)));
}

class LegacyConditions : public ::testing::Test {
 protected:
  void SetUp() override {
    item = {{"a", n("1")},
            {"s", s("hello")},
            {"bin", b("hi there")},
            {"nul", V::null()},
            {"flag", V::boolean(true)},
            {"ss", V::string_set({"dog", "cat"})},
            {"nums", ns({"2", "4", "7"})},
            {"lst", l({n("2"), n("4"), n("7")})}};
  }
  // Whether the item satisfies a ScanFilter / an Expected, which must be valid.
  bool filter_holds(std::string_view text, std::optional<ConditionalOperator> op = std::nullopt) {
    json::value v = js(text);
    auto c = read_filter(FilterParameter::kScanFilter, &v, op);
    EXPECT_TRUE(c) << text << ": " << error_of(c);
    return c && *c && matches(**c, item);
  }
  bool expected_holds(std::string_view text, std::optional<ConditionalOperator> op = std::nullopt) {
    json::value v = js(text);
    auto c = read_expected(&v, op);
    EXPECT_TRUE(c) << text << ": " << error_of(c);
    return c && *c && matches(**c, item);
  }
  // `op` on attribute `attr` with AttributeValueList `list` (JSON), as a ScanFilter.
  bool holds(std::string_view attr, std::string_view op, std::string_view list) {
    return filter_holds("{\"" + std::string(attr) + "\":{\"ComparisonOperator\":\"" +
                        std::string(op) + "\",\"AttributeValueList\":" + std::string(list) + "}}");
  }
  Item item;
};

// Value alone and Exists true with Value are EQ; Exists false alone is NULL; a missing
// attribute fails EQ (scylladb test_expected.py test_update_expected_1_value_* and _exists_*).
TEST_F(LegacyConditions, ExpectedValueAndExists) {
  EXPECT_TRUE(expected_holds(R"({"a":{"Value":{"N":"1.0"}}})"));
  EXPECT_FALSE(expected_holds(R"({"a":{"Value":{"N":"2"}}})"));
  EXPECT_FALSE(expected_holds(R"({"z":{"Value":{"N":"1"}}})"));
  EXPECT_TRUE(expected_holds(R"({"a":{"Exists":true,"Value":{"N":"1"}}})"));
  EXPECT_FALSE(expected_holds(R"({"a":{"Exists":false}})"));
  EXPECT_TRUE(expected_holds(R"({"z":{"Exists":false}})"));
  EXPECT_TRUE(expected_holds(R"({"a":{"ComparisonOperator":"GT","Value":{"N":"0"}}})"));
  json::value empty = js("{}");
  auto none = read_expected(&empty, std::nullopt);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  auto absent = read_expected(nullptr, std::nullopt);
  ASSERT_TRUE(absent);
  EXPECT_FALSE(*absent);
}

// Each Expected entry's structural texts (dynalite test/updateItem.js; paritysuite
// deleteItem.test.ts for Exists true, Exists false with Value, Value with AttributeValueList, EQ
// without value and BETWEEN with one value).
TEST_F(LegacyConditions, ExpectedValidationTexts) {
  EXPECT_EQ(expected_error(R"({"a":{}})"),
            kInvalid + "Value must be provided when Exists is null for Attribute: a");
  EXPECT_EQ(expected_error(R"({"a":{"Exists":true}})"),
            kInvalid + "Value must be provided when Exists is true for Attribute: a");
  EXPECT_EQ(expected_error(R"({"a":{"Exists":false,"Value":{"S":"x"}}})"),
            kInvalid + "Value cannot be used when Exists is false for Attribute: a");
  EXPECT_EQ(expected_error(R"({"a":{"ComparisonOperator":"EQ","Value":{"S":"x"},
                                    "AttributeValueList":[{"S":"x"}]}})"),
            kInvalid + "Value and AttributeValueList cannot be used together for Attribute: a");
  EXPECT_EQ(expected_error(R"({"a":{"ComparisonOperator":"EQ"}})"),
            kInvalid +
                "Value or AttributeValueList must be used with ComparisonOperator: EQ for "
                "Attribute: a");
  EXPECT_EQ(expected_error(R"({"a":{"Exists":true,"ComparisonOperator":"NULL"}})"),
            kInvalid + "Exists and ComparisonOperator cannot be used together for Attribute: a");
  EXPECT_EQ(expected_error(R"({"a":{"AttributeValueList":[{"S":"x"}]}})"),
            kInvalid +
                "AttributeValueList can only be used with a ComparisonOperator for "
                "Attribute: a");
  EXPECT_EQ(expected_error(R"({"a":{"ComparisonOperator":"NULL","Value":{"S":"a"}}})"),
            kInvalid + "Invalid number of argument(s) for the NULL ComparisonOperator");
  EXPECT_EQ(expected_error(R"({"a":{"ComparisonOperator":"BETWEEN","Value":{"S":"a"}}})"),
            kInvalid + "Invalid number of argument(s) for the BETWEEN ComparisonOperator");
  EXPECT_EQ(expected_error(R"({"a":null})"),
            kInvalid + "ExpectedAttributeValue must not be null for Attribute: a");
  // NULL and NOT_NULL need no value.
  EXPECT_EQ(expected_error(R"({"a":{"ComparisonOperator":"NOT_NULL"}})"), "(read)");
  // DynamoDB Local's InputConverter order: Exists with ComparisonOperator comes first.
  EXPECT_EQ(expected_error(R"({"a":{"Exists":true,"ComparisonOperator":"EQ","Value":{"S":"x"},
                                    "AttributeValueList":[]}})"),
            kInvalid + "Exists and ComparisonOperator cannot be used together for Attribute: a");
  // Entries are checked in the request's order; a bad value is the value's own text.
  EXPECT_EQ(expected_error(R"({"a":{"Value":{"N":"x"}},"b":{}})"),
            "The parameter cannot be converted to a numeric value: x");
}

// The argument counts per operator (dynalite validations/index.js; scylladb test_expected.py).
TEST_F(LegacyConditions, ArgumentCounts) {
  for (auto [op, list] : std::vector<std::pair<std::string, std::string>>{
           {"EQ", "[]"},
           {"NE", R"([{"N":"1"},{"N":"2"}])"},
           {"LT", "[]"},
           {"CONTAINS", R"([{"S":"a"},{"S":"b"}])"},
           {"BEGINS_WITH", "[]"},
           {"NULL", R"([{"S":"a"}])"},
           {"NOT_NULL", R"([{"S":"a"}])"},
           {"IN", "[]"},
           {"BETWEEN", R"([{"N":"1"}])"},
           {"BETWEEN", R"([{"N":"1"},{"N":"2"},{"N":"3"}])"}}) {
    EXPECT_EQ(filter_error(R"({"a":{"ComparisonOperator":")" + op + R"(","AttributeValueList":)" +
                           list + "}}"),
              kInvalid + "Invalid number of argument(s) for the " + op + " ComparisonOperator")
        << op << " " << list;
  }
  EXPECT_EQ(filter_error(R"({"a":{"ComparisonOperator":"EQ"}})"),
            kInvalid + "Invalid number of argument(s) for the EQ ComparisonOperator");
}

// The value types each operator takes (dynalite test/query.js and test/scan.js; CONTAINS takes
// BOOL and NULL, per dynalite's list of refused types and DynamoDB Local's scalar set).
TEST_F(LegacyConditions, ArgumentTypes) {
  auto with = [](std::string_view op, std::string_view list) {
    return filter_error(R"({"a":{"ComparisonOperator":")" + std::string(op) +
                        R"(","AttributeValueList":)" + std::string(list) + "}}");
  };
  auto not_valid = [](std::string_view op, std::string_view type) {
    return kInvalid + "ComparisonOperator " + std::string(op) + " is not valid for " +
           std::string(type) + " AttributeValue type";
  };
  EXPECT_EQ(with("LT", R"([{"BOOL":true}])"), not_valid("LT", "BOOL"));
  EXPECT_EQ(with("GE", R"([{"NULL":true}])"), not_valid("GE", "NULL"));
  EXPECT_EQ(with("IN", R"([{"L":[]}])"), not_valid("IN", "L"));
  EXPECT_EQ(with("BETWEEN", R"([{"BOOL":true},{"BOOL":false}])"), not_valid("BETWEEN", "BOOL"));
  EXPECT_EQ(with("BEGINS_WITH", R"([{"N":"1"}])"), not_valid("BEGINS_WITH", "N"));
  EXPECT_EQ(with("CONTAINS", R"([{"SS":["a"]}])"), not_valid("CONTAINS", "SS"));
  EXPECT_EQ(with("NOT_CONTAINS", R"([{"M":{}}])"), not_valid("NOT_CONTAINS", "M"));
  for (std::string_view list : {R"([{"BOOL":true}])", R"([{"M":{}}])", R"([{"L":[]}])",
                                R"([{"NS":["1"]}])", R"([{"NULL":true}])"}) {
    EXPECT_EQ(with("EQ", list), "(read)") << list;
    EXPECT_EQ(with("NE", list), "(read)") << list;
  }
  EXPECT_EQ(with("CONTAINS", R"([{"BOOL":true}])"), "(read)");
  EXPECT_EQ(with("CONTAINS", R"([{"NULL":true}])"), "(read)");
  EXPECT_EQ(with("IN", R"([{"S":"b"},{"N":"1"}])"),
            kInvalid + "AttributeValues inside AttributeValueList must be of same type");
  EXPECT_EQ(with("BETWEEN", R"([{"S":"b"},{"S":"a"}])"),
            "The BETWEEN condition was provided a range where the lower bound is greater than "
            "the upper bound");
  EXPECT_EQ(with("BETWEEN", R"([{"N":"9"},{"N":"10"}])"), "(read)");  // numbers by value
  EXPECT_EQ(with("EQ", R"([{"S":"a","N":"1"}])"),
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one "
            "of the supported datatypes");
}

// Comparisons as in expressions: another type never matches; NE holds for a missing attribute
// or another type (scylladb test_expected.py test_update_expected_1_ne_true, _le ... _gt).
TEST_F(LegacyConditions, Comparisons) {
  EXPECT_TRUE(holds("a", "EQ", R"([{"N":"1"}])"));
  EXPECT_FALSE(holds("a", "EQ", R"([{"S":"1"}])"));
  EXPECT_TRUE(holds("ss", "EQ", R"([{"SS":["cat","dog"]}])"));
  EXPECT_TRUE(holds("lst", "EQ", R"([{"L":[{"N":"2"},{"N":"4"},{"N":"7"}]}])"));
  EXPECT_TRUE(holds("a", "NE", R"([{"S":"1"}])"));
  EXPECT_TRUE(holds("missing", "NE", R"([{"N":"1"}])"));
  EXPECT_FALSE(holds("a", "NE", R"([{"N":"1"}])"));
  EXPECT_TRUE(holds("a", "LE", R"([{"N":"1"}])"));
  EXPECT_FALSE(holds("a", "LT", R"([{"N":"1"}])"));
  EXPECT_TRUE(holds("s", "GT", R"([{"S":"aardvark"}])"));
  EXPECT_FALSE(holds("a", "GE", R"([{"S":"0"}])"));
  EXPECT_FALSE(holds("missing", "LT", R"([{"N":"5"}])"));
  EXPECT_TRUE(holds("a", "BETWEEN", R"([{"N":"1"},{"N":"3"}])"));
  EXPECT_FALSE(holds("missing", "BETWEEN", R"([{"N":"0"},{"N":"100"}])"));
  EXPECT_TRUE(holds("s", "BEGINS_WITH", R"([{"S":"hell"}])"));
  EXPECT_TRUE(holds("bin", "BEGINS_WITH", R"([{"B":"aGk="}])"));  // "hi"
  EXPECT_FALSE(holds("a", "BEGINS_WITH", R"([{"S":"1"}])"));
}

// NULL and NOT_NULL test presence, not the NULL type (scylladb test_expected.py
// test_update_expected_1_null / _not_null, test_query_filter.py test_query_filter_null).
TEST_F(LegacyConditions, NullAndNotNull) {
  EXPECT_TRUE(holds("nul", "NOT_NULL", "[]"));
  EXPECT_FALSE(holds("nul", "NULL", "[]"));
  EXPECT_TRUE(holds("missing", "NULL", "[]"));
  EXPECT_FALSE(holds("missing", "NOT_NULL", "[]"));
  EXPECT_TRUE(filter_holds(R"({"missing":{"ComparisonOperator":"NULL"}})"));
}

// CONTAINS finds substrings, set members and list elements; NOT_CONTAINS is false on a missing
// attribute, so both are false there (scylladb test_expected.py test_update_expected_1_contains
// and _not_contains, "Surprisingly, if an attribute does not exist at all, NOT_CONTAINS fails").
TEST_F(LegacyConditions, ContainsAndNotContains) {
  EXPECT_TRUE(holds("s", "CONTAINS", R"([{"S":"ell"}])"));
  EXPECT_TRUE(holds("nums", "CONTAINS", R"([{"N":"4"}])"));
  EXPECT_TRUE(holds("lst", "CONTAINS", R"([{"N":"4"}])"));
  EXPECT_TRUE(holds("ss", "CONTAINS", R"([{"S":"dog"}])"));
  EXPECT_TRUE(holds("bin", "CONTAINS", R"([{"B":"aGVyZQ=="}])"));  // "here"
  EXPECT_FALSE(holds("s", "CONTAINS", R"([{"N":"1"}])"));
  EXPECT_FALSE(holds("missing", "CONTAINS", R"([{"N":"1"}])"));
  EXPECT_TRUE(holds("s", "NOT_CONTAINS", R"([{"S":"dog"}])"));
  EXPECT_TRUE(holds("s", "NOT_CONTAINS", R"([{"N":"1"}])"));
  EXPECT_TRUE(holds("nums", "NOT_CONTAINS", R"([{"N":"1"}])"));
  EXPECT_FALSE(holds("lst", "NOT_CONTAINS", R"([{"N":"4"}])"));
  EXPECT_FALSE(holds("s", "NOT_CONTAINS", R"([{"S":"ell"}])"));
  EXPECT_FALSE(holds("missing", "NOT_CONTAINS", R"([{"N":"1"}])"));
}

// IN tests the attribute's value against the list; it never looks into a set attribute
// (scylladb test_expected.py test_update_expected_1_in).
TEST_F(LegacyConditions, In) {
  EXPECT_TRUE(holds("a", "IN", R"([{"N":"3"},{"N":"1"},{"N":"8"}])"));
  EXPECT_FALSE(holds("a", "IN", R"([{"N":"2"}])"));
  EXPECT_FALSE(holds("nums", "IN", R"([{"N":"1"},{"N":"2"},{"N":"4"},{"N":"7"}])"));
  EXPECT_FALSE(holds("missing", "IN", R"([{"N":"1"}])"));
}

// Entries are ANDed unless ConditionalOperator is OR, which needs two or more entries
// (scylladb test_expected.py test_update_expected_multi_*, test_update_expected_empty; texts:
// DynamoDB Local ErrorFactory COND_OP_WITHOUT_FILTER_OR_EXPECTED, COND_OP_WITH_ONE_ELEMENT).
TEST_F(LegacyConditions, ConditionalOperator) {
  const std::string both = R"({"a":{"Value":{"N":"1"}},"b":{"Exists":false},
                               "s":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]}})";
  EXPECT_FALSE(expected_holds(both));
  EXPECT_FALSE(expected_holds(both, ConditionalOperator::kAnd));
  EXPECT_TRUE(expected_holds(both, ConditionalOperator::kOr));
  EXPECT_TRUE(expected_holds(R"({"a":{"Value":{"N":"1"}},"b":{"Exists":false}})"));
  EXPECT_EQ(expected_error("{}", ConditionalOperator::kOr),
            "ConditionalOperator cannot be used without Filter or Expected");
  EXPECT_EQ(
      error_of(read_filter(FilterParameter::kQueryFilter, nullptr, ConditionalOperator::kAnd)),
      "ConditionalOperator cannot be used without Filter or Expected");
  EXPECT_EQ(filter_error(R"({"a":{"ComparisonOperator":"NULL"}})", ConditionalOperator::kAnd),
            "ConditionalOperator can only be used when Filter or Expected has two or more "
            "elements");
  EXPECT_EQ(conditional_operator_from("OR"), ConditionalOperator::kOr);
  EXPECT_EQ(conditional_operator_from("and"), std::nullopt);
}

// A missing or unknown ComparisonOperator is a member constraint, found across all entries
// before any entry's own checks (dynalite validations/scan.js: notNull and the enum).
TEST_F(LegacyConditions, OperatorConstraints) {
  json::value missing = js(R"({"a":{"ComparisonOperator":"EQ"},"b":{"AttributeValueList":[]}})");
  auto r = read_filter(FilterParameter::kQueryFilter, &missing, std::nullopt);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), (LegacyError{Kind::kConstraint, "QueryFilter.b.member.ComparisonOperator",
                                    "Member must not be null", std::nullopt}));
  json::value lower = js(R"({"i":{"ComparisonOperator":"eq","AttributeValueList":[]}})");
  r = read_filter(FilterParameter::kScanFilter, &lower, std::nullopt);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::kConstraint);
  EXPECT_EQ(r.error().member, "ScanFilter.i.member.ComparisonOperator");
  EXPECT_EQ(r.error().value, "eq");
  EXPECT_EQ(r.error().message,
            "Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, "
            "NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]");
  json::value expected = js(R"({"a":{"ComparisonOperator":"DOG","Value":{"S":"x"}}})");
  auto e = read_expected(&expected, std::nullopt);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().member, "Expected.a.member.ComparisonOperator");
  EXPECT_EQ(filter_error(R"({"a":null})"),
            "The filter condition for an attribute cannot be null: a");
}

// The JSON's shape is a SerializationException, found anywhere in the member before any value
// or entry is judged (texts as store/json_codec.cc gives them for attribute values).
TEST(LegacyShapes, SerializationProblems) {
  auto shape = [](std::string_view text) {
    json::value v = js(text);
    auto r = read_expected(&v, std::nullopt);
    EXPECT_TRUE(!r && r.error().kind == Kind::kSerialization) << text;
    return r ? std::string("(read)") : r.error().message;
  };
  EXPECT_EQ(shape("[]"),
            "Unrecognized collection type java.util.Map<java.lang.String, "
            "com.amazonaws.dynamodb.v20120810.ExpectedAttributeValue>");
  EXPECT_EQ(shape("1"), "Unexpected field type");
  EXPECT_EQ(shape(R"({"a":[]})"),
            "Unrecognized collection type class "
            "com.amazonaws.dynamodb.v20120810.ExpectedAttributeValue");
  EXPECT_EQ(shape(R"({"a":"x"})"), "Unexpected value type in payload");
  EXPECT_EQ(shape(R"({"a":{"ComparisonOperator":1}})"),
            "NUMBER_VALUE cannot be converted to String");
  EXPECT_EQ(shape(R"({"a":{"Exists":"yes"}})"), "Unexpected token received from parser");
  EXPECT_EQ(shape(R"({"a":{"AttributeValueList":{}}})"),
            "Start of structure or map found where not expected");
  EXPECT_EQ(shape(R"({"a":{"Value":{"S":1}}})"), "NUMBER_VALUE cannot be converted to String");
  // A later shape problem wins over an earlier entry's validation problem.
  EXPECT_EQ(shape(R"({"a":{},"b":{"Value":{"N":"x"}},"c":{"Exists":1}})"),
            "NUMBER_VALUE cannot be converted to Boolean");
  json::value updates = js(R"({"a":[]})");
  EXPECT_EQ(error_of(read_attribute_updates(updates)),
            "Unrecognized collection type class "
            "com.amazonaws.dynamodb.v20120810.AttributeValueUpdate");
}

// QueryFilter may not name the key (dynalite test/query.js; scylladb test_query_filter.py
// test_query_filter_sort_key).
TEST_F(LegacyConditions, QueryFilterOnKeyAttributes) {
  json::value v = js(R"({"x":{"ComparisonOperator":"NULL"},"sk":{"ComparisonOperator":"NULL"}})");
  auto filter = read_filter(FilterParameter::kQueryFilter, &v, std::nullopt);
  ASSERT_TRUE(filter && *filter);
  EXPECT_EQ(query_filter_key_attribute(**filter, {"pk", ValueType::kS},
                                       KeyAttribute{"sk", ValueType::kN}),
            "QueryFilter can only contain non-primary key attributes: Primary key attribute: sk");
  EXPECT_EQ(query_filter_key_attribute(**filter, {"pk", ValueType::kS}, std::nullopt),
            std::nullopt);
}

class LegacyUpdates : public ::testing::Test {
 protected:
  // The item after AttributeUpdates `text`, which must be valid and apply.
  Item after(std::string_view text, const Item& old) {
    auto u = read_attribute_updates(js(text));
    EXPECT_TRUE(u) << text << ": " << error_of(u);
    if (!u) return {};
    auto next = apply_update(*u, old);
    EXPECT_TRUE(next) << text << ": " << (next ? "" : next.error());
    return next ? *next : Item{};
  }
  std::string apply_error(std::string_view text, const Item& old) {
    auto u = read_attribute_updates(js(text));
    EXPECT_TRUE(u) << text << ": " << error_of(u);
    if (!u) return "(refused)";
    auto next = apply_update(*u, old);
    return next ? "(applied)" : next.error();
  }
};

// PUT (the default) sets, DELETE without Value removes, DELETE with a set removes members and
// the attribute with the last one, ADD adds numbers, unions sets and appends lists, a missing
// attribute taking the value (scylladb test_item.py test_update_item_delete, _add, _merge).
TEST_F(LegacyUpdates, Actions) {
  Item old{{"a", n("7")}, {"s", ns({"1", "2", "3"})}, {"l", l({n("1"), n("2")})}, {"x", s("x")}};
  Item next = after(R"({"x":{"Action":"DELETE"},"y":{"Value":{"S":"new"}},
                        "z":{"Action":"PUT","Value":{"BOOL":true}}})",
                    old);
  EXPECT_FALSE(next.contains("x"));
  EXPECT_EQ(next.at("y"), s("new"));
  EXPECT_EQ(next.at("z"), V::boolean(true));
  EXPECT_EQ(after(R"({"a":{"Action":"ADD","Value":{"N":"-3.5"}}})", old).at("a"), n("3.5"));
  EXPECT_EQ(after(R"({"b":{"Action":"ADD","Value":{"N":"2"}}})", old).at("b"), n("2"));
  EXPECT_EQ(after(R"({"s":{"Action":"ADD","Value":{"NS":["3","5"]}}})", old).at("s"),
            ns({"1", "2", "3", "5"}));
  EXPECT_EQ(after(R"({"l":{"Action":"ADD","Value":{"L":[{"N":"3"},{"N":"1"}]}}})", old).at("l"),
            l({n("1"), n("2"), n("3"), n("1")}));
  EXPECT_EQ(after(R"({"c":{"Action":"ADD","Value":{"L":[{"S":"a"}]}}})", old).at("c"), l({s("a")}));
  EXPECT_EQ(after(R"({"s":{"Action":"DELETE","Value":{"NS":["2","4"]}}})", old).at("s"),
            ns({"1", "3"}));
  EXPECT_FALSE(
      after(R"({"s":{"Action":"DELETE","Value":{"NS":["1","2","3"]}}})", old).contains("s"));
  EXPECT_EQ(after(R"({"q":{"Action":"DELETE","Value":{"NS":["1"]}}})", old), old);
  auto u = read_attribute_updates(js(R"({"b":{"Action":"DELETE"},"a":{"Value":{"N":"1"}}})"));
  ASSERT_TRUE(u);
  EXPECT_EQ(updated_attributes(*u), (std::vector<std::string>{"a", "b"}));
  auto empty = read_attribute_updates(js("{}"));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->set.empty() && empty->remove.empty() && empty->add.empty());
}

// A value that does not suit the attribute fails at apply time with the legacy text (scylladb
// test_item.py matches "mismatch"; dynalite actions/updateItem.js).
TEST_F(LegacyUpdates, TypeMismatch) {
  const std::string mismatch = "Type mismatch for attribute to update";
  Item old{{"set", V::string_set({"dog"})}, {"lst", l({s("dog")})}, {"num", n("2")}};
  EXPECT_EQ(apply_error(R"({"set":{"Action":"ADD","Value":{"N":"2"}}})", old), mismatch);
  EXPECT_EQ(apply_error(R"({"set":{"Action":"ADD","Value":{"L":[]}}})", old), mismatch);
  EXPECT_EQ(apply_error(R"({"lst":{"Action":"ADD","Value":{"SS":["cat"]}}})", old), mismatch);
  EXPECT_EQ(apply_error(R"({"num":{"Action":"ADD","Value":{"SS":["dog"]}}})", old), mismatch);
  EXPECT_EQ(apply_error(R"({"num":{"Action":"DELETE","Value":{"NS":["2"]}}})", old), mismatch);
  EXPECT_EQ(apply_error(R"({"set":{"Action":"DELETE","Value":{"NS":["1"]}}})", old), mismatch);
}

// The request checks, in DynamoDB's order (dynalite test/updateItem.js; DynamoDB Local
// InputConverter validateAttributeUpdates, which also allows L for ADD).
TEST_F(LegacyUpdates, ValidationTexts) {
  EXPECT_EQ(updates_error(R"({"a":{"Action":"PUT"}})"),
            kInvalid + "Only DELETE action is allowed when no attribute value is specified");
  EXPECT_EQ(updates_error(R"({"a":{}})"),
            kInvalid + "Only DELETE action is allowed when no attribute value is specified");
  EXPECT_EQ(updates_error(R"({"a":{"Action":"ADD"}})"),
            kInvalid + "Only DELETE action is allowed when no attribute value is specified");
  for (std::string_view value :
       {R"({"S":"1"})", R"({"N":"1"})", R"({"B":"Yg=="})", R"({"NULL":true})", R"({"BOOL":true})",
        R"({"M":{}})", R"({"L":[]})"}) {
    std::string type = std::string(value.substr(2, value.find('"', 2) - 2));
    EXPECT_EQ(updates_error(R"({"a":{"Action":"DELETE","Value":)" + std::string(value) + "}}"),
              kInvalid + "DELETE action with value is not supported for the type " + type);
  }
  for (std::string_view value :
       {R"({"S":"1"})", R"({"B":"Yg=="})", R"({"NULL":true})", R"({"BOOL":true})", R"({"M":{}})"}) {
    std::string type = std::string(value.substr(2, value.find('"', 2) - 2));
    EXPECT_EQ(updates_error(R"({"a":{"Action":"ADD","Value":)" + std::string(value) + "}}"),
              kInvalid + "ADD action is not supported for the type " + type);
  }
  EXPECT_EQ(updates_error(R"({"a":{"Action":"ADD","Value":{"SS":[]}}})"),
            kInvalid + "An string set  may not be empty");
  auto bad = read_attribute_updates(js(R"({"a":{"Action":"NONEXISTENT","Value":{"S":"v"}}})"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(),
            (LegacyError{Kind::kConstraint, "AttributeUpdates.a.member.Action",
                         "Member must satisfy enum value set: [ADD, PUT, DELETE]", "NONEXISTENT"}));
  EXPECT_EQ(updates_error(R"({"a":null})"),
            "Supplied AttributeValueUpdate is empty, must contain one of the supported actions: a "
            "is null");
}

// KeyConditions become key-condition terms that bind to the schema like a
// KeyConditionExpression; NULL, NE, IN and the like are refused there (dynalite test/query.js).
TEST(LegacyKeyConditions, Terms) {
  auto read = [](std::string_view text) { return read_key_conditions(js(text)); };
  auto bound = [&](std::string_view text) -> core::Result<KeyRange, std::string> {
    auto kc = read(text);
    if (!kc) return core::unexpected(kc.error().message);
    return bind_key_condition(*kc, {"pk", ValueType::kS}, KeyAttribute{"sk", ValueType::kN});
  };
  auto range = bound(R"({"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"p"}]},
                         "sk":{"ComparisonOperator":"BETWEEN",
                               "AttributeValueList":[{"N":"1"},{"N":"5"}]}})");
  ASSERT_TRUE(range) << range.error();
  EXPECT_EQ(range->hash, s("p"));
  EXPECT_TRUE(sort_key_matches(*range, n("5")));
  EXPECT_FALSE(sort_key_matches(*range, n("6")));
  auto error = [&](std::string_view text) {
    auto r = bound(text);
    return r ? std::string("(bound)") : r.error();
  };
  const std::string eq_p = R"("pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"p"}]})";
  EXPECT_EQ(error("{}"), "Conditions can be of length 1 or 2 only");
  EXPECT_EQ(error("{" + eq_p + R"(,"a":{"ComparisonOperator":"NULL"},
                                  "b":{"ComparisonOperator":"NULL"}})"),
            "Conditions can be of length 1 or 2 only");
  for (std::string_view c :
       {R"({"ComparisonOperator":"NULL"})", R"({"ComparisonOperator":"NOT_NULL"})",
        R"({"ComparisonOperator":"NE","AttributeValueList":[{"N":"1"}]})",
        R"({"ComparisonOperator":"CONTAINS","AttributeValueList":[{"S":"a"}]})",
        R"({"ComparisonOperator":"IN","AttributeValueList":[{"S":"a"}]})"}) {
    EXPECT_EQ(error(R"({"pk":)" + std::string(c) + "}"),
              "Attempted conditional constraint is not an indexable operation")
        << c;
    EXPECT_EQ(error("{" + eq_p + R"(,"sk":)" + std::string(c) + "}"),
              "Attempted conditional constraint is not an indexable operation")
        << c;
  }
  EXPECT_EQ(error(R"({"pk":{"ComparisonOperator":"LT","AttributeValueList":[{"S":"p"}]}})"),
            "Query key condition not supported");
  EXPECT_EQ(error(R"({"sk":{"ComparisonOperator":"NULL"}})"),
            "Query condition missed key schema element: pk");
  EXPECT_EQ(error(R"({"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"1"}]}})"),
            kInvalid + "Condition parameter type does not match schema type");
  EXPECT_EQ(
      error("{" + eq_p +
            R"(,"sk":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"N":"1"}]}})"),
      kInvalid + "ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type");
  auto missing = read(R"({"pk":{"AttributeValueList":[{"S":"p"}]}})");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().member, "KeyConditions.pk.member.ComparisonOperator");
}

// AttributesToGet: top-level names, 1 to 255 of them, none twice (dynalite
// validations/query.js; test/getItem.js; scylladb test_item.py test_getitem_attributes_to_get*).
TEST(LegacyAttributesToGet, Projection) {
  auto p = read_attributes_to_get(js(R"(["c","a.b","nonexistent"])"));
  ASSERT_TRUE(p);
  Item item{{"a", m({{"b", n("1")}})}, {"a.b", n("2")}, {"c", s("x")}};
  EXPECT_EQ(project(item, p->paths), (Item{{"a.b", n("2")}, {"c", s("x")}}));
  EXPECT_EQ(error_of(read_attributes_to_get(js(R"(["a","b","a"])"))),
            kInvalid + "Duplicate value in attribute name: a");
  auto empty = read_attributes_to_get(js("[]"), "RequestItems.t.member.AttributesToGet");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error(),
            (LegacyError{Kind::kConstraint, "RequestItems.t.member.AttributesToGet",
                         "Member must have length greater than or equal to 1", std::nullopt}));
  json::array many;
  for (int i = 0; i < 256; ++i)
    many.emplace_back("a" + std::to_string(i));
  EXPECT_EQ(error_of(read_attributes_to_get(json::value(many))),
            "Member must have length less than or equal to 255");
  EXPECT_EQ(error_of(read_attributes_to_get(js(R"(["a",1])"))),
            "NUMBER_VALUE cannot be converted to String");
  EXPECT_EQ(error_of(read_attributes_to_get(js("{}"))),
            "Start of structure or map found where not expected");
}

// Both kinds of parameters in one request, listed in DynamoDB's order (dynalite test/query.js
// and test/scan.js; DynamoDB Local InputConverter validateMixingOldStyleWithExpressions, which
// also lists ConditionalOperator for PutItem, UpdateItem and DeleteItem).
TEST(LegacyMixing, Message) {
  const std::string prefix =
      "Can not use both expression and non-expression parameters in the same request: ";
  using Names = std::vector<std::string_view>;
  auto message = [](Names present) { return mixed_parameters_message(present); };
  EXPECT_EQ(
      message({"KeyConditionExpression", "KeyConditions", "ConditionalOperator", "FilterExpression",
               "QueryFilter", "ProjectionExpression", "AttributesToGet", "TableName"}),
      prefix +
          "Non-expression parameters: {AttributesToGet, QueryFilter, ConditionalOperator, "
          "KeyConditions} Expression parameters: {ProjectionExpression, FilterExpression, "
          "KeyConditionExpression}");
  EXPECT_EQ(message({"ScanFilter", "FilterExpression", "AttributesToGet"}),
            prefix +
                "Non-expression parameters: {AttributesToGet, ScanFilter} Expression parameters: "
                "{FilterExpression}");
  EXPECT_EQ(message({"Expected", "ConditionExpression", "AttributeUpdates", "UpdateExpression"}),
            prefix +
                "Non-expression parameters: {AttributeUpdates, Expected} Expression parameters: "
                "{UpdateExpression, ConditionExpression}");
  EXPECT_EQ(message({"ConditionalOperator", "Expected", "ConditionExpression"}),
            prefix +
                "Non-expression parameters: {Expected, ConditionalOperator} Expression "
                "parameters: {ConditionExpression}");
  // KeyConditions goes with a FilterExpression; only KeyConditionExpression makes it a mix.
  EXPECT_EQ(message({"KeyConditions", "FilterExpression", "ProjectionExpression"}), std::nullopt);
  EXPECT_EQ(message({"AttributesToGet", "Select"}), std::nullopt);
  EXPECT_EQ(message({"ProjectionExpression"}), std::nullopt);
  EXPECT_EQ(mixed_parameters_message(
                js(R"({"AttributesToGet":["a"],"ProjectionExpression":"a","Expected":null})")
                    .as_object()),
            prefix +
                "Non-expression parameters: {AttributesToGet} Expression parameters: "
                "{ProjectionExpression}");
}

}  // namespace
}  // namespace gatehouse::store::expr
