// ReturnItemCollectionMetrics: the size of the item collection a write touched (the items sharing
// its hash key value), which DynamoDB reports for tables with a local secondary index, where a
// collection is limited to 10 GB.
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "core/json_text.h"
#include "dynamodb_api/operations/handlers.h"
#include "store/json_codec.h"

namespace gatehouse::dynamodb_api::detail {

bool read_collection_metrics(RequestReader& r) {
  auto value = r.enumeration("ReturnItemCollectionMetrics", {"SIZE", "NONE"});
  return value && *value == "SIZE";
}

std::string item_collection_metrics(const OperationContext& c, std::string_view table,
                                    const store::Item& item) {
  auto bytes = c.engine.item_collection_bytes(table, item);
  // A failed read leaves the estimate out rather than failing a write that may succeed.
  if (!bytes || !bytes->has_value()) return {};
  auto definition = c.engine.find_table(table);
  if (!definition) return {};
  const std::string& hash = definition->key.hash.name;
  std::string out = "{\"ItemCollectionKey\":";
  store::append_item_json(out, store::Item{{hash, item.at(hash)}});
  // DynamoDB's estimate is a range of whole gigabytes around the collection's size.
  const double low = std::floor(static_cast<double>(**bytes) / (1024.0 * 1024.0 * 1024.0));
  out += fmt::format(",\"SizeEstimateRangeGB\":[{:.1f},{:.1f}]}}", low, low + 1);
  return out;
}

std::string collection_metrics_by_table(
    const OperationContext& c,
    const std::vector<std::pair<std::string_view, const store::Item*>>& writes) {
  std::map<std::string_view, std::string> by_table;
  for (const auto& [table, item] : writes) {
    std::string metrics = item_collection_metrics(c, table, *item);
    if (metrics.empty()) continue;
    std::string& list = by_table[table];
    if (!list.empty()) list += ',';
    list += metrics;
  }
  if (by_table.empty()) return {};
  std::string out = "{";
  for (const auto& [table, list] : by_table) {
    if (out.size() > 1) out += ',';
    core::append_json_string(out, table);
    out += ":[" + list + "]";
  }
  out += "}";
  return out;
}

}  // namespace gatehouse::dynamodb_api::detail
