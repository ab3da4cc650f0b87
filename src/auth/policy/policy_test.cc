#include "auth/policy/policy.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>

namespace gatehouse::auth::policy {
namespace {

constexpr std::string_view kApi = "arn:aws:execute-api:us-east-1:123456789012:abcdef123";

// kApi + "/" + rest: a method ARN or a resource pattern under the test API.
std::string arn(std::string_view rest) {
  return std::string(kApi) + "/" + std::string(rest);
}

core::Result<Policy, PolicyError> parse_text(std::string_view text) {
  return parse(boost::json::parse(text));
}

PolicyError error_of(std::string_view text) {
  auto r = parse_text(text);
  EXPECT_FALSE(r.has_value());
  return r.has_value() ? PolicyError::kNotObject : r.error();
}

// A one-statement policy text: {"Version":...,
// "Statement":[{"Effect":..,"Action":..,"Resource":..}]}
std::string statement_policy(std::string_view effect, std::string_view resource_json,
                             std::string_view action_json = R"("execute-api:Invoke")") {
  return R"({"Version":"2012-10-17","Statement":[{"Effect":")" + std::string(effect) +
         R"(","Action":)" + std::string(action_json) + R"(,"Resource":)" +
         std::string(resource_json) + "}]}";
}

// The verdict of a one-statement policy whose Resource is `pattern` on `method_arn`.
Effect verdict(std::string_view effect, std::string_view pattern, std::string_view method_arn) {
  auto p = parse_text(statement_policy(effect, R"(")" + std::string(pattern) + R"(")"));
  EXPECT_TRUE(p.has_value());
  return p.has_value() ? evaluate(*p, method_arn) : Effect::kImplicitDeny;
}

Effect allow_verdict(std::string_view pattern, std::string_view method_arn) {
  return verdict("Allow", pattern, method_arn);
}

Effect evaluate_text(std::string_view text, std::string_view method_arn) {
  auto p = parse_text(text);
  EXPECT_TRUE(p.has_value()) << (p.has_value() ? "" : to_string(p.error()));
  return p.has_value() ? evaluate(*p, method_arn) : Effect::kImplicitDeny;
}

// --- wildcard_match ---------------------------------------------------------------------------

// Without wildcards the pattern must equal the text, byte for byte.
TEST(PolicyWildcardMatch, LiteralPatternIsExactMatch) {
  EXPECT_TRUE(wildcard_match("abc", "abc"));
  EXPECT_FALSE(wildcard_match("abc", "abcd"));
  EXPECT_FALSE(wildcard_match("abcd", "abc"));
  EXPECT_FALSE(wildcard_match("abc", "abC"));
  EXPECT_TRUE(wildcard_match("", ""));
  EXPECT_FALSE(wildcard_match("", "a"));
}

// '*' matches any run, including the empty run, '/' and ':'.
TEST(PolicyWildcardMatch, StarMatchesAnyRunIncludingEmpty) {
  EXPECT_TRUE(wildcard_match("*", ""));
  EXPECT_TRUE(wildcard_match("*", "a/b:c"));
  EXPECT_TRUE(wildcard_match("a*", "a"));
  EXPECT_TRUE(wildcard_match("a*c", "ac"));
  EXPECT_TRUE(wildcard_match("a*c", "a/x:y/c"));
  EXPECT_TRUE(wildcard_match("**", "abc"));
  EXPECT_FALSE(wildcard_match("a*c", "a/x:y/cd"));
}

// '?' matches exactly one character, never zero and never two.
TEST(PolicyWildcardMatch, QuestionMarkMatchesExactlyOneCharacter) {
  EXPECT_TRUE(wildcard_match("a?c", "abc"));
  EXPECT_TRUE(wildcard_match("a?c", "a/c"));
  EXPECT_FALSE(wildcard_match("a?c", "ac"));
  EXPECT_FALSE(wildcard_match("a?c", "abbc"));
  EXPECT_FALSE(wildcard_match("?", ""));
}

