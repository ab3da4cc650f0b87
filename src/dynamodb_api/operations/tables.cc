// CreateTable, DescribeTable, DeleteTable, ListTables and DescribeEndpoints.
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <set>

#include "core/json_text.h"
#include "dynamodb_api/operations/handlers.h"
#include "dynamodb_api/operations/table_schema.h"

namespace gatehouse::dynamodb_api::detail {
namespace {

namespace json = boost::json;
using store::IndexDefinition;
using store::KeyElement;
using store::KeySchema;
using store::TableDefinition;

constexpr int64_t kMaxCapacity = 1'000'000'000'000;
constexpr size_t kMaxLocalIndexes = 5;
constexpr size_t kMaxGlobalIndexes = 20;

struct RawIndex {
  std::string name;
  std::vector<RawKey> keys;
  store::Projection projection;
  std::optional<store::Throughput> throughput;
  bool has_throughput = false;
};

std::vector<RawIndex> read_indexes(RequestReader& r, const json::array* list, bool global) {
  std::vector<RawIndex> out;
  if (!list) return out;
  const std::string kind = global ? "globalSecondaryIndexes" : "localSecondaryIndexes";
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string at = kind + "." + std::to_string(i + 1) + ".member";
    if (!(*list)[i].is_object()) {
      r.invalid("Start of list found where not expected");
      continue;
    }
    const json::object& o = (*list)[i].get_object();
    RawIndex index;
    auto name = read_index_name(r, o, at + ".indexName");
    const json::array* keys = r.array("KeySchema", &o);
    if (!keys) r.constraint(at + ".keySchema", "Member must not be null");
    if (keys) index.keys = read_key_schema(r, *keys, at + ".keySchema");
    auto projection = read_projection(r, r.object("Projection", &o), at + ".projection");
    if (projection) index.projection = *projection;
    if (global) {
      const json::object* t = r.object("ProvisionedThroughput", &o);
      index.has_throughput = t != nullptr;
      index.throughput = read_throughput(r, t, at + ".provisionedThroughput");
    }
    index.name = name.value_or("");
    out.push_back(std::move(index));
  }
  return out;
}

std::string names_list(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  return out + "]";
}

// Builds the definition from the request: DynamoDB's checks in its order.
std::optional<TableDefinition> read_create_table(RequestReader& r) {
  TableDefinition table;
  auto name = r.table_name("TableName", RequestReader::TableNameOf::kTables);
  const json::array* definitions = r.array("AttributeDefinitions");
  const json::array* key_list = r.array("KeySchema");
  auto billing =
      r.enumeration("BillingMode", {"PROVISIONED", "PAY_PER_REQUEST"}, nullptr, "billingMode");
  const json::object* throughput_json = r.object("ProvisionedThroughput");
  auto throughput = read_throughput(r, throughput_json, "provisionedThroughput");
  if (!definitions) r.constraint("attributeDefinitions", "Member must not be null");
  if (!key_list) r.constraint("keySchema", "Member must not be null");
  std::vector<KeyElement> attributes;
  if (definitions) attributes = read_attribute_definitions(r, *definitions);
  std::vector<RawKey> keys;
  if (key_list) keys = read_key_schema(r, *key_list, "keySchema");
  auto locals = read_indexes(r, r.array("LocalSecondaryIndexes"), false);
  auto globals = read_indexes(r, r.array("GlobalSecondaryIndexes"), true);
  r.array("Tags");
  if (r.failed()) return std::nullopt;

  const bool on_demand = billing && *billing == "PAY_PER_REQUEST";
  if (on_demand && throughput_json) {
    r.invalid(std::string(kInvalid) +
              "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode "
              "is PAY_PER_REQUEST");
    return std::nullopt;
  }
  if (throughput && (throughput->read > kMaxCapacity || throughput->write > kMaxCapacity)) {
    const bool read_big = throughput->read > kMaxCapacity;
    r.invalid("Given value " + std::to_string(read_big ? throughput->read : throughput->write) +
              " for " + (read_big ? "ReadCapacityUnits" : "WriteCapacityUnits") +
              " is out of bounds");
    return std::nullopt;
  }
  if (!on_demand && !throughput) {
    r.invalid(std::string(kInvalid) +
              "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is "
              "PROVISIONED");
    return std::nullopt;
  }

  auto defined = [&](const std::string& n) -> const KeyElement* {
    for (const KeyElement& e : attributes) {
      if (e.name == n) return &e;
    }
    return nullptr;
  };
  std::vector<std::string> defined_names;
  for (const KeyElement& e : attributes)
    defined_names.push_back(e.name);
  auto check_defined = [&](const std::vector<RawKey>& list) -> bool {
    std::vector<std::string> missing;
    for (const RawKey& k : list) {
      if (!defined(k.name)) missing.push_back(k.name);
    }
    if (missing.empty()) return true;
    if (attributes.empty() || list.size() != 1)
      r.invalid("Invalid KeySchema: Some index key attribute have no definition");
    else
      r.invalid(std::string(kInvalid) +
                "Some index key attributes are not defined in AttributeDefinitions. Keys: " +
                names_list(missing) + ", AttributeDefinitions: " + names_list(defined_names));
    return false;
  };
  if (!check_defined(keys)) return std::nullopt;
  // One name twice in the key schema against a single definition is counted before it is named.
  if (keys.size() > attributes.size()) {
    r.invalid("Invalid KeySchema: Some index key attribute have no definition");
    return std::nullopt;
  }
  if (auto problem = key_structure(keys)) {
    r.invalid(std::move(*problem));
    return std::nullopt;
  }
  table.name = *name;
  table.key.hash = *defined(keys[0].name);
  if (keys.size() == 2) table.key.range = *defined(keys[1].name);

  std::set<std::string> index_names;
  std::set<std::string> used{keys[0].name};
  if (keys.size() == 2) used.insert(keys[1].name);
  auto build_index = [&](const RawIndex& raw, bool global) -> std::optional<IndexDefinition> {
    if (!check_defined(raw.keys)) return std::nullopt;
    if (auto problem = key_structure(raw.keys)) {
      r.invalid(std::move(*problem));
      return std::nullopt;
    }
    IndexDefinition index;
    index.name = raw.name;
    index.key.hash = *defined(raw.keys[0].name);
    if (raw.keys.size() == 2) index.key.range = *defined(raw.keys[1].name);
    for (const RawKey& k : raw.keys)
      used.insert(k.name);
    index.projection = raw.projection;
    if (global && on_demand && raw.has_throughput) {
      r.invalid(std::string(kInvalid) +
                "ProvisionedThroughput should not be specified for index: " + raw.name +
                " when BillingMode is PAY_PER_REQUEST");
      return std::nullopt;
    }
    if (global && !on_demand && !raw.throughput) {
      r.invalid(std::string(kInvalid) +
                "ProvisionedThroughput is not specified for index: " + raw.name);
      return std::nullopt;
    }
    if (raw.throughput) index.throughput = *raw.throughput;
    if (!index_names.insert(raw.name).second) {
      r.invalid(std::string(kInvalid) + "Duplicate index name: " + raw.name);
      return std::nullopt;
    }
    return index;
  };
  if (r.array("LocalSecondaryIndexes") && locals.empty()) {
    r.invalid(std::string(kInvalid) + "List of LocalSecondaryIndexes is empty");
    return std::nullopt;
  }
  if (!locals.empty() && !table.key.range) {
    r.invalid(std::string(kInvalid) +
              "Table KeySchema does not have a range key, which is required when specifying a "
              "LocalSecondaryIndex");
    return std::nullopt;
  }
  for (const RawIndex& raw : locals) {
    auto index = build_index(raw, false);
    if (!index) return std::nullopt;
    if (!index->key.range) {
      r.invalid(std::string(kInvalid) +
                "Index KeySchema does not have a range key for index: " + raw.name);
      return std::nullopt;
    }
    if (index->key.hash.name != table.key.hash.name) {
      r.invalid(std::string(kInvalid) +
                "Index KeySchema does not have the same leading hash key as table KeySchema for "
                "index: " +
                raw.name + ". index hash key: " + index->key.hash.name +
                ", table hash key: " + table.key.hash.name);
      return std::nullopt;
    }
    table.local_indexes.push_back(std::move(*index));
  }
  if (locals.size() > kMaxLocalIndexes) {
    r.invalid(std::string(kInvalid) +
              "Number of LocalSecondaryIndexes exceeds per-table limit of 5");
    return std::nullopt;
  }
  if (r.array("GlobalSecondaryIndexes") && globals.empty()) {
    r.invalid(std::string(kInvalid) + "List of GlobalSecondaryIndexes is empty");
    return std::nullopt;
  }
  for (const RawIndex& raw : globals) {
    auto index = build_index(raw, true);
    if (!index) return std::nullopt;
    table.global_indexes.push_back(std::move(*index));
  }
  if (globals.size() > kMaxGlobalIndexes) {
    r.invalid(std::string(kInvalid) +
              "GlobalSecondaryIndex count exceeds the per-table limit of 20");
    return std::nullopt;
  }
  if (used.size() != attributes.size()) {
    r.invalid(std::string(kInvalid) +
              "Number of attributes in KeySchema does not exactly match number of attributes "
              "defined in AttributeDefinitions");
    return std::nullopt;
  }
  // DynamoDB describes them by name, whatever the request's order.
  std::sort(attributes.begin(), attributes.end(),
            [](const KeyElement& a, const KeyElement& b) { return a.name < b.name; });
  table.attribute_definitions = std::move(attributes);
  for (auto* indexes : {&table.global_indexes, &table.local_indexes}) {
    for (IndexDefinition& index : *indexes)
      std::sort(index.projection.non_key_attributes.begin(),
                index.projection.non_key_attributes.end());
  }
  table.billing = on_demand ? store::BillingMode::kPayPerRequest : store::BillingMode::kProvisioned;
  if (throughput) table.throughput = *throughput;
  if (const json::array* tags = r.array("Tags")) {
    for (const json::value& t : *tags) {
      if (!t.is_object()) continue;
      auto key = r.string("Key", &t.get_object());
      auto value = r.string("Value", &t.get_object());
      if (key && value) table.tags.emplace_back(*key, *value);
    }
  }
  if (auto protection = r.boolean("DeletionProtectionEnabled"))
    table.deletion_protection = *protection;
  if (r.failed()) return std::nullopt;
  return table;
}

void answer_description(const char* member, const store::TableDescription& d,
                        const OperationContext& c, Respond& respond) {
  respond("{\"" + std::string(member) + "\":" + table_description_json(d, c) + "}");
}

}  // namespace

