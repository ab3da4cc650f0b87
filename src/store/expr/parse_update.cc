// UpdateExpression (parse.h).
#include <utility>

#include "store/expr/detail/checks.h"
#include "store/expr/detail/syntax.h"
#include "store/expr/parse.h"

namespace gatehouse::store::expr {
namespace {

using detail::Checker;
using detail::first_of;
using detail::Node;
using detail::RawAction;

constexpr std::string_view kLabel = "UpdateExpression";

std::string_view section_name(RawAction::Section s) {
  switch (s) {
    case RawAction::Section::kSet:
      return "SET";
    case RawAction::Section::kRemove:
      return "REMOVE";
    case RawAction::Section::kAdd:
      return "ADD";
    case RawAction::Section::kDelete:
      break;
  }
  return "DELETE";
}

// The type names ADD and DELETE use in their operand message.
std::string_view long_type_name(ValueType t) {
  switch (t) {
    case ValueType::kS:
      return "STRING";
    case ValueType::kN:
      return "NUMBER";
    case ValueType::kB:
      return "BINARY";
    case ValueType::kBool:
      return "BOOLEAN";
    case ValueType::kNull:
      return "NULL";
    case ValueType::kSS:
      return "STRING_SET";
    case ValueType::kNS:
      return "NUMBER_SET";
    case ValueType::kBS:
      return "BINARY_SET";
    case ValueType::kL:
      return "LIST";
    case ValueType::kM:
      break;
  }
  return "MAP";
}

bool is_set(ValueType t) {
  return t == ValueType::kSS || t == ValueType::kNS || t == ValueType::kBS;
}

class UpdateChecker {
 public:
  UpdateChecker(Checker& c, const detail::RawUpdate& u) : c_(c), u_(u) {}

  // A check over every action's path and value, in written order.
  template <class Check>
  std::optional<std::string> each(const Check& check) const {
    for (const RawAction& a : u_.actions) {
      if (auto m = check(a.path)) return m;
      if (a.value) {
        if (auto m = check(*a.value)) return m;
      }
    }
    return std::nullopt;
  }

  // A condition's function (or size) in a SET value, or list_append inside list_append.
  std::optional<std::string> misused(const Node& n, bool in_list_append) const {
    if (n.kind == Node::Kind::kCall) {
      std::string name(c_.text(n.token));
      if (name == "size" || detail::is_condition_function(name)) {
        return "The function is not allowed in an update expression; function: " + name;
      }
      if (name == "list_append" && in_list_append) {
        return "The function is not allowed to be used this way in an expression; function: " +
               name;
      }
      in_list_append = name == "list_append";
    }
    for (const Node& child : n.children) {
      if (auto m = misused(child, in_list_append)) return m;
    }
    return std::nullopt;
  }

  std::optional<std::string> repeated_section() const {
    bool seen[4] = {false, false, false, false};
    for (const auto& [section, token] : u_.clauses) {
      bool& s = seen[static_cast<int>(section)];
      if (s) {
        return "The \"" + std::string(section_name(section)) +
               "\" section can only be used once in an update expression;";
      }
      s = true;
    }
    return std::nullopt;
  }

  // ADD takes a number or a set, DELETE a set.
  std::optional<std::string> add_or_delete_operand() const {
    for (const RawAction& a : u_.actions) {
      if (a.section != RawAction::Section::kAdd && a.section != RawAction::Section::kDelete) {
        continue;
      }
      ValueType t = c_.value(*a.value).type();
      bool ok = is_set(t) || (a.section == RawAction::Section::kAdd && t == ValueType::kN);
      if (!ok) {
        // DynamoDB names ADD's type set for DELETE too.
        return "Incorrect operand type for operator or function; operator: " +
               std::string(section_name(a.section)) +
               ", operand type: " + std::string(long_type_name(t)) +
               ", typeSet: ALLOWED_FOR_ADD_OPERAND";
      }
    }
    return std::nullopt;
  }

