#include "dynamodb_api/operations/table_schema.h"

#include <boost/json/serialize.hpp>

#include <algorithm>

#include "store/json_codec.h"

namespace gatehouse::dynamodb_api::detail {
namespace {

namespace json = boost::json;

// Key attribute names, index names and projected attribute names: at most 255 characters.
constexpr size_t kMaxKeyNameBytes = 255;

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

}  // namespace

std::vector<store::KeyElement> read_attribute_definitions(RequestReader& r,
                                                          const json::array& list) {
  std::vector<store::KeyElement> out;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string at = "attributeDefinitions." + std::to_string(i + 1) + ".member.";
    if (!list[i].is_object()) {
      r.invalid("Start of list found where not expected");
      continue;
    }
    const json::object& o = list[i].get_object();
    auto attribute = r.string("AttributeName", &o);
    auto type = r.enumeration("AttributeType", {"B", "N", "S"}, &o, at + "attributeType");
    if (!attribute) r.constraint(at + "attributeName", "Member must not be null");
    if (!r.string("AttributeType", &o))
      r.constraint(at + "attributeType", "Member must not be null");
    if (attribute && (attribute->empty() || attribute->size() > kMaxKeyNameBytes))
      r.constraint(at + "attributeName",
                   attribute->empty() ? "Member must have length greater than or equal to 1"
                                      : "Member must have length less than or equal to 255",
                   *attribute);
    if (!attribute || !type) continue;
    for (const store::KeyElement& e : out) {
      if (e.name == *attribute) r.invalid("Attribute Name is duplicated: " + *attribute);
    }
    out.push_back({*attribute, type_of(*type)});
  }
  return out;
}

std::optional<std::string> read_index_name(RequestReader& r, const json::object& index,
                                           const std::string& member) {
  auto name = r.string("IndexName", &index);
  if (!name) {
    r.constraint(member, "Member must not be null");
    return std::nullopt;
  }
  if (name->size() < 3)
    r.constraint(member, "Member must have length greater than or equal to 3", *name);
  if (!std::all_of(name->begin(), name->end(), name_char))
    r.constraint(member, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", *name);
  if (name->size() > kMaxKeyNameBytes)
    r.constraint(member, "Member must have length less than or equal to 255", *name);
  return name;
}

store::ValueType type_of(std::string_view name) {
  return name == "N" ? store::ValueType::kN
                     : (name == "B" ? store::ValueType::kB : store::ValueType::kS);
}

std::vector<RawKey> read_key_schema(RequestReader& r, const json::array& list,
                                    const std::string& member) {
  std::vector<RawKey> out;
  if (list.empty())
    r.constraint(member, "Member must have length greater than or equal to 1", "[]");
  if (list.size() > 2)
    r.constraint(member, "Member must have length less than or equal to 2", json::serialize(list));
  for (size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_object()) {
      r.invalid("Start of list found where not expected");
      continue;
    }
    const json::object& e = list[i].get_object();
    const std::string at = member + "." + std::to_string(i + 1) + ".member.";
    auto name = r.string("AttributeName", &e);
    auto type = r.enumeration("KeyType", {"HASH", "RANGE"}, &e, at + "keyType");
    if (!name) r.constraint(at + "attributeName", "Member must not be null");
    if (!r.string("KeyType", &e)) r.constraint(at + "keyType", "Member must not be null");
    if (name && (name->empty() || name->size() > kMaxKeyNameBytes))
      r.constraint(at + "attributeName",
                   name->empty() ? "Member must have length greater than or equal to 1"
                                 : "Member must have length less than or equal to 255",
                   *name);
    out.push_back({name.value_or(""), type.value_or("")});
  }
  return out;
}

std::optional<std::string> key_structure(const std::vector<RawKey>& keys) {
  if (keys.empty()) return std::nullopt;
  if (keys[0].type != "HASH")
    return "Invalid KeySchema: The first KeySchemaElement is not a HASH key type";
  if (keys.size() == 2) {
    if (keys[1].name == keys[0].name)
      return "Both the Hash Key and the Range Key element in the KeySchema have the same name";
    if (keys[1].type != "RANGE")
      return "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type";
  }
  return std::nullopt;
}

std::optional<store::Projection> read_projection(RequestReader& r, const json::object* p,
                                                 const std::string& member) {
  if (!p) {
    r.constraint(member, "Member must not be null");
    return std::nullopt;
  }
  store::Projection out;
  auto type = r.enumeration("ProjectionType", {"ALL", "INCLUDE", "KEYS_ONLY"}, p,
                            member + ".projectionType");
  const json::array* non_key = r.array("NonKeyAttributes", p);
  if (non_key) {
    if (non_key->empty())
      r.constraint(member + ".nonKeyAttributes",
                   "Member must have length greater than or equal to 1", "[]");
    for (const json::value& v : *non_key) {
      if (!v.is_string()) {
        r.malformed(store::scalar_mismatch(v, "String"));
        continue;
      }
      if (v.get_string().size() > kMaxKeyNameBytes)
        r.constraint(member + ".nonKeyAttributes",
                     "Member must have length less than or equal to 255",
                     std::string(v.get_string()));
      out.non_key_attributes.emplace_back(v.get_string());
    }
    std::vector<std::string> sorted = out.non_key_attributes;
    std::sort(sorted.begin(), sorted.end());
    if (auto twice = std::adjacent_find(sorted.begin(), sorted.end()); twice != sorted.end())
      r.invalid(std::string(kInvalid) + "Duplicate attribute in NonKeyAttributes: " + *twice);
  }
  if (r.failed()) return std::nullopt;
  if (!type) {
    r.invalid(std::string(kInvalid) + "Unknown ProjectionType: null");
    return std::nullopt;
  }
  if (*type == "ALL" || *type == "KEYS_ONLY") {
    if (non_key) {
      r.invalid(std::string(kInvalid) + "ProjectionType is " + *type +
                ", but NonKeyAttributes is specified");
      return std::nullopt;
    }
    out.type = *type == "ALL" ? store::ProjectionType::kAll : store::ProjectionType::kKeysOnly;
  } else {
    if (!non_key) {
      r.invalid(std::string(kInvalid) +
                "ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
      return std::nullopt;
    }
    out.type = store::ProjectionType::kInclude;
  }
  return out;
}

std::optional<store::Throughput> read_throughput(RequestReader& r, const json::object* t,
                                                 const std::string& member) {
  if (!t) return std::nullopt;
  auto read = r.integer("ReadCapacityUnits", t);
  auto write = r.integer("WriteCapacityUnits", t);
  if (!write) r.constraint(member + ".writeCapacityUnits", "Member must not be null");
  if (!read) r.constraint(member + ".readCapacityUnits", "Member must not be null");
  if (write && *write < 1)
    r.constraint(member + ".writeCapacityUnits",
                 "Member must have value greater than or equal to 1", std::to_string(*write));
  if (read && *read < 1)
    r.constraint(member + ".readCapacityUnits", "Member must have value greater than or equal to 1",
                 std::to_string(*read));
  if (!read || !write) return std::nullopt;
  return store::Throughput{*read, *write};
}

}  // namespace gatehouse::dynamodb_api::detail