void create_table(const OperationContext& c, const json::object& body, Respond& respond) {
  RequestReader r(body);
  auto table = read_create_table(r);
  if (auto e = r.error()) return respond(*e);
  OperationContext context = c;
  c.engine.create_table(std::move(*table),
                        [context, respond](store::DbResult<store::TableDescription> d) mutable {
                          if (!d) return respond(from_store(std::move(d.error())));
                          // DynamoDB answers while it creates; DescribeTable finds it ACTIVE.
                          d->status = "CREATING";
                          answer_description("TableDescription", *d, context, respond);
                        });
}

void describe_table(const OperationContext& c, const json::object& body, Respond& respond) {
  RequestReader r(body);
  auto name = r.table_name("TableName", RequestReader::TableNameOf::kTables);
  if (auto e = r.error()) return respond(*e);
  auto d = c.engine.describe_table(*name);
  if (!d) return respond(from_store(std::move(d.error())));
  answer_description("Table", *d, c, respond);
}

void delete_table(const OperationContext& c, const json::object& body, Respond& respond) {
  RequestReader r(body);
  auto name = r.table_name("TableName", RequestReader::TableNameOf::kTables);
  if (auto e = r.error()) return respond(*e);
  OperationContext context = c;
  c.engine.delete_table(*name,
                        [context, respond](store::DbResult<store::TableDescription> d) mutable {
                          if (!d) return respond(from_store(std::move(d.error())));
                          answer_description("TableDescription", *d, context, respond);
                        });
}

