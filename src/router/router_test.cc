#include "router/router.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace gatehouse::router {
namespace {

RouteTable must_compile(const std::vector<RouteSpec>& specs) {
  auto t = compile(specs);
  if (!t) ADD_FAILURE() << t.error().to_status().to_string();
  return std::move(*t);
}

CompileError must_fail(const std::vector<RouteSpec>& specs) {
  auto t = compile(specs);
  if (t) {
    ADD_FAILURE() << "compiled, expected an error";
    return {};
  }
  return t.error();
}

// The route index chosen for method+path, or -1 with the error in *err.
long route_of(const RouteTable& t, std::string_view method, std::string_view path,
              MatchError* err = nullptr) {
  auto m = match(t, method, path);
  if (!m) {
    if (err) *err = m.error();
    return -1;
  }
  return static_cast<long>(m->route_index);
}

MatchError error_of(const RouteTable& t, std::string_view method, std::string_view path) {
  auto m = match(t, method, path);
  if (m) {
    ADD_FAILURE() << "matched route " << m->route_index << ", expected an error";
    return MatchError::kNoRoute;
  }
  return m.error();
}

// The demo API: GET|POST /resource, GET|PUT|DELETE /resource/{id}.
std::vector<RouteSpec> demo_routes() {
  return {{"/resource", {"GET", "POST"}, 0}, {"/resource/{id}", {"GET", "PUT", "DELETE"}, 1}};
}

// ---------------------------------------------------------------------------------------------
// Basic matching

// Literal and parameter routes of the demo API resolve, and the parameter value comes back.
TEST(RouterMatch, DemoRoutes) {
  RouteTable t = must_compile(demo_routes());
  EXPECT_EQ(t.size(), 5u);
  EXPECT_EQ(route_of(t, "GET", "/resource"), 0);
  EXPECT_EQ(route_of(t, "POST", "/resource"), 0);
  auto m = match(t, "PUT", "/resource/42");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->route_index, 1u);
  ASSERT_EQ(m->params.size(), 1u);
  EXPECT_EQ(m->params[0].name, "id");
  EXPECT_EQ(m->params[0].raw, "42");
  EXPECT_EQ(m->params[0].value, "42");
  ASSERT_NE(m->params.find("id"), nullptr);
  EXPECT_EQ(m->params.find("id")->value, "42");
  EXPECT_EQ(m->params.find("nope"), nullptr);
}

// The root resource "/" is a route of its own; it has no segments.
TEST(RouterMatch, RootRoute) {
  RouteTable t = must_compile({{"/", {"GET"}, 7}, {"/a", {"GET"}, 8}});
  EXPECT_EQ(route_of(t, "GET", "/"), 7);
  EXPECT_EQ(route_of(t, "GET", "/a"), 8);
  EXPECT_EQ(error_of(t, "POST", "/"), MatchError::kMethodNotAllowed);
}

// An unknown path is kNoRoute; a known path with a method nobody declared is kMethodNotAllowed.
TEST(RouterMatch, NoRouteVersusMethodNotAllowed) {
  RouteTable t = must_compile(demo_routes());
  EXPECT_EQ(error_of(t, "GET", "/other"), MatchError::kNoRoute);
  EXPECT_EQ(error_of(t, "GET", "/resource/42/more"), MatchError::kNoRoute);
  EXPECT_EQ(error_of(t, "GET", "/"), MatchError::kNoRoute);
  EXPECT_EQ(error_of(t, "DELETE", "/resource"), MatchError::kMethodNotAllowed);
  EXPECT_EQ(error_of(t, "POST", "/resource/42"), MatchError::kMethodNotAllowed);
}

// Methods are case-sensitive, and methods outside API Gateway's seven never match, not even ANY.
TEST(RouterMatch, MethodsAreExactAndOnlyTheSevenKnownOnes) {
  RouteTable t = must_compile({{"/any", {"ANY"}, 0}, {"/get", {"GET"}, 1}});
  EXPECT_EQ(error_of(t, "get", "/get"), MatchError::kMethodNotAllowed);
  for (const char* m : {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}) {
    EXPECT_EQ(route_of(t, m, "/any"), 0) << m;
  }
  EXPECT_EQ(error_of(t, "TRACE", "/any"), MatchError::kMethodNotAllowed);
  EXPECT_EQ(error_of(t, "ANY", "/any"), MatchError::kMethodNotAllowed);
  EXPECT_EQ(error_of(t, "", "/any"), MatchError::kMethodNotAllowed);
}

