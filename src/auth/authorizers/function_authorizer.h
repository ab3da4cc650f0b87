// Lambda authorizers (API Gateway's TOKEN and REQUEST types): the event goes to the function
// through functions::Invoker, and its answer becomes a Decision carrying the returned policy and
// context (docs/aws-compatibility.md §1, §2). The gateway evaluates that policy against each
// request's method ARN, cached or not: this class never decides allow or deny itself.
//
// Outcomes:
//   valid output                               Decision (policy, principalId, context)
//   function error with message "Unauthorized" kFunctionUnauthorized (401)
//   any other function error                   kFunctionError (500)
//   not a valid authorizer output              kFunctionOutputInvalid (500)
//   timeout, crash, init failure, throttled    kFunctionUnavailable (500)
//
// Thread safety: authorize() from any thread; `done` runs on a function pool thread.
#pragma once

#include <chrono>
#include <string>

#include "auth/authorizers/authorizer.h"
#include "core/clock.h"
#include "functions/invoker.h"

namespace gatehouse::auth {

struct FunctionAuthorizerOptions {
  std::string name;           // the authorizer's name, for logs
  bool request_type = false;  // REQUEST event (AuthRequest::request set) instead of TOKEN
  // How long API Gateway waits for an authorizer: 10 s, as for HTTP APIs (REST does not say).
  std::chrono::milliseconds answer_within{10'000};
};

struct FunctionAuthorizerStats {
  core::Counter invocations;
  core::Counter invalid_outputs;
};

class FunctionAuthorizer final : public Authorizer {
 public:
  // `invoker` and `clock` (which times the function for its integrationLatency) must outlive the
  // authorizer.
  FunctionAuthorizer(FunctionAuthorizerOptions options, functions::Invoker& invoker,
                     const core::Clock& clock);

  void authorize(const AuthRequest& request, AuthCallback done) override;
  std::vector<std::pair<std::string, const core::Counter*>> counters() const override;

 private:
  const FunctionAuthorizerOptions options_;
  functions::Invoker& invoker_;
  const core::Clock& clock_;
  FunctionAuthorizerStats stats_;
};

}  // namespace gatehouse::auth
