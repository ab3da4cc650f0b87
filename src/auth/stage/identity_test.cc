#include "auth/stage/identity.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gatehouse::auth::stage {
namespace {

namespace events = functions::events;
using Kind = IdentitySource::Kind;

class IdentityTest : public ::testing::Test {
 protected:
  IdentityTest() {
    facts_.method = "GET";
    facts_.raw_path = "/resource";
    facts_.resource = "/resource";
    facts_.stage = "Lab";
    facts_.api_id = "abc123";
    facts_.source_ip = "127.0.0.1";
    facts_.stage_variables = {{"tenant", "acme"}};
  }

  core::Result<Identity, AuthError> read(std::vector<IdentitySource> sources) {
    sources_ = std::move(sources);
    return read_identity(sources_, facts_);
  }

  events::RequestFacts facts_;
  std::vector<IdentitySource> sources_;
};

const IdentitySource kAuthorization{Kind::kHeader, "Authorization"};

// One header: the token and the key are the header's value, a view with no copy.
TEST_F(IdentityTest, OneHeaderIsTokenAndKey) {
  facts_.headers = {{"Accept", "*/*"}, {"authorization", "Bearer abc"}};
  auto id = read({kAuthorization});
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->token(), "Bearer abc");
  EXPECT_EQ(id->key(), "Bearer abc");
  EXPECT_EQ(id->token().data(), facts_.headers[1].second.data());
}

// A missing or empty source is kTokenMissing.
TEST_F(IdentityTest, MissingOrEmptyHeaderIsTokenMissing) {
  auto missing = read({kAuthorization});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error(), AuthError::kTokenMissing);
  facts_.headers = {{"Authorization", ""}};
  auto empty = read({kAuthorization});
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error(), AuthError::kTokenMissing);
}

// The same header twice, in either order, is refused: no value is chosen over another.
TEST_F(IdentityTest, RepeatedHeaderIsRefusedInBothOrders) {
  facts_.headers = {{"Authorization", "Bearer poison"}, {"Authorization", "Bearer valid"}};
  auto first = read({kAuthorization});
  ASSERT_FALSE(first.has_value());
  EXPECT_EQ(first.error(), AuthError::kIdentityRepeated);
  facts_.headers = {{"Authorization", "Bearer valid"}, {"Authorization", "Bearer poison"}};
  auto second = read({kAuthorization});
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error(), AuthError::kIdentityRepeated);
}

// Header names differing only in case are one header, so two casings are a repeat.
TEST_F(IdentityTest, CaseVariantsOfAHeaderAreARepeat) {
  facts_.headers = {{"authorization", "Bearer a"}, {"AUTHORIZATION", "Bearer b"}};
  auto id = read({kAuthorization});
  ASSERT_FALSE(id.has_value());
  EXPECT_EQ(id.error(), AuthError::kIdentityRepeated);
}

// A header source's name spelled with '_' for '-' is a repeat, in either order and any case,
// even when the source itself is absent; names without '-' have no such twin.
TEST_F(IdentityTest, UnderscoreTwinOfAHeaderIsARepeat) {
  const IdentitySource key{Kind::kHeader, "X-Api-Key"};
  for (const auto& headers : std::vector<std::vector<events::NameValue>>{
           {{"X-Api-Key", "valid"}, {"X_Api_Key", "forged"}},
           {{"x_api_key", "forged"}, {"x-api-key", "valid"}},
           {{"X_API-Key", "forged"}, {"X-Api-Key", "valid"}},
           {{"X_Api_Key", "forged"}}}) {
    facts_.headers = headers;
    auto id = read({key});
    ASSERT_FALSE(id.has_value());
    EXPECT_EQ(id.error(), AuthError::kIdentityRepeated);
  }
  facts_.headers = {{"X-Api-Key", "valid"}, {"X_Api_Keys", "other"}, {"X-Api_Other", "x"}};
  auto ok = read({key});
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->token(), "valid");
}

// A repeated empty value is still a repeat (not "missing"): it is refused either way.
TEST_F(IdentityTest, RepeatedEmptyHeaderIsRefused) {
  facts_.headers = {{"Authorization", ""}, {"Authorization", "Bearer valid"}};
  auto id = read({kAuthorization});
  ASSERT_FALSE(id.has_value());
  EXPECT_EQ(id.error(), AuthError::kIdentityRepeated);
}

// Headers the events never carry cannot be an identity either: the authorizer would not see it.
TEST_F(IdentityTest, HeadersNotPassedOnAreMissing) {
  facts_.headers = {{"Connection", "keep-alive"}};
  auto id = read({{Kind::kHeader, "Connection"}});
  ASSERT_FALSE(id.has_value());
  EXPECT_EQ(id.error(), AuthError::kTokenMissing);
}