// Paths and literals are case-sensitive, as in API Gateway.
TEST(RouterMatch, PathsAreCaseSensitive) {
  RouteTable t = must_compile(demo_routes());
  EXPECT_EQ(error_of(t, "GET", "/Resource"), MatchError::kNoRoute);
}

// One trailing slash is ignored, as API Gateway does ("/resource/" is "/resource"), and it is not
// part of a parameter value.
TEST(RouterMatch, TrailingSlashIsIgnored) {
  RouteTable t = must_compile(
      {{"/resource", {"GET"}, 0}, {"/resource/{id}", {"GET"}, 1}, {"/p/{proxy+}", {"GET"}, 2}});
  EXPECT_EQ(route_of(t, "GET", "/resource/"), 0);
  auto m = match(t, "GET", "/resource/42/");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->route_index, 1u);
  EXPECT_EQ(m->params[0].raw, "42");
  auto g = match(t, "GET", "/p/a/b/");
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->params[0].raw, "a/b");
}

// ---------------------------------------------------------------------------------------------
// Precedence

// A literal segment beats a parameter at the same position.
TEST(RouterPrecedence, LiteralBeatsParam) {
  RouteTable t = must_compile({{"/users/{id}", {"GET"}, 0}, {"/users/me", {"GET"}, 1}});
  EXPECT_EQ(route_of(t, "GET", "/users/me"), 1);
  EXPECT_EQ(route_of(t, "GET", "/users/you"), 0);
}

// A parameter beats a greedy parameter reached from a shorter prefix.
TEST(RouterPrecedence, ParamBeatsGreedy) {
  RouteTable t = must_compile({{"/{proxy+}", {"GET"}, 0}, {"/files/{name}", {"GET"}, 1}});
  EXPECT_EQ(route_of(t, "GET", "/files/a.txt"), 1);
  // Deeper than the parameter route: backtracks to the greedy route.
  auto m = match(t, "GET", "/files/a/b.txt");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->route_index, 0u);
  EXPECT_EQ(m->params[0].name, "proxy");
  EXPECT_EQ(m->params[0].raw, "files/a/b.txt");
  // The parent of the parameter route has no methods: the greedy route serves it.
  EXPECT_EQ(route_of(t, "GET", "/files"), 0);
}

// A specific method beats ANY on the same path.
TEST(RouterPrecedence, SpecificMethodBeatsAny) {
  RouteTable t = must_compile({{"/x", {"ANY"}, 0}, {"/x", {"GET"}, 1}});
  EXPECT_EQ(route_of(t, "GET", "/x"), 1);
  EXPECT_EQ(route_of(t, "POST", "/x"), 0);
  // Declared in the other order: same result.
  RouteTable u = must_compile({{"/x", {"GET"}, 1}, {"/x", {"ANY"}, 0}});
  EXPECT_EQ(route_of(u, "GET", "/x"), 1);
  EXPECT_EQ(route_of(u, "DELETE", "/x"), 0);
}

// When the most specific resource has no method for the request, matching falls back to the next
// less specific one, as measured on API Gateway: literal -> param -> greedy.
TEST(RouterPrecedence, MethodMismatchFallsBackToLessSpecificResource) {
  RouteTable t = must_compile(
      {{"/users/me", {"PATCH"}, 0}, {"/users/{userId}", {"GET"}, 1}, {"/{proxy+}", {"ANY"}, 2}});
  EXPECT_EQ(route_of(t, "PATCH", "/users/me"), 0);
  auto m = match(t, "GET", "/users/me");  // the literal has no GET: {userId} = "me"
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->route_index, 1u);
  EXPECT_EQ(m->params[0].value, "me");
  EXPECT_EQ(route_of(t, "POST", "/users/me"), 2);  // neither sibling has POST: the greedy route
  EXPECT_EQ(route_of(t, "POST", "/users"), 2);     // "/users" has no methods at all
}

