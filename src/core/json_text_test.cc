#include "core/json_text.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace gatehouse::core {
namespace {

// Quotes, backslashes and control characters are escaped; UTF-8 passes through.
TEST(JsonString, EscapesWhatJsonRequires) {
  EXPECT_EQ(json_string("a\"b\\c\n\x01"), R"("a\"b\\c\n\u0001")");
  EXPECT_EQ(json_string("caf\xC3\xA9"), "\"caf\xC3\xA9\"");
}

// Invalid UTF-8 becomes U+FFFD so a log line stays valid JSON.
TEST(JsonString, ReplacesInvalidUtf8) {
  EXPECT_EQ(json_string("a\xFF"
                        "b"),
            "\"a\xEF\xBF\xBD"
            "b\"");
  EXPECT_EQ(json_string("\xC0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");  // overlong NUL
}

// Runs of plain characters around escapes, at either end and alone, read back as the input.
TEST(JsonString, RunsAroundEscapesReadBack) {
  for (std::string_view in :
       {"", "plain", "\"", "\"lead", "trail\\", "a\tb\tc", "x\x7Fy", "mid \xC3\xA9 run \n end",
        "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", "\n\n\n", "\x1F\x20\x21"}) {
    std::string text = json_string(in);
    auto parsed = boost::json::parse(text);
    ASSERT_TRUE(parsed.is_string()) << text;
    EXPECT_EQ(std::string_view(parsed.as_string()), in) << text;
  }
}

std::string js(double v) {
  std::string out;
  append_js_number(out, v);
  return out;
}

// Numbers come out as JavaScript's String(v) writes them.
TEST(AppendJsNumber, WritesNumbersAsJavaScriptDoes) {
  EXPECT_EQ(js(1.5), "1.5");
  EXPECT_EQ(js(100.0), "100");
  EXPECT_EQ(js(-0.0), "0");
  EXPECT_EQ(js(1e21), "1e+21");
  EXPECT_EQ(js(1e-7), "1e-7");
  EXPECT_EQ(js(0.000001), "0.000001");
  EXPECT_EQ(js(123456789012345680000.0), "123456789012345680000");
  EXPECT_EQ(js(-2.5e-10), "-2.5e-10");
}

// Compact text with no spaces, keys in order, numbers as JSON.stringify writes them.
TEST(AppendCompactJson, WritesValuesAsJsonStringifyDoes) {
  std::string out;
  append_compact_json(out,
                      boost::json::parse(R"({"a":[1,-2,1.5,1e-7,true,null],"b":{"c":"d\"e"}})"));
  EXPECT_EQ(out, R"({"a":[1,-2,1.5,1e-7,true,null],"b":{"c":"d\"e"}})");
}

}  // namespace
}  // namespace gatehouse::core