void list_tables(const OperationContext& c, const json::object& body, Respond& respond) {
  RequestReader r(body);
  auto start = r.string("ExclusiveStartTableName");
  auto limit = r.integer("Limit");
  if (start && (start->size() < 3 || start->size() > 255))
    r.constraint("ExclusiveStartTableName",
                 start->size() < 3 ? "Member must have length greater than or equal to 3"
                                   : "Member must have length less than or equal to 255",
                 *start);
  if (limit && *limit < 1)
    r.constraint("Limit", "Member must have value greater than or equal to 1",
                 std::to_string(*limit));
  if (limit && *limit > 100)
    r.constraint("Limit", "Member must have value less than or equal to 100",
                 std::to_string(*limit));
  if (auto e = r.error()) return respond(*e);
  auto page = c.engine.list_tables(start, static_cast<uint32_t>(limit.value_or(100)));
  std::string out = "{";
  if (page.last_evaluated) {
    out += "\"LastEvaluatedTableName\":";
    core::append_json_string(out, *page.last_evaluated);
    out += ",";
  }
  out += "\"TableNames\":[";
  for (size_t i = 0; i < page.names.size(); ++i) {
    if (i > 0) out += ',';
    core::append_json_string(out, page.names[i]);
  }
  out += "]}";
  respond(std::move(out));
}

void describe_limits(const OperationContext&, const json::object&, Respond& respond) {
  respond(
      std::string("{\"AccountMaxReadCapacityUnits\":80000,\"AccountMaxWriteCapacityUnits\":80000,"
                  "\"TableMaxReadCapacityUnits\":40000,\"TableMaxWriteCapacityUnits\":40000}"));
}

void describe_endpoints(const OperationContext& c, const json::object&, Respond& respond) {
  respond("{\"Endpoints\":[{\"Address\":\"dynamodb." + c.region +
          ".amazonaws.com\",\"CachePeriodInMinutes\":1440}]}");
}

}  // namespace gatehouse::dynamodb_api::detail
