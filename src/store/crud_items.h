// How a crud Record is a DynamoDB item, for every backend that keeps crud tables as DynamoDB
// tables (the embedded engine, a remote DynamoDB): the client's attributes as attribute values
// (exact decimals), the key attribute, and the metadata as the attributes createdBy, createdAt
// and updatedAt (ISO 8601 strings), so the AWS CLI reads the same items the REST API serves.
//
// Thread safety: immutable after construction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/store_error.h"
#include "store/table.h"
#include "store/value.h"

namespace gatehouse::store {

struct DbError;

inline constexpr std::string_view kCreatedBy = "createdBy";
inline constexpr std::string_view kCreatedAt = "createdAt";
inline constexpr std::string_view kUpdatedAt = "updatedAt";

class CrudItems {
 public:
  CrudItems(std::string key_attribute, uint64_t max_item_bytes)
      : key_attribute_(std::move(key_attribute)), max_item_bytes_(max_item_bytes) {}

  const std::string& key_attribute() const { return key_attribute_; }
  // The Key of the item `key` names.
  Item key_of(const std::string& key) const;
  // The stored form of a record: its attributes, the key, and the metadata. kTooLarge past
  // max_item_bytes of JSON, kInvalid for what is not a JSON object or holds a number DynamoDB
  // cannot (range, digits).
  core::Result<Item, StoreError> to_item(const Record& record) const;
  // A stored item as a record: items written through the DynamoDB API may lack the metadata (then
  // empty and 0) or have it in other types (then ignored).
  Record to_record(const Item& item) const;
  // The same from DynamoDB JSON as the embedded store writes it (canonical: numbers in
  // DynamoDB's form), without building the item; kCorrupt when it does not read.
  core::Result<Record, StoreError> decode(std::string_view item_json) const;

  // What a replace conditions its write on, so that it lands only on the item it read: the
  // creation metadata as that item held it, each attribute's value or its absence (an item
  // written through the DynamoDB API may have neither, or hold them in other types).
  struct Stamp {
    std::optional<AttributeValue> created_by;  // nullopt: the item had no createdBy
    std::optional<AttributeValue> created_at;  // nullopt: the item had no createdAt
  };
  Stamp stamp_of(const Item& item) const;

 private:
  std::string key_attribute_;
  uint64_t max_item_bytes_;
};

// A DynamoDB operation's failure as the crud table reports it: too large, invalid, unavailable
// (`missing_table` says why when the table is gone), overloaded, timed out, damaged, else an I/O
// error. Conditional-check failures mean "not found" or "exists" to each operation: its own.
StoreError crud_store_error(const DbError& e, std::string missing_table);

}  // namespace gatehouse::store
