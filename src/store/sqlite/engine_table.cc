#include "store/sqlite/engine_table.h"

#include <boost/json/parse.hpp>

#include <future>

#include "core/iso8601.h"
#include "core/json_text.h"
#include "store/crud_items.h"
#include "store/cursor.h"
#include "store/expr/ast.h"
#include "store/json_codec.h"
#include "store/plain_json.h"

namespace gatehouse::store::sqlite {
namespace {

namespace json = boost::json;

// A replace that keeps finding its item changed hands gives up after this many reads.
constexpr int kReplaceAttempts = 3;
// A list reads at most this much per page, as DynamoDB's Scan does.
constexpr size_t kPageBytes = 1024 * 1024;

expr::Path top(std::string_view name) {
  return expr::Path{{expr::PathStep::member(std::string(name))}};
}

expr::Condition function(expr::Function f, std::string_view attribute) {
  expr::Condition c;
  c.kind = expr::Condition::Kind::kFunction;
  c.function = f;
  c.operands.push_back(expr::Operand::of_path(top(attribute)));
  return c;
}

expr::Condition equals(std::string_view attribute, AttributeValue value) {
  expr::Condition c;
  c.kind = expr::Condition::Kind::kCompare;
  c.comparator = expr::Comparator::kEq;
  c.operands.push_back(expr::Operand::of_path(top(attribute)));
  c.operands.push_back(expr::Operand::of_value(std::move(value)));
  return c;
}

expr::Condition both(expr::Condition a, expr::Condition b) {
  expr::Condition c;
  c.kind = expr::Condition::Kind::kAnd;
  c.children.push_back(std::move(a));
  c.children.push_back(std::move(b));
  return c;
}

std::shared_ptr<const expr::Condition> share(expr::Condition c) {
  return std::make_shared<const expr::Condition>(std::move(c));
}

}  // namespace

struct EngineTable::Shared {
  Engine& engine;
  const std::string name;
  const std::string key_attribute;
  const CrudItems items;
  const std::shared_ptr<const expr::Condition> absent;
  const std::shared_ptr<const expr::Condition> present;

  StoreError error(const DbError& e) const {
    return crud_store_error(e, "table '" + name +
                                   "' was deleted through the DynamoDB API; restart gatehouse to "
                                   "create it again");
  }

  StoreError not_found() const { return {StoreErrorCode::kNotFound, "no item with this key"}; }

  Item key_of(const std::string& key) const { return items.key_of(key); }
  core::Result<Item, StoreError> to_item(const Record& record) const {
    return items.to_item(record);
  }
  Record to_record(const Item& item) const { return items.to_record(item); }
  core::Result<Record, StoreError> decode(std::string_view item_json) const {
    return items.decode(item_json);
  }

  // The item at `key` as committed, or nullopt.
  core::Result<std::optional<Record>, StoreError> read(const std::string& key) const {
    auto got = engine.get_item({name, key_of(key), nullptr});
    if (!got) return error(got.error());
    if (!got->item_json) return std::optional<Record>();
    auto record = decode(*got->item_json);
    if (!record) return record.error();
    return std::optional<Record>(std::move(*record));
  }

  // The item at `key` as committed, whole (a replace needs its metadata as stored), or nullopt.
  core::Result<std::optional<Item>, StoreError> read_item_at(const std::string& key) const {
    auto got = engine.get_item({name, key_of(key), nullptr});
    if (!got) return error(got.error());
    if (!got->item_json) return std::optional<Item>();
    const StoreError damaged{StoreErrorCode::kCorrupt, "a stored item does not read back"};
    boost::system::error_code ec;
    json::value parsed = json::parse(*got->item_json, ec);
    if (ec) return damaged;
    auto item = store::read_item(parsed);
    if (!item) return damaged;
    return std::optional<Item>(std::move(*item));
  }

