#include "store/remote/remote_table.h"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <atomic>

#include "core/iso8601.h"
#include "core/json_text.h"
#include "store/cursor.h"
#include "store/json_codec.h"

namespace gatehouse::store::remote {
namespace {

namespace json = boost::json;

// A replace that keeps finding its item changed gives up after this many reads, as the
// embedded engine's does.
constexpr int kReplaceAttempts = 3;

std::string string_value(std::string_view s) {
  std::string out = "{\"S\":";
  core::append_json_string(out, s);
  return out + "}";
}

}  // namespace

struct RemoteTable::Shared {
  std::shared_ptr<DynamoClient> client;
  std::string table;
  CrudItems items;
  std::chrono::milliseconds timeout;
  std::atomic<bool> closed{false};

  Shared(std::shared_ptr<DynamoClient> c, std::string t, CrudItems i, std::chrono::milliseconds to)
      : client(std::move(c)), table(std::move(t)), items(std::move(i)), timeout(to) {}

  StoreError error(const DbError& e) const {
    return crud_store_error(e, "the remote table '" + table + "' does not exist");
  }
  StoreError not_found() const { return {StoreErrorCode::kNotFound, "no item with this key"}; }
  StoreError gone() const { return {StoreErrorCode::kUnavailable, "the table is closed"}; }

  // {"TableName":"t", plus `rest` (members with a leading comma).
  std::string body(std::string_view rest) const {
    std::string out = "{\"TableName\":";
    core::append_json_string(out, table);
    out += rest;
    return out + "}";
  }
  std::string key_json(const std::string& key) const {
    std::string out = "{";
    core::append_json_string(out, items.key_attribute());
    return out + ":" + string_value(key) + "}";
  }
  // The item of a GetItem answer, or nullopt; kIoError for an answer that does not read.
  core::Result<std::optional<Item>, StoreError> item_of(const std::string& answer) const {
    boost::system::error_code ec;
    json::value parsed = json::parse(answer, ec);
    const json::object* o = ec ? nullptr : parsed.if_object();
    if (!o) return StoreError{StoreErrorCode::kIoError, "the remote answer is not JSON"};
    const json::value* item = o->if_contains("Item");
    if (!item) return std::optional<Item>();
    auto read = read_item(*item);
    if (!read)
      return StoreError{StoreErrorCode::kIoError,
                        "the remote item does not read: " + read.error().message};
    return std::optional<Item>(std::move(*read));
  }

  void read(const std::string& key, core::MonoTime deadline,
            std::function<void(core::Result<std::optional<Item>, StoreError>)> done) {
    client->call("GetItem", body(",\"Key\":" + key_json(key) + ",\"ConsistentRead\":true"),
                 deadline, [this, done = std::move(done)](DbResult<std::string> r) {
                   if (!r) return done(error(r.error()));
                   done(item_of(*r));
                 });
  }

