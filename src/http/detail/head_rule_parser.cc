#include "http/detail/head_rule_parser.h"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/rfc7230.hpp>

#include <algorithm>
#include <string_view>

namespace gatehouse::http::detail {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

// The fields WireFields never holds: the listener writes its own.
bool listener_writes(bhttp::field code) {
  return code == bhttp::field::content_length || code == bhttp::field::transfer_encoding ||
         code == bhttp::field::connection || code == bhttp::field::date;
}

}  // namespace

void HeadRuleParser::on_field_impl(bhttp::field code, beast::string_view name,
                                   beast::string_view value, beast::error_code&) {
  if (rule_ == nullptr) return get().insert(code, name, value);
  if (code == bhttp::field::connection) {
    if (!connection_.empty()) connection_ += ", ";
    connection_.append(value);
  }
  HeadRule::Fate fate = rule_->fate(code, name);
  if (fate == HeadRule::Fate::kKeep && listener_writes(code)) fate = HeadRule::Fate::kDrop;
  // The values Beast hands over hold no line break (a folded one is joined with spaces).
  if (fate == HeadRule::Fate::kKeep) {
    kept_.push_back({static_cast<uint32_t>(passed_.text().size()),
                     static_cast<uint32_t>(name.size()), fields_});
    passed_.add({}, name, value);
  }
  if (fate == HeadRule::Fate::kRename) passed_.add(rule_->rename_prefix, name, value);
  if (fate != HeadRule::Fate::kDrop) ++fields_;
}

void HeadRuleParser::on_header_impl(beast::error_code& ec) {
  ec = {};
  if (connection_.empty() || kept_.empty()) return;
  // Kept fields the Connection header names are dropped; a renamed one is not judged again by
  // its new name.
  boost::container::small_vector<std::string_view, 4> tokens;
  for (auto token : bhttp::token_list(connection_))
    tokens.push_back(token);
  boost::container::small_vector<uint32_t, 4> named;
  for (const Kept& k : kept_) {
    std::string_view name(passed_.text().data() + k.begin, k.name_size);
    if (std::any_of(tokens.begin(), tokens.end(), [&](std::string_view t) {
          return t.size() == name.size() && beast::iequals(t, name);
        })) {
      named.push_back(k.field);
    }
  }
  if (named.empty()) return;
  passed_.erase_if([&](size_t i, std::string_view) {
    return std::find(named.begin(), named.end(), i) != named.end();
  });
}

}  // namespace gatehouse::http::detail
