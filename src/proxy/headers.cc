#include "proxy/headers.h"

#include <algorithm>
#include <iterator>

#include "core/text.h"

namespace gatehouse::proxy {
namespace {

namespace bhttp = boost::beast::http;

using bhttp::field;

// The rules below by Beast's field code (set by its parser, compared case-insensitively): one
// switch per header rather than a string compare per listed name. Names Beast 1.81 has no code
// for are compared by text.

// Hop-by-hop: they describe one connection (RFC 9110 §7.6.1).
bool hop_by_hop(field f) {
  switch (f) {
    case field::connection:
    case field::keep_alive:
    case field::proxy_connection:
    case field::te:
    case field::trailer:
    case field::transfer_encoding:
    case field::upgrade:
    case field::proxy_authorization:
      return true;
    default:
      return false;
  }
}

// Request headers the upstream never sees besides: written by the sender (host, content-length),
// answered here (expect), dropped by API Gateway, or rewritten below (x-forwarded-*).
bool request_dropped(field f, std::string_view name) {
  switch (f) {
    case field::host:
    case field::content_length:
    case field::expect:
    case field::content_md5:
    case field::max_forwards:
    case field::proxy_authenticate:
    case field::server:
    case field::via:
    case field::www_authenticate:
      return true;
    default:
      // By text, whatever code a later Beast may give them.
      return core::ascii_iequals(name, "x-forwarded-for") ||
             core::ascii_iequals(name, "x-forwarded-proto") ||
             core::ascii_iequals(name, "x-forwarded-port");
  }
}

bool response_dropped(field f) {
  switch (f) {
    case field::host:
    case field::expect:
    case field::proxy_authenticate:
    case field::via:
      return true;
    default:
      return false;
  }
}

bool response_remapped(field f, std::string_view name) {
  switch (f) {
    case field::authorization:
    case field::content_length:
    case field::content_md5:
    case field::date:
    case field::max_forwards:
    case field::server:
    case field::user_agent:
    case field::www_authenticate:
    case field::connection:
      return true;
    default:
      return core::ascii_iequals(name, "x-amzn-requestid");  // by text, as above
  }
}

bool names_in(std::string_view name, const std::vector<std::string>& tokens) {
  return std::any_of(tokens.begin(), tokens.end(),
                     [&](const std::string& t) { return core::ascii_iequals(t, name); });
}

}  // namespace

std::vector<std::string> connection_tokens(std::string_view value) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= value.size()) {
    size_t comma = value.find(',', i);
    if (comma == std::string_view::npos) comma = value.size();
    std::string_view token = value.substr(i, comma - i);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
      token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t'))
      token.remove_suffix(1);
    if (!token.empty()) out.push_back(core::ascii_lower(token));
    i = comma + 1;
  }
  return out;
}

void upstream_request_headers(const bhttp::fields& client, const ClientConnection& connection,
                              std::span<const std::string_view> replaced, http::WireFields& out) {
  auto is_replaced = [&](std::string_view name) {
    return std::any_of(replaced.begin(), replaced.end(),
                       [&](std::string_view r) { return core::ascii_iequals(r, name); });
  };
  std::vector<std::string> tokens;
  std::string forwarded_for;
  for (const auto& header : client) {
    if (header.name() == field::connection)
      for (auto& t : connection_tokens(header.value()))
        tokens.push_back(std::move(t));
    if (core::ascii_iequals(header.name_string(), "x-forwarded-for")) {
      if (!forwarded_for.empty()) forwarded_for += ", ";
      forwarded_for.append(header.value());
    }
  }
  for (const auto& header : client) {
    std::string_view name = header.name_string();
    std::string_view value = header.value();
    const bhttp::field code = header.name();
    if (hop_by_hop(code) || request_dropped(code, name) || names_in(name, tokens)) continue;
    // A SigV4 signature was made for API Gateway, not for the upstream.
    if (code == field::authorization && value.starts_with("AWS4-HMAC-SHA256")) continue;
    if (is_replaced(name)) continue;
    // As the listener's parser handed them over: a token, a value without a line break.
    out.add({}, name, value);
  }
  if (!is_replaced("X-Forwarded-For")) {
    if (!forwarded_for.empty()) forwarded_for += ", ";
    forwarded_for.append(connection.ip);
    out.add({}, "X-Forwarded-For", forwarded_for);
  }
  if (!is_replaced("X-Forwarded-Proto")) out.add({}, "X-Forwarded-Proto", connection.proto);
  if (!is_replaced("X-Forwarded-Port"))
    out.add({}, "X-Forwarded-Port", std::to_string(connection.port));
}

http::HeadRule::Fate response_header_fate(bhttp::field code, std::string_view name) {
  if (response_remapped(code, name)) return http::HeadRule::Fate::kRename;
  if (hop_by_hop(code) || response_dropped(code)) return http::HeadRule::Fate::kDrop;
  return http::HeadRule::Fate::kKeep;
}

const http::HeadRule kResponseHeadRule{&response_header_fate, "x-amzn-Remapped-"};

}  // namespace gatehouse::proxy
