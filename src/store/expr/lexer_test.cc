#include "store/expr/detail/lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/expr/test_common.h"

namespace gatehouse::store::expr {
namespace {

using detail::Tok;
using testing::Request;

std::vector<Tok> kinds(std::string_view text) {
  std::vector<Tok> out;
  for (const auto& t : detail::tokenize(text))
    out.push_back(t.kind);
  return out;
}

std::vector<std::string> texts(std::string_view text) {
  auto tokens = detail::tokenize(text);
  std::vector<std::string> out;
  for (size_t i = 0; i < tokens.size(); ++i)
    out.push_back(detail::token_text(text, tokens, i));
  return out;
}

// Every operator and punctuation mark, with and without blanks between them.
TEST(ExprLexer, OperatorsAndPunctuation) {
  EXPECT_EQ(kinds("= <> < <= > >= ( ) [ ] , . + -"),
            (std::vector<Tok>{Tok::kEq, Tok::kNe, Tok::kLt, Tok::kLe, Tok::kGt, Tok::kGe,
                              Tok::kLParen, Tok::kRParen, Tok::kLBracket, Tok::kRBracket,
                              Tok::kComma, Tok::kDot, Tok::kPlus, Tok::kMinus, Tok::kEof}));
  EXPECT_EQ(texts("a<=:b"), (std::vector<std::string>{"a", "<=", ":b", "<EOF>"}));
  EXPECT_EQ(texts("a<>b"), (std::vector<std::string>{"a", "<>", "b", "<EOF>"}));
}

// Names start with a letter; placeholders take any word characters after # or :; a list index
// has no leading zero, so "01" is two tokens.
TEST(ExprLexer, WordsPlaceholdersAndIndexes) {
  EXPECT_EQ(texts("Alpha_Numeric_123 #123a :_ a[10][01]"),
            (std::vector<std::string>{"Alpha_Numeric_123", "#123a", ":_", "a", "[", "10", "]", "[",
                                      "0", "1", "]", "<EOF>"}));
  EXPECT_EQ(kinds("#x :y 7"),
            (std::vector<Tok>{Tok::kNameRef, Tok::kValueRef, Tok::kInt, Tok::kEof}));
  // '_' cannot start a name, '#' and ':' need a character after them.
  EXPECT_EQ(kinds("_a # :"),
            (std::vector<Tok>{Tok::kBad, Tok::kWord, Tok::kBad, Tok::kBad, Tok::kEof}));
  // A character the grammar has no use for is one token, a whole UTF-8 character.
  EXPECT_EQ(texts("é!"), (std::vector<std::string>{"é", "!", "<EOF>"}));
}

TEST(ExprLexer, KeywordsAreCaseInsensitive) {
  auto tokens = detail::tokenize("aNd ANDY");
  EXPECT_TRUE(detail::is_keyword("aNd ANDY", tokens[0], "AND"));
  EXPECT_FALSE(detail::is_keyword("aNd ANDY", tokens[1], "AND"));
}

// The syntax error names the token where parsing stopped and quotes the text from the token
// before it to the token after it; at the end of input the token is <EOF> and the quote runs
// to the end. Each case is an answer real DynamoDB gave (paritysuite/dynamodb-conformance
// tests/tier3/error-messages/updateItem.test.ts; scylladb test/alternator/
// test_update_expression.py; the rest as quoted by emulators pinned to it).
TEST(ExprLexer, SyntaxErrorNearText) {
  Request r;
  r.values = {{":v", testing::n("1")}, {":s", testing::s("x")}};
  EXPECT_EQ(r.update_error("INVALID SYNTAX HERE"),
            "Invalid UpdateExpression: Syntax error; token: \"INVALID\", near: \"INVALID SYNTAX\"");
  EXPECT_EQ(r.update_error("SET _123 = :v"),
            "Invalid UpdateExpression: Syntax error; token: \"_\", near: \"SET _123\"");
  EXPECT_EQ(r.update_error("SET note = :v +"),
            "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \"+\"");
  EXPECT_EQ(r.update_error("SET numx = numx * :v"),
            "Invalid UpdateExpression: Syntax error; token: \"*\", near: \"numx * :v\"");
  EXPECT_EQ(r.update_error("ADD numx"),
            "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \"numx\"");
  EXPECT_EQ(r.update_error("ADD numx 1"),
            "Invalid UpdateExpression: Syntax error; token: \"1\", near: \"numx 1\"");
  EXPECT_EQ(r.update_error("DELETE setx a"),
            "Invalid UpdateExpression: Syntax error; token: \"a\", near: \"setx a\"");
  EXPECT_EQ(r.update_error("SET a[0.b = :v"),
            "Invalid UpdateExpression: Syntax error; token: \".\", near: \"0.b\"");
  EXPECT_EQ(r.projection_error("a b"),
            "Invalid ProjectionExpression: Syntax error; token: \"b\", near: \"a b\"");
  EXPECT_EQ(r.projection_error("a,"),
            "Invalid ProjectionExpression: Syntax error; token: \"<EOF>\", near: \",\"");
  EXPECT_EQ(r.projection_error("a[].b"),
            "Invalid ProjectionExpression: Syntax error; token: \"]\", near: \"[].\"");
  EXPECT_EQ(r.filter_error("a[-1] = :v"),
            "Invalid FilterExpression: Syntax error; token: \"-\", near: \"[-1\"");
  EXPECT_EQ(r.condition_error("a[abc] = :v"),
            "Invalid ConditionExpression: Syntax error; token: \"abc\", near: \"[abc]\"");
  EXPECT_EQ(r.condition_error("attribute_type()"),
            "Invalid ConditionExpression: Syntax error; token: \")\", near: \"()\"");
  EXPECT_EQ(r.condition_error("a ="),
            "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"=\"");
  EXPECT_EQ(r.key_error("pk = :v AND sk = "),
            "Invalid KeyConditionExpression: Syntax error; token: \"<EOF>\", near: \"= \"");
}

}  // namespace
}  // namespace gatehouse::store::expr
