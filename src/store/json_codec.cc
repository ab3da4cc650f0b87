#include "store/json_codec.h"

#include <boost/json/object.hpp>

#include <algorithm>
#include <array>
#include <optional>

#include "core/base64.h"
#include "core/json_text.h"

namespace gatehouse::store {
namespace {

void append_key(std::string& out, std::string_view type) {
  out += "{\"";
  out += type;
  out += "\":";
}

template <class T, class Write>
void append_array(std::string& out, const std::vector<T>& elements, Write write) {
  out += '[';
  bool first = true;
  for (const T& e : elements) {
    if (!first) out += ',';
    first = false;
    write(e);
  }
  out += ']';
}

}  // namespace

void append_json(std::string& out, const AttributeValue& value) {
  const ValueType type = value.type();
  append_key(out, to_string(type));
  switch (type) {
    case ValueType::kS:
      core::append_json_string(out, value.as_string());
      break;
    case ValueType::kN:
      core::append_json_string(out, value.as_number().to_string());
      break;
    case ValueType::kB:
      core::append_json_string(out, core::base64_encode(value.as_binary()));
      break;
    case ValueType::kBool:
      out += value.as_bool() ? "true" : "false";
      break;
    case ValueType::kNull:
      out += "true";
      break;
    case ValueType::kSS:
      append_array(out, value.as_string_set(),
                   [&](const std::string& s) { core::append_json_string(out, s); });
      break;
    case ValueType::kNS:
      append_array(out, value.as_number_set(),
                   [&](const Decimal& d) { core::append_json_string(out, d.to_string()); });
      break;
    case ValueType::kBS:
      append_array(out, value.as_binary_set(), [&](const std::string& b) {
        core::append_json_string(out, core::base64_encode(b));
      });
      break;
    case ValueType::kL:
      append_array(out, value.as_list(), [&](const AttributeValue& e) { append_json(out, e); });
      break;
    case ValueType::kM:
      append_item_json(out, value.as_map());
      break;
  }
  out += '}';
}

void append_item_json(std::string& out, const Item& item) {
  out += '{';
  bool first = true;
  for (const auto& [name, value] : item) {
    if (!first) out += ',';
    first = false;
    core::append_json_string(out, name);
    out += ':';
    append_json(out, value);
  }
  out += '}';
}

// ---------------------------------------------------------------------------------------------
// Reading

namespace {

namespace json = boost::json;

// The deepest level DynamoDB stores (an attribute is level 1): a value at level 33 is refused.
constexpr int kMaxLevel = 32;

constexpr std::string_view kNotExpectedMap = "Start of structure or map found where not expected";

std::string scalar_mismatch_text(const json::value& v, std::string_view target) {
  switch (v.kind()) {
    case json::kind::int64:
    case json::kind::uint64:
      return "NUMBER_VALUE cannot be converted to " + std::string(target);
    case json::kind::double_:
      return "DECIMAL_VALUE cannot be converted to " + std::string(target);
    case json::kind::bool_:
      return std::string(v.get_bool() ? "TRUE_VALUE" : "FALSE_VALUE") + " cannot be converted to " +
             std::string(target);
    case json::kind::array:
      return "Unrecognized collection type class java.lang." + std::string(target);
    case json::kind::object:
      return std::string(kNotExpectedMap);
    case json::kind::string:
    case json::kind::null:
      break;
  }
  return "Unexpected token received from parser";
}

struct Reader {
  std::optional<ValueProblem> serialization;  // the first one; ends the reading
  std::optional<std::string> validation;      // the first one; reading goes on for the above

  void fail_shape(std::string message) {
    if (!serialization) serialization = ValueProblem{true, std::move(message)};
  }
  void fail_value(std::string message) {
    if (!validation) validation = std::move(message);
  }

  // A string member (S, N, an SS or NS member); nullopt after a shape problem.
  std::optional<std::string_view> string_of(const json::value& v) {
    if (v.is_string()) return std::string_view(v.get_string());
    fail_shape(scalar_mismatch_text(v, "String"));
    return std::nullopt;
  }

  // A base64 member (B, a BS member), decoded; nullopt after a shape problem.
  std::optional<std::string> bytes_of(const json::value& v) {
    if (v.is_array()) {
      fail_shape("Unrecognized collection type class java.nio.ByteBuffer");
      return std::nullopt;
    }
    if (v.is_object()) {
      fail_shape(std::string(kNotExpectedMap));
      return std::nullopt;
    }
    if (!v.is_string()) {
      fail_shape("only base-64-encoded strings are convertible to bytes");
      return std::nullopt;
    }
    std::string_view text = v.get_string();
    if (text.size() % 4 != 0) {
      fail_shape("Base64 encoded length is expected a multiple of 4 bytes but found: " +
                 std::to_string(text.size()));
      return std::nullopt;
    }
    auto bytes = core::base64_decode(text);
    // DynamoDB's own typo, kept: clients match on this text.
    if (!bytes) fail_shape("Invalid last non-pad Base64 character dectected");
    return bytes;
  }

