#include "core/endpoint_uri.h"

#include <gtest/gtest.h>

namespace gatehouse::core {
namespace {

TEST(EndpointUri, SplitsOriginAndTargetKeepingPlaceholders) {
  auto u = parse_endpoint_uri("http://127.0.0.1:3000/users/{id}/posts/{proxy}?v=2&u={id}");
  ASSERT_TRUE(u) << u.error().message();
  EXPECT_EQ(u->origin, "http://127.0.0.1:3000");
  EXPECT_EQ(u->target, "/users/{id}/posts/{proxy}?v=2&u={id}");
  EXPECT_EQ(u->placeholders, (std::vector<std::string>{"id", "proxy", "id"}));

  auto bare = parse_endpoint_uri("HTTPS://api.example");
  ASSERT_TRUE(bare) << bare.error().message();
  EXPECT_EQ(bare->origin, "https://api.example");
  EXPECT_EQ(bare->target, "/");
  EXPECT_EQ(parse_endpoint_uri("http://[::1]:8080?q=1")->target, "/?q=1");
  EXPECT_EQ(parse_endpoint_uri("http://[::1]:8080?q=1")->origin, "http://[::1]:8080");
}

// One origin, one spelling: the pool and the Host header are the same however it is written.
TEST(EndpointUri, OneSpellingPerOrigin) {
  EXPECT_EQ(parse_endpoint_uri("http://Svc.Example:80/x")->origin, "http://svc.example");
  EXPECT_EQ(parse_endpoint_uri("http://svc.example/x")->origin, "http://svc.example");
  EXPECT_EQ(parse_endpoint_uri("https://svc.example:443")->origin, "https://svc.example");
  EXPECT_EQ(parse_endpoint_uri("https://svc.example:80")->origin, "https://svc.example:80");
  EXPECT_EQ(parse_endpoint_uri("http://127.0.0.1:03000/")->origin, "http://127.0.0.1:3000");
  EXPECT_EQ(parse_endpoint_uri("http://[::1]:80/")->origin, "http://[::1]");
}

TEST(EndpointUri, RefusesWhatIsNotAnHttpEndpoint) {
  struct Case {
    const char* uri;
    const char* why;
  };
  for (const Case& c : {
           Case{"ftp://host/x", "scheme must be http or https"},
           Case{"127.0.0.1:3000/x", "expected an http:// or https:// URI"},
           Case{"http:///x", "names no host"},
           Case{"http://user:pw@host/x", "user info"},
           Case{"http://host/x#top", "fragment"},
           Case{"http://{host}/x", "not the host"},
           Case{"http://host/{}", "not a path parameter placeholder"},
           Case{"http://host/{a b}", "no spaces"},
           Case{"http://host/{id", "without its '}'"},
           Case{"http://host/id}", "without its '{'"},
           Case{"http://host:0/x", "1..65535"},
           Case{"http://host:70000/x", "1..65535"},
           Case{"http://host/%zz", "not a valid URI"},
       }) {
    auto u = parse_endpoint_uri(c.uri);
    ASSERT_FALSE(u) << c.uri;
    EXPECT_NE(u.error().message().find(c.why), std::string::npos)
        << c.uri << ": " << u.error().message();
  }
}

TEST(EndpointUri, SubstitutesStageVariablesOnce) {
  std::vector<std::pair<std::string, std::string>> vars = {{"backend", "127.0.0.1:3000"},
                                                           {"v", "2"}};
  auto s =
      substitute_stage_variables("http://${stageVariables.backend}/v${stageVariables.v}/x", vars);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(*s, "http://127.0.0.1:3000/v2/x");
  // A value is not scanned again: a variable holding "${...}" stays as it is.
  vars.push_back({"odd", "${stageVariables.v}"});
  EXPECT_EQ(*substitute_stage_variables("http://h/${stageVariables.odd}", vars),
            "http://h/${stageVariables.v}");
  auto missing = substitute_stage_variables("http://${stageVariables.nope}/", vars);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("'nope' is not defined"), std::string::npos);
  EXPECT_FALSE(substitute_stage_variables("http://${env.HOME}/", vars));
  EXPECT_FALSE(substitute_stage_variables("http://${stageVariables.v/", vars));
}

}  // namespace
}  // namespace gatehouse::core