// '?' takes one whole UTF-8 character (the ARN holds the decoded path); a stray byte counts as one.
TEST(PolicyWildcardMatch, QuestionMarkTakesOneUtf8Character) {
  EXPECT_TRUE(wildcard_match("users/?", "users/\xC3\xA9"));          // é: 2 bytes
  EXPECT_TRUE(wildcard_match("users/?", "users/\xE2\x82\xAC"));      // €: 3 bytes
  EXPECT_TRUE(wildcard_match("users/?", "users/\xF0\x9F\x98\x80"));  // 4 bytes
  EXPECT_FALSE(wildcard_match("users/??", "users/\xC3\xA9"));
  EXPECT_TRUE(wildcard_match("users/??", "users/\xFF\xFE"));  // not UTF-8: one byte each
  EXPECT_TRUE(wildcard_match("*?/x", "\xC3\xA9/x"));
  EXPECT_TRUE(wildcard_match("users/?", "users/\xC3"));  // truncated sequence: one character
  // '*' gives back whole characters too, so '?' never takes a piece of one.
  EXPECT_FALSE(wildcard_match("*??ab",
                              "\xE2\x82\xAC"
                              "ab"));
  EXPECT_TRUE(wildcard_match("*??ab",
                             "x\xE2\x82\xAC"
                             "ab"));
}

// Backtracking finds a match that needs the star to give back characters.
TEST(PolicyWildcardMatch, BacktracksAcrossRepeatedPrefixes) {
  EXPECT_TRUE(wildcard_match("*ab", "aaab"));
  EXPECT_TRUE(wildcard_match("a*b*c", "aXbYbZc"));
  EXPECT_TRUE(wildcard_match("*a*b", "xaxaxb"));
  EXPECT_FALSE(wildcard_match("*a*b", "xaxaxc"));
  EXPECT_TRUE(wildcard_match("*?b", "ab"));
  EXPECT_FALSE(wildcard_match("*?b", "b"));
}

// A hostile pattern against a long text finishes promptly (no exponential backtracking).
TEST(PolicyWildcardMatch, HostilePatternStaysPolynomial) {
  std::string text(20000, 'a');
  std::string pattern;
  for (int i = 0; i < 256; ++i)
    pattern += "*a";
  pattern += "b";
  EXPECT_FALSE(wildcard_match(pattern, text));
  EXPECT_TRUE(wildcard_match(pattern.substr(0, pattern.size() - 1), text));
}

// --- parse: accepted shapes -------------------------------------------------------------------

// The AWS blueprint's shape parses into one statement with its lists.
TEST(PolicyParse, AcceptsBlueprintPolicy) {
  auto p = parse_text(statement_policy("Allow", R"([")" + arn("prod/*/*") + R"("])"));
  ASSERT_TRUE(p.has_value()) << to_string(p.error());
  ASSERT_EQ(p->statements.size(), 1u);
  const Statement& s = p->statements[0];
  EXPECT_TRUE(s.allow);
  EXPECT_FALSE(s.not_action);
  EXPECT_FALSE(s.not_resource);
  EXPECT_FALSE(s.has_condition);
  EXPECT_EQ(s.actions, std::vector<std::string>{"execute-api:Invoke"});
  EXPECT_EQ(s.resources, std::vector<std::string>{arn("prod/*/*")});
}

// `Statement` may be a single object instead of an array (IAM grammar).
TEST(PolicyParse, AcceptsStatementAsSingleObject) {
  auto p = parse_text(R"({"Statement":{"Effect":"Deny","Action":"*","Resource":"*"}})");
  ASSERT_TRUE(p.has_value()) << to_string(p.error());
  ASSERT_EQ(p->statements.size(), 1u);
  EXPECT_FALSE(p->statements[0].allow);
}

// Action and Resource may each be a string or an array of strings.
TEST(PolicyParse, AcceptsStringsOrArraysForActionAndResource) {
  auto p = parse_text(R"({"Statement":[
      {"Effect":"Allow","Action":"execute-api:Invoke","Resource":["a","b"]},
      {"Effect":"Allow","Action":["execute-api:Invoke","execute-api:InvalidateCache"],
       "Resource":"c"}]})");
  ASSERT_TRUE(p.has_value()) << to_string(p.error());
  ASSERT_EQ(p->statements.size(), 2u);
  EXPECT_EQ(p->statements[0].resources, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(p->statements[1].actions,
            (std::vector<std::string>{"execute-api:Invoke", "execute-api:InvalidateCache"}));
  EXPECT_EQ(p->statements[1].resources, std::vector<std::string>{"c"});
}

