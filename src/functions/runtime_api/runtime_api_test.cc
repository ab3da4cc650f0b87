#include "functions/runtime_api/runtime_api.h"

#include <gtest/gtest.h>

#include <limits>

#include "functions/invoker.h"

namespace gatehouse::functions::runtime_api {
namespace {

// The error document's own fields win over the header.
TEST(ParseErrorReport, TakesTypeAndMessageFromTheDocument) {
  auto r = parse_error_report("Runtime.Unknown",
                              R"({"errorType":"Error","errorMessage":"Unauthorized","trace":[]})");
  EXPECT_EQ(r.error_type, "Error");
  EXPECT_EQ(r.error_message, "Unauthorized");
}

// callback("Unauthorized") in Node reaches us as errorType "string": the message is what counts.
TEST(ParseErrorReport, KeepsTheMessageExactly) {
  auto r = parse_error_report("", R"({"errorType":"string","errorMessage":"Unauthorized "})");
  EXPECT_EQ(r.error_message, "Unauthorized ");
}

// A body that is not an error document still gives a report, typed from the header.
TEST(ParseErrorReport, FallsBackToTheNormalisedHeader) {
  EXPECT_EQ(parse_error_report("Runtime.NoSuchHandler", "oops").error_type,
            "Runtime.NoSuchHandler");
  EXPECT_EQ(parse_error_report("Function.bad", "").error_type, "Function.Unknown");
  EXPECT_EQ(parse_error_report("Whatever", "").error_type, "Runtime.Unknown");
  EXPECT_EQ(parse_error_report("Runtime.X", "").error_type, "Runtime.Unknown");
  EXPECT_EQ(parse_error_report("", "[1,2]").error_message, "");
}

// Non-string fields are ignored rather than trusted.
TEST(ParseErrorReport, IgnoresFieldsOfTheWrongType) {
  auto r = parse_error_report("Runtime.ExitError", R"({"errorMessage":42,"errorType":null})");
  EXPECT_EQ(r.error_type, "Runtime.ExitError");
  EXPECT_EQ(r.error_message, "");
}

// The listener accepts Lambda's largest response, never cuts off a worker waiting on /next
// (however long its function stays idle), and answers a pipelining runtime in one write.
TEST(RuntimeApiLimits, AllowTheLargestResponse) {
  auto l = runtime_api_limits();
  EXPECT_EQ(l.max_body_bytes, kMaxResponseBytes);
  EXPECT_EQ(l.idle_timeout_ms, std::numeric_limits<uint32_t>::max());
  EXPECT_TRUE(l.hold_answers_for_pipelined);
}

}  // namespace
}  // namespace gatehouse::functions::runtime_api
