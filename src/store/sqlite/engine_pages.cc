// Query and Scan: one page of a table or an index in key order (a Scan's parallel segments are
// shares of the hash keys' hash range), ending at Limit items evaluated or 1 MB read, as DynamoDB
// pages.
#include <algorithm>
#include <optional>

#include "store/expr/evaluate.h"
#include "store/expr/key_condition.h"
#include "store/expr/projection.h"
#include "store/sqlite/detail/database.h"
#include "store/sqlite/detail/engine_support.h"
#include "store/sqlite/detail/item_write.h"
#include "store/sqlite/detail/table_entry.h"
#include "store/sqlite/engine.h"

namespace gatehouse::store::sqlite {

using detail::bind_blob;
using detail::Connection;
using detail::IndexEntry;
using detail::ResetOnExit;
using detail::TableEntry;

namespace {

// DynamoDB's page: reading stops once this many bytes of items were read.
constexpr size_t kMaxPageBytes = 1024 * 1024;
constexpr std::string_view kBadStartKey = "The provided starting key is invalid: ";

struct Bound {
  std::string bytes;
  bool inclusive = true;
};

// What a page reads: the SQL table, its key columns, and the range of rows.
struct Plan {
  const IndexEntry* index = nullptr;  // null: the table itself
  std::string hash;                   // Query: the hash key's bytes
  std::optional<Bound> lower, upper;  // Query: on the range key
  bool segmented = false;             // Scan: only the items whose `h` is in [h_low, h_high]
  uint32_t h_low = 0, h_high = UINT32_MAX;
  // The row to continue after (ExclusiveStartKey), as the key columns in order.
  std::vector<std::string> after;
};

// Whether an index holds every attribute `paths` start with: the table's and the index's keys,
// and the projection's.
bool projects_all(const TableDefinition& table, const IndexDefinition& index,
                  const std::vector<expr::Path>& paths) {
  for (const expr::Path& path : paths) {
    const std::string& name = path.attribute();
    const bool key =
        name == table.key.hash.name || (table.key.range && name == table.key.range->name) ||
        name == index.key.hash.name || (index.key.range && name == index.key.range->name);
    const auto& included = index.projection.non_key_attributes;
    const bool projected = index.projection.type == ProjectionType::kInclude &&
                           std::find(included.begin(), included.end(), name) != included.end();
    if (!key && !projected) return false;
  }
  return true;
}

std::string successor(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xff)
    prefix.pop_back();
  if (!prefix.empty())
    prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

// The key attributes a page's LastEvaluatedKey holds: the table's, and the index's when reading
// one.
std::vector<const KeyElement*> page_key_elements(const TableDefinition& table,
                                                 const IndexDefinition* index) {
  std::vector<const KeyElement*> out{&table.key.hash};
  if (table.key.range) out.push_back(&*table.key.range);
  if (index) {
    auto add = [&](const KeyElement& e) {
      for (const KeyElement* k : out) {
        if (k->name == e.name) return;
      }
      out.push_back(&e);
    };
    add(index->key.hash);
    if (index->key.range) add(*index->key.range);
  }
  return out;
}

// ExclusiveStartKey: exactly the page's key attributes, of their types. Query words its refusals
// apart from Scan, as DynamoDB does.
std::optional<std::string> read_start_key(const TableDefinition& table,
                                          const IndexDefinition* index, const Item& start,
                                          Plan& plan, bool is_query) {
  auto elements = page_key_elements(table, index);
  const std::string invalid =
      is_query ? std::string("The provided starting key is invalid")
               : std::string(kBadStartKey) + "The provided key element does not match the schema";
  if (start.size() != elements.size()) return invalid;
  for (const KeyElement* e : elements) {
    auto it = start.find(e->name);
    if (it == start.end()) return invalid;
    if (it->second.type() != e->type)
      return is_query ? std::string("The provided key element does not match the schema") : invalid;
  }
  auto bytes = [&](const KeyElement& e) { return key_bytes(start.at(e.name)); };
  if (plan.segmented) {
    // A parallel Scan's segment continues only from one of its own keys.
    const uint32_t h = detail::hash_key_hash(bytes(index ? index->key.hash : table.key.hash));
    if (h < plan.h_low || h > plan.h_high)
      return std::string(
          "The provided Exclusive start key does not map to the provided Segment and "
          "TotalSegments values.");
  }
  if (is_query) {
    // Within the partition and the range the key condition reads.
    const KeySchema& order = index ? index->key : table.key;
    const std::string outside =
        "The provided starting key is outside query boundaries based on provided conditions";
    if (bytes(order.hash) != plan.hash) return outside;
    if (order.range) {
      const std::string sk = bytes(*order.range);
      if (plan.lower && (plan.lower->inclusive ? sk < plan.lower->bytes : sk <= plan.lower->bytes))
        return outside;
      if (plan.upper && (plan.upper->inclusive ? sk > plan.upper->bytes : sk >= plan.upper->bytes))
        return outside;
    }
  }
  if (index) {
    if (!is_query) plan.after.push_back(bytes(index->key.hash));
    plan.after.push_back(index->key.range ? bytes(*index->key.range) : std::string());
    plan.after.push_back(bytes(table.key.hash));
    plan.after.push_back(table.key.range ? bytes(*table.key.range) : std::string());
  } else {
    if (!is_query) plan.after.push_back(bytes(table.key.hash));
    plan.after.push_back(table.key.range ? bytes(*table.key.range) : std::string());
  }
  return std::nullopt;
}

// Matches a KeyConditionExpression to the key schema it reads: the partition and the range of
// sort-key bytes.
std::optional<std::string> plan_query(const KeySchema& key, const expr::KeyCondition& condition,
                                      Plan& plan) {
  std::optional<expr::KeyAttribute> range_attribute;
  if (key.range) range_attribute = expr::KeyAttribute{key.range->name, key.range->type};
  auto bound = expr::bind_key_condition(condition, {key.hash.name, key.hash.type}, range_attribute);
  if (!bound) return std::move(bound.error());
  plan.hash = key_bytes(bound->hash);
  if (!bound->range) return std::nullopt;
  const expr::KeyCondition::Term& range = *bound->range;
  using Op = expr::KeyCondition::Op;
  auto value = [&](size_t i) { return key_bytes(range.values[i]); };
  switch (range.op) {
    case Op::kEq:
      plan.lower = Bound{value(0), true};
      plan.upper = Bound{value(0), true};
      break;
    case Op::kLt:
      plan.upper = Bound{value(0), false};
      break;
    case Op::kLe:
      plan.upper = Bound{value(0), true};
      break;
    case Op::kGt:
      plan.lower = Bound{value(0), false};
      break;
    case Op::kGe:
      plan.lower = Bound{value(0), true};
      break;
    case Op::kBetween:
      plan.lower = Bound{value(0), true};
      plan.upper = Bound{value(1), true};
      break;
    case Op::kBeginsWith: {
      // Bytes that begin with the prefix sort from it up to (not including) its successor.
      plan.lower = Bound{value(0), true};
      std::string next = successor(value(0));
      if (!next.empty()) plan.upper = Bound{std::move(next), false};
      break;
    }
  }
  return std::nullopt;
}

std::string query_sql(const TableEntry& table, const Plan& plan, bool forward) {
  const bool index = plan.index != nullptr;
  const std::string pk = index ? "ipk" : "pk";
  const std::string sk = index ? "isk" : "sk";
  std::string sql = "SELECT item, size FROM " + (index ? plan.index->sql_table : table.sql_table) +
                    " WHERE " + pk + " = ?1";
  if (plan.lower) sql += " AND " + sk + (plan.lower->inclusive ? " >= ?2" : " > ?2");
  if (plan.upper) sql += " AND " + sk + (plan.upper->inclusive ? " <= ?3" : " < ?3");
  if (!plan.after.empty()) {
    sql += std::string(" AND ") + (index ? "(isk, pk, sk)" : "sk") + (forward ? " > " : " < ") +
           (index ? "(?4, ?5, ?6)" : "?4");
  }
  const std::string dir = forward ? " ASC" : " DESC";
  sql += index ? " ORDER BY isk" + dir + ", pk" + dir + ", sk" + dir : " ORDER BY sk" + dir;
  return sql;
}

std::string scan_sql(const TableEntry& table, const Plan& plan) {
  const bool index = plan.index != nullptr;
  const std::string columns = index ? "ipk, isk, pk, sk" : "pk, sk";
  std::string sql =
      "SELECT item, size FROM " + (index ? plan.index->sql_table : table.sql_table) + " WHERE 1";
  if (plan.segmented) sql += " AND h BETWEEN ?1 AND ?2";
  if (!plan.after.empty())
    sql += " AND (" + columns + ") > (?3, ?4" + std::string(index ? ", ?5, ?6)" : ")");
  sql += " ORDER BY " + columns;
  return sql;
}

int bind_plan(sqlite3_stmt* stmt, const Plan& plan, bool is_query) {
  int rc = SQLITE_OK;
  const int first_after = is_query ? 4 : 3;
  if (is_query) {
    rc = bind_blob(stmt, 1, plan.hash);
    if (rc == SQLITE_OK && plan.lower) rc = bind_blob(stmt, 2, plan.lower->bytes);
    if (rc == SQLITE_OK && plan.upper) rc = bind_blob(stmt, 3, plan.upper->bytes);
  } else if (plan.segmented) {
    rc = sqlite3_bind_int64(stmt, 1, plan.h_low);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 2, plan.h_high);
  }
  for (size_t i = 0; rc == SQLITE_OK && i < plan.after.size(); ++i)
    rc = bind_blob(stmt, static_cast<int>(first_after + i), plan.after[i]);
  return rc;
}

// Replaces an LSI's projected item with the table's item it stands for, read on the same snapshot.
int read_base_item(Connection& c, const TableEntry& table, Item& item, bool& damaged) {
  const KeySchema& key_schema = table.definition.key;
  auto key = check_key(key_schema, key_attributes(key_schema, item));
  if (!key) return SQLITE_OK;
  std::optional<Item> stored;
  int rc = detail::read_stored(c, table, *key, stored, damaged);
  if (rc == SQLITE_OK && stored) item = std::move(*stored);
  return rc;
}

}  // namespace