// Without a catch-all, a method nobody declares on any matching resource is kMethodNotAllowed.
TEST(RouterPrecedence, MethodMismatchWithoutFallbackIsMethodNotAllowed) {
  RouteTable t = must_compile({{"/users/me", {"PATCH"}, 0}, {"/users/{userId}", {"GET"}, 1}});
  EXPECT_EQ(error_of(t, "POST", "/users/me"), MatchError::kMethodNotAllowed);
}

// ANY on a more specific resource beats a specific method on a less specific one.
TEST(RouterPrecedence, AnyOnSpecificResourceBeatsVerbOnGeneralResource) {
  RouteTable t = must_compile({{"/a/{x}", {"GET"}, 0}, {"/a/b", {"ANY"}, 1}});
  EXPECT_EQ(route_of(t, "GET", "/a/b"), 1);
  EXPECT_EQ(route_of(t, "GET", "/a/c"), 0);
}

// Backtracking goes several levels up: /a/{x}/c fails for /a/b/d, and the greedy route at the
// root catches it.
TEST(RouterPrecedence, DeepBacktracking) {
  RouteTable t = must_compile({{"/a/b/c", {"GET"}, 0},
                               {"/a/{x}/d", {"GET"}, 1},
                               {"/a/{x}/{y}/e", {"GET"}, 2},
                               {"/{rest+}", {"GET"}, 3}});
  EXPECT_EQ(route_of(t, "GET", "/a/b/c"), 0);
  auto m = match(t, "GET", "/a/b/d");  // literal b has no child d: back to {x}
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->route_index, 1u);
  EXPECT_EQ(m->params.find("x")->value, "b");
  auto n = match(t, "GET", "/a/b/c/e");
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->route_index, 2u);
  ASSERT_EQ(n->params.size(), 2u);
  EXPECT_EQ(n->params[0].value, "b");
  EXPECT_EQ(n->params[1].value, "c");
  auto g = match(t, "GET", "/a/b/c/f");
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->route_index, 3u);
  ASSERT_EQ(g->params.size(), 1u);  // captures of abandoned branches are dropped
  EXPECT_EQ(g->params[0].value, "a/b/c/f");
}

// ---------------------------------------------------------------------------------------------
// Greedy parameters

// {proxy+} takes one or more segments and never the empty rest: "/p" needs its own route.
TEST(RouterGreedy, OneOrMoreSegments) {
  RouteTable t = must_compile({{"/p/{proxy+}", {"ANY"}, 0}});
  auto one = match(t, "GET", "/p/a");
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->params[0].value, "a");
  auto many = match(t, "GET", "/p/a/b/c");
  ASSERT_TRUE(many.has_value());
  EXPECT_EQ(many->params[0].value, "a/b/c");
  EXPECT_EQ(error_of(t, "GET", "/p"), MatchError::kNoRoute);
  EXPECT_EQ(error_of(t, "GET", "/p/"), MatchError::kNoRoute);
}

// A greedy parameter at the root does not match "/" itself (as in API Gateway).
TEST(RouterGreedy, RootGreedyDoesNotMatchRoot) {
  RouteTable t = must_compile({{"/{proxy+}", {"ANY"}, 0}});
  EXPECT_EQ(error_of(t, "GET", "/"), MatchError::kNoRoute);
  EXPECT_EQ(route_of(t, "GET", "/x"), 0);
}

// A greedy value keeps encoded slashes encoded in raw and decodes them in value.
TEST(RouterGreedy, DecodesAcrossSegments) {
  RouteTable t = must_compile({{"/files/{path+}", {"GET"}, 0}});
  auto m = match(t, "GET", "/files/dir%20one/a%2Fb");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->params[0].raw, "dir%20one/a%2Fb");
  EXPECT_EQ(m->params[0].value, "dir one/a/b");
}

// ---------------------------------------------------------------------------------------------
// Parameter decoding

