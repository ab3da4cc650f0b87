// The expression members a request may carry (ExpressionAttributeNames and -Values, and the
// expressions themselves), read and parsed with DynamoDB's checks; and the parts of an answer
// every item operation shares (ReturnConsumedCapacity). Internal to dynamodb_api.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dynamodb_api/request_reader.h"
#include "store/expr/legacy.h"
#include "store/expr/parse.h"
#include "store/operations.h"

namespace gatehouse::dynamodb_api {

class Expressions {
 public:
  // Reads ExpressionAttributeNames and ExpressionAttributeValues.
  explicit Expressions(RequestReader& r);

  // Each parses the member when present (nullptr when absent); a failure is recorded in the
  // reader. `legacy` names a non-expression parameter of the same role that the request also
  // carries, which DynamoDB refuses together with expressions.
  std::shared_ptr<const store::expr::Condition> condition(std::string_view member,
                                                          store::expr::ConditionKind kind);
  std::shared_ptr<const store::expr::Update> update(std::string_view member);
  std::shared_ptr<const store::expr::Projection> projection(std::string_view member);
  std::shared_ptr<const store::expr::KeyCondition> key_condition(std::string_view member);

  // After the expressions: placeholders given and never used, and placeholders given without
  // any expression (values: without any of the expressions read that can hold values).
  void finish();

 private:
  RequestReader& r_;
  std::optional<store::expr::NameMap> names_;
  std::optional<store::Item> values_;
  store::expr::Usage usage_;
  bool any_expression_ = false;
  bool value_expression_ = false;  // one that can hold values (not a projection) is present
  // The members read that can hold values, named when values come without them.
  std::vector<std::string_view> value_members_;
  bool failed_ = false;
  const boost::json::object* names_json_ = nullptr;
  const boost::json::object* values_json_ = nullptr;

  store::expr::Context context() const;
  std::optional<std::string> text(std::string_view member, bool takes_values = true);
};

// The legacy parameters a request may carry instead of expressions (store/expr/legacy.h), read
// into the same AST. The constructor refuses a request that mixes both kinds and reads
// ConditionalOperator; each accessor reads its member when present (nullptr when absent), a
// failure recorded in the reader.
class LegacyParameters {
 public:
  LegacyParameters(RequestReader& r, const boost::json::object& body);
  std::shared_ptr<const store::expr::Condition> expected();
  std::shared_ptr<const store::expr::Condition> filter(store::expr::FilterParameter which);
  std::shared_ptr<const store::expr::Update> attribute_updates();
  std::shared_ptr<const store::expr::KeyCondition> key_conditions();
  std::shared_ptr<const store::expr::Projection> attributes_to_get();

 private:
  void report(const store::expr::LegacyError& error);
  RequestReader& r_;
  const boost::json::object& body_;
  std::optional<store::expr::ConditionalOperator> operator_;
};

// "NONE" / "TOTAL" / "INDEXES": what ReturnConsumedCapacity asked.
enum class CapacityReport { kNone, kTotal, kIndexes };
CapacityReport read_capacity_report(RequestReader& r);
// `,"ConsumedCapacity":{...}` for `units` of the table, or "" for kNone.
// The ConsumedCapacity object for `units` of the table ("" for kNone); with `indexes` (writes),
// INDEXES reports each index's units beside the table's.
std::string capacity_object(CapacityReport report, std::string_view table, double units,
                            const std::vector<store::IndexCharge>* indexes = nullptr);
// `,"ConsumedCapacity":{...}`, or "" for kNone.
std::string consumed_capacity(CapacityReport report, std::string_view table, double units,
                              const std::vector<store::IndexCharge>* indexes = nullptr);

// Units DynamoDB charges for reading `bytes` (4 KB units; half for eventually consistent reads)
// and writing them (1 KB units), at least one unit (half a unit for an eventual read).
double read_units(size_t bytes, bool consistent);
double write_units(size_t bytes);

}  // namespace gatehouse::dynamodb_api
