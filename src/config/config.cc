#include "config/config.h"

#include <arpa/inet.h>
#include <yaml-cpp/yaml.h>

#include <boost/regex.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <exception>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <span>
#include <utility>

#include "core/assert.h"
#include "core/files.h"

namespace gatehouse::config {
namespace {

// Returns the Status from `expr` if it is an error.
#define GH_CONFIG_TRY(expr)                \
  do {                                     \
    ::gatehouse::core::Status s_ = (expr); \
    if (!s_.ok()) return s_;               \
  } while (0)

constexpr std::array<std::string_view, 8> kMethodNames = {"GET",    "POST", "PUT",     "PATCH",
                                                          "DELETE", "HEAD", "OPTIONS", "ANY"};
constexpr std::array<std::string_view, 12> kAlgNames = {"RS256", "RS384", "RS512", "PS256",
                                                        "PS384", "PS512", "ES256", "ES384",
                                                        "EdDSA", "HS256", "HS384", "HS512"};
constexpr std::array<std::string_view, 18> kGatewayResponseNames = {
    "ACCESS_DENIED",
    "API_CONFIGURATION_ERROR",
    "AUTHORIZER_CONFIGURATION_ERROR",
    "AUTHORIZER_FAILURE",
    "BAD_REQUEST_BODY",
    "BAD_REQUEST_PARAMETERS",
    "DEFAULT_4XX",
    "DEFAULT_5XX",
    "EXPIRED_TOKEN",
    "INTEGRATION_FAILURE",
    "INTEGRATION_TIMEOUT",
    "MISSING_AUTHENTICATION_TOKEN",
    "QUOTA_EXCEEDED",
    "REQUEST_TOO_LARGE",
    "RESOURCE_NOT_FOUND",
    "THROTTLED",
    "UNAUTHORIZED",
    "UNSUPPORTED_MEDIA_TYPE",
};
constexpr std::array<std::string_view, 6> kKeySources = {
    "jwks_file", "jwks_url", "discovery_url", "pem_file", "hmac_secret", "issuer"};

constexpr std::array<std::string_view, 11> kJwtKeysKeys = {
    "jwks_file",          "jwks_url",         "discovery_url",
    "pem_file",           "hmac_secret",      "issuer",
    "refresh_interval_s", "retry_interval_s", "refetch_min_interval_s",
    "fetch_timeout_ms",   "max_jwks_bytes"};

// The algorithms the embedded issuer can sign with (indexes into kAlgNames order by name).
constexpr std::array<std::string_view, 3> kIssuerAlgNames = {"RS256", "ES256", "EdDSA"};

// Names a config may not give an authorizer: "none" marks public routes.
constexpr std::string_view kPublic = "none";

// In AuthorizerType order.
constexpr std::array<std::string_view, 3> kAuthorizerTypes = {"jwt", "token", "request"};
// Keys of a jwt authorizer; a token or request authorizer leaves verification to its function.
constexpr std::array<std::string_view, 6> kJwtOnlyKeys = {
    "issuer", "audiences", "algorithms", "leeway_s", "max_token_bytes", "keys"};
constexpr std::array<std::string_view, 13> kAuthorizerKeys = {
    "type",     "identity_source",  "issuer",     "audiences",   "algorithms",
    "leeway_s", "max_token_bytes",  "keys",       "cache_ttl_s", "cache_max_entries",
    "function", "validation_regex", "cache_scope"};

// In IntegrationType order.
constexpr std::array<std::string_view, 3> kIntegrationTypes = {"mock", "crud", "function"};

// The context values a request authorizer may use as identity sources (`context.<path>`): those
// gatehouse sets in every event's requestContext.
constexpr std::array<std::string_view, 14> kContextPaths = {"httpMethod",
                                                            "resourcePath",
                                                            "resourceId",
                                                            "path",
                                                            "stage",
                                                            "requestId",
                                                            "extendedRequestId",
                                                            "apiId",
                                                            "accountId",
                                                            "domainName",
                                                            "domainPrefix",
                                                            "protocol",
                                                            "identity.sourceIp",
                                                            "identity.userAgent"};

constexpr std::array<std::string_view, 10> kFunctionKeys = {
    "runtime",     "command",   "handler",   "working_dir", "environment",
    "concurrency", "timeout_s", "memory_mb", "start",       "max_queue"};
constexpr std::array<std::string_view, 1> kRuntimes = {"node"};

std::string join(std::span<const std::string_view> names) {
  std::string out;
  for (std::string_view n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

std::string quote(std::string_view s) {
  std::string out = "'";
  out += s;
  out += "'";
  return out;
}

// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) {
    d[i][0] = i;
  }
  for (size_t j = 0; j <= b.size(); ++j) {
    d[0][j] = j;
  }
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// The closest name within edit distance 2, or empty.
std::string_view suggest(std::string_view key, std::span<const std::string_view> names) {
  std::string_view best;
  size_t best_distance = 3;
  for (std::string_view n : names) {
    size_t longer = std::max(key.size(), n.size());
    if (longer - std::min(key.size(), n.size()) >= best_distance) continue;  // cannot be closer
    size_t d = edit_distance(key, n);
    if (d < best_distance) {
      best = n;
      best_distance = d;
    }
  }
  return best;
}

// Parsing context: the file name for messages and the directory relative paths resolve against.
struct Ctx {
  std::string file;
  std::filesystem::path dir;
};

// A YAML value with its key path and the mark errors about it point at.
struct Field {
  std::string path;
  YAML::Node value;
  YAML::Mark mark;
  YAML::Mark key_mark;  // for map entries: the key's, for errors about the name itself
};

// "<file>:<line>:<col>: <path>: <what>"
core::Status fail(const Ctx& c, const YAML::Mark& m, std::string_view path, std::string_view what) {
  std::string msg = c.file;
  msg += ':';
  msg += std::to_string(m.is_null() ? 1 : m.line + 1);
  msg += ':';
  msg += std::to_string(m.is_null() ? 1 : m.column + 1);
  msg += ": ";
  if (!path.empty()) {
    msg += path;
    msg += ": ";
  }
  msg += what;
  return core::invalid_argument(std::move(msg));
}

core::Status fail(const Ctx& c, const Field& f, std::string_view what) {
  return fail(c, f.mark, f.path, what);
}

// An error about a map entry's key (its name or its presence), pointing at the key.
core::Status fail_key(const Ctx& c, const Field& f, std::string_view what) {
  return fail(c, f.key_mark, f.path, what);
}

SourcePos source_pos(const Ctx& c, const YAML::Mark& m) {
  return SourcePos{c.file, m.is_null() ? 1 : m.line + 1, m.is_null() ? 1 : m.column + 1};
}

// What a node is, for "expected X, got Y".
std::string describe(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null:
      return "an empty value";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      return s.size() <= 60 ? quote(s) : quote(s.substr(0, 57) + "...");
    }
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

std::string child_path(const std::string& parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return parent + "." + std::string(key);
}

Field item(const Field& list, size_t i, const YAML::Node& node) {
  // yaml-cpp marks an empty value at the next token; the list's own mark is closer to the truth.
  YAML::Mark mark = node.IsNull() ? list.mark : node.Mark();
  return Field{list.path + "[" + std::to_string(i) + "]", node, mark, mark};
}

// A map's entries, checked: every key a scalar, at most once, and (unless any key is allowed)
// one of the allowed names.
class MapReader {
 public:
  // Fails unless f is a map whose keys are all in `allowed`.
  static core::Result<MapReader> open(const Ctx& c, const Field& f,
                                      std::span<const std::string_view> allowed) {
    return open_impl(c, f, allowed, false);
  }
  static core::Result<MapReader> open(const Ctx& c, const Field& f,
                                      std::initializer_list<std::string_view> allowed) {
    return open_impl(c, f, std::span<const std::string_view>(allowed.begin(), allowed.size()),
                     false);
  }
  // Any key names are allowed (authorizer names, header names).
  static core::Result<MapReader> open_any(const Ctx& c, const Field& f) {
    return open_impl(c, f, {}, true);
  }

  // The entry for key, or nullptr.
  const Field* get(std::string_view key) const {
    for (const auto& [k, field] : entries_) {
      if (k == key) return &field;
    }
    return nullptr;
  }
  const std::vector<std::pair<std::string, Field>>& entries() const { return entries_; }
  const Field& self() const { return self_; }
  std::string path_of(std::string_view key) const { return child_path(self_.path, key); }

  // "<path>.<key>: required key is missing<hint>", pointing at this map.
  core::Status missing(const Ctx& c, std::string_view key, std::string_view hint = {}) const {
    return fail(c, self_.mark, path_of(key), "required key is missing" + std::string(hint));
  }

 private:
  static core::Result<MapReader> open_impl(const Ctx& c, const Field& f,
                                           std::span<const std::string_view> allowed,
                                           bool any_key) {
    if (!f.value.IsMap()) {
      return fail(c, f, "expected a map, got " + describe(f.value));
    }
    MapReader r;
    r.self_ = f;
    for (auto it = f.value.begin(); it != f.value.end(); ++it) {
      // Copies: yaml-cpp iterators hand out proxies whose members die with the expression.
      const YAML::Node key = it->first;
      if (!key.IsScalar()) {
        return fail(c, key.Mark(), f.path, "keys must be plain names, got " + describe(key));
      }
      const std::string& name = key.Scalar();
      std::string path = child_path(f.path, name);
      if (!any_key && std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        std::string_view close = suggest(name, allowed);
        if (!close.empty()) {
          return fail(c, key.Mark(), path,
                      "unknown key " + quote(name) + "; did you mean " + quote(close) + "?");
        }
        return fail(c, key.Mark(), path,
                    "unknown key " + quote(name) + "; expected one of: " + join(allowed));
      }
      if (r.get(name) != nullptr) {
        return fail(c, key.Mark(), path, "duplicate key " + quote(name) + "; give each key once");
      }
      const YAML::Node value = it->second;
      r.entries_.emplace_back(name, Field{std::move(path), value,
                                          value.IsNull() ? key.Mark() : value.Mark(), key.Mark()});
    }
    return r;
  }

  Field self_;
  std::vector<std::pair<std::string, Field>> entries_;  // in file order
};

// ---------------------------------------------------------------------------------------------
// Scalar readers

// Any scalar, as written.
core::Status read_string(const Ctx& c, const Field& f, std::string* out) {
  if (!f.value.IsScalar()) return fail(c, f, "expected a string, got " + describe(f.value));
  *out = f.value.Scalar();
  return {};
}

core::Status read_nonempty_string(const Ctx& c, const Field& f, std::string* out) {
  GH_CONFIG_TRY(read_string(c, f, out));
  if (out->empty()) return fail(c, f, "expected a non-empty string, got an empty string");
  return {};
}

core::Status read_uint(const Ctx& c, const Field& f, uint64_t min, uint64_t max, uint64_t* out) {
  const std::string expected =
      "expected an integer in " + std::to_string(min) + ".." + std::to_string(max);
  if (!f.value.IsScalar()) return fail(c, f, expected + ", got " + describe(f.value));
  const std::string& s = f.value.Scalar();
  if (f.value.Tag() == "!") {
    return fail(c, f, expected + ", got the quoted string " + quote(s) + "; remove the quotes");
  }
  bool negative = !s.empty() && s[0] == '-';
  const char* first = s.data() + (negative ? 1 : 0);
  const char* last = s.data() + s.size();
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(first, last, v);
  if (first == last || ptr != last || ec == std::errc::invalid_argument) {
    return fail(c, f, expected + ", got " + describe(f.value));
  }
  if (ec == std::errc::result_out_of_range || negative || v < min || v > max) {
    return fail(c, f, s + " is out of range; " + expected);
  }
  *out = v;
  return {};
}

template <class T>
core::Status read_number(const Ctx& c, const Field* f, uint64_t min, uint64_t max, T* out) {
  if (f == nullptr) return {};  // absent: keep the default
  uint64_t v = 0;
  GH_CONFIG_TRY(read_uint(c, *f, min, max, &v));
  *out = static_cast<T>(v);
  return {};
}

// The index of the scalar in names.
core::Status read_enum(const Ctx& c, const Field& f, std::span<const std::string_view> names,
                       size_t* index) {
  if (!f.value.IsScalar()) {
    return fail(c, f, "expected one of: " + join(names) + "; got " + describe(f.value));
  }
  const std::string& s = f.value.Scalar();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == s) {
      *index = i;
      return {};
    }
  }
  return fail(c, f, "unknown value " + quote(s) + "; expected one of: " + join(names));
}

// A non-empty list of non-empty strings.
core::Status read_string_list(const Ctx& c, const Field& f, std::vector<std::string>* out) {
  if (!f.value.IsSequence()) {
    return fail(c, f, "expected a list of strings, got " + describe(f.value));
  }
  if (f.value.size() == 0) return fail(c, f, "the list is empty; expected at least one entry");
  out->clear();
  for (size_t i = 0; i < f.value.size(); ++i) {
    Field e = item(f, i, f.value[i]);
    std::string s;
    GH_CONFIG_TRY(read_nonempty_string(c, e, &s));
    out->push_back(std::move(s));
  }
  return {};
}

// A string, number or boolean, as written (`true`, `0.50`): for values that end up as text.
core::Status read_scalar(const Ctx& c, const Field& f, std::string* out) {
  if (!f.value.IsScalar()) {
    return fail(c, f, "expected a string, number or boolean, got " + describe(f.value));
  }
  *out = f.value.Scalar();
  return {};
}

bool all_of(std::string_view s, bool (*pred)(char)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), pred);
}
bool is_alnum(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}
bool is_digit(char ch) {
  return ch >= '0' && ch <= '9';
}
bool is_stage_char(char ch) {
  return is_alnum(ch) || ch == '_';
}
bool is_lower_alnum(char ch) {
  return (ch >= 'a' && ch <= 'z') || is_digit(ch);
}
bool is_region_char(char ch) {
  return is_lower_alnum(ch) || ch == '-';
}
bool is_name_char(char ch) {
  return is_alnum(ch) || ch == '_' || ch == '-';
}
bool is_env_char(char ch) {
  return is_alnum(ch) || ch == '_';
}
// RFC 6838 restricted-name characters (media types), without the '*' of wildcards.
bool is_media_char(char ch) {
  return is_alnum(ch) || std::string_view("!#$&-^_.+").find(ch) != std::string_view::npos;
}
// RFC 9110 token (header names).
bool is_token_char(char ch) {
  return is_alnum(ch) || std::string_view("!#$%&'*+-.^_`|~").find(ch) != std::string_view::npos;
}
bool has_control_char(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char ch) { return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f; });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return out;
}

