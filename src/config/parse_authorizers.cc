// The authorizers: section: each authorizer's type, identity sources and cache, a jwt
// authorizer's keys, issuer, audiences and algorithms, a token or request authorizer's function.
#include <boost/regex.hpp>

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "config/detail/sections.h"
#include "core/context_vars.h"
#include "core/text.h"

namespace gatehouse::config::detail {
namespace {

constexpr std::array<std::string_view, 6> kKeySources = {
    "jwks_file", "jwks_url", "discovery_url", "pem_file", "hmac_secret", "issuer"};

constexpr std::array<std::string_view, 11> kJwtKeysKeys = {
    "jwks_file",          "jwks_url",         "discovery_url",
    "pem_file",           "hmac_secret",      "issuer",
    "refresh_interval_s", "retry_interval_s", "refetch_min_interval_s",
    "fetch_timeout_ms",   "max_jwks_bytes"};

// Keys of a jwt authorizer; a token or request authorizer leaves verification to its function.
constexpr std::array<std::string_view, 6> kJwtOnlyKeys = {
    "issuer", "audiences", "algorithms", "leeway_s", "max_token_bytes", "keys"};
constexpr std::array<std::string_view, 13> kAuthorizerKeys = {
    "type",     "identity_source",  "issuer",     "audiences",   "algorithms",
    "leeway_s", "max_token_bytes",  "keys",       "cache_ttl_s", "cache_max_entries",
    "function", "validation_regex", "cache_scope"};

std::string expected_sources(AuthorizerType type) {
  switch (type) {
    case AuthorizerType::kJwt:
      return "; expected method.request.header.<Name> or method.request.querystring.<name>";
    case AuthorizerType::kToken:
      return "; expected method.request.header.<Name>";
    case AuthorizerType::kRequest:
      break;
  }
  return "; expected method.request.header.<Name>, method.request.querystring.<name>, "
         "stageVariables.<name> or context.<path>";
}

// One identity source written as `s` (all of f's value, or one entry of a request authorizer's
// comma-separated string); errors point at f. What a type accepts: jwt a header or query string
// parameter, token a header, request also stage variables and context values.
core::Status parse_identity_source(const Ctx& c, const Field& f, std::string_view s,
                                   AuthorizerType type, const Api& api, IdentitySource* out) {
  constexpr std::string_view kHeader = "method.request.header.";
  constexpr std::string_view kQuery = "method.request.querystring.";
  constexpr std::string_view kPath = "method.request.path.";
  constexpr std::string_view kStage = "stageVariables.";
  constexpr std::string_view kContext = "context.";
  const std::string expected = expected_sources(type);
  using Kind = IdentitySource::Kind;
  Kind kind = Kind::kHeader;
  std::string_view what;
  std::string name;
  if (s.starts_with(kHeader)) {
    kind = Kind::kHeader;
    name = s.substr(kHeader.size());
  } else if (s.starts_with(kQuery)) {
    kind = Kind::kQueryString;
    what = "a query string parameter";
    name = s.substr(kQuery.size());
  } else if (s.starts_with(kStage)) {
    kind = Kind::kStageVariable;
    what = "a stage variable";
    name = s.substr(kStage.size());
  } else if (s.starts_with(kContext)) {
    kind = Kind::kContext;
    what = "a context value";
    name = s.substr(kContext.size());
  } else if (s.starts_with(kPath)) {
    // API Gateway refuses them too: the path is already in the method ARN the policy names.
    return fail(c, f,
                quote(s) +
                    ": path parameters cannot be identity sources (API Gateway does not allow "
                    "them)" +
                    expected);
  } else {
    return fail(c, f, quote(s) + " is not an identity source" + expected);
  }

  if (type == AuthorizerType::kToken && kind != Kind::kHeader) {
    return fail(c, f,
                quote(s) + " is " + std::string(what) +
                    ", but a token authorizer takes its token from a header" + expected +
                    ", or use type: request");
  }
  if (type == AuthorizerType::kJwt && (kind == Kind::kStageVariable || kind == Kind::kContext)) {
    return fail(c, f,
                quote(s) + " is " + std::string(what) +
                    ", but a jwt authorizer takes its token from a header or a query string "
                    "parameter" +
                    expected);
  }

  switch (kind) {
    case Kind::kHeader:
      if (!all_of(name, is_token_char)) {
        return fail(c, f, quote(name) + " is not a valid header name" + expected);
      }
      break;
    case Kind::kQueryString:
      if (name.empty() || has_control_char(name) ||
          name.find_first_of("&=# ") != std::string::npos) {
        return fail(c, f, quote(name) + " is not a valid query string parameter name" + expected);
      }
      break;
    case Kind::kStageVariable: {
      if (!all_of(name, is_stage_char)) {
        return fail(
            c, f,
            quote(name) + " is not a valid stage variable name; expected letters, digits and '_'");
      }
      // Why: a source that is never present refuses every request with 401; say so now.
      bool defined = std::any_of(api.stage_variables.begin(), api.stage_variables.end(),
                                 [&](const auto& v) { return v.first == name; });
      if (!defined) {
        return fail(c, f,
                    quote(s) +
                        " names a stage variable that api.stage_variables does not define, so "
                        "every request would be refused with 401; define it or remove this "
                        "source");
      }
      break;
    }
    case Kind::kContext:
      // The context values gatehouse sets in every event's requestContext.
      if (!core::find_context_var(name, core::kIdentitySource)) {
        std::string supported;
        for (const core::ContextVarInfo& v : core::kContextVars) {
          if ((v.uses & core::kIdentitySource) == 0) continue;
          if (!supported.empty()) supported += ", ";
          supported += kContext;
          supported += v.name;
        }
        return fail(c, f,
                    quote(s) + " is not a supported context value; expected one of: " + supported);
      }
      break;
  }
  *out = IdentitySource{kind, std::move(name)};
  return {};
}

// authorizers.<name>.identity_source. jwt and token: one source into out->identity_source.
// request: a comma-separated string or a list into out->identity_sources, without repeats.
core::Status parse_identity_sources(const Ctx& c, const Field& f, const Api& api, Authorizer* out) {
  const std::string type_name(kAuthorizerTypes[static_cast<size_t>(out->type)]);
  if (out->type != AuthorizerType::kRequest) {
    if (f.value.IsSequence() ||
        (f.value.IsScalar() && f.value.Scalar().find(',') != std::string::npos)) {
      return fail(c, f,
                  "a " + type_name + " authorizer takes exactly one identity source" +
                      expected_sources(out->type));
    }
    std::string s;
    GH_CONFIG_TRY(read_nonempty_string(c, f, &s));
    return parse_identity_source(c, f, s, out->type, api, &out->identity_source);
  }

  // Each source with the field its errors point at.
  std::vector<std::pair<std::string, Field>> written;
  if (f.value.IsSequence()) {
    if (f.value.size() == 0) {
      return fail(c, f, "the list is empty; expected at least one identity source");
    }
    for (size_t i = 0; i < f.value.size(); ++i) {
      Field e = item(f, i, f.value[i]);
      std::string s;
      GH_CONFIG_TRY(read_nonempty_string(c, e, &s));
      written.emplace_back(std::move(s), std::move(e));
    }
  } else {
    std::string all;
    GH_CONFIG_TRY(read_nonempty_string(c, f, &all));
    // API Gateway's form: "method.request.header.A, stageVariables.b"; blanks around commas.
    size_t begin = 0;
    while (true) {
      size_t comma = all.find(',', begin);
      std::string_view piece = core::trim_ows(std::string_view(all).substr(
          begin, comma == std::string::npos ? std::string::npos : comma - begin));
      if (piece.empty()) {
        return fail(
            c, f,
            quote(all) + " has an empty entry; expected identity sources separated by commas");
      }
      written.emplace_back(std::string(piece), f);
      if (comma == std::string::npos) break;
      begin = comma + 1;
    }
  }
  out->identity_sources.clear();
  for (const auto& [s, field] : written) {
    IdentitySource source;
    GH_CONFIG_TRY(parse_identity_source(c, field, s, out->type, api, &source));
    for (const IdentitySource& earlier : out->identity_sources) {
      bool same = earlier.kind == source.kind &&
                  (source.kind == IdentitySource::Kind::kHeader
                       ? core::ascii_lower(earlier.name) ==
                             core::ascii_lower(source.name)  // case-insensitive
                       : earlier.name == source.name);
      if (same) {
        return fail(c, field,
                    quote(s) + " is listed twice" +
                        (earlier.to_string() != s ? " (header names are case-insensitive)" : ""));
      }
    }
    out->identity_sources.push_back(std::move(source));
  }
  return {};
}

// *source_field: the entry that names the key source, for errors found later.
core::Status parse_jwt_keys(const Ctx& c, const Field& f, JwtKeys* out, Field* source_field) {
  auto m = MapReader::open(c, f, kJwtKeysKeys);
  if (!m) return m.error();
  // Exactly one source; the second one found is the error.
  const Field* source = nullptr;
  std::string_view source_name;
  for (const auto& [name, field] : m->entries()) {
    if (std::find(kKeySources.begin(), kKeySources.end(), name) == kKeySources.end()) continue;
    if (source != nullptr) {
      return fail_key(
          c, field,
          std::string(source_name) + " is already set; give exactly one of: " + join(kKeySources));
    }
    source = &field;
    source_name = *std::find(kKeySources.begin(), kKeySources.end(), name);
  }
  if (source == nullptr) {
    return fail(c, f, "no key source; expected exactly one of: " + join(kKeySources));
  }
  *source_field = *source;
  if (source_name == "jwks_file") {
    out->source = JwtKeys::Source::kJwksFile;
    GH_CONFIG_TRY(read_path(c, *source, &out->location));
  } else if (source_name == "jwks_url") {
    out->source = JwtKeys::Source::kJwksUrl;
    GH_CONFIG_TRY(read_url(c, *source, &out->location));
  } else if (source_name == "discovery_url") {
    out->source = JwtKeys::Source::kDiscoveryUrl;
    GH_CONFIG_TRY(read_url(c, *source, &out->location));
  } else if (source_name == "pem_file") {
    out->source = JwtKeys::Source::kPemFile;
    GH_CONFIG_TRY(read_path(c, *source, &out->location));
  } else if (source_name == "issuer") {
    out->source = JwtKeys::Source::kIssuer;
    std::string value;
    GH_CONFIG_TRY(read_nonempty_string(c, *source, &value));
    if (value != "self") {
      return fail(c, *source,
                  "unknown value " + quote(value) +
                      "; expected self (the embedded issuer); for another issuer use jwks_url "
                      "or discovery_url");
    }
  } else {
    out->source = JwtKeys::Source::kHmacSecret;
    GH_CONFIG_TRY(parse_secret_ref(c, *source, &out->hmac_secret));
  }

  // Fetch settings mean nothing for keys that are not fetched: refuse rather than ignore them.
  bool fetched =
      out->source == JwtKeys::Source::kJwksUrl || out->source == JwtKeys::Source::kDiscoveryUrl;
  bool jwks = fetched || out->source == JwtKeys::Source::kJwksFile;
  for (std::string_view knob :
       {"refresh_interval_s", "retry_interval_s", "refetch_min_interval_s", "fetch_timeout_ms"}) {
    if (const Field* k = m->get(knob); k != nullptr && !fetched) {
      std::string what(knob);
      what += " applies only to keys fetched from jwks_url or discovery_url, not to ";
      what += source_name;
      return fail_key(c, *k, what);
    }
  }
  if (const Field* k = m->get("max_jwks_bytes"); k != nullptr && !jwks) {
    std::string what =
        "max_jwks_bytes applies only to jwks_file, jwks_url and discovery_url, not to ";
    what += source_name;
    return fail_key(c, *k, what);
  }
  GH_CONFIG_TRY(read_number(c, m->get("refresh_interval_s"), 1, 604'800, &out->refresh_interval_s));
  GH_CONFIG_TRY(read_number(c, m->get("retry_interval_s"), 1, 86'400, &out->retry_interval_s));
  GH_CONFIG_TRY(
      read_number(c, m->get("refetch_min_interval_s"), 0, 86'400, &out->refetch_min_interval_s));
  GH_CONFIG_TRY(read_number(c, m->get("fetch_timeout_ms"), 1, 60'000, &out->fetch_timeout_ms));
  GH_CONFIG_TRY(read_number(c, m->get("max_jwks_bytes"), 1024, 16 << 20, &out->max_jwks_bytes));
  return {};
}

core::Status parse_algorithms(const Ctx& c, const Field& f, std::vector<JwtAlg>* out) {
  if (!f.value.IsSequence()) {
    return fail(c, f, "expected a list of algorithms, e.g. [RS256]; got " + describe(f.value));
  }
  if (f.value.size() == 0) {
    return fail(c, f, "the list is empty; expected at least one of: " + join(kAlgNames));
  }
  out->clear();
  for (size_t i = 0; i < f.value.size(); ++i) {
    Field e = item(f, i, f.value[i]);
    if (e.value.IsScalar() && core::ascii_lower(e.value.Scalar()) == "none") {
      // Why: "none" means an unsigned token; accepting it would let anyone mint tokens.
      return fail(c, e,
                  "'none' is never allowed: it would accept unsigned tokens that anyone can "
                  "forge; expected one of: " +
                      join(kAlgNames));
    }
    size_t index = 0;
    GH_CONFIG_TRY(read_enum(c, e, kAlgNames, &index));
    JwtAlg alg = static_cast<JwtAlg>(index);
    if (std::find(out->begin(), out->end(), alg) != out->end()) {
      return fail(c, e, quote(kAlgNames[index]) + " is listed twice");
    }
    out->push_back(alg);
  }
  return {};
}

// The jwt keys of authorizer map m (a type: jwt authorizer).
core::Status parse_jwt_settings(const Ctx& c, const MapReader& m,
                                const std::optional<Issuer>& embedded, JwtSettings* out) {
  JwtSettings& jwt = *out;
  const Field* keys = m.get("keys");
  if (keys == nullptr) {
    return m.missing(c, "keys", "; expected exactly one of: " + join(kKeySources));
  }
  Field source;
  GH_CONFIG_TRY(parse_jwt_keys(c, *keys, &jwt.keys, &source));
  const bool self_issued = jwt.keys.source == JwtKeys::Source::kIssuer;
  if (self_issued && !embedded) {
    return fail(c, source,
                "issuer: self needs the embedded issuer, but there is no top-level issuer: "
                "section; add one or point keys at another issuer");
  }
  const Field* issuer = m.get("issuer");
  if (issuer != nullptr) {
    GH_CONFIG_TRY(read_nonempty_string(c, *issuer, &jwt.issuer));
    if (self_issued && jwt.issuer != embedded->issuer_url) {
      return fail(c, *issuer,
                  quote(jwt.issuer) + " differs from issuer.issuer_url " +
                      quote(embedded->issuer_url) +
                      ", so no token from the embedded issuer would pass; remove it or make "
                      "them equal");
    }
  } else if (self_issued) {
    jwt.issuer = embedded->issuer_url;
  } else {
    return m.missing(c, "issuer",
                     "; expected the token issuer (iss), e.g. https://issuer.example/");
  }
  const Field* audiences = m.get("audiences");
  if (audiences == nullptr) {
    return m.missing(c, "audiences",
                     "; expected a list of accepted aud values, e.g. [https://my-api]");
  }
  GH_CONFIG_TRY(read_string_list(c, *audiences, &jwt.audiences));
  const Field* algorithms = m.get("algorithms");
  if (algorithms != nullptr) GH_CONFIG_TRY(parse_algorithms(c, *algorithms, &jwt.algorithms));
  GH_CONFIG_TRY(read_number(c, m.get("leeway_s"), 0, 300, &jwt.leeway_s));
  GH_CONFIG_TRY(read_number(c, m.get("max_token_bytes"), 256, 65536, &jwt.max_token_bytes));
  if (self_issued && algorithms == nullptr) {
    jwt.algorithms = {embedded->algorithm};
  } else if (self_issued && std::find(jwt.algorithms.begin(), jwt.algorithms.end(),
                                      embedded->algorithm) == jwt.algorithms.end()) {
    return fail(c, *algorithms,
                "the embedded issuer signs with " + std::string(to_string(embedded->algorithm)) +
                    ", which this list does not allow; add it or remove algorithms:");
  }

  // Why: mixing HMAC with public-key sources enables algorithm confusion (a token signed with HS256
  // using the public key as the secret). HS* algorithms if and only if an HMAC secret.
  bool hmac_keys = jwt.keys.source == JwtKeys::Source::kHmacSecret;
  for (size_t i = 0; i < jwt.algorithms.size(); ++i) {
    JwtAlg alg = jwt.algorithms[i];
    if (is_hmac(alg) == hmac_keys) continue;
    if (algorithms == nullptr) {  // the default [RS256] with an HMAC secret
      return fail_key(
          c, source,
          "an HMAC secret verifies only HS256, HS384 or HS512, but algorithms defaults to "
          "[RS256]; add algorithms: [HS256]");
    }
    Field e = item(*algorithms, i, algorithms->value[i]);
    if (hmac_keys) {
      return fail(c, e,
                  std::string(to_string(alg)) +
                      " needs a public key, but keys has hmac_secret; with an HMAC secret "
                      "use only HS256, HS384 or HS512");
    }
    return fail(c, e,
                std::string(to_string(alg)) +
                    " needs keys.hmac_secret, but keys are public keys; use RS*, PS*, ES* or "
                    "EdDSA with public keys");
  }
  return {};
}

// A token authorizer's validation_regex: it must compile as an ECMAScript regex.
core::Status read_validation_regex(const Ctx& c, const Field& f, std::string* out) {
  GH_CONFIG_TRY(read_nonempty_string(c, f, out));
  try {
    boost::regex compiled(*out, boost::regex::ECMAScript);
  } catch (const boost::regex_error& e) {
    // what() is "<reason>.  The error occurred while parsing ... '<pattern with a marker>'."
    std::string reason = e.what();
    if (size_t end = reason.find(".  "); end != std::string::npos) reason.resize(end);
    return fail(c, f,
                quote(*out) + " is not a valid regular expression: " + reason + " (at offset " +
                    std::to_string(e.position()) +
                    "); expected an ECMAScript regex, e.g. \"^Bearer [-0-9a-zA-Z._]+$\"");
  }
  return {};
}

// The function keys of authorizer map m (a type: token or type: request authorizer).
core::Status parse_function_authorizer(const Ctx& c, const MapReader& m,
                                       const std::vector<Function>& functions,
                                       FunctionAuthorizerSettings* out) {
  const Field* function = m.get("function");
  if (function == nullptr) {
    return m.missing(c, "function", "; expected the name of a function under functions:");
  }
  GH_CONFIG_TRY(read_function_ref(c, *function, functions, &out->function));
  if (const Field* r = m.get("validation_regex")) {
    GH_CONFIG_TRY(read_validation_regex(c, *r, &out->validation_regex));
  }
  if (const Field* s = m.get("cache_scope")) {
    static constexpr std::array<std::string_view, 2> kScopes = {"identity", "method"};
    size_t index = 0;
    GH_CONFIG_TRY(read_enum(c, *s, kScopes, &index));
    out->cache_scope = index == 0 ? CacheScope::kIdentity : CacheScope::kMethod;
  }
  return {};
}

// `parsed` holds the sections parsed before authorizers: issuer, functions and api.
core::Status parse_authorizer(const Ctx& c, const std::string& name, const Field& f,
                              const Config& parsed, Authorizer* out) {
  auto m = MapReader::open(c, f, kAuthorizerKeys);
  if (!m) return m.error();
  out->name = name;
  out->pos = source_pos(c, f.mark);

  const Field* type = m->get("type");
  if (type == nullptr) return m->missing(c, "type", "; expected type: jwt, token or request");
  size_t type_index = 0;
  GH_CONFIG_TRY(read_enum(c, *type, kAuthorizerTypes, &type_index));
  out->type = static_cast<AuthorizerType>(type_index);
  const bool jwt = out->type == AuthorizerType::kJwt;

  // Keys of another type are mistakes, not options to ignore.
  for (const auto& [key, field] : m->entries()) {
    if (!jwt && std::find(kJwtOnlyKeys.begin(), kJwtOnlyKeys.end(), key) != kJwtOnlyKeys.end()) {
      return fail_key(c, field,
                      quote(key) + " is only for type: jwt; a " +
                          std::string(kAuthorizerTypes[type_index]) +
                          " authorizer leaves verification to its function");
    }
    if (jwt && (key == "function" || key == "cache_scope")) {
      return fail_key(c, field, quote(key) + " is only for type: token or type: request");
    }
    if (out->type != AuthorizerType::kToken && key == "validation_regex") {
      return fail_key(c, field, "'validation_regex' is only for type: token");
    }
  }

  if (const Field* s = m->get("identity_source")) {
    GH_CONFIG_TRY(parse_identity_sources(c, *s, parsed.api, out));
  }
  GH_CONFIG_TRY(read_number(c, m->get("cache_ttl_s"), 0, 3600, &out->cache_ttl_s));
  GH_CONFIG_TRY(
      read_number(c, m->get("cache_max_entries"), 1, 10'000'000, &out->cache_max_entries));
  if (out->type == AuthorizerType::kRequest && out->identity_sources.empty() &&
      out->cache_ttl_s > 0) {
    // API Gateway's rule: the identity sources' values are the cache key.
    return m->missing(c, "identity_source",
                      "; a request authorizer with its cache on (cache_ttl_s > 0; the default is "
                      "300) needs identity sources, whose values are the cache key; add e.g. "
                      "identity_source: method.request.header.Authorization, or set "
                      "cache_ttl_s: 0");
  }
  if (jwt) return parse_jwt_settings(c, *m, parsed.issuer, &out->jwt);
  return parse_function_authorizer(c, *m, parsed.functions, &out->function);
}

}  // namespace

core::Status parse_authorizers(const Ctx& c, const Field& f, const Config& parsed,
                               std::vector<Authorizer>* out) {
  auto m = MapReader::open_any(c, f);
  if (!m) return m.error();
  for (const auto& [name, field] : m->entries()) {
    if (name == kPublic) {
      return fail_key(c, field,
                      "'none' is reserved for public routes (auth: none); pick another name");
    }
    if (!all_of(name, is_name_char)) {
      return fail_key(c, field,
                      quote(name) +
                          " is not a valid authorizer name; expected letters, digits, '_' "
                          "and '-'");
    }
    Authorizer a;
    a.name = name;
    GH_CONFIG_TRY(record_entry_error(c, parse_authorizer(c, name, field, parsed, &a)));
    out->push_back(std::move(a));
  }
  return {};
}

}  // namespace gatehouse::config::detail
