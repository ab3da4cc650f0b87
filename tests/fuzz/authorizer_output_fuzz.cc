// libFuzzer target: a Lambda authorizer's answer through parse_function_output() and, when it
// parses, policy::evaluate() against a method ARN. The input is "<method ARN>\0<payload>"; without
// a NUL byte it is all payload, evaluated against a fixed ARN. Every accepted output must hold
// what the parser promises, and every wildcard_match() the evaluation makes is checked against a
// plain dynamic-programming matcher.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "auth/authorizers/function_output.h"
#include "auth/policy/policy.h"

namespace {

using namespace gatehouse::auth;  // NOLINT: fuzz target

constexpr std::string_view kDefaultArn =
    "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/pets/7";

char fold(char c, bool fold_case) {
  return fold_case && c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Same character rule as policy.cc: '?' and '*' step over one UTF-8 character at a time.
size_t char_length(std::string_view text, size_t i) {
  auto lead = static_cast<unsigned char>(text[i]);
  size_t want = lead < 0x80           ? 1
                : (lead >> 5) == 0x6  ? 2
                : (lead >> 4) == 0xE  ? 3
                : (lead >> 3) == 0x1E ? 4
                                      : 1;
  size_t length = 1;
  while (length < want && i + length < text.size() &&
         (static_cast<unsigned char>(text[i + length]) & 0xC0) == 0x80) {
    ++length;
  }
  return length;
}

// Reference glob: matches(i, j) says whether pattern[i..] matches text[j..].
bool reference_match(std::string_view pattern, std::string_view text, bool fold_case) {
  const size_t m = pattern.size();
  const size_t n = text.size();
  std::vector<char> cells((m + 1) * (n + 1), 0);
  auto matches = [&](size_t i, size_t j) -> char& { return cells[i * (n + 1) + j]; };
  matches(m, n) = 1;
  for (size_t i = m; i-- > 0;) {
    for (size_t j = n + 1; j-- > 0;) {
      bool ok = false;
      if (pattern[i] == '*') {
        ok = matches(i + 1, j) || (j < n && matches(i, j + char_length(text, j)));
      } else if (pattern[i] == '?') {
        ok = j < n && matches(i + 1, j + char_length(text, j));
      } else {
        ok = j < n && fold(pattern[i], fold_case) == fold(text[j], fold_case) &&
             matches(i + 1, j + 1);
      }
      matches(i, j) = ok;
    }
  }
  return matches(0, 0);
}

// wildcard_match() on a resource pattern, checked against the reference when that is cheap. The
// pattern came through the JSON parser, so it is valid UTF-8 and the two must agree on any text.
bool resource_match(std::string_view pattern, std::string_view method_arn) {
  bool fast = policy::wildcard_match(pattern, method_arn);
  if (pattern.size() * method_arn.size() <= (1u << 16) &&
      fast != reference_match(pattern, method_arn, false)) {
    __builtin_trap();
  }
  return fast;
}

// evaluate() restated over the reference matcher.
policy::Effect reference_evaluate(const policy::Policy& p, std::string_view method_arn) {
  bool allowed = false;
  for (const policy::Statement& s : p.statements) {
    bool action = false;
    for (const std::string& a : s.actions) {
      action = action || reference_match(a, "execute-api:Invoke", true);
    }
    bool resource = false;
    for (const std::string& r : s.resources)
      resource = resource || resource_match(r, method_arn);
    if (action == s.not_action || resource == s.not_resource) continue;
    if (!s.allow) return policy::Effect::kExplicitDeny;
    if (!s.has_condition) allowed = true;
  }
  return allowed ? policy::Effect::kAllow : policy::Effect::kImplicitDeny;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t nul = input.find('\0');
  std::string_view method_arn = nul == std::string_view::npos ? kDefaultArn : input.substr(0, nul);
  std::string_view payload = nul == std::string_view::npos ? input : input.substr(nul + 1);

  auto out = parse_function_output(payload);
  if (!out) {
    // Only kPolicyInvalid carries a policy error, and the size check comes first.
    if (payload.size() > kMaxAuthorizerOutputBytes &&
        out.error().error != FunctionOutputError::kTooLarge) {
      __builtin_trap();
    }
    (void)to_string(out.error().error);
    (void)policy::to_string(out.error().policy_error);
    return 0;
  }
  // What an accepted output promises.
  if (out->principal_id.empty() || out->policy == nullptr) __builtin_trap();
  const policy::Policy& p = *out->policy;
  if (p.statements.size() > policy::kMaxStatements) __builtin_trap();
  for (const policy::Statement& s : p.statements) {
    if (s.actions.empty() || s.actions.size() > policy::kMaxEntriesPerStatement) __builtin_trap();
    if (s.resources.empty() || s.resources.size() > policy::kMaxEntriesPerStatement) {
      __builtin_trap();
    }
    for (const std::string& a : s.actions) {
      if (a.empty()) __builtin_trap();
    }
    for (const std::string& r : s.resources) {
      if (r.empty() || r.size() > policy::kMaxResourceBytes) __builtin_trap();
    }
  }
  policy::Effect effect = policy::evaluate(p, method_arn);
  if (effect != reference_evaluate(p, method_arn)) __builtin_trap();
  (void)policy::to_string(effect);
  return 0;
}
