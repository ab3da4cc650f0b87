#include "http/client.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

namespace gatehouse::http {
namespace {

// A non-http URL is rejected before any I/O.
TEST(Client, RejectsNonHttpUrl) {
  boost::asio::io_context ioc;
  Client client(ioc);
  std::optional<core::Result<FetchResponse>> got;
  client.get("ftp://example.test/x", {},
             [&](core::Result<FetchResponse> r) { got = std::move(r); });
  ioc.run();
  ASSERT_TRUE(got.has_value());
  ASSERT_FALSE(got->has_value());
  EXPECT_EQ(got->error().code(), core::Code::kInvalidArgument);
}

// A refused connection is kUnavailable and names the address.
TEST(Client, ConnectionRefusedIsUnavailable) {
  boost::asio::io_context ioc;
  Client client(ioc);
  std::optional<core::Result<FetchResponse>> got;
  // Port 1 on loopback: nothing listens there.
  client.get("http://127.0.0.1:1/jwks.json", {},
             [&](core::Result<FetchResponse> r) { got = std::move(r); });
  ioc.run();
  ASSERT_TRUE(got.has_value());
  ASSERT_FALSE(got->has_value());
  EXPECT_EQ(got->error().code(), core::Code::kUnavailable);
  EXPECT_NE(got->error().message().find("127.0.0.1"), std::string::npos);
}

}  // namespace
}  // namespace gatehouse::http
