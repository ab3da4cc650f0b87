// A table's description as DynamoDB writes it in CreateTable, DescribeTable, UpdateTable and
// DeleteTable answers.
#include <cstdio>

#include "core/json_text.h"
#include "dynamodb_api/operations/handlers.h"

namespace gatehouse::dynamodb_api::detail {
namespace {

using store::IndexDefinition;
using store::KeySchema;

void append_key_schema(std::string& out, const KeySchema& key) {
  out += "[{\"AttributeName\":";
  core::append_json_string(out, key.hash.name);
  out += ",\"KeyType\":\"HASH\"}";
  if (key.range) {
    out += ",{\"AttributeName\":";
    core::append_json_string(out, key.range->name);
    out += ",\"KeyType\":\"RANGE\"}";
  }
  out += "]";
}

void append_throughput(std::string& out, const store::Throughput& t) {
  out += "{\"NumberOfDecreasesToday\":0,\"ReadCapacityUnits\":" + std::to_string(t.read) +
         ",\"WriteCapacityUnits\":" + std::to_string(t.write) + "}";
}

void append_projection(std::string& out, const store::Projection& p) {
  out += "{\"ProjectionType\":\"";
  out += store::to_string(p.type);
  out += "\"";
  if (p.type == store::ProjectionType::kInclude) {
    out += ",\"NonKeyAttributes\":[";
    for (size_t i = 0; i < p.non_key_attributes.size(); ++i) {
      if (i > 0) out += ',';
      core::append_json_string(out, p.non_key_attributes[i]);
    }
    out += "]";
  }
  out += "}";
}

void append_index(std::string& out, const IndexDefinition& index, bool global,
                  std::pair<uint64_t, uint64_t> counts, const std::string& table_arn,
                  const std::string& status) {
  out += "{\"IndexName\":";
  core::append_json_string(out, index.name);
  out += ",\"KeySchema\":";
  append_key_schema(out, index.key);
  out += ",\"Projection\":";
  append_projection(out, index.projection);
  if (global) {
    out += ",\"IndexStatus\":\"" + status + "\",\"ProvisionedThroughput\":";
    append_throughput(out, index.throughput);
  }
  out += ",\"IndexSizeBytes\":" + std::to_string(counts.second) +
         ",\"ItemCount\":" + std::to_string(counts.first) + ",\"IndexArn\":";
  core::append_json_string(out, table_arn + "/index/" + index.name);
  out += "}";
}

}  // namespace

std::string table_arn(const OperationContext& c, std::string_view table) {
  return "arn:aws:dynamodb:" + c.region + ":" + c.account_id + ":table/" + std::string(table);
}

std::string table_description_json(const store::TableDescription& table,
                                   const OperationContext& c) {
  const store::TableDefinition& d = table.definition;
  const std::string arn = table_arn(c, d.name);
  // DeleteTable's answer, a DELETING table, leaves out the schema, its indexes and its creation
  // time, as DynamoDB's does.
  const bool schema = table.status != "DELETING";
  std::string out = "{";
  if (schema) {
    out += "\"AttributeDefinitions\":[";
    for (size_t i = 0; i < d.attribute_definitions.size(); ++i) {
      if (i > 0) out += ',';
      out += "{\"AttributeName\":";
      core::append_json_string(out, d.attribute_definitions[i].name);
      out += ",\"AttributeType\":\"";
      out += store::to_string(d.attribute_definitions[i].type);
      out += "\"}";
    }
    out += "],";
  }
  out += "\"TableName\":";
  core::append_json_string(out, d.name);
  if (schema) {
    out += ",\"KeySchema\":";
    append_key_schema(out, d.key);
  }
  out += ",\"TableStatus\":\"" + table.status + "\"";
  char created[32];
  std::snprintf(created, sizeof created, "%lld.%03lld", static_cast<long long>(d.created_ms / 1000),
                static_cast<long long>(d.created_ms % 1000));
  if (schema) {
    out += ",\"CreationDateTime\":";
    out += created;
  }
  out += ",\"ProvisionedThroughput\":";
  append_throughput(out, d.throughput);
  out += ",\"TableSizeBytes\":" + std::to_string(table.size_bytes) +
         ",\"ItemCount\":" + std::to_string(table.item_count) + ",\"TableArn\":";
  core::append_json_string(out, arn);
  out += ",\"TableId\":";
  core::append_json_string(out, d.table_id);
  if (d.billing == store::BillingMode::kPayPerRequest) {
    out +=
        ",\"BillingModeSummary\":{\"BillingMode\":\"PAY_PER_REQUEST\","
        "\"LastUpdateToPayPerRequestDateTime\":";
    out += created;
    out += "}";
  }
  size_t counted = 0;
  auto counts = [&]() {
    return counted < table.index_counts.size() ? table.index_counts[counted++]
                                               : std::pair<uint64_t, uint64_t>{0, 0};
  };
  if (schema && !d.global_indexes.empty()) {
    out += ",\"GlobalSecondaryIndexes\":[";
    for (size_t i = 0; i < d.global_indexes.size(); ++i) {
      if (i > 0) out += ',';
      append_index(out, d.global_indexes[i], true, counts(), arn, table.status);
    }
    out += "]";
  }
  if (schema && !d.local_indexes.empty()) {
    out += ",\"LocalSecondaryIndexes\":[";
    for (size_t i = 0; i < d.local_indexes.size(); ++i) {
      if (i > 0) out += ',';
      append_index(out, d.local_indexes[i], false, counts(), arn, table.status);
    }
    out += "]";
  }
  out += ",\"DeletionProtectionEnabled\":";
  out += d.deletion_protection ? "true" : "false";
  out += "}";
  return out;
}

}  // namespace gatehouse::dynamodb_api::detail
