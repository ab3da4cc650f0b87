#include "dynamodb_api/expressions.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/json_text.h"
#include "store/json_codec.h"

namespace gatehouse::dynamodb_api {
namespace {

namespace json = boost::json;
namespace expr = store::expr;

template <class T>
std::shared_ptr<const T> share(T value) {
  return std::make_shared<const T>(std::move(value));
}

}  // namespace

Expressions::Expressions(RequestReader& r) : r_(r) {
  names_json_ = r.object("ExpressionAttributeNames");
  values_json_ = r.object("ExpressionAttributeValues");
  auto key_ok = [](std::string_view key, char lead) {
    if (key.size() < 2 || key[0] != lead) return false;
    for (char c : key.substr(1)) {
      const bool ok =
          (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
      if (!ok) return false;
    }
    return true;
  };
  if (names_json_) {
    if (names_json_->empty()) r.invalid("ExpressionAttributeNames must not be empty");
    names_.emplace();
    for (const auto& [key, value] : *names_json_) {
      if (!value.is_string()) {
        r.string(key, names_json_);  // records DynamoDB's serialization text
        continue;
      }
      if (!key_ok(key, '#'))
        r.invalid("ExpressionAttributeNames contains invalid key: Syntax error; key: \"" +
                  std::string(key) + "\"");
      if (auto problem = store::attribute_name_problem(value.get_string()))
        r.invalid(std::move(*problem));
      names_->emplace(std::string(key), std::string(value.get_string()));
    }
  }
  if (values_json_) {
    if (values_json_->empty()) r.invalid("ExpressionAttributeValues must not be empty");
    values_.emplace();
    for (const auto& [key, value] : *values_json_) {
      if (!key_ok(key, ':'))
        r.invalid("ExpressionAttributeValues contains invalid key: Syntax error; key: \"" +
                  std::string(key) + "\"");
      auto read = store::read_value(value);
      if (!read) {
        if (read.error().serialization)
          r.item_value(json::object{{key, value}});  // records the serialization text
        else
          r.invalid("ExpressionAttributeValues contains invalid value: " + read.error().message +
                    " for key " + std::string(key));
        continue;
      }
      values_->emplace(std::string(key), std::move(*read));
    }
  }
}

expr::Context Expressions::context() const {
  return {names_ ? &*names_ : nullptr, values_ ? &*values_ : nullptr};
}

std::optional<std::string> Expressions::text(std::string_view member, bool takes_values) {
  auto value = r_.string(member);
  if (value) any_expression_ = true;
  if (takes_values) {
    value_members_.push_back(member);
    if (value) value_expression_ = true;
  }
  if (!value || r_.failed()) return std::nullopt;
  return value;
}

std::shared_ptr<const expr::Condition> Expressions::condition(std::string_view member,
                                                              expr::ConditionKind kind) {
  auto t = text(member);
  if (!t) return nullptr;
  auto parsed = expr::parse_condition(kind, *t, context(), usage_);
  if (!parsed) {
    r_.invalid(std::move(parsed.error()));
    return nullptr;
  }
  return share(std::move(*parsed));
}

std::shared_ptr<const expr::Update> Expressions::update(std::string_view member) {
  auto t = text(member);
  if (!t) return nullptr;
  auto parsed = expr::parse_update(*t, context(), usage_);
  if (!parsed) {
    r_.invalid(std::move(parsed.error()));
    return nullptr;
  }
  return share(std::move(*parsed));
}

std::shared_ptr<const expr::Projection> Expressions::projection(std::string_view member) {
  auto t = text(member, false);
  if (!t) return nullptr;
  auto parsed = expr::parse_projection(*t, context(), usage_);
  if (!parsed) {
    r_.invalid(std::move(parsed.error()));
    return nullptr;
  }
  return share(std::move(*parsed));
}

std::shared_ptr<const expr::KeyCondition> Expressions::key_condition(std::string_view member) {
  auto t = text(member);
  if (!t) return nullptr;
  auto parsed = expr::parse_key_condition(*t, context(), usage_);
  if (!parsed) {
    r_.invalid(std::move(parsed.error()));
    return nullptr;
  }
  return share(std::move(*parsed));
}

void Expressions::finish() {
  if (r_.failed()) return;
  if (!any_expression_ && names_json_) {
    r_.invalid("ExpressionAttributeNames can only be specified when using expressions");
    return;
  }
  if (values_json_ && !value_expression_ && !value_members_.empty()) {
    // Named in DynamoDB's order of the members, not the order they were read in.
    static constexpr std::string_view kOrder[] = {"UpdateExpression", "ConditionExpression",
                                                  "FilterExpression", "KeyConditionExpression"};
    std::string absent;
    size_t count = 0;
    for (std::string_view member : kOrder) {
      if (std::find(value_members_.begin(), value_members_.end(), member) == value_members_.end())
        continue;
      absent += (count++ ? " and " : "") + std::string(member);
    }
    r_.invalid("ExpressionAttributeValues can only be specified when using expressions: " + absent +
               (count > 1 ? " are null" : " is null"));
    return;
  }
  if (auto unused = expr::unused_placeholders(context(), usage_)) r_.invalid(std::move(*unused));
}

LegacyParameters::LegacyParameters(RequestReader& r, const json::object& body)
    : r_(r), body_(body) {
  if (auto mixed = expr::mixed_parameters_message(body)) r.invalid(std::move(*mixed));
  if (auto text = r.enumeration("ConditionalOperator", {"AND", "OR"}))
    operator_ = expr::conditional_operator_from(*text);
}

void LegacyParameters::report(const expr::LegacyError& error) {
  switch (error.kind) {
    case expr::LegacyError::Kind::kSerialization:
      return r_.malformed(error.message);
    case expr::LegacyError::Kind::kConstraint:
      if (error.value) return r_.enum_constraint(error.member, error.message, *error.value);
      return r_.constraint(error.member, error.message);
    case expr::LegacyError::Kind::kValidation:
      return r_.invalid(error.message);
  }
}

std::shared_ptr<const expr::Condition> LegacyParameters::expected() {
  if (r_.failed()) return nullptr;
  auto read = expr::read_expected(body_.if_contains("Expected"), operator_);
  if (!read) {
    report(read.error());
    return nullptr;
  }
  return *read ? share(std::move(**read)) : nullptr;
}

std::shared_ptr<const expr::Condition> LegacyParameters::filter(expr::FilterParameter which) {
  if (r_.failed()) return nullptr;
  const char* member = which == expr::FilterParameter::kQueryFilter ? "QueryFilter" : "ScanFilter";
  auto read = expr::read_filter(which, body_.if_contains(member), operator_);
  if (!read) {
    report(read.error());
    return nullptr;
  }
  return *read ? share(std::move(**read)) : nullptr;
}

std::shared_ptr<const expr::Update> LegacyParameters::attribute_updates() {
  const json::value* updates = body_.if_contains("AttributeUpdates");
  if (r_.failed() || !updates || updates->is_null()) return nullptr;
  auto read = expr::read_attribute_updates(*updates);
  if (!read) {
    report(read.error());
    return nullptr;
  }
  return share(std::move(*read));
}

std::shared_ptr<const expr::KeyCondition> LegacyParameters::key_conditions() {
  const json::value* conditions = body_.if_contains("KeyConditions");
  if (r_.failed() || !conditions || conditions->is_null()) return nullptr;
  auto read = expr::read_key_conditions(*conditions);
  if (!read) {
    report(read.error());
    return nullptr;
  }
  return share(std::move(*read));
}

std::shared_ptr<const expr::Projection> LegacyParameters::attributes_to_get() {
  const json::value* names = body_.if_contains("AttributesToGet");
  if (r_.failed() || !names || names->is_null()) return nullptr;
  auto read = expr::read_attributes_to_get(*names);
  if (!read) {
    report(read.error());
    return nullptr;
  }
  return share(std::move(*read));
}

CapacityReport read_capacity_report(RequestReader& r) {
  auto value = r.enumeration("ReturnConsumedCapacity", {"INDEXES", "TOTAL", "NONE"});
  if (!value || *value == "NONE") return CapacityReport::kNone;
  return *value == "TOTAL" ? CapacityReport::kTotal : CapacityReport::kIndexes;
}

double read_units(size_t bytes, bool consistent) {
  const double units = std::max<double>(1, std::ceil(static_cast<double>(bytes) / 4096));
  return consistent ? units : units / 2;
}

double write_units(size_t bytes) {
  return std::max<double>(1, std::ceil(static_cast<double>(bytes) / 1024));
}

std::string consumed_capacity(CapacityReport report, std::string_view table, double units,
                              const std::vector<store::IndexCharge>* indexes) {
  std::string object = capacity_object(report, table, units, indexes);
  return object.empty() ? object : ",\"ConsumedCapacity\":" + object;
}

std::string capacity_object(CapacityReport report, std::string_view table, double units,
                            const std::vector<store::IndexCharge>* indexes) {
  if (report == CapacityReport::kNone) return {};
  auto number = [](double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", v);
    return std::string(text);
  };
  double total = units;
  std::string global, local;
  if (indexes) {
    for (const store::IndexCharge& charge : *indexes) {
      const double index_units = write_units(charge.bytes);
      total += index_units;
      std::string& out = charge.global ? global : local;
      out += out.empty() ? "{" : ",";
      core::append_json_string(out, charge.index);
      out += ":{\"CapacityUnits\":" + number(index_units) + "}";
    }
  }
  std::string out = "{\"TableName\":";
  core::append_json_string(out, table);
  out += ",\"CapacityUnits\":" + number(total);
  if (report == CapacityReport::kIndexes) {
    out += ",\"Table\":{\"CapacityUnits\":" + number(units) + "}";
    if (!global.empty()) out += ",\"GlobalSecondaryIndexes\":" + global + "}";
    if (!local.empty()) out += ",\"LocalSecondaryIndexes\":" + local + "}";
  }
  out += "}";
  return out;
}

}  // namespace gatehouse::dynamodb_api
