#include "issuer/client_registry.h"

#include <gtest/gtest.h>

namespace gatehouse::issuer {
namespace {

std::string hex(std::string_view bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

ClientOptions client(std::string id, std::string secret) {
  ClientOptions c;
  c.id = std::move(id);
  c.secret = std::move(secret);
  c.audiences = {"https://api.example"};
  c.scopes = {"read", "write"};
  return c;
}

// RFC 7914 §12, the vector with our cost (N = 16384, r = 8, p = 1); PBKDF2 output for 32 bytes
// is the first half of the 64-byte vector.
TEST(ScryptHash, Rfc7914Vector) {
  auto hash = scrypt_hash("pleaseletmein", "SodiumChloride");
  ASSERT_TRUE(hash.has_value()) << hash.error().to_string();
  EXPECT_EQ(hex(*hash), "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2");
}

// The right secret authenticates; a wrong one, a prefix, an empty one or an unknown id do not.
TEST(ClientRegistry, AuthenticatesOnlyTheRightSecret) {
  std::vector<ClientOptions> options{client("svc", "s3cret-value"), client("other", "x-secret")};
  auto registry = ClientRegistry::create(options);
  ASSERT_TRUE(registry.has_value()) << registry.error().to_string();
  const Client* svc = (*registry)->authenticate("svc", "s3cret-value");
  ASSERT_NE(svc, nullptr);
  EXPECT_EQ(svc->id, "svc");
  EXPECT_EQ(svc->audiences, std::vector<std::string>{"https://api.example"});
  EXPECT_TRUE(svc->client_credentials_allowed);
  EXPECT_EQ((*registry)->authenticate("svc", "s3cret-valuE"), nullptr);
  EXPECT_EQ((*registry)->authenticate("svc", "s3cret"), nullptr);
  EXPECT_EQ((*registry)->authenticate("svc", ""), nullptr);
  EXPECT_EQ((*registry)->authenticate("svc", "x-secret"), nullptr);  // another client's secret
  EXPECT_EQ((*registry)->authenticate("nobody", "s3cret-value"), nullptr);
  EXPECT_EQ((*registry)->find("other")->id, "other");
  EXPECT_EQ((*registry)->find("nobody"), nullptr);
}

// Two clients with the same secret each authenticate only as themselves (salts differ).
TEST(ClientRegistry, SameSecretDifferentClients) {
  std::vector<ClientOptions> options{client("a", "shared-secret"), client("b", "shared-secret")};
  auto registry = ClientRegistry::create(options);
  ASSERT_TRUE(registry.has_value());
  EXPECT_EQ((*registry)->authenticate("a", "shared-secret")->id, "a");
  EXPECT_EQ((*registry)->authenticate("b", "shared-secret")->id, "b");
}

// The plain secrets are gone from the options afterwards, on success and on failure.
TEST(ClientRegistry, WipesPlainSecrets) {
  std::vector<ClientOptions> ok{client("a", "secret-a"), client("b", "secret-b")};
  ASSERT_TRUE(ClientRegistry::create(ok).has_value());
  EXPECT_TRUE(ok[0].secret.empty());
  EXPECT_TRUE(ok[1].secret.empty());
  std::vector<ClientOptions> bad{client("a", "secret-a"), client("a", "secret-b")};
  ASSERT_FALSE(ClientRegistry::create(bad).has_value());
  EXPECT_TRUE(bad[0].secret.empty());
  EXPECT_TRUE(bad[1].secret.empty());
}

// A client without grant types is known but may not use client_credentials; audiences and scopes
// compare exactly; all_scopes() is the sorted union.
TEST(ClientRegistry, GrantTypesAndScopes) {
  ClientOptions disabled = client("off", "secret-off");
  disabled.grant_types.clear();
  ClientOptions more = client("more", "secret-more");
  more.scopes = {"admin", "read"};
  std::vector<ClientOptions> options{client("svc", "secret-svc"), disabled, more};
  auto registry = ClientRegistry::create(options);
  ASSERT_TRUE(registry.has_value());
  const Client* off = (*registry)->authenticate("off", "secret-off");
  ASSERT_NE(off, nullptr);
  EXPECT_FALSE(off->client_credentials_allowed);
  EXPECT_TRUE((*registry)->find("svc")->allows_scope("read"));
  EXPECT_FALSE((*registry)->find("svc")->allows_scope("admin"));
  EXPECT_TRUE((*registry)->find("svc")->allows_audience("https://api.example"));
  EXPECT_FALSE((*registry)->find("svc")->allows_audience("https://api.example/"));
  EXPECT_EQ((*registry)->all_scopes(), (std::vector<std::string>{"admin", "read", "write"}));
}

TEST(ClientRegistry, RejectsInvalidClients) {
  struct Case {
    const char* name;
    std::function<void(ClientOptions&)> change;
    const char* message;
  };
  const Case cases[] = {
      {"empty id", [](ClientOptions& c) { c.id.clear(); }, "issuer client 0: the id is empty"},
      {"empty secret", [](ClientOptions& c) { c.secret.clear(); },
       "issuer client 0 ('svc'): the secret is empty"},
      {"no audiences", [](ClientOptions& c) { c.audiences.clear(); },
       "issuer client 0 ('svc'): no audiences; list the APIs this client may call"},
      {"empty audience", [](ClientOptions& c) { c.audiences.push_back(""); },
       "issuer client 0 ('svc'): an audience is empty"},
      {"scope with space", [](ClientOptions& c) { c.scopes.push_back("read write"); },
       "issuer client 0 ('svc'): scope 'read write' is empty or contains a space; list one "
       "scope per entry"},
      {"grant type", [](ClientOptions& c) { c.grant_types.push_back("password"); },
       "issuer client 0 ('svc'): grant type 'password' is not supported; only "
       "client_credentials is"},
      {"lifetime", [](ClientOptions& c) { c.token_lifetime_s = 0; },
       "issuer client 0 ('svc'): token_lifetime_s must be at least 1"},
  };
  for (const auto& test : cases) {
    std::vector<ClientOptions> options{client("svc", "secret")};
    test.change(options[0]);
    auto registry = ClientRegistry::create(options);
    ASSERT_FALSE(registry.has_value()) << test.name;
    EXPECT_EQ(registry.error().code(), core::Code::kInvalidArgument);
    EXPECT_EQ(registry.error().message(), test.message);
  }
  std::vector<ClientOptions> none;
  EXPECT_EQ(ClientRegistry::create(none).error().message(),
            "the issuer has no clients; configure at least one");
  std::vector<ClientOptions> twice{client("svc", "a"), client("svc", "b")};
  EXPECT_EQ(ClientRegistry::create(twice).error().message(),
            "issuer client 1 ('svc'): duplicate client id");
}

}  // namespace
}  // namespace gatehouse::issuer
