// Changing a table's definition (UpdateTable, UpdateTimeToLive, tags) and expiring items by TTL.
#include <set>

#include "store/sqlite/catalog.h"
#include "store/sqlite/detail/database.h"
#include "store/sqlite/detail/decisions.h"
#include "store/sqlite/detail/engine_support.h"
#include "store/sqlite/detail/item_write.h"
#include "store/sqlite/detail/table_entry.h"
#include "store/sqlite/engine.h"

namespace gatehouse::store::sqlite {

using detail::Connection;
using detail::ResetOnExit;
using detail::TableEntry;

namespace {

// Fills a new index's table from the table's items, on the writer's transaction.
int fill_index(Connection& c, const TableEntry& table, const detail::IndexEntry& index) {
  int rc = SQLITE_OK;
  detail::Stmt rows;
  rc = detail::prepare(c.handle(), "SELECT pk, sk, item FROM " + table.sql_table, rows);
  if (rc != SQLITE_OK) return rc;
  sqlite3_stmt* insert = c.statement(index.insert, rc);
  if (!insert) return rc;
  while ((rc = sqlite3_step(rows.get())) == SQLITE_ROW) {
    Item item;
    if (!detail::decode_item(detail::column_view(rows.get(), 2), item)) return SQLITE_CORRUPT;
    auto key = index_key(*index.definition, item);
    if (!key) continue;
    const Item projected = project_for_index(table.definition, *index.definition, item);
    const std::string text = detail::encode_item(projected);
    ResetOnExit reset(insert);
    rc = detail::bind_blob(insert, 1, key->hash);
    if (rc == SQLITE_OK) rc = detail::bind_blob(insert, 2, key->range);
    if (rc == SQLITE_OK) rc = detail::bind_blob(insert, 3, detail::column_blob(rows.get(), 0));
    if (rc == SQLITE_OK) rc = detail::bind_blob(insert, 4, detail::column_blob(rows.get(), 1));
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(insert, 5, detail::hash_key_hash(key->hash));
    if (rc == SQLITE_OK)
      rc = sqlite3_bind_int64(insert, 6, static_cast<int64_t>(item_size(projected)));
    if (rc == SQLITE_OK)
      rc = sqlite3_bind_text64(insert, 7, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    if (rc == SQLITE_OK) rc = sqlite3_step(insert);
    if (rc != SQLITE_DONE) return rc;
  }
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

std::set<std::string> index_names(const TableDefinition& d) {
  std::set<std::string> out;
  for (const auto* list : {&d.global_indexes, &d.local_indexes}) {
    for (const IndexDefinition& i : *list)
      out.insert(i.name);
  }
  return out;
}

// The deletions of expired items, in one job: each is decided again by the writer, so an item a
// write renewed meanwhile stays.
class ExpireJob final : public detail::WriteJob {
 public:
  explicit ExpireJob(std::vector<detail::ItemWrite> writes) : writes_(std::move(writes)) {}
  int execute(Connection& c, Outcome& outcome) override {
    for (detail::ItemWrite& write : writes_) {
      int rc = write.apply(c);
      if (rc != SQLITE_OK) return rc;
    }
    outcome = Outcome::kApplied;
    return SQLITE_OK;
  }
  void committed() override {}
  void failed(StoreError) override {}  // the next sweep tries again

 private:
  std::vector<detail::ItemWrite> writes_;
};

}  // namespace

class Engine::DefinitionJob final : public detail::WriteJob {
 public:
  DefinitionJob(Engine& engine, std::shared_ptr<const TableEntry> current, DefinitionChange change,
                Done<TableDescription> done)
      : engine_(engine),
        current_(std::move(current)),
        change_(std::move(change)),
        done_(std::move(done)) {}

  bool needs_savepoint() const override { return true; }

  int execute(Connection& c, Outcome& outcome) override {
    outcome = Outcome::kRefused;
    while (current_->successor)
      current_ = current_->successor;  // an earlier change of this group or before
    if (current_->dropped.load(std::memory_order_relaxed)) {
      refusal_ = table_not_found(current_->definition.name);
      return SQLITE_OK;
    }
    auto next = change_(current_->definition);
    if (!next) {
      refusal_ = std::move(next.error());
      return SQLITE_OK;
    }
    auto entry = std::make_shared<TableEntry>();
    entry->definition = std::move(*next);
    entry->id = current_->id;
    entry->prepare_sql();
    // Indexes gone: their tables dropped. Indexes new: created and filled.
    const auto before = index_names(current_->definition);
    const auto after = index_names(entry->definition);
    std::string sql;
    for (const detail::IndexEntry& old : current_->indexes) {
      if (!after.contains(old.definition->name))
        sql += "DROP TABLE IF EXISTS " + old.sql_table + ";";
    }
    for (const detail::IndexEntry& index : entry->indexes) {
      if (!before.contains(index.definition->name)) sql += TableEntry::create_index_sql(index);
    }
    int rc =
        sql.empty() ? SQLITE_OK : sqlite3_exec(c.handle(), sql.c_str(), nullptr, nullptr, nullptr);
    for (const detail::IndexEntry& index : entry->indexes) {
      if (rc == SQLITE_OK && !before.contains(index.definition->name))
        rc = fill_index(c, *entry, index);
    }
    if (rc != SQLITE_OK) return rc;
    sqlite3_stmt* update = c.statement("UPDATE catalog SET definition = ?1 WHERE id = ?2", rc);
    if (!update) return rc;
    ResetOnExit reset(update);
    const std::string text = definition_to_json(entry->definition);
    rc = detail::bind_all(update, std::string_view(text), entry->id);
    if (rc == SQLITE_OK) rc = sqlite3_step(update);
    if (rc != SQLITE_DONE) return rc;
    // Writes queued behind this job for the old entry go on in the old shape: they are refused
    // as for a dropped table only when the table itself is gone.
    next_ = std::move(entry);
    std::const_pointer_cast<TableEntry>(current_)->successor = next_;
    outcome = Outcome::kApplied;
    return SQLITE_OK;
  }

  void committed() override {
    if (refusal_) return done_(std::move(*refusal_));
    {
      std::lock_guard lock(engine_.tables_mu_);
      engine_.tables_[next_->definition.name] = next_;
    }
    TableDescription description;
    description.definition = next_->definition;
    done_(std::move(description));
  }
  void failed(StoreError error) override {
    std::const_pointer_cast<TableEntry>(current_)->successor.reset();
    done_(detail::db_error(error));
  }

 private:
  Engine& engine_;
  std::shared_ptr<const TableEntry> current_;
  DefinitionChange change_;
  Done<TableDescription> done_;
  std::shared_ptr<TableEntry> next_;
  std::optional<DbError> refusal_;
};

void Engine::update_definition(std::string name, DefinitionChange change,
                               Done<TableDescription> done) {
  auto current = entry(name);
  if (!current) return done(table_not_found(name));
  db_->write(std::make_unique<DefinitionJob>(*this, std::move(current), std::move(change),
                                             std::move(done)));
}

size_t Engine::expire_items(int64_t now_unix_s, size_t max_items) {
  std::vector<std::shared_ptr<const TableEntry>> tables;
  {
    std::lock_guard lock(tables_mu_);
    for (const auto& [name, e] : tables_) {
      if (e->definition.ttl_attribute) tables.push_back(e);
    }
  }
  const AttributeValue now = AttributeValue::number(*Decimal::parse(std::to_string(now_unix_s)));
  size_t queued = 0;
  for (const auto& table : tables) {
    const std::string& attribute = *table->definition.ttl_attribute;
    // Expired: the attribute is a number of seconds before now (any other type never expires).
    auto expired = [&attribute, now](const Item& item) {
      auto it = item.find(attribute);
      return it != item.end() && it->second.type() == ValueType::kN &&
             compare(it->second.as_number(), now.as_number()) < 0;
    };
    std::vector<Item> keys;
    auto failure = db_->read([&](Connection& c) {
      int rc = SQLITE_OK;
      sqlite3_stmt* rows = c.statement("SELECT item FROM " + table->sql_table, rc);
      if (!rows) return rc;
      ResetOnExit reset(rows);
      while (queued + keys.size() < max_items && (rc = sqlite3_step(rows)) == SQLITE_ROW) {
        Item item;
        if (detail::decode_item(detail::column_view(rows, 0), item) && expired(item))
          keys.push_back(key_attributes(table->definition.key, item));
      }
      return rc == SQLITE_ROW ? SQLITE_OK : rc;
    });
    if (failure) continue;
    std::vector<detail::ItemWrite> writes;
    for (Item& key : keys) {
      // Deleted only if still expired when the writer gets to it: a write may have renewed it.
      auto request = std::make_shared<const DeleteItem>(
          DeleteItem{table->definition.name, std::move(key), nullptr, ReturnValues::kNone, false});
      auto write = detail::plan_delete(table, request);
      if (!write) continue;
      write->decide = [expired](const std::optional<Item>& old) -> DbResult<std::optional<Item>> {
        if (!old || !expired(*old)) return old;  // nothing to do
        return std::optional<Item>();
      };
      writes.push_back(std::move(*write));
      ++queued;
    }
    if (!writes.empty()) db_->write(std::make_unique<ExpireJob>(std::move(writes)));
  }
  return queued;
}

}  // namespace gatehouse::store::sqlite
