// TransactWriteItems and TransactGetItems. A transaction is one write job in a savepoint of its
// own inside the writer's group: every action's decision is taken against the items as committed
// so far, and if any refuses, the savepoint rolls back what the others wrote, so the group's
// other writes and the durability of the whole are as for single writes. Its ClientRequestToken
// is written in the same savepoint: a replay after a crash finds it exactly when the
// transaction's writes survived.
#include <chrono>
#include <set>
#include <tuple>

#include "store/sqlite/detail/database.h"
#include "store/sqlite/detail/decisions.h"
#include "store/sqlite/detail/engine_support.h"
#include "store/sqlite/detail/item_write.h"
#include "store/sqlite/detail/table_entry.h"
#include "store/sqlite/engine.h"

namespace gatehouse::store::sqlite {

using detail::Connection;
using detail::ResetOnExit;

namespace {

DbError cancelled(std::vector<CancellationReason> reasons) {
  std::string codes;
  for (const CancellationReason& r : reasons) {
    if (!codes.empty()) codes += ", ";
    codes += r.code;
  }
  return {DbErrorKind::kTransactionCanceled,
          "Transaction cancelled, please refer cancellation reasons for specific reasons [" +
              codes + "]",
          {},
          std::move(reasons)};
}

}  // namespace

class Engine::TransactJob final : public detail::WriteJob {
 public:
  TransactJob(std::vector<detail::ItemWrite> writes, std::optional<std::string> token,
              std::string digest, int64_t now_ms, Done<TransactWriteResult> done)
      : writes_(std::move(writes)),
        token_(std::move(token)),
        digest_(std::move(digest)),
        now_ms_(now_ms),
        done_(std::move(done)) {}

  bool needs_savepoint() const override { return true; }

  int execute(Connection& c, Outcome& outcome) override {
    outcome = Outcome::kRefused;
    if (token_) {
      int rc = check_token(c);
      if (rc != SQLITE_OK || refusal_ || replayed_) return rc;
    }
    std::vector<CancellationReason> reasons(writes_.size(), CancellationReason{"None", {}, {}});
    bool refused = false;
    for (size_t i = 0; i < writes_.size(); ++i) {
      detail::ItemWrite& write = writes_[i];
      int rc = write.apply(c);
      if (rc != SQLITE_OK) return rc;
      if (!write.refusal) continue;
      DbError& why = *write.refusal;
      // These fail the whole request rather than name this action in CancellationReasons.
      if (why.kind == DbErrorKind::kResourceNotFound || why.kind == DbErrorKind::kEmptyKeyValue ||
          why.kind == DbErrorKind::kDamaged || why.kind == DbErrorKind::kInternal) {
        refusal_ = std::move(why);
        return SQLITE_OK;
      }
      refused = true;
      CancellationReason& reason = reasons[i];
      reason.code = why.kind == DbErrorKind::kConditionalCheckFailed ? "ConditionalCheckFailed"
                                                                     : "ValidationError";
      reason.message = why.message;
      reason.item = std::move(why.item);
    }
    if (refused) {
      refusal_ = cancelled(std::move(reasons));
      return SQLITE_OK;
    }
    if (token_) {
      int rc = SQLITE_OK;
      sqlite3_stmt* insert = c.statement(
          "INSERT OR REPLACE INTO tokens (token, digest, created_ms) VALUES (?1, ?2, ?3)", rc);
      if (!insert) return rc;
      ResetOnExit reset(insert);
      rc = detail::bind_all(insert, std::string_view(*token_), std::string_view(digest_), now_ms_);
      if (rc == SQLITE_OK) rc = sqlite3_step(insert);
      if (rc != SQLITE_DONE) return rc;
    }
    outcome = Outcome::kApplied;
    return SQLITE_OK;
  }

  void committed() override {
    if (refusal_) return done_(std::move(*refusal_));
    TransactWriteResult result;
    result.replayed = replayed_;
    for (const detail::ItemWrite& write : writes_)
      result.consumed_bytes += detail::charged_bytes(write.old_item, write.new_item);
    done_(result);
  }

  void failed(StoreError error) override { done_(detail::db_error(error)); }

