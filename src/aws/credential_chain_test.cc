#include "aws/credential_chain.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace gatehouse::aws {
namespace {

namespace fs = std::filesystem;

// A temporary ~/.aws with the files a test writes, and an environment the test sets.
class CredentialChain : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gh-aws-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    sources_.credentials_file = (dir_ / "credentials").string();
    sources_.config_file = (dir_ / "config").string();
    sources_.env = [this](std::string_view name) -> std::optional<std::string> {
      auto it = env_.find(std::string(name));
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& file, const std::string& text) {
    std::ofstream(dir_ / file) << text;
  }

  fs::path dir_;
  std::map<std::string, std::string> env_;
  CredentialSources sources_;
};

TEST_F(CredentialChain, ConfiguredCredentialsWinOverEverything) {
  env_ = {{"AWS_ACCESS_KEY_ID", "ENVID"}, {"AWS_SECRET_ACCESS_KEY", "envsecret"}};
  sources_.configured = Credentials{"CONFID", "confsecret"};
  auto found = resolve_credentials(sources_);
  ASSERT_TRUE(found) << found.error().message();
  EXPECT_EQ(found->credentials.access_key_id, "CONFID");
  EXPECT_EQ(found->source, "gatehouse's config");
}

TEST_F(CredentialChain, EnvironmentWithSessionTokenBeforeTheFiles) {
  write("credentials",
        "[default]\naws_access_key_id = FILEID\naws_secret_access_key = filesecret\n");
  env_ = {{"AWS_ACCESS_KEY_ID", "ENVID"},
          {"AWS_SECRET_ACCESS_KEY", "envsecret"},
          {"AWS_SESSION_TOKEN", "token"}};
  auto found = resolve_credentials(sources_);
  ASSERT_TRUE(found) << found.error().message();
  EXPECT_EQ(found->credentials.access_key_id, "ENVID");
  EXPECT_EQ(found->credentials.secret_access_key, "envsecret");
  EXPECT_EQ(found->session_token, "token");
  EXPECT_EQ(found->source, "the environment");
}

TEST_F(CredentialChain, HalfAPairInTheEnvironmentIsAnErrorNotASkip) {
  env_ = {{"AWS_ACCESS_KEY_ID", "ENVID"}};
  auto found = resolve_credentials(sources_);
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().message(), "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
}

TEST_F(CredentialChain, DefaultProfileOfTheCredentialsFile) {
  write("credentials",
        "# keys\n[other]\naws_access_key_id=OTHER\naws_secret_access_key=x\n\n"
        "[default]\r\nAWS_Access_Key_ID =  FILEID \r\naws_secret_access_key = file/secret+=\n"
        "aws_session_token = tok\n");
  auto found = resolve_credentials(sources_);
  ASSERT_TRUE(found) << found.error().message();
  EXPECT_EQ(found->credentials.access_key_id, "FILEID");
  EXPECT_EQ(found->credentials.secret_access_key, "file/secret+=");
  EXPECT_EQ(found->session_token, "tok");
  EXPECT_EQ(found->source, "profile 'default' of " + sources_.credentials_file);
}

TEST_F(CredentialChain, NamedProfileFromTheConfigFileWithItsPrefix) {
  write("credentials", "[default]\naws_access_key_id = D\naws_secret_access_key = d\n");
  write("config",
        "[default]\nregion = us-east-1\n[profile prod]\nregion = eu-west-1\n"
        "s3 =\n  max_concurrent_requests = 20\n"
        "aws_access_key_id = PRODID\naws_secret_access_key = prodsecret\n");
  env_ = {{"AWS_PROFILE", "prod"}};
  auto found = resolve_credentials(sources_);
  ASSERT_TRUE(found) << found.error().message();
  EXPECT_EQ(found->credentials.access_key_id, "PRODID");
  EXPECT_EQ(found->source, "profile 'prod' of " + sources_.config_file);
}

TEST_F(CredentialChain, ANamedProfileThatIsNowhereIsNamedInTheError) {
  write("credentials", "[default]\naws_access_key_id = D\naws_secret_access_key = d\n");
  env_ = {{"AWS_PROFILE", "typo"}};
  auto found = resolve_credentials(sources_);
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().message(), "AWS_PROFILE names profile 'typo', which neither " +
                                         sources_.credentials_file + " nor " +
                                         sources_.config_file + " has");
}

TEST_F(CredentialChain, HalfAPairInAProfileNamesTheProfileAndNotTheSecret) {
  write("credentials", "[default]\naws_secret_access_key = do-not-show\n");
  auto found = resolve_credentials(sources_);
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().message(), "profile 'default' of " + sources_.credentials_file +
                                         " has aws_secret_access_key without aws_access_key_id");
}

TEST_F(CredentialChain, NothingAnywhereSaysWhereItLooked) {
  auto found = resolve_credentials(sources_);
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().code(), core::Code::kNotFound);
  EXPECT_NE(found.error().message().find(sources_.credentials_file), std::string::npos);
  EXPECT_NE(found.error().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);
}

TEST_F(CredentialChain, AMalformedFileIsAnErrorWithItsLine) {
  write("credentials", "[default]\nthis is not a setting\n");
  auto found = resolve_credentials(sources_);
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().message(),
            sources_.credentials_file + ":2: expected [section] or key = value");
}

TEST_F(CredentialChain, AnOversizedFileIsRefused) {
  write("credentials", "[default]\n# " + std::string(1024 * 1024, 'x') + "\n");
  auto found = resolve_credentials(sources_);
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().code(), core::Code::kResourceExhausted);
}

TEST(ParseIni, SettingsBeforeAnySectionAndBadHeaders) {
  EXPECT_EQ(parse_ini("a = b\n", "f").error().message(), "f:1: a setting before any [section]");
  EXPECT_EQ(parse_ini("[x\n", "f").error().message(), "f:1: a section header must be [name]");
  auto ok = parse_ini("[ a ]\nk = 1\nk = 2\n; c\n", "f");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->at("a").at("k"), "2");
}

}  // namespace
}  // namespace gatehouse::aws
