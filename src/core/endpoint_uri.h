// The endpoint URI of an http_proxy integration, as API Gateway writes it:
// http(s)://host[:port]/path?query with `{name}` placeholders for the route's path parameters in
// the path and the query, and `${stageVariables.name}` anywhere. Stage variables are constants of
// a configuration, so they are substituted once (substitute_stage_variables), and what remains
// is split once into the origin the connections go to and the target template each request fills
// in: config checks a URI with the same functions the gateway builds its upstreams with.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace gatehouse::core {

struct EndpointUri {
  // "http://host[:port]" or "https://host[:port]": one spelling per origin, scheme and host
  // lower-case, the port only when it is not the scheme's (http://A:80 is http://a).
  std::string origin;
  // The path (at least "/") and, if written, '?' and the query, with `{name}` placeholders kept.
  std::string target;
  std::vector<std::string> placeholders;  // the `{name}` names, in order of appearance
};

// `uri` with every `${stageVariables.<name>}` replaced by its value from `variables`.
// kInvalidArgument naming the first variable `variables` does not define, or an unterminated
// `${`.
Result<std::string> substitute_stage_variables(
    std::string_view uri, const std::vector<std::pair<std::string, std::string>>& variables);

// Splits a URI (stage variables substituted) into its origin and target template. Refused
// (kInvalidArgument, saying why): a scheme other than http or https, no host, user info, a
// fragment, a placeholder outside the path and query or not of the form {name} (name:
// [A-Za-z0-9._-]+), characters a URI may not hold (spaces, controls), a bad percent-escape, a
// port outside 1..65535.
Result<EndpointUri> parse_endpoint_uri(std::string_view uri);

}  // namespace gatehouse::core
