#include "store/expr/detail/checks.h"

#include <array>
#include <charconv>

#include "store/expr/detail/reserved_words.h"

namespace gatehouse::store::expr::detail {
namespace {

constexpr std::array<std::string_view, 8> kKnownFunctions = {
    "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains", "size",
    "if_not_exists",    "list_append"};

// The largest list index DynamoDB takes: a Java int.
constexpr size_t kMaxListIndex = 2147483647;

// The index a kIndex step names, or nullopt past kMaxListIndex.
std::optional<size_t> index_value(std::string_view digits) {
  if (digits.size() > 10) return std::nullopt;
  size_t value = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (value > kMaxListIndex) return std::nullopt;
  return value;
}

}  // namespace

bool is_known_function(std::string_view name) {
  for (std::string_view f : kKnownFunctions) {
    if (f == name) return true;
  }
  return false;
}

bool is_condition_function(std::string_view name) {
  return name == "attribute_exists" || name == "attribute_not_exists" || name == "attribute_type" ||
         name == "begins_with" || name == "contains";
}

std::string invalid(std::string_view label, std::string_view message) {
  std::string out = "Invalid ";
  out += label;
  out += ": ";
  out += message;
  return out;
}

std::optional<std::string> text_problem(std::string_view label, std::string_view text) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return invalid(label, "The expression can not be empty;");
  }
  if (text.size() > kMaxExpressionBytes) {
    return invalid(label,
                   "Expression size has exceeded the maximum allowed size; expression size: " +
                       std::to_string(text.size()));
  }
  return std::nullopt;
}

std::string operand_type_error(std::string_view op, std::string_view type) {
  std::string out = "Incorrect operand type for operator or function; operator or function: ";
  out += op;
  out += ", operand type: ";
  out += type;
  return out;
}

std::optional<std::string> Checker::reserved_word(const Node& n) const {
  return first_of(n, [&](const Node& x) -> std::optional<std::string> {
    if (x.kind != Node::Kind::kPath) return std::nullopt;
    for (const RawStep& step : x.steps) {
      std::string_view t = text(step.token);
      if (step.kind == RawStep::Kind::kName && is_reserved_word(t)) {
        return "Attribute name is a reserved keyword; reserved keyword: " + std::string(t);
      }
      if (step.kind == RawStep::Kind::kIndex && !index_value(t)) {
        return "List index is not within the allowable range; index: [" + std::string(t) + "]";
      }
    }
    return std::nullopt;
  });
}

std::optional<std::string> Checker::unknown_function(const Node& n) const {
  return first_of(n, [&](const Node& x) -> std::optional<std::string> {
    if (x.kind != Node::Kind::kCall || is_known_function(text(x.token))) return std::nullopt;
    return "Invalid function name; function: " + std::string(text(x.token));
  });
}

std::optional<std::string> Checker::undefined(const Node& n, bool names, bool values,
                                              bool depth) const {
  return first_of(n, [&](const Node& x) -> std::optional<std::string> {
    if (x.kind == Node::Kind::kValue && values) {
      std::string_view v = text(x.token);
      if (!ctx_.values || ctx_.values->find(v) == ctx_.values->end()) {
        return "An expression attribute value used in expression is not defined; attribute "
               "value: " +
               std::string(v);
      }
    }
    if (x.kind != Node::Kind::kPath) return std::nullopt;
    if (names) {
      for (const RawStep& step : x.steps) {
        std::string_view t = text(step.token);
        if (step.kind == RawStep::Kind::kNameRef &&
            (!ctx_.names || ctx_.names->find(t) == ctx_.names->end())) {
          return "An expression attribute name used in the document path is not defined; "
                 "attribute name: " +
                 std::string(t);
        }
      }
    }
    if (depth && x.steps.size() > kMaxPathDepth) {
      return "The document path has too many nesting levels; nesting levels: " +
             std::to_string(x.steps.size());
    }
    return std::nullopt;
  });
}

std::optional<std::string> Checker::undefined_placeholder(const Node& n) const {
  return undefined(n, true, true, true);
}
std::optional<std::string> Checker::undefined_name(const Node& n) const {
  return undefined(n, true, false, false);
}
std::optional<std::string> Checker::undefined_value(const Node& n) const {
  return undefined(n, false, true, false);
}
std::optional<std::string> Checker::path_too_deep(const Node& n) const {
  return undefined(n, false, false, true);
}

const AttributeValue& Checker::value(const Node& n) const {
  return ctx_.values->find(text(n.token))->second;
}

std::optional<ValueType> Checker::static_type(const Node& n) const {
  if (n.kind == Node::Kind::kValue) return value(n).type();
  if (n.kind == Node::Kind::kCall && text(n.token) == "size") return ValueType::kN;
  return std::nullopt;
}

Path Checker::path(const Node& n) {
  Path p;
  p.steps.reserve(n.steps.size());
  for (const RawStep& step : n.steps) {
    std::string_view t = text(step.token);
    switch (step.kind) {
      case RawStep::Kind::kName:
        p.steps.push_back(PathStep::member(std::string(t)));
        break;
      case RawStep::Kind::kNameRef:
        used_names_.emplace(t);
        p.steps.push_back(PathStep::member(ctx_.names->find(t)->second));
        break;
      case RawStep::Kind::kIndex:
        p.steps.push_back(PathStep::element(index_value(t).value_or(0)));
        break;
    }
  }
  return p;
}

Operand Checker::operand(const Node& n) {
  switch (n.kind) {
    case Node::Kind::kPath:
      return Operand::of_path(path(n));
    case Node::Kind::kValue:
      used_values_.emplace(text(n.token));
      return Operand::of_value(value(n));
    case Node::Kind::kArith: {
      Operand o;
      o.kind = text(n.token) == "+" ? Operand::Kind::kPlus : Operand::Kind::kMinus;
      o.args.push_back(operand(n.children[0]));
      o.args.push_back(operand(n.children[1]));
      return o;
    }
    default:
      break;
  }
  // A call: size, if_not_exists or list_append (checks refused the others as operands).
  Operand o;
  std::string_view name = text(n.token);
  if (name == "if_not_exists") {
    o.kind = Operand::Kind::kIfNotExists;
    o.path = path(n.children[0]);
    o.args.push_back(operand(n.children[1]));
    return o;
  }
  o.kind = name == "size" ? Operand::Kind::kSize : Operand::Kind::kListAppend;
  for (const Node& c : n.children)
    o.args.push_back(operand(c));
  return o;
}

void Checker::record(Usage& usage) const {
  usage.names.insert(used_names_.begin(), used_names_.end());
  usage.values.insert(used_values_.begin(), used_values_.end());
}

std::optional<std::string> overlapping_paths(const std::vector<Path>& paths) {
  std::optional<std::string> conflict;
  for (size_t i = 0; i < paths.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      const auto& a = paths[j].steps;
      const auto& b = paths[i].steps;
      size_t n = std::min(a.size(), b.size());
      size_t k = 0;
      bool conflicting = false;
      while (k < n && a[k] == b[k])
        ++k;
      if (k < n) conflicting = a[k].is_index != b[k].is_index;
      auto message = [&](std::string_view what) {
        return "Two document paths " + std::string(what) +
               " with each other; must remove or rewrite one of these paths; path one: " +
               to_message(paths[j]) + ", path two: " + to_message(paths[i]);
      };
      if (k == n) return message("overlap");
      if (conflicting && !conflict) conflict = message("conflict");
    }
  }
  return conflict;
}

}  // namespace gatehouse::store::expr::detail
