#include "auth/authorizers/function_output.h"

#include <gtest/gtest.h>

#include <string>

namespace gatehouse::auth {
namespace {

constexpr std::string_view kMethodArn =
    "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/pets/7";

// The AWS blueprint's Allow policy for every method of the prod stage.
constexpr std::string_view kAllowPolicy =
    R"({"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow",)"
    R"("Resource":["arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/*/*"]}]})";

// An output with kAllowPolicy and the given extra top-level members ("" for none).
std::string output_with(std::string_view members) {
  std::string out = R"({"principalId":"user|a1b2","policyDocument":)" + std::string(kAllowPolicy);
  if (!members.empty()) out += "," + std::string(members);
  return out + "}";
}

FunctionOutputError error_of(std::string_view payload) {
  auto r = parse_function_output(payload);
  EXPECT_FALSE(r.has_value());
  return r.has_value() ? FunctionOutputError::kNotJson : r.error().error;
}

// The context of a valid output, as (key, value) pairs.
std::vector<std::pair<std::string, std::string>> context_of(std::string_view context_json) {
  auto r = parse_function_output(output_with(R"("context":)" + std::string(context_json)));
  EXPECT_TRUE(r.has_value()) << (r.has_value() ? "" : to_string(r.error().error));
  return r.has_value() ? r->context : std::vector<std::pair<std::string, std::string>>{};
}

// The single stringified context value of {"v": <value_json>}.
std::string context_value(std::string_view value_json) {
  auto context = context_of(R"({"v":)" + std::string(value_json) + "}");
  EXPECT_EQ(context.size(), 1u);
  return context.empty() ? std::string("<none>") : context[0].second;
}

using Context = std::vector<std::pair<std::string, std::string>>;

// --- accepted outputs -------------------------------------------------------------------------

// The documented shape parses: principal, a policy that allows the ARN, context, usage key.
TEST(FunctionOutput, ParsesDocumentedShape) {
  auto r = parse_function_output(output_with(
      R"("context":{"tenant":"acme","tier":3,"admin":false},"usageIdentifierKey":"KEY-1")"));
  ASSERT_TRUE(r.has_value()) << to_string(r.error().error);
  EXPECT_EQ(r->principal_id, "user|a1b2");
  ASSERT_NE(r->policy, nullptr);
  EXPECT_EQ(policy::evaluate(*r->policy, kMethodArn), policy::Effect::kAllow);
  EXPECT_EQ(r->context, (Context{{"tenant", "acme"}, {"tier", "3"}, {"admin", "false"}}));
  EXPECT_EQ(r->usage_identifier_key, "KEY-1");
}

// context and usageIdentifierKey are optional; absent means empty.
TEST(FunctionOutput, OptionalMembersMayBeAbsent) {
  auto r = parse_function_output(output_with(""));
  ASSERT_TRUE(r.has_value()) << to_string(r.error().error);
  EXPECT_TRUE(r->context.empty());
  EXPECT_TRUE(r->usage_identifier_key.empty());
}

// An optional member set to null counts as absent.
TEST(FunctionOutput, NullOptionalMembersCountAsAbsent) {
  auto r = parse_function_output(output_with(R"("context":null,"usageIdentifierKey":null)"));
  ASSERT_TRUE(r.has_value()) << to_string(r.error().error);
  EXPECT_TRUE(r->context.empty());
  EXPECT_TRUE(r->usage_identifier_key.empty());
}

// Unknown top-level members are ignored, as API Gateway ignores them.
TEST(FunctionOutput, IgnoresUnknownTopLevelMembers) {
  auto r = parse_function_output(output_with(R"("statusCode":200,"extra":{"a":[1]})"));
  ASSERT_TRUE(r.has_value()) << to_string(r.error().error);
}

// A Deny policy parses and evaluates to an explicit deny.
TEST(FunctionOutput, ParsesDenyPolicy) {
  auto r = parse_function_output(
      R"({"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":)"
      R"([{"Action":"execute-api:Invoke","Effect":"Deny","Resource":")" +
      std::string(kMethodArn) + R"("}]}})");
  ASSERT_TRUE(r.has_value()) << to_string(r.error().error);
  EXPECT_EQ(policy::evaluate(*r->policy, kMethodArn), policy::Effect::kExplicitDeny);
}

// Context keys keep the order the function sent them in.
TEST(FunctionOutput, ContextKeepsOrder) {
  EXPECT_EQ(context_of(R"({"z":"1","a":"2","m":"3"})"),
            (Context{{"z", "1"}, {"a", "2"}, {"m", "3"}}));
  EXPECT_TRUE(context_of("{}").empty());
}

// Context strings pass through as they are, including empty ones and escapes.
TEST(FunctionOutput, ContextStringsPassThrough) {
  EXPECT_EQ(context_value(R"("acme")"), "acme");
  EXPECT_EQ(context_value(R"("")"), "");
  EXPECT_EQ(context_value(R"("a\"b\u00e9")"), "a\"b\xC3\xA9");
}

// Integers are written in decimal, exactly, whatever their size.
TEST(FunctionOutput, ContextIntegersInDecimal) {
  EXPECT_EQ(context_value("123"), "123");
  EXPECT_EQ(context_value("-42"), "-42");
  EXPECT_EQ(context_value("0"), "0");
  EXPECT_EQ(context_value("9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(context_value("18446744073709551615"), "18446744073709551615");
}

// Other numbers are written as JavaScript's String(x) writes them.
TEST(FunctionOutput, ContextDoublesAsJavaScriptWritesThem) {
  EXPECT_EQ(context_value("1.5"), "1.5");
  EXPECT_EQ(context_value("-2.25"), "-2.25");
  EXPECT_EQ(context_value("0.1"), "0.1");
  EXPECT_EQ(context_value("1.0"), "1");
  EXPECT_EQ(context_value("1e2"), "100");
  EXPECT_EQ(context_value("123.456"), "123.456");
  EXPECT_EQ(context_value("0.000001"), "0.000001");
  EXPECT_EQ(context_value("1e-7"), "1e-7");
  EXPECT_EQ(context_value("1.5e-10"), "1.5e-10");
  EXPECT_EQ(context_value("1e20"), "100000000000000000000");
  EXPECT_EQ(context_value("1e21"), "1e+21");
  EXPECT_EQ(context_value("1.7976931348623157e308"), "1.7976931348623157e+308");
  EXPECT_EQ(context_value("5e-324"), "5e-324");
  EXPECT_EQ(context_value("-9223372036854775809"), "-9223372036854776000");
}

// Negative zero is written "0", as JavaScript's String(-0) and JSON.stringify(-0) do.
TEST(FunctionOutput, ContextNegativeZeroIsZero) {
  EXPECT_EQ(context_value("-0"), "0");
  EXPECT_EQ(context_value("-0.0"), "0");
}

// A number too large for a double is Infinity, as JavaScript's JSON.parse reads it.
TEST(FunctionOutput, ContextOverflowingNumberIsInfinity) {
  EXPECT_EQ(context_value("1e400"), "Infinity");
  EXPECT_EQ(context_value("-1e400"), "-Infinity");
}

// Booleans are written "true" and "false".
TEST(FunctionOutput, ContextBooleansAsWords) {
  EXPECT_EQ(context_value("true"), "true");
  EXPECT_EQ(context_value("false"), "false");
}

// A payload of exactly kMaxAuthorizerOutputBytes is still parsed.
TEST(FunctionOutput, AcceptsPayloadAtSizeLimit) {
  std::string payload = output_with(R"("pad":")");
  payload.append(kMaxAuthorizerOutputBytes - payload.size() - 2, 'x');
  payload += "\"}";
  ASSERT_EQ(payload.size(), kMaxAuthorizerOutputBytes);
  EXPECT_TRUE(parse_function_output(payload).has_value());
}

// --- one test per FunctionOutputError ---------------------------------------------------------

// kTooLarge: refused by size before any parsing, even if it is not JSON at all.
TEST(FunctionOutput, RejectsOversizedPayload) {
  EXPECT_EQ(error_of(std::string(kMaxAuthorizerOutputBytes + 1, '{')),
            FunctionOutputError::kTooLarge);
  std::string valid = output_with(R"("pad":")");
  valid.append(kMaxAuthorizerOutputBytes + 1 - valid.size() - 2, 'x');
  valid += "\"}";
  EXPECT_EQ(error_of(valid), FunctionOutputError::kTooLarge);
}

// kNotJson: empty, truncated, trailing garbage, comments, bad UTF-8, or nested too deep.
TEST(FunctionOutput, RejectsInvalidJson) {
  std::string deep =
      R"({"principalId":"u","x":)" + std::string(40, '[') + std::string(40, ']') + "}";
  const std::string bad[] = {
      "",
      "{",
      output_with("") + " x",
      "{/*c*/}",
      "{\"principalId\":\"\xFF\"}",
      "Unauthorized",
      "{'principalId':'u'}",
      deep,
  };
  for (const std::string& payload : bad) {
    SCOPED_TRACE(payload);
    EXPECT_EQ(error_of(payload), FunctionOutputError::kNotJson);
  }
}

