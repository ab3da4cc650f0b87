#include "auth/stage/identity.h"

#include <algorithm>
#include <charconv>

namespace gatehouse::auth::stage {
namespace {

namespace events = functions::events;

// One source's value: a view into the facts where the event shows the facts' bytes as they are,
// an owned string where it shows a decoded or composed text.
struct SourceValue {
  std::string_view view;
  std::string owned;
  bool is_owned = false;
  std::string_view text() const { return is_owned ? std::string_view(owned) : view; }
};

// True if the request also carries `name` spelled with '_' for '-' (X_Api_Key for X-Api-Key):
// CGI-style adapters (WSGI, Rack, PHP) turn both into one variable (HTTP_X_API_KEY), so a handler
// behind them could read a value the authorizer never saw.
bool has_underscore_twin(const events::RequestFacts& facts, std::string_view name) {
  if (name.find('-') == std::string_view::npos) return false;
  auto fold = [](char c) {
    if (c == '_') return '-';
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  };
  for (const auto& [header, value] : facts.headers) {
    if (header.size() != name.size() || header.find('_') == std::string_view::npos) continue;
    if (std::equal(header.begin(), header.end(), name.begin(),
                   [&](char a, char b) { return fold(a) == fold(b); })) {
      return true;
    }
  }
  return false;
}

core::Result<SourceValue, AuthError> read_source(const IdentitySource& source,
                                                 const events::RequestFacts& facts) {
  SourceValue out;
  switch (source.kind) {
    case IdentitySource::Kind::kHeader: {
      events::HeaderValues h = events::find_header(facts.headers, source.name);
      if (h.count > 1 || has_underscore_twin(facts, source.name)) {
        return AuthError::kIdentityRepeated;
      }
      out.view = h.last;
      break;
    }
    case IdentitySource::Kind::kQuery: {
      events::QueryValues q = events::find_query_param(facts.raw_query, source.name);
      if (q.count > 1) return AuthError::kIdentityRepeated;
      out.owned = std::move(q.last);
      out.is_owned = true;
      break;
    }
    case IdentitySource::Kind::kStageVariable:
      for (const auto& [name, value] : facts.stage_variables) {
        if (name == source.name) out.view = value;
      }
      break;
    case IdentitySource::Kind::kContext:
      out.owned = events::request_context_value(facts, source.name).value_or(std::string());
      out.is_owned = true;
      break;
  }
  if (out.text().empty()) return AuthError::kTokenMissing;
  return out;
}

}  // namespace

void append_key_part(std::string& key, std::string_view part) {
  char digits[24];
  key.append(digits, std::to_chars(digits, digits + sizeof digits, part.size()).ptr);
  key += ':';
  key += part;
}

core::Result<Identity, AuthError> read_identity(std::span<const IdentitySource> sources,
                                                const events::RequestFacts& facts) {
  Identity identity;  // no sources: empty (a request authorizer without a cache)
  for (size_t i = 0; i < sources.size(); ++i) {
    auto value = read_source(sources[i], facts);
    if (!value) return value.error();
    if (i == 0) {
      identity.token_is_owned_ = value->is_owned;
      if (value->is_owned) {
        identity.owned_ = std::move(value->owned);
      } else {
        identity.token_ = value->view;
      }
      if (sources.size() == 1) break;
      identity.composed_ = true;
      append_key_part(identity.key_, identity.token());
      continue;
    }
    append_key_part(identity.key_, value->text());
  }
  return identity;
}

}  // namespace gatehouse::auth::stage
