// libFuzzer target: DynamoDB JSON attribute values and items (store/json_codec) on arbitrary
// bytes. Whatever is accepted must write back as DynamoDB JSON that reads again as an equal value
// of the same size, nest no deeper than DynamoDB allows, and hold only numbers in DynamoDB's
// range; whatever is refused must say why.
#include <boost/json/parse.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "store/json_codec.h"

namespace {

using gatehouse::store::AttributeValue;
using gatehouse::store::ValueType;

void check_numbers(const AttributeValue& v) {
  auto check = [](const gatehouse::store::Decimal& d) {
    // A number in range reads back from its canonical text as itself.
    auto again = gatehouse::store::Decimal::parse(d.to_string());
    if (!again || !(*again == d) || again->key_bytes() != d.key_bytes()) __builtin_trap();
  };
  switch (v.type()) {
    case ValueType::kN:
      check(v.as_number());
      break;
    case ValueType::kNS:
      for (const auto& d : v.as_number_set())
        check(d);
      break;
    case ValueType::kL:
      for (const auto& e : v.as_list())
        check_numbers(e);
      break;
    case ValueType::kM:
      for (const auto& [name, e] : v.as_map())
        check_numbers(e);
      break;
    default:
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  boost::json::parse_options options;
  options.max_depth = 80;  // deeper than the 32 levels DynamoDB allows, so the codec refuses it
  boost::system::error_code ec;
  boost::json::value json = boost::json::parse(text, ec, {}, options);
  if (ec) return 0;

  auto item = gatehouse::store::read_item(json);
  if (item) {
    std::string out;
    gatehouse::store::append_item_json(out, *item);
    auto again = gatehouse::store::read_item(boost::json::parse(out, ec, {}, options));
    if (ec || !again || *again != *item) __builtin_trap();
    if (gatehouse::store::item_size(*again) != gatehouse::store::item_size(*item)) __builtin_trap();
    for (const auto& [name, v] : *item) {
      if (gatehouse::store::nesting_depth(v) >= gatehouse::store::kMaxNesting) __builtin_trap();
      check_numbers(v);
    }
  } else if (item.error().message.empty()) {
    __builtin_trap();
  }

  auto value = gatehouse::store::read_value(json);
  if (value) {
    std::string out;
    gatehouse::store::append_json(out, *value);
    auto again = gatehouse::store::read_value(boost::json::parse(out, ec, {}, options));
    if (ec || !again || !(*again == *value)) __builtin_trap();
  } else if (value.error().message.empty()) {
    __builtin_trap();
  }
  return 0;
}
