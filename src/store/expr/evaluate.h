// Evaluating a parsed condition (ConditionExpression, FilterExpression) against an item, with
// DynamoDB's semantics:
//   - a path the item does not have makes =, <, <=, >, >=, BETWEEN and IN false, and <> true
//     (an absent attribute equals nothing, not even another absent one);
//   - values of different types are unequal and unordered: comparing them is false, not an
//     error (parse.h already refused constants of types no ordering applies to);
//   - <, <=, >, >= and BETWEEN order S by UTF-8 bytes, N by value (exactly, never through a
//     double) and B by unsigned bytes; other types never order;
//   - size() is a string's length in UTF-16 code units, a binary's bytes, a set's, list's or
//     map's element count, and has no value for N, BOOL or NULL;
//   - contains() finds a substring in S, bytes in B, a member in a set (of the set's member
//     type) and an equal element in L; begins_with() works on S and B.
//
// Usage:
//   if (!matches(*condition, old_item)) return ConditionalCheckFailed;
//
// Thread safety: pure functions.
#pragma once

#include <optional>

#include "store/expr/ast.h"
#include "store/value.h"

namespace gatehouse::store::expr {

// The value at `path` in `item`, or null when the item has none (a missing step, an index past
// the end, a name step on a non-map or an index step on a non-list). Points into `item`.
const AttributeValue* resolve(const Item& item, const Path& path);

// Whether `item` satisfies `condition`. A missing item is an empty one.
bool matches(const Condition& condition, const Item& item);

// The value of a condition operand (path, value or size()) for `item`, or nullopt when it has
// none. Not for the SET-only operand kinds.
std::optional<AttributeValue> operand_value(const Operand& operand, const Item& item);

}  // namespace gatehouse::store::expr