  void replace(std::shared_ptr<Shared> self, Record item, OwnerFilter owner, ItemDone done,
               core::MonoTime deadline, int attempt) {
    std::string key = item.key;
    read(key, deadline,
         [self, item = std::move(item), owner = std::move(owner), done = std::move(done), deadline,
          attempt](core::Result<std::optional<Item>, StoreError> found) mutable {
           if (!found) return done(found.error());
           if (!*found) return done(self->not_found());
           const Record old = self->items.to_record(**found);
           if (owner && old.owner != *owner) return done(self->not_found());
           item.owner = old.owner;
           item.created_ms = old.created_ms;
           auto stored = self->items.to_item(item);
           if (!stored) return done(stored.error());
           item = self->items.to_record(*stored);
           // Still the item that was read: the same creation metadata, present or absent, as
           // read.
           const CrudItems::Stamp stamp = self->items.stamp_of(**found);
           std::string condition;
           std::string values;
           auto same = [&](std::string_view placeholder,
                           const std::optional<AttributeValue>& value) {
             if (!condition.empty()) condition += " AND ";
             if (!value) {
               condition += "attribute_not_exists(#" + std::string(placeholder) + ")";
               return;
             }
             condition += "#" + std::string(placeholder) + " = :" + std::string(placeholder);
             values += values.empty() ? "{" : ",";
             values += "\":" + std::string(placeholder) + "\":";
             append_json(values, *value);
           };
           same("by", stamp.created_by);
           same("at", stamp.created_at);
           std::string rest = ",\"Item\":";
           append_item_json(rest, *stored);
           rest += ",\"ConditionExpression\":\"" + condition + "\"";
           rest += ",\"ExpressionAttributeNames\":{\"#by\":\"createdBy\",\"#at\":\"createdAt\"}";
           if (!values.empty()) rest += ",\"ExpressionAttributeValues\":" + values + "}";
           self->client->call(
               "PutItem", self->body(rest), deadline,
               [self, item = std::move(item), owner = std::move(owner), done = std::move(done),
                deadline, attempt](DbResult<std::string> r) mutable {
                 if (r) return done(std::move(item));
                 if (r.error().kind != DbErrorKind::kConditionalCheckFailed)
                   return done(self->error(r.error()));
                 if (attempt + 1 >= kReplaceAttempts)
                   return done(StoreError{StoreErrorCode::kUnavailable,
                                          "the item keeps changing; try again"});
                 self->replace(self, std::move(item), std::move(owner), std::move(done), deadline,
                               attempt + 1);
               });
         });
  }
};

RemoteTable::RemoteTable(std::shared_ptr<DynamoClient> client, std::string table,
                         std::string key_attribute, uint64_t max_item_bytes,
                         std::chrono::milliseconds timeout)
    : shared_(std::make_shared<Shared>(std::move(client), std::move(table),
                                       CrudItems(std::move(key_attribute), max_item_bytes),
                                       timeout)) {}

RemoteTable::~RemoteTable() = default;

void RemoteTable::create(Record item, ItemDone done) {
  if (shared_->closed) return done(shared_->gone());
  auto stored = shared_->items.to_item(item);
  if (!stored) return done(stored.error());
  Record answer = shared_->items.to_record(*stored);
  std::string rest = ",\"Item\":";
  append_item_json(rest, *stored);
  rest += ",\"ConditionExpression\":\"attribute_not_exists(#k)\"";
  rest += ",\"ExpressionAttributeNames\":{\"#k\":";
  core::append_json_string(rest, shared_->items.key_attribute());
  rest += "}";
  const std::string key = item.key;
  const auto deadline = core::os_monotonic() + shared_->timeout;
  shared_->client->call(
      "PutItem", shared_->body(rest), deadline,
      [self = shared_, answer = std::move(answer), key, written = std::move(*stored), deadline,
       done = std::move(done)](DbResult<std::string> r) mutable {
        if (r) return done(std::move(answer));
        if (r.error().kind != DbErrorKind::kConditionalCheckFailed)
          return done(self->error(r.error()));
        const StoreError exists{StoreErrorCode::kAlreadyExists, "an item with this key exists"};
        if (!r.error().earlier_send_may_have_applied) return done(exists);
        // An earlier send got a 5xx and may have written the item: if what is there now is the
        // item written, the create happened.
        self->read(
            key, deadline,
            [self, answer = std::move(answer), written = std::move(written), exists,
             done = std::move(done)](core::Result<std::optional<Item>, StoreError> found) mutable {
              if (!found) return done(found.error());
              if (*found && **found == written) return done(std::move(answer));
              done(exists);
            });
      });
}

void RemoteTable::get(std::string key, OwnerFilter owner, ItemDone done) {
  if (shared_->closed) return done(shared_->gone());
  shared_->read(key, core::os_monotonic() + shared_->timeout,
                [self = shared_, owner = std::move(owner),
                 done = std::move(done)](core::Result<std::optional<Item>, StoreError> found) {
                  if (!found) return done(found.error());
                  if (!*found) return done(self->not_found());
                  Record record = self->items.to_record(**found);
                  if (owner && record.owner != *owner) return done(self->not_found());
                  done(std::move(record));
                });
}

void RemoteTable::list(ListQuery query, PageDone done) {
  if (shared_->closed) return done(shared_->gone());
  const uint32_t limit = std::clamp<uint32_t>(query.limit, 1, core::defaults::kMaxCrudPageLimit);
  std::string rest = ",\"Limit\":" + std::to_string(limit) + ",\"ConsistentRead\":true";
  if (query.cursor) {
    auto after = decode_cursor(*query.cursor);
    if (!after) return done(StoreError{StoreErrorCode::kBadCursor, "the cursor is not valid"});
    rest += ",\"ExclusiveStartKey\":" + shared_->key_json(*after);
  }
  if (query.owner) {
    rest +=
        ",\"FilterExpression\":\"#by = :by\",\"ExpressionAttributeNames\":{\"#by\":"
        "\"createdBy\"},\"ExpressionAttributeValues\":{\":by\":" +
        string_value(*query.owner) + "}";
  }
  shared_->client->call(
      "Scan", shared_->body(rest), core::os_monotonic() + shared_->timeout,
      [self = shared_, done = std::move(done)](DbResult<std::string> r) {
        if (!r) return done(self->error(r.error()));
        boost::system::error_code ec;
        json::value parsed = json::parse(*r, ec);
        const json::object* o = ec ? nullptr : parsed.if_object();
        const json::value* items = o ? o->if_contains("Items") : nullptr;
        if (!items || !items->is_array())
          return done(StoreError{StoreErrorCode::kIoError, "the remote Scan answer has no Items"});
        Page page;
        for (const json::value& item : items->get_array()) {
          auto read = read_item(item);
          if (!read)
            return done(StoreError{StoreErrorCode::kIoError,
                                   "a remote item does not read: " + read.error().message});
          page.items.push_back(self->items.to_record(*read));
        }
        if (const json::value* last = o->if_contains("LastEvaluatedKey")) {
          auto key = read_item(*last);
          if (key) {
            auto it = key->find(self->items.key_attribute());
            if (it != key->end() && it->second.type() == ValueType::kS)
              page.next_cursor = encode_cursor(it->second.as_string());
          }
        }
        done(std::move(page));
      });
}

void RemoteTable::replace(Record item, OwnerFilter owner, ItemDone done) {
  if (shared_->closed) return done(shared_->gone());
  shared_->replace(shared_, std::move(item), std::move(owner), std::move(done),
                   core::os_monotonic() + shared_->timeout, 0);
}

void RemoteTable::remove(std::string key, OwnerFilter owner, VoidDone done) {
  if (shared_->closed) return done(shared_->gone());
  std::string rest = ",\"Key\":" + shared_->key_json(key);
  if (owner) {
    rest += ",\"ConditionExpression\":\"attribute_exists(#k) AND #by = :by\"";
    rest += ",\"ExpressionAttributeNames\":{\"#k\":";
    core::append_json_string(rest, shared_->items.key_attribute());
    rest +=
        ",\"#by\":\"createdBy\"},\"ExpressionAttributeValues\":{\":by\":" + string_value(*owner) +
        "}";
  } else {
    rest +=
        ",\"ConditionExpression\":\"attribute_exists(#k)\",\"ExpressionAttributeNames\":{\"#k\":";
    core::append_json_string(rest, shared_->items.key_attribute());
    rest += "}";
  }
  const auto deadline = core::os_monotonic() + shared_->timeout;
  shared_->client->call(
      "DeleteItem", shared_->body(rest), deadline,
      [self = shared_, key, deadline, done = std::move(done)](DbResult<std::string> r) mutable {
        if (r) return done(std::monostate{});
        if (r.error().kind != DbErrorKind::kConditionalCheckFailed)
          return done(self->error(r.error()));
        if (!r.error().earlier_send_may_have_applied) return done(self->not_found());
        // An earlier send got a 5xx and may have deleted the item: gone now is deleted (as a
        // DELETE repeated would leave it); still there is another owner's.
        self->read(key, deadline,
                   [self, done = std::move(done)](
                       core::Result<std::optional<Item>, StoreError> found) mutable {
                     if (!found) return done(found.error());
                     if (*found) return done(self->not_found());
                     done(std::monostate{});
                   });
      });
}

void RemoteTable::close() {
  shared_->closed = true;
}

}  // namespace gatehouse::store::remote
