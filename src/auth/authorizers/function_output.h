// What a Lambda authorizer returns (docs/aws-compatibility.md §2), validated the way API Gateway
// validates it, plus how its failures map to outcomes. Pure: no I/O.
//
//   {"principalId": "user|a1b2", "policyDocument": {...}, "context": {"k": "v", "n": 1},
//    "usageIdentifierKey": "..."}
//
// Rules (our decisions in docs/aws-compatibility.md §13):
//   - the payload must be a JSON object; `principalId` a non-empty string (a missing one fails
//     closed); `policyDocument` an object that policy::parse() accepts;
//   - `context`, when present, an object whose values are strings, numbers or booleans (null, an
//     array or an object fails the whole output); values are stringified as API Gateway does
//     downstream: 123 -> "123", 1.5 -> "1.5", true -> "true"; integers exactly in decimal,
//     other numbers as JavaScript's String(x) writes them (1.0 -> "1", 1e-7 -> "1e-7",
//     -0 -> "0");
//   - `usageIdentifierKey`, when present, a string;
//   - a top-level member set to JSON null counts as absent (so `"context": null` is no context,
//     and `"principalId": null` is kPrincipalMissing);
//   - other top-level keys are ignored (API Gateway ignores them too);
//   - the payload is refused by size before parsing, and nesting deeper than 32 is kNotJson.
//
// Usage:
//   auto out = parse_function_output(response_bytes);
//   if (!out) log(to_string(out.error().error));  // -> 500 AuthorizerConfigurationException
//
// Thread safety: pure functions over values.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/policy/policy.h"
#include "core/status.h"

namespace gatehouse::auth {

// Larger authorizer responses are refused before parsing (API Gateway documents 8 KB for
// WebSocket authorizer results; we allow more room, but a bound).
inline constexpr size_t kMaxAuthorizerOutputBytes = 64 * 1024;

enum class FunctionOutputError {
  kTooLarge,           // over kMaxAuthorizerOutputBytes
  kNotJson,            // not parsable JSON
  kNotObject,          // valid JSON, but not an object (null, a string such as "Unauthorized", ...)
  kPrincipalMissing,   // no principalId, or not a non-empty string
  kPolicyMissing,      // no policyDocument
  kPolicyInvalid,      // policy::parse() refused it (policy_error says why)
  kContextNotObject,   // `context` is not an object
  kContextBadValue,    // a context value is null, an array or an object
  kUsageKeyNotString,  // usageIdentifierKey is not a string
};
std::string_view to_string(FunctionOutputError error);

struct FunctionOutput {
  std::string principal_id;
  std::shared_ptr<const policy::Policy> policy;
  // context keys in the order the function sent them, values stringified.
  std::vector<std::pair<std::string, std::string>> context;
  std::string usage_identifier_key;  // empty when absent
};

struct FunctionOutputFailure {
  FunctionOutputError error = FunctionOutputError::kNotJson;
  policy::PolicyError policy_error = policy::PolicyError::kNotObject;  // for kPolicyInvalid
};

core::Result<FunctionOutput, FunctionOutputFailure> parse_function_output(std::string_view payload);

}  // namespace gatehouse::auth
