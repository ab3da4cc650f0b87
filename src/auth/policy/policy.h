// IAM policy documents as Lambda authorizers return them, and their evaluation against one
// request's method ARN (docs/aws-compatibility.md §3). Pure: no clock, no I/O, no logging.
//
// Grammar accepted (IAM's): `Statement` is one object or an array of them (an empty array allows
// nothing); in each statement `Effect` is exactly "Allow" or "Deny" (case-sensitive, as IAM);
// `Action` or `NotAction`, and `Resource` or `NotResource`, are each a string or a non-empty array
// of non-empty strings; `Sid`, `Condition` (see below), the document's `Id` and `Version`
// ("2012-10-17" or "2008-10-17") are accepted. Anything else is malformed, including `Principal`
// and `NotPrincipal` (IAM refuses them in an identity policy, and ignoring them would widen an
// Allow), and a malformed policy fails the authorizer (500), never half-applies. Element names are
// case-sensitive, as in IAM.
//
// Evaluation, for the action "execute-api:Invoke" and one method ARN:
//   - an action matches "execute-api:Invoke", "execute-api:*", "*" or any pattern that matches
//     "execute-api:Invoke" (actions compare case-insensitively, as in IAM);
//   - a resource pattern matches with `*` = any run of characters including '/' and ':' and the
//     empty run, `?` = exactly one character (one UTF-8 character: the ARN holds the decoded
//     path); everything else is literal and case-sensitive, so a pattern without wildcards must
//     equal the ARN;
//   - NotAction / NotResource: the statement covers the request when the action / ARN matches
//     none of the listed patterns (IAM);
//   - any matching Deny statement wins (kExplicitDeny); otherwise a matching Allow allows;
//     otherwise kImplicitDeny.
//   - `Condition`: no condition keys are evaluated. A statement with a Condition is treated to fail
//     closed: an Allow with a Condition never matches, a Deny with a Condition always matches
//     whenever its action and resource elements cover the request.
//
// Usage:
//   auto p = policy::parse(doc);                    // once, when the authorizer answers
//   if (!p) return fail(p.error());                 // -> 500 AuthorizerConfigurationException
//   switch (policy::evaluate(*p, method_arn)) ...   // for every request, cached or not
//
// Thread safety: a Policy is immutable after parse(); evaluate() is pure and may run concurrently.
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace gatehouse::auth::policy {

// API Gateway limits a Resource string in an authorizer policy to 512 characters.
inline constexpr size_t kMaxResourceBytes = 512;
// Bounds on what one policy may make us hold and scan per request.
inline constexpr size_t kMaxStatements = 100;
inline constexpr size_t kMaxEntriesPerStatement = 100;  // actions or resources

enum class PolicyError {
  kNotObject,           // policyDocument is not a JSON object
  kStatementMissing,    // no `Statement`
  kStatementNotObject,  // a statement (or `Statement` itself) is not an object / array of them
  kTooManyStatements,   // more than kMaxStatements
  kBadEffect,           // `Effect` missing or not exactly "Allow" / "Deny"
  kActionMissing,       // neither `Action` nor `NotAction` (or both), or an empty array
  kBadAction,           // an action that is not a non-empty string, or too many
  kResourceMissing,     // neither `Resource` nor `NotResource` (or both), or an empty array
  kBadResource,         // a resource that is not a non-empty string, or too many
  kResourceTooLong,     // a resource over kMaxResourceBytes
  kUnknownKey,  // a key IAM does not define (e.g. "Effects"), at document or statement level
  kBadVersion,  // `Version` other than "2012-10-17" / "2008-10-17"
};
// Short snake_case reason for the access log, e.g. "bad_effect".
std::string_view to_string(PolicyError error);

struct Statement {
  bool allow = false;       // Effect
  bool not_action = false;  // the list is NotAction
  std::vector<std::string> actions;
  bool not_resource = false;  // the list is NotResource
  std::vector<std::string> resources;
  bool has_condition = false;  // see the fail-closed rule above
};

struct Policy {
  std::vector<Statement> statements;
};

core::Result<Policy, PolicyError> parse(const boost::json::value& policy_document);

enum class Effect { kAllow, kExplicitDeny, kImplicitDeny };
std::string_view to_string(Effect effect);  // "allow", "explicit_deny", "implicit_deny"

// The policy's verdict on invoking `method_arn`.
Effect evaluate(const Policy& policy, std::string_view method_arn);

// IAM wildcard match of a whole string, case-sensitive: '*' any run (also empty), '?' exactly one
// UTF-8 character (a byte that starts no well-formed sequence counts as one). There is no escape:
// '*' and '?' are always wildcards. O(|pattern| * |text|) at worst, no recursion, no allocation.
bool wildcard_match(std::string_view pattern, std::string_view text);

}  // namespace gatehouse::auth::policy
