#include "router/method_arn.h"

#include <gtest/gtest.h>

#include <string>

namespace gatehouse::router {
namespace {

class MethodArnTest : public ::testing::Test {
 protected:
  MethodArnPrefix prefix_{"us-east-1", "123456789012", "abcdef123", "prod"};

  std::string arn(std::string_view method, std::string_view path) {
    auto r = method_arn(prefix_, method, path);
    if (!r) {
      ADD_FAILURE() << "method_arn failed: " << to_string(r.error());
      return {};
    }
    return *r;
  }
};

// The prefix has the documented shape, ending in the stage and a slash.
TEST_F(MethodArnTest, Prefix) {
  EXPECT_EQ(prefix_.str(), "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/");
}

// The root resource gives a trailing slash after the verb.
TEST_F(MethodArnTest, RootHasTrailingSlash) {
  EXPECT_EQ(arn("GET", "/"), "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/");
}

// Nested paths keep their slashes; parameter values are the concrete ones from the request.
TEST_F(MethodArnTest, NestedPathWithParameterValues) {
  EXPECT_EQ(arn("GET", "/users/42"),
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/users/42");
  EXPECT_EQ(
      arn("DELETE", "/resource/abc/items/7"),
      "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/DELETE/resource/abc/items/7");
}

// The path is decoded, so a policy on the value matches however the client encoded it.
TEST_F(MethodArnTest, PathIsDecoded) {
  EXPECT_EQ(arn("GET", "/users/%61dmin"),
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/users/admin");
  EXPECT_EQ(arn("GET", "/f/a%2eb%20c+d"),
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/f/a.b c+d");
}

// An encoded separator would move the ARN's segment boundaries: a value on /users/{id} would get
// the ARN of /users/{id}/profile, or put ".." into it. Refused in every spelling, a raw
// backslash included (some backends take it for '/'); '%2' and '%5' before other digits are not
// separators.
TEST_F(MethodArnTest, RefusesEncodedSeparators) {
  for (std::string_view path :
       {"/users/7%2Fprofile", "/users/7%2fprofile", "/files/alice/..%2Fbob/secret",
        "/files/alice/%2e%2e%2fbob", "/a%5Cb", "/a%5cb", "/a\\b", "/%2F", "/users/x%2F"}) {
    auto r = method_arn(prefix_, "GET", path);
    ASSERT_FALSE(r.has_value()) << path;
    EXPECT_EQ(r.error(), MethodArnError::kEncodedSeparator) << path;
  }
  EXPECT_EQ(to_string(MethodArnError::kEncodedSeparator), "encoded_separator");
  EXPECT_EQ(arn("GET", "/a%20b%2Ab%5Bc%5D"),
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/a b*b[c]");
}

// The trailing slash that routing ignores is dropped from the ARN too.
TEST_F(MethodArnTest, TrailingSlashDropped) {
  EXPECT_EQ(arn("GET", "/users/42/"),
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/users/42");
}

// The verb is the request's, as given.
TEST_F(MethodArnTest, VerbIsTheRequests) {
  EXPECT_EQ(arn("PATCH", "/x"),
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/PATCH/x");
}

// Exactly kMaxMethodArnBytes is fine; one byte more is kTooLong. Length counts decoded bytes.
TEST_F(MethodArnTest, LengthCap) {
  size_t fixed = prefix_.str().size() + std::string("GET/").size();
  std::string path = "/" + std::string(kMaxMethodArnBytes - fixed, 'a');
  std::string ok = arn("GET", path);
  EXPECT_EQ(ok.size(), kMaxMethodArnBytes);
  auto too_long = method_arn(prefix_, "GET", path + "a");
  ASSERT_FALSE(too_long.has_value());
  EXPECT_EQ(too_long.error(), MethodArnError::kTooLong);
  // 3 encoded bytes decode to 1: an encoded path longer than the cap may still fit.
  std::string encoded = "/" + std::string(kMaxMethodArnBytes - fixed - 1, 'a') + "%41";
  EXPECT_EQ(arn("GET", encoded).size(), kMaxMethodArnBytes);
}

// Paths that router::match() would refuse for their encoding are refused here too.
TEST_F(MethodArnTest, BadPath) {
  for (const char* p : {"", "users", "/a%zz", "/a%4"}) {
    auto r = method_arn(prefix_, "GET", p);
    ASSERT_FALSE(r.has_value()) << p;
    EXPECT_EQ(r.error(), MethodArnError::kBadPath) << p;
  }
  EXPECT_EQ(to_string(MethodArnError::kBadPath), "bad_path");
  EXPECT_EQ(to_string(MethodArnError::kTooLong), "method_arn_too_long");
}

// Another region, account, API and stage land in their places.
TEST(MethodArn, PrefixFields) {
  MethodArnPrefix p("eu-west-2", "000000000000", "gatehouse", "Lab_1");
  auto r = method_arn(p, "POST", "/resource");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, "arn:aws:execute-api:eu-west-2:000000000000:gatehouse/Lab_1/POST/resource");
}

}  // namespace
}  // namespace gatehouse::router
