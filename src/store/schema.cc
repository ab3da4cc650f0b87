#include "store/schema.h"

#include <algorithm>

namespace gatehouse::store {
namespace {

constexpr std::string_view kInvalid = "One or more parameter values were invalid: ";

bool is_empty_key_value(const AttributeValue& value) {
  return (value.type() == ValueType::kS && value.as_string().empty()) ||
         (value.type() == ValueType::kB && value.as_binary().empty());
}

std::string empty_key_message(const AttributeValue& value, std::string_view name) {
  return std::string(
             "One or more parameter values are not valid. The AttributeValue for a key "
             "attribute cannot contain an empty ") +
         (value.type() == ValueType::kS ? "string" : "binary") +
         " value. Key: " + std::string(name);
}

// Size of one key value as DynamoDB limits it: the value's bytes, without the name.
size_t key_value_size(const AttributeValue& value) {
  return attribute_size("", value);
}

// The checks that follow "this is the right attribute with the right type": empty values and the
// size limits. Fills `out` with the value's bytes.
std::optional<KeyRefusal> check_key_value(const KeyElement& element, const AttributeValue& value,
                                          bool is_hash, std::string& out) {
  if (is_empty_key_value(value)) return KeyRefusal{empty_key_message(value, element.name), true};
  if (is_hash && key_value_size(value) > kMaxHashKeyBytes)
    return KeyRefusal{std::string(kInvalid) +
                      "Size of hashkey has exceeded the maximum size limit of2048 bytes"};
  if (!is_hash && key_value_size(value) > kMaxRangeKeyBytes)
    return KeyRefusal{
        std::string(kInvalid) +
        "Aggregated size of all range keys has exceeded the size limit of 1024 bytes"};
  out = key_bytes(value);
  return std::nullopt;
}

bool has_element(const KeySchema& key, std::string_view name) {
  return key.hash.name == name || (key.range && key.range->name == name);
}

}  // namespace

std::string_view to_string(ProjectionType type) {
  switch (type) {
    case ProjectionType::kAll:
      return "ALL";
    case ProjectionType::kKeysOnly:
      return "KEYS_ONLY";
    case ProjectionType::kInclude:
      return "INCLUDE";
  }
  return "ALL";
}

std::string_view to_string(BillingMode mode) {
  return mode == BillingMode::kProvisioned ? "PROVISIONED" : "PAY_PER_REQUEST";
}

const IndexDefinition* find_index(const TableDefinition& table, std::string_view name) {
  for (const auto* indexes : {&table.global_indexes, &table.local_indexes}) {
    for (const IndexDefinition& index : *indexes) {
      if (index.name == name) return &index;
    }
  }
  return nullptr;
}

bool is_key_attribute(const TableDefinition& table, std::string_view name) {
  if (has_element(table.key, name)) return true;
  for (const auto* indexes : {&table.global_indexes, &table.local_indexes}) {
    for (const IndexDefinition& index : *indexes) {
      if (has_element(index.key, name)) return true;
    }
  }
  return false;
}

std::string key_bytes(const AttributeValue& value) {
  switch (value.type()) {
    case ValueType::kS:
      return value.as_string();
    case ValueType::kN:
      return value.as_number().key_bytes();
    case ValueType::kB:
      return value.as_binary();
    default:
      GH_ASSERT(false);
      return {};
  }
}

Item key_attributes(const KeySchema& key, const Item& item) {
  Item out;
  out.emplace(key.hash.name, item.at(key.hash.name));
  if (key.range) out.emplace(key.range->name, item.at(key.range->name));
  return out;
}

core::Result<KeyBytes, KeyRefusal> check_key(const KeySchema& key, const Item& key_value) {
  const KeyRefusal mismatch{"The provided key element does not match the schema"};
  const size_t expected = key.range ? 2 : 1;
  if (key_value.size() != expected) return mismatch;
  KeyBytes out;
  auto hash = key_value.find(key.hash.name);
  if (hash == key_value.end() || hash->second.type() != key.hash.type) return mismatch;
  const AttributeValue* range = nullptr;
  if (key.range) {
    auto it = key_value.find(key.range->name);
    if (it == key_value.end() || it->second.type() != key.range->type) return mismatch;
    range = &it->second;
  }
  if (auto problem = check_key_value(key.hash, hash->second, true, out.hash)) return *problem;
  if (range) {
    if (auto problem = check_key_value(*key.range, *range, false, out.range)) return *problem;
  }
  return out;
}

core::Result<KeyBytes, KeyRefusal> check_item_key(const KeySchema& key, const Item& item) {
  KeyBytes out;
  std::vector<std::pair<const KeyElement*, std::string*>> elements{{&key.hash, &out.hash}};
  if (key.range) elements.emplace_back(&*key.range, &out.range);
  for (auto [element, bytes] : elements) {
    auto it = item.find(element->name);
    if (it == item.end())
      return KeyRefusal{std::string(kInvalid) + "Missing the key " + element->name +
                        " in the item"};
    if (it->second.type() != element->type)
      return KeyRefusal{std::string(kInvalid) + "Type mismatch for key " + element->name +
                        " expected: " + std::string(to_string(element->type)) +
                        " actual: " + std::string(to_string(it->second.type()))};
  }
  for (auto [element, bytes] : elements) {
    const AttributeValue& value = item.find(element->name)->second;
    if (auto problem = check_key_value(*element, value, element == &key.hash, *bytes))
      return *problem;
  }
  return out;
}

std::optional<KeyRefusal> check_index_keys(const TableDefinition& table, const Item& item,
                                           ItemSource source) {
  for (const auto* indexes : {&table.global_indexes, &table.local_indexes}) {
    for (const IndexDefinition& index : *indexes) {
      std::vector<const KeyElement*> elements{&index.key.hash};
      if (index.key.range) elements.push_back(&*index.key.range);
      for (const KeyElement* element : elements) {
        auto it = item.find(element->name);
        if (it == item.end()) continue;
        if (it->second.type() != element->type)
          return KeyRefusal{std::string(kInvalid) + "Type mismatch for Index Key " + element->name +
                            " Expected: " + std::string(to_string(element->type)) +
                            " Actual: " + std::string(to_string(it->second.type())) +
                            " IndexName: " + index.name};
        const char* kind = it->second.type() == ValueType::kS ? "string" : "binary";
        if (is_empty_key_value(it->second) && source == ItemSource::kUpdated)
          return KeyRefusal{
              "One or more parameter values are not valid. The update expression "
              "attempted to update a secondary index key to a value that is not "
              "supported. The AttributeValue for a key attribute cannot contain an "
              "empty " +
                  std::string(kind) + " value.",
              true};
        if (is_empty_key_value(it->second))
          return KeyRefusal{
              "One or more parameter values are not valid. A value specified for a secondary "
              "index key is not supported. The AttributeValue for a key attribute cannot "
              "contain an empty " +
                  std::string(kind) + " value. IndexName: " + index.name +
                  ", IndexKey: " + element->name,
              true};
      }
    }
  }
  return std::nullopt;
}

std::optional<KeyBytes> index_key(const IndexDefinition& index, const Item& item) {
  // An attribute of another type than the index's key, or an empty one (an item written before
  // the index existed), keeps the item out of the index, as DynamoDB's backfill does.
  auto hash = item.find(index.key.hash.name);
  if (hash == item.end() || hash->second.type() != index.key.hash.type ||
      is_empty_key_value(hash->second))
    return std::nullopt;
  KeyBytes out{key_bytes(hash->second), {}};
  if (index.key.range) {
    auto range = item.find(index.key.range->name);
    if (range == item.end() || range->second.type() != index.key.range->type ||
        is_empty_key_value(range->second))
      return std::nullopt;
    out.range = key_bytes(range->second);
  }
  return out;
}

Item project_for_index(const TableDefinition& table, const IndexDefinition& index,
                       const Item& item) {
  if (index.projection.type == ProjectionType::kAll) return item;
  Item out;
  auto keep = [&](std::string_view name) {
    auto it = item.find(name);
    if (it != item.end()) out.insert(*it);
  };
  keep(table.key.hash.name);
  if (table.key.range) keep(table.key.range->name);
  keep(index.key.hash.name);
  if (index.key.range) keep(index.key.range->name);
  if (index.projection.type == ProjectionType::kInclude) {
    for (const std::string& name : index.projection.non_key_attributes)
      keep(name);
  }
  return out;
}

}  // namespace gatehouse::store