  void replace(std::shared_ptr<Shared> self, Record item, OwnerFilter owner, ItemDone done,
               int attempt) {
    auto current = read_item_at(item.key);
    if (!current) return done(current.error());
    if (!*current) return done(not_found());
    const Record old = to_record(**current);
    if (owner && old.owner != *owner) return done(not_found());
    item.owner = old.owner;
    item.created_ms = old.created_ms;
    auto stored = to_item(item);
    if (!stored) return done(stored.error());
    item = to_record(*stored);
    // Still the item that was read: the same creation metadata, present or absent, as read.
    const CrudItems::Stamp stamp = items.stamp_of(**current);
    auto same = [](std::string_view attribute, const std::optional<AttributeValue>& value) {
      return value ? equals(attribute, *value)
                   : function(expr::Function::kAttributeNotExists, attribute);
    };
    auto unchanged =
        share(both(same(kCreatedBy, stamp.created_by), same(kCreatedAt, stamp.created_at)));
    engine.put_item(
        {name, std::move(*stored), std::move(unchanged), ReturnValues::kNone, false},
        [self, item = std::move(item), owner = std::move(owner), done = std::move(done),
         attempt](DbResult<WriteResult> r) mutable {
          if (r) return done(std::move(item));
          if (r.error().kind != DbErrorKind::kConditionalCheckFailed)
            return done(self->error(r.error()));
          if (attempt + 1 >= kReplaceAttempts)
            return done(
                StoreError{StoreErrorCode::kUnavailable, "the item keeps changing; try again"});
          self->replace(self, std::move(item), std::move(owner), std::move(done), attempt + 1);
        });
  }
};

core::Result<std::unique_ptr<EngineTable>> EngineTable::open(Engine& engine, std::string name,
                                                             std::string key_attribute,
                                                             uint64_t max_item_bytes) {
  const KeySchema wanted{{key_attribute, ValueType::kS}, std::nullopt};
  if (auto existing = engine.find_table(name)) {
    if (!(existing->key == wanted))
      return core::invalid_argument(
          "table '" + name +
          "' exists in the DynamoDB store with another key schema than the "
          "hash key '" +
          key_attribute + "' (S) the crud integration needs");
  } else {
    TableDefinition table;
    table.name = name;
    table.key = wanted;
    table.attribute_definitions = {wanted.hash};
    table.billing = BillingMode::kPayPerRequest;
    std::promise<DbResult<TableDescription>> created;
    engine.create_table(std::move(table),
                        [&](DbResult<TableDescription> r) { created.set_value(std::move(r)); });
    auto result = created.get_future().get();
    if (!result && result.error().kind != DbErrorKind::kResourceInUse)
      return core::io_error("table '" + name + "': cannot create it: " + result.error().message);
  }
  auto shared = std::make_shared<Shared>(
      Shared{engine, std::move(name), key_attribute, CrudItems(key_attribute, max_item_bytes),
             share(function(expr::Function::kAttributeNotExists, key_attribute)),
             share(function(expr::Function::kAttributeExists, key_attribute))});
  return std::unique_ptr<EngineTable>(new EngineTable(std::move(shared)));
}

void EngineTable::create(Record item, ItemDone done) {
  auto stored = shared_->to_item(item);
  if (!stored) return done(stored.error());
  // Answered as it will read back: attributes in the item's order, numbers canonical.
  item = shared_->to_record(*stored);
  shared_->engine.put_item(
      {shared_->name, std::move(*stored), shared_->absent, ReturnValues::kNone, false},
      [self = shared_, item = std::move(item),
       done = std::move(done)](DbResult<WriteResult> r) mutable {
        if (r) return done(std::move(item));
        if (r.error().kind == DbErrorKind::kConditionalCheckFailed)
          return done(
              StoreError{StoreErrorCode::kAlreadyExists, "an item with this key already exists"});
        done(self->error(r.error()));
      });
}

void EngineTable::get(std::string key, OwnerFilter owner, ItemDone done) {
  auto found = shared_->read(key);
  if (!found) return done(found.error());
  if (!*found || (owner && (*found)->owner != *owner)) return done(shared_->not_found());
  done(std::move(**found));
}

void EngineTable::list(ListQuery query, PageDone done) {
  const uint32_t limit = std::clamp<uint32_t>(query.limit, 1, core::defaults::kMaxCrudPageLimit);
  Scan scan;
  scan.table = shared_->name;
  if (query.cursor) {
    auto after = decode_cursor(*query.cursor);
    if (!after) return done(StoreError{StoreErrorCode::kBadCursor, "the cursor is not valid"});
    scan.exclusive_start = shared_->key_of(*after);
  }
  if (query.owner) scan.filter = share(equals(kCreatedBy, AttributeValue::string(*query.owner)));
  // One item past the page tells whether another follows; the bytes read bound the page as
  // DynamoDB's 1 MB does.
  Page page;
  size_t bytes = 0;
  const size_t max_bytes = query.max_bytes ? query.max_bytes : kPageBytes;
  std::vector<std::string> items_json;
  bool more = false;
  for (;;) {
    scan.limit = limit + 1 - static_cast<uint32_t>(items_json.size());
    scan.max_page_bytes = max_bytes - bytes;
    auto result = shared_->engine.scan(scan);
    if (!result) return done(shared_->error(result.error()));
    bytes += result->read_bytes;
    for (std::string& json_text : result->items_json)
      items_json.push_back(std::move(json_text));
    if (items_json.size() > limit) {
      more = true;
      break;
    }
    if (!result->last_evaluated_key) break;
    if (bytes >= max_bytes) {
      // The read budget ends the page: go on after the last item read.
      scan.exclusive_start = std::move(result->last_evaluated_key);
      more = true;
      break;
    }
    scan.exclusive_start = std::move(result->last_evaluated_key);
  }
  const size_t shown = std::min<size_t>(items_json.size(), limit);
  for (size_t i = 0; i < shown; ++i) {
    auto record = shared_->decode(items_json[i]);
    if (!record) return done(record.error());
    page.items.push_back(std::move(*record));
  }
  if (more) {
    if (items_json.size() > limit && !page.items.empty()) {
      page.next_cursor = encode_cursor(page.items.back().key);
    } else if (scan.exclusive_start) {
      auto key = scan.exclusive_start->find(shared_->key_attribute);
      if (key != scan.exclusive_start->end() && key->second.type() == ValueType::kS)
        page.next_cursor = encode_cursor(key->second.as_string());
    }
  }
  done(std::move(page));
}

void EngineTable::replace(Record item, OwnerFilter owner, ItemDone done) {
  shared_->replace(shared_, std::move(item), std::move(owner), std::move(done), 0);
}

void EngineTable::remove(std::string key, OwnerFilter owner, VoidDone done) {
  auto condition =
      owner ? share(both(function(expr::Function::kAttributeExists, shared_->key_attribute),
                         equals(kCreatedBy, AttributeValue::string(*owner))))
            : shared_->present;
  shared_->engine.delete_item(
      {shared_->name, shared_->key_of(key), std::move(condition), ReturnValues::kNone, false},
      [self = shared_, done = std::move(done)](DbResult<WriteResult> r) {
        if (r) return done(std::monostate{});
        if (r.error().kind == DbErrorKind::kConditionalCheckFailed) return done(self->not_found());
        done(self->error(r.error()));
      });
}

}  // namespace gatehouse::store::sqlite