// Both IAM versions, the document Id and statement Sids are accepted.
TEST(PolicyParse, AcceptsVersionsIdAndSid) {
  EXPECT_TRUE(parse_text(R"({"Version":"2008-10-17","Id":"p1","Statement":[]})").has_value());
  EXPECT_TRUE(parse_text(R"({"Version":"2012-10-17","Statement":[
      {"Sid":"s1","Effect":"Allow","Action":"*","Resource":"*"}]})")
                  .has_value());
}

// NotAction / NotResource are recorded as such.
TEST(PolicyParse, RecordsNotActionAndNotResource) {
  auto p = parse_text(R"({"Statement":{"Effect":"Deny","NotAction":"x:y","NotResource":["r"]}})");
  ASSERT_TRUE(p.has_value()) << to_string(p.error());
  EXPECT_TRUE(p->statements[0].not_action);
  EXPECT_TRUE(p->statements[0].not_resource);
  EXPECT_EQ(p->statements[0].actions, std::vector<std::string>{"x:y"});
  EXPECT_EQ(p->statements[0].resources, std::vector<std::string>{"r"});
}

// A Condition block is accepted and only flagged.
TEST(PolicyParse, FlagsCondition) {
  auto p = parse_text(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*",
      "Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}})");
  ASSERT_TRUE(p.has_value()) << to_string(p.error());
  EXPECT_TRUE(p->statements[0].has_condition);
}

// An empty Statement array is a valid policy that allows nothing.
TEST(PolicyParse, AcceptsEmptyStatementArray) {
  auto p = parse_text(R"({"Version":"2012-10-17","Statement":[]})");
  ASSERT_TRUE(p.has_value()) << to_string(p.error());
  EXPECT_TRUE(p->statements.empty());
  EXPECT_EQ(evaluate(*p, arn("prod/GET/")), Effect::kImplicitDeny);
}

// Exactly kMaxStatements statements and kMaxEntriesPerStatement resources are still accepted.
TEST(PolicyParse, AcceptsLimitsExactly) {
  std::string resources = "[";
  for (size_t i = 0; i < kMaxEntriesPerStatement; ++i)
    resources += (i ? ",\"r" : "\"r") + std::to_string(i) + "\"";
  resources += "]";
  std::string statements = "[";
  for (size_t i = 0; i < kMaxStatements; ++i) {
    statements += i ? "," : "";
    statements += R"({"Effect":"Allow","Action":"*","Resource":)" + resources + "}";
  }
  statements += "]";
  auto p = parse_text(R"({"Statement":)" + statements + "}");
  ASSERT_TRUE(p.has_value()) << to_string(p.error());
  EXPECT_EQ(p->statements.size(), kMaxStatements);
  EXPECT_EQ(p->statements[0].resources.size(), kMaxEntriesPerStatement);
}

// A resource of exactly kMaxResourceBytes is accepted.
TEST(PolicyParse, AcceptsResourceAtLengthLimit) {
  std::string resource(kMaxResourceBytes, 'r');
  EXPECT_TRUE(parse_text(statement_policy("Allow", "\"" + resource + "\"")).has_value());
}

// --- parse: one test per PolicyError ----------------------------------------------------------

// kNotObject: the document is not a JSON object.
TEST(PolicyParse, RejectsNonObjectDocument) {
  EXPECT_EQ(error_of(R"("Allow")"), PolicyError::kNotObject);
  EXPECT_EQ(error_of("[]"), PolicyError::kNotObject);
  EXPECT_EQ(error_of("null"), PolicyError::kNotObject);
}

// kStatementMissing: no `Statement` key.
TEST(PolicyParse, RejectsMissingStatement) {
  EXPECT_EQ(error_of(R"({"Version":"2012-10-17"})"), PolicyError::kStatementMissing);
}