  // The functions and arithmetic of SET values: operand counts, if_not_exists's path, the
  // types of constants.
  std::optional<std::string> functions(const Node& n) const {
    if (n.kind == Node::Kind::kArith) {
      for (const Node& operand : n.children) {
        auto t = c_.static_type(operand);
        if (t && *t != ValueType::kN) {
          return detail::operand_type_error(c_.text(n.token), to_string(*t));
        }
      }
      return std::nullopt;
    }
    if (n.kind != Node::Kind::kCall) return std::nullopt;
    std::string_view name = c_.text(n.token);
    if (n.children.size() != 2) {
      return "Incorrect number of operands for operator or function; operator or function: " +
             std::string(name) + ", number of operands: " + std::to_string(n.children.size());
    }
    if (name == "if_not_exists") {
      if (n.children[0].kind != Node::Kind::kPath) {
        return "Operator or function requires a document path; operator or function: "
               "if_not_exists";
      }
      return std::nullopt;
    }
    for (const Node& operand : n.children) {  // list_append
      auto t = c_.static_type(operand);
      if (t && *t != ValueType::kL) return detail::operand_type_error(name, to_string(*t));
    }
    return std::nullopt;
  }

 private:
  Checker& c_;
  const detail::RawUpdate& u_;
};

}  // namespace

core::Result<Update, std::string> parse_update(std::string_view text, const Context& ctx,
                                               Usage& usage) {
  if (auto problem = detail::text_problem(kLabel, text)) return core::unexpected(*problem);
  detail::Syntax s{text, detail::tokenize(text)};
  auto raw = detail::parse_update_tree(s);
  if (!raw) return core::unexpected(detail::invalid(kLabel, raw.error()));
  auto fail = [&](const std::string& m) { return core::unexpected(detail::invalid(kLabel, m)); };
  if (s.operators > detail::kMaxOperators) {
    return fail("The expression contains too many operators; operator count: " +
                std::to_string(s.operators));
  }
  if (s.redundant_parens) return fail("The expression has redundant parentheses;");

  Checker c(s, ctx);
  UpdateChecker checks(c, *raw);
  // DynamoDB's order: by kind of problem, each kind in written order.
  if (auto m = checks.each([&](const Node& n) { return c.reserved_word(n); })) return fail(*m);
  if (auto m = checks.each([&](const Node& n) { return c.unknown_function(n); })) return fail(*m);
  if (auto m = checks.each([&](const Node& n) { return checks.misused(n, false); })) {
    return fail(*m);
  }
  if (auto m = checks.repeated_section()) return fail(*m);
  if (auto m = checks.each([&](const Node& n) { return c.undefined_name(n); })) return fail(*m);
  if (auto m = checks.each([&](const Node& n) { return c.undefined_value(n); })) return fail(*m);
  if (auto m = checks.each([&](const Node& n) { return c.path_too_deep(n); })) return fail(*m);

  std::vector<Path> targets;
  targets.reserve(raw->actions.size());
  for (const RawAction& a : raw->actions)
    targets.push_back(c.path(a.path));
  if (auto m = detail::overlapping_paths(targets)) return fail(*m);
  if (auto m = checks.add_or_delete_operand()) return fail(*m);
  if (auto m = checks.each([&](const Node& n) {
        return first_of(n, [&](const Node& x) { return checks.functions(x); });
      })) {
    return fail(*m);
  }

  Update out;
  for (size_t i = 0; i < raw->actions.size(); ++i) {
    const RawAction& a = raw->actions[i];
    switch (a.section) {
      case RawAction::Section::kSet:
        out.set.push_back(Update::Set{std::move(targets[i]), c.operand(*a.value)});
        break;
      case RawAction::Section::kRemove:
        out.remove.push_back(std::move(targets[i]));
        break;
      case RawAction::Section::kAdd:
      case RawAction::Section::kDelete: {
        Operand value = c.operand(*a.value);
        auto& list = a.section == RawAction::Section::kAdd ? out.add : out.del;
        list.push_back(Update::AddOrDelete{std::move(targets[i]), std::move(*value.value)});
        break;
      }
    }
  }
  c.record(usage);
  return out;
}

}  // namespace gatehouse::store::expr
