// Shared helpers of the store/expr tests: building values and items, and one request's
// placeholders with parse shortcuts that return either the result or the error text.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/expr/ast.h"
#include "store/expr/parse.h"
#include "store/value.h"

namespace gatehouse::store::expr::testing {

using V = AttributeValue;

inline V n(std::string_view text) {
  auto d = Decimal::parse(text);
  EXPECT_TRUE(d.has_value()) << text;
  return V::number(d ? *d : Decimal());
}
inline V s(std::string text) {
  return V::string(std::move(text));
}
inline V b(std::string bytes) {
  return V::binary(std::move(bytes));
}
inline V ns(std::vector<std::string_view> texts) {
  std::vector<Decimal> members;
  for (auto t : texts)
    members.push_back(*Decimal::parse(t));
  return V::number_set(std::move(members));
}
inline V l(std::vector<V> elements) {
  return V::list(std::move(elements));
}
inline V m(AttributeMap entries) {
  return V::map(std::move(entries));
}

inline Path path(std::vector<PathStep> steps) {
  return Path{std::move(steps)};
}
inline PathStep at(std::string name) {
  return PathStep::member(std::move(name));
}
inline PathStep at(size_t index) {
  return PathStep::element(index);
}

// One request: its ExpressionAttributeNames and ExpressionAttributeValues, and the usage its
// parses gather.
struct Request {
  NameMap names;
  Item values;
  Usage usage;

  Context ctx() const { return Context{&names, &values}; }

  template <class R>
  static std::string error_of(const R& r) {
    return r ? std::string("(parsed)") : r.error();
  }
  template <class T>
  static T value_of(core::Result<T, std::string> r, std::string_view text) {
    EXPECT_TRUE(r.has_value()) << text << ": " << (r ? "" : r.error());
    return r ? std::move(*r) : T{};
  }

  Condition condition(std::string_view text) {
    return value_of(parse_condition(ConditionKind::kCondition, text, ctx(), usage), text);
  }
  std::string condition_error(std::string_view text) {
    return error_of(parse_condition(ConditionKind::kCondition, text, ctx(), usage));
  }
  std::string filter_error(std::string_view text) {
    return error_of(parse_condition(ConditionKind::kFilter, text, ctx(), usage));
  }
  KeyCondition key(std::string_view text) {
    return value_of(parse_key_condition(text, ctx(), usage), text);
  }
  std::string key_error(std::string_view text) {
    return error_of(parse_key_condition(text, ctx(), usage));
  }
  Update update(std::string_view text) { return value_of(parse_update(text, ctx(), usage), text); }
  std::string update_error(std::string_view text) {
    return error_of(parse_update(text, ctx(), usage));
  }
  Projection projection(std::string_view text) {
    return value_of(parse_projection(text, ctx(), usage), text);
  }
  std::string projection_error(std::string_view text) {
    return error_of(parse_projection(text, ctx(), usage));
  }
};

}  // namespace gatehouse::store::expr::testing
