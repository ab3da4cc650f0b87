// Route table: API Gateway REST resource paths compiled into a segment trie, and the per-request
// match. Pure: no I/O, no clock, no locks.
//
// Templates are API Gateway resource paths: literal segments, `{name}` (exactly one segment) and a
// greedy `{name+}` (one or more segments; only as the last segment). Methods are GET, POST, PUT,
// PATCH, DELETE, HEAD, OPTIONS or ANY.
//
// Resolution follows what real API Gateway REST APIs do (measured by emulator authors against AWS;
// see docs/configuration.md "How a request finds its route"): the request goes to the most specific
// resource that has a method for it. At each segment the literal child is tried before the variable
// child (API Gateway allows one per parent: `{param}` or `{param+}`), so `/users/me` beats
// `/users/{id}`, and `/files/{name}` beats a `/{proxy+}` reached from a shorter prefix. If the most
// specific resource has no method for the request (neither the verb nor ANY), matching backtracks
// to the next less specific resource. On one resource a specific verb beats ANY. HEAD and OPTIONS
// are never implied: declare them (or ANY), as in API Gateway.
//
// Usage:
//   std::vector<router::RouteSpec> specs = {{"/resource/{id}", {"GET", "PUT"}, 0}, ...};
//   auto table = router::compile(specs);           // once, at (re)load
//   if (!table) report(table.error());             // names the route, see CompileError
//   auto m = router::match(*table, "GET", "/resource/42");
//   if (m) use(m->route_index, m->params.find("id")->value);
//   else if (m.error() == router::MatchError::kBadPath) answer_400();
//   else answer_403_missing_authentication_token();  // kNoRoute or kMethodNotAllowed
//
// Thread safety: a RouteTable is immutable after compile(); match() may run on many threads at
// once.
#pragma once

#include <boost/container/static_vector.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace gatehouse::router {

// One route as the caller describes it. route_index is the caller's identifier for the route (the
// position in the config's `routes` list); it comes back in Match and in CompileError.
struct RouteSpec {
  std::string path_template;         // e.g. "/resource/{id}"
  std::vector<std::string> methods;  // "GET" ... "OPTIONS" or "ANY"; upper case, as in API Gateway
  size_t route_index = 0;
};

// At most this many path parameters in one template. Matching keeps them inline (no allocation).
inline constexpr size_t kMaxPathParams = 16;

// Why compile() refused a route table.
struct CompileError {
  size_t route_index = 0;  // the offending route (for conflicts: the later of the two)
  std::optional<size_t> other_route_index;  // conflicts only: the earlier route it collides with
  // What is wrong and what is expected, naming the template, e.g.
  // "path '/a/{id' has unbalanced braces in segment 2 ('{id'); expected '{name}' or '{name+}'".
  // It does not name route_index (the caller prefixes its own location, file:line:col); conflicts
  // name the other route as "route <other_route_index>".
  std::string message;

  // kInvalidArgument with "route <route_index>: <message>", for callers without positions.
  core::Status to_status() const;
};

class RouteTable;

// Compiles the routes into a table. Errors (first one found, routes in the given order): a template
// that is empty, lacks the leading '/', ends with '/', has an empty segment ('//'), a '.' or '..'
// segment, a character outside RFC 3986 pchar, an unbalanced or misplaced brace, an invalid or
// duplicate parameter name, a greedy parameter that is not last, more than kMaxPathParams
// parameters; an empty, unknown or repeated method (ANY together with another method counts as
// repeated); two routes with the same method and template; and two variable segments at the same
// position with different names or kinds (`/a/{x}` vs `/a/{y}`, or `/a/{x}` vs `/a/{x+}`), which
// API Gateway refuses too ("only one variable path part is allowed" per parent resource).
core::Result<RouteTable, CompileError> compile(std::span<const RouteSpec> routes);

// Why there is no match. API Gateway answers both kNoRoute and kMethodNotAllowed with
// 403 MISSING_AUTHENTICATION_TOKEN; they are distinct for the access log. kBadPath is our own: the
// gateway answers it with 400 before any authorizer runs.
enum class MatchError {
  kNoRoute,           // no resource has this path
  kMethodNotAllowed,  // some resource has this path, but none has this method (nor ANY)
  kBadPath,           // not a path we route: see match()
};
std::string_view to_string(MatchError e);