// Values are percent-decoded; '%2F' stays inside its value; '+' is not a space in a path; raw
// keeps what the client sent.
TEST(RouterParams, PercentDecoding) {
  RouteTable t = must_compile({{"/u/{a}/v/{b}", {"GET"}, 0}});
  auto m = match(t, "GET", "/u/x%2Fy/v/test%2Balias+more%40mail");
  ASSERT_TRUE(m.has_value());
  ASSERT_EQ(m->params.size(), 2u);
  EXPECT_EQ(m->params[0].name, "a");
  EXPECT_EQ(m->params[0].raw, "x%2Fy");
  EXPECT_EQ(m->params[0].value, "x/y");
  EXPECT_EQ(m->params[1].raw, "test%2Balias+more%40mail");
  EXPECT_EQ(m->params[1].value, "test+alias+more@mail");
}

// Percent-decoding handles lower- and upper-case hex and bytes above 0x7F (UTF-8).
TEST(RouterParams, DecodesHexCaseAndUtf8) {
  RouteTable t = must_compile({{"/n/{name}", {"GET"}, 0}});
  auto m = match(t, "GET", "/n/J%C3%bCrgen");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->params[0].value, "J\xC3\xBCrgen");
}

// Literal segments compare after decoding: "/us%65rs" is the literal "/users".
TEST(RouterParams, LiteralsCompareDecoded) {
  RouteTable t = must_compile({{"/users/{id}", {"GET"}, 0}, {"/users/new", {"GET"}, 1}});
  EXPECT_EQ(route_of(t, "GET", "/us%65rs/7"), 0);
  EXPECT_EQ(route_of(t, "GET", "/users/n%65w"), 1);
  EXPECT_EQ(route_of(t, "GET", "/users/n%65x"), 0);
}

// Many literal siblings: binary search finds each one, with and without escapes.
TEST(RouterParams, ManyLiteralSiblings) {
  std::vector<RouteSpec> specs;
  for (int i = 0; i < 50; ++i)
    specs.push_back({"/s" + std::to_string(i), {"GET"}, size_t(i)});
  RouteTable t = must_compile(specs);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(route_of(t, "GET", "/s" + std::to_string(i)), i);
    EXPECT_EQ(route_of(t, "GET", "/%73" + std::to_string(i)), i);  // %73 is 's'
  }
  EXPECT_EQ(error_of(t, "GET", "/s50"), MatchError::kNoRoute);
  EXPECT_EQ(error_of(t, "GET", "/s"), MatchError::kNoRoute);
}

// kMaxPathParams parameters in one template fit; one more is a compile error.
TEST(RouterParams, MaxParams) {
  std::string tmpl;
  std::string path;
  for (size_t i = 0; i < kMaxPathParams; ++i) {
    tmpl += "/{p" + std::to_string(i) + "}";
    path += "/v" + std::to_string(i);
  }
  RouteTable t = must_compile({{tmpl, {"GET"}, 0}});
  auto m = match(t, "GET", path);
  ASSERT_TRUE(m.has_value());
  ASSERT_EQ(m->params.size(), kMaxPathParams);
  EXPECT_EQ(m->params[kMaxPathParams - 1].value, "v" + std::to_string(kMaxPathParams - 1));
  CompileError e = must_fail({{tmpl + "/{one_more}", {"GET"}, 3}});
  EXPECT_EQ(e.route_index, 3u);
  EXPECT_EQ(e.message,
            "path '" + tmpl + "/{one_more}' has more than 16 parameters; that is the limit");
}

// ---------------------------------------------------------------------------------------------
// Bad paths: refused, never normalised into another route

// Each malformed path is kBadPath, whatever the routes.
TEST(RouterBadPath, RefusedNotNormalised) {
  RouteTable t = must_compile({{"/a/b", {"GET"}, 0}, {"/{proxy+}", {"ANY"}, 1}, {"/", {"GET"}, 2}});
  for (const char* p : {
           "",             // empty
           "a/b",          // relative
           "*",            // asterisk-form
           "//",           // empty segment, not the root
           "//a/b",        // leading double slash
           "/a//b",        // double slash inside
           "/a/b//",       // double trailing slash
           "/a/./b",       // dot segment
           "/a/../b",      // dot-dot segment
           "/..",          // dot-dot at the root
           "/a/..",        // dot-dot at the end
           "/a/%2e%2E/b",  // encoded dot-dot
           "/a/.%2e",      // half-encoded dot-dot
           "/a/%2e",       // encoded dot
           "/a/%zz",       // bad hex
           "/a/%2",        // truncated escape
           "/a/%",         // lone percent
           "/a/%2/",       // truncated before the trailing slash
           "/a/%00b",      // encoded NUL
           "/a/\x01",      // control character
           "/a/b\x7f",     // DEL
       }) {
    EXPECT_EQ(error_of(t, "GET", p), MatchError::kBadPath) << "path: " << p;
  }
}