// kStatementNotObject: `Statement` or one of its entries is not an object.
TEST(PolicyParse, RejectsStatementThatIsNotAnObject) {
  EXPECT_EQ(error_of(R"({"Statement":"Allow"})"), PolicyError::kStatementNotObject);
  EXPECT_EQ(error_of(R"({"Statement":null})"), PolicyError::kStatementNotObject);
  EXPECT_EQ(error_of(R"({"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},1]})"),
            PolicyError::kStatementNotObject);
  EXPECT_EQ(error_of(R"({"Statement":[[]]})"), PolicyError::kStatementNotObject);
}

// kTooManyStatements: more than kMaxStatements.
TEST(PolicyParse, RejectsTooManyStatements) {
  std::string statements = "[";
  for (size_t i = 0; i <= kMaxStatements; ++i) {
    statements += i ? "," : "";
    statements += R"({"Effect":"Allow","Action":"*","Resource":"*"})";
  }
  statements += "]";
  EXPECT_EQ(error_of(R"({"Statement":)" + statements + "}"), PolicyError::kTooManyStatements);
}

// kBadEffect: Effect is missing, not a string, or not exactly "Allow"/"Deny" ("allow" included).
TEST(PolicyParse, RejectsBadEffect) {
  EXPECT_EQ(error_of(statement_policy("allow", R"("*")")), PolicyError::kBadEffect);
  EXPECT_EQ(error_of(statement_policy("DENY", R"("*")")), PolicyError::kBadEffect);
  EXPECT_EQ(error_of(statement_policy("", R"("*")")), PolicyError::kBadEffect);
  EXPECT_EQ(error_of(R"({"Statement":{"Action":"*","Resource":"*"}})"), PolicyError::kBadEffect);
  EXPECT_EQ(error_of(R"({"Statement":{"Effect":true,"Action":"*","Resource":"*"}})"),
            PolicyError::kBadEffect);
}

// kActionMissing: neither Action nor NotAction, both, or an empty array.
TEST(PolicyParse, RejectsMissingAction) {
  EXPECT_EQ(error_of(R"({"Statement":{"Effect":"Allow","Resource":"*"}})"),
            PolicyError::kActionMissing);
  EXPECT_EQ(error_of(R"({"Statement":{"Effect":"Allow","Action":"*","NotAction":"x",
      "Resource":"*"}})"),
            PolicyError::kActionMissing);
  EXPECT_EQ(error_of(statement_policy("Allow", R"("*")", "[]")), PolicyError::kActionMissing);
}

// kBadAction: an action that is not a non-empty string, or more than kMaxEntriesPerStatement.
TEST(PolicyParse, RejectsBadAction) {
  EXPECT_EQ(error_of(statement_policy("Allow", R"("*")", R"("")")), PolicyError::kBadAction);
  EXPECT_EQ(error_of(statement_policy("Allow", R"("*")", "1")), PolicyError::kBadAction);
  EXPECT_EQ(error_of(statement_policy("Allow", R"("*")", "null")), PolicyError::kBadAction);
  EXPECT_EQ(error_of(statement_policy("Allow", R"("*")", R"(["*",2])")), PolicyError::kBadAction);
  EXPECT_EQ(error_of(statement_policy("Allow", R"("*")", R"({"a":"*"})")), PolicyError::kBadAction);
  std::string many = "[";
  for (size_t i = 0; i <= kMaxEntriesPerStatement; ++i)
    many += i ? ",\"*\"" : "\"*\"";
  many += "]";
  EXPECT_EQ(error_of(statement_policy("Allow", R"("*")", many)), PolicyError::kBadAction);
}

// kResourceMissing: neither Resource nor NotResource, both, or an empty array.
TEST(PolicyParse, RejectsMissingResource) {
  EXPECT_EQ(error_of(R"({"Statement":{"Effect":"Allow","Action":"*"}})"),
            PolicyError::kResourceMissing);
  EXPECT_EQ(error_of(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*",
      "NotResource":"x"}})"),
            PolicyError::kResourceMissing);
  EXPECT_EQ(error_of(statement_policy("Allow", "[]")), PolicyError::kResourceMissing);
}

