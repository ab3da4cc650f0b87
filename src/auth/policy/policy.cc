#include "auth/policy/policy.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include <utility>

#include "core/text.h"

namespace gatehouse::auth::policy {
namespace {

namespace json = boost::json;

// The only action API Gateway evaluates an authorizer policy for.
constexpr std::string_view kInvokeAction = "execute-api:Invoke";

// The two-pointer glob match: on a mismatch, go back to the last '*' and let it swallow one more
// character. Each '*' restart only moves forward, so the work is O(|pattern| * |text|) at worst,
// with no recursion (no stack growth on hostile patterns) and no allocation. '?' and the
// backtracking '*' step over whole UTF-8 characters (method ARNs carry the percent-decoded path,
// which may hold multi-byte characters); a byte that starts no sequence is one character.
template <bool kFoldCase>
bool glob_match(std::string_view pattern, std::string_view text) {
  constexpr size_t kNoStar = std::string_view::npos;
  size_t p = 0;
  size_t t = 0;
  size_t star = kNoStar;  // position of the last '*' seen in pattern
  size_t resume = 0;      // where in text that '*' is matched up to
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == '?') {
      ++p;
      t += core::utf8_char_length_lenient(text, t);
    } else if (p < pattern.size() &&
               (kFoldCase ? core::ascii_lower(pattern[p]) == core::ascii_lower(text[t])
                          : pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (star != kNoStar) {
      p = star + 1;
      resume += core::utf8_char_length_lenient(text, resume);
      t = resume;
    } else {
      return false;
    }
  }
  // The text is used up: only trailing stars, which match the empty run, may be left.
  while (p < pattern.size() && pattern[p] == '*') {
    ++p;
  }
  return p == pattern.size();
}

// A statement's Action/NotAction or Resource/NotResource list: a string or an array of strings,
// each non-empty. `bad` is the error for a wrong entry; `missing` for an empty array, which IAM
// refuses too ("Policy statement must contain actions").
core::Result<std::vector<std::string>, PolicyError> string_list(const json::value& value,
                                                                PolicyError bad,
                                                                PolicyError missing,
                                                                size_t max_entry_bytes) {
  std::vector<std::string> out;
  auto add = [&](const json::value& entry) -> bool {
    if (!entry.is_string() || entry.get_string().empty()) return false;
    out.emplace_back(entry.get_string());
    return true;
  };
  if (value.is_string()) {
    if (!add(value)) return core::unexpected(bad);
  } else if (value.is_array()) {
    const json::array& entries = value.get_array();
    if (entries.empty()) return core::unexpected(missing);
    if (entries.size() > kMaxEntriesPerStatement) return core::unexpected(bad);
    out.reserve(entries.size());
    for (const json::value& entry : entries) {
      if (!add(entry)) return core::unexpected(bad);
    }
  } else {
    return core::unexpected(bad);
  }
  for (const std::string& entry : out) {
    if (entry.size() > max_entry_bytes) return core::unexpected(PolicyError::kResourceTooLong);
  }
  return out;
}

core::Result<Statement, PolicyError> parse_statement(const json::value& value) {
  if (!value.is_object()) return PolicyError::kStatementNotObject;
  const json::object& obj = value.get_object();
  for (const auto& member : obj) {
    std::string_view key = member.key();
    // Element names are case-sensitive in IAM. Principal and NotPrincipal are IAM elements, but
    // not in an identity policy such as this one: IAM refuses them there, and ignoring them would
    // widen an Allow meant for someone else.
    if (key != "Sid" && key != "Effect" && key != "Action" && key != "NotAction" &&
        key != "Resource" && key != "NotResource" && key != "Condition") {
      return PolicyError::kUnknownKey;
    }
  }

  Statement statement;
  const json::value* effect = obj.if_contains("Effect");
  if (effect == nullptr || !effect->is_string()) return PolicyError::kBadEffect;
  if (effect->get_string() == "Allow") {
    statement.allow = true;
  } else if (effect->get_string() != "Deny") {
    return PolicyError::kBadEffect;
  }

  const json::value* action = obj.if_contains("Action");
  const json::value* not_action = obj.if_contains("NotAction");
  if ((action == nullptr) == (not_action == nullptr)) return PolicyError::kActionMissing;
  statement.not_action = not_action != nullptr;
  auto actions = string_list(action != nullptr ? *action : *not_action, PolicyError::kBadAction,
                             PolicyError::kActionMissing, std::string_view::npos);
  if (!actions) return actions.error();
  statement.actions = std::move(*actions);

  const json::value* resource = obj.if_contains("Resource");
  const json::value* not_resource = obj.if_contains("NotResource");
  if ((resource == nullptr) == (not_resource == nullptr)) return PolicyError::kResourceMissing;
  statement.not_resource = not_resource != nullptr;
  auto resources =
      string_list(resource != nullptr ? *resource : *not_resource, PolicyError::kBadResource,
                  PolicyError::kResourceMissing, kMaxResourceBytes);
  if (!resources) return resources.error();
  statement.resources = std::move(*resources);

  statement.has_condition = obj.contains("Condition");
  return statement;
}

bool action_listed(const Statement& statement) {
  for (const std::string& pattern : statement.actions) {
    if (glob_match<true>(pattern, kInvokeAction)) return true;
  }
  return false;
}

bool resource_listed(const Statement& statement, std::string_view method_arn) {
  for (const std::string& pattern : statement.resources) {
    if (glob_match<false>(pattern, method_arn)) return true;
  }
  return false;
}

// Whether the statement's Action and Resource elements cover this request (Condition aside).
bool covers(const Statement& statement, std::string_view method_arn) {
  return action_listed(statement) != statement.not_action &&
         resource_listed(statement, method_arn) != statement.not_resource;
}

}  // namespace

std::string_view to_string(PolicyError error) {
  switch (error) {
    case PolicyError::kNotObject:
      return "not_object";
    case PolicyError::kStatementMissing:
      return "statement_missing";
    case PolicyError::kStatementNotObject:
      return "statement_not_object";
    case PolicyError::kTooManyStatements:
      return "too_many_statements";
    case PolicyError::kBadEffect:
      return "bad_effect";
    case PolicyError::kActionMissing:
      return "action_missing";
    case PolicyError::kBadAction:
      return "bad_action";
    case PolicyError::kResourceMissing:
      return "resource_missing";
    case PolicyError::kBadResource:
      return "bad_resource";
    case PolicyError::kResourceTooLong:
      return "resource_too_long";
    case PolicyError::kUnknownKey:
      return "unknown_key";
    case PolicyError::kBadVersion:
      return "bad_version";
  }
  return "unknown";
}

std::string_view to_string(Effect effect) {
  switch (effect) {
    case Effect::kAllow:
      return "allow";
    case Effect::kExplicitDeny:
      return "explicit_deny";
    case Effect::kImplicitDeny:
      return "implicit_deny";
  }
  return "unknown";
}

core::Result<Policy, PolicyError> parse(const json::value& policy_document) {
  if (!policy_document.is_object()) return PolicyError::kNotObject;
  const json::object& doc = policy_document.get_object();
  for (const auto& member : doc) {
    std::string_view key = member.key();
    if (key != "Version" && key != "Id" && key != "Statement") return PolicyError::kUnknownKey;
  }
  if (const json::value* version = doc.if_contains("Version")) {
    if (!version->is_string() ||
        (version->get_string() != "2012-10-17" && version->get_string() != "2008-10-17")) {
      return PolicyError::kBadVersion;
    }
  }

  const json::value* statement = doc.if_contains("Statement");
  if (statement == nullptr) return PolicyError::kStatementMissing;
  Policy policy;
  if (statement->is_object()) {
    auto one = parse_statement(*statement);
    if (!one) return one.error();
    policy.statements.push_back(std::move(*one));
    return policy;
  }
  if (!statement->is_array()) return PolicyError::kStatementNotObject;
  const json::array& statements = statement->get_array();
  if (statements.size() > kMaxStatements) return PolicyError::kTooManyStatements;
  policy.statements.reserve(statements.size());
  for (const json::value& entry : statements) {
    auto one = parse_statement(entry);
    if (!one) return one.error();
    policy.statements.push_back(std::move(*one));
  }
  return policy;
}

Effect evaluate(const Policy& policy, std::string_view method_arn) {
  bool allowed = false;
  for (const Statement& statement : policy.statements) {
    if (!covers(statement, method_arn)) continue;
    if (!statement.allow) return Effect::kExplicitDeny;  // a Condition counts as met: fail closed
    if (!statement.has_condition) allowed = true;        // a Condition counts as unmet
  }
  return allowed ? Effect::kAllow : Effect::kImplicitDeny;
}

bool wildcard_match(std::string_view pattern, std::string_view text) {
  return glob_match<false>(pattern, text);
}

}  // namespace gatehouse::auth::policy
