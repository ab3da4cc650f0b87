// libFuzzer target: DynamoDB's expressions (store/expr) on arbitrary bytes. The input is parsed
// as each kind of expression (ConditionExpression, FilterExpression, KeyConditionExpression,
// UpdateExpression, ProjectionExpression) with one fixed set of placeholders. Whatever parses
// must then evaluate, bind, apply or project against fixed items without crashing, and apply
// without touching attributes the update does not name; whatever is refused must say why.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "store/expr/evaluate.h"
#include "store/expr/key_condition.h"
#include "store/expr/parse.h"
#include "store/expr/projection.h"
#include "store/expr/update.h"

namespace {

using gatehouse::store::AttributeValue;
using gatehouse::store::Decimal;
using gatehouse::store::Item;
using gatehouse::store::ValueType;
namespace expr = gatehouse::store::expr;

AttributeValue num(std::string_view text) {
  return AttributeValue::number(*Decimal::parse(text));
}

const expr::NameMap& names() {
  static const expr::NameMap kNames = {
      {"#a", "a"}, {"#b", "b"},   {"#l", "l"},   {"#m", "m"},   {"#n", "n"},
      {"#s", "s"}, {"#pk", "pk"}, {"#sk", "sk"}, {"#0", "x.y"}, {"#status", "status"}};
  return kNames;
}

const Item& values() {
  static const Item kValues = {
      {":s", AttributeValue::string("hello")},
      {":e", AttributeValue::string("")},
      {":n", num("42")},
      {":big", num("9.99e125")},
      {":tiny", num("1e-130")},
      {":b", AttributeValue::binary(std::string("\x00\xff", 2))},
      {":t", AttributeValue::boolean(true)},
      {":null", AttributeValue::null()},
      {":type", AttributeValue::string("N")},
      {":l", AttributeValue::list({num("1"), AttributeValue::string("x")})},
      {":m", AttributeValue::map({{"k", num("2")}})},
      {":ss", AttributeValue::string_set({"a", "b"})},
      {":ns", AttributeValue::number_set({*Decimal::parse("1"), *Decimal::parse("2")})},
      {":bs", AttributeValue::binary_set({"x"})},
  };
  return kValues;
}

const Item& item() {
  static const Item kItem = {
      {"pk", AttributeValue::string("p")},
      {"sk", num("7")},
      {"a", num("1")},
      {"b", AttributeValue::string("hello world")},
      {"l", AttributeValue::list({num("1"), AttributeValue::list({num("2")}),
                                  AttributeValue::map({{"z", num("3")}})})},
      {"m", AttributeValue::map({{"a", num("1")}, {"l", AttributeValue::list({})}})},
      {"s", AttributeValue::string_set({"a", "c"})},
      {"n", AttributeValue::number_set({*Decimal::parse("5")})},
      {"x.y", AttributeValue::null()},
  };
  return kItem;
}

void check_error(const std::string& message) {
  if (message.empty()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  expr::Context ctx{&names(), &values()};
  expr::Usage usage;

  for (auto kind : {expr::ConditionKind::kCondition, expr::ConditionKind::kFilter}) {
    auto condition = expr::parse_condition(kind, text, ctx, usage);
    if (!condition) {
      check_error(condition.error());
      continue;
    }
    expr::matches(*condition, item());
    expr::matches(*condition, Item{});
  }

  if (auto key = expr::parse_key_condition(text, ctx, usage)) {
    auto range = expr::bind_key_condition(*key, {"pk", ValueType::kS},
                                          expr::KeyAttribute{"sk", ValueType::kN});
    if (range) {
      expr::sort_key_matches(*range, item().at("sk"));
    } else {
      check_error(range.error());
    }
  } else {
    check_error(key.error());
  }

  if (auto update = expr::parse_update(text, ctx, usage)) {
    auto next = expr::apply_update(*update, item());
    if (next) {
      // Attributes the update does not name come through unchanged.
      auto touched = expr::updated_attributes(*update);
      for (const auto& [name, value] : item()) {
        bool named = false;
        for (const auto& t : touched)
          named = named || t == name;
        if (!named && (next->count(name) == 0 || !(next->at(name) == value))) __builtin_trap();
      }
    } else {
      check_error(next.error());
    }
    if (auto fresh = expr::apply_update(*update, Item{}, false); !fresh) check_error(fresh.error());
    expr::updated_paths(*update);
  } else {
    check_error(update.error());
  }

  if (auto projection = expr::parse_projection(text, ctx, usage)) {
    Item shown = expr::project(item(), projection->paths);
    // A projection only keeps attributes the item has.
    for (const auto& [name, value] : shown) {
      if (item().count(name) == 0) __builtin_trap();
    }
  } else {
    check_error(projection.error());
  }

  expr::unused_placeholders(ctx, usage);
  return 0;
}
