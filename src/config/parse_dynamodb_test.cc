// dynamodb: the listener, the store file and the credentials.
#include <gtest/gtest.h>

#include <string>

#include "config/config.h"
#include "config/config_test_support.h"

namespace gatehouse::config {
namespace {

using namespace test_support;

const std::string kApi = "api: {name: t}\n" + std::string(kPublicRoute);

// Absent: off. Present, even empty: DynamoDB Local's port on loopback, the file under data_dir.
TEST(ConfigDynamoDb, DefaultsWhenPresent) {
  EXPECT_FALSE(config_of(kApi)->dynamodb.has_value());
  for (const char* section : {"dynamodb: {}\n", "dynamodb:\n"}) {
    auto c = config_of(kApi + section);
    ASSERT_TRUE(c->dynamodb.has_value()) << section;
    EXPECT_EQ(c->dynamodb->listen.host, "127.0.0.1");
    EXPECT_EQ(c->dynamodb->listen.port, 8000);
    EXPECT_EQ(c->dynamodb->file, "/etc/gh/data/dynamodb.db");
    EXPECT_FALSE(c->dynamodb->credentials.has_value());
  }
}

TEST(ConfigDynamoDb, ListenFileAndCredentials) {
  auto c = config_of(
      kApi +
      "dynamodb:\n"
      "  listen: 127.0.0.1:8001\n"
      "  file: tables.db\n"
      "  credentials: {access_key_id: AKIDEXAMPLE, secret_access_key: {env: DDB_SECRET}}\n");
  ASSERT_TRUE(c->dynamodb.has_value());
  EXPECT_EQ(c->dynamodb->listen.port, 8001);
  EXPECT_EQ(c->dynamodb->file, "/etc/gh/tables.db");
  ASSERT_TRUE(c->dynamodb->credentials.has_value());
  EXPECT_EQ(c->dynamodb->credentials->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(c->dynamodb->credentials->secret_access_key.kind, SecretRef::Kind::kEnv);
  EXPECT_EQ(c->dynamodb->credentials->secret_access_key.name_or_path, "DDB_SECRET");
}

TEST(ConfigDynamoDb, Mistakes) {
  struct Case {
    std::string yaml;
    std::string message;
  };
  for (const Case& t : std::vector<Case>{
           {"dynamodb: {listen: 127.0.0.1:8080}\n",
            "dynamodb listens on 127.0.0.1:8080, which collides with api.listen 127.0.0.1:8080"},
           {"dynamodb: {listen: 127.0.0.1:9090}\n",
            "dynamodb listens on 127.0.0.1:9090, which collides with admin.listen 127.0.0.1:9090"},
           {"dynamodb: {port: 8000}\n", "unknown key"},
           {"dynamodb: {credentials: {access_key_id: A}}\n",
            "dynamodb.credentials.secret_access_key: required key is missing"},
           {"dynamodb: {credentials: {access_key_id: A, secret_access_key: s3cret}}\n",
            "dynamodb.credentials.secret_access_key"},
           {"dynamodb: {credentials: {access_key_id: a/b, secret_access_key: {env: S}}}\n",
            "without '/'"},
       }) {
    std::string message = error_of(kApi + t.yaml);
    EXPECT_NE(message.find(t.message), std::string::npos) << t.yaml << " -> " << message;
  }
}

}  // namespace
}  // namespace gatehouse::config
