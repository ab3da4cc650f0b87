// DynamoDB JSON, the wire form of attribute values: {"S":"x"}, {"N":"1"}, {"B":"<base64>"},
// {"BOOL":true}, {"NULL":true}, {"SS":[...]}, {"NS":[...]}, {"BS":[...]}, {"L":[...]}, {"M":{...}}.
// Written here for answers (numbers in their canonical text, binaries in padded base64); read
// here from requests, with DynamoDB's checks and texts.
//
// Thread safety: pure functions.
#pragma once

#include <boost/json/value.hpp>

#include <string>

#include "core/status.h"
#include "store/value.h"

namespace gatehouse::store {

// Why DynamoDB JSON was refused, in DynamoDB's words (the current wording; an operation that
// wraps value errors adds "1 validation error detected: " itself).
struct ValueProblem {
  // true: com.amazon.coral.service#SerializationException, the JSON's shape (a number where a
  // string belongs, bad base64), found while the request is read and so before any validation.
  // false: com.amazon.coral.validate#ValidationException, the value itself.
  bool serialization = false;
  std::string message;
};

// One attribute value: an object with exactly one of the type keys (unknown keys and nulls are
// no type). Checked as DynamoDB checks: the JSON shape of every nested value first; then, first
// problem wins, numbers (DynamoDB's grammar and range), more than one type, no type, empty sets,
// duplicate set members (numbers by value), NULL other than true, and nesting past 32 levels
// (an attribute is level 1).
core::Result<AttributeValue, ValueProblem> read_value(const boost::json::value& json);
// An item or a map of attributes: a JSON object of attribute values.
core::Result<Item, ValueProblem> read_item(const boost::json::value& json);

// DynamoDB's SerializationException text for a JSON value where a scalar of `target` ("String",
// "Boolean", "Long") belongs: "NUMBER_VALUE cannot be converted to String" and the like.
std::string scalar_mismatch(const boost::json::value& v, std::string_view target);

// Appends `value` as DynamoDB JSON.
void append_json(std::string& out, const AttributeValue& value);
// Appends `item` as a JSON object of DynamoDB JSON values: {"pk":{"S":"a"},...}.
void append_item_json(std::string& out, const Item& item);

}  // namespace gatehouse::store