 private:
  // The token's earlier use: the same request answers again without writing; another is refused.
  // Expired tokens go first, so the table holds at most the last 10 minutes' worth.
  int check_token(Connection& c) {
    int rc = SQLITE_OK;
    sqlite3_stmt* purge = c.statement("DELETE FROM tokens WHERE created_ms <= ?1", rc);
    if (!purge) return rc;
    {
      ResetOnExit reset_purge(purge);
      rc = detail::bind_all(purge, now_ms_ - kTokenLifetimeMs);
      if (rc == SQLITE_OK) rc = sqlite3_step(purge);
      if (rc != SQLITE_DONE) return rc;
    }
    sqlite3_stmt* find = c.statement("SELECT digest, created_ms FROM tokens WHERE token = ?1", rc);
    if (!find) return rc;
    ResetOnExit reset(find);
    rc = detail::bind_all(find, std::string_view(*token_));
    if (rc == SQLITE_OK) rc = sqlite3_step(find);
    if (rc == SQLITE_DONE) return SQLITE_OK;
    if (rc != SQLITE_ROW) return rc;
    if (sqlite3_column_int64(find, 1) + kTokenLifetimeMs <= now_ms_) return SQLITE_OK;  // expired
    if (detail::column_view(find, 0) == digest_) {
      replayed_ = true;
      return SQLITE_OK;
    }
    refusal_ = DbError{DbErrorKind::kIdempotentMismatch,
                       "The request uses the same client token as a previous, but non-identical "
                       "request.",
                       {},
                       {}};
    return SQLITE_OK;
  }

  std::vector<detail::ItemWrite> writes_;
  std::optional<std::string> token_;
  std::string digest_;
  int64_t now_ms_;
  Done<TransactWriteResult> done_;
  std::optional<DbError> refusal_;
  bool replayed_ = false;
};

void Engine::transact_write(TransactWrite request, Done<TransactWriteResult> done) {
  using Kind = TransactAction::Kind;
  // Every table first: a missing one is the request's error.
  std::vector<std::shared_ptr<const detail::TableEntry>> tables;
  for (const TransactAction& action : request.actions) {
    auto table = entry(action.table);
    if (!table) return done(detail::table_not_found());
    tables.push_back(std::move(table));
  }
  std::vector<detail::ItemWrite> writes;
  std::vector<CancellationReason> reasons(request.actions.size(),
                                          CancellationReason{"None", {}, {}});
  bool refused = false;
  std::set<std::tuple<int64_t, std::string, std::string>> targets;
  bool duplicate = false;
  for (size_t i = 0; i < request.actions.size(); ++i) {
    TransactAction& action = request.actions[i];
    DbResult<detail::ItemWrite> write = validation_error("");
    switch (action.kind) {
      case Kind::kPut:
        write = detail::plan_put(
            tables[i], std::make_shared<const PutItem>(
                           PutItem{action.table, std::move(action.item), action.condition,
                                   ReturnValues::kNone, action.return_old_on_condition_failure}));
        break;
      case Kind::kDelete:
        write = detail::plan_delete(
            tables[i], std::make_shared<const DeleteItem>(DeleteItem{
                           action.table, std::move(action.item), action.condition,
                           ReturnValues::kNone, action.return_old_on_condition_failure}));
        break;
      case Kind::kUpdate:
        write = detail::plan_update(
            tables[i], std::make_shared<const UpdateItem>(UpdateItem{
                           action.table, std::move(action.item), action.update, action.condition,
                           ReturnValues::kNone, action.return_old_on_condition_failure}));
        break;
      case Kind::kConditionCheck:
        write = detail::plan_check(tables[i], action.item, action.condition,
                                   action.return_old_on_condition_failure);
        break;
    }
    if (!write) {
      // An empty key value is the whole request's error; a wrong key only its action's.
      if (write.error().kind == DbErrorKind::kEmptyKeyValue) return done(std::move(write.error()));
      // Only the first action found wrong is named; the others stay "None".
      if (!refused) reasons[i] = {"ValidationError", std::move(write.error().message), {}};
      refused = true;
      continue;
    }
    if (!targets.emplace(tables[i]->id, write->key.hash, write->key.range).second) duplicate = true;
    writes.push_back(std::move(*write));
  }
  if (duplicate)
    return done(
        validation_error("Transaction request cannot include multiple operations on one "
                         "item"));
  if (refused) return done(cancelled(std::move(reasons)));
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
          .count();
  db_->write(std::make_unique<TransactJob>(std::move(writes), std::move(request.token),
                                           std::move(request.request_digest), now_ms,
                                           std::move(done)));
}

DbResult<std::vector<GetResult>> Engine::transact_get(const std::vector<GetItem>& gets) {
  return read_items(gets, true, 0);
}

DbResult<std::vector<GetResult>> Engine::batch_get(const std::vector<GetItem>& gets,
                                                   size_t max_bytes) {
  return read_items(gets, false, max_bytes);
}

DbResult<std::vector<GetResult>> Engine::read_items(const std::vector<GetItem>& gets,
                                                    bool transactional, size_t max_bytes) {
  std::vector<std::shared_ptr<const detail::TableEntry>> tables;
  for (const GetItem& get : gets) {
    auto table = entry(get.table);
    if (!table) return detail::table_not_found();
    tables.push_back(std::move(table));
  }
  std::vector<KeyBytes> keys;
  std::vector<CancellationReason> reasons(gets.size(), CancellationReason{"None", {}, {}});
  bool refused = false;
  for (size_t i = 0; i < gets.size(); ++i) {
    auto key = check_key(tables[i]->definition.key, gets[i].key);
    if (!key) {
      if (!transactional || key.error().empty_value) return key_refused(std::move(key.error()));
      if (!refused) reasons[i] = {"ValidationError", std::move(key.error().message), {}};
      refused = true;
      continue;
    }
    keys.push_back(std::move(*key));
  }
  if (refused) return cancelled(std::move(reasons));
  std::set<std::tuple<int64_t, std::string, std::string>> targets;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!targets.emplace(tables[i]->id, keys[i].hash, keys[i].range).second)
      return validation_error(transactional
                                  ? "Transaction request cannot include multiple operations on "
                                    "one item"
                                  : "Provided list of item keys contains duplicates");
  }
  std::vector<GetResult> results(gets.size());
  bool damaged = false;
  size_t failed_at = 0;
  size_t read_bytes = 0;
  auto failure = db_->read([&](detail::Connection& c) {
    for (size_t i = 0; i < gets.size(); ++i) {
      if (max_bytes != 0 && read_bytes >= max_bytes) {
        results[i].unread = true;
        continue;
      }
      failed_at = i;
      int rc = detail::read_for_get(c, *tables[i], keys[i], gets[i].projection.get(), results[i],
                                    damaged);
      if (rc != SQLITE_OK && rc != SQLITE_DONE) return rc;
      if (damaged) return SQLITE_OK;
      read_bytes += results[i].item_bytes;
    }
    return SQLITE_OK;
  });
  if (failure) return detail::read_failure(*failure, *tables[failed_at]);
  if (damaged) return detail::damaged_item();
  return results;
}

