// Matching a parsed KeyConditionExpression (parse.h) to a table's or index's key schema, with
// DynamoDB's messages, and testing a sort-key value against the result.
//
// Usage:
//   auto range = bind_key_condition(*key_condition, {"pk", ValueType::kS}, KeyAttribute{"sk",
//                                   ValueType::kN});
//   if (!range) return validation_error(range.error());
//   ... read the partition range->hash; keep the items where sort_key_matches(*range, sk) ...
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/expr/ast.h"
#include "store/value.h"

namespace gatehouse::store::expr {

// One key attribute of a schema: its name and scalar type (S, N or B).
struct KeyAttribute {
  std::string_view name;
  ValueType type = ValueType::kS;
};

// What a Query reads: one partition, and optionally a condition on the sort key.
struct KeyRange {
  AttributeValue hash;
  std::optional<KeyCondition::Term> range;
};

// The key range of `condition` for a key of `hash` and, when the schema has one, `range`.
// Errors in DynamoDB's order: more conditions than key attributes, a condition on no key
// attribute ("Query condition missed key schema element: <k>"), a key attribute's term that is
// not indexable (legacy KeyConditions: "Attempted conditional constraint is not an indexable
// operation"), a partition-key condition other than "=" ("Query key condition not supported"), a
// constant of another type than its key attribute, an empty S or B key value.
core::Result<KeyRange, std::string> bind_key_condition(const KeyCondition& condition,
                                                       KeyAttribute hash,
                                                       std::optional<KeyAttribute> range);

// A Query's FilterExpression may not name key attributes (the key condition does that):
// DynamoDB's message for the first path in `filter` whose attribute is `hash` or `range`,
//   Filter Expression can only contain non-primary key attributes: Primary key attribute: <k>
// or nullopt.
std::optional<std::string> key_attribute_in_filter(const Condition& filter, KeyAttribute hash,
                                                   std::optional<KeyAttribute> range);

// Whether a sort-key value satisfies `range` (true when it has none): S by UTF-8 bytes, N by
// value, B by unsigned bytes; begins_with on S and B.
bool sort_key_matches(const KeyRange& range, const AttributeValue& sort_key);

}  // namespace gatehouse::store::expr
