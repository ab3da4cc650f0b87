// The table behind the built-in CRUD integration: items keyed by a string, with the principal that
// created them and two timestamps beside the item's own JSON attributes. The embedded store's
// EngineTable (store/sqlite/engine_table.h) keeps them as a DynamoDB table; a remote DynamoDB
// backend implements the same contract with the same operations.
//
// Every operation is asynchronous: it returns at once and calls `done` exactly once, on a thread of
// the backend's choosing (the store's writer thread for writes; the calling thread for reads, which
// are point lookups on a per-thread read connection). `done` must not block. A write's `done` with
// a value means the write is durable: it survives a crash or a power cut (see the backend's docs
// for the exact guarantee).
//
// Thread safety: all methods may be called from any thread at once. The table must outlive every
// pending `done`; close() stops the table (for EngineTable, closing its engine does, and waits for
// the writes queued).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/defaults.h"
#include "core/status.h"
#include "store/store_error.h"

namespace gatehouse::store {

// One item. `attributes` is a JSON object's text: the client's attributes, including the key
// attribute (`id`), excluding the metadata below, which the table stores in its own columns.
struct Record {
  std::string key;
  std::string attributes;  // a serialized JSON object, e.g. {"id":"…","name":"Yev"}
  std::string owner;       // the principal that created it (createdBy)
  int64_t created_ms = 0;  // Unix ms (createdAt)
  int64_t updated_ms = 0;  // Unix ms (updatedAt); == created_ms until the first replace
};

// A page of a list: in ascending key order on the embedded engine; in the Scan's order on a remote
// DynamoDB (store/remote/remote_table.h), which is stable but not the key order.
struct Page {
  std::vector<Record> items;
  // Opaque; pass back as ListQuery::cursor for the next page. nullopt: this was the last page.
  std::optional<std::string> next_cursor;
};

struct ListQuery {
  // 1..core::defaults::kMaxCrudPageLimit; the backend clamps.
  uint32_t limit = core::defaults::kCrudPageLimit;
  std::optional<std::string> cursor;  // from Page::next_cursor
  std::optional<std::string> owner;   // only this owner's items (owner_only)
  // 0: no cap. Otherwise the page ends with the item that brings its bytes (keys, attributes and
  // owners) to this many, and next_cursor goes on from there: what one page can make the server
  // hold stays bounded whatever the limit and the item sizes (DynamoDB's 1 MB per page).
  size_t max_bytes = 0;
};

// For get/replace/remove under owner_only: an item with another owner behaves as absent.
using OwnerFilter = std::optional<std::string>;

class Table {
 public:
  using ItemDone = std::function<void(StoreResult<Record>)>;
  using PageDone = std::function<void(StoreResult<Page>)>;
  using VoidDone = std::function<void(StoreResult<std::monostate>)>;

  virtual ~Table() = default;

  // Inserts `item` unless its key exists (kAlreadyExists). Yields the stored item.
  virtual void create(Record item, ItemDone done) = 0;
  virtual void get(std::string key, OwnerFilter owner, ItemDone done) = 0;
  virtual void list(ListQuery query, PageDone done) = 0;
  // Replaces the attributes of an existing item (kNotFound otherwise) and sets updated_ms; the
  // stored owner and created_ms are kept. Yields the stored item.
  virtual void replace(Record item, OwnerFilter owner, ItemDone done) = 0;
  virtual void remove(std::string key, OwnerFilter owner, VoidDone done) = 0;

  // Stops accepting operations (later calls fail with kUnavailable), finishes the queued ones and
  // waits for their callbacks. Idempotent.
  virtual void close() = 0;
};

}  // namespace gatehouse::store
