#include "core/files.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace gatehouse::core {
namespace {

class ReadFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("gh_files_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& content) {
    auto p = dir_ / name;
    std::ofstream(p) << content;
    return p.string();
  }
  std::filesystem::path dir_;
};

// A small file is read whole.
TEST_F(ReadFile, ReadsWholeFile) {
  auto r = read_file(write("a", "hello"), 100);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, "hello");
}

// A missing file is kNotFound and the message names the path.
TEST_F(ReadFile, MissingIsNotFound) {
  auto r = read_file((dir_ / "nope").string(), 100);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), Code::kNotFound);
  EXPECT_NE(r.error().message().find("nope"), std::string::npos);
}

// A file over the cap is kResourceExhausted without reading it.
TEST_F(ReadFile, OverCapIsRejected) {
  auto r = read_file(write("big", std::string(200, 'x')), 100);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), Code::kResourceExhausted);
}

// A directory is not a file.
TEST_F(ReadFile, DirectoryIsIoError) {
  auto r = read_file(dir_.string(), 100);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), Code::kIoError);
}

}  // namespace
}  // namespace gatehouse::core
