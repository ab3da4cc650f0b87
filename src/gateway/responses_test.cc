#include "gateway/responses.h"

#include <gtest/gtest.h>

namespace gatehouse::gateway {
namespace {

ResponseContext ctx() {
  ResponseContext c;
  c.request_id = "req-1";
  c.http_method = "GET";
  c.path = "/resource";
  c.stage = "Lab";
  return c;
}

// UNAUTHORIZED is API Gateway's exact 401 body with its error type and request id.
TEST(GatewayResponses, UnauthorizedDefaultIsByteExact) {
  auto res = GatewayResponses().render(ResponseType::kUnauthorized, ctx());
  EXPECT_EQ(res.result_int(), 401u);
  EXPECT_EQ(res.body(), R"({"message":"Unauthorized"})");
  EXPECT_EQ(res["x-amzn-ErrorType"], "UnauthorizedException");
  EXPECT_EQ(res["x-amzn-RequestId"], "req-1");
  EXPECT_EQ(res["content-type"], "application/json");
}

// ACCESS_DENIED keeps AWS's capital-M "Message" key.
TEST(GatewayResponses, AccessDeniedUsesCapitalMessage) {
  auto res = GatewayResponses().render(ResponseType::kAccessDenied, ctx());
  EXPECT_EQ(res.result_int(), 403u);
  EXPECT_EQ(res.body(), R"({"Message":"User is not authorized to access this resource"})");
}

// MISSING_AUTHENTICATION_TOKEN is 403 with its classic body.
TEST(GatewayResponses, MissingAuthenticationToken) {
  auto res = GatewayResponses().render(ResponseType::kMissingAuthenticationToken, ctx());
  EXPECT_EQ(res.result_int(), 403u);
  EXPECT_EQ(res.body(), R"({"message":"Missing Authentication Token"})");
  EXPECT_EQ(res["x-amzn-ErrorType"], "MissingAuthenticationTokenException");
}

// Authorizer failures carry a null message.
TEST(GatewayResponses, AuthorizerFailureHasNullMessage) {
  auto res = GatewayResponses().render(ResponseType::kAuthorizerFailure, ctx());
  EXPECT_EQ(res.result_int(), 500u);
  EXPECT_EQ(res.body(), R"({"message":null})");
}

// An owner override replaces status, adds headers and renders the body template.
TEST(GatewayResponses, OverrideAppliesStatusHeadersAndTemplate) {
  ResponseOverride o;
  o.status = 418;
  o.headers = {{"WWW-Authenticate", "Bearer"}};
  o.body_template = R"({"error":$context.error.messageString,"id":"$context.requestId"})";
  GatewayResponses r({{ResponseType::kUnauthorized, o}});
  auto res = r.render(ResponseType::kUnauthorized, ctx());
  EXPECT_EQ(res.result_int(), 418u);
  EXPECT_EQ(res["WWW-Authenticate"], "Bearer");
  EXPECT_EQ(res.body(), R"({"error":"Unauthorized","id":"req-1"})");
}

// A DEFAULT_4XX override applies to 4xx types that have none of their own (e.g. CORS headers).
TEST(GatewayResponses, Default4xxIsTheFallback) {
  ResponseOverride o;
  o.headers = {{"Access-Control-Allow-Origin", "*"}};
  GatewayResponses r({{ResponseType::kDefault4xx, o}});
  auto res = r.render(ResponseType::kUnauthorized, ctx());
  EXPECT_EQ(res.result_int(), 401u);
  EXPECT_EQ(res["Access-Control-Allow-Origin"], "*");
  EXPECT_EQ(res.body(), R"({"message":"Unauthorized"})");
  auto five = r.render(ResponseType::kAuthorizerFailure, ctx());
  EXPECT_EQ(five["Access-Control-Allow-Origin"], "");
}

// Templates substitute claims and principal; unknown variables render empty.
TEST(RenderTemplate, SubstitutesContextVariables) {
  boost::json::object claims{{"scope", "read"}, {"n", 3}};
  auto c = ctx();
  c.principal_id = "user-1";
  c.claims = &claims;
  EXPECT_EQ(render_template("$context.authorizer.principalId/$context.authorizer.claims.scope/"
                            "$context.authorizer.claims.n/$context.nope.",
                            c, "", std::nullopt),
            "user-1/read/3/.");
}

}  // namespace
}  // namespace gatehouse::gateway
