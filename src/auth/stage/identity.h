// The identity of one request: the identity-source values an authorizer is shown, and the key its
// decision is cached under, read once from the request's facts (functions/events/request_facts.h)
// with the same functions the authorizer events are built with. A cache key therefore never holds
// anything the authorizer did not see.
//
// Rules (docs/aws-compatibility.md §1.1):
//   - every source must be present and non-empty, else kTokenMissing (401, not invoked);
//   - a header or query-string source sent more than once is refused with kIdentityRepeated
//     (401, not invoked, nothing cached): the authorizer would be shown one of the values and the
//     integration might read another. Header names differing only in case are one header, and a
//     header source's name spelled with '_' for '-' (X_Api_Key beside X-Api-Key) counts as a
//     repeat too, since CGI-style adapters merge the two; query names compare decoded (`%74oken`
//     is `token`);
//   - header and query sources read exactly what the events carry for that name; stage variables
//     the event's stageVariables; `context.<path>` the event's requestContext.<path>.
//
// Thread safety: pure functions over values.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "auth/jwt/auth_error.h"
#include "core/status.h"
#include "functions/events/request_facts.h"

namespace gatehouse::auth::stage {

// One identity source of an authorizer (API Gateway's identitySource entries).
struct IdentitySource {
  enum class Kind {
    kHeader,         // method.request.header.<name>: any case
    kQuery,          // method.request.querystring.<name>: the decoded name
    kStageVariable,  // stageVariables.<name>
    kContext,        // context.<path>: a path request_context_value() knows
  };
  Kind kind = Kind::kHeader;
  std::string name;
};

// The values read for one request. Holds views into the facts it was read from (header values):
// valid while they are.
class Identity {
 public:
  // The first source's value (a jwt or token authorizer has only one): the TOKEN event's
  // authorizationToken, the JWT authorizer's input, what validation_regex must match.
  std::string_view token() const { return token_is_owned_ ? std::string_view(owned_) : token_; }
  // The decision-cache key: the value itself for one source; for several, each value
  // length-prefixed ("5:Bearer x" style), so no value can forge the boundary between two.
  std::string_view key() const { return composed_ ? std::string_view(key_) : token(); }

 private:
  friend core::Result<Identity, AuthError> read_identity(std::span<const IdentitySource>,
                                                         const functions::events::RequestFacts&);
  std::string_view token_;  // a view into the facts, unless token_is_owned_
  std::string owned_;       // the first value, when it had to be decoded or composed
  std::string key_;         // several sources: every value, length-prefixed
  bool token_is_owned_ = false;
  bool composed_ = false;
};

// Reads every source from `facts`. Errors: kTokenMissing, kIdentityRepeated (see above). No
// sources (a request authorizer whose cache is off may have none) give an empty identity.
core::Result<Identity, AuthError> read_identity(std::span<const IdentitySource> sources,
                                                const functions::events::RequestFacts& facts);

// Appends `part` length-prefixed to a cache key.
void append_key_part(std::string& key, std::string_view part);

}  // namespace gatehouse::auth::stage
