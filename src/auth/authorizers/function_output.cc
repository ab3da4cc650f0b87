#include "auth/authorizers/function_output.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>

#include "core/json_text.h"

namespace gatehouse::auth {
namespace {

namespace json = boost::json;

// Deep enough for any real output (document, policy, statement list, statement, condition
// operator, key, values) and shallow enough that a hostile payload cannot exhaust the stack.
constexpr size_t kMaxJsonDepth = 32;

core::Unexpected<FunctionOutputFailure> fail(FunctionOutputError error) {
  return core::unexpected(FunctionOutputFailure{.error = error});
}

// A member's value, or null when it is absent or JSON null: an optional field set to null means
// the same as leaving it out (a Node authorizer's `context: null` adds nothing).
const json::value* member(const json::object& obj, std::string_view name) {
  const json::value* v = obj.if_contains(name);
  return v == nullptr || v->is_null() ? nullptr : v;
}

std::string js_number(double x) {
  std::string out;
  core::append_js_number(out, x);
  return out;
}

// A context value as API Gateway hands it downstream, or nothing for null, arrays and objects.
std::optional<std::string> stringify_context_value(const json::value& v) {
  char buf[24];
  switch (v.kind()) {
    case json::kind::string:
      return std::string(v.get_string());
    case json::kind::int64:
      return std::string(buf, std::to_chars(buf, buf + sizeof buf, v.get_int64()).ptr);
    case json::kind::uint64:
      return std::string(buf, std::to_chars(buf, buf + sizeof buf, v.get_uint64()).ptr);
    case json::kind::double_:
      return js_number(v.get_double());
    case json::kind::bool_:
      return std::string(v.get_bool() ? "true" : "false");
    case json::kind::null:
    case json::kind::array:
    case json::kind::object:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(FunctionOutputError error) {
  switch (error) {
    case FunctionOutputError::kTooLarge:
      return "too_large";
    case FunctionOutputError::kNotJson:
      return "not_json";
    case FunctionOutputError::kNotObject:
      return "not_object";
    case FunctionOutputError::kPrincipalMissing:
      return "principal_missing";
    case FunctionOutputError::kPolicyMissing:
      return "policy_missing";
    case FunctionOutputError::kPolicyInvalid:
      return "policy_invalid";
    case FunctionOutputError::kContextNotObject:
      return "context_not_object";
    case FunctionOutputError::kContextBadValue:
      return "context_bad_value";
    case FunctionOutputError::kUsageKeyNotString:
      return "usage_key_not_string";
  }
  return "unknown";
}

core::Result<FunctionOutput, FunctionOutputFailure> parse_function_output(
    std::string_view payload) {
  // Checked before parsing, so an oversized answer costs nothing but its length.
  if (payload.size() > kMaxAuthorizerOutputBytes) return fail(FunctionOutputError::kTooLarge);

  // The parsed tree lives only for this call: an arena, with a stack buffer for typical outputs.
  unsigned char buffer[4096];
  json::monotonic_resource arena(buffer, sizeof buffer);
  json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::system::error_code ec;
  json::value root = json::parse(payload, ec, &arena, options);
  if (ec) return fail(FunctionOutputError::kNotJson);
  // A returned "Unauthorized" string lands here: only a function *error* with that message is a
  // 401 (aws-compat §2.3), a returned value that is not an output is a 500.
  if (!root.is_object()) return fail(FunctionOutputError::kNotObject);
  const json::object& obj = root.get_object();

  FunctionOutput out;
  // A missing principal fails closed even for a Deny-only policy (aws-compat §13.3).
  const json::value* principal = member(obj, "principalId");
  if (principal == nullptr || !principal->is_string() || principal->get_string().empty()) {
    return fail(FunctionOutputError::kPrincipalMissing);
  }
  out.principal_id = principal->get_string();

  const json::value* document = member(obj, "policyDocument");
  if (document == nullptr) return fail(FunctionOutputError::kPolicyMissing);
  auto policy = policy::parse(*document);
  if (!policy) {
    return core::unexpected(FunctionOutputFailure{.error = FunctionOutputError::kPolicyInvalid,
                                                  .policy_error = policy.error()});
  }
  out.policy = std::make_shared<const policy::Policy>(std::move(*policy));

  if (const json::value* context = member(obj, "context")) {
    if (!context->is_object()) return fail(FunctionOutputError::kContextNotObject);
    out.context.reserve(context->get_object().size());
    for (const auto& entry : context->get_object()) {
      std::optional<std::string> text = stringify_context_value(entry.value());
      if (!text) return fail(FunctionOutputError::kContextBadValue);
      out.context.emplace_back(std::string(entry.key()), std::move(*text));
    }
  }

  if (const json::value* usage_key = member(obj, "usageIdentifierKey")) {
    if (!usage_key->is_string()) return fail(FunctionOutputError::kUsageKeyNotString);
    out.usage_identifier_key = usage_key->get_string();
  }
  return out;
}

}  // namespace gatehouse::auth
