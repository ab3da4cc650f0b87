#include "auth/authorizers/function_authorizer.h"

#include <spdlog/spdlog.h>

#include "auth/authorizers/function_output.h"
#include "functions/events/events.h"
#include "functions/failure_log.h"

namespace gatehouse::auth {

FunctionAuthorizer::FunctionAuthorizer(FunctionAuthorizerOptions options,
                                       functions::Invoker& invoker, const core::Clock& clock)
    : options_(std::move(options)), invoker_(invoker), clock_(clock) {}

void FunctionAuthorizer::authorize(const AuthRequest& request, AuthCallback done) {
  std::string event =
      options_.request_type && request.request
          ? functions::events::request_authorizer_event(*request.request)
          : functions::events::token_authorizer_event(request.identity, request.method_arn);
  stats_.invocations.inc();
  auto started = clock_.monotonic();
  invoker_.invoke(
      {std::move(event), "", options_.answer_within},
      [this, started, request_id = std::string(request.request_id),
       done = std::move(done)](functions::InvokeResult r) {
        if (!r) {
          const functions::InvokeFailure& f = r.error();
          // API Gateway's rule: exactly "Unauthorized" is a 401, not a failure.
          if (f.error == functions::InvokeError::kFunctionError &&
              f.error_message == "Unauthorized")
            return done(AuthError::kFunctionUnauthorized);
          // The same line as a route's function failure, naming the authorizer too.
          std::string caller =
              "authorizer '" + options_.name + "' function '" + invoker_.name() + "'";
          if (!functions::log_invoke_failure(request_id, caller, f)) {
            spdlog::warn("request {}: {} unavailable ({}): {}", request_id, caller,
                         functions::to_string(f.error), f.error_message);
          }
          return done(f.error == functions::InvokeError::kFunctionError
                          ? AuthError::kFunctionError
                          : AuthError::kFunctionUnavailable);
        }
        auto out = parse_function_output(*r);
        if (!out) {
          stats_.invalid_outputs.inc();
          const FunctionOutputFailure& e = out.error();
          spdlog::warn(
              "request {}: authorizer '{}' function '{}' answered an invalid output: {}{}{}",
              request_id, options_.name, invoker_.name(), to_string(e.error),
              e.error == FunctionOutputError::kPolicyInvalid ? ": " : "",
              e.error == FunctionOutputError::kPolicyInvalid ? policy::to_string(e.policy_error)
                                                             : std::string_view());
          return done(AuthError::kFunctionOutputInvalid);
        }
        auto d = std::make_shared<Decision>();
        d->principal_id = std::move(out->principal_id);
        d->policy = std::move(out->policy);
        d->context = std::move(out->context);
        d->usage_identifier_key = std::move(out->usage_identifier_key);
        d->integration_latency_ms = static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(clock_.monotonic() - started)
                .count());
        done(DecisionPtr(std::move(d)));
      });
}

std::vector<std::pair<std::string, const core::Counter*>> FunctionAuthorizer::counters() const {
  return {{"authorizer_function_invocations_total", &stats_.invocations},
          {"authorizer_function_invalid_outputs_total", &stats_.invalid_outputs}};
}

}  // namespace gatehouse::auth
