#include "dynamodb_api/expressions.h"

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

Expressions::Expressions(RequestReader& r, bool wrap) : r_(r) {
  names_json_ = r.object("ExpressionAttributeNames");
  values_json_ = r.object("ExpressionAttributeValues");
  if (names_json_) {
    if (names_json_->empty()) r.invalid("ExpressionAttributeNames must not be empty");
    names_.emplace();
    for (const auto& [key, value] : *names_json_) {
      if (!value.is_string()) {
        r.string(key, names_json_);  // records DynamoDB's serialization text
        continue;
      }
      names_->emplace(std::string(key), std::string(value.get_string()));
    }
  }
  if (values_json_) {
    if (values_json_->empty()) r.invalid("ExpressionAttributeValues must not be empty");
    values_.emplace();
    for (const auto& [key, value] : *values_json_) {
      auto read = store::read_value(value);
      if (!read) {
        if (read.error().serialization)
          r.item_value(json::object{{key, value}}, wrap);  // records the serialization text
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

std::optional<std::string> Expressions::text(std::string_view member) {
  auto value = r_.string(member);
  if (value) any_expression_ = true;
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
  auto t = text(member);
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
  if (!any_expression_) {
    if (names_json_)
      r_.invalid("ExpressionAttributeNames can only be specified when using expressions");
    if (values_json_)
      r_.invalid("ExpressionAttributeValues can only be specified when using expressions");
    return;
  }
  if (auto unused = expr::unused_placeholders(context(), usage_)) r_.invalid(std::move(*unused));
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
                              bool write) {
  if (report == CapacityReport::kNone) return {};
  char number[32];
  std::snprintf(number, sizeof number, "%.1f", units);
  std::string out = ",\"ConsumedCapacity\":{\"TableName\":";
  core::append_json_string(out, table);
  out += ",\"CapacityUnits\":";
  out += number;
  if (report == CapacityReport::kIndexes) {
    out += ",\"Table\":{\"CapacityUnits\":";
    out += number;
    out += "}";
  }
  out += write ? ",\"WriteCapacityUnits\":" : ",\"ReadCapacityUnits\":";
  out += number;
  out += "}";
  return out;
}

}  // namespace gatehouse::dynamodb_api
