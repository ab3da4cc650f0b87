#include "store/sqlite/catalog.h"

#include <boost/json.hpp>

#include <array>

namespace gatehouse::store::sqlite {
namespace {

namespace json = boost::json;

constexpr std::array<ValueType, 3> kKeyTypes = {ValueType::kS, ValueType::kN, ValueType::kB};

json::object element_json(const KeyElement& e) {
  return {{"name", e.name}, {"type", to_string(e.type)}};
}

json::object key_json(const KeySchema& key) {
  json::object out{{"hash", element_json(key.hash)}};
  if (key.range) out["range"] = element_json(*key.range);
  return out;
}

json::object index_json(const IndexDefinition& index) {
  json::array include;
  for (const std::string& name : index.projection.non_key_attributes)
    include.emplace_back(name);
  return {{"name", index.name},
          {"key", key_json(index.key)},
          {"projection", to_string(index.projection.type)},
          {"include", std::move(include)},
          {"read", index.throughput.read},
          {"write", index.throughput.write}};
}

// Reading: every accessor throws on a missing member or a wrong type; the caller catches once.
const json::value& member(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (!v) throw std::invalid_argument("missing '" + std::string(name) + "'");
  return *v;
}
std::string text(const json::object& o, std::string_view name) {
  return std::string(member(o, name).as_string());
}
int64_t integer(const json::object& o, std::string_view name) {
  return member(o, name).as_int64();
}

KeyElement read_element(const json::object& o) {
  KeyElement e{text(o, "name"), ValueType::kS};
  const std::string type = text(o, "type");
  for (ValueType t : kKeyTypes) {
    if (to_string(t) == type) {
      e.type = t;
      return e;
    }
  }
  throw std::invalid_argument("key type '" + type + "'");
}

KeySchema read_key(const json::object& o) {
  KeySchema key{read_element(member(o, "hash").as_object()), std::nullopt};
  if (const json::value* range = o.if_contains("range"))
    key.range = read_element(range->as_object());
  return key;
}

IndexDefinition read_index(const json::object& o) {
  IndexDefinition index;
  index.name = text(o, "name");
  index.key = read_key(member(o, "key").as_object());
  const std::string projection = text(o, "projection");
  if (projection == "ALL")
    index.projection.type = ProjectionType::kAll;
  else if (projection == "KEYS_ONLY")
    index.projection.type = ProjectionType::kKeysOnly;
  else if (projection == "INCLUDE")
    index.projection.type = ProjectionType::kInclude;
  else
    throw std::invalid_argument("projection '" + projection + "'");
  for (const json::value& name : member(o, "include").as_array())
    index.projection.non_key_attributes.emplace_back(name.as_string());
  index.throughput = {integer(o, "read"), integer(o, "write")};
  return index;
}

}  // namespace

std::string definition_to_json(const TableDefinition& table) {
  json::array attributes;
  for (const KeyElement& e : table.attribute_definitions)
    attributes.emplace_back(element_json(e));
  json::array global, local;
  for (const IndexDefinition& index : table.global_indexes)
    global.emplace_back(index_json(index));
  for (const IndexDefinition& index : table.local_indexes)
    local.emplace_back(index_json(index));
  json::array tags;
  for (const auto& [key, value] : table.tags)
    tags.emplace_back(json::array{json::string(key), json::string(value)});
  json::object out{{"name", table.name},
                   {"key", key_json(table.key)},
                   {"attributes", std::move(attributes)},
                   {"global", std::move(global)},
                   {"local", std::move(local)},
                   {"billing", to_string(table.billing)},
                   {"read", table.throughput.read},
                   {"write", table.throughput.write},
                   {"created_ms", table.created_ms},
                   {"table_id", table.table_id},
                   {"tags", std::move(tags)},
                   {"deletion_protection", table.deletion_protection}};
  if (table.ttl_attribute) out["ttl"] = *table.ttl_attribute;
  return json::serialize(out);
}

core::Result<TableDefinition> definition_from_json(std::string_view text_in) {
  boost::system::error_code ec;
  json::value parsed = json::parse(text_in, ec);
  if (ec) return core::invalid_argument("table definition is not JSON: " + ec.message());
  try {
    const json::object& o = parsed.as_object();
    TableDefinition table;
    table.name = text(o, "name");
    table.key = read_key(member(o, "key").as_object());
    for (const json::value& e : member(o, "attributes").as_array())
      table.attribute_definitions.push_back(read_element(e.as_object()));
    for (const json::value& index : member(o, "global").as_array())
      table.global_indexes.push_back(read_index(index.as_object()));
    for (const json::value& index : member(o, "local").as_array())
      table.local_indexes.push_back(read_index(index.as_object()));
    table.billing = text(o, "billing") == "PROVISIONED" ? BillingMode::kProvisioned
                                                        : BillingMode::kPayPerRequest;
    table.throughput = {integer(o, "read"), integer(o, "write")};
    table.created_ms = integer(o, "created_ms");
    table.table_id = text(o, "table_id");
    for (const json::value& tag : member(o, "tags").as_array()) {
      const json::array& pair = tag.as_array();
      table.tags.emplace_back(std::string(pair.at(0).as_string()),
                              std::string(pair.at(1).as_string()));
    }
    table.deletion_protection = member(o, "deletion_protection").as_bool();
    if (const json::value* ttl = o.if_contains("ttl"))
      table.ttl_attribute = std::string(ttl->as_string());
    return table;
  } catch (const std::exception& e) {
    return core::invalid_argument(std::string("table definition: ") + e.what());
  }
}

}  // namespace gatehouse::store::sqlite
