// The embedded DynamoDB engine: every table of one SQLite file (the catalog of definitions, one
// SQL table per DynamoDB table and per secondary index), written by one writer thread with group
// commit and read on the callers' threads (detail/database.h; docs/storage.md).
//
// Writes (create/delete table, put, update, delete) return at once and call `done` on the writer
// thread after their group committed: an answered write is durable. Conditions and update
// expressions are evaluated by the writer against the item as committed so far, so concurrent
// read-modify-writes of one item never lose an update. Reads run on the calling thread and see
// every write answered before they started. Errors found before queuing call `done` at once on
// the calling thread.
//
// Usage:
//   auto engine = Engine::open({.path = dir + "/dynamodb.db"}, stats, clock);
//   (*engine)->put_item(std::move(request), [](DbResult<WriteResult> r) { ... });
//
// Thread safety: every method from any thread at once; close() not from inside a `done`.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "store/operations.h"
#include "store/sqlite/stats.h"

namespace gatehouse::store::sqlite {

namespace detail {
class Database;
struct TableEntry;
}  // namespace detail

struct EngineOptions {
  std::string path = {};            // the database file; its directory must exist
  uint32_t max_batch = 256;         // writes per transaction
  uint32_t busy_timeout_ms = 2000;  // wait this long for another connection's lock
  uint32_t max_queue = 10000;       // writes accepted and not yet answered
  std::string vfs = {};             // SQLite VFS name; empty: the default
};

class Engine {
 public:
  template <class T>
  using Done = std::function<void(DbResult<T>)>;

  // Opens or creates the file and loads the catalog. Errors name the file: those of opening a
  // database (permission, not a database, damaged, locked) and a schema from a newer version.
  static core::Result<std::unique_ptr<Engine>> open(EngineOptions options, SqliteStats& stats,
                                                    const core::Clock& clock);
  ~Engine();  // close()
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Tables. The definition is checked by the caller (dynamodb_api); the engine refuses a name in
  // use (kResourceInUse) and sets created_ms and table_id.
  void create_table(TableDefinition table, Done<TableDescription> done);
  void delete_table(std::string name, Done<TableDescription> done);
  DbResult<TableDescription> describe_table(std::string_view name);
  // Names in order after `start`, at most `limit`.
  ListTablesResult list_tables(const std::optional<std::string>& start, uint32_t limit);
  // Changes a table's definition (UpdateTable, UpdateTimeToLive, TagResource, UntagResource):
  // `change` computes the new definition from the current one on the writer, or refuses with
  // DynamoDB's error. Global indexes the new definition adds are created and filled from the
  // table's items in the same transaction; those it drops are deleted. Key schema, name and id
  // never change. engine_update.cc.
  using DefinitionChange = std::function<DbResult<TableDefinition>(const TableDefinition&)>;
  void update_definition(std::string name, DefinitionChange change, Done<TableDescription> done);
  // Deletes the items whose TTL attribute (a number of Unix seconds) is before `now`, at most
  // `max_items` of them, in every table with TTL enabled; returns how many were queued. Call
  // it every few seconds: an expired item may be read until then, as on DynamoDB.
  size_t expire_items(int64_t now_unix_s, size_t max_items);
  // The definition of a table, without counting its items; null when there is none.
  std::shared_ptr<const TableDefinition> find_table(std::string_view name) const;

  // Items.
  void put_item(PutItem request, Done<WriteResult> done);
  void delete_item(DeleteItem request, Done<WriteResult> done);
  void update_item(UpdateItem request, Done<WriteResult> done);
  DbResult<GetResult> get_item(const GetItem& request);
  // ReturnItemCollectionMetrics: the bytes of the item collection of `item`'s hash key value
  // (its items and their local index entries); nullopt when the table has no local index, as
  // DynamoDB reports collections only then.
  DbResult<std::optional<uint64_t>> item_collection_bytes(std::string_view table, const Item& item);
  DbResult<PageResult> query(const Query& request);
  // TransactWriteItems: every action or none, atomically (engine_transact.cc).
  void transact_write(TransactWrite request, Done<TransactWriteResult> done);
  // TransactGetItems: every item read from one snapshot; a key that does not fit its table
  // cancels the transaction.
  DbResult<std::vector<GetResult>> transact_get(const std::vector<GetItem>& gets);
  // BatchGetItem's reads (one snapshot; a wrong key is the request's error) and BatchWriteItem's
  // writes (every request checked before any is queued; then committed together).
  // Once `max_bytes` of items were read, the rest are left unread (GetResult::unread).
  DbResult<std::vector<GetResult>> batch_get(const std::vector<GetItem>& gets, size_t max_bytes);
  void batch_write(std::vector<BatchWriteRequest> requests, Done<size_t> done);
  DbResult<PageResult> scan(const Scan& request);

  // Ends idle read snapshots; call about once a second.
  void release_idle_readers();
  // Answers the queued writes and closes the file. Idempotent.
  void close();

 private:
  class WriteJob;
  class TableJob;
  class ItemJob;
  class TransactJob;
  class BatchJob;
  class DefinitionJob;
  DbResult<std::vector<GetResult>> read_items(const std::vector<GetItem>& gets, bool transactional,
                                              size_t max_bytes);

  Engine(std::unique_ptr<detail::Database> db, const core::Clock& clock,
         std::map<std::string, std::shared_ptr<const detail::TableEntry>, std::less<>> tables,
         int64_t next_id);
  std::shared_ptr<const detail::TableEntry> entry(std::string_view name) const;
  DbResult<PageResult> read_page(const detail::TableEntry& table, const ReadPage& request,
                                 const Query* query, const Scan* scan);

  std::unique_ptr<detail::Database> db_;
  const core::Clock& clock_;
  // The catalog as committed: changed by the writer after a table's creation or deletion
  // committed, before its `done`.
  mutable std::mutex tables_mu_;
  std::map<std::string, std::shared_ptr<const detail::TableEntry>, std::less<>> tables_;
  // Table ids are never reused within a file; used only by the writer.
  int64_t next_id_;
};

}  // namespace gatehouse::store::sqlite
