// Parsing ProjectionExpression. Expected texts: scylladb test/alternator/
// test_projection_expression.py (quoting DynamoDB), nubo-db/dynamodb-conformance
// tests/tier1/getItem/projectionValidation.test.ts and emulator captures.
#include <gtest/gtest.h>

#include <string>

#include "store/expr/parse.h"
#include "store/expr/test_common.h"

namespace gatehouse::store::expr {
namespace {

using testing::at;
using testing::path;
using testing::Request;

TEST(ParseProjection, Paths) {
  Request r;
  r.names = {{"#n1", "q"}, {"#dot", "a.b"}};
  Projection p = r.projection(" a  ,   b.c[3] , #n1.x, #dot ");
  ASSERT_EQ(p.paths.size(), 4u);
  EXPECT_EQ(p.paths[1], path({at("b"), at("c"), at(size_t{3})}));
  EXPECT_EQ(p.paths[2], path({at("q"), at("x")}));
  EXPECT_EQ(p.paths[3], path({at("a.b")}));
  EXPECT_EQ(to_message(p.paths[1]), "[b, c, [3]]");
}

TEST(ParseProjection, Syntax) {
  Request r;
  EXPECT_EQ(r.projection_error(""),
            "Invalid ProjectionExpression: The expression can not be empty;");
  EXPECT_EQ(r.projection_error(",a"),
            "Invalid ProjectionExpression: Syntax error; token: \",\", near: \",a\"");
  EXPECT_EQ(r.projection_error("a,,b"),
            "Invalid ProjectionExpression: Syntax error; token: \",\", near: \",,b\"");
  EXPECT_EQ(r.projection_error("!!!"),
            "Invalid ProjectionExpression: Syntax error; token: \"!\", near: \"!!\"");
  // No functions or values in a projection.
  EXPECT_EQ(r.projection_error("size(a)"),
            "Invalid ProjectionExpression: Syntax error; token: \"(\", near: \"size(a\"");
}

// Any name is a name here, so AND and ADD are reserved words, not keywords.
TEST(ParseProjection, ReservedWords) {
  Request r;
  r.names = {{"#comment", "COMMENT"}, {"#list", "list"}};
  EXPECT_EQ(r.projection_error("pk, status"),
            "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: "
            "status");
  EXPECT_EQ(r.projection_error("ADD"),
            "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: "
            "ADD");
  EXPECT_EQ(r.projection_error("#list[0].COMMENT"),
            "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: "
            "COMMENT");
  r.projection("#list[0].#comment");
}

TEST(ParseProjection, UndefinedAndUnusedNames) {
  Request r;
  EXPECT_EQ(r.projection_error("#name"),
            "Invalid ProjectionExpression: An expression attribute name used in the document path "
            "is not defined; attribute name: #name");
  r.names = {{"#name", "a"}, {"#unused", "b"}};
  r.projection("#name");
  EXPECT_EQ(unused_placeholders(r.ctx(), r.usage),
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}");
}

// Overlap: the same path, or one inside another; conflict: one attribute as map and as list
// (scylladb test_projection_expression_path_overlap and _path_conflict).
TEST(ParseProjection, OverlapAndConflict) {
  Request r;
  for (const char* text : {"a, a", "a.b, a.b", "a[1], a[1]", "a, a.b", "a.b, a", "a.b, a.b[2]",
                           "a.b, a.b.c", "a, a.b[2].c", "a.b.d, a.b", "a.b.d.e, a.b"}) {
    EXPECT_NE(r.projection_error(text).find("Two document paths overlap"), std::string::npos)
        << text;
  }
  EXPECT_EQ(r.projection_error("a.b[0],a.b[0]"),
            "Invalid ProjectionExpression: Two document paths overlap with each other; must remove "
            "or rewrite one of these paths; path one: [a, b, [0]], path two: [a, b, [0]]");
  EXPECT_EQ(r.projection_error("a.b, a[1]"),
            "Invalid ProjectionExpression: Two document paths conflict with each other; must "
            "remove or rewrite one of these paths; path one: [a, b], path two: [a, [1]]");
  for (const char* text : {"a, b", "a.b, a.c", "a.b.d, a.b.e", "a[1], a[2]", "a.b, a.c[2]"}) {
    r.projection(text);
  }
  // An overlap is reported before a conflict found earlier.
  EXPECT_NE(r.projection_error("a.b, a[1], c, c").find("overlap"), std::string::npos);
}

TEST(ParseProjection, PathDepth) {
  Request r;
  std::string deep = "a";
  for (int i = 1; i < 32; ++i)
    deep += ".b";
  r.projection(deep);
  EXPECT_EQ(r.projection_error(deep + ".b"),
            "Invalid ProjectionExpression: The document path has too many nesting levels; nesting "
            "levels: 33");
}

}  // namespace
}  // namespace gatehouse::store::expr
