#include "store/expr/detail/legacy_entries.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <string_view>

namespace gatehouse::store::expr::detail {
namespace {

namespace json = boost::json;

constexpr std::string_view kModel = "com.amazonaws.dynamodb.v20120810.";

std::string_view structure_of(EntryType type) {
  switch (type) {
    case EntryType::kCondition:
      return "Condition";
    case EntryType::kExpected:
      return "ExpectedAttributeValue";
    case EntryType::kUpdate:
      break;
  }
  return "AttributeValueUpdate";
}

std::optional<std::string> read_string(const json::value& v, std::optional<std::string>& out) {
  if (v.is_null()) return std::nullopt;
  if (!v.is_string()) return scalar_mismatch(v, "String");
  out = std::string(v.get_string());
  return std::nullopt;
}

std::optional<std::string> read_bool(const json::value& v, std::optional<bool>& out) {
  if (v.is_null()) return std::nullopt;
  if (!v.is_bool()) return scalar_mismatch(v, "Boolean");
  out = v.get_bool();
  return std::nullopt;
}

// A value's shape problem, or nullopt with `out` set to what read_value() made of it.
std::optional<std::string> read_attribute(const json::value& v, std::optional<ReadValue>& out) {
  auto read = read_value(v);
  if (!read && read.error().serialization) return read.error().message;
  out.emplace(std::move(read));
  return std::nullopt;
}

std::optional<std::string> read_list(const json::value& v, Entry& e) {
  if (v.is_null()) return std::nullopt;
  if (v.is_object()) return "Start of structure or map found where not expected";
  if (!v.is_array()) return "Unexpected field type";
  e.has_list = true;
  for (const json::value& element : v.get_array()) {
    std::optional<ReadValue> read;
    if (auto problem = read_attribute(element, read)) return problem;
    e.list.push_back(std::move(*read));
  }
  return std::nullopt;
}

// The members of one entry that its structure has, in the order sent.
std::optional<std::string> read_members(const json::object& o, EntryType type, Entry& e) {
  for (const auto& member : o) {
    const std::string_view key = member.key();
    const json::value& v = member.value();
    std::optional<std::string> problem;
    if (type == EntryType::kUpdate) {
      if (key == "Action") problem = read_string(v, e.op);
      if (key == "Value" && !v.is_null()) problem = read_attribute(v, e.value);
    } else {
      if (key == "ComparisonOperator") problem = read_string(v, e.op);
      if (key == "AttributeValueList") problem = read_list(v, e);
      if (type == EntryType::kExpected) {
        if (key == "Value" && !v.is_null()) problem = read_attribute(v, e.value);
        if (key == "Exists") problem = read_bool(v, e.exists);
      }
    }
    if (problem) return problem;
  }
  return std::nullopt;
}

}  // namespace

core::Result<std::vector<Entry>, std::string> read_entries(const json::value& map, EntryType type) {
  const std::string structure = std::string(kModel) + std::string(structure_of(type));
  if (map.is_array()) {
    return core::unexpected("Unrecognized collection type java.util.Map<java.lang.String, " +
                            structure + ">");
  }
  if (!map.is_object()) return core::unexpected(std::string("Unexpected field type"));
  std::vector<Entry> entries;
  for (const auto& member : map.get_object()) {
    Entry e;
    e.name = std::string(member.key());
    const json::value& v = member.value();
    if (v.is_null()) {
      e.null = true;
    } else if (v.is_array()) {
      return core::unexpected("Unrecognized collection type class " + structure);
    } else if (!v.is_object()) {
      return core::unexpected(std::string("Unexpected value type in payload"));
    } else if (auto problem = read_members(v.get_object(), type, e)) {
      return core::unexpected(std::move(*problem));
    }
    entries.push_back(std::move(e));
  }
  return entries;
}

core::Result<std::vector<std::string>, std::string> read_names(const json::value& list) {
  if (list.is_object())
    return core::unexpected(std::string("Start of structure or map found where not expected"));
  if (!list.is_array()) return core::unexpected(std::string("Unexpected field type"));
  std::vector<std::string> names;
  for (const json::value& v : list.get_array()) {
    if (!v.is_string()) return core::unexpected(scalar_mismatch(v, "String"));
    names.emplace_back(v.get_string());
  }
  return names;
}

}  // namespace gatehouse::store::expr::detail
