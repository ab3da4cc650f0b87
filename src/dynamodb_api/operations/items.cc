// PutItem, GetItem, DeleteItem and UpdateItem.
#include "dynamodb_api/expressions.h"
#include "dynamodb_api/operations/handlers.h"
#include "store/json_codec.h"

namespace gatehouse::dynamodb_api::detail {
namespace {

namespace json = boost::json;
namespace expr = store::expr;
using store::ReturnValues;

std::optional<ReturnValues> read_return_values(RequestReader& r,
                                               std::initializer_list<ReturnValues> allowed) {
  auto text = r.string("ReturnValues");
  if (!text) return ReturnValues::kNone;
  std::optional<ReturnValues> value;
  if (*text == "NONE") value = ReturnValues::kNone;
  if (*text == "ALL_OLD") value = ReturnValues::kAllOld;
  if (*text == "UPDATED_OLD") value = ReturnValues::kUpdatedOld;
  if (*text == "ALL_NEW") value = ReturnValues::kAllNew;
  if (*text == "UPDATED_NEW") value = ReturnValues::kUpdatedNew;
  if (!value) {
    // DynamoDB's own order of the five.
    r.constraint("ReturnValues",
                 "Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, "
                 "UPDATED_NEW]",
                 *text);
    return std::nullopt;
  }
  for (ReturnValues a : allowed) {
    if (a == *value) return value;
  }
  r.invalid("ReturnValues can only be ALL_OLD or NONE");
  return std::nullopt;
}

bool read_return_on_failure(RequestReader& r) {
  auto text = r.enumeration("ReturnValuesOnConditionCheckFailure", {"ALL_OLD", "NONE"});
  return text && *text == "ALL_OLD";
}

struct WriteAnswer {
  std::string table;
  CapacityReport report;
  std::string collection_metrics;  // the ItemCollectionMetrics object, or ""
};

void answer_write(const WriteAnswer& a, store::DbResult<store::WriteResult> result,
                  Respond& respond) {
  if (!result) return respond(from_store(std::move(result.error())));
  std::string out = "{";
  if (result->attributes) {
    out += "\"Attributes\":";
    store::append_item_json(out, *result->attributes);
  }
  std::string capacity = consumed_capacity(a.report, a.table, write_units(result->consumed_bytes),
                                           &result->index_charges);
  if (!capacity.empty()) out += result->attributes ? capacity : capacity.substr(1);
  if (!a.collection_metrics.empty())
    out += (out.size() > 1 ? ",\"ItemCollectionMetrics\":" : "\"ItemCollectionMetrics\":") +
           a.collection_metrics;
  out += "}";
  respond(std::move(out));
}

// The Key member: required, a map of attribute values.
std::optional<store::Item> read_key(RequestReader& r) {
  auto key = r.item("Key");
  if (!key && !r.failed()) r.constraint("Key", "Member must not be null");
  return key;
}

}  // namespace

namespace {

// The options of PutItem, DeleteItem and UpdateItem: ReturnConsumedCapacity,
// ReturnItemCollectionMetrics, ReturnValues (one of `allowed`), then
// ReturnValuesOnConditionCheckFailure; PutItem lists a bad ReturnValues first (and before its
// table name), as DynamoDB lists them.
struct WriteOptions {
  CapacityReport report = CapacityReport::kNone;
  bool collection_metrics = false;
  std::optional<ReturnValues> return_values;
};
enum class OptionOrder { kReturnValuesFirst, kReturnValuesLast };
WriteOptions read_write_options(RequestReader& r, std::initializer_list<ReturnValues> allowed,
                                OptionOrder order, bool& return_old_on_condition_failure) {
  WriteOptions out;
  if (order == OptionOrder::kReturnValuesFirst) out.return_values = read_return_values(r, allowed);
  out.report = read_capacity_report(r);
  out.collection_metrics = read_collection_metrics(r);
  if (order == OptionOrder::kReturnValuesLast) out.return_values = read_return_values(r, allowed);
  return_old_on_condition_failure = read_return_on_failure(r);
  return out;
}

// ConditionExpression, else Expected (mixing both was refused by LegacyParameters).
std::shared_ptr<const expr::Condition> read_condition(Expressions& expressions,
                                                      LegacyParameters& legacy) {
  auto condition = expressions.condition("ConditionExpression", expr::ConditionKind::kCondition);
  return condition ? condition : legacy.expected();
}

// The attributes that name a write's item collection: the item written, or the key.
const store::Item& collection_source(const store::PutItem& p) {
  return p.item;
}
const store::Item& collection_source(const store::DeleteItem& d) {
  return d.key;
}
const store::Item& collection_source(const store::UpdateItem& u) {
  return u.key;
}

// Sends the write to the engine once the request read cleanly; answers its result.
template <class Request, class Send>
void send_write(const OperationContext& c, RequestReader& r, Request request,
                const std::string& table, const WriteOptions& options, Respond& respond,
                Send send) {
  if (auto e = r.error()) return respond(*e);
  request.table = table;
  request.return_values = *options.return_values;
  WriteAnswer answer{request.table, options.report, {}};
  if (options.collection_metrics)
    answer.collection_metrics = item_collection_metrics(c, table, collection_source(request));
  send(std::move(request), [answer, respond](store::DbResult<store::WriteResult> result) mutable {
    answer_write(answer, std::move(result), respond);
  });
}

}  // namespace

void put_item(const OperationContext& c, const json::object& body, Respond& respond) {
  RequestReader r(body);
  store::PutItem request;
  auto options =
      read_write_options(r, {ReturnValues::kNone, ReturnValues::kAllOld},
                         OptionOrder::kReturnValuesFirst, request.return_old_on_condition_failure);
  auto table = r.table_name("TableName", RequestReader::TableNameOf::kItems);
  auto item = r.item("Item");
  if (!item && !r.failed()) r.constraint("Item", "Member must not be null");
  LegacyParameters legacy(r, body);
  Expressions expressions(r);
  request.condition = read_condition(expressions, legacy);
  expressions.finish();
  if (item) request.item = std::move(*item);
  send_write(
      c, r, std::move(request), table.value_or(""), options, respond,
      [&](store::PutItem p, auto done) { c.engine.put_item(std::move(p), std::move(done)); });
}

void delete_item(const OperationContext& c, const json::object& body, Respond& respond) {
  RequestReader r(body);
  store::DeleteItem request;
  auto table = r.table_name("TableName", RequestReader::TableNameOf::kItems);
  auto key = read_key(r);
  auto options =
      read_write_options(r, {ReturnValues::kNone, ReturnValues::kAllOld},
                         OptionOrder::kReturnValuesLast, request.return_old_on_condition_failure);
  LegacyParameters legacy(r, body);
  Expressions expressions(r);
  request.condition = read_condition(expressions, legacy);
  expressions.finish();
  if (key) request.key = std::move(*key);
  send_write(
      c, r, std::move(request), table.value_or(""), options, respond,
      [&](store::DeleteItem d, auto done) { c.engine.delete_item(std::move(d), std::move(done)); });
}

void update_item(const OperationContext& c, const json::object& body, Respond& respond) {
  RequestReader r(body);
  store::UpdateItem request;
  auto table = r.table_name("TableName", RequestReader::TableNameOf::kItems);
  auto key = read_key(r);
  auto options =
      read_write_options(r,
                         {ReturnValues::kNone, ReturnValues::kAllOld, ReturnValues::kUpdatedOld,
                          ReturnValues::kAllNew, ReturnValues::kUpdatedNew},
                         OptionOrder::kReturnValuesLast, request.return_old_on_condition_failure);
  LegacyParameters legacy(r, body);
  Expressions expressions(r);
  request.update = expressions.update("UpdateExpression");
  if (!request.update) request.update = legacy.attribute_updates();
  request.condition = read_condition(expressions, legacy);
  expressions.finish();
  if (key) request.key = std::move(*key);
  send_write(
      c, r, std::move(request), table.value_or(""), options, respond,
      [&](store::UpdateItem u, auto done) { c.engine.update_item(std::move(u), std::move(done)); });
}

void get_item(const OperationContext& c, const json::object& body, Respond& respond) {
  RequestReader r(body);
  store::GetItem request;
  auto table = r.table_name("TableName", RequestReader::TableNameOf::kItems);
  auto key = read_key(r);
  auto consistent = r.boolean("ConsistentRead");
  const CapacityReport report = read_capacity_report(r);
  LegacyParameters legacy(r, body);
  Expressions expressions(r);
  request.projection = expressions.projection("ProjectionExpression");
  if (!request.projection) request.projection = legacy.attributes_to_get();
  expressions.finish();
  if (auto e = r.error()) return respond(*e);
  request.table = *table;
  request.key = std::move(*key);
  auto result = c.engine.get_item(request);
  if (!result) return respond(from_store(std::move(result.error())));
  std::string out = "{";
  if (result->item_json) out += "\"Item\":" + *result->item_json;
  std::string capacity = consumed_capacity(
      report, request.table, read_units(result->item_bytes, consistent.value_or(false)));
  if (!capacity.empty()) out += result->item_json ? capacity : capacity.substr(1);
  out += "}";
  respond(std::move(out));
}

}  // namespace gatehouse::dynamodb_api::detail
