// DynamoDB's operations as the store runs them: typed requests whose wire checks are done
// (member constraints, expressions parsed with their names and values), typed results, and the
// store's errors in DynamoDB's terms. The wire listener (dynamodb_api/) builds these from
// DynamoDB JSON; the crud integration builds them directly.
//
// Thread safety: value types.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/schema.h"
#include "store/value.h"

namespace gatehouse::store {

namespace expr {
struct Condition;
struct Update;
struct Projection;
struct KeyCondition;
}  // namespace expr

// The store's failures, as DynamoDB names them (dynamodb_api maps them to __type and status).
enum class DbErrorKind {
  kValidation,              // ValidationException
  kEmptyKeyValue,           // ValidationException for an empty key value: the whole request's
                            // error, never one transaction action's cancellation reason
  kItemTooLarge,            // ValidationException: the item would pass DynamoDB's 400 KB
  kResourceNotFound,        // ResourceNotFoundException
  kResourceInUse,           // ResourceInUseException
  kConditionalCheckFailed,  // ConditionalCheckFailedException
  kTransactionCanceled,     // TransactionCanceledException
  kIdempotentMismatch,      // IdempotentParameterMismatchException
  kLimitExceeded,           // LimitExceededException
  kThrottled,               // the write queue is full: retry later
  kUnavailable,             // locked, disk full, read-only, a remote store down: retry may help
  kTimeout,                 // a remote store did not answer in time: the write may have happened
  kDamaged,                 // a stored item does not read back: the file needs an operator
  kInternal,                // an I/O error: nothing was written
};

// One action's fate in a cancelled transaction.
struct CancellationReason {
  std::string code;  // "None", "ConditionalCheckFailed", "ValidationError", ...
  std::string message;
  std::optional<Item> item;  // ReturnValuesOnConditionCheckFailure=ALL_OLD
};

struct DbError {
  DbErrorKind kind = DbErrorKind::kInternal;
  std::string message;
  // kConditionalCheckFailed with ReturnValuesOnConditionCheckFailure=ALL_OLD: the item as it was.
  std::optional<Item> item;
  std::vector<CancellationReason> reasons;  // kTransactionCanceled
  // A remote store's answer to a request sent more than once: an earlier send got a 5xx, so it
  // may have been carried out, and a condition that fails now may fail on that send's own write.
  bool earlier_send_may_have_applied = false;
};

inline DbError validation_error(std::string message) {
  return {DbErrorKind::kValidation, std::move(message), {}, {}};
}

inline DbError key_refused(KeyRefusal refusal) {
  return {refusal.empty_value ? DbErrorKind::kEmptyKeyValue : DbErrorKind::kValidation,
          std::move(refusal.message),
          {},
          {}};
}

// What the table operations (DescribeTable, DeleteTable, UpdateTable, the TTL ones) answer for a
// table that does not exist; item operations answer a bare "Requested resource not found".
inline DbError table_not_found(std::string_view table) {
  return {DbErrorKind::kResourceNotFound,
          "Requested resource not found: Table: " + std::string(table) + " not found",
          {},
          {}};
}

template <class T>
using DbResult = core::Result<T, DbError>;

enum class ReturnValues { kNone, kAllOld, kUpdatedOld, kAllNew, kUpdatedNew };

// A table as DescribeTable reports it.
struct TableDescription {
  TableDefinition definition;
  uint64_t item_count = 0;
  uint64_t size_bytes = 0;
  std::string status = "ACTIVE";  // DELETING in DeleteTable's answer
  // Per index, in the definition's order (global, then local): item count and bytes.
  std::vector<std::pair<uint64_t, uint64_t>> index_counts;
};

struct ListTablesResult {
  std::vector<std::string> names;
  std::optional<std::string> last_evaluated;
};

// The bytes a write cost one secondary index: the larger of its old and new entry.
struct IndexCharge {
  std::string index;
  bool global = true;
  size_t bytes = 0;
};

// What a write asked to see of the item, and what the store found.
struct WriteResult {
  std::optional<Item> attributes;  // per ReturnValues; absent for kNone or nothing to return
  size_t consumed_bytes = 0;       // the larger of the old and new item sizes
  std::vector<IndexCharge> index_charges;  // the indexes whose entries the write changed
};

struct PutItem {
  std::string table;
  Item item;
  std::shared_ptr<const expr::Condition> condition;
  ReturnValues return_values = ReturnValues::kNone;  // kNone or kAllOld
  bool return_old_on_condition_failure = false;
};

struct DeleteItem {
  std::string table;
  Item key;
  std::shared_ptr<const expr::Condition> condition;
  ReturnValues return_values = ReturnValues::kNone;  // kNone or kAllOld
  bool return_old_on_condition_failure = false;
};

struct UpdateItem {
  std::string table;
  Item key;
  std::shared_ptr<const expr::Update> update;  // null: the item is created with its key only
  std::shared_ptr<const expr::Condition> condition;
  ReturnValues return_values = ReturnValues::kNone;
  bool return_old_on_condition_failure = false;
};

struct GetItem {
  std::string table;
  Item key;
  std::shared_ptr<const expr::Projection> projection;
};

struct GetResult {
  // The item's DynamoDB JSON as stored (no projection) or as projected; absent when not found.
  std::optional<std::string> item_json;
  size_t item_bytes = 0;
  // BatchGetItem: not read, the answer being full (its 16 MB); the client asks again.
  bool unread = false;
};

enum class Select { kAllAttributes, kAllProjected, kSpecific, kCount };

// Query and Scan share the reading of a page.
struct ReadPage {
  std::string table;
  std::optional<std::string> index;
  std::shared_ptr<const expr::Condition> filter;
  std::shared_ptr<const expr::Projection> projection;
  Select select = Select::kAllAttributes;
  std::optional<uint32_t> limit;        // items evaluated, before the filter
  std::optional<Item> exclusive_start;  // a previous page's LastEvaluatedKey
  bool consistent_read = false;
  // The page ends once this many bytes of items were read; 0 and anything above it: DynamoDB's
  // 1 MB.
  size_t max_page_bytes = 0;
};

struct Query : ReadPage {
  std::shared_ptr<const expr::KeyCondition> key_condition;
  bool forward = true;  // ScanIndexForward
};

struct Scan : ReadPage {
  std::optional<uint32_t> segment;  // with total_segments
  std::optional<uint32_t> total_segments;
};

struct PageResult {
  std::vector<std::string> items_json;  // DynamoDB JSON of each returned item
  uint32_t count = 0;                   // items returned (Select=COUNT: counted, none returned)
  uint32_t scanned_count = 0;           // items evaluated before the filter
  std::optional<Item> last_evaluated_key;
  size_t read_bytes = 0;  // sizes of the items evaluated
};

// One action of TransactWriteItems.
struct TransactAction {
  enum class Kind { kPut, kUpdate, kDelete, kConditionCheck };
  Kind kind = Kind::kPut;
  std::string table;
  Item item;                                         // kPut: the item; otherwise the key
  std::shared_ptr<const expr::Condition> condition;  // required for kConditionCheck
  std::shared_ptr<const expr::Update> update;        // kUpdate
  bool return_old_on_condition_failure = false;
};

struct TransactWrite {
  std::vector<TransactAction> actions;  // 1..100, no two on one item
  // ClientRequestToken: the same token with the same request within 10 minutes succeeds again
  // without writing; with another request it is refused.
  std::optional<std::string> token;
  std::string request_digest;  // identifies the request for the token (its actions' text hash)
};

struct TransactWriteResult {
  size_t consumed_bytes = 0;
  bool replayed = false;  // the token's earlier success, answered again
};

// One request of BatchWriteItem: a put (the item) or a delete (the key).
struct BatchWriteRequest {
  std::string table;
  bool put = true;
  Item item;  // put: the item; delete: the key
};

// How long a ClientRequestToken stays bound to its request.
inline constexpr int64_t kTokenLifetimeMs = 10 * 60 * 1000;

}  // namespace gatehouse::store