// kNotObject: valid JSON that is not an object, such as the returned string "Unauthorized".
TEST(FunctionOutput, RejectsNonObject) {
  EXPECT_EQ(error_of(R"("Unauthorized")"), FunctionOutputError::kNotObject);
  EXPECT_EQ(error_of("null"), FunctionOutputError::kNotObject);
  EXPECT_EQ(error_of("[]"), FunctionOutputError::kNotObject);
  EXPECT_EQ(error_of("42"), FunctionOutputError::kNotObject);
  EXPECT_EQ(error_of("true"), FunctionOutputError::kNotObject);
}

// kPrincipalMissing: no principalId (even with a Deny policy), null, empty, or not a string.
TEST(FunctionOutput, RejectsMissingPrincipal) {
  std::string policy = R"("policyDocument":{"Statement":{"Effect":"Deny","Action":"*",)"
                       R"("Resource":"*"}})";
  EXPECT_EQ(error_of("{" + policy + "}"), FunctionOutputError::kPrincipalMissing);
  EXPECT_EQ(error_of(R"({"principalId":null,)" + policy + "}"),
            FunctionOutputError::kPrincipalMissing);
  EXPECT_EQ(error_of(R"({"principalId":"",)" + policy + "}"),
            FunctionOutputError::kPrincipalMissing);
  EXPECT_EQ(error_of(R"({"principalId":42,)" + policy + "}"),
            FunctionOutputError::kPrincipalMissing);
  EXPECT_EQ(error_of(R"({"principalId":["u"],)" + policy + "}"),
            FunctionOutputError::kPrincipalMissing);
}

