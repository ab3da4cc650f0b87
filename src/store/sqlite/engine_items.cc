// The engine's item operations: PutItem, UpdateItem and DeleteItem as write jobs that read the
// item as committed so far, check the condition, write the item and its index entries; GetItem
// as a read.
#include <optional>

#include "store/expr/evaluate.h"
#include "store/expr/projection.h"
#include "store/expr/update.h"
#include "store/json_codec.h"
#include "store/sqlite/detail/database.h"
#include "store/sqlite/detail/decisions.h"
#include "store/sqlite/detail/engine_support.h"
#include "store/sqlite/detail/item_write.h"
#include "store/sqlite/detail/table_entry.h"
#include "store/sqlite/engine.h"

namespace gatehouse::store::sqlite {

using detail::Connection;
using detail::TableEntry;

// One item write and its answer.
class Engine::ItemJob final : public detail::WriteJob {
 public:
  using Answer = std::function<WriteResult(const std::optional<Item>& old,
                                           const std::optional<Item>& new_item)>;

  ItemJob(detail::ItemWrite write, Answer answer, Done<WriteResult> done)
      : write_(std::move(write)), answer_(std::move(answer)), done_(std::move(done)) {}

  int execute(Connection& c, Outcome& outcome) override {
    int rc = write_.apply(c);
    outcome = write_.refusal ? Outcome::kRefused : Outcome::kApplied;
    return rc;
  }
  void committed() override {
    if (write_.refusal) return done_(std::move(*write_.refusal));
    WriteResult result = answer_(write_.old_item, write_.new_item);
    result.index_charges = std::move(write_.index_charges);
    done_(std::move(result));
  }
  void failed(StoreError error) override { done_(detail::db_error(error)); }

 private:
  detail::ItemWrite write_;
  Answer answer_;
  Done<WriteResult> done_;
};

namespace {

WriteResult write_result(ReturnValues which, const expr::Update* update,
                         const std::optional<Item>& old_item, const std::optional<Item>& new_item) {
  WriteResult result;
  result.attributes = detail::returned_attributes(which, update, old_item, new_item);
  result.consumed_bytes = detail::charged_bytes(old_item, new_item);
  return result;
}

}  // namespace

void Engine::put_item(PutItem request, Done<WriteResult> done) {
  auto table = entry(request.table);
  if (!table) return done(detail::table_not_found());
  auto shared = std::make_shared<const PutItem>(std::move(request));
  auto write = detail::plan_put(std::move(table), shared);
  if (!write) return done(std::move(write.error()));
  auto answer = [shared](const std::optional<Item>& old, const std::optional<Item>& new_item) {
    return write_result(shared->return_values, nullptr, old, new_item);
  };
  db_->write(std::make_unique<ItemJob>(std::move(*write), std::move(answer), std::move(done)));
}

void Engine::delete_item(DeleteItem request, Done<WriteResult> done) {
  auto table = entry(request.table);
  if (!table) return done(detail::table_not_found());
  auto shared = std::make_shared<const DeleteItem>(std::move(request));
  auto write = detail::plan_delete(std::move(table), shared);
  if (!write) return done(std::move(write.error()));
  auto answer = [shared](const std::optional<Item>& old, const std::optional<Item>& new_item) {
    return write_result(shared->return_values, nullptr, old, new_item);
  };
  db_->write(std::make_unique<ItemJob>(std::move(*write), std::move(answer), std::move(done)));
}

void Engine::update_item(UpdateItem request, Done<WriteResult> done) {
  auto table = entry(request.table);
  if (!table) return done(detail::table_not_found());
  auto shared = std::make_shared<const UpdateItem>(std::move(request));
  auto write = detail::plan_update(std::move(table), shared);
  if (!write) return done(std::move(write.error()));
  auto answer = [shared](const std::optional<Item>& old, const std::optional<Item>& new_item) {
    return write_result(shared->return_values, shared->update.get(), old, new_item);
  };
  db_->write(std::make_unique<ItemJob>(std::move(*write), std::move(answer), std::move(done)));
}

DbResult<std::optional<uint64_t>> Engine::item_collection_bytes(std::string_view table_name,
                                                                const Item& item) {
  auto table = entry(table_name);
  if (!table) return detail::table_not_found();
  const KeyElement& hash = table->definition.key.hash;
  auto value = item.find(hash.name);
  if (table->definition.local_indexes.empty() || value == item.end() ||
      value->second.type() != hash.type)
    return std::optional<uint64_t>();
  const std::string hash_bytes = key_bytes(value->second);
  uint64_t total = 0;
  auto add = [&](Connection& c, const std::string& sql) {
    int rc = SQLITE_OK;
    sqlite3_stmt* stmt = c.statement(sql, rc);
    if (!stmt) return rc;
    detail::ResetOnExit reset(stmt);
    rc = detail::bind_blob(stmt, 1, hash_bytes);
    if (rc != SQLITE_OK) return rc;
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) return rc;
    total += static_cast<uint64_t>(sqlite3_column_int64(stmt, 0));
    return SQLITE_OK;
  };
  auto failure = db_->read([&](Connection& c) {
    int rc = add(c, "SELECT coalesce(sum(size), 0) FROM " + table->sql_table + " WHERE pk = ?1");
    for (const detail::IndexEntry& index : table->indexes) {
      if (rc != SQLITE_OK) break;
      // A local index's hash key is the table's.
      if (!index.global)
        rc = add(c, "SELECT coalesce(sum(size), 0) FROM " + index.sql_table + " WHERE ipk = ?1");
    }
    return rc;
  });
  if (failure) return detail::read_failure(*failure, *table);
  return std::optional<uint64_t>(total);
}

DbResult<GetResult> Engine::get_item(const GetItem& request) {
  auto table = entry(request.table);
  if (!table) return detail::table_not_found();
  auto key = check_key(table->definition.key, request.key);
  if (!key) return key_refused(std::move(key.error()));
  GetResult result;
  bool damaged = false;
  auto failure = db_->read([&](Connection& c) {
    return detail::read_for_get(c, *table, *key, request.projection.get(), result, damaged);
  });
  if (failure) return detail::read_failure(*failure, *table);
  if (damaged) return detail::damaged_item();
  return result;
}

}  // namespace gatehouse::store::sqlite
