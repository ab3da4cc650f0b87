// Parsing DynamoDB's expressions with a request's placeholders, refusing what DynamoDB refuses
// with DynamoDB's ValidationException message.
//
// Each function checks one expression text the way DynamoDB does and in its order: empty, over
// 4096 bytes, syntax, more than 300 operators, then by kind of problem rather than by position
// (redundant parentheses, unknown functions, functions in the wrong place, reserved words, then
// each condition's undefined placeholders, operand counts and operand types; for updates the
// sections, placeholders, overlapping paths and operand types). The message is the whole text
// DynamoDB sends, "Invalid ConditionExpression: ..." included; an operation that wraps validation
// errors adds "1 validation error detected: " itself.
//
// Usage (one request):
//   Context ctx{request.names ? &*request.names : nullptr, values ? &*values : nullptr};
//   Usage usage;
//   auto update = parse_update(request.update_expression, ctx, usage);
//   if (!update) return validation_error(update.error());
//   auto condition = parse_condition(ConditionKind::kCondition, text, ctx, usage);
//   ...
//   if (auto unused = unused_placeholders(ctx, usage)) return validation_error(*unused);
//
// Thread safety: pure functions; a Usage belongs to one request.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/expr/ast.h"
#include "store/value.h"

namespace gatehouse::store::expr {

// DynamoDB's limit on an expression's text, in bytes, as sent (placeholders not substituted).
inline constexpr size_t kMaxExpressionBytes = 4096;
// The most candidates IN takes after the operand.
inline constexpr size_t kMaxInCandidates = 100;
// The deepest document path: the attribute and 31 more steps.
inline constexpr size_t kMaxPathDepth = 32;

using NameMap = std::map<std::string, std::string, std::less<>>;

// A request's ExpressionAttributeNames (#name to attribute name) and its already decoded
// ExpressionAttributeValues (:value to value). Either may be null: the request had none. Both
// must outlive the parse call; the parsed expressions copy what they use.
struct Context {
  const NameMap* names = nullptr;
  const Item* values = nullptr;
};

// The placeholders the expressions of one request used, gathered across the parse calls for
// unused_placeholders(). Only successful parses add to it.
struct Usage {
  std::set<std::string, std::less<>> names;
  std::set<std::string, std::less<>> values;
};

// ConditionExpression and FilterExpression share one grammar and differ in their messages'
// prefix.
enum class ConditionKind { kCondition, kFilter };

core::Result<Condition, std::string> parse_condition(ConditionKind kind, std::string_view text,
                                                     const Context& ctx, Usage& usage);

// A KeyConditionExpression: a condition as above, then only AND of at most one comparison,
// BETWEEN or begins_with per top-level attribute, each between an attribute and constants.
// Which attributes are the key is bind_key_condition()'s business (key_condition.h).
core::Result<KeyCondition, std::string> parse_key_condition(std::string_view text,
                                                            const Context& ctx, Usage& usage);

// An UpdateExpression: SET, REMOVE, ADD and DELETE clauses, each at most once, no two paths
// the same, inside one another or using one attribute both as a map and as a list.
core::Result<Update, std::string> parse_update(std::string_view text, const Context& ctx,
                                               Usage& usage);

// A ProjectionExpression: paths separated by commas, none overlapping or conflicting.
core::Result<Projection, std::string> parse_projection(std::string_view text, const Context& ctx,
                                                       Usage& usage);

// After every expression of a request parsed: DynamoDB's message when ExpressionAttributeNames
// or ExpressionAttributeValues has an entry no expression used (names are reported first), e.g.
//   Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}
// nullopt when all were used.
std::optional<std::string> unused_placeholders(const Context& ctx, const Usage& usage);

}  // namespace gatehouse::store::expr
