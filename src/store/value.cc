#include "store/value.h"

#include <algorithm>
#include <array>

namespace gatehouse::store {
namespace {

// Members of a set are compared as a set: each of a's in b, and as many.
template <class T, class Equal>
bool same_members(const std::vector<T>& a, const std::vector<T>& b, Equal equal) {
  if (a.size() != b.size()) return false;
  return std::all_of(a.begin(), a.end(), [&](const T& x) {
    return std::any_of(b.begin(), b.end(), [&](const T& y) { return equal(x, y); });
  });
}

size_t value_size(const AttributeValue& v) {
  switch (v.type()) {
    case ValueType::kS:
      return v.as_string().size();
    case ValueType::kN:
      return v.as_number().byte_size();
    case ValueType::kB:
      return v.as_binary().size();
    case ValueType::kBool:
    case ValueType::kNull:
      return 1;
    case ValueType::kSS: {
      size_t n = 0;
      for (const std::string& s : v.as_string_set())
        n += s.size();
      return n;
    }
    case ValueType::kNS: {
      size_t n = 0;
      for (const Decimal& d : v.as_number_set())
        n += d.byte_size();
      return n;
    }
    case ValueType::kBS: {
      size_t n = 0;
      for (const std::string& b : v.as_binary_set())
        n += b.size();
      return n;
    }
    case ValueType::kL: {
      size_t n = 3 + v.as_list().size();
      for (const AttributeValue& e : v.as_list())
        n += value_size(e);
      return n;
    }
    case ValueType::kM:
      break;
  }
  size_t n = 3 + v.as_map().size();
  for (const auto& [name, e] : v.as_map())
    n += attribute_size(name, e);
  return n;
}

int byte_order(std::string_view a, std::string_view b) {
  // std::string_view compares chars as unsigned (char_traits<char>::compare uses memcmp order).
  int c = a.compare(b);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

}  // namespace

std::string_view to_string(ValueType type) {
  static constexpr std::array<std::string_view, 10> kNames = {"S",  "N",  "B",  "BOOL", "NULL",
                                                              "SS", "NS", "BS", "L",    "M"};
  return kNames[static_cast<size_t>(type)];
}

bool operator==(const AttributeValue& a, const AttributeValue& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case ValueType::kS:
      return a.as_string() == b.as_string();
    case ValueType::kN:
      return a.as_number() == b.as_number();
    case ValueType::kB:
      return a.as_binary() == b.as_binary();
    case ValueType::kBool:
      return a.as_bool() == b.as_bool();
    case ValueType::kNull:
      return true;
    case ValueType::kSS:
      return same_members(a.as_string_set(), b.as_string_set(), std::equal_to<>());
    case ValueType::kNS:
      return same_members(a.as_number_set(), b.as_number_set(), std::equal_to<>());
    case ValueType::kBS:
      return same_members(a.as_binary_set(), b.as_binary_set(), std::equal_to<>());
    case ValueType::kL:
      return a.as_list() == b.as_list();
    case ValueType::kM:
      break;
  }
  return a.as_map() == b.as_map();
}

size_t attribute_size(std::string_view name, const AttributeValue& value) {
  return name.size() + value_size(value);
}

std::optional<std::string> attribute_name_problem(std::string_view name) {
  if (name.size() <= kMaxAttributeNameBytes) return std::nullopt;
  return "One or more parameter values were invalid: An attribute name is " +
         std::to_string(name.size()) + " bytes long; the limit is " +
         std::to_string(kMaxAttributeNameBytes);
}

std::optional<std::string> attribute_names_problem(const Item& item) {
  for (const auto& [name, value] : item) {
    if (auto problem = attribute_name_problem(name)) return problem;
  }
  return std::nullopt;
}

size_t item_size(const Item& item) {
  size_t n = 0;
  for (const auto& [name, value] : item)
    n += attribute_size(name, value);
  return n;
}

int nesting_depth(const AttributeValue& value) {
  int deepest = 0;
  if (value.type() == ValueType::kL) {
    for (const AttributeValue& e : value.as_list())
      deepest = std::max(deepest, nesting_depth(e));
    return deepest + 1;
  }
  if (value.type() == ValueType::kM) {
    for (const auto& [name, e] : value.as_map())
      deepest = std::max(deepest, nesting_depth(e));
    return deepest + 1;
  }
  return 0;
}

int compare_keys(const AttributeValue& a, const AttributeValue& b) {
  switch (a.type()) {
    case ValueType::kS:
      return byte_order(a.as_string(), b.as_string());
    case ValueType::kN:
      return compare(a.as_number(), b.as_number());
    case ValueType::kB:
      return byte_order(a.as_binary(), b.as_binary());
    default:
      break;
  }
  return 0;  // not a key type: callers check the key schema first
}

}  // namespace gatehouse::store
