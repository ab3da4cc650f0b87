// Test-only helpers for the issuer's unit tests: a temporary directory, file modes, JSON replies
// and a synchronous wrapper around Issuer::handle().
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <filesystem>
#include <future>
#include <optional>
#include <string>
#include <string_view>

#include "issuer/issuer.h"

namespace gatehouse::issuer::testing {

// A fresh directory under /tmp, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/gh_issuer_test_XXXXXX";
    const char* made = ::mkdtemp(pattern);
    EXPECT_NE(made, nullptr);
    path_ = made != nullptr ? made : "/tmp/gh_issuer_test_failed";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

// The permission bits of `path` (e.g. 0600), or -1 when it does not exist.
inline int mode_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 07777);
}

// The value of the first header named `name` (case-sensitive, as the issuer writes them).
inline std::optional<std::string> header(const HttpReply& reply, std::string_view name) {
  for (const auto& [key, value] : reply.headers) {
    if (key == name) return value;
  }
  return std::nullopt;
}

inline boost::json::value json_of(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  EXPECT_FALSE(ec) << "not JSON: " << text;
  return value;
}

// Runs handle() and waits for `done`, wherever it runs.
inline HttpReply call(Issuer& issuer, HttpRequest request) {
  std::promise<HttpReply> promise;
  std::future<HttpReply> reply = promise.get_future();
  issuer.handle(std::move(request), [&promise](HttpReply r) { promise.set_value(std::move(r)); });
  return reply.get();
}

}  // namespace gatehouse::issuer::testing
