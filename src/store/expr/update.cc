#include "store/expr/update.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <type_traits>

#include "store/expr/evaluate.h"

namespace gatehouse::store::expr {
namespace {

constexpr std::string_view kTypeError =
    "An operand in the update expression has an incorrect data type";
constexpr std::string_view kPathError =
    "The document path provided in the update expression is invalid for update";
constexpr std::string_view kMissingError =
    "The provided expression refers to an attribute that does not exist in the item";
// AttributeUpdates' text for an ADD or DELETE that does not suit the attribute.
constexpr std::string_view kLegacyTypeError = "Type mismatch for attribute to update";

// What went wrong, worst first: DynamoDB reports a wrong type before an invalid path, that
// before a missing attribute, and that before a number out of range.
enum class Problem { kNone, kNumber, kMissing, kPath, kType };

struct Failure {
  Problem problem = Problem::kNone;
  std::string number_message;  // kNumber

  void note(Problem p, std::string message = {}) {
    if (p > problem) {
      problem = p;
      number_message = std::move(message);
    }
  }
  void note(const Failure& other) { note(other.problem, other.number_message); }
  std::string message() const {
    switch (problem) {
      case Problem::kType:
        return std::string(kTypeError);
      case Problem::kPath:
        return std::string(kPathError);
      case Problem::kMissing:
        return std::string(kMissingError);
      default:
        return number_message;
    }
  }
};

// A SET value computed from the old item, or what kept it from being computed.
std::optional<AttributeValue> set_value(const Operand& o, const Item& old, Failure& failure) {
  switch (o.kind) {
    case Operand::Kind::kValue:
      return *o.value;
    case Operand::Kind::kPath:
    case Operand::Kind::kIfNotExists: {
      if (const AttributeValue* v = resolve(old, o.path)) return *v;
      if (o.kind == Operand::Kind::kIfNotExists) return set_value(o.args[0], old, failure);
      failure.note(Problem::kMissing);
      return std::nullopt;
    }
    case Operand::Kind::kPlus:
    case Operand::Kind::kMinus:
    case Operand::Kind::kListAppend: {
      ValueType want = o.kind == Operand::Kind::kListAppend ? ValueType::kL : ValueType::kN;
      Failure mine;
      auto a = set_value(o.args[0], old, mine);
      auto b = set_value(o.args[1], old, mine);
      if ((a && a->type() != want) || (b && b->type() != want)) mine.note(Problem::kType);
      failure.note(mine);
      if (mine.problem != Problem::kNone) return std::nullopt;
      if (want == ValueType::kL) {
        std::vector<AttributeValue> joined = a->as_list();
        joined.insert(joined.end(), b->as_list().begin(), b->as_list().end());
        return AttributeValue::list(std::move(joined));
      }
      auto sum = o.kind == Operand::Kind::kPlus ? add(a->as_number(), b->as_number())
                                                : subtract(a->as_number(), b->as_number());
      if (!sum) {
        failure.note(Problem::kNumber, to_message(sum.error(), ""));
        return std::nullopt;
      }
      return AttributeValue::number(*sum);
    }
    case Operand::Kind::kSize:
      break;  // refused in SET when parsing
  }
  failure.note(Problem::kType);
  return std::nullopt;
}

// Whether the parent of `path` exists in `old` as the container its last step needs.
bool writable(const Path& path, const Item& old) {
  if (path.steps.size() == 1) return true;
  Path parent{std::vector<PathStep>(path.steps.begin(), path.steps.end() - 1)};
  const AttributeValue* p = resolve(old, parent);
  if (!p) return false;
  return path.steps.back().is_index ? p->type() == ValueType::kL : p->type() == ValueType::kM;
}

// The members of `a` followed by those of `b` it lacks; both sets of one type.
AttributeValue set_union(const AttributeValue& a, const AttributeValue& b) {
  auto join = [](auto members, const auto& more) {
    for (const auto& m : more) {
      if (std::find(members.begin(), members.end(), m) == members.end()) members.push_back(m);
    }
    return members;
  };
  if (a.type() == ValueType::kSS)
    return AttributeValue::string_set(join(a.as_string_set(), b.as_string_set()));
  if (a.type() == ValueType::kNS)
    return AttributeValue::number_set(join(a.as_number_set(), b.as_number_set()));
  return AttributeValue::binary_set(join(a.as_binary_set(), b.as_binary_set()));
}

// The members of `a` not in `b`, or nullopt when none are left.
std::optional<AttributeValue> set_difference(const AttributeValue& a, const AttributeValue& b) {
  auto minus = [](const auto& members, const auto& gone) {
    std::remove_cvref_t<decltype(members)> left;
    for (const auto& m : members) {
      if (std::find(gone.begin(), gone.end(), m) == gone.end()) left.push_back(m);
    }
    return left;
  };
  if (a.type() == ValueType::kSS) {
    auto left = minus(a.as_string_set(), b.as_string_set());
    if (left.empty()) return std::nullopt;
    return AttributeValue::string_set(std::move(left));
  }
  if (a.type() == ValueType::kNS) {
    auto left = minus(a.as_number_set(), b.as_number_set());
    if (left.empty()) return std::nullopt;
    return AttributeValue::number_set(std::move(left));
  }
  auto left = minus(a.as_binary_set(), b.as_binary_set());
  if (left.empty()) return std::nullopt;
  return AttributeValue::binary_set(std::move(left));
}

bool is_set(ValueType t) {
  return t == ValueType::kSS || t == ValueType::kNS || t == ValueType::kBS;
}

// The writes of one update as a tree of paths: a node either writes (sets a value, or removes
// with no value) or holds writes further down.
struct WriteNode {
  bool writes = false;
  std::optional<AttributeValue> value;  // nullopt with `writes`: remove
  std::map<std::string, std::unique_ptr<WriteNode>, std::less<>> members;
  std::map<size_t, std::unique_ptr<WriteNode>> elements;  // ordered: appends go in index order
};

void add_write(WriteNode& root, const Path& path, std::optional<AttributeValue> value) {
  WriteNode* node = &root;
  for (const PathStep& step : path.steps) {
    auto& slot = step.is_index ? node->elements[step.index] : node->members[step.name];
    if (!slot) slot = std::make_unique<WriteNode>();
    node = slot.get();
  }
  node->writes = true;
  node->value = std::move(value);
}

AttributeValue rebuilt(const AttributeValue& old, const WriteNode& node);

void apply_members(AttributeMap& map, const WriteNode& node) {
  for (const auto& [name, child] : node.members) {
    if (child->writes) {
      if (child->value) {
        map.insert_or_assign(name, *child->value);
      } else {
        map.erase(name);
      }
    } else if (auto it = map.find(name); it != map.end()) {
      it->second = rebuilt(it->second, *child);
    }
  }
}

void apply_elements(std::vector<AttributeValue>& list, const WriteNode& node) {
  size_t size = list.size();
  std::vector<bool> removed(size, false);
  std::vector<AttributeValue> appended;
  for (const auto& [index, child] : node.elements) {
    if (!child->writes) {
      if (index < size) list[index] = rebuilt(list[index], *child);
    } else if (!child->value) {
      if (index < size) removed[index] = true;
    } else if (index < size) {
      list[index] = *child->value;
    } else {
      appended.push_back(*child->value);
    }
  }
  std::vector<AttributeValue> out;
  out.reserve(size + appended.size());
  for (size_t i = 0; i < size; ++i) {
    if (!removed[i]) out.push_back(std::move(list[i]));
  }
  for (auto& v : appended)
    out.push_back(std::move(v));
  list = std::move(out);
}

AttributeValue rebuilt(const AttributeValue& old, const WriteNode& node) {
  if (old.type() == ValueType::kM) {
    AttributeMap map = old.as_map();
    apply_members(map, node);
    return AttributeValue::map(std::move(map));
  }
  if (old.type() == ValueType::kL) {
    std::vector<AttributeValue> list = old.as_list();
    apply_elements(list, node);
    return AttributeValue::list(std::move(list));
  }
  return old;  // writable() made sure writes go below maps and lists only
}

}  // namespace

core::Result<Item, std::string> apply_update(const Update& update, const Item& old_item,
                                             bool item_exists) {
  Failure failure;
  WriteNode root;

  for (const Update::Set& s : update.set) {
    if (!writable(s.path, old_item)) failure.note(Problem::kPath);
    auto value = set_value(s.value, old_item, failure);
    if (value) add_write(root, s.path, std::move(value));
  }
  for (const Path& p : update.remove) {
    if (!writable(p, old_item)) {
      // A REMOVE on an item that does not exist does nothing, whatever its path.
      if (item_exists) failure.note(Problem::kPath);
      continue;
    }
    add_write(root, p, std::nullopt);
  }
  for (const Update::AddOrDelete& a : update.add) {
    if (!writable(a.path, old_item)) {
      failure.note(Problem::kPath);
      continue;
    }
    const AttributeValue* current = resolve(old_item, a.path);
    if (!current) {
      add_write(root, a.path, a.value);
    } else if (current->type() == ValueType::kN && a.value.type() == ValueType::kN) {
      auto sum = add(current->as_number(), a.value.as_number());
      if (!sum) {
        failure.note(Problem::kNumber, to_message(sum.error(), ""));
      } else {
        add_write(root, a.path, AttributeValue::number(*sum));
      }
    } else if (is_set(current->type()) && current->type() == a.value.type()) {
      add_write(root, a.path, set_union(*current, a.value));
    } else if (update.from_attribute_updates && current->type() == ValueType::kL &&
               a.value.type() == ValueType::kL) {
      std::vector<AttributeValue> joined = current->as_list();
      joined.insert(joined.end(), a.value.as_list().begin(), a.value.as_list().end());
      add_write(root, a.path, AttributeValue::list(std::move(joined)));
    } else {
      failure.note(Problem::kType);
    }
  }
  for (const Update::AddOrDelete& d : update.del) {
    if (!writable(d.path, old_item)) {
      failure.note(Problem::kPath);
      continue;
    }
    const AttributeValue* current = resolve(old_item, d.path);
    if (!current) continue;
    if (current->type() != d.value.type()) {
      failure.note(Problem::kType);
      continue;
    }
    add_write(root, d.path, set_difference(*current, d.value));
  }

  if (failure.problem == Problem::kType && update.from_attribute_updates)
    return core::unexpected(std::string(kLegacyTypeError));
  if (failure.problem != Problem::kNone) return core::unexpected(failure.message());
  Item next = old_item;
  apply_members(next, root);
  return next;
}

std::vector<Path> updated_paths(const Update& update) {
  std::vector<Path> paths;
  for (const auto& s : update.set)
    paths.push_back(s.path);
  for (const auto& p : update.remove)
    paths.push_back(p);
  for (const auto& a : update.add)
    paths.push_back(a.path);
  for (const auto& d : update.del)
    paths.push_back(d.path);
  return paths;
}

std::vector<std::string> updated_attributes(const Update& update) {
  std::vector<std::string> names;
  for (const Path& p : updated_paths(update))
    names.push_back(p.attribute());
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace gatehouse::store::expr
