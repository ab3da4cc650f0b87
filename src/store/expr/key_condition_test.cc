// KeyConditionExpression: parsing, matching to a key schema, and sort-key ranges. Expected texts:
// paritysuite/dynamodb-conformance tests/tier3/error-messages/queryKeyConditionOperands.test.ts
// and tests/tier3/validation-ordering/queryKeyCondition.test.ts, nubo-db/dynamodb-conformance
// tests/tier3/error-messages/query.test.ts and tests/tier1/query/keyConditionSemantics.test.ts,
// scylladb test/alternator/test_key_condition_expression.py.
#include "store/expr/key_condition.h"

#include <gtest/gtest.h>

#include "store/expr/parse.h"
#include "store/expr/test_common.h"

namespace gatehouse::store::expr {
namespace {

using testing::n;
using testing::Request;
using testing::s;
using V = AttributeValue;

class KeyConditionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    r.names = {{"#pk", "pk"}, {"#sk", "sk"}};
    r.values = {{":p", s("q")},
                {":a", s("a")},
                {":lo", n("1")},
                {":hi", n("5")},
                {":one", n("1")},
                {":bool", V::boolean(true)},
                {":false", V::boolean(false)},
                {":empty", s("")},
                {":b", testing::b("ab")}};
  }
  core::Result<KeyRange, std::string> bind(std::string_view text, ValueType sort = ValueType::kN) {
    auto kc = parse_key_condition(text, r.ctx(), r.usage);
    if (!kc) return core::unexpected(kc.error());
    return bind_key_condition(*kc, {"pk", ValueType::kS}, KeyAttribute{"sk", sort});
  }
  std::string bind_error(std::string_view text, ValueType sort = ValueType::kN) {
    auto k = bind(text, sort);
    return k ? "(bound)" : k.error();
  }
  Request r;
};

TEST_F(KeyConditionTest, TermsPutTheAttributeFirst) {
  KeyCondition kc = r.key("#pk = :p AND :lo <= #sk");
  ASSERT_EQ(kc.terms.size(), 2u);
  EXPECT_EQ(kc.terms[0].attribute, "pk");
  EXPECT_EQ(kc.terms[1].attribute, "sk");
  EXPECT_EQ(kc.terms[1].op, KeyCondition::Op::kGe);
  kc = r.key(":p = pk AND sk BETWEEN :lo AND :hi");
  EXPECT_EQ(kc.terms[1].op, KeyCondition::Op::kBetween);
  EXPECT_EQ(kc.terms[1].values.size(), 2u);
  kc = r.key("(pk = :p) AND (begins_with(sk, :a))");
  EXPECT_EQ(kc.terms[1].op, KeyCondition::Op::kBeginsWith);
  kc = r.key("(pk = :p AND (sk > :lo))");
  EXPECT_EQ(kc.terms[1].op, KeyCondition::Op::kGt);
}

TEST_F(KeyConditionTest, OnlyAndOfSupportedOperators) {
  EXPECT_EQ(r.key_error("sk = :lo OR pk = :p"),
            "Invalid operator used in KeyConditionExpression: OR");
  EXPECT_EQ(r.key_error("NOT sk = :lo AND pk = :p"),
            "Invalid operator used in KeyConditionExpression: NOT");
  EXPECT_EQ(r.key_error("pk = :p AND sk IN (:lo)"),
            "Invalid operator used in KeyConditionExpression: IN");
  EXPECT_EQ(r.key_error("pk = :p AND sk <> :lo"),
            "Invalid operator used in KeyConditionExpression: <>");
  EXPECT_EQ(r.key_error("pk = :p AND attribute_exists(sk)"),
            "Invalid operator used in KeyConditionExpression: attribute_exists");
  EXPECT_EQ(r.key_error("pk = :p AND dog(sk, :lo)"),
            "Invalid KeyConditionExpression: Invalid function name; function: dog");
  EXPECT_EQ(r.key_error("pk = :p AND size(sk) = :lo"),
            "Invalid KeyConditionExpression: KeyConditionExpressions cannot contain nested "
            "operations");
  EXPECT_EQ(r.key_error("#pk = :p AND #sk.foo = :a"),
            "Invalid KeyConditionExpression: KeyConditionExpressions cannot have conditions on "
            "nested attributes");
  // dynalite test/query.js (written against DynamoDB): no "Invalid KeyConditionExpression: ".
  EXPECT_EQ(r.key_error("pk = :p AND sk > :lo AND sk < :hi"),
            "KeyConditionExpressions must only contain one condition per key");
  EXPECT_EQ(r.key_error("p = :p AND p = :p"),
            "KeyConditionExpressions must only contain one condition per key");
  EXPECT_EQ(r.key_error("pk = sk"),
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one "
            "condition");
  EXPECT_EQ(r.key_error("((pk = :p)) AND sk = :lo"),
            "Invalid KeyConditionExpression: The expression has redundant parentheses;");
}

