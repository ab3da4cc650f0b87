// Reading the JSON of DynamoDB's legacy parameters (legacy.h) into plain entries, checking only
// the JSON's shape, as DynamoDB's reader does before any validation. Internal to store/expr.
//
// The shape texts follow those store/json_codec.cc gives for attribute values: a map parameter
// that is a list is an "Unrecognized collection type java.util.Map<...>", an entry that is a list
// an "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.<Structure>", a scalar
// where a structure belongs "Unexpected value type in payload", where a map or list belongs
// "Unexpected field type". Members a structure does not have are ignored; a JSON null is an
// absent member.
//
// Thread safety: pure functions.
#pragma once

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/json_codec.h"
#include "store/value.h"

namespace gatehouse::store::expr::detail {

// The structure each entry of a map parameter is: Condition (QueryFilter, ScanFilter,
// KeyConditions), ExpectedAttributeValue (Expected), AttributeValueUpdate (AttributeUpdates).
enum class EntryType { kCondition, kExpected, kUpdate };

// A value as read_value() judged it: the value, or its (validation) problem.
using ReadValue = core::Result<AttributeValue, ValueProblem>;

// One entry, its members as sent.
struct Entry {
  std::string name;                // the attribute
  bool null = false;               // the entry itself is JSON null
  std::optional<std::string> op;   // ComparisonOperator, or Action for kUpdate
  bool has_list = false;           // AttributeValueList is present (maybe empty)
  std::vector<ReadValue> list;     // AttributeValueList
  std::optional<ReadValue> value;  // Value (kExpected, kUpdate)
  std::optional<bool> exists;      // Exists (kExpected)
};

// The entries of a map parameter in the request's order, or the first shape problem's text.
core::Result<std::vector<Entry>, std::string> read_entries(const boost::json::value& map,
                                                           EntryType type);

// The names of AttributesToGet, or the first shape problem's text.
core::Result<std::vector<std::string>, std::string> read_names(const boost::json::value& list);

}  // namespace gatehouse::store::expr::detail
