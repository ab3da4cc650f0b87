#include "observability/access_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace gatehouse::observability {
namespace {

// A record becomes one JSON line with every field, escaped.
TEST(AccessLog, WritesOneJsonLinePerRecord) {
  auto path = std::filesystem::temp_directory_path() /
              ("gh_access_log_test_" + std::to_string(::getpid()) + ".log");
  std::filesystem::remove(path);
  {
    auto log = AccessLog::open(path.string());
    ASSERT_TRUE(log.has_value()) << log.error().to_string();
    AccessRecord r;
    r.request_id = "id-1";
    r.method = "GET";
    r.path = "/a\"b";
    r.status = 401;
    r.error = "expired";
    r.total_us = 12;
    (*log)->write(r);
    (*log)->flush();
  }
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::filesystem::remove(path);
  EXPECT_EQ(ss.str(),
            "{\"time_ms\":0,\"request_id\":\"id-1\",\"peer\":\"\",\"method\":\"GET\",\"path\":"
            "\"/a\\\"b\",\"route\":\"\",\"status\":401,\"principal\":\"\",\"cache\":\"\","
            "\"upstream\":\"\","
            "\"authorizer_us\":0,\"integration_us\":0,\"total_us\":12,\"error\":\"expired\"}\n");
}

// An unwritable path is an error naming the path.
TEST(AccessLog, UnwritablePathIsError) {
  auto log = AccessLog::open("/nonexistent-dir/x.log");
  ASSERT_FALSE(log.has_value());
  EXPECT_EQ(log.error().code(), core::Code::kIoError);
  EXPECT_NE(log.error().message().find("/nonexistent-dir/x.log"), std::string::npos);
}

}  // namespace
}  // namespace gatehouse::observability
