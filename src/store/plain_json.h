// Items as plain JSON, the way the AWS SDKs' DocumentClient marshals them: a JSON string is S, a
// number N, true/false BOOL, null NULL, an array L and an object M; and back (sets become
// arrays, binaries base64 strings, numbers their canonical text). What the crud integration
// stores its JSON bodies as, so the same items read naturally through the DynamoDB API.
//
// Thread safety: pure functions.
#pragma once

#include <boost/json/fwd.hpp>

#include <string>

#include "core/status.h"
#include "store/value.h"

namespace gatehouse::store {

// The item of a JSON object. Fails with DynamoDB's message for a number DynamoDB cannot hold
// (beyond its range or 38 digits) or nesting past 32 levels.
core::Result<Item, std::string> item_from_plain_json(const boost::json::object& object);

// Appends `value` as plain JSON text.
void append_plain_json(std::string& out, const AttributeValue& value);
// The same for a value's DynamoDB JSON that the store wrote itself (canonical numbers, padded
// base64), read without building the value: false if it is not one.
bool append_plain_json_of_stored(std::string& out, const boost::json::value& dynamodb_json);

}  // namespace gatehouse::store
