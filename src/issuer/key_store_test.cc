#include "issuer/key_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/parse.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include "auth/jwt/test_common.h"
#include "core/files.h"
#include "issuer/disk.h"
#include "issuer/jwk.h"
#include "issuer/test_util.h"

namespace gatehouse::issuer {
namespace {

using auth::jwt::Alg;
using testing::mode_of;
using testing::TempDir;

class KeyStoreTest : public ::testing::Test {
 protected:
  KeyDirOptions options(Alg alg = Alg::kES256) {
    // ES256 by default: generating it is instant, where RSA takes tens of milliseconds.
    return KeyDirOptions{tmp_ / "keys", alg, 3600, "blog.example"};
  }
  std::string file(std::string_view name) { return tmp_ / "keys/" + std::string(name); }
  boost::json::value manifest() {
    auto text = core::read_file(file(kManifestFile), 1 << 20);
    EXPECT_TRUE(text.has_value());
    return text ? boost::json::parse(*text) : boost::json::value();
  }
  void write(const std::string& path, const std::string& content) {
    std::ofstream(path, std::ios::trunc) << content;
  }

  TempDir tmp_;
  core::ManualClock clock_;
};

// The first open creates the directory (0700), a key file (0600, PKCS#8), its certificate and a
// manifest naming it; the kid is the RFC 7638 thumbprint of the public key.
TEST_F(KeyStoreTest, OpenCreatesKeyDirectory) {
  auto keys = open_key_dir(options(), clock_);
  ASSERT_TRUE(keys.has_value()) << keys.error().to_string();
  ASSERT_EQ(keys->keys.size(), 1u);
  const StoredKey& active = keys->active();
  EXPECT_EQ(active.alg, Alg::kES256);
  EXPECT_EQ(active.kid, *jwk_thumbprint(active.public_jwk));
  EXPECT_EQ(active.created_unix, clock_.unix_seconds());
  EXPECT_FALSE(active.retired_unix.has_value());
  EXPECT_EQ(active.signing_key.kid(), active.kid);
  EXPECT_EQ(active.verification_key.kid(), active.kid);
  EXPECT_EQ(active.verification_key.alg(), Alg::kES256);

  EXPECT_EQ(mode_of(tmp_ / "keys"), 0700);
  const std::string key_file = file(active.kid + ".key.pem");
  EXPECT_EQ(mode_of(key_file), 0600);
  EXPECT_EQ(mode_of(file(active.kid + ".crt.pem")), 0600);
  EXPECT_EQ(mode_of(file(kManifestFile)), 0600);
  auto pem = core::read_file(key_file, 1 << 16);
  ASSERT_TRUE(pem.has_value());
  EXPECT_EQ(pem->rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);

  const auto doc = manifest();
  EXPECT_EQ(doc.at("version"), 1);
  EXPECT_EQ(doc.at("active").at("kid"), active.kid.c_str());
  EXPECT_EQ(doc.at("active").at("alg"), "ES256");
  EXPECT_EQ(doc.at("active").at("created"), clock_.unix_seconds());
  EXPECT_TRUE(doc.at("retired").as_array().empty());

  // Only the files above: no temporary file is left behind.
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(tmp_ / "keys")) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 4u);  // key, certificate, manifest, lock
}

// A second open loads the same key and certificate instead of making new ones.
TEST_F(KeyStoreTest, ReopenReusesPersistedKey) {
  auto first = open_key_dir(options(), clock_);
  ASSERT_TRUE(first.has_value());
  clock_.advance(std::chrono::hours(1));
  auto second = open_key_dir(options(), clock_);
  ASSERT_TRUE(second.has_value()) << second.error().to_string();
  ASSERT_EQ(second->keys.size(), 1u);
  EXPECT_EQ(second->active().kid, first->active().kid);
  EXPECT_EQ(second->active().certificate_der, first->active().certificate_der);
  EXPECT_EQ(second->active().created_unix, first->active().created_unix);
  EXPECT_EQ(second->manifest_stamp, first->manifest_stamp);
}

