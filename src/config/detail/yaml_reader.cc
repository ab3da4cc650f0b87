// The YAML reading kit: errors pointing at where a value was written, the checked map reader with
// its "did you mean" suggestions, and the readers of scalars, lists, paths, URLs, listen addresses,
// headers and secret references.
#include "config/detail/yaml_reader.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <utility>

#include "core/context_vars.h"
#include "core/text.h"

namespace gatehouse::config::detail {
namespace {

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

}  // namespace

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

core::Result<MapReader> MapReader::open_impl(const Ctx& c, const Field& f,
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

core::Status record_entry_error(const Ctx& c, core::Status s) {
  if (s.ok() || c.errors == nullptr || c.errors->size() + 1 >= kMaxReportedErrors) return s;
  c.errors->push_back(std::move(s));
  return {};
}

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
core::Status read_template(const Ctx& c, const Field& f, std::string* out) {
  GH_CONFIG_TRY(read_string(c, f, out));
  for (std::string_view other : {"$stageVariables.", "$input.", "$util."}) {
    if (out->find(other) != std::string::npos) {
      return fail(c, f,
                  std::string(other.substr(0, other.size() - 1)) +
                      " is not available in gatehouse's templates; they render $context.<name> "
                      "variables only (docs/configuration.md, Templates)");
    }
  }
  std::vector<std::string_view> names;
  for (const core::ContextVarInfo& v : core::kContextVars) {
    if ((v.uses & core::kTemplate) != 0 && v.var != core::ContextVar::kAuthorizerClaim &&
        v.var != core::ContextVar::kAuthorizerContext)
      names.push_back(v.name);
  }
  for (const core::ContextReference& ref : core::context_references(*out)) {
    if (core::find_context_var(ref.name, core::kTemplate)) continue;
    std::string what = "unknown variable $context." + std::string(ref.name);
    std::string_view close = suggest(ref.name, names);
    if (!close.empty())
      return fail(c, f, what + "; did you mean $context." + std::string(close) + "?");
    std::string known;
    for (std::string_view n : names)
      known += (known.empty() ? "$context." : ", $context.") + std::string(n);
    return fail(c, f,
                what + "; templates have " + known +
                    ", $context.authorizer.claims.<claim> and $context.authorizer.<key> (a Lambda "
                    "authorizer's context)");
  }
  return {};
}

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

bool has_control_char(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char ch) { return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f; });
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
    std::string key = core::ascii_lower(name);
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

}  // namespace gatehouse::config::detail