// kPolicyMissing: no policyDocument (or null), e.g. an HTTP-style {statusCode, body} answer.
TEST(FunctionOutput, RejectsMissingPolicy) {
  EXPECT_EQ(error_of(R"({"principalId":"u"})"), FunctionOutputError::kPolicyMissing);
  EXPECT_EQ(error_of(R"({"principalId":"u","policyDocument":null})"),
            FunctionOutputError::kPolicyMissing);
  EXPECT_EQ(error_of(R"({"principalId":"u","statusCode":403,"body":"no"})"),
            FunctionOutputError::kPolicyMissing);
}

// kPolicyInvalid: policy::parse() refused the document, and policy_error says why.
TEST(FunctionOutput, RejectsInvalidPolicyWithReason) {
  auto r = parse_function_output(
      R"({"principalId":"u","policyDocument":{"Statement":[{"Effect":"allow","Action":"*",)"
      R"("Resource":"*"}]}})");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().error, FunctionOutputError::kPolicyInvalid);
  EXPECT_EQ(r.error().policy_error, policy::PolicyError::kBadEffect);

  auto text = parse_function_output(R"({"principalId":"u","policyDocument":"{}"})");
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error().error, FunctionOutputError::kPolicyInvalid);
  EXPECT_EQ(text.error().policy_error, policy::PolicyError::kNotObject);
}

// kPolicyInvalid carries kResourceTooLong for a 513-character resource.
TEST(FunctionOutput, RejectsOverlongResource) {
  auto r = parse_function_output(
      R"({"principalId":"u","policyDocument":{"Statement":{"Effect":"Allow","Action":"*",)"
      R"("Resource":")" +
      std::string(policy::kMaxResourceBytes + 1, 'r') + R"("}}})");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().error, FunctionOutputError::kPolicyInvalid);
  EXPECT_EQ(r.error().policy_error, policy::PolicyError::kResourceTooLong);
}

// kContextNotObject: context that is a string, an array, a number or a boolean.
TEST(FunctionOutput, RejectsContextThatIsNotAnObject) {
  for (const char* context : {R"("tenant=acme")", R"(["a"])", "1", "true"}) {
    SCOPED_TRACE(context);
    EXPECT_EQ(error_of(output_with(std::string(R"("context":)") + context)),
              FunctionOutputError::kContextNotObject);
  }
}

// kContextBadValue: a nested object, an array or a null value fails the whole output.
TEST(FunctionOutput, RejectsNonScalarContextValues) {
  for (const char* context : {R"({"a":{"b":"c"}})", R"({"a":["x"]})", R"({"a":[]})",
                              R"({"a":null})", R"({"ok":"1","a":{}})"}) {
    SCOPED_TRACE(context);
    EXPECT_EQ(error_of(output_with(std::string(R"("context":)") + context)),
              FunctionOutputError::kContextBadValue);
  }
}

// kUsageKeyNotString: usageIdentifierKey of another type.
TEST(FunctionOutput, RejectsNonStringUsageKey) {
  EXPECT_EQ(error_of(output_with(R"("usageIdentifierKey":123)")),
            FunctionOutputError::kUsageKeyNotString);
  EXPECT_EQ(error_of(output_with(R"("usageIdentifierKey":["k"])")),
            FunctionOutputError::kUsageKeyNotString);
}

// Every FunctionOutputError has its own log reason.
TEST(FunctionOutput, ErrorNamesAreDistinct) {
  EXPECT_EQ(to_string(FunctionOutputError::kNotObject), "not_object");
  EXPECT_EQ(to_string(FunctionOutputError::kContextBadValue), "context_bad_value");
  std::vector<std::string_view> names;
  for (int e = 0; e <= static_cast<int>(FunctionOutputError::kUsageKeyNotString); ++e) {
    std::string_view name = to_string(static_cast<FunctionOutputError>(e));
    EXPECT_NE(name, "unknown");
    for (std::string_view seen : names)
      EXPECT_NE(name, seen);
    names.push_back(name);
  }
}

}  // namespace
}  // namespace gatehouse::auth