// A NUL byte in the path is a control character.
TEST(RouterBadPath, RawNulByte) {
  RouteTable t = must_compile({{"/{proxy+}", {"ANY"}, 0}});
  EXPECT_EQ(error_of(t, "GET", std::string_view("/a\0b", 4)), MatchError::kBadPath);
}

// Dots inside a segment are ordinary characters.
TEST(RouterBadPath, DotsInsideSegmentsAreFine) {
  RouteTable t = must_compile({{"/f/{name}", {"GET"}, 0}});
  for (const char* p : {"/f/a.txt", "/f/...", "/f/.hidden", "/f/..x", "/f/%2e%2e%2e"}) {
    EXPECT_EQ(route_of(t, "GET", p), 0) << p;
  }
}

// ---------------------------------------------------------------------------------------------
// Compile errors: one test per kind, with the exact message

struct BadTemplate {
  const char* path;
  const char* message;
};

// Every template syntax error names the template and what is expected.
TEST(RouterCompile, TemplateErrors) {
  const BadTemplate cases[] = {
      {"", "path is empty; expected e.g. '/resource/{id}'"},
      {"resource", "path 'resource' does not start with '/'; expected e.g. '/resource/{id}'"},
      {"/a/", "path '/a/' ends with '/'; remove it (requests with a trailing slash match anyway)"},
      {"/a//b", "path '/a//b' has an empty segment (segment 2); remove the extra '/'"},
      {"/a/./b",
       "path '/a/./b' has a dot segment in segment 2 ('.'); '.' and '..' are not allowed"},
      {"/a/..", "path '/a/..' has a dot segment in segment 2 ('..'); '.' and '..' are not allowed"},
      {"/a b",
       "path '/a b' has character ' ' in segment 1 ('a b'); literal segments use letters, "
       "digits and - . _ ~ ! $ & ' ( ) * + , ; = : @"},
      {"/a%20b",
       "path '/a%20b' has percent-encoding in segment 1 ('a%20b'); literal segments use "
       "letters, digits and - . _ ~ ! $ & ' ( ) * + , ; = : @"},
      {"/a/{id",
       "path '/a/{id' has unbalanced braces in segment 2 ('{id'); expected '{name}' or "
       "'{name+}'"},
      {"/a/id}",
       "path '/a/id}' has unbalanced braces in segment 2 ('id}'); expected '{name}' or "
       "'{name+}'"},
      {"/a/{{id}}",
       "path '/a/{{id}}' has more than one parameter in segment 2 ('{{id}}'); "
       "expected one '{name}' or '{name+}' per segment"},
      {"/a/{x}{y}",
       "path '/a/{x}{y}' has more than one parameter in segment 2 ('{x}{y}'); "
       "expected one '{name}' or '{name+}' per segment"},
      {"/a/x{id}",
       "path '/a/x{id}' mixes a parameter with literal text in segment 2 ('x{id}'); a "
       "parameter must be the whole segment, '{name}' or '{name+}'"},
      {"/a/}id{",
       "path '/a/}id{' mixes a parameter with literal text in segment 2 ('}id{'); a "
       "parameter must be the whole segment, '{name}' or '{name+}'"},
      {"/a/{}",
       "path '/a/{}' has an invalid parameter name in segment 2 ('{}'); expected a letter "
       "or '_' followed by letters, digits, '_' or '-'"},
      {"/a/{+}",
       "path '/a/{+}' has an invalid parameter name in segment 2 ('{+}'); expected a "
       "letter or '_' followed by letters, digits, '_' or '-'"},
      {"/a/{1d}",
       "path '/a/{1d}' has an invalid parameter name in segment 2 ('{1d}'); expected a "
       "letter or '_' followed by letters, digits, '_' or '-'"},
      {"/a/{i d}",
       "path '/a/{i d}' has an invalid parameter name in segment 2 ('{i d}'); expected "
       "a letter or '_' followed by letters, digits, '_' or '-'"},
      {"/a/{id++}",
       "path '/a/{id++}' has an invalid parameter name in segment 2 ('{id++}'); "
       "expected a letter or '_' followed by letters, digits, '_' or '-'"},
      {"/{proxy+}/x",
       "path '/{proxy+}/x' has the greedy parameter '{proxy+}' in segment 1 of 2; a "
       "greedy parameter must be the last segment"},
      {"/a/{id}/b/{id}",
       "path '/a/{id}/b/{id}' uses the parameter name 'id' twice; each parameter "
       "needs its own name"},
      {"/a/{id}/{id+}",
       "path '/a/{id}/{id+}' uses the parameter name 'id' twice; each parameter "
       "needs its own name"},
  };
  for (const BadTemplate& c : cases) {
    CompileError e = must_fail({{"/ok", {"GET"}, 0}, {c.path, {"GET"}, 4}});
    EXPECT_EQ(e.route_index, 4u) << c.path;
    EXPECT_FALSE(e.other_route_index.has_value()) << c.path;
    EXPECT_EQ(e.message, c.message) << c.path;
  }
}

