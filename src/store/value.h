// DynamoDB's attribute values: S, N, B, BOOL, NULL, SS, NS, BS, L and M, typed (a number is a
// Decimal, never text or a double), and the item as a map of them. What DynamoDB measures of them
// (item size, nesting) and how it orders and compares them.
//
// Usage:
//   Item item{{"pk", AttributeValue::string("user#1")}, {"n", AttributeValue::number(*d)}};
//   item_size(item);                      // as DynamoDB counts it against the 400 KB limit
//
// Thread safety: value types.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "store/decimal.h"

namespace gatehouse::store {

// The largest item DynamoDB stores, in item_size() bytes.
inline constexpr size_t kMaxItemSize = 409'600;
// How deep documents may nest (a map in a list in a map ... counts each level).
inline constexpr int kMaxNesting = 32;
// The longest attribute name DynamoDB accepts, in bytes: its documented "64 KB", less one.
inline constexpr size_t kMaxAttributeNameBytes = 65'535;

enum class ValueType { kS, kN, kB, kBool, kNull, kSS, kNS, kBS, kL, kM };

// "S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M": the keys of DynamoDB JSON.
std::string_view to_string(ValueType type);

class AttributeValue;
using AttributeMap = std::map<std::string, AttributeValue, std::less<>>;

class AttributeValue {
 public:
  struct Bytes {
    std::string bytes;
    bool operator==(const Bytes&) const = default;
  };
  struct Null {
    bool operator==(const Null&) const = default;
  };
  // Sets keep their members in the order they were given; no member twice.
  struct StringSet {
    std::vector<std::string> members;
  };
  struct NumberSet {
    std::vector<Decimal> members;
  };
  struct BinarySet {
    std::vector<std::string> members;
  };

  static AttributeValue string(std::string s) { return AttributeValue(std::move(s)); }
  static AttributeValue number(Decimal n) { return AttributeValue(std::move(n)); }
  static AttributeValue binary(std::string bytes) {
    return AttributeValue(Bytes{std::move(bytes)});
  }
  static AttributeValue boolean(bool b) { return AttributeValue(b); }
  static AttributeValue null() { return AttributeValue(Null{}); }
  static AttributeValue string_set(std::vector<std::string> members) {
    return AttributeValue(StringSet{std::move(members)});
  }
  static AttributeValue number_set(std::vector<Decimal> members) {
    return AttributeValue(NumberSet{std::move(members)});
  }
  static AttributeValue binary_set(std::vector<std::string> members) {
    return AttributeValue(BinarySet{std::move(members)});
  }
  static AttributeValue list(std::vector<AttributeValue> elements) {
    return AttributeValue(std::move(elements));
  }
  static AttributeValue map(AttributeMap entries) { return AttributeValue(std::move(entries)); }

  ValueType type() const { return static_cast<ValueType>(v_.index()); }

  // The value of each type; requires type() to be that type.
  const std::string& as_string() const { return std::get<std::string>(v_); }
  const Decimal& as_number() const { return std::get<Decimal>(v_); }
  const std::string& as_binary() const { return std::get<Bytes>(v_).bytes; }
  bool as_bool() const { return std::get<bool>(v_); }
  const std::vector<std::string>& as_string_set() const { return std::get<StringSet>(v_).members; }
  const std::vector<Decimal>& as_number_set() const { return std::get<NumberSet>(v_).members; }
  const std::vector<std::string>& as_binary_set() const { return std::get<BinarySet>(v_).members; }
  const std::vector<AttributeValue>& as_list() const {
    return std::get<std::vector<AttributeValue>>(v_);
  }
  const AttributeMap& as_map() const { return std::get<AttributeMap>(v_); }

  // DynamoDB's equality: same type and value; numbers by value (1 == 1.0); sets as sets, whatever
  // their members' order; lists element by element; maps entry by entry.
  friend bool operator==(const AttributeValue& a, const AttributeValue& b);

 private:
  // In ValueType order.
  using Variant = std::variant<std::string, Decimal, Bytes, bool, Null, StringSet, NumberSet,
                               BinarySet, std::vector<AttributeValue>, AttributeMap>;
  template <class T>
  explicit AttributeValue(T value) : v_(std::move(value)) {}

  Variant v_;
};

using Item = AttributeMap;

// The bytes an attribute counts for in an item's size: its name's UTF-8 bytes plus its value's
// (S: UTF-8 bytes, B: raw bytes, N: Decimal::byte_size, BOOL and NULL: 1, sets: the sum of their
// members, L and M: 3 plus 1 per element plus the elements, names included for M).
size_t attribute_size(std::string_view name, const AttributeValue& value);
// The ValidationException text for an attribute name longer than kMaxAttributeNameBytes, or
// nullopt. (DynamoDB's own wording is not captured; this one says what and how much.)
std::optional<std::string> attribute_name_problem(std::string_view name);
// The same for every top-level attribute name of an item.
std::optional<std::string> attribute_names_problem(const Item& item);

// The sum of the attributes' sizes: what kMaxItemSize limits.
size_t item_size(const Item& item);

// The deepest nesting of lists and maps in `value` (a scalar is 0, a map of scalars 1).
int nesting_depth(const AttributeValue& value);

// The order of key values of one type, as DynamoDB sorts range keys: S by UTF-8 bytes, N by value,
// B by unsigned bytes. -1, 0 or 1; requires both to have that scalar type.
int compare_keys(const AttributeValue& a, const AttributeValue& b);

}  // namespace gatehouse::store
