#include "gateway/cors.h"

#include <gtest/gtest.h>

#include <string>

namespace gatehouse::gateway {
namespace {

namespace bhttp = boost::beast::http;
using Request = bhttp::request<bhttp::string_body>;

config::Cors cors(std::vector<std::string> origins) {
  config::Cors c;
  c.allow_origins = std::move(origins);
  c.allow_methods = {"GET", "POST"};
  c.allow_headers = {"authorization", "content-type"};
  c.expose_headers = {"x-request-id"};
  return c;
}

Request preflight_request(std::string_view origin, std::string_view headers = "") {
  Request req{bhttp::verb::options, "/users", 11};
  req.set(bhttp::field::origin, origin);
  req.set(bhttp::field::access_control_request_method, "POST");
  if (!headers.empty()) req.set(bhttp::field::access_control_request_headers, headers);
  return req;
}

TEST(Cors, APreflightNeedsOptionsOriginAndARequestedMethod) {
  Request req = preflight_request("https://app.example");
  EXPECT_TRUE(CorsPolicy::is_preflight(req));
  req.method(bhttp::verb::get);
  EXPECT_FALSE(CorsPolicy::is_preflight(req));
  Request no_method{bhttp::verb::options, "/", 11};
  no_method.set(bhttp::field::origin, "https://app.example");
  EXPECT_FALSE(CorsPolicy::is_preflight(no_method));
}

TEST(Cors, OriginsMatchExactlyOrByScheme) {
  CorsPolicy p(cors({"https://app.example", "http://*"}));
  EXPECT_EQ(p.allowed_origin("https://app.example"), "https://app.example");
  EXPECT_EQ(p.allowed_origin("https://APP.example"), "https://APP.example");
  EXPECT_EQ(p.allowed_origin("http://anything.test:8080"), "http://anything.test:8080");
  EXPECT_EQ(p.allowed_origin("https://app.example.evil"), "");
  EXPECT_EQ(p.allowed_origin("https://evil"), "");
  EXPECT_EQ(p.allowed_origin(""), "");
  // Never echoed back unless it looks like an origin.
  EXPECT_EQ(p.allowed_origin("http://a.test, https://b.test"), "");
  EXPECT_EQ(p.allowed_origin("null"), "");
  EXPECT_EQ(CorsPolicy(cors({"*"})).allowed_origin("null"), "*");
}

TEST(Cors, APreflightFromAnAllowedOriginGetsTheConfiguredHeaders) {
  auto c = cors({"https://app.example"});
  c.allow_credentials = true;
  c.max_age_s = 600;
  auto res = CorsPolicy(c).preflight(preflight_request("https://app.example", "authorization"));
  EXPECT_EQ(res.result(), bhttp::status::no_content);
  EXPECT_EQ(res[bhttp::field::access_control_allow_origin], "https://app.example");
  EXPECT_EQ(res[bhttp::field::access_control_allow_methods], "GET, POST");
  EXPECT_EQ(res[bhttp::field::access_control_allow_headers], "authorization, content-type");
  EXPECT_EQ(res[bhttp::field::access_control_allow_credentials], "true");
  EXPECT_EQ(res[bhttp::field::access_control_max_age], "600");
  EXPECT_EQ(res[bhttp::field::vary], "Origin");
}

TEST(Cors, AWildcardEchoesWhatWasAskedFor) {
  auto c = cors({"*"});
  c.allow_methods = {"*"};
  c.allow_headers = {"*"};
  auto res =
      CorsPolicy(c).preflight(preflight_request("https://x.example", "authorization, x-custom"));
  EXPECT_EQ(res[bhttp::field::access_control_allow_origin], "*");
  EXPECT_EQ(res[bhttp::field::access_control_allow_methods], "POST");
  EXPECT_EQ(res[bhttp::field::access_control_allow_headers], "authorization, x-custom");
  EXPECT_EQ(res.count(bhttp::field::vary), 0u);  // the same answer for every origin
}

TEST(Cors, APreflightFromAnotherOriginGetsNoCorsHeader) {
  auto res = CorsPolicy(cors({"https://app.example"})).preflight(preflight_request("https://evil"));
  EXPECT_EQ(res.result(), bhttp::status::no_content);
  EXPECT_EQ(res.begin(), res.end());
}

TEST(Cors, AnswersGetThePolicysHeadersAndLoseTheIntegrations) {
  CorsPolicy p(cors({"https://app.example"}));
  Request req{bhttp::verb::get, "/users", 11};
  req.set(bhttp::field::origin, "https://app.example");
  http::Response res{bhttp::status::unauthorized, 11};
  res.set("Access-Control-Allow-Origin", "*");
  res.set("access-control-allow-credentials", "true");
  res.set("X-Kept", "1");
  http::WireFields passed;
  passed.add("", "Access-Control-Allow-Methods", "DELETE");
  passed.add("", "ETag", "\"a\"");
  p.apply(req, res, passed);
  EXPECT_EQ(res[bhttp::field::access_control_allow_origin], "https://app.example");
  EXPECT_EQ(res.count(bhttp::field::access_control_allow_credentials), 0u);
  EXPECT_EQ(res[bhttp::field::access_control_expose_headers], "x-request-id");
  EXPECT_EQ(res["X-Kept"], "1");
  EXPECT_EQ(passed.text(), "ETag: \"a\"\r\n");
  // Another origin: the integration's are dropped all the same, none added.
  req.set(bhttp::field::origin, "https://evil");
  http::Response other{bhttp::status::ok, 11};
  other.set("Access-Control-Allow-Origin", "*");
  http::WireFields none;
  p.apply(req, other, none);
  EXPECT_EQ(other.begin(), other.end());
}

}  // namespace
}  // namespace gatehouse::gateway