// kBadResource: a resource that is not a non-empty string, or more than kMaxEntriesPerStatement.
TEST(PolicyParse, RejectsBadResource) {
  EXPECT_EQ(error_of(statement_policy("Allow", R"("")")), PolicyError::kBadResource);
  EXPECT_EQ(error_of(statement_policy("Allow", "42")), PolicyError::kBadResource);
  EXPECT_EQ(error_of(statement_policy("Allow", R"(["*",null])")), PolicyError::kBadResource);
  EXPECT_EQ(error_of(statement_policy("Allow", R"([["*"]])")), PolicyError::kBadResource);
  std::string many = "[";
  for (size_t i = 0; i <= kMaxEntriesPerStatement; ++i)
    many += i ? ",\"*\"" : "\"*\"";
  many += "]";
  EXPECT_EQ(error_of(statement_policy("Allow", many)), PolicyError::kBadResource);
}

// kResourceTooLong: a resource of kMaxResourceBytes + 1 (513) characters, as a string or in an
// array.
TEST(PolicyParse, RejectsResourceOverLengthLimit) {
  std::string resource(kMaxResourceBytes + 1, 'r');
  EXPECT_EQ(error_of(statement_policy("Allow", "\"" + resource + "\"")),
            PolicyError::kResourceTooLong);
  EXPECT_EQ(error_of(statement_policy("Allow", R"(["*",")" + resource + "\"]")),
            PolicyError::kResourceTooLong);
}

// kUnknownKey: a key IAM does not define, at either level; element names are case-sensitive, and
// Principal has no place in an identity policy.
TEST(PolicyParse, RejectsUnknownKeys) {
  EXPECT_EQ(error_of(R"({"Statement":[],"Statements":[]})"), PolicyError::kUnknownKey);
  EXPECT_EQ(error_of(R"({"statement":[]})"), PolicyError::kUnknownKey);
  EXPECT_EQ(error_of(R"({"Statement":{"Effects":"Allow","Action":"*","Resource":"*"}})"),
            PolicyError::kUnknownKey);
  EXPECT_EQ(error_of(R"({"Statement":{"Effect":"Allow","action":"*","Resource":"*"}})"),
            PolicyError::kUnknownKey);
  EXPECT_EQ(error_of(R"({"Statement":{"Effect":"Allow","Principal":"*","Action":"*",
      "Resource":"*"}})"),
            PolicyError::kUnknownKey);
  EXPECT_EQ(error_of(R"({"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"x"},"Action":"*",
      "Resource":"*"}})"),
            PolicyError::kUnknownKey);
}

// kBadVersion: a Version that is not one of IAM's two, or not a string.
TEST(PolicyParse, RejectsBadVersion) {
  EXPECT_EQ(error_of(R"({"Version":"2012-10-18","Statement":[]})"), PolicyError::kBadVersion);
  EXPECT_EQ(error_of(R"({"Version":2012,"Statement":[]})"), PolicyError::kBadVersion);
  EXPECT_EQ(error_of(R"({"Version":"","Statement":[]})"), PolicyError::kBadVersion);
}

// A malformed statement anywhere fails the whole policy: nothing half-applies.
TEST(PolicyParse, OneBadStatementFailsTheWholePolicy) {
  EXPECT_EQ(error_of(R"({"Statement":[
      {"Effect":"Deny","Action":"*","Resource":"*"},
      {"Effect":"Allow","Action":"*"}]})"),
            PolicyError::kResourceMissing);
}

// Every PolicyError has its own log reason.
TEST(PolicyParse, ErrorNamesAreDistinct) {
  EXPECT_EQ(to_string(PolicyError::kBadEffect), "bad_effect");
  EXPECT_EQ(to_string(PolicyError::kResourceTooLong), "resource_too_long");
  std::vector<std::string_view> names;
  for (int e = 0; e <= static_cast<int>(PolicyError::kBadVersion); ++e) {
    std::string_view name = to_string(static_cast<PolicyError>(e));
    EXPECT_NE(name, "unknown");
    for (std::string_view seen : names)
      EXPECT_NE(name, seen);
    names.push_back(name);
  }
  EXPECT_EQ(to_string(Effect::kAllow), "allow");
  EXPECT_EQ(to_string(Effect::kExplicitDeny), "explicit_deny");
  EXPECT_EQ(to_string(Effect::kImplicitDeny), "implicit_deny");
}

