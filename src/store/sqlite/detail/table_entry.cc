#include "store/sqlite/detail/table_entry.h"

namespace gatehouse::store::sqlite::detail {

void TableEntry::prepare_sql() {
  sql_table = "t" + std::to_string(id);
  get = "SELECT item, size FROM " + sql_table + " WHERE h = ?1 AND pk = ?2 AND sk = ?3";
  upsert = "INSERT INTO " + sql_table +
           " (h, pk, sk, size, item) VALUES (?1, ?2, ?3, ?4, ?5)"
           " ON CONFLICT (h, pk, sk) DO UPDATE SET size = excluded.size, item = excluded.item";
  remove = "DELETE FROM " + sql_table + " WHERE h = ?1 AND pk = ?2 AND sk = ?3";
  indexes.clear();
  size_t n = 0;
  for (const auto* list : {&definition.global_indexes, &definition.local_indexes}) {
    for (const IndexDefinition& index : *list) {
      IndexEntry e{&index, list == &definition.global_indexes, {}, {}, {}};
      e.sql_table = sql_table + "_x" + std::to_string(n++);
      e.insert = "INSERT OR REPLACE INTO " + e.sql_table +
                 " (h, ipk, isk, pk, sk, size, item) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
      e.remove = "DELETE FROM " + e.sql_table +
                 " WHERE h = ?1 AND ipk = ?2 AND isk = ?3 AND pk = ?4 AND sk = ?5";
      indexes.push_back(std::move(e));
    }
  }
}

std::string TableEntry::create_sql() const {
  std::string sql = "CREATE TABLE " + sql_table +
                    " (h INTEGER NOT NULL, pk BLOB NOT NULL, sk BLOB NOT NULL,"
                    " size INTEGER NOT NULL, item TEXT NOT NULL);"
                    "CREATE UNIQUE INDEX " +
                    sql_table + "_key ON " + sql_table + " (h, pk, sk);";
  for (const IndexEntry& index : indexes) {
    sql += "CREATE TABLE " + index.sql_table +
           " (h INTEGER NOT NULL, ipk BLOB NOT NULL, isk BLOB NOT NULL, pk BLOB NOT NULL,"
           " sk BLOB NOT NULL, size INTEGER NOT NULL, item TEXT NOT NULL);"
           "CREATE UNIQUE INDEX " +
           index.sql_table + "_key ON " + index.sql_table + " (h, ipk, isk, pk, sk);";
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
