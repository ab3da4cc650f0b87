// The method ARN that Lambda authorizers receive and that their policies are evaluated against
// (docs/aws-compatibility.md §1.3):
//   arn:aws:execute-api:{region}:{account}:{api_id}/{stage}/{METHOD}/{path without leading slash}
// The root path gives a trailing slash: ".../prod/GET/".
//
// Our choices where AWS leaves it open (docs/aws-compatibility.md §1.3 [?], docs/configuration.md):
//   - The path is the request path percent-decoded ("/users/al%69ce" gives "users/alice"), so a
//     policy written for a value matches however the client encoded it: an explicit Deny on
//     ".../GET/users/admin" cannot be sidestepped with "/users/%61dmin".
//   - An encoded separator ('%2F', '%5C') or a raw '\' is refused (kEncodedSeparator, 400):
//   decoded,
//     it would move the ARN's segment boundaries, giving a request on "/users/{id}" the ARN of
//     "/users/{id}/profile", or putting a ".." segment into it ("/files/alice/..%2Fbob/secret"
//     evading a Deny on ".../files/bob/*"). Dot segments, encoded or not, never get this far
//     (router::match refuses them).
//   - The one trailing slash that routing ignores is dropped ("/users/42/" gives "users/42"), for
//     the same reason.
//   - METHOD is the request's verb, even when the route is ANY.
//
// Thread safety: MethodArnPrefix is immutable; method_arn() is a pure function.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace gatehouse::router {

// API Gateway refuses methods whose ARN is longer than this with 414 "Request URI too long".
inline constexpr size_t kMaxMethodArnBytes = 1600;

// "arn:aws:execute-api:{region}:{account}:{api_id}/{stage}/", built once per config.
// The inputs are used as given; config/ validates their character sets.
class MethodArnPrefix {
 public:
  MethodArnPrefix(std::string_view region, std::string_view account_id, std::string_view api_id,
                  std::string_view stage);
  const std::string& str() const { return prefix_; }

 private:
  std::string prefix_;
};

enum class MethodArnError {
  kTooLong,  // longer than kMaxMethodArnBytes: the gateway answers 414
  kBadPath,  // raw_path does not start with '/' or has a bad percent-escape (match() rejects both)
  kEncodedSeparator,  // '%2F' or '%5C' (any case), or a raw backslash, in raw_path
};
std::string_view to_string(MethodArnError e);

// Whether `raw` (a path, or a path parameter, as received) holds an encoded separator (%2F, %5C,
// any case) or a backslash: what kEncodedSeparator refuses, and what an http_proxy route refuses
// to send on (a service decoding before resolving would read "..%2F" as a step up).
bool holds_encoded_separator(std::string_view raw);

// prefix + method + "/" + the decoded raw_path without its leading slash (and without one trailing
// slash). raw_path is the request path as received, percent-encoded, as given to router::match().
// One allocation (the result); nothing when the ARN would be too long.
core::Result<std::string, MethodArnError> method_arn(const MethodArnPrefix& prefix,
                                                     std::string_view method,
                                                     std::string_view raw_path);

}  // namespace gatehouse::router
