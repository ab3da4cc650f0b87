// The api: section (with its limits, binary media types, stage variables and CORS), the check of
// api.default_authorizer, gateway_responses:, admin: and access_log:.
#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <utility>

#include "config/detail/sections.h"
#include "core/text.h"

namespace gatehouse::config::detail {
namespace {

core::Status parse_limits(const Ctx& c, const Field& f, Limits* out) {
  auto m = MapReader::open(
      c, f,
      {"max_request_line_bytes", "max_header_bytes", "max_body_bytes", "header_timeout_ms",
       "body_timeout_ms", "idle_timeout_ms", "max_pipelined_requests", "max_connections"});
  if (!m) return m.error();
  GH_CONFIG_TRY(
      read_number(c, m->get("max_request_line_bytes"), 256, 1 << 20, &out->max_request_line_bytes));
  GH_CONFIG_TRY(read_number(c, m->get("max_header_bytes"), 1024, 1 << 20, &out->max_header_bytes));
  GH_CONFIG_TRY(
      read_number(c, m->get("max_body_bytes"), 0, uint64_t{1} << 30, &out->max_body_bytes));
  GH_CONFIG_TRY(read_number(c, m->get("header_timeout_ms"), 1, 3'600'000, &out->header_timeout_ms));
  GH_CONFIG_TRY(read_number(c, m->get("body_timeout_ms"), 1, 3'600'000, &out->body_timeout_ms));
  GH_CONFIG_TRY(read_number(c, m->get("idle_timeout_ms"), 1, 86'400'000, &out->idle_timeout_ms));
  GH_CONFIG_TRY(
      read_number(c, m->get("max_pipelined_requests"), 1, 1024, &out->max_pipelined_requests));
  GH_CONFIG_TRY(read_number(c, m->get("max_connections"), 1, 1'000'000, &out->max_connections));
  return {};
}

// binary_media_types: type/subtype with '*' only as a whole part; stored lower-case, as media
// types compare case-insensitively.
core::Status read_media_types(const Ctx& c, const Field& f, std::vector<std::string>* out) {
  if (!f.value.IsSequence()) {
    return fail(
        c, f,
        "expected a list of media types, e.g. [image/png, \"image/*\"]; got " + describe(f.value));
  }
  out->clear();
  auto part_ok = [](std::string_view part) { return part == "*" || all_of(part, is_media_char); };
  for (size_t i = 0; i < f.value.size(); ++i) {
    Field e = item(f, i, f.value[i]);
    std::string s;
    GH_CONFIG_TRY(read_nonempty_string(c, e, &s));
    std::string_view text = s;
    size_t slash = text.find('/');
    if (slash == std::string_view::npos || !part_ok(text.substr(0, slash)) ||
        !part_ok(text.substr(slash + 1))) {
      return fail(c, e,
                  quote(s) +
                      " is not a media type; expected type/subtype, where '*' may stand for a "
                      "whole part, e.g. image/png, image/* or */*");
    }
    std::string type = core::ascii_lower(s);
    if (std::find(out->begin(), out->end(), type) != out->end()) {
      return fail(c, e, quote(s) + " is listed twice (media types are case-insensitive)");
    }
    out->push_back(std::move(type));
  }
  return {};
}

core::Status read_stage_variables(const Ctx& c, const Field& f,
                                  std::vector<std::pair<std::string, std::string>>* out) {
  auto m = MapReader::open_any(c, f);
  if (!m) return m.error();
  out->clear();
  for (const auto& [name, field] : m->entries()) {
    if (!all_of(name, is_stage_char)) {
      return fail_key(
          c, field,
          quote(name) + " is not a valid stage variable name; expected letters, digits and '_'");
    }
    std::string value;
    GH_CONFIG_TRY(read_scalar(c, field, &value));
    out->emplace_back(name, std::move(value));
  }
  return {};
}

// api.cors: each list's entries checked and normalised (origins and header names lower-case,
// methods upper-case), no repeats.
core::Status parse_cors(const Ctx& c, const Field& f, Cors* out) {
  auto m = MapReader::open(c, f,
                           {"allow_origins", "allow_methods", "allow_headers", "expose_headers",
                            "allow_credentials", "max_age_s"});
  if (!m) return m.error();
  out->pos = source_pos(c, f.mark);
  // A list of strings, each checked by `valid` (which names what is expected) and normalised.
  auto read_list = [&](const Field* field, std::vector<std::string>* list, auto normalise,
                       auto valid, std::string_view expected) -> core::Status {
    if (field == nullptr) return {};
    if (!field->value.IsSequence()) {
      return fail(
          c, *field,
          "expected a list, each " + std::string(expected) + "; got " + describe(field->value));
    }
    for (size_t i = 0; i < field->value.size(); ++i) {
      Field e = item(*field, i, field->value[i]);
      std::string raw;
      GH_CONFIG_TRY(read_nonempty_string(c, e, &raw));
      std::string v = normalise(raw);
      if (!valid(v)) {
        return fail(c, e, quote(raw) + " is not valid here; expected " + std::string(expected));
      }
      if (std::find(list->begin(), list->end(), v) != list->end()) {
        return fail(c, e, quote(raw) + " is listed twice (compared case-insensitively)");
      }
      list->push_back(std::move(v));
    }
    return {};
  };
  auto lower = [](const std::string& v) { return core::ascii_lower(v); };
  auto upper = [](const std::string& v) {
    std::string u = v;
    for (char& ch : u)
      if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    return u;
  };
  auto token_or_star = [](const std::string& v) { return v == "*" || all_of(v, is_token_char); };
  auto origin = [](const std::string& v) {
    return v == "*" || v == "https://*" || v == "http://*" || core::is_web_origin(v);
  };
  const Field* origins = m->get("allow_origins");
  if (origins == nullptr) {
    return m->missing(c, "allow_origins",
                      "; expected the origins browsers may call from, e.g. "
                      "[https://app.example.com]");
  }
  GH_CONFIG_TRY(read_list(origins, &out->allow_origins, lower, origin,
                          "an origin such as https://app.example.com (scheme, host and port, "
                          "no path), \"*\", \"https://*\" or \"http://*\""));
  if (out->allow_origins.empty()) {
    return fail(c, *origins, "list at least one origin, e.g. [https://app.example.com]");
  }
  GH_CONFIG_TRY(read_list(m->get("allow_methods"), &out->allow_methods, upper, token_or_star,
                          "a method such as GET, or \"*\""));
  GH_CONFIG_TRY(read_list(m->get("allow_headers"), &out->allow_headers, lower, token_or_star,
                          "a header name such as authorization, or \"*\""));
  GH_CONFIG_TRY(read_list(m->get("expose_headers"), &out->expose_headers, lower, token_or_star,
                          "a header name such as x-request-id, or \"*\""));
  if (const Field* cred = m->get("allow_credentials")) {
    GH_CONFIG_TRY(read_bool(c, *cred, &out->allow_credentials));
    const auto& o = out->allow_origins;
    if (out->allow_credentials && std::find(o.begin(), o.end(), "*") != o.end()) {
      return fail(c, *cred,
                  "allow_credentials cannot go with allow_origins \"*\": browsers refuse "
                  "credentials from a wildcard; list the origins");
    }
    // Echoing any https origin with credentials would let every site on the web make
    // credentialed calls (the classic CORS hole): refused, not served.
    for (const std::string& origin : o) {
      if (out->allow_credentials && origin.ends_with("://*")) {
        return fail(c, *cred,
                    "allow_credentials cannot go with allow_origins " + quote(origin) +
                        ": any site of that scheme could make credentialed calls; list the "
                        "origins");
      }
    }
  }
  if (const Field* age = m->get("max_age_s")) {
    uint32_t v = 0;
    GH_CONFIG_TRY(read_number(c, age, 0, 86'400, &v));
    out->max_age_s = v;
  }
  return {};
}

core::Status parse_gateway_response(const Ctx& c, GatewayResponseType type, const Field& f,
                                    GatewayResponse* out) {
  auto m = MapReader::open(c, f, {"status", "headers", "body"});
  if (!m) return m.error();
  out->type = type;
  out->pos = source_pos(c, f.mark);
  if (const Field* s = m->get("status")) {
    int status = 0;
    GH_CONFIG_TRY(read_number(c, s, 200, 599, &status));
    out->status = status;
  }
  if (const Field* h = m->get("headers")) GH_CONFIG_TRY(read_headers(c, *h, &out->headers));
  if (const Field* b = m->get("body")) {
    std::string body;
    GH_CONFIG_TRY(read_template(c, *b, &body));
    out->body = std::move(body);
  }
  return {};
}

bool collides(const ListenAddress& a, const ListenAddress& b) {
  return listeners_collide(a, b);
}

std::string collision(const ListenAddress& admin, const ListenAddress& api) {
  return "admin listens on " + admin.to_string() + ", which collides with api.listen " +
         api.to_string() + "; use another port or off";
}

}  // namespace

bool listeners_collide(const ListenAddress& a, const ListenAddress& b) {
  auto unspecified = [](const std::string& host) { return host == "0.0.0.0" || host == "::"; };
  return a.port != 0 && a.port == b.port &&
         (a.host == b.host || unspecified(a.host) || unspecified(b.host));
}

core::Status parse_throttle(const Ctx& c, const Field& f, Throttle* out) {
  auto m = MapReader::open(c, f, {"rate", "burst"});
  if (!m) return m.error();
  const Field* rate = m->get("rate");
  if (rate == nullptr) return m->missing(c, "rate", "; expected requests per second, e.g. 100");
  const Field* burst = m->get("burst");
  if (burst == nullptr) return m->missing(c, "burst", "; expected requests at once, e.g. 200");
  std::string text;
  GH_CONFIG_TRY(read_scalar(c, *rate, &text));
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !(v >= 0 && v <= 1e6)) {
    return fail(c, *rate,
                quote(text) +
                    " is not a rate; expected requests per second from 0 to 1000000, "
                    "e.g. 100 or 0.5");
  }
  out->rate = v;
  GH_CONFIG_TRY(read_number(c, burst, 0, 1'000'000, &out->burst));
  return {};
}

// Parsed before the authorizers (their stageVariables.<name> sources need stage_variables), so
// default_authorizer is only checked against 'none' here; *default_authorizer receives its entry
// for check_default_authorizer().
core::Status parse_api(const Ctx& c, const Field& f, Api* out,
                       std::optional<Field>* default_authorizer) {
  auto m =
      MapReader::open(c, f,
                      {"name", "stage", "listen", "region", "account_id", "api_id", "io_threads",
                       "default_authorizer", "shutdown_grace_ms", "limits", "binary_media_types",
                       "stage_variables", "cors", "throttle", "api_key_source", "tls"});
  if (!m) return m.error();
  out->pos = source_pos(c, f.mark);

  const Field* name = m->get("name");
  if (name == nullptr) return m->missing(c, "name", "; expected the API's name, e.g. name: blog");
  GH_CONFIG_TRY(read_nonempty_string(c, *name, &out->name));
  if (has_control_char(out->name)) {
    return fail(c, *name, "the name cannot contain control characters");
  }

  if (const Field* s = m->get("stage")) {
    GH_CONFIG_TRY(read_nonempty_string(c, *s, &out->stage));
    if (!all_of(out->stage, is_stage_char)) {
      return fail(c, *s,
                  quote(out->stage) +
                      " is not a valid stage name; expected letters, digits and '_', "
                      "e.g. prod");
    }
  }
  if (const Field* l = m->get("listen")) GH_CONFIG_TRY(read_listen(c, *l, &out->listen));
  if (const Field* r = m->get("region")) {
    GH_CONFIG_TRY(read_nonempty_string(c, *r, &out->region));
    if (!all_of(out->region, is_region_char)) {
      return fail(c, *r,
                  quote(out->region) +
                      " is not a valid region; expected lower-case letters, digits and "
                      "'-', e.g. us-east-1");
    }
  }
  if (const Field* a = m->get("account_id")) {
    GH_CONFIG_TRY(read_nonempty_string(c, *a, &out->account_id));
    if (out->account_id.size() != 12 || !all_of(out->account_id, is_digit)) {
      return fail(c, *a,
                  quote(out->account_id) +
                      " is not an account id; expected 12 digits in quotes, e.g. "
                      "\"123456789012\"");
    }
  }
  if (const Field* a = m->get("api_id")) {
    GH_CONFIG_TRY(read_nonempty_string(c, *a, &out->api_id));
    if (!all_of(out->api_id, is_lower_alnum)) {
      return fail(c, *a,
                  quote(out->api_id) +
                      " is not a valid API id; expected lower-case letters and digits, "
                      "e.g. abcdef1234");
    }
  }
  GH_CONFIG_TRY(read_number(c, m->get("io_threads"), 0, 1024, &out->io_threads));
  if (const Field* d = m->get("default_authorizer")) {
    std::string name_value;
    GH_CONFIG_TRY(read_nonempty_string(c, *d, &name_value));
    if (name_value == kPublic) {
      return fail(c, *d,
                  "'none' cannot be the default: routes fail closed; mark each public route with "
                  "auth: none instead");
    }
    out->default_authorizer = std::move(name_value);
    *default_authorizer = *d;
  }
  GH_CONFIG_TRY(read_number(c, m->get("shutdown_grace_ms"), 0, 3'600'000, &out->shutdown_grace_ms));
  if (const Field* l = m->get("limits")) GH_CONFIG_TRY(parse_limits(c, *l, &out->limits));
  if (const Field* b = m->get("binary_media_types")) {
    GH_CONFIG_TRY(read_media_types(c, *b, &out->binary_media_types));
  }
  if (const Field* v = m->get("stage_variables")) {
    GH_CONFIG_TRY(read_stage_variables(c, *v, &out->stage_variables));
  }
  if (const Field* cors = m->get("cors")) GH_CONFIG_TRY(parse_cors(c, *cors, &out->cors.emplace()));
  if (const Field* t = m->get("throttle")) {
    GH_CONFIG_TRY(parse_throttle(c, *t, &out->throttle.emplace()));
  }
  if (const Field* k = m->get("api_key_source")) {
    static constexpr std::array<std::string_view, 2> kSources = {"header", "authorizer"};
    size_t i = 0;
    GH_CONFIG_TRY(read_enum(c, *k, kSources, &i));
    out->api_key_source = static_cast<ApiKeySource>(i);
  }
  if (const Field* t = m->get("tls")) GH_CONFIG_TRY(parse_listener_tls(c, *t, &out->tls.emplace()));
  return {};
}

// api.default_authorizer (its entry d) must name an authorizer.
core::Status check_default_authorizer(const Ctx& c, const Field& d, const Api& api,
                                      const std::vector<Authorizer>& authorizers) {
  std::vector<std::string_view> names;
  for (const Authorizer& a : authorizers) {
    if (a.name == *api.default_authorizer) return {};
    names.push_back(a.name);
  }
  return fail(c, d,
              "unknown authorizer " + quote(*api.default_authorizer) +
                  (names.empty() ? "; no authorizers are defined (add one under authorizers:)"
                                 : "; expected one of: " + join(names)));
}

core::Status parse_gateway_responses(const Ctx& c, const Field& f,
                                     std::vector<GatewayResponse>* out) {
  // The types gatehouse produces, by name: the others could never be seen.
  std::vector<std::string_view> names;
  for (const core::GatewayResponseTypeInfo& t : core::kGatewayResponseTypes) {
    if (t.produced) names.push_back(t.name);
  }
  auto m = MapReader::open(c, f, names);
  if (!m) return m.error();
  for (const auto& [name, field] : m->entries()) {
    GatewayResponse r;
    GH_CONFIG_TRY(parse_gateway_response(c, *core::gateway_response_type(name), field, &r));
    out->push_back(std::move(r));
  }
  return {};
}

// The admin listener must not take the API's port: checked here with the API parsed.
core::Status parse_admin(const Ctx& c, const Field& f, const ListenAddress& api_listen,
                         Admin* out) {
  auto m = MapReader::open(c, f, {"listen"});
  if (!m) return m.error();
  const Field* l = m->get("listen");
  if (l == nullptr) return check_default_admin(c, f.mark, m->path_of("listen"), *out, api_listen);
  if (l->value.IsScalar() && l->value.Scalar() == "off") {
    out->listen.reset();
    return {};
  }
  ListenAddress a;
  GH_CONFIG_TRY(read_listen(c, *l, &a));
  if (collides(a, api_listen)) return fail(c, *l, collision(a, api_listen));
  out->listen = std::move(a);
  return {};
}

core::Status check_default_admin(const Ctx& c, const YAML::Mark& m, const std::string& path,
                                 const Admin& admin, const ListenAddress& api_listen) {
  if (!collides(*admin.listen, api_listen)) return {};
  return fail(c, m, path,
              collision(*admin.listen, api_listen) + " (the default admin port is " +
                  std::to_string(admin.listen->port) + ")");
}

core::Status parse_access_log(const Ctx& c, const Field& f, AccessLog* out) {
  auto m = MapReader::open(c, f, {"path"});
  if (!m) return m.error();
  if (const Field* p = m->get("path")) {
    std::string path;
    GH_CONFIG_TRY(read_nonempty_string(c, *p, &path));
    if (path == "-") {
      *out = AccessLog{AccessLog::Kind::kStdout, ""};
    } else if (path == "off") {
      *out = AccessLog{AccessLog::Kind::kOff, ""};
    } else {
      std::string resolved;
      GH_CONFIG_TRY(read_path(c, *p, &resolved));
      *out = AccessLog{AccessLog::Kind::kFile, std::move(resolved)};
    }
  }
  return {};
}

}  // namespace gatehouse::config::detail
