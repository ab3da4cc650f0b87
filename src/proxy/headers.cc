#include "proxy/headers.h"

#include <algorithm>
#include <array>

#include "core/text.h"

namespace gatehouse::proxy {
namespace {

namespace bhttp = boost::beast::http;

template <size_t N>
bool listed(std::string_view name, const std::array<std::string_view, N>& names) {
  return std::any_of(names.begin(), names.end(),
                     [&](std::string_view n) { return core::ascii_iequals(n, name); });
}

// Hop-by-hop: they describe one connection (RFC 9110 §7.6.1).
constexpr std::array<std::string_view, 8> kHopByHop = {
    "connection", "keep-alive",        "proxy-connection", "te",
    "trailer",    "transfer-encoding", "upgrade",          "proxy-authorization"};

// Request headers the upstream never sees besides: written by the sender (host, content-length),
// answered here (expect), dropped by API Gateway, or rewritten below (x-forwarded-*).
constexpr std::array<std::string_view, 10> kRequestDropped = {"host",
                                                              "content-length",
                                                              "expect",
                                                              "content-md5",
                                                              "max-forwards",
                                                              "proxy-authenticate",
                                                              "server",
                                                              "via",
                                                              "www-authenticate",
                                                              "x-forwarded-for"};
constexpr std::array<std::string_view, 2> kRequestRewritten = {"x-forwarded-proto",
                                                               "x-forwarded-port"};

constexpr std::array<std::string_view, 4> kResponseDropped = {"host", "expect",
                                                              "proxy-authenticate", "via"};
constexpr std::array<std::string_view, 10> kResponseRemapped = {
    "authorization", "content-length",   "content-md5",      "date",      "max-forwards", "server",
    "user-agent",    "www-authenticate", "x-amzn-requestid", "connection"};

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

HeaderList upstream_request_headers(const bhttp::fields& client,
                                    const ClientConnection& connection) {
  std::vector<std::string> tokens;
  std::string forwarded_for;
  for (const auto& field : client) {
    if (core::ascii_iequals(field.name_string(), "connection"))
      for (auto& t : connection_tokens(field.value()))
        tokens.push_back(std::move(t));
    if (core::ascii_iequals(field.name_string(), "x-forwarded-for")) {
      if (!forwarded_for.empty()) forwarded_for += ", ";
      forwarded_for.append(field.value());
    }
  }
  HeaderList out;
  for (const auto& field : client) {
    std::string_view name = field.name_string();
    std::string_view value = field.value();
    if (listed(name, kHopByHop) || listed(name, kRequestDropped) ||
        listed(name, kRequestRewritten) || names_in(name, tokens))
      continue;
    // A SigV4 signature was made for API Gateway, not for the upstream.
    if (core::ascii_iequals(name, "authorization") && value.starts_with("AWS4-HMAC-SHA256"))
      continue;
    out.emplace_back(std::string(name), std::string(value));
  }
  if (!forwarded_for.empty()) forwarded_for += ", ";
  forwarded_for.append(connection.ip);
  out.emplace_back("X-Forwarded-For", std::move(forwarded_for));
  out.emplace_back("X-Forwarded-Proto", std::string(connection.proto));
  out.emplace_back("X-Forwarded-Port", std::to_string(connection.port));
  return out;
}

ResponseHeader response_header_rule(std::string_view name,
                                    const std::vector<std::string>& connection_tokens) {
  if (listed(name, kResponseRemapped)) return ResponseHeader::kRemap;
  if (listed(name, kHopByHop) || listed(name, kResponseDropped) ||
      names_in(name, connection_tokens))
    return ResponseHeader::kDrop;
  return ResponseHeader::kPass;
}

}  // namespace gatehouse::proxy
