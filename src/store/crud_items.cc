#include "store/crud_items.h"

#include <boost/json/parse.hpp>

#include "core/iso8601.h"
#include "core/json_text.h"
#include "store/json_codec.h"
#include "store/operations.h"
#include "store/plain_json.h"

namespace gatehouse::store {

namespace json = boost::json;

StoreError crud_store_error(const DbError& e, std::string missing_table) {
  switch (e.kind) {
    case DbErrorKind::kItemTooLarge:
      return {StoreErrorCode::kTooLarge, "the item is larger than DynamoDB's 400 KB"};
    case DbErrorKind::kValidation:
    case DbErrorKind::kEmptyKeyValue:
      return {StoreErrorCode::kInvalid, e.message};
    case DbErrorKind::kResourceNotFound:
      return {StoreErrorCode::kUnavailable, std::move(missing_table)};
    case DbErrorKind::kThrottled:
      return {StoreErrorCode::kOverloaded, e.message};
    case DbErrorKind::kUnavailable:
      return {StoreErrorCode::kUnavailable, e.message};
    case DbErrorKind::kTimeout:
      return {StoreErrorCode::kTimeout, e.message};
    case DbErrorKind::kDamaged:
      return {StoreErrorCode::kCorrupt, e.message};
    default:
      return {StoreErrorCode::kIoError, e.message};
  }
}

Item CrudItems::key_of(const std::string& key) const {
  return Item{{key_attribute_, AttributeValue::string(key)}};
}

core::Result<Item, StoreError> CrudItems::to_item(const Record& record) const {
  if (record.attributes.size() > max_item_bytes_)
    return StoreError{StoreErrorCode::kTooLarge,
                      "item is " + std::to_string(record.attributes.size()) +
                          " bytes; the limit is " + std::to_string(max_item_bytes_)};
  boost::system::error_code ec;
  json::value parsed = json::parse(record.attributes, ec);
  if (ec || !parsed.is_object())
    return StoreError{StoreErrorCode::kInvalid, "the item is not a JSON object"};
  auto item = item_from_plain_json(parsed.get_object());
  if (!item) return StoreError{StoreErrorCode::kInvalid, std::move(item.error())};
  item->insert_or_assign(key_attribute_, AttributeValue::string(record.key));
  item->insert_or_assign(std::string(kCreatedBy), AttributeValue::string(record.owner));
  item->insert_or_assign(std::string(kCreatedAt),
                         AttributeValue::string(core::format_iso8601_ms(record.created_ms)));
  item->insert_or_assign(std::string(kUpdatedAt),
                         AttributeValue::string(core::format_iso8601_ms(record.updated_ms)));
  return std::move(*item);
}

Record CrudItems::to_record(const Item& item) const {
  Record record;
  auto text = [&](std::string_view name) -> const std::string* {
    auto it = item.find(name);
    return it != item.end() && it->second.type() == ValueType::kS ? &it->second.as_string()
                                                                  : nullptr;
  };
  if (const std::string* key = text(key_attribute_)) record.key = *key;
  if (const std::string* owner = text(kCreatedBy)) record.owner = *owner;
  if (const std::string* at = text(kCreatedAt))
    record.created_ms = core::parse_iso8601_ms(*at).value_or(0);
  if (const std::string* at = text(kUpdatedAt))
    record.updated_ms = core::parse_iso8601_ms(*at).value_or(0);
  std::string& out = record.attributes;
  out = "{";
  core::append_json_string(out, key_attribute_);
  out += ':';
  core::append_json_string(out, record.key);
  for (const auto& [name, value] : item) {
    if (name == key_attribute_ || name == kCreatedBy || name == kCreatedAt || name == kUpdatedAt)
      continue;
    out += ',';
    core::append_json_string(out, name);
    out += ':';
    append_plain_json(out, value);
  }
  out += '}';
  return record;
}

CrudItems::Stamp CrudItems::stamp_of(const Item& item) const {
  auto value = [&](std::string_view name) -> std::optional<AttributeValue> {
    auto it = item.find(name);
    if (it == item.end()) return std::nullopt;
    return it->second;
  };
  return Stamp{value(kCreatedBy), value(kCreatedAt)};
}

core::Result<Record, StoreError> CrudItems::decode(std::string_view item_json) const {
  const StoreError damaged{StoreErrorCode::kCorrupt, "a stored item cannot be read"};
  boost::system::error_code ec;
  json::value parsed = json::parse(item_json, ec);
  const json::object* item = ec ? nullptr : parsed.if_object();
  if (!item) return damaged;
  Record record;
  auto text = [&](std::string_view name) -> const json::string* {
    const json::value* v = item->if_contains(name);
    const json::object* typed = v ? v->if_object() : nullptr;
    const json::value* s = typed ? typed->if_contains("S") : nullptr;
    return s ? s->if_string() : nullptr;
  };
  if (const json::string* key = text(key_attribute_)) record.key = std::string(*key);
  if (const json::string* owner = text(kCreatedBy)) record.owner = std::string(*owner);
  if (const json::string* at = text(kCreatedAt))
    record.created_ms = core::parse_iso8601_ms(*at).value_or(0);
  if (const json::string* at = text(kUpdatedAt))
    record.updated_ms = core::parse_iso8601_ms(*at).value_or(0);
  std::string& out = record.attributes;
  out.reserve(item_json.size());
  out = "{";
  core::append_json_string(out, key_attribute_);
  out += ':';
  core::append_json_string(out, record.key);
  for (const auto& [name, value] : *item) {
    if (name == key_attribute_ || name == kCreatedBy || name == kCreatedAt || name == kUpdatedAt)
      continue;
    out += ',';
    core::append_json_string(out, name);
    out += ':';
    if (!append_plain_json_of_stored(out, value)) return damaged;
  }
  out += '}';
  return record;
}

}  // namespace gatehouse::store
