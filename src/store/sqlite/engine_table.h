// A crud table as a DynamoDB table of the embedded engine: hash key `key_attribute` (S), the
// item's JSON attributes as DynamoDB attributes (store/plain_json.h), the metadata as the
// attributes createdBy (S), createdAt and updatedAt (S, ISO 8601 with milliseconds). So the
// items the crud integration serves are the ones the DynamoDB API, the AWS CLI and the SDKs see.
//
// Each operation is DynamoDB operations a remote DynamoDB serves too:
//   create  = PutItem with attribute_not_exists(<key>)
//   get     = GetItem (an item of another owner under owner_only is absent)
//   list    = Scan pages in key order (the engine's), filtered on createdBy under owner_only
//   replace = GetItem, then PutItem keeping createdBy and createdAt, on the condition that they
//             are still the ones read (retried when the item changed hands meanwhile)
//   remove  = DeleteItem with attribute_exists(<key>) (and createdBy = owner under owner_only)
//
// Thread safety and callbacks as store::Table says; the engine must outlive the table.
#pragma once

#include <memory>
#include <string>

#include "core/clock.h"
#include "store/sqlite/engine.h"
#include "store/table.h"

namespace gatehouse::store::sqlite {

class EngineTable final : public Table {
 public:
  // Creates the DynamoDB table `name` when the engine has none; an existing one must have the
  // hash key `key_attribute` of type S and no range key (else kInvalidArgument naming both).
  static core::Result<std::unique_ptr<EngineTable>> open(Engine& engine, std::string name,
                                                         std::string key_attribute,
                                                         uint64_t max_item_bytes);

  void create(Record item, ItemDone done) override;
  void get(std::string key, OwnerFilter owner, ItemDone done) override;
  void list(ListQuery query, PageDone done) override;
  void replace(Record item, OwnerFilter owner, ItemDone done) override;
  void remove(std::string key, OwnerFilter owner, VoidDone done) override;
  // The engine is closed by its owner.
  void close() override {}

  struct Shared;

 private:
  explicit EngineTable(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}
  std::shared_ptr<Shared> shared_;
};

}  // namespace gatehouse::store::sqlite
