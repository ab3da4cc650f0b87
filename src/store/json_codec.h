// DynamoDB JSON, the wire form of attribute values: {"S":"x"}, {"N":"1"}, {"B":"<base64>"},
// {"BOOL":true}, {"NULL":true}, {"SS":[...]}, {"NS":[...]}, {"BS":[...]}, {"L":[...]}, {"M":{...}}.
// Written here for answers (numbers in their canonical text, binaries in padded base64); read
// here from requests, with DynamoDB's checks and texts.
//
// Thread safety: pure functions.
#pragma once

#include <string>

#include "store/value.h"

namespace gatehouse::store {

// Appends `value` as DynamoDB JSON.
void append_json(std::string& out, const AttributeValue& value);
// Appends `item` as a JSON object of DynamoDB JSON values: {"pk":{"S":"a"},...}.
void append_item_json(std::string& out, const Item& item);

}  // namespace gatehouse::store
