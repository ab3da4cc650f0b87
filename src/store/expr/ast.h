// The parsed forms of DynamoDB's expressions: ConditionExpression and FilterExpression
// (Condition), KeyConditionExpression (KeyCondition), UpdateExpression (Update) and
// ProjectionExpression (Projection). Everything here is already resolved: #name placeholders are
// attribute names and :value placeholders are the values the request gave, so evaluating needs
// nothing but the item.
//
// Usage:
//   Path p{{PathStep::member("a"), PathStep::element(1), PathStep::member("b")}};
//   to_message(p);   // "[a, [1], b]", as DynamoDB prints paths in its messages
//
// Thread safety: value types.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/value.h"

namespace gatehouse::store::expr {

// One step of a document path: a map member (by name) or a list element (by index).
struct PathStep {
  std::string name;  // a member step's name
  size_t index = 0;  // an element step's index
  bool is_index = false;

  static PathStep member(std::string name) { return PathStep{std::move(name), 0, false}; }
  static PathStep element(size_t index) { return PathStep{{}, index, true}; }
  friend bool operator==(const PathStep&, const PathStep&) = default;
};

// A document path: a top-level attribute name, then member and element steps. Never empty; the
// first step is always a member.
struct Path {
  std::vector<PathStep> steps;

  const std::string& attribute() const { return steps.front().name; }
  friend bool operator==(const Path&, const Path&) = default;
};

// The path as DynamoDB prints it in messages: "[a, b, [1]]".
std::string to_message(const Path& path);

// A value an expression computes from the item and the request.
struct Operand {
  enum class Kind {
    kPath,         // the item's value at `path`, if any
    kValue,        // `value`, from ExpressionAttributeValues
    kSize,         // size(args[0])
    kPlus,         // args[0] + args[1] (UpdateExpression SET only)
    kMinus,        // args[0] - args[1] (SET only)
    kIfNotExists,  // the value at `path` if any, else args[0] (SET only)
    kListAppend,   // args[0] followed by args[1], both lists (SET only)
  };
  Kind kind = Kind::kPath;
  Path path;                            // kPath, kIfNotExists
  std::optional<AttributeValue> value;  // kValue
  std::vector<Operand> args;

  static Operand of_path(Path p) {
    Operand o;
    o.path = std::move(p);
    return o;
  }
  static Operand of_value(AttributeValue v) {
    Operand o;
    o.kind = Kind::kValue;
    o.value = std::move(v);
    return o;
  }
};

enum class Comparator { kEq, kNe, kLt, kLe, kGt, kGe };
// "=", "<>", "<", "<=", ">", ">=".
std::string_view to_string(Comparator c);

// The functions that are conditions by themselves.
enum class Function {
  kAttributeExists,
  kAttributeNotExists,
  kAttributeType,
  kBeginsWith,
  kContains
};
// "attribute_exists", ...
std::string_view to_string(Function f);

// A condition tree. Precedence was applied when parsing: comparisons, IN, BETWEEN and functions
// bind tightest, then NOT, then AND, then OR.
struct Condition {
  enum class Kind { kCompare, kBetween, kIn, kFunction, kAnd, kOr, kNot };
  Kind kind = Kind::kCompare;
  Comparator comparator = Comparator::kEq;         // kCompare
  Function function = Function::kAttributeExists;  // kFunction
  // kCompare: 2 operands; kBetween: the operand, then lower and upper bound; kIn: the operand,
  // then the candidates (1..100 from an expression, any number from a legacy IN); kFunction: the
  // function's arguments.
  std::vector<Operand> operands;
  std::vector<Condition> children;  // kAnd, kOr: 2; kNot: 1
};

// An UpdateExpression. Each list holds its clause's actions in the order written.
struct Update {
  struct Set {
    Path path;
    Operand value;
  };
  // ADD and DELETE both take a path and a value from ExpressionAttributeValues.
  struct AddOrDelete {
    Path path;
    AttributeValue value;
  };
  std::vector<Set> set;
  std::vector<Path> remove;
  std::vector<AddOrDelete> add;
  std::vector<AddOrDelete> del;  // DELETE
  // Built from the legacy AttributeUpdates (legacy.h) rather than an UpdateExpression: ADD also
  // appends a list to a list (a missing attribute becomes the list), and an ADD or DELETE whose
  // value does not suit the attribute's type fails with DynamoDB's legacy text, "Type mismatch
  // for attribute to update".
  bool from_attribute_updates = false;
};

// A ProjectionExpression: the paths to keep, none overlapping another.
struct Projection {
  std::vector<Path> paths;
};

// A KeyConditionExpression before it is matched to a key schema: one term per attribute named,
// each an attribute compared with constants (operands already put attribute first, so
// ":v < sk" is kept as sk > :v).
struct KeyCondition {
  enum class Op { kEq, kLt, kLe, kGt, kGe, kBetween, kBeginsWith };
  struct Term {
    std::string attribute;
    Op op = Op::kEq;
    std::vector<AttributeValue> values;  // 1, or 2 for kBetween
    // false: a legacy KeyConditions operator no key range serves (NULL, NOT_NULL, NE, CONTAINS,
    // NOT_CONTAINS, IN; `op` is then meaningless), which bind_key_condition refuses once it
    // knows the term is on a key attribute.
    bool indexable = true;
  };
  std::vector<Term> terms;  // 1 or more, no attribute twice
};

}  // namespace gatehouse::store::expr
