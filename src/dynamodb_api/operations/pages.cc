// Query and Scan.
#include "dynamodb_api/expressions.h"
#include "dynamodb_api/operations/handlers.h"
#include "store/json_codec.h"

namespace gatehouse::dynamodb_api::detail {
namespace {

namespace json = boost::json;
namespace expr = store::expr;

// The members Query and Scan share, read into `page`.
void read_page(RequestReader& r, Expressions& expressions, LegacyParameters& legacy,
               expr::FilterParameter which, store::ReadPage& page) {
  auto index = r.string("IndexName");
  if (index && (index->size() < 3 || index->size() > 255))
    r.constraint("IndexName",
                 index->size() < 3 ? "Member must have length greater than or equal to 3"
                                   : "Member must have length less than or equal to 255",
                 *index);
  page.index = index;
  auto limit = r.integer("Limit");
  if (limit && *limit < 1)
    r.constraint("Limit", "Member must have value greater than or equal to 1",
                 std::to_string(*limit));
  if (limit) page.limit = static_cast<uint32_t>(std::min<int64_t>(*limit, UINT32_MAX));
  auto select = r.enumeration(
      "Select", {"SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"});
  page.consistent_read = r.boolean("ConsistentRead").value_or(false);
  page.exclusive_start = r.item("ExclusiveStartKey");
  page.filter = expressions.condition("FilterExpression", expr::ConditionKind::kFilter);
  if (!page.filter) page.filter = legacy.filter(which);
  page.projection = expressions.projection("ProjectionExpression");
  const char* projection_member = "ProjectionExpression";
  if (!page.projection) {
    page.projection = legacy.attributes_to_get();
    projection_member = "AttributesToGet";
  }
  if (!select) {
    page.select = page.projection
                      ? store::Select::kSpecific
                      : (page.index ? store::Select::kAllProjected : store::Select::kAllAttributes);
  } else if (*select == "ALL_ATTRIBUTES") {
    page.select = store::Select::kAllAttributes;
  } else if (*select == "ALL_PROJECTED_ATTRIBUTES") {
    page.select = store::Select::kAllProjected;
  } else if (*select == "COUNT") {
    page.select = store::Select::kCount;
  } else {
    page.select = store::Select::kSpecific;
  }
  if (r.failed()) return;
  if (page.select == store::Select::kSpecific && !page.projection)
    r.invalid(
        "Must specify the AttributesToGet or ProjectionExpression when choosing to get "
        "SPECIFIC_ATTRIBUTES");
  if (select && page.projection && page.select != store::Select::kSpecific)
    r.invalid("Cannot specify the " + std::string(projection_member) + " when choosing to get " +
              (page.select == store::Select::kCount ? std::string("only the Count") : *select));
}

void answer_page(store::DbResult<store::PageResult> result, const store::ReadPage& request,
                 CapacityReport report, Respond& respond) {
  const std::string& table = request.table;
  const bool consistent = request.consistent_read;
  if (!result) return respond(from_store(std::move(result.error())));
  std::string out = "{\"Count\":" + std::to_string(result->count);
  if (request.select != store::Select::kCount) {
    out += ",\"Items\":[";
    for (size_t i = 0; i < result->items_json.size(); ++i) {
      if (i > 0) out += ',';
      out += result->items_json[i];
    }
    out += "]";
  }
  if (result->last_evaluated_key) {
    out += ",\"LastEvaluatedKey\":";
    store::append_item_json(out, *result->last_evaluated_key);
  }
  out += ",\"ScannedCount\":" + std::to_string(result->scanned_count);
  out += consumed_capacity(report, table, read_units(result->read_bytes, consistent));
  out += "}";
  respond(std::move(out));
}

}  // namespace

void query(const OperationContext& c, const json::object& body, Respond& respond) {
  RequestReader r(body, Wording::kFirstConstraint);
  store::Query request;
  auto table = r.table_name("TableName", RequestReader::TableNameOf::kItems);
  const CapacityReport report = read_capacity_report(r);
  auto forward = r.boolean("ScanIndexForward");
  LegacyParameters legacy(r, body);
  Expressions expressions(r);
  request.key_condition = expressions.key_condition("KeyConditionExpression");
  if (!request.key_condition) request.key_condition = legacy.key_conditions();
  read_page(r, expressions, legacy, expr::FilterParameter::kQueryFilter, request);
  expressions.finish();
  if (!r.failed() && !request.key_condition)
    r.invalid(
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in "
        "the request.");
  if (auto e = r.error()) return respond(*e);
  // A QueryFilter on a key attribute has its own text (a FilterExpression's is the store's).
  if (request.filter && body.contains("QueryFilter")) {
    if (auto definition = c.engine.find_table(*table)) {
      const store::IndexDefinition* index =
          request.index ? store::find_index(*definition, *request.index) : nullptr;
      const store::KeySchema& key = index ? index->key : definition->key;
      std::optional<expr::KeyAttribute> range;
      if (key.range) range = expr::KeyAttribute{key.range->name, key.range->type};
      if (auto problem = expr::query_filter_key_attribute(*request.filter,
                                                          {key.hash.name, key.hash.type}, range))
        return respond(validation(std::move(*problem)));
    }
  }
  request.table = *table;
  request.forward = forward.value_or(true);
  answer_page(c.engine.query(request), request, report, respond);
}

void scan(const OperationContext& c, const json::object& body, Respond& respond) {
  RequestReader r(body);
  store::Scan request;
  auto table = r.table_name("TableName", RequestReader::TableNameOf::kItems);
  const CapacityReport report = read_capacity_report(r);
  auto segment = r.integer("Segment");
  auto total = r.integer("TotalSegments");
  if (segment && *segment < 0)
    r.constraint("Segment", "Member must have value greater than or equal to 0",
                 std::to_string(*segment));
  if (segment && *segment > 999999)
    r.constraint("Segment", "Member must have value less than or equal to 999999",
                 std::to_string(*segment));
  if (total && *total < 1)
    r.constraint("TotalSegments", "Member must have value greater than or equal to 1",
                 std::to_string(*total));
  if (total && *total > 1000000)
    r.constraint("TotalSegments", "Member must have value less than or equal to 1000000",
                 std::to_string(*total));
  LegacyParameters legacy(r, body);
  Expressions expressions(r);
  read_page(r, expressions, legacy, expr::FilterParameter::kScanFilter, request);
  expressions.finish();
  if (!r.failed()) {
    if (segment && !total)
      r.invalid(
          "The TotalSegments parameter is required but was not present in the request when "
          "Segment parameter is present");
    else if (total && !segment)
      r.invalid(
          "The Segment parameter is required but was not present in the request when "
          "parameter TotalSegments is present");
    else if (segment && *segment >= *total)
      r.invalid(
          "The Segment parameter is zero-based and must be less than parameter "
          "TotalSegments: Segment: " +
          std::to_string(*segment) + " is not less than TotalSegments: " + std::to_string(*total));
  }
  if (auto e = r.error()) return respond(*e);
  request.table = *table;
  if (segment) {
    request.segment = static_cast<uint32_t>(*segment);
    request.total_segments = static_cast<uint32_t>(*total);
  }
  answer_page(c.engine.scan(request), request, report, respond);
}

}  // namespace gatehouse::dynamodb_api::detail
