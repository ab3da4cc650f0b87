#include "store/sqlite/detail/table_entry.h"

namespace gatehouse::store::sqlite::detail {

void TableEntry::prepare_sql() {
  sql_table = "t" + std::to_string(id);
  get = "SELECT item, size FROM " + sql_table + " WHERE pk = ?1 AND sk = ?2";
  upsert = "INSERT INTO " + sql_table +
           " (pk, sk, h, size, item) VALUES (?1, ?2, ?3, ?4, ?5)"
           " ON CONFLICT (pk, sk) DO UPDATE SET size = excluded.size, item = excluded.item";
  remove = "DELETE FROM " + sql_table + " WHERE pk = ?1 AND sk = ?2";
  // A table's statements are numbered in its own range of keys.
  const uint64_t base = static_cast<uint64_t>(id) << 16;
  get_key = base;
  upsert_key = base + 1;
  remove_key = base + 2;
  indexes.clear();
  size_t n = 0;
  for (const auto* list : {&definition.global_indexes, &definition.local_indexes}) {
    for (const IndexDefinition& index : *list) {
      IndexEntry e{
          &index, list == &definition.global_indexes, base + 8 + 2 * n, base + 9 + 2 * n, {}, {},
          {}};
      e.sql_table = sql_table + "_x" + std::to_string(n++);
      e.insert = "INSERT OR REPLACE INTO " + e.sql_table +
                 " (ipk, isk, pk, sk, h, size, item) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
      e.remove =
          "DELETE FROM " + e.sql_table + " WHERE ipk = ?1 AND isk = ?2 AND pk = ?3 AND sk = ?4";
      indexes.push_back(std::move(e));
    }
  }
}

std::string TableEntry::create_sql() const {
  std::string sql = "CREATE TABLE " + sql_table +
                    " (pk BLOB NOT NULL, sk BLOB NOT NULL, h INTEGER NOT NULL,"
                    " size INTEGER NOT NULL, item TEXT NOT NULL);"
                    "CREATE UNIQUE INDEX " +
                    sql_table + "_key ON " + sql_table + " (pk, sk);";
  for (const IndexEntry& index : indexes) {
    sql += "CREATE TABLE " + index.sql_table +
           " (ipk BLOB NOT NULL, isk BLOB NOT NULL, pk BLOB NOT NULL, sk BLOB NOT NULL,"
           " h INTEGER NOT NULL, size INTEGER NOT NULL, item TEXT NOT NULL);"
           "CREATE UNIQUE INDEX " +
           index.sql_table + "_key ON " + index.sql_table + " (ipk, isk, pk, sk);";
  }
  return sql;
}

std::string TableEntry::drop_sql() const {
  std::string sql = "DROP TABLE IF EXISTS " + sql_table + ";";
  for (const IndexEntry& index : indexes)
    sql += "DROP TABLE IF EXISTS " + index.sql_table + ";";
  return sql;
}

}  // namespace gatehouse::store::sqlite::detail
