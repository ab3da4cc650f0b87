// BatchGetItem, BatchWriteItem, TransactGetItems and TransactWriteItems.
#include <boost/json/serialize.hpp>

#include <map>

#include "aws/sigv4.h"
#include "core/json_text.h"
#include "dynamodb_api/expressions.h"
#include "dynamodb_api/operations/handlers.h"
#include "store/json_codec.h"

namespace gatehouse::dynamodb_api::detail {
namespace {

namespace json = boost::json;
namespace expr = store::expr;

constexpr size_t kMaxBatchGetKeys = 100;
constexpr size_t kMaxBatchWrites = 25;
constexpr size_t kMaxTransactItems = 100;
// The aggregate size of the items in a transaction, in item_size() bytes.
constexpr size_t kMaxTransactBytes = 4 * 1024 * 1024;
// BatchGetItem answers at most this much; the rest goes back as UnprocessedKeys.
constexpr size_t kMaxBatchGetBytes = 16 * 1024 * 1024;

void append_items_by_table(std::string& out, const std::vector<std::string>& tables,
                           const std::vector<std::string>& items_json) {
  out += "{";
  bool first_table = true;
  for (size_t t = 0; t < tables.size(); ++t) {
    if (t > 0 && tables[t] == tables[t - 1]) continue;
    if (!first_table) out += ',';
    first_table = false;
    core::append_json_string(out, tables[t]);
    out += ":[";
    bool first = true;
    for (size_t i = t; i < tables.size() && tables[i] == tables[t]; ++i) {
      if (items_json[i].empty()) continue;
      if (!first) out += ',';
      first = false;
      out += items_json[i];
    }
    out += "]";
  }
  out += "}";
}

}  // namespace

void batch_get_item(const OperationContext& c, const json::object& body, Respond& respond) {
  RequestReader r(body);
  const CapacityReport report = read_capacity_report(r);
  const json::object* request_items = r.object("RequestItems");
  if (!request_items && !r.failed()) r.constraint("RequestItems", "Member must not be null");
  if (request_items && request_items->empty())
    r.constraint("RequestItems", "Member must have length greater than or equal to 1", "{}");
  std::vector<store::GetItem> gets;
  // Per table, what it asked besides its keys (ProjectionExpression, ConsistentRead, ...), as
  // JSON members: UnprocessedKeys repeats them, so asking again asks the same.
  std::map<std::string, std::string, std::less<>> asked;
  size_t keys_total = 0;
  if (request_items && !r.failed()) {
    for (const auto& [table, value] : *request_items) {
      if (!value.is_object()) {
        r.object(table, request_items);
        break;
      }
      const json::object& entry = value.get_object();
      RequestReader er(entry);
      auto keys = er.array("Keys");
      er.boolean("ConsistentRead");  // typed; every read is consistent
      if (!keys)
        er.constraint("RequestItems." + std::string(table) + ".member.Keys",
                      "Member must not be null");
      if (keys && keys->empty())
        er.constraint("RequestItems." + std::string(table) + ".member.Keys",
                      "Member must have length greater than or equal to 1");
      if (keys && keys->size() > kMaxBatchGetKeys)
        er.constraint("RequestItems." + std::string(table) + ".member.Keys",
                      "Member must have length less than or equal to 100");
      LegacyParameters legacy(er, entry);
      Expressions expressions(er);
      auto projection = expressions.projection("ProjectionExpression");
      if (!projection) projection = legacy.attributes_to_get();
      expressions.finish();
      if (auto e = er.error()) {
        respond(*e);
        return;
      }
      for (const json::value& key : *keys) {
        auto item = er.item_value(key);
        if (auto e = er.error()) return respond(*e);
        gets.push_back({std::string(table), std::move(*item), projection});
      }
      keys_total += keys->size();
      std::string& members = asked[std::string(table)];
      for (const auto& [member, v] : entry) {
        if (member == "Keys") continue;
        members += ',';
        core::append_json_string(members, member);
        members += ':' + json::serialize(v);
      }
    }
    if (keys_total > kMaxBatchGetKeys && !r.failed())
      r.invalid("Too many items requested for the BatchGetItem call");
  }
  if (auto e = r.error()) return respond(*e);
  auto results = c.engine.batch_get(gets, kMaxBatchGetBytes);
  if (!results) return respond(from_store(std::move(results.error())));
  std::vector<std::string> tables, items;
  // Keys left for the next call, by table (in the request's order of tables).
  std::vector<std::pair<std::string, std::string>> unread;
  size_t bytes = 0;
  for (size_t i = 0; i < gets.size(); ++i) {
    tables.push_back(gets[i].table);
    const store::GetResult& got = (*results)[i];
    if (got.unread) {
      if (unread.empty() || unread.back().first != gets[i].table)
        unread.emplace_back(gets[i].table, std::string());
      std::string& keys = unread.back().second;
      if (!keys.empty()) keys += ',';
      store::append_item_json(keys, gets[i].key);
      items.emplace_back();
      continue;
    }
    bytes += got.item_bytes;
    items.push_back(got.item_json.value_or(std::string()));
  }
  std::string unprocessed;
  for (const auto& [table, keys] : unread) {
    if (!unprocessed.empty()) unprocessed += ',';
    core::append_json_string(unprocessed, table);
    unprocessed += ":{\"Keys\":[" + keys + "]" + asked[table] + "}";
  }
  std::string out = "{\"Responses\":";
  append_items_by_table(out, tables, items);
  out += ",\"UnprocessedKeys\":{" + unprocessed + "}";
  if (report != CapacityReport::kNone) {
    out += ",\"ConsumedCapacity\":[";
    out +=
        capacity_object(report, gets.empty() ? "" : gets.front().table, read_units(bytes, false));
    out += "]";
  }
  out += "}";
  respond(std::move(out));
}

void batch_write_item(const OperationContext& c, const json::object& body, Respond& respond) {
  RequestReader r(body);
  const CapacityReport report = read_capacity_report(r);
  const bool collection_metrics = read_collection_metrics(r);
  const json::object* request_items = r.object("RequestItems");
  if (!request_items && !r.failed())
    r.invalid("The requestItems parameter is required for BatchWriteItem");
  if (request_items && request_items->empty())
    r.invalid("The requestItems parameter is required for BatchWriteItem");
  std::vector<store::BatchWriteRequest> requests;
  if (request_items && !r.failed()) {
    for (const auto& [table, value] : *request_items) {
      const json::array* list = r.array(table, request_items);
      if (!list) break;
      if (list->empty() || list->size() > kMaxBatchWrites) {
        r.constraint("RequestItems",
                     "Map value must satisfy constraint: [Member must have length less than or "
                     "equal to 25, Member must have length greater than or equal to 1]");
        break;
      }
      for (const json::value& entry : *list) {
        if (!entry.is_object()) {
          r.invalid("Start of list found where not expected");
          break;
        }
        const json::object& o = entry.get_object();
        const json::object* put = r.object("PutRequest", &o);
        const json::object* del = r.object("DeleteRequest", &o);
        if (r.failed()) break;
        if ((put != nullptr) == (del != nullptr)) {
          r.invalid(
              "Supplied AttributeValue has more than one datatypes set, must contain "
              "exactly one of the supported datatypes");
          break;
        }
        auto item = put ? r.item("Item", put) : r.item("Key", del);
        if (!item) {
          if (!r.failed())
            r.constraint(put ? "RequestItems.member.PutRequest.Item"
                             : "RequestItems.member.DeleteRequest.Key",
                         "Member must not be null");
          break;
        }
        requests.push_back({std::string(table), put != nullptr, std::move(*item)});
      }
    }
    if (requests.size() > kMaxBatchWrites && !r.failed())
      r.constraint("RequestItems",
                   "Map value must satisfy constraint: [Member must have length less than or "
                   "equal to 25, Member must have length greater than or equal to 1]");
  }
  if (auto e = r.error()) return respond(*e);
  std::string table = requests.empty() ? std::string() : requests.front().table;
  std::string metrics;
  if (collection_metrics) {
    std::vector<std::pair<std::string_view, const store::Item*>> writes;
    for (const store::BatchWriteRequest& w : requests)
      writes.emplace_back(w.table, &w.item);
    metrics = collection_metrics_by_table(c, writes);
  }
  c.engine.batch_write(std::move(requests),
                       [report, table, metrics, respond](store::DbResult<size_t> r) mutable {
                         if (!r) return respond(from_store(std::move(r.error())));
                         std::string out = "{\"UnprocessedItems\":{}";
                         if (report != CapacityReport::kNone) {
                           out += ",\"ConsumedCapacity\":[";
                           out += capacity_object(report, table, write_units(*r));
                           out += "]";
                         }
                         if (!metrics.empty()) out += ",\"ItemCollectionMetrics\":" + metrics;
                         out += "}";
                         respond(std::move(out));
                       });
}

void transact_get_items(const OperationContext& c, const json::object& body, Respond& respond) {
  RequestReader r(body);
  read_capacity_report(r);
  const json::array* items = r.array("TransactItems");
  if (!items && !r.failed()) r.constraint("TransactItems", "Member must not be null");
  if (items && items->empty())
    r.constraint("TransactItems", "Member must have length greater than or equal to 1", "[]");
  if (items && items->size() > kMaxTransactItems)
    r.constraint("TransactItems", "Member must have length less than or equal to 100");
  std::vector<store::GetItem> gets;
  if (items && !r.failed()) {
    for (const json::value& entry : *items) {
      const json::object* get = entry.is_object() ? r.object("Get", &entry.get_object()) : nullptr;
      if (!get) {
        if (!r.failed()) r.constraint("TransactItems.member.Get", "Member must not be null");
        break;
      }
      RequestReader gr(*get);
      auto table = gr.table_name("TableName", RequestReader::TableNameOf::kItems);
      auto key = gr.item("Key");
      if (!key && !gr.failed()) gr.constraint("Key", "Member must not be null");
      Expressions expressions(gr);
      auto projection = expressions.projection("ProjectionExpression");
      expressions.finish();
      if (auto e = gr.error()) return respond(*e);
      gets.push_back({*table, std::move(*key), projection});
    }
  }
  if (auto e = r.error()) return respond(*e);
  auto results = c.engine.transact_get(gets);
  if (!results) return respond(from_store(std::move(results.error())));
  std::string out = "{\"Responses\":[";
  for (size_t i = 0; i < results->size(); ++i) {
    if (i > 0) out += ',';
    const store::GetResult& got = (*results)[i];
    out += got.item_json ? "{\"Item\":" + *got.item_json + "}" : "{}";
  }
  out += "]}";
  respond(std::move(out));
}

void transact_write_items(const OperationContext& c, const json::object& body, Respond& respond) {
  using Kind = store::TransactAction::Kind;
  RequestReader r(body);
  auto token = r.string("ClientRequestToken");
  if (token && token->size() > 36)
    r.constraint("ClientRequestToken", "Member must have length less than or equal to 36", *token);
  if (token && token->empty())
    r.constraint("ClientRequestToken", "Member must have length greater than or equal to 1",
                 *token);
  const CapacityReport report = read_capacity_report(r);
  const bool collection_metrics = read_collection_metrics(r);
  const json::array* items = r.array("TransactItems");
  if (!items && !r.failed()) r.constraint("TransactItems", "Member must not be null");
  if (items && items->empty())
    r.constraint("TransactItems", "Member must have length greater than or equal to 1", "[]");
  if (items && items->size() > kMaxTransactItems)
    r.constraint("TransactItems", "Member must have length less than or equal to 100");
  store::TransactWrite request;
  if (items && !r.failed()) {
    for (const json::value& entry : *items) {
      if (!entry.is_object()) {
        r.invalid("Start of list found where not expected");
        break;
      }
      const json::object& o = entry.get_object();
      std::pair<const char*, Kind> kinds[] = {{"Put", Kind::kPut},
                                              {"Update", Kind::kUpdate},
                                              {"Delete", Kind::kDelete},
                                              {"ConditionCheck", Kind::kConditionCheck}};
      const json::object* action_json = nullptr;
      store::TransactAction action;
      int found = 0;
      for (auto [name, kind] : kinds) {
        if (const json::object* a = r.object(name, &o)) {
          action_json = a;
          action.kind = kind;
          ++found;
        }
      }
      if (r.failed()) break;
      if (found != 1) {
        r.invalid("TransactItems can only contain one of Check, Put, Update or Delete");
        break;
      }
      RequestReader ar(*action_json);
      auto table = ar.table_name("TableName", RequestReader::TableNameOf::kItems);
      auto item = action.kind == Kind::kPut ? ar.item("Item") : ar.item("Key");
      if (!item && !ar.failed())
        ar.constraint(action.kind == Kind::kPut ? "Item" : "Key", "Member must not be null");
      action.return_old_on_condition_failure = [&] {
        auto v = ar.enumeration("ReturnValuesOnConditionCheckFailure", {"ALL_OLD", "NONE"});
        return v && *v == "ALL_OLD";
      }();
      Expressions expressions(ar);
      if (action.kind == Kind::kUpdate) {
        action.update = expressions.update("UpdateExpression");
        if (!action.update && !ar.failed())
          ar.constraint("UpdateExpression", "Member must not be null");
      }
      action.condition =
          expressions.condition("ConditionExpression", expr::ConditionKind::kCondition);
      if (action.kind == Kind::kConditionCheck && !action.condition && !ar.failed())
        ar.constraint("ConditionExpression", "Member must not be null");
      expressions.finish();
      if (auto e = ar.error()) return respond(*e);
      action.table = *table;
      action.item = std::move(*item);
      request.actions.push_back(std::move(action));
    }
  }
  if (auto e = r.error()) return respond(*e);
  // The items sent (a Put's item, the others' keys) against DynamoDB's 4 MB per transaction.
  // DynamoDB's own text for this refusal is not captured anywhere; this one says what and why.
  size_t total = 0;
  for (const store::TransactAction& a : request.actions)
    total += store::item_size(a.item);
  if (total > kMaxTransactBytes)
    return respond(validation("The items of the transaction total " + std::to_string(total) +
                              " bytes, more than the 4 MB DynamoDB allows in one transaction"));
  request.token = token;
  // What identifies the request behind its token: the actions as sent.
  if (token) request.request_digest = aws::sha256_hex(json::serialize(*items));
  const std::string first_table = request.actions.front().table;
  std::string metrics;
  if (collection_metrics) {
    std::vector<std::pair<std::string_view, const store::Item*>> writes;
    for (const store::TransactAction& a : request.actions) {
      if (a.kind != Kind::kConditionCheck) writes.emplace_back(a.table, &a.item);
    }
    metrics = collection_metrics_by_table(c, writes);
  }
  c.engine.transact_write(
      std::move(request), [report, first_table, metrics,
                           respond](store::DbResult<store::TransactWriteResult> result) mutable {
        if (!result) return respond(from_store(std::move(result.error())));
        std::string out = "{";
        if (report != CapacityReport::kNone) {
          // A transactional write costs two units per KB (one to prepare, one to commit).
          out += "\"ConsumedCapacity\":[" +
                 capacity_object(report, first_table, 2 * write_units(result->consumed_bytes)) +
                 "]";
        }
        if (!metrics.empty())
          out += (out.size() > 1 ? ",\"ItemCollectionMetrics\":" : "\"ItemCollectionMetrics\":") +
                 metrics;
        respond(out + "}");
      });
}

}  // namespace gatehouse::dynamodb_api::detail
