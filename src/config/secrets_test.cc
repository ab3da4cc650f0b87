// resolve_secret(): environment variables and secret files, and their modes.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/config.h"
#include "config/config_test_support.h"

namespace gatehouse::config {
namespace {

using namespace test_support;
namespace fs = std::filesystem;

class SecretTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gh_config_test_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& content, mode_t mode) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << content;
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }

  std::string dir_;
};

// An environment variable's value is the secret.
TEST_F(SecretTest, FromEnv) {
  ::setenv("GH_TEST_SECRET", "hunter2-hunter2", 1);
  auto r = resolve_secret({SecretRef::Kind::kEnv, "GH_TEST_SECRET"});
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(*r, "hunter2-hunter2");
  ::unsetenv("GH_TEST_SECRET");
}

// An unset variable is kNotFound; an empty one kInvalidArgument; both name the variable only.
TEST_F(SecretTest, EnvUnsetOrEmpty) {
  ::unsetenv("GH_TEST_SECRET_UNSET");
  auto unset = resolve_secret({SecretRef::Kind::kEnv, "GH_TEST_SECRET_UNSET"});
  ASSERT_FALSE(unset.has_value());
  EXPECT_EQ(unset.error().code(), core::Code::kNotFound);
  EXPECT_EQ(unset.error().message(), "environment variable GH_TEST_SECRET_UNSET is not set");
  ::setenv("GH_TEST_SECRET_EMPTY", "", 1);
  auto empty = resolve_secret({SecretRef::Kind::kEnv, "GH_TEST_SECRET_EMPTY"});
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code(), core::Code::kInvalidArgument);
  EXPECT_EQ(empty.error().message(), "environment variable GH_TEST_SECRET_EMPTY is empty");
  ::unsetenv("GH_TEST_SECRET_EMPTY");
}

// A 0600 file is read, without its trailing newline; 0400 is fine too.
TEST_F(SecretTest, FromFile) {
  std::string p = write("hmac.key", "correct horse battery staple\n", 0600);
  auto r = resolve_secret({SecretRef::Kind::kFile, p});
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(*r, "correct horse battery staple");
  std::string q = write("crlf.key", "abc\r\n", 0400);
  auto s = resolve_secret({SecretRef::Kind::kFile, q});
  ASSERT_TRUE(s.has_value()) << s.error().to_string();
  EXPECT_EQ(*s, "abc");
}

// A file that group or others may access is refused with kPermissionDenied and a fix.
TEST_F(SecretTest, LooseModeRefused) {
  for (mode_t mode : {0644, 0640, 0604, 0620, 0602}) {
    std::string p = write("loose.key", "top-secret-value", mode);
    auto r = resolve_secret({SecretRef::Kind::kFile, p});
    ASSERT_FALSE(r.has_value()) << std::oct << mode;
    EXPECT_EQ(r.error().code(), core::Code::kPermissionDenied);
    char mode_text[8];
    std::snprintf(mode_text, sizeof mode_text, "%04o", static_cast<unsigned>(mode));
    EXPECT_EQ(r.error().message(), "secret file '" + p + "' has mode " + mode_text +
                                       ", which lets group or others access it; expected 0600 or "
                                       "stricter (chmod 600 '" +
                                       p + "')");
    EXPECT_EQ(r.error().message().find("top-secret"), std::string::npos);
  }
}

// A missing file is kNotFound; an empty one (or only a newline) is kInvalidArgument.
TEST_F(SecretTest, MissingOrEmptyFile) {
  auto missing = resolve_secret({SecretRef::Kind::kFile, dir_ + "/nope"});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), core::Code::kNotFound);
  EXPECT_EQ(missing.error().message(), "secret file '" + dir_ + "/nope' does not exist");
  std::string p = write("empty.key", "\n", 0600);
  auto empty = resolve_secret({SecretRef::Kind::kFile, p});
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code(), core::Code::kInvalidArgument);
  EXPECT_EQ(empty.error().message(), "secret file '" + p + "' is empty");
}

// A directory is not a secret file.
TEST_F(SecretTest, DirectoryRefused) {
  auto r = resolve_secret({SecretRef::Kind::kFile, dir_});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), core::Code::kIoError);
}

// A secret file named relative to the config resolves against the config's directory and reads.
TEST_F(SecretTest, RelativeSecretFileFromConfig) {
  write("hmac.key", "shared-secret-of-32-bytes-length!", 0600);
  std::string yaml =
      jwt_config("    algorithms: [HS256]\n", "      hmac_secret: {file: hmac.key}\n");
  auto c = parse(yaml, dir_ + "/gatehouse.yaml");
  ASSERT_TRUE(c.has_value()) << c.error().to_string();
  const SecretRef& ref = (*c)->authorizers[0].jwt.keys.hmac_secret;
  EXPECT_EQ(ref.name_or_path, fs::path(dir_).lexically_normal().string() + "/hmac.key");
  auto s = resolve_secret(ref);
  ASSERT_TRUE(s.has_value()) << s.error().to_string();
  EXPECT_EQ(*s, "shared-secret-of-32-bytes-length!");
}

// A function's environment values: literals as written, variables (set, possibly empty), and
// whole files whatever their mode (they need not be secrets); errors name the variable or file.
TEST_F(SecretTest, EnvironmentValues) {
  using Kind = EnvValue::Kind;
  EXPECT_EQ(*resolve_env_value({Kind::kLiteral, "0.50"}), "0.50");
  ::setenv("GH_TEST_ENV_VALUE", "from-env", 1);
  EXPECT_EQ(*resolve_env_value({Kind::kEnv, "GH_TEST_ENV_VALUE"}), "from-env");
  ::setenv("GH_TEST_ENV_VALUE", "", 1);
  EXPECT_EQ(*resolve_env_value({Kind::kEnv, "GH_TEST_ENV_VALUE"}), "");
  ::unsetenv("GH_TEST_ENV_VALUE");
  auto unset = resolve_env_value({Kind::kEnv, "GH_TEST_ENV_VALUE"});
  ASSERT_FALSE(unset.has_value());
  EXPECT_EQ(unset.error().message(), "environment variable GH_TEST_ENV_VALUE is not set");

  std::string path = write("domain.txt", "blog.example\n", 0644);
  EXPECT_EQ(*resolve_env_value({Kind::kFile, path}), "blog.example\n");
  auto missing = resolve_env_value({Kind::kFile, dir_ + "/absent"});
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message().find(dir_ + "/absent"), std::string::npos)
      << missing.error().message();
}

}  // namespace
}  // namespace gatehouse::config
