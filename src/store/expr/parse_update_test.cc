// Parsing UpdateExpression: clauses, actions and DynamoDB's messages. Expected texts are answers
// real DynamoDB gave, as pinned by paritysuite/dynamodb-conformance and nubo-db/
// dynamodb-conformance or quoted in scylladb test/alternator/test_update_expression.py; each
// test names its source.
#include <gtest/gtest.h>

#include <string>

#include "store/expr/parse.h"
#include "store/expr/test_common.h"
#include "store/expr/update.h"

namespace gatehouse::store::expr {
namespace {

using testing::at;
using testing::n;
using testing::path;
using testing::Request;
using testing::s;

class ParseUpdate : public ::testing::Test {
 protected:
  void SetUp() override {
    r.names = {{"#a", "a"}, {"#n", "name"}};
    r.values = {{":v", s("x")},
                {":one", n("1")},
                {":list", testing::l({n("1")})},
                {":set", V::string_set({"a"})},
                {":ns", testing::ns({"1"})},
                {":bool", V::boolean(true)},
                {":map", testing::m({})}};
  }
  using V = AttributeValue;
  Request r;
};

TEST_F(ParseUpdate, ClausesAndActions) {
  Update u = r.update(
      "set a = :v, b.c[2] = if_not_exists(b.d, :one) + :one remove x, y[1] "
      "add n :one delete s :set");
  ASSERT_EQ(u.set.size(), 2u);
  EXPECT_EQ(u.set[0].path, path({at("a")}));
  EXPECT_EQ(u.set[0].value.kind, Operand::Kind::kValue);
  EXPECT_EQ(u.set[1].path, path({at("b"), at("c"), at(size_t{2})}));
  EXPECT_EQ(u.set[1].value.kind, Operand::Kind::kPlus);
  EXPECT_EQ(u.set[1].value.args[0].kind, Operand::Kind::kIfNotExists);
  EXPECT_EQ(u.set[1].value.args[0].path, path({at("b"), at("d")}));
  ASSERT_EQ(u.remove.size(), 2u);
  EXPECT_EQ(u.remove[1], path({at("y"), at(size_t{1})}));
  ASSERT_EQ(u.add.size(), 1u);
  EXPECT_EQ(u.add[0].value, n("1"));
  ASSERT_EQ(u.del.size(), 1u);
  EXPECT_EQ(updated_attributes(u), (std::vector<std::string>{"a", "b", "n", "s", "x", "y"}));
  EXPECT_EQ(updated_paths(u).size(), 6u);
}

// Parentheses around a SET value or its parts; list_append may take if_not_exists (emulator
// captures: "DynamoDB accepts if_not_exists as a list_append operand").
TEST_F(ParseUpdate, SetValueForms) {
  r.update("SET a = (:one + :one)");
  r.update("SET a = (:one) - b");
  r.update("SET a = list_append(if_not_exists(a, :list), :list)");
  r.update("SET #a = #n");
  EXPECT_EQ(r.update_error("SET a = :one + :one + :one"),
            "Invalid UpdateExpression: Syntax error; token: \"+\", near: \":one + :one\"");
  EXPECT_EQ(r.update_error("SET c = if_not_exists(c, :one+:one)"),
            "Invalid UpdateExpression: Syntax error; token: \"+\", near: \":one+:one\"");
  EXPECT_EQ(r.update_error("SET :v = :v"),
            "Invalid UpdateExpression: Syntax error; token: \":v\", near: \"SET :v =\"");
  EXPECT_EQ(r.update_error("SET a[:v] = :v"),
            "Invalid UpdateExpression: Syntax error; token: \":v\", near: \"[:v]\"");
  EXPECT_EQ(r.update_error("SET a = ((:v))"),
            "Invalid UpdateExpression: The expression has redundant parentheses;");
}

// paritysuite tests/tier3/error-messages/updateItem.test.ts.
TEST_F(ParseUpdate, EmptyAndUndefined) {
  EXPECT_EQ(r.update_error(""), "Invalid UpdateExpression: The expression can not be empty;");
  EXPECT_EQ(r.update_error("SET attr1 = :nope"),
            "Invalid UpdateExpression: An expression attribute value used in expression is not "
            "defined; attribute value: :nope");
  EXPECT_EQ(r.update_error("SET #nope = :v"),
            "Invalid UpdateExpression: An expression attribute name used in the document path is "
            "not defined; attribute name: #nope");
}

// Each section at most once, interleaved or not (scylladb test_update_expression_multi; the
// text from emulator captures).
TEST_F(ParseUpdate, SectionsAtMostOnce) {
  r.update("REMOVE a SET b = :v");
  EXPECT_EQ(r.update_error("SET a = :v SET b = :v"),
            "Invalid UpdateExpression: The \"SET\" section can only be used once in an update "
            "expression;");
  EXPECT_EQ(r.update_error("REMOVE a SET b = :v REMOVE c"),
            "Invalid UpdateExpression: The \"REMOVE\" section can only be used once in an update "
            "expression;");
  EXPECT_EQ(r.update_error("HELLO b = :v"),
            "Invalid UpdateExpression: Syntax error; token: \"HELLO\", near: \"HELLO b\"");
}

// scylladb test_update_expression_multi_overlap(_nested) and _multi_conflict_nested; paths are
// compared after #names resolve (emulator captures for the exact texts).
TEST_F(ParseUpdate, OverlappingAndConflictingPaths) {
  EXPECT_EQ(r.update_error("SET a = :v REMOVE a"),
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [a], path two: [a]");
  EXPECT_EQ(r.update_error("SET #a = :v, a = :v"),
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [a], path two: [a]");
  EXPECT_EQ(r.update_error("SET mapx = :map, mapx.num = :one"),
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [mapx], path two: [mapx, num]");
  EXPECT_EQ(r.update_error("SET lst[0] = :v, lst[0].ok = :v"),
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [lst, [0]], path two: [lst, [0], ok]");
  EXPECT_EQ(r.update_error("SET a.b = :v, a[1] = :v"),
            "Invalid UpdateExpression: Two document paths conflict with each other; must remove "
            "or rewrite one of these paths; path one: [a, b], path two: [a, [1]]");
  EXPECT_EQ(r.update_error("SET a.b.c = :v, a.b[2] = :v"),
            "Invalid UpdateExpression: Two document paths conflict with each other; must remove "
            "or rewrite one of these paths; path one: [a, b, c], path two: [a, b, [2]]");
  r.update("SET a.b = :v, a.c.d = :v, b.x = :v REMOVE a.x, b.y");
  r.update("REMOVE a[1] SET a[3] = :v");
}

// ADD takes a number or a set, DELETE a set (emulator captures; the type set named is ADD's for
// both).
TEST_F(ParseUpdate, AddAndDeleteOperands) {
  r.update("ADD a :one, b :set DELETE c :ns");
  r.update("ADD m.n :one DELETE m.s :set");
  EXPECT_EQ(r.update_error("ADD a :list"),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: "
            "ADD, operand type: LIST, typeSet: ALLOWED_FOR_ADD_OPERAND");
  EXPECT_EQ(r.update_error("DELETE a :v"),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: "
            "DELETE, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND");
  EXPECT_EQ(r.update_error("DELETE a :one"),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: "
            "DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_ADD_OPERAND");
  EXPECT_EQ(r.update_error("ADD a :bool"),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: "
            "ADD, operand type: BOOLEAN, typeSet: ALLOWED_FOR_ADD_OPERAND");
}

// scylladb test_update_expression_list_append_basic, _if_not_exists, _function_nesting,
// _unknown_function, _plus_basic; emulator captures for the texts.
TEST_F(ParseUpdate, Functions) {
  EXPECT_EQ(r.update_error("SET a = f(b, c, d)"),
            "Invalid UpdateExpression: Invalid function name; function: f");
  EXPECT_EQ(r.update_error("SET a = LIST_APPEND(:list, :list)"),
            "Invalid UpdateExpression: Invalid function name; function: LIST_APPEND");
  EXPECT_EQ(r.update_error("SET a = _f(b)"),
            "Invalid UpdateExpression: Syntax error; token: \"_\", near: \"= _f\"");
  EXPECT_EQ(r.update_error("SET a = contains(s, :v)"),
            "Invalid UpdateExpression: The function is not allowed in an update expression; "
            "function: contains");
  EXPECT_EQ(r.update_error("SET a = size(s)"),
            "Invalid UpdateExpression: The function is not allowed in an update expression; "
            "function: size");
  EXPECT_EQ(r.update_error("SET a = list_append(list_append(l, :list), :list)"),
            "Invalid UpdateExpression: The function is not allowed to be used this way in an "
            "expression; function: list_append");
  EXPECT_EQ(r.update_error("SET a = list_append(:list)"),
            "Invalid UpdateExpression: Incorrect number of operands for operator or function; "
            "operator or function: list_append, number of operands: 1");
  EXPECT_EQ(r.update_error("SET a = list_append(:list, :v)"),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator "
            "or function: list_append, operand type: S");
  EXPECT_EQ(r.update_error("SET a = if_not_exists(if_not_exists(n, :one), :one)"),
            "Invalid UpdateExpression: Operator or function requires a document path; operator "
            "or function: if_not_exists");
  EXPECT_EQ(r.update_error("SET a = if_not_exists(:one, :one)"),
            "Invalid UpdateExpression: Operator or function requires a document path; operator "
            "or function: if_not_exists");
  EXPECT_EQ(r.update_error("SET a = :v + :one"),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator "
            "or function: +, operand type: S");
  EXPECT_EQ(r.update_error("SET a = :one - :list"),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator "
            "or function: -, operand type: L");
}

// nubo-db tests/tier3/limits/reservedWords.test.ts; emulator captures for nested steps. SET,
// REMOVE, ADD and DELETE are keywords here; AND is a name, and a reserved one.
TEST_F(ParseUpdate, ReservedWords) {
  EXPECT_EQ(r.update_error("SET status = :v, name = :v"),
            "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: "
            "status");
  EXPECT_EQ(r.update_error("SET lst[0].COMMENT = :v"),
            "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: "
            "COMMENT");
  EXPECT_EQ(r.update_error("SET a = and"),
            "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: "
            "and");
  r.update("SET lst[0].#n = :v");
}

// DynamoDB's order for updates: reserved words, unknown functions, misplaced functions, repeated
// sections, undefined names, undefined values, overlapping paths, ADD/DELETE operands, then
// function operands (mhart/dynalite db/updateParser.pegjs checkErrors).
TEST_F(ParseUpdate, ProblemsReportedByKind) {
  EXPECT_EQ(r.update_error("SET a = f(:nope) SET status = :v"),
            "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: "
            "status");
  EXPECT_EQ(r.update_error("SET a = :nope SET b = f(x)"),
            "Invalid UpdateExpression: Invalid function name; function: f");
  EXPECT_EQ(r.update_error("SET a = :nope, a = :v SET b = :v"),
            "Invalid UpdateExpression: The \"SET\" section can only be used once in an update "
            "expression;");
  EXPECT_EQ(r.update_error("SET a = :nope, #nope = :v"),
            "Invalid UpdateExpression: An expression attribute name used in the document path is "
            "not defined; attribute name: #nope");
  EXPECT_EQ(r.update_error("SET a = :nope, a = :v"),
            "Invalid UpdateExpression: An expression attribute value used in expression is not "
            "defined; attribute value: :nope");
  EXPECT_EQ(r.update_error("ADD a :list SET a = :v"),
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [a], path two: [a]");
  EXPECT_EQ(r.update_error("SET b = list_append(:v, :v) ADD a :list"),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: "
            "ADD, operand type: LIST, typeSet: ALLOWED_FOR_ADD_OPERAND");
}

TEST_F(ParseUpdate, PathDepthAndIndexRange) {
  std::string deep = "a";
  for (int i = 1; i < 33; ++i)
    deep += "[0]";
  EXPECT_EQ(r.update_error("REMOVE " + deep),
            "Invalid UpdateExpression: The document path has too many nesting levels; nesting "
            "levels: 33");
  EXPECT_EQ(r.update_error("REMOVE a[2147483648]"),
            "Invalid UpdateExpression: List index is not within the allowable range; index: "
            "[2147483648]");
  r.update("REMOVE a[2147483647]");
}

TEST_F(ParseUpdate, UsageCountsBothSides) {
  r.names["#two"] = "b";
  r.update("SET #a = #two");
  EXPECT_EQ(r.usage.names, (std::set<std::string, std::less<>>{"#a", "#two"}));
}

}  // namespace
}  // namespace gatehouse::store::expr
