// How a store operation failed, in the storage's terms (the crud table's and the embedded
// engine's storage alike): not found, taken, too large, unavailable, damaged, I/O.
//
// Thread safety: value types.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace gatehouse::store {

// Why an operation failed. The gateway maps these to HTTP (404, 409, 413, 400, 503, 504, 500).
enum class StoreErrorCode {
  kNotFound,       // no item with this key (or it belongs to another owner under owner_only)
  kAlreadyExists,  // create: the key is taken
  kTooLarge,       // the item's JSON exceeds the table's max_item_bytes
  kInvalid,        // the item cannot be stored: a number out of DynamoDB's range, nesting
  kBadCursor,      // list: the cursor is not one this table produced
  kOverloaded,     // the write queue is full: retry later
  kUnavailable,    // retry may help: database locked/busy, disk full, read-only file, shutting down
  kTimeout,        // a remote store did not answer in time; a write may or may not have happened
  kCorrupt,        // the database file is damaged; needs an operator
  kIoError,        // any other failure of the storage; nothing was acknowledged
};
std::string_view to_string(StoreErrorCode code);

struct StoreError {
  StoreErrorCode code;
  std::string message;  // specific and safe to show a client: names no file paths or SQL
};

template <class T>
using StoreResult = core::Result<T, StoreError>;

}  // namespace gatehouse::store
