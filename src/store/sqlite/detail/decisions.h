// What PutItem, DeleteItem, UpdateItem and a transaction's ConditionCheck check before they are
// queued (the key against the schema, index keys, sizes, key attributes an update may not touch)
// and how each decides the new item from the old one once the writer runs it. Shared by the
// single-item operations and the actions of TransactWriteItems. Internal to store/sqlite.
#pragma once

#include <memory>

#include "store/operations.h"
#include "store/sqlite/detail/item_write.h"
#include "store/sqlite/detail/table_entry.h"

namespace gatehouse::store::sqlite::detail {

DbResult<ItemWrite> plan_put(std::shared_ptr<const TableEntry> table,
                             std::shared_ptr<const PutItem> request);
DbResult<ItemWrite> plan_delete(std::shared_ptr<const TableEntry> table,
                                std::shared_ptr<const DeleteItem> request);
DbResult<ItemWrite> plan_update(std::shared_ptr<const TableEntry> table,
                                std::shared_ptr<const UpdateItem> request);
// A ConditionCheck: the condition on the item at `key`, nothing written.
DbResult<ItemWrite> plan_check(std::shared_ptr<const TableEntry> table, const Item& key,
                               std::shared_ptr<const expr::Condition> condition,
                               bool return_old_on_condition_failure);

// What the write returns per ReturnValues, given the item before and after.
std::optional<Item> returned_attributes(ReturnValues which, const expr::Update* update,
                                        const std::optional<Item>& old_item,
                                        const std::optional<Item>& new_item);
// The bytes a write is charged for: the larger of the old and new item.
size_t charged_bytes(const std::optional<Item>& old_item, const std::optional<Item>& new_item);

}  // namespace gatehouse::store::sqlite::detail
