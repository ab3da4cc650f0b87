// ConditionExpression, FilterExpression and KeyConditionExpression (parse.h).
#include <algorithm>
#include <utility>

#include "core/base64.h"
#include "store/expr/detail/checks.h"
#include "store/expr/detail/syntax.h"
#include "store/expr/parse.h"

namespace gatehouse::store::expr {
namespace {

using detail::Checker;
using detail::first_of;
using detail::Node;

// attribute_type's answer to a second operand that is a path: every type DynamoDB has a name
// for, internal ones included.
constexpr std::string_view kAnyType =
    "{S,SS,N,NS,B,BS,BOOL,NULL,L,M,HD,DOUBLE,FLOAT,HDS,FS,DOUBLESET,DICT,DECIMAL,INT,DECIMALSET,"
    "INTSET}";
constexpr std::string_view kTypeNames = "{S,SS,N,NS,B,BS,BOOL,NULL,L,M}";

Comparator comparator_of(detail::Tok t) {
  switch (t) {
    case detail::Tok::kNe:
      return Comparator::kNe;
    case detail::Tok::kLt:
      return Comparator::kLt;
    case detail::Tok::kLe:
      return Comparator::kLe;
    case detail::Tok::kGt:
      return Comparator::kGt;
    case detail::Tok::kGe:
      return Comparator::kGe;
    default:
      break;
  }
  return Comparator::kEq;
}

Function function_of(std::string_view name) {
  if (name == "attribute_exists") return Function::kAttributeExists;
  if (name == "attribute_not_exists") return Function::kAttributeNotExists;
  if (name == "attribute_type") return Function::kAttributeType;
  if (name == "begins_with") return Function::kBeginsWith;
  return Function::kContains;
}

size_t arity(std::string_view function) {
  return function == "size" || function == "attribute_exists" || function == "attribute_not_exists"
             ? 1
             : 2;
}

bool orderable(ValueType t) {
  return t == ValueType::kS || t == ValueType::kN || t == ValueType::kB;
}

// A BETWEEN bound as DynamoDB quotes it: "AttributeValue: {N:5}".
std::string bound_text(const AttributeValue& v) {
  std::string out = "AttributeValue: {";
  out += to_string(v.type());
  out += ':';
  switch (v.type()) {
    case ValueType::kS:
      out += v.as_string();
      break;
    case ValueType::kN:
      out += v.as_number().to_string();
      break;
    default:  // B: the only other type that gets here
      out += core::base64_encode(v.as_binary());
      break;
  }
  out += '}';
  return out;
}

// The checks of one condition tree, and its conversion, for ConditionExpression,
// FilterExpression and KeyConditionExpression alike.
class ConditionChecker {
 public:
  explicit ConditionChecker(Checker& c) : c_(c) {}

  // A function where the grammar allowed it but DynamoDB does not: an update's function in a
  // condition, size() as a condition, a condition function as an operand.
  std::optional<std::string> misused(const Node& n, bool as_condition) const {
    switch (n.kind) {
      case Node::Kind::kAnd:
      case Node::Kind::kOr:
      case Node::Kind::kNot:
        for (const Node& child : n.children) {
          if (auto m = misused(child, true)) return m;
        }
        return std::nullopt;
      case Node::Kind::kCall: {
        std::string name(c_.text(n.token));
        if (name == "if_not_exists" || name == "list_append") {
          return "The function is not allowed in a condition expression; function: " + name;
        }
        if (as_condition != detail::is_condition_function(name)) {
          return "The function is not allowed to be used this way in an expression; function: " +
                 name;
        }
        break;
      }
      default:
        break;
    }
    for (const Node& child : n.children) {
      if (auto m = misused(child, false)) return m;
    }
    return std::nullopt;
  }

  // Each comparison, BETWEEN, IN or function in written order; the first with a problem
  // reports it, in the order undefined placeholders, operand counts, repeated operands, then
  // operand types.
  std::optional<std::string> leaves(const Node& n) {
    if (n.kind == Node::Kind::kAnd || n.kind == Node::Kind::kOr || n.kind == Node::Kind::kNot) {
      for (const Node& child : n.children) {
        if (auto m = leaves(child)) return m;
      }
      return std::nullopt;
    }
    if (auto m = c_.undefined_placeholder(n)) return m;
    if (auto m = first_of(n, [&](const Node& x) { return operand_count(x); })) return m;
    if (auto m = first_of(n, [&](const Node& x) { return repeated_operand(x); })) return m;
    return first_of(n, [&](const Node& x) { return operand_types(x); });
  }

