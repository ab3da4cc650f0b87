// Parsing ConditionExpression and FilterExpression: structure, precedence and DynamoDB's
// messages. Expected texts are answers real DynamoDB gave, as pinned by
// nubo-db/dynamodb-conformance and paritysuite/dynamodb-conformance (tests/tier3/...), quoted in
// scylladb test/alternator/test_condition_expression.py and test_filter_expression.py, or
// captured by emulators checked against it; each test names its source.
#include <gtest/gtest.h>

#include <string>

#include "store/expr/parse.h"
#include "store/expr/test_common.h"

namespace gatehouse::store::expr {
namespace {

using testing::n;
using testing::Request;
using testing::s;

class ParseCondition : public ::testing::Test {
 protected:
  void SetUp() override {
    r.names = {{"#n", "name"}, {"#m", "m"}, {"#c", "COMMENT"}};
    r.values = {{":v", s("x")},       {":w", s("y")},
                {":one", n("1")},     {":five", n("5")},
                {":four", n("4")},    {":list", testing::l({n("1")})},
                {":t", s("N")},       {":bool", V::boolean(true)},
                {":null", V::null()}, {":bin", testing::b("z")}};
  }
  using V = AttributeValue;
  Request r;
};

// Precedence from the developer guide: comparisons, BETWEEN and functions bind tightest, then
// NOT, then AND, then OR (scylladb test_condition_expression.py: and_before_or, not_before_and,
// between_before_and).
TEST_F(ParseCondition, Precedence) {
  Condition c = r.condition("a = :v OR b = :v AND c = :v");
  ASSERT_EQ(c.kind, Condition::Kind::kOr);
  EXPECT_EQ(c.children[0].kind, Condition::Kind::kCompare);
  EXPECT_EQ(c.children[1].kind, Condition::Kind::kAnd);

  c = r.condition("NOT a = :v AND b = :v");
  ASSERT_EQ(c.kind, Condition::Kind::kAnd);
  EXPECT_EQ(c.children[0].kind, Condition::Kind::kNot);

  c = r.condition("b BETWEEN a AND c AND a < b");
  ASSERT_EQ(c.kind, Condition::Kind::kAnd);
  EXPECT_EQ(c.children[0].kind, Condition::Kind::kBetween);
  EXPECT_EQ(c.children[0].operands.size(), 3u);
  EXPECT_EQ(c.children[1].comparator, Comparator::kLt);

  c = r.condition("(a = :v OR b = :v) AND c = :v");
  ASSERT_EQ(c.kind, Condition::Kind::kAnd);
  EXPECT_EQ(c.children[0].kind, Condition::Kind::kOr);

  c = r.condition("NOT NOT NOT NOT a < b");
  EXPECT_EQ(c.kind, Condition::Kind::kNot);
}

// Keywords in any case; names and function names exactly as written.
TEST_F(ParseCondition, KeywordsAreCaseInsensitiveFunctionNamesAreNot) {
  Condition c = r.condition("a between :one aNd :five oR b In (:v, :w)");
  EXPECT_EQ(c.kind, Condition::Kind::kOr);
  EXPECT_EQ(c.children[1].operands.size(), 3u);
  EXPECT_EQ(r.condition_error("ATTRIBUTE_EXISTS(a)"),
            "Invalid ConditionExpression: Invalid function name; function: ATTRIBUTE_EXISTS");
}

// Placeholders resolve, paths keep their steps, and a #name holding a dot is one step.
TEST_F(ParseCondition, ResolvesPlaceholdersAndPaths) {
  r.names["#dot"] = "a.b";
  Condition c = r.condition("#m.x[2].#n = :one AND attribute_exists(#dot)");
  const Operand& left = c.children[0].operands[0];
  EXPECT_EQ(left.path, testing::path({testing::at("m"), testing::at("x"), testing::at(size_t{2}),
                                      testing::at("name")}));
  EXPECT_EQ(*c.children[0].operands[1].value, n("1"));
  EXPECT_EQ(c.children[1].operands[0].path, testing::path({testing::at("a.b")}));
  EXPECT_EQ(r.usage.names, (std::set<std::string, std::less<>>{"#dot", "#m", "#n"}));
  EXPECT_EQ(r.usage.values, (std::set<std::string, std::less<>>{":one"}));
}

TEST_F(ParseCondition, EveryFunctionParses) {
  Condition c = r.condition(
      "attribute_exists(a) AND attribute_not_exists(b) AND attribute_type(c, :t) AND "
      "begins_with(d, :v) AND contains(e, :one) AND size(f) > :one");
  ASSERT_EQ(c.kind, Condition::Kind::kAnd);
  EXPECT_EQ(c.children[1].operands[0].kind, Operand::Kind::kSize);
}

// nubo-db/dynamodb-conformance tests/tier3/error-messages/query.test.ts (empty key condition);
// scylladb test_condition_expression.py test_update_condition_empty.
TEST_F(ParseCondition, EmptyExpression) {
  EXPECT_EQ(r.condition_error(""), "Invalid ConditionExpression: The expression can not be empty;");
  EXPECT_EQ(r.filter_error("  "), "Invalid FilterExpression: The expression can not be empty;");
  EXPECT_EQ(r.key_error(""), "Invalid KeyConditionExpression: The expression can not be empty;");
}

// 4096 bytes as sent is the limit (paritysuite tests/tier3/limits/expressionSize.test.ts).
TEST_F(ParseCondition, ExpressionSizeLimit) {
  std::string at_limit = "a = :v";
  while (at_limit.size() < kMaxExpressionBytes)
    at_limit += ' ';
  r.condition(at_limit);
  EXPECT_EQ(r.condition_error(at_limit + " "),
            "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; "
            "expression size: 4097");
}

// nubo-db tests/tier3/error-messages/query.test.ts; paritysuite updateItem.test.ts.
TEST_F(ParseCondition, UndefinedPlaceholders) {
  EXPECT_EQ(r.filter_error("#missing = :v"),
            "Invalid FilterExpression: An expression attribute name used in the document path is "
            "not defined; attribute name: #missing");
  EXPECT_EQ(r.condition_error("a = :missing"),
            "Invalid ConditionExpression: An expression attribute value used in expression is not "
            "defined; attribute value: :missing");
  // No ExpressionAttributeValues at all.
  Usage usage;
  auto c = parse_condition(ConditionKind::kCondition, "a = :v", Context{}, usage);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error(),
            "Invalid ConditionExpression: An expression attribute value used in expression is not "
            "defined; attribute value: :v");
  // Within one condition the first written wins.
  EXPECT_EQ(r.condition_error(":nope = #nope"),
            "Invalid ConditionExpression: An expression attribute value used in expression is not "
            "defined; attribute value: :nope");
}

// Names written as is are checked against the reserved words, nested steps too, and in any case;
// a #name may stand for one (nubo-db tests/tier3/limits/reservedWords.test.ts; emulator captures
// of COUNT and m.COMMENT).
TEST_F(ParseCondition, ReservedWords) {
  EXPECT_EQ(r.condition_error("status = :v"),
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: "
            "status");
  EXPECT_EQ(r.condition_error("COUNT = :v"),
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: "
            "COUNT");
  EXPECT_EQ(r.condition_error("begins_with(m.COMMENT, :v)"),
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: "
            "COMMENT");
  r.condition("begins_with(#m.#c, :v)");
}

// scylladb test_condition_expression.py test_update_condition_other_funcs and
// test_update_condition_size_alone / _attribute_exists_in_comparison; emulator captures for the
// exact texts.
TEST_F(ParseCondition, FunctionsInTheWrongPlace) {
  EXPECT_EQ(r.condition_error("dog(a) = :v"),
            "Invalid ConditionExpression: Invalid function name; function: dog");
  EXPECT_EQ(r.condition_error("size(a)"),
            "Invalid ConditionExpression: The function is not allowed to be used this way in an "
            "expression; function: size");
  EXPECT_EQ(r.condition_error("attribute_exists(a) < :one"),
            "Invalid ConditionExpression: The function is not allowed to be used this way in an "
            "expression; function: attribute_exists");
  EXPECT_EQ(r.condition_error("size(contains(a, :v)) = :one"),
            "Invalid ConditionExpression: The function is not allowed to be used this way in an "
            "expression; function: contains");
  EXPECT_EQ(r.condition_error("if_not_exists(a, :v) = :v"),
            "Invalid ConditionExpression: The function is not allowed in a condition expression; "
            "function: if_not_exists");
  EXPECT_EQ(r.condition_error("list_append(a, a) = :list"),
            "Invalid ConditionExpression: The function is not allowed in a condition expression; "
            "function: list_append");
}

TEST_F(ParseCondition, OperandCounts) {
  EXPECT_EQ(r.condition_error("contains(a)"),
            "Invalid ConditionExpression: Incorrect number of operands for operator or function; "
            "operator or function: contains, number of operands: 1");
  EXPECT_EQ(r.condition_error("begins_with(a, :v, :w)"),
            "Invalid ConditionExpression: Incorrect number of operands for operator or function; "
            "operator or function: begins_with, number of operands: 3");
  EXPECT_EQ(r.condition_error("size(a, b) = :one"),
            "Invalid ConditionExpression: Incorrect number of operands for operator or function; "
            "operator or function: size, number of operands: 2");
}

// The first operand may not come back among the others (scylladb
// test_update_condition_contains_same_attribute).
TEST_F(ParseCondition, RepeatedOperand) {
  EXPECT_EQ(r.condition_error("contains(a, a)"),
            "Invalid ConditionExpression: The first operand must be distinct from the remaining "
            "operands for this operator or function; operator: contains, first operand: [a]");
  EXPECT_EQ(r.condition_error("#m.x = m.x"),
            "Invalid ConditionExpression: The first operand must be distinct from the remaining "
            "operands for this operator or function; operator: =, first operand: [m, x]");
  EXPECT_EQ(r.condition_error("a BETWEEN :one AND a"),
            "Invalid ConditionExpression: The first operand must be distinct from the remaining "
            "operands for this operator or function; operator: BETWEEN, first operand: [a]");
  r.condition("contains(a, b)");
}

// Constants of the wrong type are errors, where an item's values of the wrong type only make the
// condition false (scylladb test_update_condition_lt / _between / _begins_with / _size).
TEST_F(ParseCondition, OperandTypes) {
  EXPECT_EQ(r.condition_error("begins_with(a, :one)"),
            "Invalid ConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: begins_with, operand type: N");
  EXPECT_EQ(r.condition_error("a < :list"),
            "Invalid ConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: <, operand type: L");
  EXPECT_EQ(r.condition_error(":bool >= a"),
            "Invalid ConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: >=, operand type: BOOL");
  EXPECT_EQ(r.condition_error("a BETWEEN :list AND :list"),
            "Invalid ConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: BETWEEN, operand type: L");
  EXPECT_EQ(r.condition_error("size(:one) = :one"),
            "Invalid ConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: size, operand type: N");
  EXPECT_EQ(r.condition_error("attribute_exists(:v)"),
            "Invalid ConditionExpression: Operator or function requires a document path; operator "
            "or function: attribute_exists");
  // = and <> take any types, and so do contains and IN.
  r.condition("a = :list AND a <> :bool AND contains(a, :null) AND a IN (:list, :bool)");
}

TEST_F(ParseCondition, AttributeTypeOperand) {
  r.condition("attribute_type(a, :t)");
  // The first operand may be a constant too (scylladb test_update_condition_attribute_type).
  r.condition("attribute_type(:v, :t)");
  EXPECT_EQ(r.condition_error("attribute_type(a, :one)"),
            "Invalid ConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: attribute_type, operand type: N");
  EXPECT_EQ(r.condition_error("attribute_type(a, b)"),
            "Invalid ConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: attribute_type, operand type: {S,SS,N,NS,B,BS,BOOL,NULL,L,M,HD,"
            "DOUBLE,FLOAT,HDS,FS,DOUBLESET,DICT,DECIMAL,INT,DECIMALSET,INTSET}");
  r.values.insert_or_assign(":dog", s("DOG"));
  EXPECT_EQ(r.condition_error("attribute_type(a, :dog)"),
            "Invalid ConditionExpression: Invalid attribute type name found; type: DOG, valid "
            "types: {S,SS,N,NS,B,BS,BOOL,NULL,L,M}");
}

// Two constant bounds must share a type and be in order; equal bounds are fine.
TEST_F(ParseCondition, BetweenBounds) {
  EXPECT_EQ(r.condition_error("a BETWEEN :five AND :four"),
            "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater "
            "than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper "
            "bound operand: AttributeValue: {N:4}");
  r.values.insert_or_assign(":z", s("z"));
  r.values.insert_or_assign(":a", s("a"));
  EXPECT_EQ(r.condition_error("a BETWEEN :z AND :a"),
            "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater "
            "than or equal to lower bound; lower bound operand: AttributeValue: {S:z}, upper "
            "bound operand: AttributeValue: {S:a}");
  r.values.insert_or_assign(":bz", testing::b("z"));
  r.values.insert_or_assign(":ba", testing::b("a"));
  EXPECT_EQ(r.condition_error("a BETWEEN :bz AND :ba"),
            "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater "
            "than or equal to lower bound; lower bound operand: AttributeValue: {B:eg==}, upper "
            "bound operand: AttributeValue: {B:YQ==}");
  EXPECT_EQ(r.condition_error("a BETWEEN :one AND :v"),
            "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower "
            "and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: "
            "AttributeValue: {S:x}");
  r.condition("a BETWEEN :five AND :five");
  // With an item attribute as a bound nothing is checked before evaluation.
  r.condition("a BETWEEN b AND :one");
}

TEST_F(ParseCondition, InTakesUpTo100Candidates) {
  std::string list;
  for (int i = 0; i < 101; ++i) {
    r.values.insert_or_assign(":c" + std::to_string(i), n(std::to_string(i)));
    if (i > 0) list += ",";
    list += ":c" + std::to_string(i);
  }
  EXPECT_EQ(r.condition_error("a IN (" + list + ")"),
            "Invalid ConditionExpression: The IN operator is provided with too many operands; "
            "number of operands: 101");
  list.resize(list.rfind(','));
  EXPECT_EQ(r.condition("a IN (" + list + ")").operands.size(), 101u);
  EXPECT_EQ(r.condition_error("a IN ()"),
            "Invalid ConditionExpression: Syntax error; token: \")\", near: \"()\"");
}

// One pair of parentheses around anything is fine; a pair directly around another is not
// (nubo-db tests/tier1/*/conditionExpressionParens.test.ts, keyConditionParens.test.ts).
TEST_F(ParseCondition, RedundantParentheses) {
  r.condition("(a = :v)");
  r.condition("(a = :v) AND (b = :v)");
  r.condition("(a = :v AND (b = :v))");
  r.condition("(a) = :v");
  r.condition("(attribute_exists(a))");
  const std::string redundant =
      "Invalid ConditionExpression: The expression has redundant parentheses;";
  EXPECT_EQ(r.condition_error("((a = :v))"), redundant);
  EXPECT_EQ(r.condition_error("((#n)) = :v"), redundant);
  EXPECT_EQ(r.condition_error("((a = :v)) AND ((b = :v))"), redundant);
  EXPECT_EQ(r.filter_error("((a = :v))"),
            "Invalid FilterExpression: The expression has redundant parentheses;");
}

// A path of 32 steps is the deepest (scylladb test_projection_expression_path_nesting_levels).
TEST_F(ParseCondition, PathDepth) {
  std::string deep = "a";
  for (int i = 1; i < 32; ++i)
    deep += ".b";
  r.condition("attribute_exists(" + deep + ")");
  EXPECT_EQ(r.condition_error("attribute_exists(" + deep + ".b)"),
            "Invalid ConditionExpression: The document path has too many nesting levels; nesting "
            "levels: 33");
}

// 300 operators and functions are the most an expression holds.
TEST_F(ParseCondition, TooManyOperators) {
  std::string text = "a = :v";
  for (int i = 1; i < 150; ++i)
    text += " AND a = :v";  // 299 operators
  r.condition(text);
  EXPECT_EQ(r.condition_error(text + " AND attribute_exists(a)"),
            "Invalid ConditionExpression: The expression contains too many operators; operator "
            "count: 301");
}

// A bare operand is no condition: the parse stops after it.
TEST_F(ParseCondition, BareOperandIsASyntaxError) {
  EXPECT_EQ(r.condition_error("a"),
            "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"a\"");
  EXPECT_EQ(r.condition_error("a AND b = :v"),
            "Invalid ConditionExpression: Syntax error; token: \"AND\", near: \"a AND b\"");
  EXPECT_EQ(r.condition_error("a != :v"),
            "Invalid ConditionExpression: Syntax error; token: \"!\", near: \"a !=\"");
}

// Problems are reported by kind before position: redundant parentheses, then unknown functions,
// then misplaced functions, then reserved words, then each condition's own problems
// (mhart/dynalite db/conditionParser.pegjs checkErrors).
TEST_F(ParseCondition, ProblemsReportedByKind) {
  EXPECT_EQ(r.condition_error("status = :nope AND ((a = :v))"),
            "Invalid ConditionExpression: The expression has redundant parentheses;");
  EXPECT_EQ(r.condition_error("size(a) AND dog(b) = :v"),
            "Invalid ConditionExpression: Invalid function name; function: dog");
  EXPECT_EQ(r.condition_error("status = :v AND size(a)"),
            "Invalid ConditionExpression: The function is not allowed to be used this way in an "
            "expression; function: size");
  EXPECT_EQ(r.condition_error("a = :nope AND status = :v"),
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: "
            "status");
  // Among conditions, the first written with a problem reports it.
  EXPECT_EQ(r.condition_error("begins_with(a, :one) AND b = :nope"),
            "Invalid ConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: begins_with, operand type: N");
  EXPECT_EQ(r.condition_error("b = :nope AND begins_with(a, :one)"),
            "Invalid ConditionExpression: An expression attribute value used in expression is not "
            "defined; attribute value: :nope");
}

// A failed parse records no usage; names are reported unused before values, several in one
// message (paritysuite updateItem.test.ts; nubo-db query.test.ts).
TEST_F(ParseCondition, UnusedPlaceholders) {
  Request q;
  q.names = {{"#a", "a"}, {"#unused", "x"}};
  q.values = {{":v", s("x")}, {":unused", s("y")}, {":other", s("z")}};
  q.condition("#a = :v");
  EXPECT_EQ(q.condition_error("#unused = :nope"),
            "Invalid ConditionExpression: An expression attribute value used in expression is not "
            "defined; attribute value: :nope");
  EXPECT_EQ(unused_placeholders(q.ctx(), q.usage),
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}");
  q.names.erase("#unused");
  // Several keys come in the order of a Java HashSet of the map's keys (KeyValueStore.com's
  // expression tester, checked against DynamoDB Local).
  EXPECT_EQ(unused_placeholders(q.ctx(), q.usage),
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused, "
            ":other}");
  q.condition(":other = :unused OR attribute_exists(#a)");
  EXPECT_EQ(unused_placeholders(q.ctx(), q.usage), std::nullopt);
  EXPECT_EQ(unused_placeholders(Context{}, Usage{}), std::nullopt);
}

// Deep nesting is bounded: the parser stops before the stack can, with the error the expression
// would get anyway.
TEST_F(ParseCondition, NestingIsBounded) {
  std::string parens(2000, '(');
  EXPECT_EQ(r.condition_error(parens + "a = :v"),
            "Invalid ConditionExpression: The expression has redundant parentheses;");
  std::string nots;
  for (int i = 0; i < 1000; ++i)
    nots += "NOT ";
  EXPECT_EQ(r.condition_error(nots + "a = :v"),
            "Invalid ConditionExpression: The expression contains too many operators; operator "
            "count: 1001");
}

}  // namespace
}  // namespace gatehouse::store::expr