// The function named by f's value, which must be defined under functions:.
core::Status read_function_ref(const Ctx& c, const Field& f, const std::vector<Function>& functions,
                               std::string* out) {
  GH_CONFIG_TRY(read_nonempty_string(c, f, out));
  std::vector<std::string_view> names;
  for (const Function& fn : functions) {
    if (fn.name == *out) return {};
    names.push_back(fn.name);
  }
  return fail(c, f,
              "unknown function " + quote(*out) +
                  (names.empty() ? "; no functions are defined (add one under functions:)"
                                 : "; expected one of: " + join(names)));
}

// "host:port" with an IP literal; IPv6 in brackets.
core::Status read_listen(const Ctx& c, const Field& f, ListenAddress* out) {
  std::string s;
  GH_CONFIG_TRY(read_string(c, f, &s));
  const std::string expected =
      "; expected an IP address and port, e.g. 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080";
  std::string host;
  std::string port;
  if (!s.empty() && s[0] == '[') {
    size_t close = s.find(']');
    if (close == std::string::npos || close + 1 >= s.size() || s[close + 1] != ':') {
      return fail(c, f, quote(s) + " is not a valid listen address" + expected);
    }
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
    in6_addr a6{};
    if (inet_pton(AF_INET6, host.c_str(), &a6) != 1) {
      return fail(c, f, quote(host) + " is not an IPv6 address" + expected);
    }
  } else {
    size_t colon = s.rfind(':');
    if (colon == std::string::npos) {
      return fail(c, f, quote(s) + " has no port" + expected);
    }
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
    if (host.find(':') != std::string::npos) {
      return fail(c, f, quote(s) + ": an IPv6 address goes in brackets, e.g. [::1]:8080");
    }
    in_addr a4{};
    if (inet_pton(AF_INET, host.c_str(), &a4) != 1) {
      return fail(c, f, quote(host) + " is not an IP address" + expected);
    }
  }
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || port.size() > 5 || ptr != port.data() + port.size() || ec != std::errc() ||
      value > 65535) {
    return fail(c, f, quote(port) + " is not a port number (0..65535)" + expected);
  }
  out->host = std::move(host);
  out->port = static_cast<uint16_t>(value);
  return {};
}