  Condition build(const Node& n) {
    Condition out;
    switch (n.kind) {
      case Node::Kind::kAnd:
      case Node::Kind::kOr:
      case Node::Kind::kNot:
        out.kind = n.kind == Node::Kind::kAnd  ? Condition::Kind::kAnd
                   : n.kind == Node::Kind::kOr ? Condition::Kind::kOr
                                               : Condition::Kind::kNot;
        for (const Node& child : n.children)
          out.children.push_back(build(child));
        return out;
      case Node::Kind::kCompare:
        out.kind = Condition::Kind::kCompare;
        out.comparator = comparator_of(c_.syntax().tokens[n.token].kind);
        break;
      case Node::Kind::kBetween:
        out.kind = Condition::Kind::kBetween;
        break;
      case Node::Kind::kIn:
        out.kind = Condition::Kind::kIn;
        break;
      default:  // a condition function
        out.kind = Condition::Kind::kFunction;
        out.function = function_of(c_.text(n.token));
        break;
    }
    for (const Node& child : n.children)
      out.operands.push_back(c_.operand(child));
    return out;
  }

 private:
  std::optional<std::string> operand_count(const Node& n) const {
    if (n.kind == Node::Kind::kIn && n.children.size() - 1 > kMaxInCandidates) {
      return "The IN operator is provided with too many operands; number of operands: " +
             std::to_string(n.children.size() - 1);
    }
    if (n.kind != Node::Kind::kCall) return std::nullopt;
    std::string_view name = c_.text(n.token);
    if (n.children.size() == arity(name)) return std::nullopt;
    return "Incorrect number of operands for operator or function; operator or function: " +
           std::string(name) + ", number of operands: " + std::to_string(n.children.size());
  }

  // The name DynamoDB gives the operator in messages.
  std::string operator_name(const Node& n) const {
    if (n.kind == Node::Kind::kBetween) return "BETWEEN";
    if (n.kind == Node::Kind::kIn) return "IN";
    return std::string(c_.text(n.token));
  }

  std::optional<std::string> repeated_operand(const Node& n) {
    bool applies = n.kind == Node::Kind::kCompare || n.kind == Node::Kind::kBetween ||
                   n.kind == Node::Kind::kIn ||
                   (n.kind == Node::Kind::kCall && c_.text(n.token) != "size");
    if (!applies || n.children.empty() || n.children[0].kind != Node::Kind::kPath) {
      return std::nullopt;
    }
    Path first = c_.path(n.children[0]);
    for (size_t i = 1; i < n.children.size(); ++i) {
      if (n.children[i].kind == Node::Kind::kPath && c_.path(n.children[i]) == first) {
        return "The first operand must be distinct from the remaining operands for this "
               "operator or function; operator: " +
               operator_name(n) + ", first operand: " + to_message(first);
      }
    }
    return std::nullopt;
  }

  std::optional<std::string> operand_types(const Node& n) const {
    switch (n.kind) {
      case Node::Kind::kCompare: {
        auto op = c_.syntax().tokens[n.token].kind;
        if (op == detail::Tok::kEq || op == detail::Tok::kNe) return std::nullopt;
        return unorderable(n, c_.text(n.token));
      }
      case Node::Kind::kBetween: {
        if (auto m = unorderable(n, "BETWEEN")) return m;
        const Node& lo = n.children[1];
        const Node& hi = n.children[2];
        if (lo.kind != Node::Kind::kValue || hi.kind != Node::Kind::kValue) return std::nullopt;
        const AttributeValue& a = c_.value(lo);
        const AttributeValue& b = c_.value(hi);
        std::string bounds =
            "; lower bound operand: " + bound_text(a) + ", upper bound operand: " + bound_text(b);
        if (a.type() != b.type()) {
          return "The BETWEEN operator requires same data type for lower and upper bounds" + bounds;
        }
        if (compare_keys(a, b) > 0) {
          return "The BETWEEN operator requires upper bound to be greater than or equal to lower "
                 "bound" +
                 bounds;
        }
        return std::nullopt;
      }
      case Node::Kind::kCall:
        return function_types(n);
      default:
        return std::nullopt;
    }
  }