// Valid templates: names with '_' and '-', literals with sub-delims, ':' and '@'.
TEST(RouterCompile, AcceptsValidTemplates) {
  RouteTable t = must_compile({{"/v1/users/{user_id}/items/{item-id}", {"GET"}, 0},
                               {"/a:b/@c/x~y/it's", {"GET"}, 1},
                               {"/_x/{_proxy+}", {"GET"}, 2}});
  EXPECT_EQ(route_of(t, "GET", "/v1/users/1/items/2"), 0);
  EXPECT_EQ(route_of(t, "GET", "/a:b/@c/x~y/it's"), 1);
  EXPECT_EQ(route_of(t, "GET", "/_x/a/b"), 2);
}

// Method list errors: empty, unknown (lower case included), repeated, ANY with others.
TEST(RouterCompile, MethodErrors) {
  EXPECT_EQ(must_fail({{"/a", {}, 2}}).message,
            "path '/a' has no methods; expected at least one of GET, POST, PUT, PATCH, DELETE, "
            "HEAD, OPTIONS, ANY");
  EXPECT_EQ(must_fail({{"/a", {"get"}, 2}}).message,
            "unknown method 'get' for path '/a'; expected one of GET, POST, PUT, PATCH, DELETE, "
            "HEAD, OPTIONS, ANY");
  EXPECT_EQ(must_fail({{"/a", {"TRACE"}, 2}}).message,
            "unknown method 'TRACE' for path '/a'; expected one of GET, POST, PUT, PATCH, DELETE, "
            "HEAD, OPTIONS, ANY");
  EXPECT_EQ(must_fail({{"/a", {"GET", "PUT", "GET"}, 2}}).message,
            "method 'GET' is listed twice for path '/a'");
  EXPECT_EQ(must_fail({{"/a", {"ANY", "GET"}, 2}}).message,
            "ANY already covers every method; list either ANY or specific methods for path '/a'");
}

// Two routes with the same method and template: the later one is named, the earlier one too.
TEST(RouterCompile, DuplicateMethodAndTemplate) {
  CompileError e = must_fail({{"/a/{id}", {"GET", "PUT"}, 0}, {"/a/{id}", {"DELETE", "PUT"}, 1}});
  EXPECT_EQ(e.route_index, 1u);
  EXPECT_EQ(e.other_route_index, 0u);
  EXPECT_EQ(e.message,
            "PUT /a/{id} is already defined by route 0; each method and path may appear once");
  CompileError any = must_fail({{"/b", {"ANY"}, 5}, {"/b", {"ANY"}, 6}});
  EXPECT_EQ(any.message,
            "ANY /b is already defined by route 5; each method and path may appear once");
  EXPECT_EQ(must_fail({{"/", {"GET"}, 0}, {"/", {"GET"}, 1}}).message,
            "GET / is already defined by route 0; each method and path may appear once");
}