std::string resolve_path(const Ctx& c, const std::string& p) {
  std::filesystem::path path(p);
  if (path.is_absolute()) return path.lexically_normal().string();
  return (c.dir / path).lexically_normal().string();
}

// A file path: non-empty, resolved against the config's directory.
core::Status read_path(const Ctx& c, const Field& f, std::string* out) {
  std::string p;
  GH_CONFIG_TRY(read_nonempty_string(c, f, &p));
  if (p.find('\0') != std::string::npos) return fail(c, f, "a path cannot contain NUL bytes");
  *out = resolve_path(c, p);
  return {};
}

core::Status read_url(const Ctx& c, const Field& f, std::string* out) {
  GH_CONFIG_TRY(read_nonempty_string(c, f, out));
  std::string_view u = *out;
  size_t scheme = u.starts_with("https://") ? 8 : u.starts_with("http://") ? 7 : 0;
  bool ok = scheme != 0 && u.size() > scheme && u[scheme] != '/' && !has_control_char(u) &&
            u.find(' ') == std::string_view::npos;
  if (!ok) {
    return fail(c, f,
                quote(u) +
                    " is not a URL we can fetch; expected an http:// or https:// URL, e.g. "
                    "https://issuer.example/.well-known/jwks.json");
  }
  return {};
}

