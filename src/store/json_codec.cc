#include "store/json_codec.h"

#include "core/base64.h"
#include "core/json_text.h"

namespace gatehouse::store {
namespace {

void append_key(std::string& out, std::string_view type) {
  out += "{\"";
  out += type;
  out += "\":";
}

template <class T, class Write>
void append_array(std::string& out, const std::vector<T>& elements, Write write) {
  out += '[';
  bool first = true;
  for (const T& e : elements) {
    if (!first) out += ',';
    first = false;
    write(e);
  }
  out += ']';
}

}  // namespace

void append_json(std::string& out, const AttributeValue& value) {
  const ValueType type = value.type();
  append_key(out, to_string(type));
  switch (type) {
    case ValueType::kS:
      core::append_json_string(out, value.as_string());
      break;
    case ValueType::kN:
      core::append_json_string(out, value.as_number().to_string());
      break;
    case ValueType::kB:
      core::append_json_string(out, core::base64_encode(value.as_binary()));
      break;
    case ValueType::kBool:
      out += value.as_bool() ? "true" : "false";
      break;
    case ValueType::kNull:
      out += "true";
      break;
    case ValueType::kSS:
      append_array(out, value.as_string_set(),
                   [&](const std::string& s) { core::append_json_string(out, s); });
      break;
    case ValueType::kNS:
      append_array(out, value.as_number_set(),
                   [&](const Decimal& d) { core::append_json_string(out, d.to_string()); });
      break;
    case ValueType::kBS:
      append_array(out, value.as_binary_set(), [&](const std::string& b) {
        core::append_json_string(out, core::base64_encode(b));
      });
      break;
    case ValueType::kL:
      append_array(out, value.as_list(), [&](const AttributeValue& e) { append_json(out, e); });
      break;
    case ValueType::kM:
      append_item_json(out, value.as_map());
      break;
  }
  out += '}';
}

void append_item_json(std::string& out, const Item& item) {
  out += '{';
  bool first = true;
  for (const auto& [name, value] : item) {
    if (!first) out += ',';
    first = false;
    core::append_json_string(out, name);
    out += ':';
    append_json(out, value);
  }
  out += '}';
}

}  // namespace gatehouse::store
