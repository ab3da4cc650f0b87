#include "store/sqlite/engine_table.h"

#include <boost/json/parse.hpp>

#include <future>

#include "core/iso8601.h"
#include "core/json_text.h"
#include "store/cursor.h"
#include "store/expr/ast.h"
#include "store/json_codec.h"
#include "store/plain_json.h"

namespace gatehouse::store::sqlite {
namespace {

namespace json = boost::json;

constexpr std::string_view kCreatedBy = "createdBy";
constexpr std::string_view kCreatedAt = "createdAt";
constexpr std::string_view kUpdatedAt = "updatedAt";
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
  const uint64_t max_item_bytes;
  const std::shared_ptr<const expr::Condition> absent;
  const std::shared_ptr<const expr::Condition> present;

  StoreError error(const DbError& e) const {
    switch (e.kind) {
      case DbErrorKind::kItemTooLarge:
        return {StoreErrorCode::kTooLarge, "the item is larger than DynamoDB's 400 KB"};
      case DbErrorKind::kValidation:
      case DbErrorKind::kEmptyKeyValue:
        return {StoreErrorCode::kInvalid, e.message};
      case DbErrorKind::kResourceNotFound:
        return {StoreErrorCode::kUnavailable,
                "table '" + name +
                    "' was deleted through the DynamoDB API; restart gatehouse to create it again"};
      case DbErrorKind::kThrottled:
        return {StoreErrorCode::kOverloaded, e.message};
      case DbErrorKind::kUnavailable:
        return {StoreErrorCode::kUnavailable, e.message};
      case DbErrorKind::kTimeout:
        return {StoreErrorCode::kTimeout, e.message};
      case DbErrorKind::kDamaged:
        return {StoreErrorCode::kCorrupt, e.message};
      default:
        return {StoreErrorCode::kIoError, e.message};
    }
  }

  StoreError not_found() const { return {StoreErrorCode::kNotFound, "no item with this key"}; }

  Item key_of(const std::string& key) const {
    return Item{{key_attribute, AttributeValue::string(key)}};
  }

  // The stored form of a record: its attributes, the key, and the metadata.
  core::Result<Item, StoreError> to_item(const Record& record) const {
    if (record.attributes.size() > max_item_bytes)
      return StoreError{StoreErrorCode::kTooLarge,
                        "item is " + std::to_string(record.attributes.size()) +
                            " bytes; the limit is " + std::to_string(max_item_bytes)};
    boost::system::error_code ec;
    json::value parsed = json::parse(record.attributes, ec);
    if (ec || !parsed.is_object())
      return StoreError{StoreErrorCode::kInvalid, "the item is not a JSON object"};
    auto item = item_from_plain_json(parsed.get_object());
    if (!item) return StoreError{StoreErrorCode::kInvalid, std::move(item.error())};
    item->insert_or_assign(key_attribute, AttributeValue::string(record.key));
    item->insert_or_assign(std::string(kCreatedBy), AttributeValue::string(record.owner));
    item->insert_or_assign(std::string(kCreatedAt),
                           AttributeValue::string(core::format_iso8601_ms(record.created_ms)));
    item->insert_or_assign(std::string(kUpdatedAt),
                           AttributeValue::string(core::format_iso8601_ms(record.updated_ms)));
    return std::move(*item);
  }

  // A stored item as a record: items written through the DynamoDB API may lack the metadata
  // (then empty and 0) or have it in other types (then ignored).
  Record to_record(const Item& item) const {
    Record record;
    auto text = [&](std::string_view name) -> const std::string* {
      auto it = item.find(name);
      return it != item.end() && it->second.type() == ValueType::kS ? &it->second.as_string()
                                                                    : nullptr;
    };
    if (const std::string* key = text(key_attribute)) record.key = *key;
    if (const std::string* owner = text(kCreatedBy)) record.owner = *owner;
    if (const std::string* at = text(kCreatedAt))
      record.created_ms = core::parse_iso8601_ms(*at).value_or(0);
    if (const std::string* at = text(kUpdatedAt))
      record.updated_ms = core::parse_iso8601_ms(*at).value_or(0);
    std::string& out = record.attributes;
    out = "{";
    core::append_json_string(out, key_attribute);
    out += ':';
    core::append_json_string(out, record.key);
    for (const auto& [name, value] : item) {
      if (name == key_attribute || name == kCreatedBy || name == kCreatedAt || name == kUpdatedAt)
        continue;
      out += ',';
      core::append_json_string(out, name);
      out += ':';
      append_plain_json(out, value);
    }
    out += '}';
    return record;
  }

  // A stored item as a record, read from its DynamoDB JSON without building the item: the
  // store wrote the text itself, so it is canonical.
  core::Result<Record, StoreError> decode(std::string_view item_json) const {
    const StoreError damaged{StoreErrorCode::kCorrupt, "a stored item cannot be read"};
    boost::system::error_code ec;
    json::value parsed = json::parse(item_json, ec);
    const json::object* item = ec ? nullptr : parsed.if_object();
    if (!item) return damaged;
    Record record;
    auto text = [&](std::string_view name) -> const json::string* {
      const json::value* v = item->if_contains(name);
      const json::object* typed = v ? v->if_object() : nullptr;
      const json::value* s = typed ? typed->if_contains("S") : nullptr;
      return s ? s->if_string() : nullptr;
    };
    if (const json::string* key = text(key_attribute)) record.key = std::string(*key);
    if (const json::string* owner = text(kCreatedBy)) record.owner = std::string(*owner);
    if (const json::string* at = text(kCreatedAt))
      record.created_ms = core::parse_iso8601_ms(*at).value_or(0);
    if (const json::string* at = text(kUpdatedAt))
      record.updated_ms = core::parse_iso8601_ms(*at).value_or(0);
    std::string& out = record.attributes;
    out.reserve(item_json.size());
    out = "{";
    core::append_json_string(out, key_attribute);
    out += ':';
    core::append_json_string(out, record.key);
    for (const auto& [name, value] : *item) {
      if (name == key_attribute || name == kCreatedBy || name == kCreatedAt || name == kUpdatedAt)
        continue;
      out += ',';
      core::append_json_string(out, name);
      out += ':';
      if (!append_plain_json_of_stored(out, value)) return damaged;
    }
    out += '}';
    return record;
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

  void replace(std::shared_ptr<Shared> self, Record item, OwnerFilter owner, ItemDone done,
               int attempt) {
    auto current = read(item.key);
    if (!current) return done(current.error());
    const std::optional<Record>& old = *current;
    if (!old || (owner && old->owner != *owner)) return done(not_found());
    item.owner = old->owner;
    item.created_ms = old->created_ms;
    auto stored = to_item(item);
    if (!stored) return done(stored.error());
    item = to_record(*stored);
    // Still the item that was read: the same creator at the same instant.
    auto unchanged = share(
        both(equals(kCreatedBy, AttributeValue::string(old->owner)),
             equals(kCreatedAt, AttributeValue::string(core::format_iso8601_ms(old->created_ms)))));
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
      Shared{engine, std::move(name), key_attribute, max_item_bytes,
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
