// UpdateTable, UpdateTimeToLive, DescribeTimeToLive, TagResource, UntagResource and
// ListTagsOfResource: changes of a table's definition, decided on the store's writer against the
// definition as committed.
#include <algorithm>

#include "core/json_text.h"
#include "dynamodb_api/operations/handlers.h"
#include "dynamodb_api/operations/table_schema.h"

namespace gatehouse::dynamodb_api::detail {
namespace {

namespace json = boost::json;
using store::DbError;
using store::DbErrorKind;
using store::DbResult;
using store::IndexDefinition;
using store::TableDefinition;

constexpr size_t kMaxTags = 50;

DbError invalid(std::string message) {
  return store::validation_error(std::move(message));
}

// The table a resource ARN names ("arn:aws:dynamodb:<region>:<account>:table/<name>"), or
// DynamoDB's answer to the ARN: a malformed one is a ValidationException; one in another account
// is AccessDeniedException, as AWS answers a caller no resource policy lets in.
core::Result<std::string, ApiError> table_of_arn(const OperationContext& c, std::string_view arn,
                                                 std::string_view operation) {
  constexpr std::string_view kPrefix = "arn:aws:dynamodb:";
  const auto malformed = [&] {
    return validation("Invalid TableArn: Invalid ResourceArn provided as input " +
                      std::string(arn));
  };
  if (!arn.starts_with(kPrefix)) return malformed();
  const size_t table = arn.find(":table/");
  if (table == std::string_view::npos) return malformed();
  std::string_view name = arn.substr(table + 7);
  if (name.empty() || name.find('/') != std::string_view::npos) return malformed();
  // <region>:<account> between the prefix and ":table/".
  std::string_view scope = arn.substr(kPrefix.size(), table - kPrefix.size());
  const size_t colon = scope.find(':');
  if (colon == std::string_view::npos) return malformed();
  if (scope.substr(colon + 1) != c.account_id) {
    const std::string action = "dynamodb:" + std::string(operation);
    return ApiError{ErrorType::kAccessDenied,
                    "User: arn:aws:iam::" + c.account_id + ":root is not authorized to perform: " +
                        action + " on resource: " + std::string(arn) +
                        " because no resource-based policy allows the " + action + " action",
                    {},
                    {}};
  }
  return std::string(name);
}

void answer_table(const OperationContext& c, store::DbResult<store::TableDescription> d,
                  Respond& respond) {
  if (!d) return respond(from_store(std::move(d.error())));
  auto counted = c.engine.describe_table(d->definition.name);
  if (counted) d = std::move(*counted);
  d->status = "UPDATING";
  respond("{\"TableDescription\":" + table_description_json(*d, c) + "}");
}

// A GlobalSecondaryIndexUpdates entry's Create (the `position`th, from 1): the index, read with
// CreateTable's checks, its keys typed by the request's attribute definitions.
std::optional<IndexDefinition> read_new_index(RequestReader& r, const json::object& create,
                                              size_t position,
                                              const std::vector<store::KeyElement>& attributes) {
  const std::string at =
      "globalSecondaryIndexUpdates." + std::to_string(position) + ".member.create";
  IndexDefinition index;
  auto name = read_index_name(r, create, at + ".indexName");
  const json::array* keys = r.array("KeySchema", &create);
  if (!keys && !r.failed()) r.constraint(at + ".keySchema", "Member must not be null");
  std::vector<RawKey> raw;
  if (keys) raw = read_key_schema(r, *keys, at + ".keySchema");
  auto projection = read_projection(r, r.object("Projection", &create), at + ".projection");
  if (r.failed()) return std::nullopt;
  if (auto problem = key_structure(raw)) {
    r.invalid(std::move(*problem));
    return std::nullopt;
  }
  index.name = *name;
  std::vector<store::KeyElement> elements;
  for (const RawKey& k : raw) {
    auto defined = std::find_if(attributes.begin(), attributes.end(),
                                [&](const store::KeyElement& e) { return e.name == k.name; });
    if (defined == attributes.end()) {
      r.invalid(std::string(kInvalid) +
                "Some index key attributes are not defined in AttributeDefinitions. Keys: [" +
                k.name + "]");
      return std::nullopt;
    }
    elements.push_back(*defined);
  }
  index.key.hash = elements[0];
  if (elements.size() == 2) index.key.range = elements[1];
  index.projection = *projection;
  if (const json::object* t = r.object("ProvisionedThroughput", &create)) {
    if (auto units = read_throughput(r, t, at + ".provisionedThroughput"))
      index.throughput = *units;
  }
  return index;
}

}  // namespace

void update_table(const OperationContext& c, const json::object& body, Respond& respond) {
  RequestReader r(body);
  auto name = r.table_name("TableName", RequestReader::TableNameOf::kTables);
  auto billing =
      r.enumeration("BillingMode", {"PROVISIONED", "PAY_PER_REQUEST"}, nullptr, "billingMode");
  const json::object* throughput = r.object("ProvisionedThroughput");
  const json::array* index_updates = r.array("GlobalSecondaryIndexUpdates");
  auto protection = r.boolean("DeletionProtectionEnabled");
  std::vector<store::KeyElement> attributes;
  if (const json::array* definitions = r.array("AttributeDefinitions"))
    attributes = read_attribute_definitions(r, *definitions);
  if (auto e = r.error()) return respond(*e);
  if (!billing && !throughput && (!index_updates || index_updates->empty()) && !protection)
    return respond(validation(
        "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
        "GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, "
        "ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, "
        "OnDemandThroughput, WarmThroughput or TableClass is required"));
  std::optional<store::Throughput> units;
  if (throughput) {
    auto read = r.integer("ReadCapacityUnits", throughput);
    auto write = r.integer("WriteCapacityUnits", throughput);
    if (!read || !write || *read < 1 || *write < 1)
      r.invalid(std::string(kInvalid) +
                "ReadCapacityUnits and WriteCapacityUnits must both be specified and at least 1");
    else
      units = store::Throughput{*read, *write};
  }
  std::vector<IndexDefinition> creates;
  std::vector<std::string> deletes;
  if (index_updates) {
    size_t position = 0;
    for (const json::value& u : *index_updates) {
      ++position;
      const json::object* o = u.if_object();
      if (!o) continue;
      if (const json::object* create = r.object("Create", o)) {
        if (auto index = read_new_index(r, *create, position, attributes))
          creates.push_back(std::move(*index));
      } else if (const json::object* del = r.object("Delete", o)) {
        if (auto index = r.string("IndexName", del)) deletes.push_back(*index);
      }
    }
  }
  if (auto e = r.error()) return respond(*e);

  auto change = [billing, units, protection, creates, deletes,
                 attributes](const TableDefinition& current) -> DbResult<TableDefinition> {
    TableDefinition next = current;
    if (billing)
      next.billing = *billing == "PAY_PER_REQUEST" ? store::BillingMode::kPayPerRequest
                                                   : store::BillingMode::kProvisioned;
    if (units) {
      if (next.billing == store::BillingMode::kPayPerRequest)
        return invalid(std::string(kInvalid) +
                       "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                       "BillingMode is PAY_PER_REQUEST");
      const int64_t read = units->read, write = units->write;
      if (current.billing == store::BillingMode::kProvisioned && current.throughput.read == read &&
          current.throughput.write == write) {
        return invalid(
            "The provisioned throughput for the table will not change. The requested value "
            "equals the current value. Current ReadCapacityUnits provisioned for the table: " +
            std::to_string(read) + ". Requested ReadCapacityUnits: " + std::to_string(read) +
            ". Current WriteCapacityUnits provisioned for the table: " + std::to_string(write) +
            ". Requested WriteCapacityUnits: " + std::to_string(write) +
            ". Refer to the Amazon DynamoDB Developer Guide for current limits and how to request "
            "higher limits.");
      }
      next.throughput = *units;
    }
    if (next.billing == store::BillingMode::kPayPerRequest) next.throughput = {};
    if (protection) next.deletion_protection = *protection;
    for (const std::string& name : deletes) {
      auto& list = next.global_indexes;
      auto it = std::find_if(list.begin(), list.end(),
                             [&](const IndexDefinition& i) { return i.name == name; });
      if (it == list.end())
        return DbError{DbErrorKind::kResourceNotFound,
                       "Requested resource not found: Index " + name + " for table " +
                           current.name + " was not found",
                       {},
                       {}};
      list.erase(it);
    }
    for (const IndexDefinition& index : creates) {
      if (find_index(next, index.name))
        return invalid("Attempting to create an index which already exists");
      next.global_indexes.push_back(index);
      std::vector<store::KeyElement> keys{index.key.hash};
      if (index.key.range) keys.push_back(*index.key.range);
      for (const store::KeyElement& k : keys) {
        auto& defs = next.attribute_definitions;
        auto it = std::find_if(defs.begin(), defs.end(),
                               [&](const store::KeyElement& e) { return e.name == k.name; });
        if (it == defs.end()) {
          defs.push_back(k);
        } else if (it->type != k.type) {
          return invalid(std::string(kInvalid) + "Attribute " + k.name +
                         " is already defined with another type");
        }
      }
    }
    std::sort(
        next.attribute_definitions.begin(), next.attribute_definitions.end(),
        [](const store::KeyElement& a, const store::KeyElement& b) { return a.name < b.name; });
    return next;
  };
  OperationContext context = c;
  c.engine.update_definition(*name, std::move(change),
                             [context, respond](DbResult<store::TableDescription> d) mutable {
                               answer_table(context, std::move(d), respond);
                             });
}

void update_time_to_live(const OperationContext& c, const json::object& body, Respond& respond) {
  RequestReader r(body);
  auto name = r.table_name("TableName", RequestReader::TableNameOf::kTables);
  const json::object* spec = r.object("TimeToLiveSpecification");
  if (!spec && !r.failed()) r.constraint("timeToLiveSpecification", "Member must not be null");
  auto enabled = spec ? r.boolean("Enabled", spec) : std::nullopt;
  auto attribute = spec ? r.string("AttributeName", spec) : std::nullopt;
  if (spec && !enabled) r.constraint("timeToLiveSpecification.enabled", "Member must not be null");
  if (spec && !attribute)
    r.constraint("timeToLiveSpecification.attributeName", "Member must not be null");
  if (attribute && attribute->empty())
    r.invalid("TimeToLiveSpecification.AttributeName must be non empty");
  if (auto e = r.error()) return respond(*e);
  const bool on = *enabled;
  const std::string attr = *attribute;
  auto change = [on, attr](const TableDefinition& current) -> DbResult<TableDefinition> {
    TableDefinition next = current;
    if (on && current.ttl_attribute) return invalid("TimeToLive is already enabled");
    if (!on && !current.ttl_attribute) return invalid("TimeToLive is already disabled");
    if (on)
      next.ttl_attribute = attr;
    else
      next.ttl_attribute.reset();
    return next;
  };
  c.engine.update_definition(*name, std::move(change),
                             [on, attr, respond](DbResult<store::TableDescription> d) mutable {
                               if (!d) return respond(from_store(std::move(d.error())));
                               std::string out = "{\"TimeToLiveSpecification\":{\"AttributeName\":";
                               core::append_json_string(out, attr);
                               out += on ? ",\"Enabled\":true}}" : ",\"Enabled\":false}}";
                               respond(std::move(out));
                             });
}

void describe_time_to_live(const OperationContext& c, const json::object& body, Respond& respond) {
  RequestReader r(body);
  auto name = r.table_name("TableName", RequestReader::TableNameOf::kTables);
  if (auto e = r.error()) return respond(*e);
  auto table = c.engine.find_table(*name);
  if (!table) return respond(from_store(store::table_not_found(*name)));
  if (!table->ttl_attribute)
    return respond(std::string("{\"TimeToLiveDescription\":{\"TimeToLiveStatus\":\"DISABLED\"}}"));
  std::string out = "{\"TimeToLiveDescription\":{\"AttributeName\":";
  core::append_json_string(out, *table->ttl_attribute);
  out += ",\"TimeToLiveStatus\":\"ENABLED\"}}";
  respond(std::move(out));
}

void tag_resource(const OperationContext& c, const json::object& body, Respond& respond) {
  RequestReader r(body);
  auto arn = r.string("ResourceArn");
  const json::array* tags = r.array("Tags");
  if (!arn && !r.failed()) return respond(validation("Invalid TableArn"));
  if (!tags && !r.failed()) r.constraint("tags", "Member must not be null");
  std::vector<std::pair<std::string, std::string>> given;
  if (tags) {
    for (const json::value& t : *tags) {
      const json::object* o = t.if_object();
      auto key = o ? r.string("Key", o) : std::nullopt;
      auto value = o ? r.string("Value", o) : std::nullopt;
      if (!key || key->empty() || key->size() > 128 || (value && value->size() > 256)) {
        r.invalid(std::string(kInvalid) +
                  "A tag's Key must have 1..128 characters and its Value at most 256");
        break;
      }
      given.emplace_back(*key, value.value_or(""));
    }
  }
  if (auto e = r.error()) return respond(*e);
  auto table = table_of_arn(c, *arn, "TagResource");
  if (!table) return respond(std::move(table.error()));
  if (given.empty()) return respond(validation("Atleast one Tag needs to be provided as Input."));
  const std::string resource = *arn;
  auto change = [given](const TableDefinition& current) -> DbResult<TableDefinition> {
    TableDefinition next = current;
    for (const auto& [key, value] : given) {
      auto it = std::find_if(next.tags.begin(), next.tags.end(),
                             [&](const auto& t) { return t.first == key; });
      if (it != next.tags.end())
        it->second = value;
      else
        next.tags.emplace_back(key, value);
    }
    if (next.tags.size() > kMaxTags)
      return DbError{DbErrorKind::kLimitExceeded,
                     "The number of tags exceeds the limit of 50 per resource",
                     {},
                     {}};
    return next;
  };
  c.engine.update_definition(
      *table, std::move(change), [resource, respond](DbResult<store::TableDescription> d) mutable {
        if (!d) {
          DbError e = d.error();
          if (e.kind == DbErrorKind::kResourceNotFound)
            e.message = "Requested resource not found: ResourcArn: " + resource +
                        " not found";  // AWS's spelling
          return respond(from_store(std::move(e)));
        }
        respond(std::string());
      });
}

void untag_resource(const OperationContext& c, const json::object& body, Respond& respond) {
  RequestReader r(body);
  auto arn = r.string("ResourceArn");
  const json::array* keys = r.array("TagKeys");
  if (!arn && !r.failed()) return respond(validation("Invalid TableArn"));
  if (!keys && !r.failed()) r.constraint("tagKeys", "Member must not be null");
  if (auto e = r.error()) return respond(*e);
  auto table = table_of_arn(c, *arn, "UntagResource");
  if (!table) return respond(std::move(table.error()));
  if (keys->empty())
    return respond(validation("Atleast one Tag Key needs to be provided as Input."));
  std::vector<std::string> names;
  for (const json::value& k : *keys) {
    if (k.is_string()) names.emplace_back(k.get_string());
  }
  auto change = [names](const TableDefinition& current) -> DbResult<TableDefinition> {
    TableDefinition next = current;
    std::erase_if(next.tags, [&](const auto& t) {
      return std::find(names.begin(), names.end(), t.first) != names.end();
    });
    return next;
  };
  c.engine.update_definition(*table, std::move(change),
                             [respond](DbResult<store::TableDescription> d) mutable {
                               if (!d) {
                                 DbError e = d.error();
                                 if (e.kind == DbErrorKind::kResourceNotFound)
                                   e.message = "Requested resource not found";
                                 return respond(from_store(std::move(e)));
                               }
                               respond(std::string());
                             });
}

void list_tags_of_resource(const OperationContext& c, const json::object& body, Respond& respond) {
  RequestReader r(body);
  auto arn = r.string("ResourceArn");
  if (!arn && !r.failed()) return respond(validation("Invalid TableArn"));
  if (auto e = r.error()) return respond(*e);
  auto table = table_of_arn(c, *arn, "ListTagsOfResource");
  if (!table) return respond(std::move(table.error()));
  auto definition = c.engine.find_table(*table);
  if (!definition)
    return respond(ApiError{ErrorType::kResourceNotFound,
                            "Requested resource not found: ResourcArn: " + *arn + " not found",
                            {},
                            {}});
  std::string out = "{\"Tags\":[";
  for (size_t i = 0; i < definition->tags.size(); ++i) {
    if (i > 0) out += ',';
    out += "{\"Key\":";
    core::append_json_string(out, definition->tags[i].first);
    out += ",\"Value\":";
    core::append_json_string(out, definition->tags[i].second);
    out += "}";
  }
  out += "]}";
  respond(std::move(out));
}

}  // namespace gatehouse::dynamodb_api::detail
