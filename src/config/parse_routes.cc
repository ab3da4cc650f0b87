// The routes: section: each route's path, methods, authorizer, scopes and integration (mock,
// crud, function or http_proxy).
#include <algorithm>
#include <array>
#include <utility>

#include "config/detail/sections.h"
#include "core/assert.h"

namespace gatehouse::config::detail {
namespace {

constexpr std::array<std::string_view, 8> kMethodNames = {"GET",    "POST", "PUT",     "PATCH",
                                                          "DELETE", "HEAD", "OPTIONS", "ANY"};

// In IntegrationType order.
constexpr std::array<std::string_view, 4> kIntegrationTypes = {"mock", "crud", "function",
                                                               "http_proxy"};

core::Status parse_mock_integration(const Ctx& c, const MapReader& m, MockIntegration* out) {
  // A final answer: a 1xx would desynchronise the client's connection.
  GH_CONFIG_TRY(read_number(c, m.get("status"), 200, 599, &out->status));
  if (const Field* h = m.get("headers")) GH_CONFIG_TRY(read_headers(c, *h, &out->headers));
  if (const Field* b = m.get("body")) GH_CONFIG_TRY(read_template(c, *b, &out->body));
  return {};
}

core::Status parse_crud_integration(const Ctx& c, const MapReader& m,
                                    const std::vector<Table>& tables, CrudIntegration* out) {
  const Field* table = m.get("table");
  if (table == nullptr)
    return m.missing(c, "table", "; expected the name of a table under tables:");
  GH_CONFIG_TRY(read_nonempty_string(c, *table, &out->table));
  bool found = std::any_of(tables.begin(), tables.end(),
                           [&](const Table& t) { return t.name == out->table; });
  if (!found) {
    std::vector<std::string_view> names;
    for (const Table& t : tables) {
      names.push_back(t.name);
    }
    return fail(c, *table,
                "unknown table " + quote(out->table) +
                    (names.empty() ? "; no tables are defined (add one under tables:)"
                                   : "; expected one of: " + join(names)));
  }
  for (const Table& t : tables) {
    if (t.name == out->table && !t.crud_capable())
      return fail(c, *table,
                  "table " + quote(out->table) +
                      " is keyed by more than one string attribute; a crud route needs a table "
                      "keyed by one string attribute (key: <name>)");
  }
  if (const Field* o = m.get("owner_only")) GH_CONFIG_TRY(read_bool(c, *o, &out->owner_only));
  GH_CONFIG_TRY(read_number(c, m.get("default_limit"), 1, 1000, &out->default_limit));
  return {};
}

core::Status parse_function_integration(const Ctx& c, const MapReader& m,
                                        const std::vector<Function>& functions,
                                        FunctionIntegration* out) {
  const Field* function = m.get("function");
  if (function == nullptr) {
    return m.missing(c, "function", "; expected the name of a function under functions:");
  }
  GH_CONFIG_TRY(read_function_ref(c, *function, functions, &out->function));
  GH_CONFIG_TRY(read_number(c, m.get("timeout_ms"), 50, 900'000, &out->timeout_ms));
  return {};
}

core::Status parse_integration(const Ctx& c, const Field& f, const Config& parsed,
                               std::string_view route_path, Integration* out) {
  static constexpr std::array<std::string_view, 16> kKeys = {"type",
                                                             "status",
                                                             "headers",
                                                             "body",
                                                             "table",
                                                             "owner_only",
                                                             "default_limit",
                                                             "function",
                                                             "timeout_ms",
                                                             "uri",
                                                             "request_parameters",
                                                             "tls",
                                                             "max_connections",
                                                             "idle_timeout_ms",
                                                             "targets",
                                                             "cool_down_ms"};
  auto m = MapReader::open(c, f, kKeys);
  if (!m) return m.error();
  out->pos = source_pos(c, f.mark);
  const Field* type = m->get("type");
  if (type == nullptr) {
    return m->missing(c, "type", "; expected type: mock, crud, function or http_proxy");
  }
  size_t index = 0;
  GH_CONFIG_TRY(read_enum(c, *type, kIntegrationTypes, &index));
  out->type = static_cast<IntegrationType>(index);
  // Keys of another type are mistakes, not options to ignore. Each key with the types it
  // applies to, a bit per index in kIntegrationTypes.
  static constexpr std::array<std::pair<std::string_view, unsigned>, 15> kKeyTypes = {{
      {"status", 1u << 0},
      {"headers", 1u << 0},
      {"body", 1u << 0},
      {"table", 1u << 1},
      {"owner_only", 1u << 1},
      {"default_limit", 1u << 1},
      {"function", 1u << 2},
      {"timeout_ms", 1u << 2 | 1u << 3},
      {"uri", 1u << 3},
      {"request_parameters", 1u << 3},
      {"tls", 1u << 3},
      {"max_connections", 1u << 3},
      {"idle_timeout_ms", 1u << 3},
      {"targets", 1u << 3},
      {"cool_down_ms", 1u << 3},
  }};
  for (const auto& [name, field] : m->entries()) {
    // The binding is captured through an init-capture: clang refuses to capture it directly.
    auto it = std::find_if(kKeyTypes.begin(), kKeyTypes.end(),
                           [&key = name](const auto& k) { return k.first == key; });
    if (it != kKeyTypes.end() && (it->second & (1u << index)) == 0) {
      return fail_key(
          c, field,
          quote(name) + " does not apply to type: " + std::string(kIntegrationTypes[index]));
    }
  }
  switch (out->type) {
    case IntegrationType::kMock:
      return parse_mock_integration(c, *m, &out->mock);
    case IntegrationType::kCrud:
      return parse_crud_integration(c, *m, parsed.tables, &out->crud);
    case IntegrationType::kHttpProxy:
      return parse_http_proxy_integration(c, *m, route_path, parsed.api, &out->http_proxy);
    case IntegrationType::kFunction:
      break;
  }
  return parse_function_integration(c, *m, parsed.functions, &out->function);
}

core::Status parse_methods(const Ctx& c, const MapReader& m, std::vector<std::string>* out) {
  const Field* one = m.get("method");
  const Field* many = m.get("methods");
  if (one != nullptr && many != nullptr) {
    const Field* later = one->key_mark.pos > many->key_mark.pos ? one : many;
    return fail_key(c, *later, "method and methods are both set; give one of them");
  }
  if (one == nullptr && many == nullptr) {
    return m.missing(c, "methods", "; expected method: GET or methods: [GET, PUT]");
  }
  out->clear();
  if (one != nullptr) {
    size_t index = 0;
    GH_CONFIG_TRY(read_enum(c, *one, kMethodNames, &index));
    out->emplace_back(kMethodNames[index]);
    return {};
  }
  if (!many->value.IsSequence()) {
    return fail(c, *many,
                "expected a list of methods, e.g. [GET, PUT]; got " + describe(many->value));
  }
  if (many->value.size() == 0) {
    return fail(c, *many, "the list is empty; expected at least one of: " + join(kMethodNames));
  }
  for (size_t i = 0; i < many->value.size(); ++i) {
    Field e = item(*many, i, many->value[i]);
    size_t index = 0;
    GH_CONFIG_TRY(read_enum(c, e, kMethodNames, &index));
    std::string_view name = kMethodNames[index];
    if (std::find(out->begin(), out->end(), name) != out->end()) {
      return fail(c, e, quote(name) + " is listed twice");
    }
    out->emplace_back(name);
  }
  bool any = std::find(out->begin(), out->end(), "ANY") != out->end();
  if (any && out->size() > 1) {
    return fail(c, *many,
                "ANY already covers every method; give either ANY alone or specific methods");
  }
  return {};
}

// `parsed` holds the sections parsed before routes: everything but gateway_responses, admin and
// access_log.
core::Status parse_route(const Ctx& c, const Field& f, const Config& parsed, Route* out) {
  const Api& api = parsed.api;
  const std::vector<Authorizer>& authorizers = parsed.authorizers;
  auto m = MapReader::open(c, f,
                           {"path", "method", "methods", "auth", "scopes", "throttle",
                            "api_key_required", "integration"});
  if (!m) return m.error();
  out->pos = source_pos(c, f.mark);

  const Field* path = m->get("path");
  if (path == nullptr) {
    return m->missing(c, "path", "; expected a path template, e.g. /resource/{id}");
  }
  GH_CONFIG_TRY(read_nonempty_string(c, *path, &out->path));
  out->path_pos = source_pos(c, path->mark);

  GH_CONFIG_TRY(parse_methods(c, *m, &out->methods));

  // Authorizer: explicit name, "none", or the API's default. Absent with no default fails closed.
  if (const Field* auth = m->get("auth")) {
    std::string name;
    GH_CONFIG_TRY(read_nonempty_string(c, *auth, &name));
    if (name != kPublic) {
      bool found = std::any_of(authorizers.begin(), authorizers.end(),
                               [&](const Authorizer& a) { return a.name == name; });
      if (!found) {
        std::vector<std::string_view> names = {kPublic};
        for (const Authorizer& a : authorizers) {
          names.push_back(a.name);
        }
        return fail(c, *auth,
                    "unknown authorizer " + quote(name) + "; expected one of: " + join(names));
      }
      out->authorizer = std::move(name);
    }
  } else if (api.default_authorizer) {
    out->authorizer = api.default_authorizer;
  } else {
    return m->missing(c, "auth",
                      " and api.default_authorizer is not set; routes fail closed: write "
                      "auth: none for a public route or name an authorizer");
  }

  if (const Field* scopes = m->get("scopes")) {
    if (!out->authorizer) {
      return fail(c, *scopes, "scopes need an authorizer, but this route is public (auth: none)");
    }
    // Found: `auth` was checked above, api.default_authorizer by check_default_authorizer().
    const Authorizer* a = parsed.find_authorizer(*out->authorizer);
    GH_ASSERT(a != nullptr);
    if (a->type != AuthorizerType::kJwt) {  // scopes are JWT claims
      return fail(c, *scopes,
                  "scopes apply only to routes with a jwt authorizer, but " + quote(a->name) +
                      " is a " + std::string(kAuthorizerTypes[static_cast<size_t>(a->type)]) +
                      " authorizer, whose function's policy decides what a caller may do");
    }
    GH_CONFIG_TRY(read_string_list(c, *scopes, &out->scopes));
  }

  if (const Field* t = m->get("throttle")) {
    GH_CONFIG_TRY(parse_throttle(c, *t, &out->throttle.emplace()));
  } else {
    out->throttle = api.throttle;
  }
  if (const Field* k = m->get("api_key_required")) {
    GH_CONFIG_TRY(read_bool(c, *k, &out->api_key_required));
    if (out->api_key_required && parsed.usage_plans.empty()) {
      return fail(c, *k,
                  "no API key could pass: define the keys under usage_plans, e.g. usage_plans: "
                  "{basic: {api_keys: {partner-a: {value: {env: PARTNER_A_KEY}}}}}");
    }
  }

  const Field* integration = m->get("integration");
  if (integration == nullptr) return m->missing(c, "integration", "; expected e.g. {type: mock}");
  return parse_integration(c, *integration, parsed, out->path, &out->integration);
}

}  // namespace

core::Status parse_routes(const Ctx& c, const Field& f, const Config& parsed,
                          std::vector<Route>* out) {
  if (!f.value.IsSequence()) {
    return fail(c, f, "expected a list of routes, got " + describe(f.value));
  }
  if (f.value.size() == 0) return fail(c, f, "the list is empty; expected at least one route");
  for (size_t i = 0; i < f.value.size(); ++i) {
    Route r;
    GH_CONFIG_TRY(record_entry_error(c, parse_route(c, item(f, i, f.value[i]), parsed, &r)));
    out->push_back(std::move(r));
  }
  return {};
}

}  // namespace gatehouse::config::detail