// Same template, different methods, in two routes: fine.
TEST(RouterCompile, SameTemplateDifferentMethods) {
  RouteTable t = must_compile({{"/a/{id}", {"GET"}, 0}, {"/a/{id}", {"PUT"}, 1}});
  EXPECT_EQ(route_of(t, "GET", "/a/1"), 0);
  EXPECT_EQ(route_of(t, "PUT", "/a/1"), 1);
}

// Sibling variables with different names conflict, as API Gateway refuses them.
TEST(RouterCompile, ConflictingParamNames) {
  CompileError e = must_fail({{"/a/{x}", {"GET"}, 0}, {"/a/{y}/b", {"POST"}, 1}});
  EXPECT_EQ(e.route_index, 1u);
  EXPECT_EQ(e.other_route_index, 0u);
  EXPECT_EQ(e.message,
            "path '/a/{y}/b' has '{y}' where route 0 ('/a/{x}') has '{x}' at the same position; "
            "API Gateway allows one variable segment per parent path, so use '{x}' in both");
}

// A parameter and a greedy parameter at the same position conflict too (API Gateway: "A sibling
// ({id}) of this resource already has a variable path part -- only one is allowed").
TEST(RouterCompile, ParamAndGreedySiblingsConflict) {
  CompileError e = must_fail({{"/{proxy+}", {"ANY"}, 0}, {"/{id}", {"GET"}, 1}});
  EXPECT_EQ(e.message,
            "path '/{id}' has '{id}' where route 0 ('/{proxy+}') has '{proxy+}' at the same "
            "position; API Gateway allows one variable segment per parent path, so use "
            "'{proxy+}' in both");
  CompileError same_name = must_fail({{"/f/{p}", {"GET"}, 0}, {"/f/{p+}", {"GET"}, 1}});
  EXPECT_EQ(same_name.other_route_index, 0u);
}

// Shared variable prefixes with the same name are fine: /a/{x}/b and /a/{x}/c.
TEST(RouterCompile, SharedVariablePrefix) {
  RouteTable t = must_compile({{"/a/{x}/b", {"GET"}, 0}, {"/a/{x}/c", {"GET"}, 1}});
  EXPECT_EQ(route_of(t, "GET", "/a/1/b"), 0);
  EXPECT_EQ(route_of(t, "GET", "/a/1/c"), 1);
}

// An empty route list compiles to a table that matches nothing.
TEST(RouterCompile, EmptyTable) {
  RouteTable t = must_compile({});
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(error_of(t, "GET", "/"), MatchError::kNoRoute);
}

// to_status() prefixes the route index for callers that have no file positions.
TEST(RouterCompile, ToStatus) {
  CompileError e = must_fail({{"/a", {"GET"}, 0}, {"a", {"GET"}, 9}});
  core::Status s = e.to_status();
  EXPECT_EQ(s.code(), core::Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "route 9: path 'a' does not start with '/'; expected e.g. '/resource/{id}'");
}

// The error enum has names for the access log.
TEST(RouterMatch, ErrorNames) {
  EXPECT_EQ(to_string(MatchError::kNoRoute), "no_route");
  EXPECT_EQ(to_string(MatchError::kMethodNotAllowed), "no_route_for_method");
  EXPECT_EQ(to_string(MatchError::kBadPath), "bad_path");
}

// A Match stays valid after the Result holding it is moved (params live inline).
TEST(RouterMatch, MatchMovesWithParams) {
  RouteTable t = must_compile({{"/a/{x}/{y}", {"GET"}, 0}});
  auto r = match(t, "GET", "/a/first-long-value-beyond-sso-buffer/2");
  ASSERT_TRUE(r.has_value());
  Match m = std::move(*r);
  ASSERT_EQ(m.params.size(), 2u);
  EXPECT_EQ(m.params[0].value, "first-long-value-beyond-sso-buffer");
  EXPECT_EQ(m.params[1].value, "2");
}

}  // namespace
}  // namespace gatehouse::router
