// DynamoDB's legacy (non-expression) request parameters, read from the request's JSON and turned
// into the expression AST (ast.h), so the engine evaluates them exactly as it evaluates
// expressions:
//   Expected (+ ConditionalOperator)                  -> Condition     PutItem, UpdateItem,
//                                                                      DeleteItem
//   QueryFilter, ScanFilter (+ ConditionalOperator)   -> Condition     Query, Scan
//   AttributeUpdates                                  -> Update        UpdateItem
//   KeyConditions                                     -> KeyCondition  Query
//   AttributesToGet                                   -> Projection    GetItem, Query, Scan,
//                                                                      BatchGetItem (per table)
//
// Semantics (DynamoDB's LegacyConditionalParameters pages, checked against real DynamoDB by
// scylladb's test_expected.py and test_item.py):
//   - each entry names a top-level attribute, as written ("a.b" is one attribute);
//   - EQ, NE, LT, LE, GT, GE, BETWEEN, IN, BEGINS_WITH and CONTAINS behave as =, <>, <, <=, >, >=,
//     BETWEEN, IN, begins_with() and contains(); NE is true on a missing attribute;
//   - NULL and NOT_NULL test whether the attribute is absent or present (whatever its type);
//   - NOT_CONTAINS is false on a missing attribute (unlike NOT contains()), so it becomes
//     attribute_exists(a) AND NOT contains(a, v);
//   - Expected without ComparisonOperator: Value (Exists absent or true) is EQ, Exists false is
//     NULL;
//   - several entries are ANDed (ConditionalOperator OR: ORed), in the request's order;
//   - AttributeUpdates: PUT (the default) sets, DELETE without Value removes, DELETE with a set
//     removes members, ADD adds to a number, unions a set or appends to a list (Update's
//     from_attribute_updates, which also gives the legacy type-mismatch text).
//
// Checks, per parameter and in DynamoDB's order: the JSON's shape anywhere in the member
// (SerializationException), then member constraints (a missing or unknown ComparisonOperator or
// Action, the length of AttributesToGet), then DynamoDB's own checks entry by entry in the
// request's order. Messages are the whole texts without the "1 validation error detected: "
// envelope an operation may add. Checks that need the table (key attributes in QueryFilter or
// AttributeUpdates, KeyConditions against the key schema) are the caller's and
// bind_key_condition's.
//
// Usage (UpdateItem):
//   if (auto mixed = mixed_parameters_message(body)) return validation_error(*mixed);
//   auto text = reader.enumeration("ConditionalOperator", {"AND", "OR"});
//   auto op = text ? conditional_operator_from(*text) : std::nullopt;
//   auto condition = read_expected(body.if_contains("Expected"), op);
//   if (!condition) return report(condition.error());     // kind picks the exception
//   if (const boost::json::value* updates = body.if_contains("AttributeUpdates")) {
//     auto update = read_attribute_updates(*updates);
//     ...
//   }
//
// Thread safety: pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/expr/ast.h"
#include "store/expr/key_condition.h"

namespace gatehouse::store::expr {

// Why a legacy parameter was refused.
struct LegacyError {
  enum class Kind {
    // com.amazon.coral.service#SerializationException: the JSON's shape. `message` is the text.
    kSerialization,
    // A member constraint, reported as "Value at '<member>' failed to satisfy constraint:
    // <message>" (RequestReader::constraint). `member` is e.g.
    // "ScanFilter.a.member.ComparisonOperator", `message` e.g. "Member must not be null".
    kConstraint,
    // Any other ValidationException. `message` is the whole text.
    kValidation,
  };
  Kind kind = Kind::kValidation;
  std::string member;
  std::string message;
  // kConstraint on an enum: the value refused, which DynamoDB quotes ("Value 'DOG' at ...").
  std::optional<std::string> value = std::nullopt;

  friend bool operator==(const LegacyError&, const LegacyError&) = default;
};

template <class T>
using LegacyResult = core::Result<T, LegacyError>;

enum class ConditionalOperator { kAnd, kOr };

// "AND" or "OR"; nullopt for anything else (the caller reports the enum constraint).
std::optional<ConditionalOperator> conditional_operator_from(std::string_view text);

// Expected with the request's ConditionalOperator. `expected` is the member, or null when the
// request has none (a JSON null counts as none). nullopt: no condition (absent or empty).
// Errors include "One or more parameter values were invalid: Value must be provided when Exists
// is null for Attribute: a" and the ConditionalOperator texts of read_filter.
LegacyResult<std::optional<Condition>> read_expected(
    const boost::json::value* expected, std::optional<ConditionalOperator> conditional_operator);

enum class FilterParameter { kQueryFilter, kScanFilter };

// QueryFilter or ScanFilter with the request's ConditionalOperator; as read_expected. A
// ConditionalOperator needs two or more entries: "ConditionalOperator cannot be used without
// Filter or Expected", "ConditionalOperator can only be used when Filter or Expected has two or
// more elements".
LegacyResult<std::optional<Condition>> read_filter(
    FilterParameter which, const boost::json::value* filter,
    std::optional<ConditionalOperator> conditional_operator);

// AttributeUpdates (present). An empty map is an Update with no actions. The key attributes'
// check ("Cannot update attribute <k>. This attribute is part of the key") is the engine's, on
// updated_attributes().
LegacyResult<Update> read_attribute_updates(const boost::json::value& updates);

// KeyConditions (present): 1 or 2 entries ("Conditions can be of length 1 or 2 only"). NULL,
// NOT_NULL, NE, CONTAINS, NOT_CONTAINS and IN become terms that are not indexable, which
// bind_key_condition refuses in its order.
LegacyResult<KeyCondition> read_key_conditions(const boost::json::value& key_conditions);

// AttributesToGet (present): 1 to 255 names, none twice. `member` names it in constraint
// errors, e.g. "RequestItems.t.member.AttributesToGet" in BatchGetItem.
LegacyResult<Projection> read_attributes_to_get(const boost::json::value& names,
                                                std::string_view member = "AttributesToGet");

// A Query's QueryFilter may not name key attributes: DynamoDB's message for the first entry on
// `hash`, else on `range`,
//   QueryFilter can only contain non-primary key attributes: Primary key attribute: <k>
// or nullopt.
std::optional<std::string> query_filter_key_attribute(const Condition& filter, KeyAttribute hash,
                                                      std::optional<KeyAttribute> range);

// DynamoDB's refusal of legacy and expression parameters in one request, given the names of the
// members present (others are ignored), or nullopt when not both kinds are present:
//   Can not use both expression and non-expression parameters in the same request:
//   Non-expression parameters: {AttributesToGet, QueryFilter} Expression parameters:
//   {FilterExpression}
// Names are listed in DynamoDB's fixed order: AttributeUpdates, AttributesToGet, Expected,
// QueryFilter, ScanFilter, ConditionalOperator, KeyConditions; UpdateExpression,
// ProjectionExpression, ConditionExpression, FilterExpression, KeyConditionExpression.
// KeyConditions counts only beside KeyConditionExpression: it may go with FilterExpression.
std::optional<std::string> mixed_parameters_message(std::span<const std::string_view> present);
// The same for the members of a request body (a JSON null member is absent).
std::optional<std::string> mixed_parameters_message(const boost::json::object& request);

}  // namespace gatehouse::store::expr
