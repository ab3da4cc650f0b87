#include "store/plain_json.h"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/base64.h"
#include "core/json_text.h"

namespace gatehouse::store {
namespace {

namespace json = boost::json;

core::Result<AttributeValue, std::string> from_json(const json::value& v, int level) {
  if (level > kMaxNesting)
    return std::string(
        "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels "
        "beyond supported limit");
  auto number = [](std::string text) -> core::Result<AttributeValue, std::string> {
    auto d = Decimal::parse(text);
    if (!d) return to_message(d.error(), text);
    return AttributeValue::number(std::move(*d));
  };
  switch (v.kind()) {
    case json::kind::null:
      return AttributeValue::null();
    case json::kind::bool_:
      return AttributeValue::boolean(v.get_bool());
    case json::kind::string:
      return AttributeValue::string(std::string(v.get_string()));
    case json::kind::int64:
      return number(std::to_string(v.get_int64()));
    case json::kind::uint64:
      return number(std::to_string(v.get_uint64()));
    case json::kind::double_: {
      std::string text;
      core::append_js_number(text, v.get_double());
      return number(std::move(text));
    }
    case json::kind::array: {
      std::vector<AttributeValue> elements;
      elements.reserve(v.get_array().size());
      for (const json::value& e : v.get_array()) {
        auto element = from_json(e, level + 1);
        if (!element) return element.error();
        elements.push_back(std::move(*element));
      }
      return AttributeValue::list(std::move(elements));
    }
    case json::kind::object: {
      AttributeMap entries;
      for (const auto& [key, value] : v.get_object()) {
        auto entry = from_json(value, level + 1);
        if (!entry) return entry.error();
        entries.insert_or_assign(std::string(key), std::move(*entry));
      }
      return AttributeValue::map(std::move(entries));
    }
  }
  return AttributeValue::null();
}

template <class Members, class Append>
void append_array(std::string& out, const Members& members, Append append) {
  out += '[';
  bool first = true;
  for (const auto& m : members) {
    if (!first) out += ',';
    first = false;
    append(m);
  }
  out += ']';
}

}  // namespace

core::Result<Item, std::string> item_from_plain_json(const json::object& object) {
  Item item;
  for (const auto& [key, value] : object) {
    auto v = from_json(value, 1);
    if (!v) return v.error();
    item.insert_or_assign(std::string(key), std::move(*v));
  }
  return item;
}

void append_plain_json(std::string& out, const AttributeValue& value) {
  switch (value.type()) {
    case ValueType::kS:
      return core::append_json_string(out, value.as_string());
    case ValueType::kN:
      // Canonical decimal text is a JSON number as it is.
      out += value.as_number().to_string();
      return;
    case ValueType::kB:
      return core::append_json_string(out, core::base64_encode(value.as_binary()));
    case ValueType::kBool:
      out += value.as_bool() ? "true" : "false";
      return;
    case ValueType::kNull:
      out += "null";
      return;
    case ValueType::kSS:
      return append_array(out, value.as_string_set(),
                          [&](const std::string& s) { core::append_json_string(out, s); });
    case ValueType::kNS:
      return append_array(out, value.as_number_set(),
                          [&](const Decimal& d) { out += d.to_string(); });
    case ValueType::kBS:
      return append_array(out, value.as_binary_set(), [&](const std::string& b) {
        core::append_json_string(out, core::base64_encode(b));
      });
    case ValueType::kL:
      return append_array(out, value.as_list(),
                          [&](const AttributeValue& e) { append_plain_json(out, e); });
    case ValueType::kM: {
      out += '{';
      bool first = true;
      for (const auto& [key, entry] : value.as_map()) {
        if (!first) out += ',';
        first = false;
        core::append_json_string(out, key);
        out += ':';
        append_plain_json(out, entry);
      }
      out += '}';
      return;
    }
  }
}

bool append_plain_json_of_stored(std::string& out, const json::value& v) {
  const json::object* o = v.if_object();
  if (!o || o->size() != 1) return false;
  const std::string_view type = o->begin()->key();
  const json::value& inner = o->begin()->value();
  auto strings = [&](bool numbers) {
    const json::array* a = inner.if_array();
    if (!a) return false;
    out += '[';
    for (size_t i = 0; i < a->size(); ++i) {
      const json::string* s = (*a)[i].if_string();
      if (!s) return false;
      if (i > 0) out += ',';
      if (numbers)
        out.append(s->data(), s->size());  // canonical decimal text is a JSON number
      else
        core::append_json_string(out, *s);
    }
    out += ']';
    return true;
  };
  if (type == "S" || type == "B") {
    // A binary's stored base64 is its plain form already.
    const json::string* s = inner.if_string();
    if (!s) return false;
    core::append_json_string(out, *s);
    return true;
  }
  if (type == "N") {
    const json::string* s = inner.if_string();
    if (!s) return false;
    out.append(s->data(), s->size());
    return true;
  }
  if (type == "BOOL") {
    if (!inner.is_bool()) return false;
    out += inner.get_bool() ? "true" : "false";
    return true;
  }
  if (type == "NULL") {
    out += "null";
    return true;
  }
  if (type == "SS" || type == "BS") return strings(false);
  if (type == "NS") return strings(true);
  if (type == "L") {
    const json::array* a = inner.if_array();
    if (!a) return false;
    out += '[';
    for (size_t i = 0; i < a->size(); ++i) {
      if (i > 0) out += ',';
      if (!append_plain_json_of_stored(out, (*a)[i])) return false;
    }
    out += ']';
    return true;
  }
  if (type == "M") {
    const json::object* m = inner.if_object();
    if (!m) return false;
    out += '{';
    bool first = true;
    for (const auto& [key, entry] : *m) {
      if (!first) out += ',';
      first = false;
      core::append_json_string(out, key);
      out += ':';
      if (!append_plain_json_of_stored(out, entry)) return false;
    }
    out += '}';
    return true;
  }
  return false;
}

}  // namespace gatehouse::store
