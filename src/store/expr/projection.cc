#include "store/expr/projection.h"

#include <map>
#include <memory>
#include <optional>

namespace gatehouse::store::expr {
namespace {

// The projected paths as a tree; a leaf keeps the whole value below it.
struct Wanted {
  bool whole = false;
  std::map<std::string, std::unique_ptr<Wanted>, std::less<>> members;
  std::map<size_t, std::unique_ptr<Wanted>> elements;  // ordered: results keep index order
};

std::optional<AttributeValue> kept(const AttributeValue& value, const Wanted& wanted) {
  if (wanted.whole) return value;
  if (value.type() == ValueType::kM && !wanted.members.empty()) {
    AttributeMap out;
    for (const auto& [name, child] : wanted.members) {
      auto it = value.as_map().find(name);
      if (it == value.as_map().end()) continue;
      if (auto v = kept(it->second, *child)) out.emplace(name, std::move(*v));
    }
    if (out.empty()) return std::nullopt;
    return AttributeValue::map(std::move(out));
  }
  if (value.type() == ValueType::kL && !wanted.elements.empty()) {
    std::vector<AttributeValue> out;
    const auto& list = value.as_list();
    for (const auto& [index, child] : wanted.elements) {
      if (index >= list.size()) continue;
      if (auto v = kept(list[index], *child)) out.push_back(std::move(*v));
    }
    if (out.empty()) return std::nullopt;
    return AttributeValue::list(std::move(out));
  }
  return std::nullopt;
}

}  // namespace

Item project(const Item& item, const std::vector<Path>& paths) {
  Wanted root;
  for (const Path& path : paths) {
    Wanted* node = &root;
    for (const PathStep& step : path.steps) {
      auto& slot = step.is_index ? node->elements[step.index] : node->members[step.name];
      if (!slot) slot = std::make_unique<Wanted>();
      node = slot.get();
    }
    node->whole = true;
  }
  Item out;
  for (const auto& [name, child] : root.members) {
    auto it = item.find(name);
    if (it == item.end()) continue;
    if (auto v = kept(it->second, *child)) out.emplace(name, std::move(*v));
  }
  return out;
}

}  // namespace gatehouse::store::expr
