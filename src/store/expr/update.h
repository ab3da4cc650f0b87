// Applying a parsed UpdateExpression to an item, with DynamoDB's semantics:
//   - every right-hand side reads the item as it was before the update, so
//     "SET a = b REMOVE b" copies the old b, and "SET x = :v, y = x" needs an old x;
//   - SET of a list index past the end appends, several such SETs append in index order and
//     nothing pads the gap; REMOVE of a missing attribute, member or index does nothing; list
//     indexes, REMOVE's and SET's alike, are positions in the list before the update;
//   - a nested path needs its parent in the old item, a map before a name step and a list before
//     an index step (REMOVE on an item that does not exist is the exception: it does nothing);
//   - ADD adds to a number (a missing attribute counts as 0) or unions a set (a missing attribute
//     becomes the set); DELETE removes members from a set and the attribute when none are left;
//   - numbers add exactly (decimal.h), with its overflow and precision texts;
//   - an Update built from the legacy AttributeUpdates (from_attribute_updates) also ADDs a list
//     to a list by appending, and reports a wrong type as "Type mismatch for attribute to update".
// Failures are DynamoDB's runtime ValidationException messages, reported in the order a wrong
// type, an invalid path, a missing attribute, then a number out of range.
//
// Usage:
//   auto next = apply_update(*update, old_item);            // the key attributes stay as they are
//   if (!next) return validation_error(next.error());
//   for (auto& name : updated_attributes(*update)) ...      // "Cannot update attribute <k>..."
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "store/expr/ast.h"
#include "store/value.h"

namespace gatehouse::store::expr {

// The item after `update`, computed from `old_item`. `item_exists` false: there was no item
// (old_item is then empty, or holds only the key the engine adds).
core::Result<Item, std::string> apply_update(const Update& update, const Item& old_item,
                                             bool item_exists = true);

// The paths the update writes (SET, REMOVE, ADD, DELETE in that order), for ReturnValues
// UPDATED_OLD and UPDATED_NEW.
std::vector<Path> updated_paths(const Update& update);

// The top-level attributes the update writes, sorted, each once.
std::vector<std::string> updated_attributes(const Update& update);

}  // namespace gatehouse::store::expr
