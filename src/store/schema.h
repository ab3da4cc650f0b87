// A DynamoDB table's shape: its key schema (a hash key, optionally a range key, each S, N or B),
// its secondary indexes and what they project, billing, TTL and tags; and the key checks every
// item operation makes against it, with DynamoDB's texts. Keys become bytes whose memcmp order is
// DynamoDB's order of range keys, so the storage can sort and compare them without decoding.
//
// Usage:
//   auto key = key_of_item(table, item);   // PutItem: the key attributes, checked
//   if (!key) return validation(key.error());
//   store(key->hash, key->range, item);
//
// Thread safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "store/value.h"

namespace gatehouse::store {

// DynamoDB's limits on key values, in bytes (attribute_size of the value alone).
inline constexpr size_t kMaxHashKeyBytes = 2048;
inline constexpr size_t kMaxRangeKeyBytes = 1024;

// An attribute definition / key element: a name and a scalar type (kS, kN or kB).
struct KeyElement {
  std::string name;
  ValueType type = ValueType::kS;
  bool operator==(const KeyElement&) const = default;
};

struct KeySchema {
  KeyElement hash;
  std::optional<KeyElement> range;
  bool operator==(const KeySchema&) const = default;
};

enum class ProjectionType { kAll, kKeysOnly, kInclude };
// "ALL", "KEYS_ONLY", "INCLUDE".
std::string_view to_string(ProjectionType type);

struct Projection {
  ProjectionType type = ProjectionType::kAll;
  std::vector<std::string> non_key_attributes;  // kInclude only
};

struct Throughput {
  int64_t read = 0;
  int64_t write = 0;
};

struct IndexDefinition {
  std::string name;
  KeySchema key;
  Projection projection;
  Throughput throughput;  // global indexes of PROVISIONED tables
};

enum class BillingMode { kProvisioned, kPayPerRequest };
// "PROVISIONED", "PAY_PER_REQUEST".
std::string_view to_string(BillingMode mode);

struct TableDefinition {
  std::string name;
  KeySchema key;
  // As the creator declared them: every key attribute of the table and its indexes, once.
  std::vector<KeyElement> attribute_definitions;
  std::vector<IndexDefinition> global_indexes;
  std::vector<IndexDefinition> local_indexes;
  BillingMode billing = BillingMode::kPayPerRequest;
  Throughput throughput;  // PROVISIONED only
  // The CreateTable time in Unix milliseconds, and a random id (a UUID's text), both as DynamoDB
  // reports them in the table's description.
  int64_t created_ms = 0;
  std::string table_id;
  // UpdateTimeToLive: the attribute whose number (Unix seconds) expires an item, when enabled.
  std::optional<std::string> ttl_attribute;
  std::vector<std::pair<std::string, std::string>> tags;  // in the order first set
  bool deletion_protection = false;
};

// The index named `name` of either kind, or null.
const IndexDefinition* find_index(const TableDefinition& table, std::string_view name);
// Whether `name` is a key attribute of the table or of any of its indexes.
bool is_key_attribute(const TableDefinition& table, std::string_view name);

// A key as the storage orders it: the hash value's bytes and the range value's (empty for a
// table without a range key; never empty otherwise, since DynamoDB refuses empty key values).
struct KeyBytes {
  std::string hash;
  std::string range;
  bool operator==(const KeyBytes&) const = default;
};

// The bytes of a key value (S: its UTF-8 bytes, B: its bytes, N: Decimal::key_bytes), ordered
// by memcmp as DynamoDB orders range keys. Requires a scalar of type S, N or B.
std::string key_bytes(const AttributeValue& value);

// The key attributes of `item`, as an Item of one or two entries. Requires that they are there.
Item key_attributes(const KeySchema& key, const Item& item);

// Why a key value (or an index key value) was refused, in DynamoDB's ValidationException text.
struct KeyRefusal {
  std::string message;
  // An empty S or B value: DynamoDB refuses the whole request for it, even in a transaction, where
  // a key of the wrong shape or type only cancels its own action.
  bool empty_value = false;
};

// Checks a Key parameter (GetItem, DeleteItem, UpdateItem, batches, transactions): exactly the
// schema's attributes with the schema's types ("The provided key element does not match the
// schema"), not empty, within the size limits.
core::Result<KeyBytes, KeyRefusal> check_key(const KeySchema& key, const Item& key_value);
// Checks the key attributes of an item to write (PutItem): present and of the schema's types
// ("One or more parameter values were invalid: Missing the key pk in the item", "...Type mismatch
// for key pk expected: S actual: N"), not empty, within the size limits.
core::Result<KeyBytes, KeyRefusal> check_item_key(const KeySchema& key, const Item& item);
// Where an item to check came from: DynamoDB words an empty index key value differently for an
// item sent whole (PutItem) and for one an UpdateExpression made.
enum class ItemSource { kSent, kUpdated };
// Checks the index key attributes an item carries: an index key attribute present with another
// type than its definition, or empty, is refused with DynamoDB's text naming the index.
std::optional<KeyRefusal> check_index_keys(const TableDefinition& table, const Item& item,
                                           ItemSource source = ItemSource::kSent);

// An index's entry for an item: its key bytes, or nullopt when the item lacks an index key
// attribute, has it with another type or empty (indexes are sparse).
std::optional<KeyBytes> index_key(const IndexDefinition& index, const Item& item);
// What an index holds of an item: the table's and the index's key attributes plus the
// projection's (everything for kAll).
Item project_for_index(const TableDefinition& table, const IndexDefinition& index,
                       const Item& item);

}  // namespace gatehouse::store
