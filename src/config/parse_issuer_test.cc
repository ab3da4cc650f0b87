// issuer:, tables: and the crud routes that name them.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "config/config.h"
#include "config/config_test_support.h"

namespace gatehouse::config {
namespace {

using namespace test_support;

// The embedded issuer, tables and crud routes: defaults resolve against data_dir, which defaults
// to data/ next to the config file; issuer: self takes the issuer URL and algorithm.
TEST(ConfigLoad, IssuerTablesAndCrudDefaults) {
  auto c = config_of(
      "api: {name: blog, default_authorizer: jwt}\n"
      "issuer:\n"
      "  issuer_url: https://blog.test/\n"
      "  algorithm: ES256\n"
      "  clients:\n"
      "    demo: {secret: {env: DEMO_SECRET}, audiences: [https://api]}\n"
      "authorizers:\n"
      "  jwt: {type: jwt, audiences: [https://api], keys: {issuer: self}}\n"
      "tables:\n"
      "  users: {}\n"
      "routes:\n"
      "  - {path: /users, methods: [GET, POST], integration: {type: crud, table: users}}\n");
  EXPECT_EQ(c->data_dir, "/etc/gh/data");
  ASSERT_TRUE(c->issuer.has_value());
  EXPECT_EQ(c->issuer->key_dir, "/etc/gh/data/issuer-keys");
  EXPECT_EQ(c->issuer->algorithm, JwtAlg::kES256);
  EXPECT_EQ(c->issuer->clients[0].token_lifetime_s, 86400u);
  EXPECT_EQ(c->issuer->clients[0].grant_types, std::vector<std::string>{"client_credentials"});
  const Authorizer& a = c->authorizers[0];
  EXPECT_EQ(a.jwt.keys.source, JwtKeys::Source::kIssuer);
  EXPECT_EQ(a.jwt.issuer, "https://blog.test/");
  EXPECT_EQ(a.jwt.algorithms, std::vector<JwtAlg>{JwtAlg::kES256});
  ASSERT_EQ(c->tables.size(), 1u);
  EXPECT_EQ(c->tables[0].sqlite_path, "/etc/gh/data/users.db");
  EXPECT_EQ(c->tables[0].key_attribute, "id");
  EXPECT_EQ(c->tables[0].max_item_bytes, 65536u);
  EXPECT_EQ(c->routes[0].integration.crud.table, "users");
  EXPECT_FALSE(c->routes[0].integration.crud.owner_only);
  EXPECT_EQ(c->routes[0].integration.crud.default_limit, 100u);
}

// Each mistake in the new sections names its place and the fix.
TEST(ConfigErrors, IssuerTablesAndCrud) {
  const std::string issuer =
      "issuer:\n"
      "  issuer_url: https://blog.test/\n"
      "  clients:\n"
      "    demo: {secret: {env: S}, audiences: [a]}\n";
  struct Case {
    const char* name;
    std::string yaml;
    std::string message;
  } cases[] = {
      {"issuer: self without an issuer",
       "api: {name: x}\nauthorizers:\n  a: {type: jwt, audiences: [x], keys: {issuer: self}}\n" +
           std::string(kPublicRoute),
       "gh.yaml:3:49: authorizers.a.keys.issuer: issuer: self needs the embedded issuer, but there "
       "is no top-level issuer: section; add one or point keys at another issuer"},
      {"issuer: other",
       "api: {name: x}\n" + issuer +
           "authorizers:\n  a: {type: jwt, audiences: [x], keys: {issuer: auth0}}\n" +
           std::string(kPublicRoute),
       "gh.yaml:7:49: authorizers.a.keys.issuer: unknown value 'auth0'; expected self (the "
       "embedded issuer); for another issuer use jwks_url or discovery_url"},
      {"iss differs from the embedded issuer",
       "api: {name: x}\n" + issuer +
           "authorizers:\n  a: {type: jwt, issuer: https://other/, audiences: [x], keys: {issuer: "
           "self}}\n" +
           std::string(kPublicRoute),
       "gh.yaml:7:26: authorizers.a.issuer: 'https://other/' differs from issuer.issuer_url "
       "'https://blog.test/', so no token from the embedded issuer would pass; remove it or make "
       "them equal"},
      {"inline client secret",
       "api: {name: x}\nissuer:\n  issuer_url: https://b/\n  clients:\n    demo: {secret: "
       "hunter2, audiences: [a]}\n" +
           std::string(kPublicRoute),
       "gh.yaml:5:20: issuer.clients.demo.secret: a secret is never accepted inline; expected "
       "{env: VARIABLE} or {file: path} (a file readable by its owner only)"},
      {"bad client id",
       "api: {name: x}\nissuer:\n  issuer_url: https://b/\n  clients:\n    'a b': {secret: "
       "{env: S}, audiences: [a]}\n" +
           std::string(kPublicRoute),
       "gh.yaml:5:5: issuer.clients.a b: 'a b' is not a valid client id; expected 1..128 "
       "letters, digits, '-', '_', '.' or '~'"},
      {"no clients",
       "api: {name: x}\nissuer: {issuer_url: https://b/}\n" + std::string(kPublicRoute),
       "gh.yaml:2:9: issuer.clients: required key is missing; expected at least one client, e.g. "
       "clients: {my-app: {secret: {env: MY_APP_SECRET}, audiences: [https://my-api]}}"},
      {"unknown table",
       "api: {name: x}\nroutes:\n  - {path: /u, method: GET, auth: none, integration: {type: "
       "crud, table: users}}\n",
       "gh.yaml:3:74: routes[0].integration.table: unknown table 'users'; no tables are defined "
       "(add one under tables:)"},
      {"mock key on crud",
       "api: {name: x}\ntables: {users: {}}\nroutes:\n  - {path: /u, method: GET, auth: none, "
       "integration: {type: crud, table: users, status: 200}}\n",
       "gh.yaml:4:81: routes[0].integration.status: 'status' does not apply to type: crud"},
      {"shared sqlite file",
       "api: {name: x}\ntables:\n  a: {sqlite: t.db}\n  b: {sqlite: t.db}\n" +
           std::string(kPublicRoute),
       "gh.yaml:4:3: tables.b: tables 'a' and 'b' would share the file " +
           std::filesystem::current_path().string() + "/t.db; give each table its own sqlite file"},
      {"bad table name", "api: {name: x}\ntables:\n  1users: {}\n" + std::string(kPublicRoute),
       "gh.yaml:3:3: tables.1users: '1users' is not a valid table name; expected 1..64 letters, "
       "digits and '_', not starting with a digit"},
      {"owner_only not a boolean",
       "api: {name: x}\ntables: {users: {}}\nroutes:\n  - {path: /u, method: GET, auth: none, "
       "integration: {type: crud, table: users, owner_only: yes}}\n",
       "gh.yaml:4:93: routes[0].integration.owner_only: expected true or false, got 'yes'"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(error_of(c.yaml), c.message) << "case: " << c.name << "\n" << c.yaml;
  }
}

// tables: with backend: dynamodb: the remote table's name, region, endpoint, credentials,
// create and timeout; the members are refused without the backend.
TEST(ConfigLoad, RemoteTables) {
  const std::string yaml =
      "api: {name: x}\ntables:\n"
      "  users:\n"
      "    backend: dynamodb\n"
      "    region: eu-west-1\n"
      "  notes:\n"
      "    backend: dynamodb\n"
      "    table: prod-notes\n"
      "    region: us-east-1\n"
      "    endpoint: http://127.0.0.1:8000\n"
      "    credentials: {access_key_id: AKID, secret_access_key: {env: SECRET}}\n"
      "    create: true\n"
      "    timeout_ms: 2500\n" +
      std::string(kPublicRoute);
  auto config = config_of(yaml);
  ASSERT_EQ(config->tables.size(), 2u);
  const RemoteTable& users = *config->tables[0].remote;
  EXPECT_EQ(users.table, "users");
  EXPECT_EQ(users.endpoint, "https://dynamodb.eu-west-1.amazonaws.com");
  EXPECT_FALSE(users.credentials);
  EXPECT_FALSE(users.create);
  EXPECT_EQ(users.timeout_ms, 5000u);
  const RemoteTable& notes = *config->tables[1].remote;
  EXPECT_EQ(notes.table, "prod-notes");
  EXPECT_EQ(notes.endpoint, "http://127.0.0.1:8000");
  EXPECT_EQ(notes.credentials->access_key_id, "AKID");
  EXPECT_TRUE(notes.create);
  EXPECT_EQ(notes.timeout_ms, 2500u);
  EXPECT_FALSE(config_of("api: {name: x}\ntables:\n  t: {}\n" + std::string(kPublicRoute))
                   ->tables[0]
                   .remote);
}

TEST(ConfigErrors, RemoteTables) {
  auto with = [](const std::string& table) {
    return "api: {name: x}\ntables:\n  t: " + table + "\n" + std::string(kPublicRoute);
  };
  EXPECT_EQ(
      error_of(with("{backend: dynamodb}")),
      "gh.yaml:3:6: tables.t.region: required key is missing; the signature is scoped to it, e.g. "
      "eu-west-1");
  EXPECT_EQ(
      error_of(with("{region: eu-west-1}")),
      "gh.yaml:3:15: tables.t.region: region belongs to a remote table; add backend: dynamodb");
  EXPECT_EQ(error_of(with("{backend: cassandra}")),
            "gh.yaml:3:16: tables.t.backend: 'cassandra' is not a backend; expected embedded (the "
            "default) or dynamodb");
  EXPECT_EQ(error_of(with("{backend: dynamodb, region: r, endpoint: 127.0.0.1:8000}")),
            "gh.yaml:3:47: tables.t.endpoint: expected an http:// or https:// origin, e.g. "
            "http://127.0.0.1:8000");
}

}  // namespace
}  // namespace gatehouse::config
