#include "core/json_text.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace gatehouse::core