// An operand no key type could match is an expression error; a key type that is not the
// attribute's fails the schema check.
TEST_F(KeyConditionTest, OperandTypes) {
  const std::string schema =
      "One or more parameter values were invalid: Condition parameter type does not match "
      "schema type";
  auto operand = [](std::string_view op, std::string_view type) {
    return "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
           "operator or function: " +
           std::string(op) + ", operand type: " + std::string(type);
  };
  EXPECT_EQ(bind_error("pk = :p AND begins_with(sk, :lo)", ValueType::kS),
            operand("begins_with", "N"));
  EXPECT_EQ(bind_error("pk = :p AND begins_with(sk, :bool)", ValueType::kS),
            operand("begins_with", "BOOL"));
  EXPECT_EQ(bind_error("pk = :p AND begins_with(sk, :lo)"), operand("begins_with", "N"));
  EXPECT_EQ(bind_error("pk = :p AND begins_with(sk, :a)"), schema);
  EXPECT_EQ(bind_error("pk = :p AND sk < :bool"), operand("<", "BOOL"));
  EXPECT_EQ(bind_error("pk = :p AND :bool >= sk"), operand(">=", "BOOL"));
  EXPECT_EQ(bind_error("pk = :p AND sk BETWEEN :false AND :bool"), operand("BETWEEN", "BOOL"));
  EXPECT_EQ(bind_error("pk = :p AND sk = :bool"), schema);
  EXPECT_EQ(bind_error("pk = :lo"), schema);
}

TEST_F(KeyConditionTest, MatchingTheSchema) {
  EXPECT_EQ(bind_error("sk = :lo"), "Query condition missed key schema element: pk");
  EXPECT_EQ(bind_error("attr1 = :a"), "Query condition missed key schema element: pk");
  EXPECT_EQ(bind_error("pk = :p AND attr2 = :lo"), "Query condition missed key schema element: sk");
  EXPECT_EQ(bind_error("pk < :p"), "Query key condition not supported");
  EXPECT_EQ(bind_error("begins_with(pk, :p)"), "Query key condition not supported");
  EXPECT_EQ(bind_error("pk = :p AND sk > :lo AND extra = :hi"),
            "The number of query conditions (3) exceeds the number of key attributes defined in "
            "the schema (2)");
  auto hash_only =
      bind_key_condition(r.key("pk = :p AND sk = :lo"), {"pk", ValueType::kS}, std::nullopt);
  ASSERT_FALSE(hash_only);
  EXPECT_EQ(hash_only.error(),
            "The number of query conditions (2) exceeds the number of key attributes defined in "
            "the schema (1)");
  EXPECT_EQ(bind_error("pk = :empty"),
            "One or more parameter values are not valid. The AttributeValue for a key attribute "
            "cannot contain an empty string value. Key: pk");
  auto ok = bind("pk = :p");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->hash, s("q"));
  EXPECT_FALSE(ok->range);
}

// A term that is not indexable (legacy KeyConditions NULL, NE, IN, ...) is refused once it is on
// a key attribute: after a missed key element, before the partition key's operator and the
// constants' types (mhart/dynalite test/query.js "non-indexable operations", db/index.js order).
TEST_F(KeyConditionTest, TermsThatAreNotIndexable) {
  const std::string not_indexable =
      "Attempted conditional constraint is not an indexable operation";
  auto term = [](std::string attribute, bool indexable, KeyCondition::Op op = KeyCondition::Op::kEq,
                 V value = s("q")) {
    KeyCondition::Term t;
    t.attribute = std::move(attribute);
    t.op = op;
    t.values = {std::move(value)};
    t.indexable = indexable;
    return t;
  };
  auto bound = [](std::vector<KeyCondition::Term> terms) {
    KeyCondition kc;
    kc.terms = std::move(terms);
    auto r = bind_key_condition(kc, {"pk", ValueType::kS}, KeyAttribute{"sk", ValueType::kN});
    return r ? std::string("(bound)") : r.error();
  };
  EXPECT_EQ(bound({term("pk", false)}), not_indexable);
  EXPECT_EQ(bound({term("pk", true), term("sk", false, KeyCondition::Op::kEq, n("1"))}),
            not_indexable);
  EXPECT_EQ(bound({term("pk", false, KeyCondition::Op::kLt, V::boolean(true))}), not_indexable);
  EXPECT_EQ(bound({term("x", false)}), "Query condition missed key schema element: pk");
  EXPECT_EQ(bound({term("pk", true), term("x", false)}),
            "Query condition missed key schema element: sk");
  EXPECT_EQ(bound({term("pk", true), term("sk", true, KeyCondition::Op::kGe, n("1"))}), "(bound)");
}

