// The syntax of DynamoDB's expressions: a recursive-descent parser from tokens to an unresolved
// tree (placeholders still as written, functions still by name), used by the checks in
// store/expr/parse.cc. Internal to store/expr.
//
// The parser nests at most kMaxNesting levels (parentheses, NOT, function calls), so no input can
// exhaust the stack. An expression that deep always has more than 300 operators or redundant
// parentheses, and the error says which.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/expr/detail/lexer.h"

namespace gatehouse::store::expr::detail {

// DynamoDB's limit on operators and functions in one expression.
inline constexpr int kMaxOperators = 300;
inline constexpr int kMaxNesting = 700;

enum class ExprKind { kCondition, kUpdate, kProjection };

struct RawStep {
  enum class Kind { kName, kNameRef, kIndex };
  Kind kind = Kind::kName;
  size_t token = 0;
};

struct Node {
  enum class Kind { kPath, kValue, kCall, kCompare, kBetween, kIn, kAnd, kOr, kNot, kArith };
  Kind kind = Kind::kPath;
  // kPath: its first token; kValue: the :value; kCall: the function name; kCompare, kArith: the
  // operator; kBetween, kIn, kAnd, kOr, kNot: the keyword.
  size_t token = 0;
  size_t next = 0;             // the token after the node
  int parens = 0;              // parentheses written around it
  std::vector<RawStep> steps;  // kPath
  std::vector<Node> children;  // operands, arguments or sub-conditions, in written order

  bool is_condition() const {
    return kind != Kind::kPath && kind != Kind::kValue && kind != Kind::kArith;
  }
};

struct RawAction {
  enum class Section { kSet, kRemove, kAdd, kDelete };
  Section section = Section::kSet;
  Node path;
  std::optional<Node> value;  // SET: the value; ADD, DELETE: the :value
};

struct RawUpdate {
  // One entry per clause as written: its section and keyword token.
  std::vector<std::pair<RawAction::Section, size_t>> clauses;
  std::vector<RawAction> actions;
};

// What a parse saw besides the tree.
struct Syntax {
  std::string_view text;
  std::vector<Token> tokens;
  bool redundant_parens = false;
  int operators = 0;
};

// Each parses the whole of s.text (tokenized by the caller) or returns the error's text without
// the "Invalid <X>Expression: " prefix.
core::Result<Node, std::string> parse_condition_tree(Syntax& s);
core::Result<RawUpdate, std::string> parse_update_tree(Syntax& s);
core::Result<std::vector<Node>, std::string> parse_projection_tree(Syntax& s);

// The text of token `at`.
inline std::string_view text_of(const Syntax& s, size_t at) {
  return s.text.substr(s.tokens[at].begin, s.tokens[at].end - s.tokens[at].begin);
}

}  // namespace gatehouse::store::expr::detail
