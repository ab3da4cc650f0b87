#include "gateway/http_proxy.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gatehouse::gateway {
namespace {

namespace bhttp = boost::beast::http;

http::OriginStream upstream_answer(std::vector<std::pair<std::string, std::string>> headers) {
  http::OriginStream s;
  s.head.result(bhttp::status::ok);
  for (const auto& [name, value] : headers)
    s.head.insert(name, value);
  s.first = "{}";
  return s;
}

std::vector<std::string> names(const http::Response& res) {
  std::vector<std::string> out;
  for (const auto& field : res)
    out.emplace_back(field.name_string());
  return out;
}

// Remapped headers go after the ones that pass, renamed, in the upstream's order; hop-by-hop
// ones (and what Connection names) are dropped.
TEST(ClientResponse, RemapsInOrderAndDropsHopByHop) {
  auto res = client_response(upstream_answer({{"Server", "nginx"},
                                              {"Content-Type", "application/json"},
                                              {"Date", "Sun, 06 Dec 2026 00:00:00 GMT"},
                                              {"Connection", "keep-alive, X-Hop"},
                                              {"X-Hop", "1"},
                                              {"Via", "1.1 cache"},
                                              {"ETag", "\"abc\""}}));
  EXPECT_EQ(names(res),
            (std::vector<std::string>{"Content-Type", "ETag", "x-amzn-Remapped-Server",
                                      "x-amzn-Remapped-Date", "x-amzn-Remapped-Connection"}));
  EXPECT_EQ(res["x-amzn-Remapped-Server"], "nginx");
  EXPECT_EQ(res["x-amzn-Remapped-Connection"], "keep-alive, X-Hop");
  EXPECT_EQ(res.body(), "{}");
}

// A Connection header naming a remapped header's new name does not drop what gatehouse added.
TEST(ClientResponse, AddedNamesAreNotJudgedAgain) {
  auto res = client_response(upstream_answer(
      {{"Server", "nginx"}, {"Connection", "x-amzn-remapped-server"}, {"X-Other", "1"}}));
  EXPECT_EQ(res["x-amzn-Remapped-Server"], "nginx");
  EXPECT_EQ(res["X-Other"], "1");
}

}  // namespace
}  // namespace gatehouse::gateway