// --- evaluate: resources (aws-compat §3.1) ----------------------------------------------------

// `.../prod/*/*` covers the root method ARN `.../prod/GET/`: '*' matches the empty path.
TEST(PolicyEvaluate, StageWildcardCoversRootPath) {
  EXPECT_EQ(allow_verdict(arn("prod/*/*"), arn("prod/GET/")), Effect::kAllow);
  EXPECT_EQ(allow_verdict(arn("prod/*/*"), arn("prod/POST/users/42")), Effect::kAllow);
}

// A resource without wildcards must match exactly: `.../GET/organizations` does not cover
// `.../GET/organizations/0000`.
TEST(PolicyEvaluate, LiteralResourceDoesNotCoverSubpaths) {
  EXPECT_EQ(allow_verdict(arn("prod/GET/organizations"), arn("prod/GET/organizations")),
            Effect::kAllow);
  EXPECT_EQ(allow_verdict(arn("prod/GET/organizations"), arn("prod/GET/organizations/0000")),
            Effect::kImplicitDeny);
  EXPECT_EQ(allow_verdict(arn("prod/GET/organizations"), arn("prod/GET/organization")),
            Effect::kImplicitDeny);
}

// '*' spans '/': `.../prod/*/admin` also matches `.../prod/GET/x/admin` (the documented gotcha).
TEST(PolicyEvaluate, StarSpansSlashes) {
  EXPECT_EQ(allow_verdict(arn("prod/*/admin"), arn("prod/GET/x/admin")), Effect::kAllow);
  EXPECT_EQ(allow_verdict(arn("prod/GET/users/*"), arn("prod/GET/users/1/secrets/x")),
            Effect::kAllow);
}

// `arn:aws:execute-api:*` crosses ':' and matches every method ARN.
TEST(PolicyEvaluate, ServiceWildcardMatchesEverything) {
  EXPECT_EQ(allow_verdict("arn:aws:execute-api:*", arn("prod/GET/")), Effect::kAllow);
  EXPECT_EQ(allow_verdict("arn:aws:execute-api:*",
                          "arn:aws:execute-api:eu-west-1:999999999999:other/dev/PUT/a/b"),
            Effect::kAllow);
}

// The literal resource "*" matches everything.
TEST(PolicyEvaluate, BareStarMatchesEverything) {
  EXPECT_EQ(allow_verdict("*", arn("prod/GET/")), Effect::kAllow);
  EXPECT_EQ(allow_verdict("*", arn("prod/DELETE/a/b/c")), Effect::kAllow);
}

// Resources compare case-sensitively: stage, verb and path must have the ARN's case.
TEST(PolicyEvaluate, ResourcesAreCaseSensitive) {
  EXPECT_EQ(allow_verdict(arn("Prod/GET/*"), arn("prod/GET/users")), Effect::kImplicitDeny);
  EXPECT_EQ(allow_verdict(arn("prod/get/*"), arn("prod/GET/users")), Effect::kImplicitDeny);
  EXPECT_EQ(allow_verdict(arn("prod/GET/Users"), arn("prod/GET/users")), Effect::kImplicitDeny);
}

// '?' stands for one character of the ARN.
TEST(PolicyEvaluate, QuestionMarkInResource) {
  const std::string three_letter_verbs = arn("prod/\?\?\?/*");  // "\?": no "??/" trigraph
  EXPECT_EQ(allow_verdict(three_letter_verbs, arn("prod/GET/x")), Effect::kAllow);
  EXPECT_EQ(allow_verdict(three_letter_verbs, arn("prod/POST/x")), Effect::kImplicitDeny);
  EXPECT_EQ(allow_verdict(arn("prod/G?T/*"), arn("prod/GET/x")), Effect::kAllow);
}