// One path parameter of a match.
struct PathParam {
  std::string_view name;  // the template's name without braces or '+'; points into the RouteTable
  // The value exactly as received, still percent-encoded; points into the raw_path given to
  // match(). This is what API Gateway REST APIs put in the proxy event's `pathParameters` (AWS does
  // not decode them), so functions/events should use it for byte compatibility. A greedy value
  // spans several segments ("a/b/c") and never includes the ignored trailing slash.
  std::string_view raw;
  // The percent-decoded value ("%2F" becomes '/', '+' stays '+'): what integrations and the method
  // ARN use. The only allocation a match makes, and only for values longer than the SSO buffer.
  std::string value;
};

class Matcher;  // router.cc

// The parameters of one match, in template order. Fixed capacity: never allocates for itself.
class PathParams {
 public:
  using Storage = boost::container::static_vector<PathParam, kMaxPathParams>;

  size_t size() const { return params_.size(); }
  bool empty() const { return params_.empty(); }
  const PathParam& operator[](size_t i) const { return params_[i]; }
  Storage::const_iterator begin() const { return params_.begin(); }
  Storage::const_iterator end() const { return params_.end(); }
  // The parameter with this name, or nullptr.
  const PathParam* find(std::string_view name) const;

 private:
  friend class Matcher;
  Storage params_;
};

// A successful match. Lifetime: params[i].name points into the RouteTable and params[i].raw into
// the raw_path given to match(); keep both alive while the Match is used (the gateway holds the
// config snapshot and the request for the request's lifetime).
struct Match {
  size_t route_index = 0;  // RouteSpec::route_index of the chosen route
  PathParams params;
};

// Finds the route for a request.
//   method: the request method, case-sensitive ("get" is not GET). A method outside the seven
//     above (TRACE, CONNECT, extension methods) matches no route, not even ANY: API Gateway's ANY
//     covers exactly those seven.
//   raw_path: the request target's path (no query, no fragment), percent-encoded as received.
// Literal segments are compared after percent-decoding ("/us%65rs" is "/users"); parameter values
// are returned both raw and decoded. One trailing slash is ignored, as in API Gateway ("/users/"
// matches "/users"; the root "/" is the root).
// kBadPath when raw_path is empty or does not start with '/'; has an empty segment ('//') other
// than the one trailing slash; has a '.' or '..' segment, also when percent-encoded ('%2e%2E'); has
// a '%' not followed by two hex digits; encodes a NUL ('%00'); or contains a control character
// (0x00-0x1F, 0x7F). These are refused, never normalised, so a request can never reach a route
// other than the one its bytes name.
// Allocation: none, apart from decoded parameter values that do not fit a std::string's SSO buffer.
core::Result<Match, MatchError> match(const RouteTable& table, std::string_view method,
                                      std::string_view raw_path);

// The compiled routes. Build with compile(); immutable afterwards; cheap to move.
class RouteTable {
 public:
  // Number of (route, method) pairs in the table.
  size_t size() const { return method_entries_; }

 private:
  friend class Matcher;
  friend class TableBuilder;  // router.cc
  RouteTable() = default;

  static constexpr uint32_t kNone = UINT32_MAX;
  static constexpr size_t kMethodSlots = 8;  // GET POST PUT PATCH DELETE HEAD OPTIONS ANY

  struct Literal {
    std::string text;  // the segment, unencoded
    uint32_t child = kNone;
  };
  struct Node {
    std::vector<Literal> literals;  // sorted by text (byte order), for binary search
    uint32_t var_child = kNone;     // the one `{name}` or `{name+}` child (API Gateway allows one)
    bool greedy = false;            // for a variable node: `{name+}`
    bool has_methods = false;       // some route ends here
    std::string var_name;           // for a variable node: the name without braces and '+'
    // Route (compact id into route_indexes_) per method slot; kNone if absent.
    uint32_t route_for_method[kMethodSlots] = {kNone, kNone, kNone, kNone,
                                               kNone, kNone, kNone, kNone};
  };

  std::vector<Node> nodes_;            // nodes_[0] is the root, "/"
  std::vector<size_t> route_indexes_;  // compact id -> RouteSpec::route_index
  size_t method_entries_ = 0;
};

}  // namespace gatehouse::router