// Headers of a response: a map of name -> value, names case-insensitively unique.
core::Status read_headers(const Ctx& c, const Field& f, std::vector<Header>* out) {
  auto m = MapReader::open_any(c, f);
  if (!m) return m.error();
  out->clear();
  std::vector<std::string> seen;
  for (const auto& [name, field] : m->entries()) {
    if (!all_of(name, is_token_char)) {
      return fail_key(c, field,
                      quote(name) +
                          " is not a valid header name; expected letters, digits and "
                          "!#$%&'*+-.^_`|~");
    }
    std::string key = lower(name);
    if (key == "content-length" || key == "transfer-encoding" || key == "connection") {
      return fail_key(c, field, "the gateway sets " + quote(name) + " itself; remove it");
    }
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      return fail_key(
          c, field,
          "header " + quote(name) + " is given twice (header names are case-insensitive)");
    }
    seen.push_back(key);
    std::string value;
    GH_CONFIG_TRY(read_string(c, field, &value));
    if (value.find_first_of("\r\n") != std::string::npos || value.find('\0') != std::string::npos) {
      return fail(c, field, "a header value cannot contain line breaks or NUL bytes");
    }
    out->push_back({name, std::move(value)});
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// One parse function per struct

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
    std::string type = lower(s);
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

// Parsed before the authorizers (their stageVariables.<name> sources need stage_variables), so
// default_authorizer is only checked against 'none' here; *default_authorizer receives its entry
// for check_default_authorizer().
core::Status parse_api(const Ctx& c, const Field& f, Api* out,
                       std::optional<Field>* default_authorizer) {
  auto m = MapReader::open(c, f,
                           {"name", "stage", "listen", "region", "account_id", "api_id",
                            "io_threads", "default_authorizer", "shutdown_grace_ms", "limits",
                            "binary_media_types", "stage_variables"});
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
      if (std::find(kContextPaths.begin(), kContextPaths.end(), name) == kContextPaths.end()) {
        std::string supported;
        for (std::string_view p : kContextPaths) {
          if (!supported.empty()) supported += ", ";
          supported += kContext;
          supported += p;
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
      std::string_view piece = std::string_view(all).substr(
          begin, comma == std::string::npos ? std::string::npos : comma - begin);
      while (!piece.empty() && (piece.front() == ' ' || piece.front() == '\t')) {
        piece.remove_prefix(1);
      }
      while (!piece.empty() && (piece.back() == ' ' || piece.back() == '\t')) {
        piece.remove_suffix(1);
      }
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
                       ? lower(earlier.name) == lower(source.name)  // case-insensitive
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

core::Status parse_secret_ref(const Ctx& c, const Field& f, SecretRef* out) {
  // Why: an inline secret ends up in version control and in every copy of the file. The value is
  // deliberately not repeated in the message.
  if (!f.value.IsMap()) {
    return fail(c, f,
                "a secret is never accepted inline; expected {env: VARIABLE} or {file: path} "
                "(a file readable by its owner only)");
  }
  auto m = MapReader::open(c, f, {"env", "file"});
  if (!m) return m.error();
  const Field* env = m->get("env");
  const Field* file = m->get("file");
  if (env != nullptr && file != nullptr) {
    return fail_key(c, *file, "env is already set; give either env or file");
  }
  if (env != nullptr) {
    std::string name;
    GH_CONFIG_TRY(read_nonempty_string(c, *env, &name));
    if (!all_of(name, is_env_char) || is_digit(name[0])) {
      return fail(c, *env,
                  quote(name) +
                      " is not an environment variable name; expected letters, digits "
                      "and '_', e.g. JWT_SECRET");
    }
    *out = SecretRef{SecretRef::Kind::kEnv, std::move(name)};
    return {};
  }
  if (file != nullptr) {
    std::string path;
    GH_CONFIG_TRY(read_path(c, *file, &path));
    *out = SecretRef{SecretRef::Kind::kFile, std::move(path)};
    return {};
  }
  return fail(c, f, "expected {env: VARIABLE} or {file: path}, got an empty map");
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
    if (e.value.IsScalar() && lower(e.value.Scalar()) == "none") {
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
    GH_CONFIG_TRY(parse_authorizer(c, name, field, parsed, &a));
    out->push_back(std::move(a));
  }
  return {};
}

core::Status parse_mock_integration(const Ctx& c, const MapReader& m, MockIntegration* out) {
  // A final answer: a 1xx would desynchronise the client's connection.
  GH_CONFIG_TRY(read_number(c, m.get("status"), 200, 599, &out->status));
  if (const Field* h = m.get("headers")) GH_CONFIG_TRY(read_headers(c, *h, &out->headers));
  if (const Field* b = m.get("body")) GH_CONFIG_TRY(read_string(c, *b, &out->body));
  return {};
}

core::Status read_bool(const Ctx& c, const Field& f, bool* out) {
  if (f.value.IsScalar() && f.value.Tag() != "!") {
    const std::string& v = f.value.Scalar();
    if (v == "true") {
      *out = true;
      return {};
    }
    if (v == "false") {
      *out = false;
      return {};
    }
  }
  return fail(c, f, "expected true or false, got " + describe(f.value));
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
                               Integration* out) {
  static constexpr std::array<std::string_view, 9> kKeys = {
      "type",       "status",        "headers",  "body",      "table",
      "owner_only", "default_limit", "function", "timeout_ms"};
  auto m = MapReader::open(c, f, kKeys);
  if (!m) return m.error();
  out->pos = source_pos(c, f.mark);
  const Field* type = m->get("type");
  if (type == nullptr) {
    return m->missing(c, "type", "; expected type: mock, type: crud or type: function");
  }
  size_t index = 0;
  GH_CONFIG_TRY(read_enum(c, *type, kIntegrationTypes, &index));
  out->type = static_cast<IntegrationType>(index);
  // Keys of another type are mistakes, not options to ignore. Each key with the index of its
  // type in kIntegrationTypes.
  static constexpr std::array<std::pair<std::string_view, size_t>, 8> kKeyTypes = {{
      {"status", 0},
      {"headers", 0},
      {"body", 0},
      {"table", 1},
      {"owner_only", 1},
      {"default_limit", 1},
      {"function", 2},
      {"timeout_ms", 2},
  }};
  for (const auto& [name, field] : m->entries()) {
    // The binding is captured through an init-capture: clang refuses to capture it directly.
    auto it = std::find_if(kKeyTypes.begin(), kKeyTypes.end(),
                           [&key = name](const auto& k) { return k.first == key; });
    if (it != kKeyTypes.end() && it->second != index) {
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
  auto m = MapReader::open(c, f, {"path", "method", "methods", "auth", "scopes", "integration"});
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

  const Field* integration = m->get("integration");
  if (integration == nullptr) return m->missing(c, "integration", "; expected e.g. {type: mock}");
  return parse_integration(c, *integration, parsed, &out->integration);
}

core::Status parse_routes(const Ctx& c, const Field& f, const Config& parsed,
                          std::vector<Route>* out) {
  if (!f.value.IsSequence()) {
    return fail(c, f, "expected a list of routes, got " + describe(f.value));
  }
  if (f.value.size() == 0) return fail(c, f, "the list is empty; expected at least one route");
  for (size_t i = 0; i < f.value.size(); ++i) {
    Route r;
    GH_CONFIG_TRY(parse_route(c, item(f, i, f.value[i]), parsed, &r));
    out->push_back(std::move(r));
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
    GH_CONFIG_TRY(read_string(c, *b, &body));
    out->body = std::move(body);
  }
  return {};
}

core::Status parse_gateway_responses(const Ctx& c, const Field& f,
                                     std::vector<GatewayResponse>* out) {
  auto m = MapReader::open(c, f, kGatewayResponseNames);
  if (!m) return m.error();
  for (const auto& [name, field] : m->entries()) {
    size_t index = static_cast<size_t>(
        std::find(kGatewayResponseNames.begin(), kGatewayResponseNames.end(), name) -
        kGatewayResponseNames.begin());
    GatewayResponse r;
    GH_CONFIG_TRY(parse_gateway_response(c, static_cast<GatewayResponseType>(index), field, &r));
    out->push_back(std::move(r));
  }
  return {};
}

// Whether two listeners would want the same port (port 0 is always a fresh one).
bool collides(const ListenAddress& a, const ListenAddress& b) {
  auto unspecified = [](const std::string& host) { return host == "0.0.0.0" || host == "::"; };
  return a.port != 0 && a.port == b.port &&
         (a.host == b.host || unspecified(a.host) || unspecified(b.host));
}

std::string collision(const ListenAddress& admin, const ListenAddress& api) {
  return "admin listens on " + admin.to_string() + ", which collides with api.listen " +
         api.to_string() + "; use another port or off";
}

// The admin listener must not take the API's port: checked here with the API parsed.
core::Status parse_admin(const Ctx& c, const Field& f, const ListenAddress& api_listen,
                         Admin* out) {
  auto m = MapReader::open(c, f, {"listen"});
  if (!m) return m.error();
  const Field* l = m->get("listen");
  if (l == nullptr) {
    if (collides(*out->listen, api_listen)) {
      return fail(c, f.mark, m->path_of("listen"),
                  collision(*out->listen, api_listen) + " (the default admin port is 9090)");
    }
    return {};
  }
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

bool is_table_char(char ch) {
  return is_alnum(ch) || ch == '_';
}

core::Status parse_issuer_client(const Ctx& c, const std::string& id, const Field& f,
                                 IssuerClient* out) {
  auto m =
      MapReader::open(c, f, {"secret", "audiences", "scopes", "token_lifetime_s", "grant_types"});
  if (!m) return m.error();
  out->id = id;
  out->pos = source_pos(c, f.mark);
  const Field* secret = m->get("secret");
  if (secret == nullptr) {
    return m->missing(c, "secret", "; expected {env: VARIABLE} or {file: path}");
  }
  GH_CONFIG_TRY(parse_secret_ref(c, *secret, &out->secret));
  const Field* audiences = m->get("audiences");
  if (audiences == nullptr) {
    return m->missing(c, "audiences",
                      "; expected the audiences this client may request, e.g. [https://my-api]");
  }
  GH_CONFIG_TRY(read_string_list(c, *audiences, &out->audiences));
  if (const Field* s = m->get("scopes")) {
    GH_CONFIG_TRY(read_string_list(c, *s, &out->scopes));
    for (size_t i = 0; i < out->scopes.size(); ++i) {
      // RFC 6749 §3.3: scope tokens are printable ASCII without space, '"' and '\'.
      for (char ch : out->scopes[i]) {
        if (ch <= 0x20 || ch >= 0x7f || ch == '"' || ch == '\\') {
          return fail(c, item(*s, i, s->value[i]),
                      quote(out->scopes[i]) +
                          " is not a valid scope; expected printable characters without spaces, "
                          "quotes or backslashes");
        }
      }
    }
  }
  GH_CONFIG_TRY(read_number(c, m->get("token_lifetime_s"), 60, 2'592'000, &out->token_lifetime_s));
  if (const Field* g = m->get("grant_types")) {
    if (!g->value.IsSequence()) {
      return fail(c, *g, "expected a list, e.g. [client_credentials]; got " + describe(g->value));
    }
    out->grant_types.clear();
    for (size_t i = 0; i < g->value.size(); ++i) {
      Field e = item(*g, i, g->value[i]);
      static constexpr std::array<std::string_view, 1> kGrants = {"client_credentials"};
      size_t index = 0;
      GH_CONFIG_TRY(read_enum(c, e, kGrants, &index));
      out->grant_types.emplace_back(kGrants[index]);
    }
  }
  return {};
}

core::Status parse_issuer(const Ctx& c, const Field& f, const std::string& data_dir, Issuer* out) {
  auto m = MapReader::open(
      c, f,
      {"issuer_url", "public_url", "key_dir", "algorithm", "rotation_grace_s", "clients",
       "max_failures_per_client", "max_failures_per_peer", "rate_limit_window_s"});
  if (!m) return m.error();
  out->pos = source_pos(c, f.mark);
  const Field* url = m->get("issuer_url");
  if (url == nullptr) {
    return m->missing(c, "issuer_url",
                      "; expected the iss of issued tokens, e.g. https://blog.example/");
  }
  GH_CONFIG_TRY(read_url(c, *url, &out->issuer_url));
  if (const Field* p = m->get("public_url")) {
    std::string public_url;
    GH_CONFIG_TRY(read_url(c, *p, &public_url));
    while (public_url.ends_with('/'))
      public_url.pop_back();
    out->public_url = std::move(public_url);
  }
  if (const Field* k = m->get("key_dir")) {
    GH_CONFIG_TRY(read_path(c, *k, &out->key_dir));
  } else {
    out->key_dir = (std::filesystem::path(data_dir) / "issuer-keys").string();
  }
  if (const Field* a = m->get("algorithm")) {
    size_t index = 0;
    GH_CONFIG_TRY(read_enum(c, *a, kIssuerAlgNames, &index));
    auto it = std::find(kAlgNames.begin(), kAlgNames.end(), kIssuerAlgNames[index]);
    out->algorithm = static_cast<JwtAlg>(it - kAlgNames.begin());
  }
  GH_CONFIG_TRY(read_number(c, m->get("rotation_grace_s"), 0, 31'536'000, &out->rotation_grace_s));
  GH_CONFIG_TRY(read_number(c, m->get("max_failures_per_client"), 1, 1'000'000,
                            &out->max_failures_per_client));
  GH_CONFIG_TRY(
      read_number(c, m->get("max_failures_per_peer"), 1, 1'000'000, &out->max_failures_per_peer));
  GH_CONFIG_TRY(
      read_number(c, m->get("rate_limit_window_s"), 1, 86'400, &out->rate_limit_window_s));
  const Field* clients = m->get("clients");
  if (clients == nullptr) {
    return m->missing(c, "clients",
                      "; expected at least one client, e.g. clients: {my-app: {secret: {env: "
                      "MY_APP_SECRET}, audiences: [https://my-api]}}");
  }
  auto cm = MapReader::open_any(c, *clients);
  if (!cm) return cm.error();
  if (cm->entries().empty()) return fail(c, *clients, "expected at least one client, got none");
  for (const auto& [id, field] : cm->entries()) {
    // client_id travels in forms and Basic credentials: keep it to unreserved characters.
    bool ok = all_of(id, [](char ch) {
      return is_alnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~';
    });
    if (!ok || id.size() > 128) {
      return fail_key(c, field,
                      quote(id) +
                          " is not a valid client id; expected 1..128 letters, digits, '-', '_', "
                          "'.' or '~'");
    }
    IssuerClient client;
    GH_CONFIG_TRY(parse_issuer_client(c, id, field, &client));
    out->clients.push_back(std::move(client));
  }
  return {};
}

core::Status parse_tables(const Ctx& c, const Field& f, const std::string& data_dir,
                          std::vector<Table>* out) {
  auto m = MapReader::open_any(c, f);
  if (!m) return m.error();
  for (const auto& [name, field] : m->entries()) {
    if (!all_of(name, is_table_char) || is_digit(name[0]) || name.size() > 64) {
      return fail_key(c, field,
                      quote(name) +
                          " is not a valid table name; expected 1..64 letters, digits and '_', "
                          "not starting with a digit");
    }
    auto t = MapReader::open(c, field, {"key", "sqlite", "max_item_bytes"});
    if (!t) return t.error();
    Table table;
    table.name = name;
    table.pos = source_pos(c, field.mark);
    if (const Field* k = t->get("key")) {
      GH_CONFIG_TRY(read_nonempty_string(c, *k, &table.key_attribute));
      if (has_control_char(table.key_attribute) || table.key_attribute.size() > 255) {
        return fail(c, *k, "expected an attribute name of 1..255 printable characters");
      }
    }
    if (const Field* p = t->get("sqlite")) {
      GH_CONFIG_TRY(read_path(c, *p, &table.sqlite_path));
    } else {
      table.sqlite_path = (std::filesystem::path(data_dir) / (name + ".db")).string();
    }
    for (const Table& other : *out) {
      if (other.sqlite_path == table.sqlite_path) {
        return fail_key(c, field,
                        "tables " + quote(other.name) + " and " + quote(name) +
                            " would share the file " + table.sqlite_path +
                            "; give each table its own sqlite file");
      }
    }
    GH_CONFIG_TRY(read_number(c, t->get("max_item_bytes"), 2, 409'600, &table.max_item_bytes));
    out->push_back(std::move(table));
  }
  return {};
}

// Why `name` cannot be set in a function's environment, or empty if it can. gatehouse sets these
// for every worker, as Lambda does: overriding them would point the runtime client elsewhere.
std::string reserved_env(std::string_view name) {
  if (name == "_HANDLER") return "gatehouse sets it from handler:; set handler: instead";
  if (name == "LAMBDA_TASK_ROOT") {
    return "gatehouse sets it to working_dir; set working_dir: instead";
  }
  if (name == "AWS_LAMBDA_RUNTIME_API") {
    return "gatehouse points it at the worker's own Runtime API endpoint; remove it";
  }
  if (name == "LAMBDA_RUNTIME_DIR") return "it belongs to the runtime, as in Lambda; remove it";
  if (name.starts_with("AWS_LAMBDA_")) {
    return "gatehouse sets the AWS_LAMBDA_* variables itself, as Lambda does; remove it";
  }
  return {};
}

core::Status parse_env_value(const Ctx& c, const Field& f, const std::optional<Issuer>& issuer,
                             EnvValue* out) {
  const std::string expected =
      "{env: NAME}, {file: path}, {issuer: certificate} or {issuer: public_key}";
  if (f.value.IsScalar()) {
    *out = EnvValue{EnvValue::Kind::kLiteral, f.value.Scalar()};
    if (out->value.find('\0') != std::string::npos) {
      return fail(c, f, "an environment value cannot contain NUL bytes");
    }
    return {};
  }
  if (!f.value.IsMap()) {
    return fail(c, f,
                "expected a string, number or boolean, or one of " + expected + "; got " +
                    describe(f.value));
  }
  auto m = MapReader::open(c, f, {"env", "file", "issuer"});
  if (!m) return m.error();
  if (m->entries().empty()) return fail(c, f, "expected one of " + expected + ", got an empty map");
  if (m->entries().size() > 1) {
    return fail_key(
        c, m->entries()[1].second,
        m->entries()[0].first + " is already set; give exactly one of env, file, issuer");
  }
  const auto& [key, field] = m->entries()[0];
  if (key == "env") {
    std::string name;
    GH_CONFIG_TRY(read_nonempty_string(c, field, &name));
    if (!all_of(name, is_env_char) || is_digit(name[0])) {
      return fail(c, field,
                  quote(name) +
                      " is not an environment variable name; expected letters, digits and '_', "
                      "e.g. AUTH0_DOMAIN");
    }
    *out = EnvValue{EnvValue::Kind::kEnv, std::move(name)};
    return {};
  }
  if (key == "file") {
    std::string path;
    GH_CONFIG_TRY(read_path(c, field, &path));
    *out = EnvValue{EnvValue::Kind::kFile, std::move(path)};
    return {};
  }
  static constexpr std::array<std::string_view, 2> kIssuerValues = {"certificate", "public_key"};
  size_t index = 0;
  GH_CONFIG_TRY(read_enum(c, field, kIssuerValues, &index));
  if (!issuer) {
    return fail(c, field,
                "{issuer: " + std::string(kIssuerValues[index]) +
                    "} needs the embedded issuer, but there is no top-level issuer: section; add "
                    "one, or give the key with {file: path}");
  }
  out->kind = index == 0 ? EnvValue::Kind::kIssuerCertificate : EnvValue::Kind::kIssuerPublicKey;
  out->value.clear();
  return {};
}

core::Status parse_environment(const Ctx& c, const Field& f, const std::optional<Issuer>& issuer,
                               std::vector<std::pair<std::string, EnvValue>>* out) {
  auto m = MapReader::open_any(c, f);
  if (!m) return m.error();
  out->clear();
  for (const auto& [name, field] : m->entries()) {
    if (std::string why = reserved_env(name); !why.empty()) {
      return fail_key(c, field, quote(name) + " is reserved: " + why);
    }
    if (!all_of(name, is_env_char) || is_digit(name[0]) || name[0] == '_') {
      return fail_key(c, field,
                      quote(name) +
                          " is not a valid environment variable name; expected a letter, then "
                          "letters, digits and '_'");
    }
    EnvValue value;
    GH_CONFIG_TRY(parse_env_value(c, field, issuer, &value));
    out->emplace_back(name, std::move(value));
  }
  return {};
}

// A function's command: a list is the argv, a string is run by /bin/sh -c.
core::Status read_command(const Ctx& c, const Field& f, std::vector<std::string>* out) {
  if (f.value.IsScalar()) {
    std::string line;
    GH_CONFIG_TRY(read_nonempty_string(c, f, &line));
    *out = {"/bin/sh", "-c", std::move(line)};
  } else if (f.value.IsSequence()) {
    GH_CONFIG_TRY(read_string_list(c, f, out));
  } else {
    return fail(c, f,
                "expected a list (the program and its arguments) or a string (run by /bin/sh -c), "
                "got " +
                    describe(f.value));
  }
  for (const std::string& arg : *out) {
    if (arg.find('\0') != std::string::npos) {
      return fail(c, f, "a command cannot contain NUL bytes");
    }
  }
  return {};
}

core::Status parse_function(const Ctx& c, const std::string& name, const Field& f,
                            const std::optional<Issuer>& issuer, Function* out) {
  auto m = MapReader::open(c, f, kFunctionKeys);
  if (!m) return m.error();
  out->name = name;
  out->pos = source_pos(c, f.mark);

  const Field* runtime = m->get("runtime");
  const Field* command = m->get("command");
  if (runtime != nullptr && command != nullptr) {
    const Field* later = runtime->key_mark.pos > command->key_mark.pos ? runtime : command;
    return fail_key(c, *later, "runtime and command are both set; give one of them");
  }
  if (runtime == nullptr && command == nullptr) {
    return fail(c, f,
                "neither runtime nor command is set; give one of them: runtime: node (with "
                "handler:) or command: [program, arg, ...]");
  }
  if (runtime != nullptr) {
    size_t index = 0;
    GH_CONFIG_TRY(read_enum(c, *runtime, kRuntimes, &index));
    out->runtime = kRuntimes[index];
  } else {
    GH_CONFIG_TRY(read_command(c, *command, &out->command));
  }

  if (const Field* h = m->get("handler")) {
    GH_CONFIG_TRY(read_nonempty_string(c, *h, &out->handler));
    if (has_control_char(out->handler)) {
      return fail(c, *h, "the handler cannot contain control characters");
    }
    if (runtime != nullptr) {  // node: <file>.<export>, the file possibly in a directory
      std::string_view base = out->handler;
      base = base.substr(base.rfind('/') == std::string_view::npos ? 0 : base.rfind('/') + 1);
      size_t dot = base.find('.');
      if (dot == std::string_view::npos || dot == 0 || dot + 1 == base.size()) {
        return fail(c, *h,
                    quote(out->handler) +
                        " is not a node handler; expected <file>.<export>, e.g. index.handler "
                        "(the export handler of index.js)");
      }
    }
  } else if (runtime != nullptr) {
    return m->missing(c, "handler",
                      "; runtime: node runs <file>.<export>, e.g. handler: index.handler");
  }

  if (const Field* w = m->get("working_dir")) {
    GH_CONFIG_TRY(read_path(c, *w, &out->working_dir));
  } else {
    out->working_dir = c.dir.string();
  }
  if (const Field* e = m->get("environment")) {
    GH_CONFIG_TRY(parse_environment(c, *e, issuer, &out->environment));
  }
  GH_CONFIG_TRY(read_number(c, m->get("concurrency"), 0, 256, &out->concurrency));
  GH_CONFIG_TRY(read_number(c, m->get("timeout_s"), 1, 900, &out->timeout_s));
  GH_CONFIG_TRY(read_number(c, m->get("memory_mb"), 128, 10'240, &out->memory_mb));
  if (const Field* s = m->get("start")) {
    static constexpr std::array<std::string_view, 2> kStarts = {"eager", "lazy"};
    size_t index = 0;
    GH_CONFIG_TRY(read_enum(c, *s, kStarts, &index));
    out->start = index == 0 ? WorkerStart::kEager : WorkerStart::kLazy;
  }
  GH_CONFIG_TRY(read_number(c, m->get("max_queue"), 1, 100'000, &out->max_queue));
  return {};
}

core::Status parse_functions(const Ctx& c, const Field& f, const std::optional<Issuer>& issuer,
                             std::vector<Function>* out) {
  auto m = MapReader::open_any(c, f);
  if (!m) return m.error();
  for (const auto& [name, field] : m->entries()) {
    if (!all_of(name, is_name_char) || name.size() > 64) {
      return fail_key(c, field,
                      quote(name) +
                          " is not a valid function name; expected 1..64 letters, digits, '-' "
                          "and '_'");
    }
    Function fn;
    GH_CONFIG_TRY(parse_function(c, name, field, issuer, &fn));
    out->push_back(std::move(fn));
  }
  return {};
}

core::Status parse_config(const Ctx& c, const YAML::Node& root, Config* out) {
  Field top{"", root, root.Mark(), root.Mark()};
  if (!root.IsMap()) {
    return fail(c, root.Mark(), "",
                "the top level must be a map with the keys api and routes, got " + describe(root));
  }
  auto m = MapReader::open(c, top,
                           {"api", "authorizers", "routes", "gateway_responses", "admin",
                            "access_log", "data_dir", "issuer", "tables", "functions"});
  if (!m) return m.error();
  out->file = c.file;
  if (const Field* d = m->get("data_dir")) {
    GH_CONFIG_TRY(read_path(c, *d, &out->data_dir));
  } else {
    out->data_dir = resolve_path(c, "data");
  }
  // Sections are parsed in the order of their references, whatever their order in the file: the
  // issuer before functions ({issuer: ...} values) and authorizers (issuer: self); tables and
  // functions before the authorizers and routes that name them; the api before authorizers
  // (stageVariables.<name> sources); authorizers before api.default_authorizer is checked and
  // before routes.
  if (const Field* i = m->get("issuer")) {
    out->issuer.emplace();
    GH_CONFIG_TRY(parse_issuer(c, *i, out->data_dir, &*out->issuer));
  }
  if (const Field* t = m->get("tables"))
    GH_CONFIG_TRY(parse_tables(c, *t, out->data_dir, &out->tables));
  if (const Field* f = m->get("functions")) {
    GH_CONFIG_TRY(parse_functions(c, *f, out->issuer, &out->functions));
  }
  const Field* api = m->get("api");
  if (api == nullptr) return m->missing(c, "api", "; expected at least api: {name: <name>}");
  std::optional<Field> default_authorizer;
  GH_CONFIG_TRY(parse_api(c, *api, &out->api, &default_authorizer));
  if (const Field* a = m->get("authorizers")) {
    GH_CONFIG_TRY(parse_authorizers(c, *a, *out, &out->authorizers));
  }
  if (default_authorizer) {
    GH_CONFIG_TRY(check_default_authorizer(c, *default_authorizer, out->api, out->authorizers));
  }
  const Field* routes = m->get("routes");
  if (routes == nullptr) return m->missing(c, "routes", "; expected a list of routes");
  GH_CONFIG_TRY(parse_routes(c, *routes, *out, &out->routes));
  if (const Field* g = m->get("gateway_responses")) {
    GH_CONFIG_TRY(parse_gateway_responses(c, *g, &out->gateway_responses));
  }
  if (const Field* admin = m->get("admin")) {
    GH_CONFIG_TRY(parse_admin(c, *admin, out->api.listen, &out->admin));
  } else if (collides(*out->admin.listen, out->api.listen)) {
    return fail(
        c, top.mark, "admin.listen",
        collision(*out->admin.listen, out->api.listen) + " (the default admin port is 9090)");
  }
  if (const Field* l = m->get("access_log")) {
    GH_CONFIG_TRY(parse_access_log(c, *l, &out->access_log));
  }
  return {};
}

}  // namespace

std::string SourcePos::to_string() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string ListenAddress::to_string() const {
  std::string out = is_ipv6() ? "[" + host + "]" : host;
  return out + ":" + std::to_string(port);
}

std::string IdentitySource::to_string() const {
  switch (kind) {
    case Kind::kHeader:
      return "method.request.header." + name;
    case Kind::kQueryString:
      return "method.request.querystring." + name;
    case Kind::kStageVariable:
      return "stageVariables." + name;
    case Kind::kContext:
      break;
  }
  return "context." + name;
}

std::string_view to_string(JwtAlg alg) {
  return kAlgNames[static_cast<size_t>(alg)];
}

bool is_hmac(JwtAlg alg) {
  return alg == JwtAlg::kHS256 || alg == JwtAlg::kHS384 || alg == JwtAlg::kHS512;
}

std::string_view to_string(GatewayResponseType type) {
  return kGatewayResponseNames[static_cast<size_t>(type)];
}

const Table* Config::find_table(std::string_view name) const {
  for (const Table& t : tables) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

const Function* Config::find_function(std::string_view name) const {
  for (const Function& f : functions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const Authorizer* Config::find_authorizer(std::string_view name) const {
  for (const Authorizer& a : authorizers) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

core::Result<std::shared_ptr<const Config>> parse(std::string_view yaml_text,
                                                  std::string_view file_name) {
  Ctx c;
  c.file = std::string(file_name);
  std::filesystem::path parent = std::filesystem::path(c.file).parent_path();
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::absolute(parent.empty() ? "." : parent, ec);
  c.dir = (ec ? parent : dir).lexically_normal();

  // yaml-cpp reports errors by throwing; nothing escapes this function.
  try {
    std::vector<YAML::Node> docs = YAML::LoadAll(std::string(yaml_text));
    if (docs.empty() || docs[0].IsNull()) {
      return fail(c, YAML::Mark(), "",
                  "the file is empty; expected a map with the keys api and routes");
    }
    if (docs.size() > 1) {
      return fail(c, docs[1].Mark(), "",
                  "found " + std::to_string(docs.size()) +
                      " YAML documents; expected one (remove the '---' separators)");
    }
    auto config = std::make_shared<Config>();
    core::Status s = parse_config(c, docs[0], config.get());
    if (!s.ok()) return s;
    return std::shared_ptr<const Config>(std::move(config));
  } catch (const YAML::Exception& e) {
    return fail(c, e.mark, "", "invalid YAML: " + e.msg);
  } catch (const std::exception& e) {
    return core::internal_error(c.file +
                                ": unexpected error while reading the config: " + e.what());
  }
}

core::Result<std::shared_ptr<const Config>> load(const std::string& path) {
  auto text = core::read_file(path, kMaxConfigBytes);
  if (!text) return text.error();
  return parse(*text, path);
}

}  // namespace gatehouse::config