// An Allow for another method or stage does not match: implicit deny.
TEST(PolicyEvaluate, NoMatchingAllowIsImplicitDeny) {
  EXPECT_EQ(allow_verdict(arn("prod/GET/*"), arn("prod/POST/users")), Effect::kImplicitDeny);
  EXPECT_EQ(allow_verdict(arn("dev/*/*"), arn("prod/GET/users")), Effect::kImplicitDeny);
}

// Any resource in the list may match.
TEST(PolicyEvaluate, AnyResourceInListMatches) {
  std::string p = statement_policy(
      "Allow", R"([")" + arn("prod/GET/a") + R"(",")" + arn("prod/GET/b") + R"("])");
  EXPECT_EQ(evaluate_text(p, arn("prod/GET/b")), Effect::kAllow);
  EXPECT_EQ(evaluate_text(p, arn("prod/GET/c")), Effect::kImplicitDeny);
}

// --- evaluate: effects ------------------------------------------------------------------------

// A matching Deny beats a matching Allow, whatever their order.
TEST(PolicyEvaluate, ExplicitDenyBeatsAllow) {
  std::string allow_first = R"({"Statement":[
      {"Effect":"Allow","Action":"execute-api:Invoke","Resource":")" +
                            arn("prod/*/*") + R"("},
      {"Effect":"Deny","Action":["execute-api:Invoke"],"Resource":[")" +
                            arn("prod/DELETE/*") + R"("]}]})";
  EXPECT_EQ(evaluate_text(allow_first, arn("prod/DELETE/users/1")), Effect::kExplicitDeny);
  EXPECT_EQ(evaluate_text(allow_first, arn("prod/GET/users/1")), Effect::kAllow);
  std::string deny_first = R"({"Statement":[
      {"Effect":"Deny","Action":"*","Resource":"*"},
      {"Effect":"Allow","Action":"*","Resource":"*"}]})";
  EXPECT_EQ(evaluate_text(deny_first, arn("prod/GET/")), Effect::kExplicitDeny);
}

// A Deny that does not match the ARN leaves the request at implicit deny, not explicit.
TEST(PolicyEvaluate, NonMatchingDenyIsImplicitDeny) {
  EXPECT_EQ(verdict("Deny", arn("prod/DELETE/*"), arn("prod/GET/x")), Effect::kImplicitDeny);
  EXPECT_EQ(verdict("Deny", arn("prod/DELETE/*"), arn("prod/DELETE/x")), Effect::kExplicitDeny);
}

// An empty policy (no statements) allows nothing.
TEST(PolicyEvaluate, EmptyPolicyIsImplicitDeny) {
  EXPECT_EQ(evaluate(Policy{}, arn("prod/GET/")), Effect::kImplicitDeny);
}

// --- evaluate: actions ------------------------------------------------------------------------

// "execute-api:Invoke", "execute-api:*", "*" and other globs that cover Invoke all apply.
TEST(PolicyEvaluate, ActionWildcardsCoverInvoke) {
  for (const char* action : {R"("execute-api:Invoke")", R"("execute-api:*")", R"("*")",
                             R"("execute-api:Inv*")", R"("execute-api:?nvoke")", R"("*:Invoke")"}) {
    SCOPED_TRACE(action);
    EXPECT_EQ(evaluate_text(statement_policy("Allow", R"("*")", action), arn("prod/GET/")),
              Effect::kAllow);
  }
}

// Actions compare case-insensitively, as IAM does.
TEST(PolicyEvaluate, ActionsAreCaseInsensitive) {
  for (const char* action :
       {R"("execute-api:invoke")", R"("EXECUTE-API:INVOKE")", R"("Execute-Api:*")"}) {
    SCOPED_TRACE(action);
    EXPECT_EQ(evaluate_text(statement_policy("Allow", R"("*")", action), arn("prod/GET/")),
              Effect::kAllow);
  }
}

