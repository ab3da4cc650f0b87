#include "store/expr/legacy.h"

#include <boost/json/array.hpp>

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "store/expr/detail/legacy_entries.h"
#include "store/json_codec.h"

namespace gatehouse::store::expr {
namespace {

namespace json = boost::json;
using detail::Entry;
using detail::EntryType;
using Kind = LegacyError::Kind;

constexpr std::string_view kInvalid = "One or more parameter values were invalid: ";

LegacyError invalid_error(std::string message) {
  return LegacyError{Kind::kValidation, {}, std::move(message), std::nullopt};
}
LegacyError constraint_error(std::string member, std::string_view message,
                             std::optional<std::string> value = std::nullopt) {
  return LegacyError{Kind::kConstraint, std::move(member), std::string(message), std::move(value)};
}
LegacyError shape_error(std::string message) {
  return LegacyError{Kind::kSerialization, {}, std::move(message), std::nullopt};
}

// ---------------------------------------------------------------------------------------------
// Comparison operators

enum class Op {
  kEq,
  kNe,
  kLe,
  kLt,
  kGe,
  kGt,
  kNotNull,
  kNull,
  kContains,
  kNotContains,
  kBeginsWith,
  kIn,
  kBetween
};

constexpr std::array<std::pair<std::string_view, Op>, 13> kOps{{{"EQ", Op::kEq},
                                                                {"NE", Op::kNe},
                                                                {"LE", Op::kLe},
                                                                {"LT", Op::kLt},
                                                                {"GE", Op::kGe},
                                                                {"GT", Op::kGt},
                                                                {"NOT_NULL", Op::kNotNull},
                                                                {"NULL", Op::kNull},
                                                                {"CONTAINS", Op::kContains},
                                                                {"NOT_CONTAINS", Op::kNotContains},
                                                                {"BEGINS_WITH", Op::kBeginsWith},
                                                                {"IN", Op::kIn},
                                                                {"BETWEEN", Op::kBetween}}};

// The constraints on an unknown ComparisonOperator and Action, the values listed as DynamoDB's
// messages list them.
constexpr std::string_view kOperatorEnum =
    "Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, "
    "NE, LE, BEGINS_WITH, GE, CONTAINS]";
constexpr std::string_view kActionEnum = "Member must satisfy enum value set: [ADD, PUT, DELETE]";

std::optional<Op> op_named(std::string_view name) {
  for (const auto& [text, op] : kOps) {
    if (text == name) return op;
  }
  return std::nullopt;
}

std::string_view name_of(Op op) {
  for (const auto& [text, o] : kOps) {
    if (o == op) return text;
  }
  return {};
}

bool count_fits(Op op, size_t n) {
  switch (op) {
    case Op::kNull:
    case Op::kNotNull:
      return n == 0;
    case Op::kIn:
      return n >= 1;
    case Op::kBetween:
      return n == 2;
    default:
      return n == 1;
  }
}

bool type_fits(Op op, ValueType t) {
  const bool scalar = t == ValueType::kS || t == ValueType::kN || t == ValueType::kB;
  switch (op) {
    case Op::kEq:
    case Op::kNe:
      return true;
    case Op::kContains:
    case Op::kNotContains:
      return scalar || t == ValueType::kBool || t == ValueType::kNull;
    case Op::kBeginsWith:
      return t == ValueType::kS || t == ValueType::kB;
    default:  // LE, LT, GE, GT, IN, BETWEEN
      return scalar;
  }
}

// DynamoDB's checks of an operator's arguments, in its order: their number, then each one's type
// (one the operator takes, and the first one's), then BETWEEN's bounds.
std::optional<std::string> argument_problem(Op op, const std::vector<AttributeValue>& args) {
  const std::string name(name_of(op));
  if (!count_fits(op, args.size())) {
    return std::string(kInvalid) + "Invalid number of argument(s) for the " + name +
           " ComparisonOperator";
  }
  for (const AttributeValue& a : args) {
    if (!type_fits(op, a.type())) {
      return std::string(kInvalid) + "ComparisonOperator " + name + " is not valid for " +
             std::string(to_string(a.type())) + " AttributeValue type";
    }
    if (a.type() != args.front().type()) {
      return std::string(kInvalid) +
             "AttributeValues inside AttributeValueList must be of same type";
    }
  }
  if (op == Op::kBetween && compare_keys(args[0], args[1]) > 0) {
    return std::string(
        "The BETWEEN condition was provided a range where the lower bound is greater than the "
        "upper bound");
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Building conditions

Operand attribute(const std::string& name) {
  return Operand::of_path(Path{{PathStep::member(name)}});
}

Condition compared(Comparator comparator, const std::string& name, AttributeValue value) {
  Condition c;
  c.comparator = comparator;
  c.operands = {attribute(name), Operand::of_value(std::move(value))};
  return c;
}

Condition called(Function function, const std::string& name,
                 std::optional<AttributeValue> value = std::nullopt) {
  Condition c;
  c.kind = Condition::Kind::kFunction;
  c.function = function;
  c.operands.push_back(attribute(name));
  if (value) c.operands.push_back(Operand::of_value(std::move(*value)));
  return c;
}

Condition joined(Condition::Kind kind, Condition a, Condition b) {
  Condition c;
  c.kind = kind;
  c.children.push_back(std::move(a));
  c.children.push_back(std::move(b));
  return c;
}

// The condition one entry states; `args` passed argument_problem().
Condition condition_for(Op op, const std::string& name, std::vector<AttributeValue> args) {
  auto with_operands = [&](Condition::Kind kind) {
    Condition c;
    c.kind = kind;
    c.operands.push_back(attribute(name));
    for (AttributeValue& a : args)
      c.operands.push_back(Operand::of_value(std::move(a)));
    return c;
  };
  switch (op) {
    case Op::kEq:
      return compared(Comparator::kEq, name, std::move(args[0]));
    case Op::kNe:
      return compared(Comparator::kNe, name, std::move(args[0]));
    case Op::kLe:
      return compared(Comparator::kLe, name, std::move(args[0]));
    case Op::kLt:
      return compared(Comparator::kLt, name, std::move(args[0]));
    case Op::kGe:
      return compared(Comparator::kGe, name, std::move(args[0]));
    case Op::kGt:
      return compared(Comparator::kGt, name, std::move(args[0]));
    case Op::kNotNull:
      return called(Function::kAttributeExists, name);
    case Op::kNull:
      return called(Function::kAttributeNotExists, name);
    case Op::kContains:
      return called(Function::kContains, name, std::move(args[0]));
    case Op::kNotContains: {
      // False on a missing attribute, where NOT contains() alone would be true.
      Condition negated;
      negated.kind = Condition::Kind::kNot;
      negated.children.push_back(called(Function::kContains, name, std::move(args[0])));
      return joined(Condition::Kind::kAnd, called(Function::kAttributeExists, name),
                    std::move(negated));
    }
    case Op::kBeginsWith:
      return called(Function::kBeginsWith, name, std::move(args[0]));
    case Op::kIn:
      return with_operands(Condition::Kind::kIn);
    case Op::kBetween:
      break;
  }
  return with_operands(Condition::Kind::kBetween);
}

// The entries' conditions joined by the ConditionalOperator (AND when absent), in order.
std::optional<Condition> combined(std::vector<Condition> parts,
                                  std::optional<ConditionalOperator> conditional_operator) {
  if (parts.empty()) return std::nullopt;
  const Condition::Kind kind = conditional_operator == ConditionalOperator::kOr
                                   ? Condition::Kind::kOr
                                   : Condition::Kind::kAnd;
  Condition out = std::move(parts.front());
  for (size_t i = 1; i < parts.size(); ++i)
    out = joined(kind, std::move(out), std::move(parts[i]));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Checks shared by the conditions' parameters

// The first ComparisonOperator that is missing (when `required`) or unknown, as a constraint on
// "<parameter>.<attribute>.member.ComparisonOperator".
std::optional<LegacyError> operator_constraint(std::string_view parameter,
                                               const std::vector<Entry>& entries, bool required) {
  for (const Entry& e : entries) {
    if (e.null) continue;
    std::string member = std::string(parameter) + "." + e.name + ".member.ComparisonOperator";
    if (!e.op) {
      if (required) return constraint_error(std::move(member), "Member must not be null");
    } else if (!op_named(*e.op)) {
      return constraint_error(std::move(member), kOperatorEnum, *e.op);
    }
  }
  return std::nullopt;
}

std::optional<LegacyError> conditional_operator_problem(
    size_t entries, std::optional<ConditionalOperator> conditional_operator) {
  if (!conditional_operator) return std::nullopt;
  if (entries == 0)
    return invalid_error("ConditionalOperator cannot be used without Filter or Expected");
  if (entries == 1) {
    return invalid_error(
        "ConditionalOperator can only be used when Filter or Expected has two or more elements");
  }
  return std::nullopt;
}

// The values read, or the first value's problem in DynamoDB's words.
LegacyResult<std::vector<AttributeValue>> values_of(const std::vector<detail::ReadValue>& read) {
  std::vector<AttributeValue> out;
  for (const detail::ReadValue& r : read) {
    if (!r) return core::unexpected(invalid_error(r.error().message));
    out.push_back(*r);
  }
  return out;
}

struct Checked {
  Op op;
  std::vector<AttributeValue> args;
};

// A QueryFilter, ScanFilter or KeyConditions entry whose operator passed operator_constraint().
LegacyResult<Checked> checked_entry(const Entry& e) {
  if (e.null) {
    return core::unexpected(
        invalid_error("The filter condition for an attribute cannot be null: " + e.name));
  }
  auto args = values_of(e.list);
  if (!args) return core::unexpected(std::move(args).error());
  const Op op = *op_named(*e.op);
  if (auto problem = argument_problem(op, *args)) return core::unexpected(invalid_error(*problem));
  return Checked{op, std::move(*args)};
}

// The entries of a map parameter, shapes checked; none for an absent one.
LegacyResult<std::vector<Entry>> entries_of(const json::value* map, EntryType type) {
  if (map == nullptr || map->is_null()) return std::vector<Entry>();
  auto entries = detail::read_entries(*map, type);
  if (!entries) return core::unexpected(shape_error(std::move(entries).error()));
  return std::move(*entries);
}

// ---------------------------------------------------------------------------------------------
// Expected

// One Expected entry's condition, after DynamoDB's checks in its order.
LegacyResult<Condition> expected_condition(const Entry& e) {
  auto refuse = [&](std::string_view what) {
    return core::unexpected(
        invalid_error(std::string(kInvalid) + std::string(what) + " for Attribute: " + e.name));
  };
  if (e.null) return refuse("ExpectedAttributeValue must not be null");
  if (e.exists && e.op) return refuse("Exists and ComparisonOperator cannot be used together");
  if (e.value && e.has_list) return refuse("Value and AttributeValueList cannot be used together");
  if (!e.op && e.has_list)
    return refuse("AttributeValueList can only be used with a ComparisonOperator");
  if (e.exists == false && e.value) return refuse("Value cannot be used when Exists is false");
  if (!e.value && !e.has_list) {
    if (e.op) {
      if (*e.op != "NULL" && *e.op != "NOT_NULL") {
        return refuse("Value or AttributeValueList must be used with ComparisonOperator: " + *e.op);
      }
    } else if (!e.exists) {
      return refuse("Value must be provided when Exists is null");
    } else if (*e.exists) {
      return refuse("Value must be provided when Exists is true");
    }
  }
  std::vector<detail::ReadValue> read = e.list;
  if (e.value) read.insert(read.begin(), *e.value);
  auto args = values_of(read);
  if (!args) return core::unexpected(std::move(args).error());
  if (!e.op) {
    if (e.exists == false) return called(Function::kAttributeNotExists, e.name);
    return compared(Comparator::kEq, e.name, std::move(args->front()));
  }
  const Op op = *op_named(*e.op);
  if (auto problem = argument_problem(op, *args)) return core::unexpected(invalid_error(*problem));
  return condition_for(op, e.name, std::move(*args));
}

bool names_attribute(const Condition& c, std::string_view attribute) {
  for (const Operand& o : c.operands) {
    if (o.kind == Operand::Kind::kPath && o.path.attribute() == attribute) return true;
  }
  for (const Condition& child : c.children) {
    if (names_attribute(child, attribute)) return true;
  }
  return false;
}

bool is_set(ValueType t) {
  return t == ValueType::kSS || t == ValueType::kNS || t == ValueType::kBS;
}

}  // namespace

std::optional<ConditionalOperator> conditional_operator_from(std::string_view text) {
  if (text == "AND") return ConditionalOperator::kAnd;
  if (text == "OR") return ConditionalOperator::kOr;
  return std::nullopt;
}

LegacyResult<std::optional<Condition>> read_expected(
    const json::value* expected, std::optional<ConditionalOperator> conditional_operator) {
  auto entries = entries_of(expected, EntryType::kExpected);
  if (!entries) return core::unexpected(std::move(entries).error());
  if (auto c = operator_constraint("Expected", *entries, false)) return core::unexpected(*c);
  if (auto p = conditional_operator_problem(entries->size(), conditional_operator))
    return core::unexpected(*p);
  std::vector<Condition> parts;
  for (const Entry& e : *entries) {
    auto part = expected_condition(e);
    if (!part) return core::unexpected(std::move(part).error());
    parts.push_back(std::move(*part));
  }
  return combined(std::move(parts), conditional_operator);
}

LegacyResult<std::optional<Condition>> read_filter(
    FilterParameter which, const json::value* filter,
    std::optional<ConditionalOperator> conditional_operator) {
  const std::string_view parameter =
      which == FilterParameter::kQueryFilter ? "QueryFilter" : "ScanFilter";
  auto entries = entries_of(filter, EntryType::kCondition);
  if (!entries) return core::unexpected(std::move(entries).error());
  if (auto c = operator_constraint(parameter, *entries, true)) return core::unexpected(*c);
  if (auto p = conditional_operator_problem(entries->size(), conditional_operator))
    return core::unexpected(*p);
  std::vector<Condition> parts;
  for (const Entry& e : *entries) {
    auto checked = checked_entry(e);
    if (!checked) return core::unexpected(std::move(checked).error());
    parts.push_back(condition_for(checked->op, e.name, std::move(checked->args)));
  }
  return combined(std::move(parts), conditional_operator);
}

LegacyResult<Update> read_attribute_updates(const json::value& updates) {
  auto entries = entries_of(&updates, EntryType::kUpdate);
  if (!entries) return core::unexpected(std::move(entries).error());
  for (const Entry& e : *entries) {
    if (auto problem = attribute_name_problem(e.name))
      return core::unexpected(invalid_error(std::move(*problem)));
    if (e.op && *e.op != "ADD" && *e.op != "PUT" && *e.op != "DELETE")
      return core::unexpected(
          constraint_error("AttributeUpdates." + e.name + ".member.Action", kActionEnum, *e.op));
  }
  Update update;
  update.from_attribute_updates = true;
  for (const Entry& e : *entries) {
    if (e.null) {
      return core::unexpected(invalid_error(
          "Supplied AttributeValueUpdate is empty, must contain one of the supported actions: " +
          e.name + " is null"));
    }
    std::optional<AttributeValue> value;
    if (e.value) {
      if (!*e.value) return core::unexpected(invalid_error(e.value->error().message));
      value = **e.value;
    }
    const std::string action = e.op.value_or("PUT");
    Path path{{PathStep::member(e.name)}};
    if (!value) {
      if (action != "DELETE") {
        return core::unexpected(
            invalid_error(std::string(kInvalid) +
                          "Only DELETE action is allowed when no attribute value is specified"));
      }
      update.remove.push_back(std::move(path));
      continue;
    }
    const ValueType type = value->type();
    if (action == "DELETE" && !is_set(type)) {
      return core::unexpected(invalid_error(std::string(kInvalid) +
                                            "DELETE action with value is not supported for " +
                                            "the type " + std::string(to_string(type))));
    }
    if (action == "ADD" && !is_set(type) && type != ValueType::kN && type != ValueType::kL) {
      return core::unexpected(invalid_error(std::string(kInvalid) +
                                            "ADD action is not supported for the type " +
                                            std::string(to_string(type))));
    }
    if (action == "PUT") {
      update.set.push_back(Update::Set{std::move(path), Operand::of_value(std::move(*value))});
    } else if (action == "ADD") {
      update.add.push_back(Update::AddOrDelete{std::move(path), std::move(*value)});
    } else {
      update.del.push_back(Update::AddOrDelete{std::move(path), std::move(*value)});
    }
  }
  return update;
}

LegacyResult<KeyCondition> read_key_conditions(const json::value& key_conditions) {
  auto entries = entries_of(&key_conditions, EntryType::kCondition);
  if (!entries) return core::unexpected(std::move(entries).error());
  if (auto c = operator_constraint("KeyConditions", *entries, true)) return core::unexpected(*c);
  KeyCondition out;
  for (const Entry& e : *entries) {
    auto checked = checked_entry(e);
    if (!checked) return core::unexpected(std::move(checked).error());
    KeyCondition::Term term;
    term.attribute = e.name;
    term.values = std::move(checked->args);
    switch (checked->op) {
      case Op::kEq:
        term.op = KeyCondition::Op::kEq;
        break;
      case Op::kLt:
        term.op = KeyCondition::Op::kLt;
        break;
      case Op::kLe:
        term.op = KeyCondition::Op::kLe;
        break;
      case Op::kGt:
        term.op = KeyCondition::Op::kGt;
        break;
      case Op::kGe:
        term.op = KeyCondition::Op::kGe;
        break;
      case Op::kBetween:
        term.op = KeyCondition::Op::kBetween;
        break;
      case Op::kBeginsWith:
        term.op = KeyCondition::Op::kBeginsWith;
        break;
      default:  // NULL, NOT_NULL, NE, CONTAINS, NOT_CONTAINS, IN
        term.indexable = false;
        break;
    }
    out.terms.push_back(std::move(term));
  }
  if (out.terms.empty() || out.terms.size() > 2)
    return core::unexpected(invalid_error("Conditions can be of length 1 or 2 only"));
  return out;
}

LegacyResult<Projection> read_attributes_to_get(const json::value& names, std::string_view member) {
  auto read = detail::read_names(names);
  if (!read) return core::unexpected(shape_error(std::move(read).error()));
  if (read->empty()) {
    return core::unexpected(constraint_error(std::string(member),
                                             "Member must have length greater than or equal to 1"));
  }
  if (read->size() > 255) {
    return core::unexpected(
        constraint_error(std::string(member), "Member must have length less than or equal to 255"));
  }
  Projection out;
  for (std::string& name : *read) {
    if (auto problem = attribute_name_problem(name))
      return core::unexpected(invalid_error(std::move(*problem)));
    for (const Path& p : out.paths) {
      if (p.attribute() == name) {
        return core::unexpected(
            invalid_error(std::string(kInvalid) + "Duplicate value in attribute name: " + name));
      }
    }
    out.paths.push_back(Path{{PathStep::member(std::move(name))}});
  }
  return out;
}

std::optional<std::string> query_filter_key_attribute(const Condition& filter, KeyAttribute hash,
                                                      std::optional<KeyAttribute> range) {
  std::string_view key;
  if (names_attribute(filter, hash.name)) {
    key = hash.name;
  } else if (range && names_attribute(filter, range->name)) {
    key = range->name;
  } else {
    return std::nullopt;
  }
  return "QueryFilter can only contain non-primary key attributes: Primary key attribute: " +
         std::string(key);
}

std::optional<std::string> mixed_parameters_message(std::span<const std::string_view> present) {
  static constexpr std::array<std::string_view, 7> kLegacy{
      "AttributeUpdates", "AttributesToGet",     "Expected",     "QueryFilter",
      "ScanFilter",       "ConditionalOperator", "KeyConditions"};
  static constexpr std::array<std::string_view, 5> kExpressions{
      "UpdateExpression", "ProjectionExpression", "ConditionExpression", "FilterExpression",
      "KeyConditionExpression"};
  auto has = [&](std::string_view name) {
    return std::find(present.begin(), present.end(), name) != present.end();
  };
  auto listed = [&](const auto& order, bool key_conditions) {
    std::string out;
    for (std::string_view name : order) {
      if (!has(name) || (name == "KeyConditions" && !key_conditions)) continue;
      if (!out.empty()) out += ", ";
      out += name;
    }
    return out;
  };
  const std::string expressions = listed(kExpressions, false);
  const std::string legacy = listed(kLegacy, has("KeyConditionExpression"));
  if (legacy.empty() || expressions.empty()) return std::nullopt;
  return "Can not use both expression and non-expression parameters in the same request: "
         "Non-expression parameters: {" +
         legacy + "} Expression parameters: {" + expressions + "}";
}

std::optional<std::string> mixed_parameters_message(const json::object& request) {
  std::vector<std::string_view> present;
  for (const auto& member : request) {
    if (!member.value().is_null()) present.push_back(member.key());
  }
  return mixed_parameters_message(present);
}

}  // namespace gatehouse::store::expr
