#include "store/sqlite/detail/item_write.h"

#include "store/expr/projection.h"
#include "store/sqlite/detail/engine_support.h"

namespace gatehouse::store::sqlite::detail {
namespace {

// The stored item at `key`, if any. SQLITE_OK when read (found or not).
}  // namespace

int read_stored(Connection& c, const TableEntry& table, const KeyBytes& key,
                std::optional<Item>& out, bool& damaged) {
  const uint32_t h = hash_key_hash(key.hash);
  int rc = SQLITE_OK;
  sqlite3_stmt* stmt = c.statement(table.get, rc);
  if (!stmt) return rc;
  ResetOnExit reset(stmt);
  rc = sqlite3_bind_int64(stmt, 1, h);
  if (rc == SQLITE_OK) rc = bind_blob(stmt, 2, key.hash);
  if (rc == SQLITE_OK) rc = bind_blob(stmt, 3, key.range);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc == SQLITE_DONE) return SQLITE_OK;
  if (rc != SQLITE_ROW) return rc;
  Item item;
  if (!decode_item(column_view(stmt, 0), item)) {
    damaged = true;
    return SQLITE_OK;
  }
  out = std::move(item);
  return SQLITE_OK;
}

namespace {

int run_index_row(Connection& c, const std::string& sql, const KeyBytes& index_key,
                  const KeyBytes& key, const std::string* item, size_t size) {
  int rc = SQLITE_OK;
  sqlite3_stmt* stmt = c.statement(sql, rc);
  if (!stmt) return rc;
  ResetOnExit reset(stmt);
  rc = sqlite3_bind_int64(stmt, 1, hash_key_hash(index_key.hash));
  if (rc == SQLITE_OK) rc = bind_blob(stmt, 2, index_key.hash);
  if (rc == SQLITE_OK) rc = bind_blob(stmt, 3, index_key.range);
  if (rc == SQLITE_OK) rc = bind_blob(stmt, 4, key.hash);
  if (rc == SQLITE_OK) rc = bind_blob(stmt, 5, key.range);
  if (item && rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 6, static_cast<int64_t>(size));
  if (item && rc == SQLITE_OK)
    rc = sqlite3_bind_text64(stmt, 7, item->data(), item->size(), SQLITE_STATIC, SQLITE_UTF8);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

// Replaces the index entries of `old_item` with those of `new_item` (either may be absent).
int update_indexes(Connection& c, const TableEntry& table, const KeyBytes& key,
                   const std::optional<Item>& old_item, const std::optional<Item>& new_item) {
  for (const IndexEntry& index : table.indexes) {
    std::optional<KeyBytes> old_key, new_key;
    if (old_item) old_key = index_key(*index.definition, *old_item);
    if (new_item) new_key = index_key(*index.definition, *new_item);
    int rc = SQLITE_OK;
    if (old_key) rc = run_index_row(c, index.remove, *old_key, key, nullptr, 0);
    if (rc != SQLITE_OK) return rc;
    if (!new_key) continue;
    const Item projected = project_for_index(table.definition, *index.definition, *new_item);
    const std::string text = encode_item(projected);
    rc = run_index_row(c, index.insert, *new_key, key, &text, item_size(projected));
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

int write_item(Connection& c, const TableEntry& table, const KeyBytes& key, uint32_t h,
               const std::string& text, size_t size) {
  int rc = SQLITE_OK;
  sqlite3_stmt* stmt = c.statement(table.upsert, rc);
  if (!stmt) return rc;
  ResetOnExit reset(stmt);
  rc = sqlite3_bind_int64(stmt, 1, h);
  if (rc == SQLITE_OK) rc = bind_blob(stmt, 2, key.hash);
  if (rc == SQLITE_OK) rc = bind_blob(stmt, 3, key.range);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 4, static_cast<int64_t>(size));
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_text64(stmt, 5, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int erase_item(Connection& c, const TableEntry& table, const KeyBytes& key, uint32_t h) {
  int rc = SQLITE_OK;
  sqlite3_stmt* stmt = c.statement(table.remove, rc);
  if (!stmt) return rc;
  ResetOnExit reset(stmt);
  rc = sqlite3_bind_int64(stmt, 1, h);
  if (rc == SQLITE_OK) rc = bind_blob(stmt, 2, key.hash);
  if (rc == SQLITE_OK) rc = bind_blob(stmt, 3, key.range);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

}  // namespace

int ItemWrite::apply(Connection& c) {
  if (table->dropped.load(std::memory_order_relaxed)) {
    refusal = table_not_found();
    return SQLITE_OK;
  }
  bool damaged = false;
  int rc = read_stored(c, *table, key, old_item, damaged);
  if (rc != SQLITE_OK) return rc;
  if (damaged) {
    refusal = damaged_item();
    return SQLITE_OK;
  }
  auto decided = decide(old_item);
  if (!decided) {
    refusal = std::move(decided.error());
    return SQLITE_OK;
  }
  if (!writes) {
    new_item = old_item;
    return SQLITE_OK;
  }
  new_item = std::move(*decided);
  const uint32_t h = hash_key_hash(key.hash);
  if (new_item) {
    const std::string text = encode_item(*new_item);
    rc = write_item(c, *table, key, h, text, item_size(*new_item));
  } else if (old_item) {
    rc = erase_item(c, *table, key, h);
  }
  if (rc == SQLITE_OK && !table->indexes.empty())
    rc = update_indexes(c, *table, key, old_item, new_item);
  return rc;
}

int read_for_get(Connection& c, const TableEntry& table, const KeyBytes& key,
                 const expr::Projection* projection, GetResult& out, bool& damaged) {
  int rc = SQLITE_OK;
  sqlite3_stmt* stmt = c.statement(table.get, rc);
  if (!stmt) return rc;
  ResetOnExit reset(stmt);
  rc = sqlite3_bind_int64(stmt, 1, hash_key_hash(key.hash));
  if (rc == SQLITE_OK) rc = bind_blob(stmt, 2, key.hash);
  if (rc == SQLITE_OK) rc = bind_blob(stmt, 3, key.range);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc != SQLITE_ROW) return rc;
  out.item_bytes = static_cast<size_t>(sqlite3_column_int64(stmt, 1));
  std::string_view stored = column_view(stmt, 0);
  if (!projection) {
    out.item_json = std::string(stored);  // as stored: already DynamoDB JSON
    return SQLITE_OK;
  }
  Item item;
  if (!decode_item(stored, item)) {
    damaged = true;
    return SQLITE_OK;
  }
  out.item_json = encode_item(expr::project(item, projection->paths));
  return SQLITE_OK;
}

}  // namespace gatehouse::store::sqlite::detail