// A key file that group or others may read is refused, naming the file and the fix. (The check
// reads the mode bits, so it holds when the tests run as root too.)
TEST_F(KeyStoreTest, RefusesLooseKeyFilePermissions) {
  auto keys = open_key_dir(options(), clock_);
  ASSERT_TRUE(keys.has_value());
  const std::string key_file = file(keys->active().kid + ".key.pem");
  for (mode_t loose : {0640, 0604, 0660, 0644}) {
    ASSERT_EQ(::chmod(key_file.c_str(), loose), 0);
    auto again = open_key_dir(options(), clock_);
    ASSERT_FALSE(again.has_value()) << std::oct << loose;
    EXPECT_EQ(again.error().code(), core::Code::kPermissionDenied);
    EXPECT_NE(again.error().message().find("'" + key_file + "'"), std::string::npos)
        << again.error().message();
    EXPECT_NE(again.error().message().find("chmod 600 " + key_file), std::string::npos)
        << again.error().message();
  }
  ASSERT_EQ(::chmod(key_file.c_str(), 0400), 0);
  EXPECT_TRUE(open_key_dir(options(), clock_).has_value());
}

// A key file replaced by another key no longer matches its kid.
TEST_F(KeyStoreTest, RefusesKeyThatDoesNotMatchItsKid) {
  auto keys = open_key_dir(options(), clock_);
  ASSERT_TRUE(keys.has_value());
  const std::string key_file = file(keys->active().kid + ".key.pem");
  write(key_file, auth::jwt::testing::read_testdata("keys/ec256.key.pem"));
  auto again = load_key_dir(options(), clock_, true);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code(), core::Code::kInvalidArgument);
  EXPECT_NE(again.error().message().find("does not hold the key its name says"), std::string::npos)
      << again.error().message();
}

// A certificate of another key is refused.
TEST_F(KeyStoreTest, RefusesCertificateOfAnotherKey) {
  auto keys = open_key_dir(options(), clock_);
  ASSERT_TRUE(keys.has_value());
  write(file(keys->active().kid + ".crt.pem"),
        auth::jwt::testing::read_testdata("keys/rsa.crt.pem"));
  auto again = load_key_dir(options(), clock_, true);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code(), core::Code::kInvalidArgument);
  EXPECT_NE(again.error().message().find("does not certify"), std::string::npos);
}

// A manifest that is not what we write is an error naming the file, never a silent new key.
TEST_F(KeyStoreTest, RefusesMalformedManifest) {
  ASSERT_TRUE(open_key_dir(options(), clock_).has_value());
  const std::pair<const char*, const char*> cases[] = {
      {"{", "not JSON"},
      {"[]", "not a JSON object"},
      {R"({"version":2})", "unknown version"},
      {R"({"version":1})", "no active key"},
      {R"({"version":1,"active":{"kid":"../../etc/passwd","alg":"ES256","created":1}})",
       "active.kid"},
      {R"({"version":1,"active":{"kid":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",)"
       R"("alg":"HS256","created":1}})",
       "active.alg"},
  };
  for (const auto& [text, problem] : cases) {
    write(file(kManifestFile), text);
    auto keys = open_key_dir(options(), clock_);
    ASSERT_FALSE(keys.has_value()) << text;
    EXPECT_EQ(keys.error().code(), core::Code::kInvalidArgument) << text;
    EXPECT_NE(keys.error().message().find("'" + file(kManifestFile) + "'"), std::string::npos);
    EXPECT_NE(keys.error().message().find(problem), std::string::npos) << keys.error().message();
  }
}

