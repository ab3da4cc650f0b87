#include "proxy/headers.h"

#include <gtest/gtest.h>

namespace gatehouse::proxy {
namespace {

namespace bhttp = boost::beast::http;

using Fields = std::vector<std::pair<std::string, std::string>>;

// The upstream request's headers, as name and value pairs read back from their wire form.
Fields upstream_headers(const bhttp::fields& client, const ClientConnection& connection,
                        std::vector<std::string_view> replaced = {}) {
  http::WireFields wire;
  upstream_request_headers(client, connection, replaced, wire);
  Fields out;
  std::string_view text = wire.text();
  while (!text.empty()) {
    size_t colon = text.find(": ");
    size_t eol = text.find("\r\n");
    out.emplace_back(text.substr(0, colon), text.substr(colon + 2, eol - colon - 2));
    text.remove_prefix(eol + 2);
  }
  return out;
}

std::string find(const Fields& h, std::string_view name) {
  for (const auto& [n, v] : h) {
    if (n == name) return v;
  }
  return "<absent>";
}

TEST(ProxyHeaders, RequestKeepsEndToEndHeadersAndDropsHopByHopOnes) {
  bhttp::fields client;
  client.insert("Host", "api.example");
  client.insert("Accept", "application/json");
  client.insert("Authorization", "Bearer abc");
  client.insert("Connection", "keep-alive, X-Private");
  client.insert("X-Private", "only for this hop");
  client.insert("Keep-Alive", "timeout=5");
  client.insert("Transfer-Encoding", "chunked");
  client.insert("Content-Length", "12");
  client.insert("Expect", "100-continue");
  client.insert("TE", "trailers");
  client.insert("Upgrade", "websocket");
  client.insert("Proxy-Authorization", "Basic eA==");
  client.insert("Via", "1.1 somewhere");
  client.insert("X-Custom", "kept");
  client.insert("X-Custom", "twice");
  auto out = upstream_headers(client, {"203.0.113.7", "http", 8080});
  EXPECT_EQ(find(out, "Accept"), "application/json");
  EXPECT_EQ(find(out, "Authorization"), "Bearer abc");
  for (std::string_view gone :
       {"Host", "Connection", "X-Private", "Keep-Alive", "Transfer-Encoding", "Content-Length",
        "Expect", "TE", "Upgrade", "Proxy-Authorization", "Via"})
    EXPECT_EQ(find(out, gone), "<absent>") << gone;
  // Repeated headers keep their order.
  int custom = 0;
  for (const auto& [n, v] : out) {
    if (n == "X-Custom") {
      EXPECT_EQ(v, custom++ == 0 ? "kept" : "twice");
    }
  }
  EXPECT_EQ(custom, 2);
  EXPECT_EQ(find(out, "X-Forwarded-For"), "203.0.113.7");
  EXPECT_EQ(find(out, "X-Forwarded-Proto"), "http");
  EXPECT_EQ(find(out, "X-Forwarded-Port"), "8080");
}

TEST(ProxyHeaders, ForwardedForIsAppendedToAndTheOthersAreOverwritten) {
  bhttp::fields client;
  client.insert("X-Forwarded-For", "1.1.1.1");
  client.insert("x-forwarded-for", "2.2.2.2, 3.3.3.3");
  client.insert("X-Forwarded-Proto", "https");
  client.insert("X-Forwarded-Port", "443");
  client.insert("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/execute-api");
  auto out = upstream_headers(client, {"127.0.0.1", "http", 8080});
  EXPECT_EQ(find(out, "X-Forwarded-For"), "1.1.1.1, 2.2.2.2, 3.3.3.3, 127.0.0.1");
  EXPECT_EQ(find(out, "X-Forwarded-Proto"), "http");
  EXPECT_EQ(find(out, "X-Forwarded-Port"), "8080");
  EXPECT_EQ(find(out, "Authorization"), "<absent>");  // a SigV4 signature is API Gateway's
  // One of each, whatever the client sent.
  EXPECT_EQ(out.size(), 3u);
}

// What a mapping sets is never merged with what the client sent, X-Forwarded-* included.
TEST(ProxyHeaders, ReplacedNamesAreLeftOutWhoeverWouldSendThem) {
  bhttp::fields client;
  client.insert("X-User-Id", "mallory");
  client.insert("x-user-id", "mallory again");
  client.insert("X-Forwarded-For", "1.1.1.1");
  client.insert("Accept", "*/*");
  auto out =
      upstream_headers(client, {"127.0.0.1", "http", 8080}, {"x-USER-id", "x-forwarded-for"});
  EXPECT_EQ(
      out,
      (Fields{{"Accept", "*/*"}, {"X-Forwarded-Proto", "http"}, {"X-Forwarded-Port", "8080"}}));
}

TEST(ProxyHeaders, ResponseHeadersPassAreRemappedOrDropped) {
  using Fate = http::HeadRule::Fate;
  auto fate = [](std::string_view name) {
    return kResponseHeadRule.fate(boost::beast::http::string_to_field(name), name);
  };
  EXPECT_EQ(fate("Content-Type"), Fate::kKeep);
  EXPECT_EQ(fate("Set-Cookie"), Fate::kKeep);
  EXPECT_EQ(fate("Cache-Control"), Fate::kKeep);
  EXPECT_EQ(fate("X-Custom"), Fate::kKeep);
  for (std::string_view r :
       {"Date", "Server", "Connection", "Content-Length", "WWW-Authenticate", "Authorization",
        "User-Agent", "x-amzn-RequestId", "X-AMZN-REQUESTID", "Content-MD5", "Max-Forwards"})
    EXPECT_EQ(fate(r), Fate::kRename) << r;
  for (std::string_view d : {"Transfer-Encoding", "Keep-Alive", "Upgrade", "Trailer", "Via", "Host",
                             "Proxy-Authenticate", "TE", "Expect", "Proxy-Connection"})
    EXPECT_EQ(fate(d), Fate::kDrop) << d;
  EXPECT_EQ(kResponseHeadRule.rename_prefix, "x-amzn-Remapped-");
}

TEST(ProxyHeaders, ConnectionTokensAreLowerCaseAndTrimmed) {
  EXPECT_EQ(connection_tokens(" keep-alive ,X-Hop,, close"),
            (std::vector<std::string>{"keep-alive", "x-hop", "close"}));
}

}  // namespace
}  // namespace gatehouse::proxy
