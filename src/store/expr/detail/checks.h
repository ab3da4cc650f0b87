// The checks every expression kind shares, on the unresolved tree, and its resolution into the
// public AST (store/expr/ast.h). Internal to store/expr.
//
// Each check walks the nodes in the order they are written and answers with the first problem's
// message (no "Invalid <X>Expression: " prefix), or nullopt.
//
// Thread safety: a Checker belongs to one parse.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "store/expr/ast.h"
#include "store/expr/detail/syntax.h"
#include "store/expr/parse.h"

namespace gatehouse::store::expr::detail {

// The functions DynamoDB knows, in any expression (names are case-sensitive).
bool is_known_function(std::string_view name);
// The functions that are conditions by themselves.
bool is_condition_function(std::string_view name);

// Calls `visit` on `n` and every node below it, in written order, until it returns a message.
template <class Visit>
std::optional<std::string> first_of(const Node& n, const Visit& visit) {
  if (auto m = visit(n)) return m;
  for (const Node& c : n.children) {
    if (auto m = first_of(c, visit)) return m;
  }
  return std::nullopt;
}

class Checker {
 public:
  Checker(const Syntax& syntax, const Context& ctx) : s_(syntax), ctx_(ctx) {}

  std::string_view text(size_t token) const { return text_of(s_, token); }
  const Syntax& syntax() const { return s_; }

  // A name written as is that is a reserved word, or a list index beyond 2^31 - 1, in any path.
  std::optional<std::string> reserved_word(const Node& n) const;
  // A function name DynamoDB does not know.
  std::optional<std::string> unknown_function(const Node& n) const;
  // A #name or :value the request does not define, whichever comes first; or, after a path's
  // names, a path deeper than 32 steps.
  std::optional<std::string> undefined_placeholder(const Node& n) const;
  std::optional<std::string> undefined_name(const Node& n) const;
  std::optional<std::string> undefined_value(const Node& n) const;
  std::optional<std::string> path_too_deep(const Node& n) const;

  // The value of a :value node; requires it to be defined.
  const AttributeValue& value(const Node& n) const;
  // The value's type for operand type checks: a :value's type, N for size(), nullopt for what
  // depends on the item.
  std::optional<ValueType> static_type(const Node& n) const;

  // Resolution; requires the checks above to have passed. Records the placeholders used.
  Path path(const Node& n);
  Operand operand(const Node& n);

  // Adds the placeholders resolved so far to `usage`.
  void record(Usage& usage) const;

 private:
  std::optional<std::string> undefined(const Node& n, bool names, bool values, bool depth) const;

  const Syntax& s_;
  const Context& ctx_;
  std::set<std::string, std::less<>> used_names_;
  std::set<std::string, std::less<>> used_values_;
};

// DynamoDB's message when two of `paths` (an update's targets or a projection) are the same or
// one is inside the other ("overlap", reported first), or one uses an attribute as a map where
// the other uses it as a list ("conflict"). The earlier path is "path one".
std::optional<std::string> overlapping_paths(const std::vector<Path>& paths);

// "Invalid <label>: <message>", label being e.g. "ConditionExpression".
std::string invalid(std::string_view label, std::string_view message);

// What DynamoDB refuses before parsing, as the whole message: an empty (or blank) text, then a
// text over kMaxExpressionBytes.
std::optional<std::string> text_problem(std::string_view label, std::string_view text);

// "Incorrect operand type for operator or function; operator or function: <op>, operand type: <t>"
std::string operand_type_error(std::string_view op, std::string_view type);

}  // namespace gatehouse::store::expr::detail
