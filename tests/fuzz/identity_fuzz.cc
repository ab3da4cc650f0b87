// libFuzzer target: an authorizer's identity (auth/stage/identity) read from arbitrary request
// headers and query strings, against the REQUEST event the authorizer would be shown
// (functions/events). Whenever an identity is read, every source's value is exactly what the
// event carries for it, sent once, and the cache key of one source is that value: no key can
// ever hold something the authorizer did not see. A refusal must be justified by the event too.
//
// Input: the first line is the raw query string; each further line is a header "name:value".
// Bytes are folded into printable ASCII, so the event shows headers as they are (query values are
// percent-decoded and may hold any byte).
#include <boost/json/parse.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "auth/stage/identity.h"
#include "functions/events/events.h"
#include "functions/events/request_facts.h"

namespace {

namespace events = gatehouse::functions::events;
namespace json = boost::json;
using gatehouse::auth::AuthError;
using gatehouse::auth::stage::IdentitySource;
using Kind = IdentitySource::Kind;

// Members of an event map whose name equals `name` case-insensitively (headers), or exactly.
std::vector<const json::value*> members(const json::value& map, std::string_view name,
                                        bool case_insensitive) {
  std::vector<const json::value*> out;
  if (map.is_null()) return out;
  for (const auto& m : map.as_object()) {
    bool same = case_insensitive ? events::header_name_equals(m.key(), name) : m.key() == name;
    if (same) out.push_back(&m.value());
  }
  return out;
}

bool has_underscore_twin(const events::RequestFacts& f, std::string_view name) {
  for (const auto& [header, value] : f.headers) {
    if (header.size() != name.size() || header.find('_') == std::string_view::npos) continue;
    bool twin = true;
    for (size_t i = 0; i < name.size() && twin; ++i) {
      char a = header[i] == '_' ? '-' : header[i];
      char b = name[i];
      twin = events::header_name_equals(std::string_view(&a, 1), std::string_view(&b, 1));
    }
    if (twin) return true;
  }
  return false;
}

void check(const std::vector<IdentitySource>& sources, const events::RequestFacts& f,
           const json::value& event) {
  auto identity = gatehouse::auth::stage::read_identity(sources, f);
  for (const IdentitySource& s : sources) {
    bool header = s.kind == Kind::kHeader;
    const json::value& single = event.at(header ? "headers" : "queryStringParameters");
    const json::value& multi =
        event.at(header ? "multiValueHeaders" : "multiValueQueryStringParameters");
    auto shown = members(single, s.name, header);
    auto all = members(multi, s.name, header);
    if (shown.size() > 1 || all.size() != shown.size()) __builtin_trap();
    size_t count = all.empty() ? 0 : all[0]->as_array().size();
    bool twin = header && has_underscore_twin(f, s.name);
    if (identity) {
      // Read: sent once, non-empty, and what the event shows.
      if (count != 1 || twin || shown[0]->as_string().empty()) __builtin_trap();
      // A query value may decode to bytes that are not UTF-8, which the event shows as U+FFFD:
      // then the key is still a function of what was shown, but not equal to it.
      std::string_view token = identity->token();
      bool ascii = std::all_of(token.begin(), token.end(),
                               [](char c) { return static_cast<unsigned char>(c) < 0x80; });
      if (sources.size() == 1 &&
          ((ascii && token != shown[0]->as_string()) || identity->key() != token)) {
        __builtin_trap();
      }
    }
  }
  if (identity) return;
  // Refused: some source must really be repeated, or missing or empty, in what the event shows.
  bool justified = false;
  for (const IdentitySource& s : sources) {
    bool header = s.kind == Kind::kHeader;
    auto shown = members(event.at(header ? "headers" : "queryStringParameters"), s.name, header);
    auto all = members(event.at(header ? "multiValueHeaders" : "multiValueQueryStringParameters"),
                       s.name, header);
    size_t count = all.empty() ? 0 : all[0]->as_array().size();
    if (identity.error() == AuthError::kIdentityRepeated) {
      justified = justified || count > 1 || (header && has_underscore_twin(f, s.name));
    } else if (identity.error() == AuthError::kTokenMissing) {
      justified = justified || count == 0 || shown[0]->as_string().empty();
    }
  }
  if (!justified) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  for (char& c : text) {
    c = static_cast<char>(c & 0x7F);
    if (c != '\n' && (c < 0x20 || c == 0x7F)) c = 'x';
  }
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  events::RequestFacts f;
  f.method = "GET";
  f.raw_path = "/resource";
  f.resource = "/resource";
  f.method_arn = "arn:aws:execute-api:us-east-1:123456789012:abc/Lab/GET/resource";
  f.stage = "Lab";
  f.raw_query = lines[0];
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    size_t colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos) continue;
    f.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  json::value event = json::parse(events::request_authorizer_event(f));
  check({{Kind::kHeader, "Authorization"}}, f, event);
  check({{Kind::kHeader, "X-Api-Key"}}, f, event);
  check({{Kind::kQuery, "token"}}, f, event);
  check({{Kind::kHeader, "X-Api-Key"}, {Kind::kQuery, "token"}}, f, event);
  return 0;
}
