// What the engine's operation files share: store errors in DynamoDB's terms, items to and from
// their stored DynamoDB JSON, and binding key bytes. Internal to store/sqlite.
#pragma once

#include <sqlite3.h>

#include <string>
#include <string_view>

#include "store/operations.h"
#include "store/sqlite/detail/table_entry.h"
#include "store/store_error.h"

namespace gatehouse::store::sqlite::detail {

// A storage failure as the engine reports it: a full write queue is a throttle, a damaged file
// kDamaged, the other unavailable causes kUnavailable, the rest kInternal.
DbError db_error(const StoreError& error);
// A read's failure: not found when its table was dropped meanwhile, else db_error.
DbError read_failure(const StoreError& error, const TableEntry& table);
DbError table_not_found();
// A stored item that does not read back: the file is damaged.
DbError damaged_item();

// The stored form of an item: its DynamoDB JSON.
std::string encode_item(const Item& item);
// An item back from its stored form. The text is the engine's own, checked when it was written:
// a failure here means a damaged file, reported as kInternal by the caller.
bool decode_item(std::string_view json, Item& out);

// Key bytes as a BLOB (TEXT and BLOB never compare equal in SQLite); the bytes outlive the step.
inline int bind_blob(sqlite3_stmt* stmt, int index, std::string_view bytes) {
  return sqlite3_bind_blob64(stmt, index, bytes.data() ? bytes.data() : "", bytes.size(),
                             SQLITE_STATIC);
}
inline std::string_view column_blob(sqlite3_stmt* stmt, int column) {
  const void* data = sqlite3_column_blob(stmt, column);
  return {data ? static_cast<const char*>(data) : "",
          static_cast<size_t>(sqlite3_column_bytes(stmt, column))};
}
inline std::string_view column_view(sqlite3_stmt* stmt, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
  return {text ? text : "", static_cast<size_t>(sqlite3_column_bytes(stmt, column))};
}

}  // namespace gatehouse::store::sqlite::detail