// Rotation makes a new active key and retires the old one now; it stays loaded for the grace and
// is deleted (files included) by the first rotation after that.
TEST_F(KeyStoreTest, RotationRetiresThenDeletesAfterGrace) {
  auto first = open_key_dir(options(), clock_);
  ASSERT_TRUE(first.has_value());
  const std::string old_kid = first->active().kid;

  clock_.advance(std::chrono::seconds(10));
  auto new_kid = rotate_key_dir(options(), clock_);
  ASSERT_TRUE(new_kid.has_value()) << new_kid.error().to_string();
  EXPECT_NE(*new_kid, old_kid);
  auto loaded = load_key_dir(options(), clock_, true);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().to_string();
  ASSERT_EQ(loaded->keys.size(), 2u);
  EXPECT_EQ(loaded->active().kid, *new_kid);
  EXPECT_EQ(loaded->keys[1].kid, old_kid);
  EXPECT_EQ(loaded->keys[1].retired_unix, clock_.unix_seconds());
  EXPECT_NE(loaded->manifest_stamp, first->manifest_stamp);

  // One second before the grace ends the old key is still loaded; at the end it is not.
  clock_.advance(std::chrono::seconds(3599));
  EXPECT_EQ(load_key_dir(options(), clock_, true)->keys.size(), 2u);
  clock_.advance(std::chrono::seconds(1));
  EXPECT_EQ(load_key_dir(options(), clock_, true)->keys.size(), 1u);
  EXPECT_EQ(mode_of(file(old_kid + ".key.pem")), 0600);  // still on disk until a rotation

  auto third = rotate_key_dir(options(), clock_);
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(mode_of(file(old_kid + ".key.pem")), -1);
  EXPECT_EQ(mode_of(file(old_kid + ".crt.pem")), -1);
  const auto doc = manifest();
  EXPECT_EQ(doc.at("active").at("kid"), third->c_str());
  ASSERT_EQ(doc.at("retired").as_array().size(), 1u);
  EXPECT_EQ(doc.at("retired").at(0).at("kid"), new_kid->c_str());
}

// Rotating an empty directory just creates the first key.
TEST_F(KeyStoreTest, RotateCreatesFirstKey) {
  auto kid = rotate_key_dir(options(Alg::kEdDSA), clock_);
  ASSERT_TRUE(kid.has_value()) << kid.error().to_string();
  auto keys = load_key_dir(options(Alg::kEdDSA), clock_, true);
  ASSERT_TRUE(keys.has_value());
  EXPECT_EQ(keys->active().kid, *kid);
  EXPECT_EQ(keys->active().alg, Alg::kEdDSA);
}

// Opening with another algorithm rotates to a key for it; the old key keeps verifying.
TEST_F(KeyStoreTest, AlgorithmChangeRotates) {
  auto ec = open_key_dir(options(Alg::kES256), clock_);
  ASSERT_TRUE(ec.has_value());
  auto ed = open_key_dir(options(Alg::kEdDSA), clock_);
  ASSERT_TRUE(ed.has_value()) << ed.error().to_string();
  ASSERT_EQ(ed->keys.size(), 2u);
  EXPECT_EQ(ed->active().alg, Alg::kEdDSA);
  EXPECT_EQ(ed->keys[1].kid, ec->active().kid);
  EXPECT_EQ(ed->keys[1].alg, Alg::kES256);
}

// Two processes starting on an empty directory at once end up with one and the same key (the
// lock orders them; the later one finds the manifest and discards the key it generated).
TEST_F(KeyStoreTest, ConcurrentFirstOpensAgreeOnOneKey) {
  std::vector<std::string> kids(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < kids.size(); ++i) {
    threads.emplace_back([&, i] {
      auto keys = open_key_dir(options(), clock_);
      kids[i] = keys ? keys->active().kid : keys.error().to_string();
    });
  }
  for (auto& thread : threads)
    thread.join();
  for (const auto& kid : kids)
    EXPECT_EQ(kid, kids[0]);
  EXPECT_TRUE(manifest().at("retired").as_array().empty());
}

