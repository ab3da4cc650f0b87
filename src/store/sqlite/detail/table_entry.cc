#include "store/sqlite/detail/table_entry.h"

#include <atomic>

namespace gatehouse::store::sqlite::detail {
namespace {

// Every prepared entry numbers its statements in a range of its own: an entry that replaces
// another (a changed definition) never finds the statements of the one before.
std::atomic<uint64_t> next_epoch{1};

}  // namespace

void TableEntry::prepare_sql() {
  sql_table = "t" + std::to_string(id);
  get = "SELECT item, size FROM " + sql_table + " WHERE pk = ?1 AND sk = ?2";
  upsert = "INSERT INTO " + sql_table +
           " (pk, sk, h, size, item) VALUES (?1, ?2, ?3, ?4, ?5)"
           " ON CONFLICT (pk, sk) DO UPDATE SET size = excluded.size, item = excluded.item";
  remove = "DELETE FROM " + sql_table + " WHERE pk = ?1 AND sk = ?2";
  const uint64_t base = next_epoch.fetch_add(1, std::memory_order_relaxed) << 16;
  get_key = base;
  upsert_key = base + 1;
  remove_key = base + 2;
  indexes.clear();
  size_t n = 0;
  for (const auto* list : {&definition.global_indexes, &definition.local_indexes}) {
    for (const IndexDefinition& index : *list) {
      IndexEntry e{&index, list == &definition.global_indexes, base + 8 + 2 * n, base + 9 + 2 * n};
      // Named after the index, so its table survives other indexes' coming and going; quoted,
      // as index names may hold '.' and '-'.
      e.sql_table = "\"" + sql_table + "_i_" + index.name + "\"";
      e.sql_key_index = "\"" + sql_table + "_i_" + index.name + "_key\"";
      ++n;
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
  for (const IndexEntry& index : indexes)
    sql += create_index_sql(index);
  return sql;
}

std::string TableEntry::create_index_sql(const IndexEntry& index) {
  return "CREATE TABLE " + index.sql_table +
         " (ipk BLOB NOT NULL, isk BLOB NOT NULL, pk BLOB NOT NULL, sk BLOB NOT NULL,"
         " h INTEGER NOT NULL, size INTEGER NOT NULL, item TEXT NOT NULL);"
         "CREATE UNIQUE INDEX " +
         index.sql_key_index + " ON " + index.sql_table + " (ipk, isk, pk, sk);";
}

std::string TableEntry::drop_sql() const {
  std::string sql = "DROP TABLE IF EXISTS " + sql_table + ";";
  for (const IndexEntry& index : indexes)
    sql += "DROP TABLE IF EXISTS " + index.sql_table + ";";
  return sql;
}

}  // namespace gatehouse::store::sqlite::detail
