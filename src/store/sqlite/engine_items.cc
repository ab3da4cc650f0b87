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
