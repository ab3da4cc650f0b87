#include "store/sqlite/detail/decisions.h"

#include "store/expr/evaluate.h"
#include "store/expr/projection.h"
#include "store/expr/update.h"

namespace gatehouse::store::sqlite::detail {
namespace {

bool condition_holds(const std::shared_ptr<const expr::Condition>& condition,
                     const std::optional<Item>& old_item) {
  if (!condition) return true;
  static const Item kNoItem;
  return expr::matches(*condition, old_item ? *old_item : kNoItem);
}

DbError item_too_large(std::string message) {
  return {DbErrorKind::kItemTooLarge, std::move(message), {}, {}};
}

DbError condition_failed(const std::optional<Item>& old_item, bool return_old) {
  DbError error{DbErrorKind::kConditionalCheckFailed, "The conditional request failed", {}, {}};
  if (return_old && old_item) error.item = *old_item;
  return error;
}

}  // namespace

DbResult<ItemWrite> plan_put(std::shared_ptr<const TableEntry> table,
                             std::shared_ptr<const PutItem> request) {
  const TableDefinition& definition = table->definition;
  auto key = check_item_key(definition.key, request->item);
  if (!key) return key_refused(std::move(key.error()));
  if (auto problem = check_index_keys(definition, request->item))
    return key_refused(std::move(*problem));
  if (item_size(request->item) > kMaxItemSize)
    return item_too_large("Item size has exceeded the maximum allowed size");
  auto decide = [request](const std::optional<Item>& old) -> DbResult<std::optional<Item>> {
    if (!condition_holds(request->condition, old))
      return condition_failed(old, request->return_old_on_condition_failure);
    return std::optional<Item>(request->item);
  };
  return ItemWrite{std::move(table), std::move(*key), std::move(decide)};
}

DbResult<ItemWrite> plan_delete(std::shared_ptr<const TableEntry> table,
                                std::shared_ptr<const DeleteItem> request) {
  auto key = check_key(table->definition.key, request->key);
  if (!key) return key_refused(std::move(key.error()));
  auto decide = [request](const std::optional<Item>& old) -> DbResult<std::optional<Item>> {
    if (!condition_holds(request->condition, old))
      return condition_failed(old, request->return_old_on_condition_failure);
    return std::optional<Item>();
  };
  return ItemWrite{std::move(table), std::move(*key), std::move(decide)};
}

DbResult<ItemWrite> plan_update(std::shared_ptr<const TableEntry> table,
                                std::shared_ptr<const UpdateItem> request) {
  const TableDefinition& definition = table->definition;
  auto key = check_key(definition.key, request->key);
  if (!key) return key_refused(std::move(key.error()));
  if (request->update) {
    for (const std::string& name : expr::updated_attributes(*request->update)) {
      if (name == definition.key.hash.name ||
          (definition.key.range && name == definition.key.range->name))
        return validation_error(
            "One or more parameter values were invalid: Cannot update attribute " + name +
            ". This attribute is part of the key");
    }
  }
  // The definition lives as long as the entry the write holds.
  const TableDefinition* schema = &definition;
  auto decide = [request, schema](const std::optional<Item>& old) -> DbResult<std::optional<Item>> {
    if (!condition_holds(request->condition, old))
      return condition_failed(old, request->return_old_on_condition_failure);
    Item base = old ? *old : request->key;
    if (!request->update) return std::optional<Item>(std::move(base));
    // A missing item is created by an update that writes something, but not by one that only
    // removes (REMOVE, DELETE): that one leaves it missing, as DynamoDB does.
    const expr::Update& update = *request->update;
    if (!old && update.set.empty() && update.add.empty() &&
        (!update.remove.empty() || !update.del.empty()))
      return std::optional<Item>();
    auto updated = expr::apply_update(*request->update, base, old.has_value());
    if (!updated) return validation_error(std::move(updated.error()));
    if (auto problem = check_index_keys(*schema, *updated, ItemSource::kUpdated))
      return key_refused(std::move(*problem));
    if (item_size(*updated) > kMaxItemSize)
      return item_too_large("Item size to update has exceeded the maximum allowed size");
    return std::optional<Item>(std::move(*updated));
  };
  return ItemWrite{std::move(table), std::move(*key), std::move(decide)};
}

DbResult<ItemWrite> plan_check(std::shared_ptr<const TableEntry> table, const Item& key_value,
                               std::shared_ptr<const expr::Condition> condition,
                               bool return_old_on_condition_failure) {
  auto key = check_key(table->definition.key, key_value);
  if (!key) return key_refused(std::move(key.error()));
  auto decide = [condition, return_old_on_condition_failure](
                    const std::optional<Item>& old) -> DbResult<std::optional<Item>> {
    if (!condition_holds(condition, old))
      return condition_failed(old, return_old_on_condition_failure);
    return old;
  };
  ItemWrite write{std::move(table), std::move(*key), std::move(decide)};
  write.writes = false;
  return write;
}

std::optional<Item> returned_attributes(ReturnValues which, const expr::Update* update,
                                        const std::optional<Item>& old_item,
                                        const std::optional<Item>& new_item) {
  switch (which) {
    case ReturnValues::kNone:
      return std::nullopt;
    case ReturnValues::kAllOld:
      return old_item;
    case ReturnValues::kAllNew:
      return new_item;
    case ReturnValues::kUpdatedOld:
    case ReturnValues::kUpdatedNew: {
      const std::optional<Item>& source = which == ReturnValues::kUpdatedOld ? old_item : new_item;
      if (!source || !update) return std::nullopt;
      Item projected = expr::project(*source, expr::updated_paths(*update));
      if (projected.empty()) return std::nullopt;
      return projected;
    }
  }
  return std::nullopt;
}

size_t charged_bytes(const std::optional<Item>& old_item, const std::optional<Item>& new_item) {
  return std::max(old_item ? item_size(*old_item) : 0, new_item ? item_size(*new_item) : 0);
}

}  // namespace gatehouse::store::sqlite::detail
