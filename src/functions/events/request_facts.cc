#include "functions/events/request_facts.h"

#include <array>
#include <unordered_map>

#include "core/text.h"

namespace gatehouse::functions::events {
namespace {

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Form-style decoding of one query name or value: '+' is a space, %XX a byte; a '%' without two
// hex digits stays as it is (we never refuse a request over its query).
std::string decode_query_part(std::string_view raw) {
  return core::percent_decode_lenient(raw, {.plus_is_space = true});
}

// Calls visit(name, value) for each parameter of the query, decoded, in order: the one reading
// of a query string that parse_query and find_query_param share.
template <class Visit>
void for_each_query_param(std::string_view raw_query, Visit&& visit) {
  size_t pos = 0;
  while (pos < raw_query.size()) {
    size_t amp = raw_query.find('&', pos);
    if (amp == std::string_view::npos) amp = raw_query.size();
    std::string_view piece = raw_query.substr(pos, amp - pos);
    pos = amp + 1;
    if (piece.empty()) continue;
    size_t eq = piece.find('=');
    std::string name = decode_query_part(piece.substr(0, eq));
    if (name.empty()) continue;
    std::string value =
        eq == std::string_view::npos ? std::string() : decode_query_part(piece.substr(eq + 1));
    visit(std::move(name), std::move(value));
  }
}

}  // namespace

bool header_name_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

bool is_passed_on(std::string_view header_name) {
  return !header_name_equals(header_name, "Content-Length") &&
         !header_name_equals(header_name, "Connection");
}

HeaderValues find_header(const std::vector<NameValue>& headers, std::string_view name) {
  HeaderValues out;
  if (!is_passed_on(name)) return out;
  for (const auto& [n, v] : headers) {
    if (!header_name_equals(n, name)) continue;
    ++out.count;
    out.last = v;
  }
  return out;
}

std::vector<QueryParam> parse_query(std::string_view raw_query) {
  std::vector<QueryParam> params;
  std::unordered_map<std::string, size_t> index;
  for_each_query_param(raw_query, [&](std::string name, std::string value) {
    auto [it, inserted] = index.try_emplace(name, params.size());
    if (inserted) params.push_back({std::move(name), {}});
    params[it->second].values.push_back(std::move(value));
  });
  return params;
}

QueryValues find_query_param(std::string_view raw_query, std::string_view name) {
  QueryValues out;
  for_each_query_param(raw_query, [&](std::string n, std::string value) {
    if (n != name) return;
    ++out.count;
    out.last = std::move(value);
  });
  return out;
}

std::string context_path(const RequestFacts& request) {
  std::string path;
  path.reserve(request.stage.size() + 1 + request.raw_path.size());
  if (!request.stage.empty()) {
    path += '/';
    path += request.stage;
  }
  path += request.raw_path;
  return path;
}

std::optional<std::string> request_context_value(const RequestFacts& f, std::string_view path) {
  using Read = std::string (*)(const RequestFacts&);
  // The same fields the event builders write under these names (events.cc).
  static constexpr std::array<std::pair<std::string_view, Read>, 14> kPaths = {{
      {"httpMethod", [](const RequestFacts& r) { return std::string(r.method); }},
      {"resourcePath", [](const RequestFacts& r) { return std::string(r.resource); }},
      {"resourceId", [](const RequestFacts& r) { return std::string(r.resource_id); }},
      {"path", [](const RequestFacts& r) { return context_path(r); }},
      {"stage", [](const RequestFacts& r) { return std::string(r.stage); }},
      {"requestId", [](const RequestFacts& r) { return std::string(r.request_id); }},
      {"extendedRequestId",
       [](const RequestFacts& r) { return std::string(r.extended_request_id); }},
      {"apiId", [](const RequestFacts& r) { return std::string(r.api_id); }},
      {"domainPrefix", [](const RequestFacts& r) { return std::string(r.api_id); }},
      {"accountId", [](const RequestFacts& r) { return std::string(r.account_id); }},
      {"domainName", [](const RequestFacts& r) { return std::string(r.domain_name); }},
      {"protocol", [](const RequestFacts& r) { return std::string(r.protocol); }},
      {"identity.sourceIp", [](const RequestFacts& r) { return std::string(r.source_ip); }},
      {"identity.userAgent", [](const RequestFacts& r) { return std::string(r.user_agent); }},
  }};
  for (const auto& [name, read] : kPaths) {
    if (name == path) return read(f);
  }
  return std::nullopt;
}

}  // namespace gatehouse::functions::events
