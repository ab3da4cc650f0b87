#include "functions/pool/output_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <string>
#include <vector>

namespace gatehouse::functions::pool {
namespace {

// Lines come out whole and in order, a line over kMaxLogLine in pieces of that size, and the
// unterminated rest at EOF.
TEST(ReadLines, SplitsLinesAndLongOutput) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  boost::asio::io_context io;
  std::vector<std::string> lines;
  read_lines(io.get_executor(), p[0], [&](std::string_view l) { lines.emplace_back(l); });
  std::string input = "one\n\ntwo\n" + std::string(kMaxLogLine + 5, 'x') + "\ntail";
  ASSERT_EQ(::write(p[1], input.data(), input.size()), static_cast<ssize_t>(input.size()));
  ::close(p[1]);
  io.run();
  std::vector<std::string> expected = {
      "one", "", "two", std::string(kMaxLogLine, 'x'), std::string(5, 'x'), "tail"};
  EXPECT_EQ(lines, expected);
}

}  // namespace
}  // namespace gatehouse::functions::pool