  std::optional<bool> bool_of(const json::value& v) {
    if (v.is_bool()) return v.get_bool();
    fail_shape(scalar_mismatch_text(v, "Boolean"));
    return std::nullopt;
  }

  // The array of a set or list; nullopt after a shape problem.
  const json::array* array_of(const json::value& v) {
    if (v.is_array()) return &v.get_array();
    fail_shape(v.is_object() ? std::string(kNotExpectedMap) : "Unexpected field type");
    return nullptr;
  }

  std::optional<Decimal> number_of(std::string_view text) {
    auto n = Decimal::parse(text);
    if (n) return *n;
    fail_value(to_message(n.error(), text));
    return std::nullopt;
  }

  // A value at `level` (an item's attribute is 1); nullopt when it cannot be built.
  std::optional<AttributeValue> value(const json::value& v, int level) {
    if (!v.is_object()) {
      fail_shape(v.is_array() ? "Unrecognized collection type class "
                                "com.amazonaws.dynamodb.v20120810.AttributeValue"
                              : "Unexpected value type in payload");
      return std::nullopt;
    }
    if (level > kMaxLevel) {
      fail_value(
          "Nesting Levels have exceeded supported limits: Attributes in the item have nested "
          "levels beyond supported limit");
      return std::nullopt;
    }
    // The type keys present (a null is no value, as DynamoDB's reader has it).
    std::array<const json::value*, 10> present{};
    int types = 0;
    for (const auto& entry : v.get_object()) {
      if (entry.value().is_null()) continue;
      for (int t = 0; t <= static_cast<int>(ValueType::kM); ++t) {
        if (entry.key() == to_string(static_cast<ValueType>(t))) {
          present[static_cast<size_t>(t)] = &entry.value();
          ++types;
        }
      }
    }
    // Every member is read, so a shape problem anywhere is found; the value is built only if it
    // is the one type.
    std::optional<AttributeValue> built;
    for (int t = 0; t <= static_cast<int>(ValueType::kM); ++t) {
      if (present[static_cast<size_t>(t)] == nullptr) continue;
      auto one = typed(static_cast<ValueType>(t), *present[static_cast<size_t>(t)], level);
      if (one && types == 1) built = std::move(one);
    }
    if (types > 1) {
      fail_value(
          "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
          "the supported datatypes");
    } else if (types == 0) {
      fail_value(
          "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    }
    return built;
  }

  std::optional<AttributeValue> typed(ValueType type, const json::value& v, int level) {
    switch (type) {
      case ValueType::kS:
        if (auto s = string_of(v)) return AttributeValue::string(std::string(*s));
        return std::nullopt;
      case ValueType::kN: {
        auto s = string_of(v);
        if (!s) return std::nullopt;
        if (auto n = number_of(*s)) return AttributeValue::number(*n);
        return std::nullopt;
      }
      case ValueType::kB:
        if (auto b = bytes_of(v)) return AttributeValue::binary(std::move(*b));
        return std::nullopt;
      case ValueType::kBool:
        if (auto b = bool_of(v)) return AttributeValue::boolean(*b);
        return std::nullopt;
      case ValueType::kNull: {
        auto b = bool_of(v);
        if (!b) return std::nullopt;
        if (!*b) {
          fail_value(
              "One or more parameter values were invalid: Null attribute value types must have "
              "the value of true");
          return std::nullopt;
        }
        return AttributeValue::null();
      }
      case ValueType::kSS:
        return string_set(v);
      case ValueType::kNS:
        return number_set(v);
      case ValueType::kBS:
        return binary_set(v);
      case ValueType::kL:
        return list(v, level);
      case ValueType::kM:
        break;
    }
    return map(v, level);
  }

  std::optional<AttributeValue> string_set(const json::value& v) {
    const json::array* a = array_of(v);
    if (a == nullptr) return std::nullopt;
    std::vector<std::string> members;
    for (const json::value& m : *a) {
      auto s = string_of(m);
      if (!s) return std::nullopt;
      members.emplace_back(*s);
    }
    if (members.empty()) {
      fail_value("One or more parameter values were invalid: An string set  may not be empty");
      return std::nullopt;
    }
    if (!duplicates_reported(
            members, [](const std::string& s) { return "\"" + s + "\""; }, ", ",
            " contains duplicates.")) {
      return AttributeValue::string_set(std::move(members));
    }
    return std::nullopt;
  }

  std::optional<AttributeValue> binary_set(const json::value& v) {
    const json::array* a = array_of(v);
    if (a == nullptr) return std::nullopt;
    std::vector<std::string> members;
    for (const json::value& m : *a) {
      auto b = bytes_of(m);
      if (!b) return std::nullopt;
      members.push_back(std::move(*b));
    }
    if (members.empty()) {
      fail_value("One or more parameter values were invalid: Binary sets should not be empty");
      return std::nullopt;
    }
    if (!duplicates_reported(
            members, [](const std::string& b) { return "\"" + core::base64_encode(b) + "\""; }, ",",
            "of type BS contains duplicates.")) {
      return AttributeValue::binary_set(std::move(members));
    }
    return std::nullopt;
  }

  std::optional<AttributeValue> number_set(const json::value& v) {
    const json::array* a = array_of(v);
    if (a == nullptr) return std::nullopt;
    std::vector<Decimal> members;
    bool valid = true;
    for (const json::value& m : *a) {
      auto s = string_of(m);
      if (!s) return std::nullopt;
      auto n = number_of(*s);
      if (!n) valid = false;  // the first bad member is reported; the shapes are still read
      if (n) members.push_back(*n);
    }
    if (!valid) return std::nullopt;
    if (members.empty()) {
      fail_value("One or more parameter values were invalid: An number set  may not be empty");
      return std::nullopt;
    }
    for (size_t i = 0; i < members.size(); ++i) {
      for (size_t j = i + 1; j < members.size(); ++j) {
        if (members[i] == members[j]) {
          // DynamoDB names no members here.
          fail_value(
              "One or more parameter values were invalid: Input collection contains duplicates.");
          return std::nullopt;
        }
      }
    }
    return AttributeValue::number_set(std::move(members));
  }

  // Reports duplicate members as DynamoDB lists them: the members before the first repeat in
  // byte order (the sorted set it had built), the repeat, then the rest as sent. True if there
  // was one.
  template <class Show>
  bool duplicates_reported(const std::vector<std::string>& members, Show show,
                           std::string_view separator, std::string_view tail) {
    std::vector<std::string_view> seen;  // sorted
    for (size_t i = 0; i < members.size(); ++i) {
      auto at = std::lower_bound(seen.begin(), seen.end(), std::string_view(members[i]));
      if (at == seen.end() || *at != members[i]) {
        seen.insert(at, members[i]);
        continue;
      }
      std::string listed;
      auto add = [&](std::string_view m) {
        if (!listed.empty()) listed += separator;
        listed += show(std::string(m));
      };
      for (std::string_view m : seen)
        add(m);
      for (size_t j = i; j < members.size(); ++j)
        add(members[j]);
      fail_value("One or more parameter values were invalid: Input collection [" + listed + "]" +
                 std::string(tail));
      return true;
    }
    return false;
  }

  std::optional<AttributeValue> list(const json::value& v, int level) {
    const json::array* a = array_of(v);
    if (a == nullptr) return std::nullopt;
    std::vector<AttributeValue> elements;
    bool complete = true;
    for (const json::value& e : *a) {
      auto element = value(e, level + 1);
      if (serialization) return std::nullopt;
      if (!element) complete = false;
      if (element && complete) elements.push_back(std::move(*element));
    }
    if (!complete) return std::nullopt;
    return AttributeValue::list(std::move(elements));
  }

  std::optional<AttributeValue> map(const json::value& v, int level) {
    if (v.is_array()) {
      fail_shape(
          "Unrecognized collection type java.util.Map<java.lang.String, "
          "com.amazonaws.dynamodb.v20120810.AttributeValue>");
      return std::nullopt;
    }
    if (!v.is_object()) {
      fail_shape("Unexpected field type");
      return std::nullopt;
    }
    auto entries = attributes(v.get_object(), level + 1);
    if (!entries) return std::nullopt;
    return AttributeValue::map(std::move(*entries));
  }

  // The entries of an item or map, each a value at `level`.
  std::optional<AttributeMap> attributes(const json::object& o, int level) {
    AttributeMap out;
    bool complete = true;
    for (const auto& entry : o) {
      auto element = value(entry.value(), level);
      if (serialization) return std::nullopt;
      if (!element) complete = false;
      if (element && complete) out.insert_or_assign(std::string(entry.key()), std::move(*element));
    }
    if (!complete) return std::nullopt;
    return out;
  }

  template <class T>
  core::Result<T, ValueProblem> result(std::optional<T> built) {
    if (serialization) return core::unexpected(std::move(*serialization));
    if (validation) return core::unexpected(ValueProblem{false, std::move(*validation)});
    // Every path that builds nothing records why; this is only for the compiler's benefit.
    if (!built) return core::unexpected(ValueProblem{true, "Unexpected value type in payload"});
    return std::move(*built);
  }
};

}  // namespace

std::string scalar_mismatch(const json::value& v, std::string_view target) {
  return scalar_mismatch_text(v, target);
}

core::Result<AttributeValue, ValueProblem> read_value(const boost::json::value& json) {
  Reader r;
  auto built = r.value(json, 1);
  return r.result(std::move(built));
}

core::Result<Item, ValueProblem> read_item(const boost::json::value& json) {
  if (!json.is_object()) {
    return core::unexpected(ValueProblem{
        true, json.is_array() ? "Unrecognized collection type java.util.Map<java.lang.String, "
                                "com.amazonaws.dynamodb.v20120810.AttributeValue>"
                              : "Unexpected field type"});
  }
  Reader r;
  auto built = r.attributes(json.get_object(), 1);
  return r.result(std::move(built));
}

}  // namespace gatehouse::store