// Problems are reported in written order across undefined values and operand types, before any
// key-structure problem (paritysuite validation-ordering/queryKeyCondition.test.ts).
TEST_F(KeyConditionTest, ValidationOrdering) {
  const std::string operand =
      "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator "
      "or function: begins_with, operand type: N";
  const std::string undefined =
      "Invalid KeyConditionExpression: An expression attribute value used in expression is not "
      "defined; attribute value: :missing";
  EXPECT_EQ(r.key_error("pk = :missing AND begins_with(sk, :lo)"), undefined);
  EXPECT_EQ(r.key_error("begins_with(sk, :lo) AND pk = :missing"), operand);
  EXPECT_EQ(r.key_error("pk = :p AND begins_with(sk, :lo) AND sk = :missing"), operand);
  EXPECT_EQ(r.key_error("pk = :p AND begins_with(sk, :lo) AND sk > :a"), operand);
}

TEST_F(KeyConditionTest, SortKeyRanges) {
  auto range = [&](std::string_view text, ValueType t = ValueType::kN) {
    auto k = bind(text, t);
    EXPECT_TRUE(k) << (k ? "" : k.error());
    return *k;
  };
  EXPECT_TRUE(sort_key_matches(range("pk = :p"), n("7")));
  EXPECT_TRUE(sort_key_matches(range("pk = :p AND sk = :one"), n("1.0")));
  EXPECT_FALSE(sort_key_matches(range("pk = :p AND sk < :one"), n("1")));
  EXPECT_TRUE(sort_key_matches(range("pk = :p AND sk <= :one"), n("1")));
  EXPECT_TRUE(sort_key_matches(range("pk = :p AND sk > :one"), n("1e1")));
  EXPECT_TRUE(sort_key_matches(range("pk = :p AND :hi >= sk"), n("5")));
  EXPECT_TRUE(sort_key_matches(range("pk = :p AND sk BETWEEN :lo AND :hi"), n("5")));
  EXPECT_FALSE(sort_key_matches(range("pk = :p AND sk BETWEEN :lo AND :hi"), n("5.01")));
  EXPECT_TRUE(sort_key_matches(range("pk = :p AND begins_with(sk, :a)", ValueType::kS), s("abc")));
  EXPECT_FALSE(sort_key_matches(range("pk = :p AND begins_with(sk, :a)", ValueType::kS), s("ba")));
  EXPECT_TRUE(
      sort_key_matches(range("pk = :p AND begins_with(sk, :b)", ValueType::kB), testing::b("abc")));
  // S orders by UTF-8 bytes: "é" (C3 A9) after "z".
  r.values.insert_or_assign(":z", s("z"));
  EXPECT_TRUE(sort_key_matches(range("pk = :p AND sk > :z", ValueType::kS), s("\xC3\xA9")));
}

// A Query's filter may not name the key, the partition key reported first (the text as real
// DynamoDB answers appear in users' logs; mhart/dynalite checks the path heads).
TEST_F(KeyConditionTest, FilterMayNotNameTheKey) {
  auto filter = [&](std::string_view text) {
    auto c = parse_condition(ConditionKind::kFilter, text, r.ctx(), r.usage);
    EXPECT_TRUE(c) << (c ? "" : c.error());
    return key_attribute_in_filter(*c, {"pk", ValueType::kS}, KeyAttribute{"sk", ValueType::kN});
  };
  EXPECT_EQ(filter("a = :a AND size(#sk) > :lo"),
            "Filter Expression can only contain non-primary key attributes: Primary key "
            "attribute: sk");
  EXPECT_EQ(filter("attribute_exists(pk)"),
            "Filter Expression can only contain non-primary key attributes: Primary key "
            "attribute: pk");
  EXPECT_EQ(filter("sk = :lo AND pk = :p"),
            "Filter Expression can only contain non-primary key attributes: Primary key "
            "attribute: pk");
  EXPECT_EQ(filter("a = :a OR b.pk = :a"), std::nullopt);
}

}  // namespace
}  // namespace gatehouse::store::expr