DbResult<PageResult> Engine::query(const Query& request) {
  auto table = entry(request.table);
  if (!table) return detail::table_not_found();
  return read_page(*table, request, &request, nullptr);
}

DbResult<PageResult> Engine::scan(const Scan& request) {
  auto table = entry(request.table);
  if (!table) return detail::table_not_found();
  return read_page(*table, request, nullptr, &request);
}

DbResult<PageResult> Engine::read_page(const TableEntry& table, const ReadPage& request,
                                       const Query* query, const Scan* scan) {
  const TableDefinition& definition = table.definition;
  Plan plan;
  const IndexDefinition* index = nullptr;
  if (request.index) {
    for (const IndexEntry& e : table.indexes) {
      if (e.definition->name == *request.index) plan.index = &e;
    }
    if (!plan.index)
      return validation_error("The table does not have the specified index: " + *request.index);
    index = plan.index->definition;
    if (plan.index->global && request.consistent_read)
      return validation_error("Consistent reads are not supported on global secondary indexes");
    if (plan.index->global && request.select == Select::kAllAttributes &&
        index->projection.type != ProjectionType::kAll)
      return validation_error(
          "One or more parameter values were invalid: Select type "
          "ALL_ATTRIBUTES is not supported for global secondary index " +
          index->name + " because its projection type is not ALL");
  } else if (request.select == Select::kAllProjected) {
    return validation_error(
        "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
  }
  if (query) {
    if (!query->key_condition)
      return validation_error(
          "Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
          "request.");
    const KeySchema& key = index ? index->key : definition.key;
    if (auto problem = plan_query(key, *query->key_condition, plan))
      return validation_error(std::move(*problem));
    if (request.filter) {
      std::optional<expr::KeyAttribute> range;
      if (key.range) range = expr::KeyAttribute{key.range->name, key.range->type};
      if (auto problem =
              expr::key_attribute_in_filter(*request.filter, {key.hash.name, key.hash.type}, range))
        return validation_error(std::move(*problem));
    }
  }
  if (scan && scan->total_segments) {
    const uint64_t total = *scan->total_segments;
    const uint64_t segment = *scan->segment;
    plan.segmented = true;
    plan.h_low = static_cast<uint32_t>((segment << 32) / total);
    plan.h_high = static_cast<uint32_t>((((segment + 1) << 32) / total) - 1);
  }
  if (request.exclusive_start) {
    if (auto problem =
            read_start_key(definition, index, *request.exclusive_start, plan, query != nullptr))
      return validation_error(std::move(*problem));
  }
  const bool forward = query ? query->forward : true;
  const std::string sql = query ? query_sql(table, plan, forward) : scan_sql(table, plan);
  // An LSI read for all attributes, or for one the index does not project, fetches each item from
  // the table, as DynamoDB does (a GSI has only what it projects).
  const bool fetch_base =
      index && !plan.index->global && index->projection.type != ProjectionType::kAll &&
      (request.select == Select::kAllAttributes ||
       (request.projection && !projects_all(definition, *index, request.projection->paths)));
  const bool need_item = request.filter || request.projection || fetch_base;

  const size_t page_cap =
      request.max_page_bytes != 0 ? std::min(request.max_page_bytes, kMaxPageBytes) : kMaxPageBytes;
  PageResult page;
  bool damaged = false;
  bool more = false;      // the page ended before the rows did: LastEvaluatedKey follows
  std::string last_text;  // the last item evaluated, as stored
  auto failure = db_->read([&](Connection& c) {
    int rc = SQLITE_OK;
    sqlite3_stmt* stmt = c.statement(sql, rc);
    if (!stmt) return rc;
    ResetOnExit reset(stmt);
    rc = bind_plan(stmt, plan, query != nullptr);
    if (rc != SQLITE_OK) return rc;
    bool full = false;  // 1 MB read: the page ends if another row follows
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      if (full) {
        more = true;
        return SQLITE_DONE;
      }
      ++page.scanned_count;
      page.read_bytes += static_cast<size_t>(sqlite3_column_int64(stmt, 1));
      std::string_view stored = detail::column_view(stmt, 0);
      last_text.assign(stored);
      if (!need_item) {
        ++page.count;
        if (request.select != Select::kCount) page.items_json.emplace_back(stored);
      } else {
        Item item;
        if (!detail::decode_item(stored, item)) {
          damaged = true;
          return SQLITE_DONE;
        }
        if (fetch_base) {
          rc = read_base_item(c, table, item, damaged);
          if (rc != SQLITE_OK || damaged) return rc == SQLITE_OK ? SQLITE_DONE : rc;
        }
        if (!request.filter || expr::matches(*request.filter, item)) {
          ++page.count;
          if (request.select == Select::kCount) {
            // Counted only.
          } else if (request.projection) {
            page.items_json.push_back(
                detail::encode_item(expr::project(item, request.projection->paths)));
          } else {
            page.items_json.push_back(fetch_base ? detail::encode_item(item) : std::string(stored));
          }
        }
      }
      // DynamoDB names the last item evaluated whenever Limit ends the page, whether or not
      // more follow.
      if (request.limit && page.scanned_count >= *request.limit) {
        more = true;
        return SQLITE_DONE;
      }
      if (page.read_bytes >= page_cap) full = true;
    }
    return rc;
  });
  if (failure) return detail::read_failure(*failure, table);
  if (damaged) return detail::damaged_item();
  if (more) {
    Item last;
    if (!detail::decode_item(last_text, last)) return detail::damaged_item();
    Item key;
    for (const KeyElement* e : page_key_elements(definition, index)) {
      auto it = last.find(e->name);
      if (it != last.end()) key.insert(*it);
    }
    page.last_evaluated_key = std::move(key);
  }
  return page;
}

}  // namespace gatehouse::store::sqlite