// A statement whose actions do not cover Invoke does not apply, Allow or Deny.
TEST(PolicyEvaluate, OtherActionsDoNotApply) {
  EXPECT_EQ(evaluate_text(statement_policy("Allow", R"("*")", R"("execute-api:InvalidateCache")"),
                          arn("prod/GET/")),
            Effect::kImplicitDeny);
  EXPECT_EQ(evaluate_text(statement_policy("Allow", R"("*")", R"("s3:*")"), arn("prod/GET/")),
            Effect::kImplicitDeny);
  EXPECT_EQ(evaluate_text(R"({"Statement":[
      {"Effect":"Allow","Action":"*","Resource":"*"},
      {"Effect":"Deny","Action":"execute-api:InvalidateCache","Resource":"*"}]})",
                          arn("prod/GET/")),
            Effect::kAllow);
  EXPECT_EQ(evaluate_text(statement_policy("Allow", R"("*")", R"("execute-api:Invoke2")"),
                          arn("prod/GET/")),
            Effect::kImplicitDeny);
}

// --- evaluate: NotAction / NotResource --------------------------------------------------------

// NotResource: the statement covers every ARN that none of its patterns matches.
TEST(PolicyEvaluate, NotResourceCoversEverythingElse) {
  std::string p = R"({"Statement":{"Effect":"Allow","Action":"execute-api:Invoke",
      "NotResource":[")" +
                  arn("prod/*/admin/*") + R"("]}})";
  EXPECT_EQ(evaluate_text(p, arn("prod/GET/users")), Effect::kAllow);
  EXPECT_EQ(evaluate_text(p, arn("prod/GET/admin/x")), Effect::kImplicitDeny);
  std::string deny = R"({"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
      {"Effect":"Deny","Action":"*","NotResource":")" +
                     arn("prod/GET/*") + R"("}]})";
  EXPECT_EQ(evaluate_text(deny, arn("prod/GET/x")), Effect::kAllow);
  EXPECT_EQ(evaluate_text(deny, arn("prod/POST/x")), Effect::kExplicitDeny);
}

// NotAction: the statement applies only when Invoke is not among its actions.
TEST(PolicyEvaluate, NotActionAppliesWhenInvokeIsNotListed) {
  std::string other = R"({"Statement":{"Effect":"Allow","NotAction":"execute-api:InvalidateCache",
      "Resource":"*"}})";
  EXPECT_EQ(evaluate_text(other, arn("prod/GET/")), Effect::kAllow);
  std::string invoke = R"({"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
      {"Effect":"Deny","NotAction":"execute-api:*","Resource":"*"}]})";
  EXPECT_EQ(evaluate_text(invoke, arn("prod/GET/")), Effect::kAllow);
  std::string deny_rest = R"({"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
      {"Effect":"Deny","NotAction":"s3:GetObject","Resource":"*"}]})";
  EXPECT_EQ(evaluate_text(deny_rest, arn("prod/GET/")), Effect::kExplicitDeny);
}

// --- evaluate: Condition (fail closed) --------------------------------------------------------

// An Allow with a Condition never matches, since its condition keys are not evaluated.
TEST(PolicyEvaluate, ConditionalAllowNeverMatches) {
  std::string p = R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*",
      "Condition":{"Bool":{"aws:SecureTransport":"true"}}}})";
  EXPECT_EQ(evaluate_text(p, arn("prod/GET/")), Effect::kImplicitDeny);
  std::string with_plain = R"({"Statement":[
      {"Effect":"Allow","Action":"*","Resource":"*","Condition":{}},
      {"Effect":"Allow","Action":"*","Resource":")" +
                           arn("prod/GET/*") + R"("}]})";
  EXPECT_EQ(evaluate_text(with_plain, arn("prod/GET/x")), Effect::kAllow);
  EXPECT_EQ(evaluate_text(with_plain, arn("prod/POST/x")), Effect::kImplicitDeny);
}

// A Deny with a Condition counts as met wherever its action and resources cover the request.
TEST(PolicyEvaluate, ConditionalDenyAlwaysMatchesWhatItCovers) {
  std::string p = R"({"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
      {"Effect":"Deny","Action":"*","Resource":")" +
                  arn("prod/DELETE/*") + R"(",
       "Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]})";
  EXPECT_EQ(evaluate_text(p, arn("prod/DELETE/x")), Effect::kExplicitDeny);
  EXPECT_EQ(evaluate_text(p, arn("prod/GET/x")), Effect::kAllow);
}

}  // namespace
}  // namespace gatehouse::auth::policy
