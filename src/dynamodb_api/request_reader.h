// Reading an operation's JSON body the way DynamoDB does: every member is typed first (a JSON
// value of the wrong shape is a SerializationException, which wins over anything else), then
// constrained (required, lengths, ranges, enums, patterns: DynamoDB's ValidationException
// "1 validation error detected: Value at 'TableName' failed to satisfy constraint: Member must
// ...", in its current wording, which reports the first constraint that fails).
//
// Usage:
//   RequestReader r(call.body);
//   auto table = r.table_name("TableName", 1);
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

#include "dynamodb_api/errors.h"
#include "store/value.h"

namespace gatehouse::dynamodb_api {

class RequestReader {
 public:
  explicit RequestReader(const boost::json::object& body) : body_(body) {}

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
  // SerializationException; a value's own problems a ValidationException, `wrap` deciding
  // whether its message takes the "1 validation error detected: " prefix (PutItem, UpdateItem and
  // DeleteItem write it so).
  std::optional<store::Item> item(std::string_view name, bool wrap,
                                  const boost::json::object* parent = nullptr);
  std::optional<store::Item> item_value(const boost::json::value& value, bool wrap);
  // A string member that must be one of `allowed` (as DynamoDB lists them in its message).
  std::optional<std::string> enumeration(std::string_view name,
                                         std::initializer_list<std::string_view> allowed,
                                         const boost::json::object* parent = nullptr);
  // TableName (or another table-name member): required, min_length..255, [a-zA-Z0-9_.-]+.
  std::optional<std::string> table_name(std::string_view name, size_t min_length,
                                        const boost::json::object* parent = nullptr);

  // A failed member constraint: "Value at '<member>' failed to satisfy constraint: <what>".
  void constraint(std::string_view member, std::string_view what);
  // A ValidationException of the operation's own (no member named), in DynamoDB's words.
  void invalid(std::string message);
  // The first serialization problem, else the first validation problem, else nullopt.
  std::optional<ApiError> error() const;
  bool failed() const { return serialization_ || validation_; }

 private:
  const boost::json::value* find(std::string_view name, const boost::json::object* parent) const;
  void shape(std::string message);

  const boost::json::object& body_;
  std::optional<std::string> serialization_;
  std::optional<std::string> validation_;
};

}  // namespace gatehouse::dynamodb_api