// Without waiting, a load gives up at once while a writer holds the lock.
TEST_F(KeyStoreTest, LoadDoesNotWaitForWriter) {
  ASSERT_TRUE(open_key_dir(options(), clock_).has_value());
  {
    auto writer = DirectoryLock::acquire(file(kLockFile), DirectoryLock::kExclusive, true);
    ASSERT_TRUE(writer.has_value());
    auto keys = load_key_dir(options(), clock_, false);
    ASSERT_FALSE(keys.has_value());
    EXPECT_EQ(keys.error().code(), core::Code::kUnavailable);
  }
  EXPECT_TRUE(load_key_dir(options(), clock_, false).has_value());
}

TEST_F(KeyStoreTest, RefusesUnsupportedAlgorithm) {
  auto keys = open_key_dir(options(Alg::kHS256), clock_);
  ASSERT_FALSE(keys.has_value());
  EXPECT_EQ(keys.error().code(), core::Code::kInvalidArgument);
  EXPECT_NE(keys.error().message().find("use RS256, ES256 or EdDSA"), std::string::npos);
  EXPECT_FALSE(rotate_key_dir(options(Alg::kPS256), clock_).has_value());
}

// --- disk.h ------------------------------------------------------------------------------------

// The file gets exactly the mode asked for whatever the umask, replaces the old content, and no
// temporary file remains.
TEST(Disk, AtomicWriteSetsModeAndReplaces) {
  TempDir tmp;
  mode_t old_umask = ::umask(0);
  ASSERT_TRUE(write_file_atomically(tmp.path(), "f", "one", 0600).ok());
  ::umask(077);
  ASSERT_TRUE(write_file_atomically(tmp.path(), "g", "two", 0644).ok());
  ::umask(old_umask);
  EXPECT_EQ(mode_of(tmp / "f"), 0600);
  EXPECT_EQ(mode_of(tmp / "g"), 0644);
  ASSERT_TRUE(write_file_atomically(tmp.path(), "f", "three", 0600).ok());
  EXPECT_EQ(*core::read_file(tmp / "f", 100), "three");
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(tmp.path())) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 2u);
}

TEST(Disk, PrivateDirectoryAndFileChecks) {
  TempDir tmp;
  ASSERT_TRUE(ensure_private_directory(tmp / "a/b/keys").ok());
  EXPECT_EQ(mode_of(tmp / "a/b/keys"), 0700);
  ASSERT_TRUE(ensure_private_directory(tmp / "a/b/keys").ok());  // exists: fine
  std::ofstream(tmp / "file") << "x";
  EXPECT_EQ(ensure_private_directory(tmp / "file").code(), core::Code::kIoError);

  ::chmod((tmp / "file").c_str(), 0600);
  EXPECT_EQ(*read_private_file(tmp / "file", 10), "x");
  EXPECT_EQ(read_private_file(tmp / "file", 0).error().code(), core::Code::kResourceExhausted);
  EXPECT_EQ(read_private_file(tmp / "none", 10).error().code(), core::Code::kNotFound);
  ASSERT_EQ(::symlink((tmp / "file").c_str(), (tmp / "link").c_str()), 0);
  EXPECT_EQ(read_private_file(tmp / "link", 10).error().code(), core::Code::kIoError);
}

// The stamp changes when a file is replaced, even with the same size in the same second.
TEST(Disk, StampSeesReplacement) {
  TempDir tmp;
  EXPECT_FALSE(stamp_of(tmp / "m")->exists);
  ASSERT_TRUE(write_file_atomically(tmp.path(), "m", "aaaa", 0600).ok());
  auto one = stamp_of(tmp / "m");
  ASSERT_TRUE(one.has_value() && one->exists);
  EXPECT_EQ(*stamp_of(tmp / "m"), *one);
  ASSERT_TRUE(write_file_atomically(tmp.path(), "m", "bbbb", 0600).ok());
  EXPECT_NE(*stamp_of(tmp / "m"), *one);
}

}  // namespace
}  // namespace gatehouse::issuer