// BatchWriteItem's writes, in one job: none has a condition, so none refuses but for a table
// dropped meanwhile.
class Engine::BatchJob final : public detail::WriteJob {
 public:
  BatchJob(std::vector<detail::ItemWrite> writes, Done<size_t> done)
      : writes_(std::move(writes)), done_(std::move(done)) {}

  int execute(Connection& c, Outcome& outcome) override {
    for (detail::ItemWrite& write : writes_) {
      int rc = write.apply(c);
      if (rc != SQLITE_OK) return rc;
      if (write.refusal && !refusal_) refusal_ = *write.refusal;
    }
    outcome = Outcome::kApplied;
    return SQLITE_OK;
  }
  void committed() override {
    if (refusal_) return done_(std::move(*refusal_));
    size_t bytes = 0;
    for (const detail::ItemWrite& write : writes_)
      bytes += detail::charged_bytes(write.old_item, write.new_item);
    done_(bytes);
  }
  void failed(StoreError error) override { done_(detail::db_error(error)); }

 private:
  std::vector<detail::ItemWrite> writes_;
  Done<size_t> done_;
  std::optional<DbError> refusal_;
};

void Engine::batch_write(std::vector<BatchWriteRequest> requests, Done<size_t> done) {
  std::vector<detail::ItemWrite> writes;
  std::set<std::tuple<int64_t, std::string, std::string>> targets;
  for (BatchWriteRequest& request : requests) {
    auto table = entry(request.table);
    if (!table) return done(detail::table_not_found());
    const int64_t id = table->id;
    auto write =
        request.put
            ? detail::plan_put(std::move(table), std::make_shared<const PutItem>(
                                                     PutItem{request.table, std::move(request.item),
                                                             nullptr, ReturnValues::kNone, false}))
            : detail::plan_delete(std::move(table), std::make_shared<const DeleteItem>(DeleteItem{
                                                        request.table, std::move(request.item),
                                                        nullptr, ReturnValues::kNone, false}));
    if (!write) return done(std::move(write.error()));
    if (!targets.emplace(id, write->key.hash, write->key.range).second)
      return done(validation_error("Provided list of item keys contains duplicates"));
    writes.push_back(std::move(*write));
  }
  db_->write(std::make_unique<BatchJob>(std::move(writes), std::move(done)));
}

}  // namespace gatehouse::store::sqlite
