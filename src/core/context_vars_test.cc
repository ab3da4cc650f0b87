#include "core/context_vars.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace gatehouse::core {
namespace {

// Every name once; the twenty identity sources are the values every event's requestContext
// carries (the six identity.clientCert ones with mutual TLS); templates know the error,
// authorizer and request names.
TEST(ContextVars, TheTable) {
  std::set<std::string_view> names;
  size_t identity_sources = 0;
  for (const ContextVarInfo& v : kContextVars) {
    EXPECT_TRUE(names.insert(v.name).second) << v.name;
    EXPECT_NE(v.uses, 0) << v.name;
    if (v.uses & kIdentitySource) {
      ++identity_sources;
      EXPECT_EQ(find_context_var(v.name, kIdentitySource), v.var) << v.name;
    }
  }
  EXPECT_EQ(identity_sources, 20u);
  EXPECT_EQ(find_context_var("identity.clientCert.subjectDN", kIdentitySource),
            ContextVar::kClientCertSubjectDn);
  EXPECT_EQ(find_context_var("identity.clientCert", kTemplate), std::nullopt);
  EXPECT_EQ(find_context_var("identity.sourceIp", kIdentitySource), ContextVar::kIdentitySourceIp);
  // Templates have every variable the proxy event carries.
  EXPECT_EQ(find_context_var("identity.sourceIp", kTemplate), ContextVar::kIdentitySourceIp);
  EXPECT_EQ(find_context_var("error.message", kIdentitySource), std::nullopt);
  EXPECT_EQ(find_context_var("error.message", kTemplate), ContextVar::kErrorMessage);
  EXPECT_EQ(find_context_var("path", kTemplate), ContextVar::kPath);
  EXPECT_EQ(find_context_var("Path", kTemplate), std::nullopt);
  EXPECT_EQ(find_context_var("authoriser.principalId", kTemplate), std::nullopt);
}

// authorizer.claims.<name> is a prefix, for templates only, and needs a claim name.
TEST(ContextVars, ClaimPrefix) {
  EXPECT_EQ(find_context_var("authorizer.claims", kTemplate), ContextVar::kAuthorizerClaims);
  EXPECT_EQ(find_context_var("authorizer.claims.sub", kTemplate), ContextVar::kAuthorizerClaim);
  EXPECT_EQ(find_context_var("authorizer.claims.", kTemplate), std::nullopt);
  EXPECT_EQ(find_context_var("authorizer.claims.sub", kIdentitySource), std::nullopt);
}

// authorizer.<key>: a Lambda authorizer's context key, for templates only.
TEST(ContextVars, AuthorizerContextKeys) {
  EXPECT_EQ(find_context_var("authorizer.tenant", kTemplate), ContextVar::kAuthorizerContext);
  EXPECT_EQ(find_context_var("authorizer.principalId", kTemplate),
            ContextVar::kAuthorizerPrincipalId);
  EXPECT_EQ(find_context_var("authorizer.", kTemplate), std::nullopt);
  EXPECT_EQ(find_context_var("authorizer.a.b", kTemplate), std::nullopt);
  EXPECT_EQ(find_context_var("authorizer.tenant", kIdentitySource), std::nullopt);
}

}  // namespace
}  // namespace gatehouse::core
