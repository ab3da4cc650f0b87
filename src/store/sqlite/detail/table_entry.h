// A DynamoDB table as the engine holds it: its definition, its SQL tables and the SQL text of the
// statements it runs on them (prepared and cached per connection, by text). Internal to
// store/sqlite.
//
// Layout. Items: t<id>(pk, sk, h, size, item) with a unique index on (pk, sk): `pk` and `sk` are
// key bytes (store/schema.h, memcmp-ordered BLOBs; `sk` empty without a range key), `h` a stable
// 32-bit hash of `pk` that assigns the item to a parallel scan's segment, `size` the item's
// DynamoDB size and `item` its DynamoDB JSON. A scan reads in key order (the order crud lists
// promise); a segment is the items whose `h` falls in its share of the hash range. Each
// secondary index: "t<id>_i_<index name>"(ipk, isk, pk, sk, h, size, item) keyed on (ipk, isk,
// pk, sk), holding the projected item of every item that has the index's key attributes.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/schema.h"

namespace gatehouse::store::sqlite::detail {

// FNV-1a over the hash key's bytes: stable across builds and platforms, as stored data needs.
inline uint32_t hash_key_hash(std::string_view bytes) {
  uint32_t h = 2166136261u;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

struct IndexEntry {
  const IndexDefinition* definition = nullptr;  // into TableEntry::definition
  bool global = true;
  uint64_t insert_key = 0, remove_key = 0;  // Connection::statement keys of the two below
  std::string sql_table = {};               // "t<id>_i_<index name>", quoted
  std::string sql_key_index = {};           // its unique index, quoted
  std::string insert = {};                  // ?1 ipk, ?2 isk, ?3 pk, ?4 sk, ?5 h, ?6 size, ?7 item
  std::string remove = {};                  // ?1 ipk, ?2 isk, ?3 pk, ?4 sk
};

struct TableEntry {
  TableDefinition definition;
  int64_t id = 0;
  std::string sql_table;            // t<id>
  std::string get;                  // ?1 h, ?2 pk, ?3 sk -> item, size
  std::string upsert;               // ?1 h, ?2 pk, ?3 sk, ?4 size, ?5 item
  std::string remove;               // ?1 h, ?2 pk, ?3 sk
  std::vector<IndexEntry> indexes;  // global ones first, in definition order
  // Connection::statement keys of get, upsert and remove, in a range no other entry uses.
  uint64_t get_key = 0, upsert_key = 0, remove_key = 0;
  // Set by the writer while its transaction drops the table (reset if that transaction fails):
  // writes queued for the table before then find it gone.
  std::atomic<bool> dropped{false};
  // Set by the writer while its transaction replaces this entry's definition (reset if that
  // transaction fails): writes queued for the old entry run on the new one. Writer thread only.
  std::shared_ptr<const TableEntry> successor;

  // Requires: `definition` final (indexes point into it). Builds the SQL texts.
  void prepare_sql();
  // The statements creating the SQL tables, and dropping them.
  std::string create_sql() const;
  std::string drop_sql() const;
  // Creating one index's SQL table.
  static std::string create_index_sql(const IndexEntry& index);
};

}  // namespace gatehouse::store::sqlite::detail
