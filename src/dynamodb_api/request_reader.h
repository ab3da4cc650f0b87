// Reading an operation's JSON body the way DynamoDB does: every member is typed first (a JSON
// value of the wrong shape is a SerializationException, which wins over anything else), then
// constrained (required, lengths, ranges, enums, patterns), in one of DynamoDB's two wordings,
// which it uses per operation while it moves from the older to the newer:
//   listed (older): "2 validation errors detected: Value 'ab' at 'tableName' failed to satisfy
//     constraint: Member must ...; Value null at 'keySchema' ..." (every failed constraint, up
//     to 10, the member path in lower camel case; operation-specific texts bare);
//   first constraint (newer, Query): "1 validation error detected: Value at 'Limit' failed to
//     satisfy constraint: ..." for the first failed length or range; enums and missing members
//     are still listed in the older form, as the newer framework lists them.
//
// Usage:
//   RequestReader r(call.body);
//   auto table = r.table_name("TableName", RequestReader::TableNameOf::kItems);
//   auto limit = r.integer("Limit");
//   if (limit && *limit < 1) r.constraint("Limit", "Member must have value greater than or equal to
//   1"); if (auto e = r.error()) return *e;
//
// Thread safety: one reader per request.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dynamodb_api/errors.h"
#include "store/value.h"

namespace gatehouse::dynamodb_api {

enum class Wording { kListed, kFirstConstraint };

class RequestReader {
 public:
  explicit RequestReader(const boost::json::object& body, Wording wording = Wording::kListed)
      : body_(body), wording_(wording) {}
  Wording wording() const { return wording_; }

  // A member of the body, or of `parent`; null and absent are the same. A wrong JSON type
  // records a SerializationException and yields nullopt / nullptr.
  std::optional<std::string> string(std::string_view name,
                                    const boost::json::object* parent = nullptr);
  std::optional<int64_t> integer(std::string_view name,
                                 const boost::json::object* parent = nullptr);
  std::optional<bool> boolean(std::string_view name, const boost::json::object* parent = nullptr);
  const boost::json::object* object(std::string_view name,
                                    const boost::json::object* parent = nullptr);
  const boost::json::array* array(std::string_view name,
                                  const boost::json::object* parent = nullptr);
  // A map of attribute values (Item, Key, ExpressionAttributeValues): the JSON's shape is a
  // SerializationException; a value's own problems a ValidationException.
  std::optional<store::Item> item(std::string_view name,
                                  const boost::json::object* parent = nullptr);
  std::optional<store::Item> item_value(const boost::json::value& value);
  // A string member that must be one of `allowed` (as DynamoDB lists them in its message);
  // `path` names it in the message when it is nested (default: `name`).
  std::optional<std::string> enumeration(std::string_view name,
                                         std::initializer_list<std::string_view> allowed,
                                         const boost::json::object* parent = nullptr,
                                         std::string_view path = {});
  // Which operations read a TableName: DynamoDB words its checks differently for each.
  enum class TableNameOf {
    // Put/Get/Update/DeleteItem, Query, Scan, the batches and transactions: missing, "Value null
    // at 'tableName' ... Member must not be null"; the length constraint is 1, and a name of 1 or
    // 2 characters is then refused in the older text "TableName must be at least 3 ...".
    kItems,
    // CreateTable, DescribeTable, DeleteTable, UpdateTable, the TTL operations: missing, "The
    // parameter 'TableName' is required but was not present in the request"; the length
    // constraint is 3.
    kTables,
  };
  // TableName: required, 3..255 characters of [a-zA-Z0-9_.-], checked and worded as `of` says.
  std::optional<std::string> table_name(std::string_view name, TableNameOf of,
                                        const boost::json::object* parent = nullptr);

  // A failed member constraint on `member` (its value as DynamoDB shows it; nullopt: null).
  void constraint(std::string_view member, std::string_view what,
                  std::optional<std::string> value = std::nullopt);
  // A value outside an enum: listed in the older form, with the value, in either wording.
  void enum_constraint(std::string_view member, std::string_view what, std::string value) {
    listed(member, what, std::move(value));
  }
  // A ValidationException of the operation's own (no member named), in DynamoDB's words.
  void invalid(std::string message);
  // A SerializationException found by a reader of a member's shape.
  void malformed(std::string message) { shape(std::move(message)); }
  // The first serialization problem, else the first validation problem, else nullopt.
  std::optional<ApiError> error() const;
  bool failed() const { return serialization_ || validation_ || !constraints_.empty(); }

 private:
  const boost::json::value* find(std::string_view name, const boost::json::object* parent) const;
  void shape(std::string message);
  // A failed constraint in the older, listed form, whatever the wording.
  void listed(std::string_view member, std::string_view what, std::optional<std::string> value);

  const boost::json::object& body_;
  const Wording wording_;
  std::optional<std::string> serialization_;
  std::vector<std::string> constraints_;  // failed member constraints, as worded
  bool first_constraint_ = false;         // kFirstConstraint: its one constraint is recorded
  std::optional<std::string> validation_;
};

}  // namespace gatehouse::dynamodb_api
