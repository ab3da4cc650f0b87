// The crud table on a remote DynamoDB (AWS, ScyllaDB Alternator, another gatehouse), with the
// operations the embedded engine's table uses, sent as DynamoDB calls: create is a PutItem with
// attribute_not_exists, get a consistent GetItem, list one Scan page, replace a GetItem and a
// PutItem on the condition that the item is still the one read, remove a conditional DeleteItem.
// Records map to items as on the embedded engine (store/crud_items.h), so both hold the same
// items. A list's order is the remote Scan's, not the key order the embedded engine gives.
//
// Thread safety: every method from any thread; answers run on the DynamoDB client's io_context.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "store/crud_items.h"
#include "store/remote/dynamo_client.h"
#include "store/table.h"

namespace gatehouse::store::remote {

class RemoteTable final : public Table {
 public:
  // `timeout` bounds each operation, retries included (a replace's two calls share it).
  RemoteTable(std::shared_ptr<DynamoClient> client, std::string table, std::string key_attribute,
              uint64_t max_item_bytes, std::chrono::milliseconds timeout);
  ~RemoteTable() override;

  void create(Record item, ItemDone done) override;
  void get(std::string key, OwnerFilter owner, ItemDone done) override;
  void list(ListQuery query, PageDone done) override;
  void replace(Record item, OwnerFilter owner, ItemDone done) override;
  void remove(std::string key, OwnerFilter owner, VoidDone done) override;
  // Later calls fail with kUnavailable; calls under way finish.
  void close() override;

  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace gatehouse::store::remote