  // An operand of a type no ordering applies to (only S, N and B order).
  std::optional<std::string> unorderable(const Node& n, std::string_view op) const {
    for (const Node& operand : n.children) {
      auto t = c_.static_type(operand);
      if (t && !orderable(*t)) return detail::operand_type_error(op, to_string(*t));
    }
    return std::nullopt;
  }

  std::optional<std::string> function_types(const Node& n) const {
    std::string_view name = c_.text(n.token);
    const Node& first = n.children[0];
    if (name == "attribute_exists" || name == "attribute_not_exists") {
      if (first.kind == Node::Kind::kPath) return std::nullopt;
      return "Operator or function requires a document path; operator or function: " +
             std::string(name);
    }
    if (name == "attribute_type") {
      const Node& type = n.children[1];
      if (type.kind == Node::Kind::kPath) return detail::operand_type_error(name, kAnyType);
      auto t = c_.static_type(type);
      if (!t) return std::nullopt;
      if (*t != ValueType::kS) return detail::operand_type_error(name, to_string(*t));
      const std::string& wanted = c_.value(type).as_string();
      static constexpr std::string_view kTypes[] = {"S",  "SS",   "N",    "NS", "B",
                                                    "BS", "BOOL", "NULL", "L",  "M"};
      if (std::find(std::begin(kTypes), std::end(kTypes), wanted) != std::end(kTypes)) {
        return std::nullopt;
      }
      return "Invalid attribute type name found; type: " + wanted +
             ", valid types: " + std::string(kTypeNames);
    }
    if (name == "begins_with") {
      for (const Node& operand : n.children) {
        auto t = c_.static_type(operand);
        if (t && *t != ValueType::kS && *t != ValueType::kB) {
          return detail::operand_type_error(name, to_string(*t));
        }
      }
      return std::nullopt;
    }
    if (name == "size") {
      auto t = c_.static_type(first);
      if (t == ValueType::kN || t == ValueType::kBool || t == ValueType::kNull) {
        return detail::operand_type_error(name, to_string(*t));
      }
    }
    return std::nullopt;  // contains takes any types
  }

