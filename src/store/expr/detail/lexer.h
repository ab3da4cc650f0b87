// The tokens of DynamoDB's expression language and the syntax-error text built from them.
// Internal to store/expr.
//
// Words are letters then letters, digits and '_' (a leading '_' or digit is not a word); #name
// and :value are '#' or ':' and one or more of those characters; a list index is "0" or a digit
// run without leading zero. Anything else is a one-character token the grammar never accepts.
// Keywords (AND, SET, ...) are words: which words are keywords depends on the expression kind,
// so the parser decides (see is_keyword).
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace gatehouse::store::expr::detail {

enum class Tok {
  kWord,      // attribute or function name, or a keyword
  kNameRef,   // #name
  kValueRef,  // :value
  kInt,       // list index digits
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kDot,
  kPlus,
  kMinus,
  kBad,  // a character the grammar has no use for
  kEof,
};

struct Token {
  Tok kind = Tok::kEof;
  size_t begin = 0;  // byte offsets into the expression text
  size_t end = 0;
};

// The tokens of `text`, always ending with one kEof token at text.size().
std::vector<Token> tokenize(std::string_view text);

// Whether `token` is the word `upper` (ASCII, upper case) in any case.
bool is_keyword(std::string_view text, const Token& token, std::string_view upper);

// The text DynamoDB prints for token `at`: its characters, or "<EOF>".
std::string token_text(std::string_view text, const std::vector<Token>& tokens, size_t at);

// DynamoDB's syntax error for a parse that stopped at token `at`:
//   Syntax error; token: "<token>", near: "<text from the token before to the token after>"
// (so "a b" stopping at b reads near "a b", and "a," at its end reads token "<EOF>", near ",").
std::string syntax_error(std::string_view text, const std::vector<Token>& tokens, size_t at);

}  // namespace gatehouse::store::expr::detail
