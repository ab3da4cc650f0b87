// One item's write inside the writer's transaction, as a function of the item as committed so
// far: read the stored item, decide (a condition, an update expression), write the new item or
// delete it, and keep the table's index entries in step. What PutItem, UpdateItem, DeleteItem and
// each action of a transaction share. Internal to store/sqlite.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "store/operations.h"
#include "store/sqlite/detail/database.h"
#include "store/sqlite/detail/table_entry.h"

namespace gatehouse::store::sqlite::detail {

// The new item given the old one (either may be absent): nullopt deletes; the error refuses.
using Decide = std::function<DbResult<std::optional<Item>>(const std::optional<Item>& old)>;

struct ItemWrite {
  std::shared_ptr<const TableEntry> table;
  KeyBytes key;
  Decide decide;
  // false for a ConditionCheck: the decision is taken and nothing is written.
  bool writes = true;

  // Set by apply().
  std::optional<Item> old_item = {};
  std::optional<Item> new_item = {};
  std::optional<DbError> refusal = {};
  std::vector<IndexCharge> index_charges = {};

  // Runs on the writer's connection: SQLITE_OK when the write was applied or refused (then
  // `refusal` says why and nothing was written), else the storage failure.
  int apply(Connection& c);
};

// The stored item at `key` (nullopt when there is none); `damaged` when it does not read back.
int read_stored(Connection& c, const TableEntry& table, const KeyBytes& key,
                std::optional<Item>& out, bool& damaged);

// GetItem's read: the stored DynamoDB JSON as it is, or projected; nothing when absent.
// SQLITE_OK or SQLITE_DONE when read; `damaged` when a projection could not decode the item.
int read_for_get(Connection& c, const TableEntry& table, const KeyBytes& key,
                 const expr::Projection* projection, GetResult& out, bool& damaged);

}  // namespace gatehouse::store::sqlite::detail