  Checker& c_;
};

// Parses and checks a condition; fills `used` only on success.
core::Result<Condition, std::string> condition_from(std::string_view label, std::string_view text,
                                                    const Context& ctx, Usage& used) {
  if (auto problem = detail::text_problem(label, text)) return core::unexpected(*problem);
  detail::Syntax s{text, detail::tokenize(text)};
  auto tree = detail::parse_condition_tree(s);
  if (!tree) return core::unexpected(detail::invalid(label, tree.error()));
  auto fail = [&](const std::string& m) { return core::unexpected(detail::invalid(label, m)); };
  if (s.operators > detail::kMaxOperators) {
    return fail("The expression contains too many operators; operator count: " +
                std::to_string(s.operators));
  }
  if (s.redundant_parens) return fail("The expression has redundant parentheses;");
  Checker checker(s, ctx);
  ConditionChecker conditions(checker);
  if (auto m = checker.unknown_function(*tree)) return fail(*m);
  if (auto m = conditions.misused(*tree, true)) return fail(*m);
  if (auto m = checker.reserved_word(*tree)) return fail(*m);
  if (auto m = conditions.leaves(*tree)) return fail(*m);
  Condition out = conditions.build(*tree);
  checker.record(used);
  return out;
}

// The rules a key condition follows beyond a condition's, first problem in written order.
std::optional<std::string> key_problem(const Condition& c, std::vector<KeyCondition::Term>& terms) {
  static const std::string kInvalidOperator = "Invalid operator used in KeyConditionExpression: ";
  switch (c.kind) {
    case Condition::Kind::kAnd:
      for (const Condition& child : c.children) {
        if (auto m = key_problem(child, terms)) return m;
      }
      return std::nullopt;
    case Condition::Kind::kOr:
      return kInvalidOperator + "OR";
    case Condition::Kind::kNot:
      return kInvalidOperator + "NOT";
    case Condition::Kind::kIn:
      return kInvalidOperator + "IN";
    case Condition::Kind::kCompare:
      if (c.comparator == Comparator::kNe) return kInvalidOperator + "<>";
      break;
    case Condition::Kind::kFunction:
      if (c.function != Function::kBeginsWith) {
        return kInvalidOperator + std::string(to_string(c.function));
      }
      break;
    case Condition::Kind::kBetween:
      break;
  }
  for (const Operand& o : c.operands) {
    if (o.kind == Operand::Kind::kSize) {
      return "Invalid KeyConditionExpression: KeyConditionExpressions cannot contain nested "
             "operations";
    }
  }
  KeyCondition::Term term;
  const Operand* path = nullptr;
  std::vector<const Operand*> values;
  if (c.kind == Condition::Kind::kCompare) {
    const Operand& a = c.operands[0];
    const Operand& b = c.operands[1];
    // With the constant first the comparison turns around: ":v < sk" is "sk > :v".
    bool flipped = a.kind == Operand::Kind::kValue && b.kind == Operand::Kind::kPath;
    path = flipped ? &b : &a;
    values.push_back(flipped ? &a : &b);
    static constexpr KeyCondition::Op kOps[] = {KeyCondition::Op::kEq, KeyCondition::Op::kEq,
                                                KeyCondition::Op::kLt, KeyCondition::Op::kLe,
                                                KeyCondition::Op::kGt, KeyCondition::Op::kGe};
    static constexpr KeyCondition::Op kFlippedOps[] = {
        KeyCondition::Op::kEq, KeyCondition::Op::kEq, KeyCondition::Op::kGt,
        KeyCondition::Op::kGe, KeyCondition::Op::kLt, KeyCondition::Op::kLe};
    term.op = (flipped ? kFlippedOps : kOps)[static_cast<int>(c.comparator)];
  } else {
    term.op = c.kind == Condition::Kind::kBetween ? KeyCondition::Op::kBetween
                                                  : KeyCondition::Op::kBeginsWith;
    path = &c.operands[0];
    for (size_t i = 1; i < c.operands.size(); ++i)
      values.push_back(&c.operands[i]);
  }
  bool shaped = path->kind == Operand::Kind::kPath;
  for (const Operand* v : values)
    shaped = shaped && v->kind == Operand::Kind::kValue;
  if (shaped && path->path.steps.size() > 1) {
    return "Invalid KeyConditionExpression: KeyConditionExpressions cannot have conditions on "
           "nested attributes";
  }
  // Two attributes in one condition: DynamoDB's own text. Constants compared with each other name
  // no key attribute: an empty name, which bind_key_condition() reports as a missed key.
  if (!shaped && c.kind == Condition::Kind::kCompare &&
      c.operands[0].kind == Operand::Kind::kPath && c.operands[1].kind == Operand::Kind::kPath) {
    return "Invalid condition in KeyConditionExpression: Multiple attribute names used in one "
           "condition";
  }
  if (shaped) {
    term.attribute = path->path.attribute();
    for (const Operand* v : values)
      term.values.push_back(*v->value);
  }
  terms.push_back(std::move(term));
  return std::nullopt;
}

}  // namespace

core::Result<Condition, std::string> parse_condition(ConditionKind kind, std::string_view text,
                                                     const Context& ctx, Usage& usage) {
  std::string_view label =
      kind == ConditionKind::kCondition ? "ConditionExpression" : "FilterExpression";
  Usage used;
  auto condition = condition_from(label, text, ctx, used);
  if (condition) {
    usage.names.insert(used.names.begin(), used.names.end());
    usage.values.insert(used.values.begin(), used.values.end());
  }
  return condition;
}

core::Result<KeyCondition, std::string> parse_key_condition(std::string_view text,
                                                            const Context& ctx, Usage& usage) {
  Usage used;
  auto condition = condition_from("KeyConditionExpression", text, ctx, used);
  if (!condition) return core::unexpected(std::move(condition).error());
  KeyCondition out;
  if (auto m = key_problem(*condition, out.terms)) return core::unexpected(*m);
  for (size_t i = 0; i < out.terms.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (!out.terms[i].attribute.empty() && out.terms[i].attribute == out.terms[j].attribute) {
        return core::unexpected(
            std::string("KeyConditionExpressions must only contain one condition per key"));
      }
    }
  }
  usage.names.insert(used.names.begin(), used.names.end());
  usage.values.insert(used.values.begin(), used.values.end());
  return out;
}

}  // namespace gatehouse::store::expr
