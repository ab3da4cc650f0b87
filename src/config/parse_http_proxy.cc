// An http_proxy integration: its endpoint URI (core/endpoint_uri.h checks it, with the stage
// variables substituted) and its request parameter mappings, as API Gateway writes them.
#include <algorithm>
#include <array>

#include "config/detail/sections.h"
#include "core/context_vars.h"
#include "core/endpoint_uri.h"
#include "core/text.h"

namespace gatehouse::config::detail {
namespace {

using Target = ParameterMapping::Target;
using Source = ParameterMapping::Source;

// The route's path parameter names ({id} -> id, {proxy+} -> proxy).
std::vector<std::string> route_parameters(std::string_view path) {
  std::vector<std::string> out;
  for (size_t i = 0; (i = path.find('{', i)) != std::string_view::npos;) {
    size_t close = path.find('}', i);
    if (close == std::string_view::npos) break;  // the router reports the template
    std::string_view name = path.substr(i + 1, close - i - 1);
    if (name.ends_with('+')) name.remove_suffix(1);
    out.emplace_back(name);
    i = close + 1;
  }
  return out;
}

bool contains(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Headers a mapping may not set: the sender writes them, or they belong to one connection.
constexpr std::array<std::string_view, 12> kUnmappableHeaders = {"host",
                                                                 "content-length",
                                                                 "transfer-encoding",
                                                                 "connection",
                                                                 "keep-alive",
                                                                 "te",
                                                                 "trailer",
                                                                 "upgrade",
                                                                 "expect",
                                                                 "proxy-connection",
                                                                 "proxy-authorization",
                                                                 "x-forwarded-for"};

core::Status parse_target(const Ctx& c, const Field& field, std::string_view key,
                          const std::vector<std::string>& placeholders, ParameterMapping* out) {
  static constexpr std::string_view kPrefix = "integration.request.";
  static constexpr std::array<std::pair<std::string_view, Target>, 3> kTargets = {{
      {"header.", Target::kHeader},
      {"querystring.", Target::kQueryString},
      {"path.", Target::kPath},
  }};
  const std::string expected =
      "; expected integration.request.header.<name>, integration.request.querystring.<name> or "
      "integration.request.path.<name>";
  if (!key.starts_with(kPrefix))
    return fail_key(c, field, quote(key) + " is not a target" + expected);
  std::string_view rest = key.substr(kPrefix.size());
  for (const auto& [prefix, target] : kTargets) {
    if (!rest.starts_with(prefix)) continue;
    out->target = target;
    out->name = std::string(rest.substr(prefix.size()));
    if (out->name.empty()) return fail_key(c, field, quote(key) + " names nothing" + expected);
    if (target == Target::kHeader) {
      if (!all_of(out->name, is_token_char))
        return fail_key(c, field, quote(out->name) + " is not a valid header name");
      std::string lower = core::ascii_lower(out->name);
      if (std::find(kUnmappableHeaders.begin(), kUnmappableHeaders.end(), lower) !=
          kUnmappableHeaders.end())
        return fail_key(c, field,
                        "the gateway writes " + quote(out->name) +
                            " itself (it describes the connection or the body); it cannot be "
                            "mapped");
    }
    if (target == Target::kPath && !contains(placeholders, out->name)) {
      return fail_key(
          c, field, "the uri has no {" + out->name + "} placeholder for " + quote(key) + " to set");
    }
    return {};
  }
  return fail_key(c, field, quote(key) + " is not a target" + expected);
}

core::Status parse_source(const Ctx& c, const Field& field, const std::vector<std::string>& params,
                          const Api& api, ParameterMapping* out) {
  std::string v;
  GH_CONFIG_TRY(read_nonempty_string(c, field, &v));
  if (v.size() >= 2 && v.front() == '\'' && v.back() == '\'') {
    out->source = Source::kStatic;
    out->value = v.substr(1, v.size() - 2);
    return {};
  }
  static constexpr std::array<std::pair<std::string_view, Source>, 5> kSources = {{
      {"method.request.header.", Source::kHeader},
      {"method.request.querystring.", Source::kQueryString},
      {"method.request.path.", Source::kPath},
      {"context.", Source::kContext},
      {"stageVariables.", Source::kStageVariable},
  }};
  for (const auto& [prefix, source] : kSources) {
    if (!std::string_view(v).starts_with(prefix)) continue;
    out->source = source;
    out->value = v.substr(prefix.size());
    if (out->value.empty())
      return fail(c, field, quote(v) + " names nothing after " + quote(prefix));
    switch (source) {
      case Source::kPath:
        if (!contains(params, out->value)) {
          return fail(c, field,
                      quote(v) + ": the route has no path parameter {" + out->value + "}");
        }
        break;
      case Source::kContext: {
        auto var = core::find_context_var(out->value, core::kTemplate);
        if (!var || std::string_view(out->value).starts_with("error.")) {
          return fail(c, field,
                      quote(v) +
                          " is not a context variable a request has; expected e.g. "
                          "context.authorizer.principalId, context.authorizer.<key>, "
                          "context.authorizer.claims.<claim>, context.requestId or "
                          "context.identity.sourceIp");
        }
        break;
      }
      case Source::kStageVariable: {
        bool defined = std::any_of(api.stage_variables.begin(), api.stage_variables.end(),
                                   [&](const auto& s) { return s.first == out->value; });
        if (!defined) {
          return fail(c, field,
                      quote(v) + ": stage variable " + quote(out->value) +
                          " is not defined under api.stage_variables");
        }
        break;
      }
      default:
        break;
    }
    return {};
  }
  return fail(c, field,
              quote(v) +
                  " is not a source; expected 'static text' (in single quotes), "
                  "method.request.header.<name>, method.request.querystring.<name>, "
                  "method.request.path.<name>, context.<variable> or stageVariables.<name>");
}

}  // namespace

core::Status parse_http_proxy_integration(const Ctx& c, const MapReader& m,
                                          std::string_view route_path, const Api& api,
                                          HttpProxyIntegration* out) {
  const Field* uri = m.get("uri");
  if (uri == nullptr) {
    return m.missing(c, "uri",
                     "; expected the service's URL, e.g. http://127.0.0.1:3000/users/{id}");
  }
  GH_CONFIG_TRY(read_nonempty_string(c, *uri, &out->uri));
  auto substituted = core::substitute_stage_variables(out->uri, api.stage_variables);
  if (!substituted) return fail(c, *uri, substituted.error().message());
  const Field* targets = m.get("targets");
  const bool path_only = substituted->starts_with("/");
  if (targets != nullptr && !path_only) {
    return fail(c, *uri,
                quote(out->uri) +
                    ": with targets, the uri is the path sent to each of them (e.g. /users/{id}); "
                    "the targets are the origins");
  }
  if (targets == nullptr && path_only) {
    return fail(c, *uri,
                quote(out->uri) + " has no origin; write http(s)://host[:port]" + *substituted +
                    ", or list the origins under targets");
  }
  if (targets != nullptr) {
    std::vector<std::string> listed;
    GH_CONFIG_TRY(read_string_list(c, *targets, &listed));
    if (listed.size() > 64) return fail(c, *targets, "at most 64 targets");
    for (const std::string& t : listed) {
      auto origin = core::substitute_stage_variables(t, api.stage_variables);
      if (!origin) return fail(c, *targets, origin.error().message());
      auto parsed = core::parse_endpoint_uri(*origin);
      if (!parsed) return fail(c, *targets, quote(t) + ": " + parsed.error().message());
      if (parsed->target != "/") {
        return fail(c, *targets,
                    quote(t) + ": a target is an origin, http(s)://host[:port], without a path");
      }
      if (contains(out->origins, parsed->origin)) {
        return fail(c, *targets, quote(t) + " is listed twice");
      }
      out->origins.push_back(parsed->origin);
    }
    GH_CONFIG_TRY(read_number(c, m.get("cool_down_ms"), 100, 600'000, &out->cool_down_ms));
  } else if (const Field* cool = m.get("cool_down_ms")) {
    return fail_key(c, *cool, "cool_down_ms applies to an integration with targets");
  }
  // A path-only uri is checked as it will be sent: after the first target's origin.
  auto endpoint =
      core::parse_endpoint_uri(path_only ? out->origins.front() + *substituted : *substituted);
  if (!endpoint) return fail(c, *uri, quote(out->uri) + ": " + endpoint.error().message());
  if (!path_only) out->origins.push_back(endpoint->origin);
  out->target = endpoint->target;
  GH_CONFIG_TRY(read_number(c, m.get("timeout_ms"), 50, 29'000, &out->timeout_ms));
  GH_CONFIG_TRY(read_number(c, m.get("max_connections"), 1, 10'000, &out->max_connections));
  GH_CONFIG_TRY(read_number(c, m.get("idle_timeout_ms"), 1'000, 3'600'000, &out->idle_timeout_ms));
  if (const Field* tls = m.get("tls")) {
    for (const std::string& origin : out->origins) {
      if (!origin.starts_with("https://")) {
        return fail_key(c, *tls, "tls applies to https:// origins; this one is " + origin);
      }
    }
    auto t =
        MapReader::open(c, *tls, {"ca_file", "client_certificate", "client_key", "server_name"});
    if (!t) return t.error();
    UpstreamTls settings;
    if (const Field* f = t->get("ca_file")) GH_CONFIG_TRY(read_path(c, *f, &settings.ca_file));
    const Field* cert = t->get("client_certificate");
    const Field* key = t->get("client_key");
    if ((cert == nullptr) != (key == nullptr)) {
      return t->missing(c, cert ? "client_key" : "client_certificate",
                        "; a client certificate needs both client_certificate and client_key");
    }
    if (cert) GH_CONFIG_TRY(read_path(c, *cert, &settings.client_certificate));
    if (key) GH_CONFIG_TRY(read_path(c, *key, &settings.client_key));
    if (const Field* f = t->get("server_name")) {
      GH_CONFIG_TRY(read_nonempty_string(c, *f, &settings.server_name));
    }
    out->tls = std::move(settings);
  }

  const std::vector<std::string> params = route_parameters(route_path);
  std::vector<std::string> mapped_paths;
  if (const Field* rp = m.get("request_parameters")) {
    auto mappings = MapReader::open_any(c, *rp);
    if (!mappings) return mappings.error();
    for (const auto& [key, field] : mappings->entries()) {
      ParameterMapping pm;
      pm.pos = source_pos(c, field.mark);
      GH_CONFIG_TRY(parse_target(c, field, key, endpoint->placeholders, &pm));
      // Header names compare case-insensitively: two mappings of one header would race.
      for (const ParameterMapping& other : out->request_parameters) {
        bool same = other.target == pm.target &&
                    (pm.target == Target::kHeader
                         ? core::ascii_lower(other.name) == core::ascii_lower(pm.name)
                         : other.name == pm.name);
        if (same) return fail_key(c, field, quote(key) + " is mapped twice");
      }
      GH_CONFIG_TRY(parse_source(c, field, params, api, &pm));
      if (pm.target == Target::kPath) mapped_paths.push_back(pm.name);
      out->request_parameters.push_back(std::move(pm));
    }
  }
  for (const std::string& name : endpoint->placeholders) {
    if (!contains(params, name) && !contains(mapped_paths, name)) {
      return fail(c, *uri,
                  "{" + name + "} is neither a path parameter of the route (" +
                      std::string(route_path) +
                      ") nor set by a request_parameters entry "
                      "integration.request.path." +
                      name);
    }
  }
  return {};
}

}  // namespace gatehouse::config::detail
