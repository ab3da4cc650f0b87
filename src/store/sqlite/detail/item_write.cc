#include "store/sqlite/detail/item_write.h"

#include "store/expr/projection.h"
#include "store/sqlite/detail/engine_support.h"

namespace gatehouse::store::sqlite::detail {
namespace {

// Binds a key's two BLOBs to ?first and ?first+1.
int bind_key(sqlite3_stmt* stmt, int first, const KeyBytes& key) {
  int rc = bind_blob(stmt, first, key.hash);
  return rc == SQLITE_OK ? bind_blob(stmt, first + 1, key.range) : rc;
}

int step_done(sqlite3_stmt* stmt, int rc) {
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

// Removes the index row of `index_key`, or writes it with the projected item.
int run_index_row(Connection& c, uint64_t statement_key, const std::string& sql,
                  const KeyBytes& index_key, const KeyBytes& key, const std::string* item,
                  size_t size) {
  int rc = SQLITE_OK;
  sqlite3_stmt* stmt = c.statement(statement_key, sql, rc);
  if (!stmt) return rc;
  ResetOnExit reset(stmt);
  rc = bind_key(stmt, 1, index_key);
  if (rc == SQLITE_OK) rc = bind_key(stmt, 3, key);
  if (item) {
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 5, hash_key_hash(index_key.hash));
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 6, static_cast<int64_t>(size));
    if (rc == SQLITE_OK)
      rc = sqlite3_bind_text64(stmt, 7, item->data(), item->size(), SQLITE_STATIC, SQLITE_UTF8);
  }
  return step_done(stmt, rc);
}

// Replaces the index entries of `old_item` with those of `new_item` (either may be absent), and
// notes what each index was charged.
int update_indexes(Connection& c, const TableEntry& table, const KeyBytes& key,
                   const std::optional<Item>& old_item, const std::optional<Item>& new_item,
                   std::vector<IndexCharge>& charges) {
  for (const IndexEntry& index : table.indexes) {
    const IndexDefinition& definition = *index.definition;
    std::optional<KeyBytes> old_key, new_key;
    if (old_item) old_key = index_key(definition, *old_item);
    if (new_item) new_key = index_key(definition, *new_item);
    if (!old_key && !new_key) continue;
    size_t charged = 0;
    int rc = SQLITE_OK;
    if (old_key) {
      charged = item_size(project_for_index(table.definition, definition, *old_item));
      rc = run_index_row(c, index.remove_key, index.remove, *old_key, key, nullptr, 0);
    }
    if (rc != SQLITE_OK) return rc;
    if (new_key) {
      const Item projected = project_for_index(table.definition, definition, *new_item);
      const std::string text = encode_item(projected);
      const size_t size = item_size(projected);
      charged = std::max(charged, size);
      rc = run_index_row(c, index.insert_key, index.insert, *new_key, key, &text, size);
      if (rc != SQLITE_OK) return rc;
    }
    charges.push_back({definition.name, index.global, charged});
  }
  return SQLITE_OK;
}

int write_item(Connection& c, const TableEntry& table, const KeyBytes& key, const std::string& text,
               size_t size) {
  int rc = SQLITE_OK;
  sqlite3_stmt* stmt = c.statement(table.upsert_key, table.upsert, rc);
  if (!stmt) return rc;
  ResetOnExit reset(stmt);
  rc = bind_key(stmt, 1, key);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 3, hash_key_hash(key.hash));
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 4, static_cast<int64_t>(size));
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_text64(stmt, 5, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
  return step_done(stmt, rc);
}

int erase_item(Connection& c, const TableEntry& table, const KeyBytes& key) {
  int rc = SQLITE_OK;
  sqlite3_stmt* stmt = c.statement(table.remove_key, table.remove, rc);
  if (!stmt) return rc;
  ResetOnExit reset(stmt);
  return step_done(stmt, bind_key(stmt, 1, key));
}

// The row of `key`: SQLITE_ROW with the statement on it, SQLITE_DONE when there is none.
int find_row(Connection& c, const TableEntry& table, const KeyBytes& key, sqlite3_stmt*& stmt) {
  int rc = SQLITE_OK;
  stmt = c.statement(table.get_key, table.get, rc);
  if (!stmt) return rc;
  rc = bind_key(stmt, 1, key);
  return rc == SQLITE_OK ? sqlite3_step(stmt) : rc;
}

}  // namespace

int read_stored(Connection& c, const TableEntry& table, const KeyBytes& key,
                std::optional<Item>& out, bool& damaged) {
  sqlite3_stmt* stmt = nullptr;
  int rc = find_row(c, table, key, stmt);
  if (!stmt) return rc;
  ResetOnExit reset(stmt);
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

int ItemWrite::apply(Connection& c) {
  while (table->successor)
    table = table->successor;  // its definition changed since the write was planned
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
  if (new_item) {
    const std::string text = encode_item(*new_item);
    rc = write_item(c, *table, key, text, item_size(*new_item));
  } else if (old_item) {
    rc = erase_item(c, *table, key);
  }
  if (rc == SQLITE_OK && !table->indexes.empty())
    rc = update_indexes(c, *table, key, old_item, new_item, index_charges);
  return rc;
}

int read_for_get(Connection& c, const TableEntry& table, const KeyBytes& key,
                 const expr::Projection* projection, GetResult& out, bool& damaged) {
  sqlite3_stmt* stmt = nullptr;
  int rc = find_row(c, table, key, stmt);
  if (!stmt) return rc;
  ResetOnExit reset(stmt);
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