// A query parameter is decoded, as the events decode it.
TEST_F(IdentityTest, QueryParameterIsDecoded) {
  facts_.raw_query = "a=1&token=x%2By+z";
  auto id = read({{Kind::kQuery, "token"}});
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->token(), "x+y z");
  EXPECT_EQ(id->key(), "x+y z");
}

// Repeated query parameters are refused, also when one name is percent-encoded.
TEST_F(IdentityTest, RepeatedQueryParameterIsRefusedAlsoWhenEncoded) {
  for (const char* query : {"token=poison&token=valid", "token=valid&token=poison",
                            "token=poison&%74oken=valid", "%74%6Fken=a&token=b", "token&token=a"}) {
    facts_.raw_query = query;
    auto id = read({{Kind::kQuery, "token"}});
    ASSERT_FALSE(id.has_value()) << query;
    EXPECT_EQ(id.error(), AuthError::kIdentityRepeated) << query;
  }
}

// A query parameter without a value, or with an empty one, is missing.
TEST_F(IdentityTest, EmptyQueryParameterIsMissing) {
  for (const char* query : {"token", "token=", "other=1", ""}) {
    facts_.raw_query = query;
    auto id = read({{Kind::kQuery, "token"}});
    ASSERT_FALSE(id.has_value()) << query;
    EXPECT_EQ(id.error(), AuthError::kTokenMissing) << query;
  }
}

// Stage variables and context values are read as the REQUEST event carries them.
TEST_F(IdentityTest, StageVariableAndContextValues) {
  auto var = read({{Kind::kStageVariable, "tenant"}});
  ASSERT_TRUE(var.has_value());
  EXPECT_EQ(var->token(), "acme");
  auto path = read({{Kind::kContext, "path"}});
  ASSERT_TRUE(path.has_value());
  EXPECT_EQ(path->token(), "/Lab/resource");
  auto ip = read({{Kind::kContext, "identity.sourceIp"}});
  ASSERT_TRUE(ip.has_value());
  EXPECT_EQ(ip->token(), "127.0.0.1");
  auto agent = read({{Kind::kContext, "identity.userAgent"}});
  ASSERT_FALSE(agent.has_value());
  EXPECT_EQ(agent.error(), AuthError::kTokenMissing);
}

// Several sources: the key has every value length-prefixed, so values cannot be shifted from
// one source to the next to forge another identity's key.
TEST_F(IdentityTest, SeveralSourcesMakeAnUnforgeableKey) {
  std::vector<IdentitySource> sources = {kAuthorization, {Kind::kHeader, "X-Tenant"}};
  facts_.headers = {{"Authorization", "ab"}, {"X-Tenant", "c"}};
  auto one = read(sources);
  facts_.headers = {{"Authorization", "a"}, {"X-Tenant", "bc"}};
  auto two = read(sources);
  ASSERT_TRUE(one.has_value());
  ASSERT_TRUE(two.has_value());
  EXPECT_EQ(one->key(), "2:ab1:c");
  EXPECT_NE(one->key(), two->key());
  EXPECT_EQ(one->token(), "ab");
}

// Several sources where one is repeated or empty: refused, whichever it is.
TEST_F(IdentityTest, SeveralSourcesOneRepeatedOrEmpty) {
  std::vector<IdentitySource> sources = {kAuthorization, {Kind::kQuery, "tenant"}};
  facts_.headers = {{"Authorization", "Bearer a"}};
  facts_.raw_query = "tenant=acme&%74enant=globex";
  auto repeated = read(sources);
  ASSERT_FALSE(repeated.has_value());
  EXPECT_EQ(repeated.error(), AuthError::kIdentityRepeated);
  facts_.raw_query = "tenant=";
  auto empty = read(sources);
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error(), AuthError::kTokenMissing);
  facts_.raw_query = "tenant=acme";
  auto ok = read(sources);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->key(), "8:Bearer a4:acme");
}

// An Identity stays valid when moved: an owned (decoded) token is not a dangling view.
TEST_F(IdentityTest, OwnedTokenSurvivesAMove) {
  facts_.raw_query = "token=abc";
  auto id = read({{Kind::kQuery, "token"}});
  ASSERT_TRUE(id.has_value());
  Identity moved = std::move(*id);
  EXPECT_EQ(moved.token(), "abc");
  EXPECT_EQ(moved.key(), "abc");
}

}  // namespace
}  // namespace gatehouse::auth::stage
