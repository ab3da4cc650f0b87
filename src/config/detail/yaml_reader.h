// The YAML reading kit of the config parsers. A Field is a YAML value with the key path and the
// mark that errors about it point at; every error reads
//   "<file>:<line>:<col>: <key.path>: <what is wrong>; <what is expected>".
// MapReader refuses unknown keys (suggesting the closest name), duplicate keys and non-scalar
// keys; the readers check one value each and leave *out untouched on error.
//
// Internal to config/: the section parsers (config/parse_*.cc) and nothing else include it.
#pragma once

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.h"
#include "core/status.h"

// Returns the Status from `expr` if it is an error.
#define GH_CONFIG_TRY(expr)                \
  do {                                     \
    ::gatehouse::core::Status s_ = (expr); \
    if (!s_.ok()) return s_;               \
  } while (0)

namespace gatehouse::config::detail {

// Parsing context: the file name for messages and the directory relative paths resolve against.
struct Ctx {
  std::string file;
  std::filesystem::path dir;
  // Errors of entries (a route, an authorizer, a function, a table) recorded so the parse goes on
  // with the next entry and one run reports them all. Null: the first error ends the parse.
  std::vector<core::Status>* errors = nullptr;
};

// At most this many errors are reported from one file; the parse stops at the next one.
inline constexpr size_t kMaxReportedErrors = 20;

// An entry's error `s`: recorded in c.errors, if the context collects them and has room, and OK
// returned so the caller goes on with the next entry (keeping the failed entry, so later sections
// that name it do not report it missing); else `s` itself.
core::Status record_entry_error(const Ctx& c, core::Status s);

// A YAML value with its key path and the mark errors about it point at.
struct Field {
  std::string path;
  YAML::Node value;
  YAML::Mark mark;
  YAML::Mark key_mark;  // for map entries: the key's, for errors about the name itself
};

// "a, b, c"
std::string join(std::span<const std::string_view> names);
// "'s'"
std::string quote(std::string_view s);
// The closest name within edit distance 2 (adjacent transpositions count 1), or empty.
std::string_view suggest(std::string_view key, std::span<const std::string_view> names);

// "<file>:<line>:<col>: <path>: <what>"
core::Status fail(const Ctx& c, const YAML::Mark& m, std::string_view path, std::string_view what);
core::Status fail(const Ctx& c, const Field& f, std::string_view what);
// An error about a map entry's key (its name or its presence), pointing at the key.
core::Status fail_key(const Ctx& c, const Field& f, std::string_view what);
SourcePos source_pos(const Ctx& c, const YAML::Mark& m);
// What a node is, for "expected X, got Y".
std::string describe(const YAML::Node& n);
std::string child_path(const std::string& parent, std::string_view key);
// The i-th entry of a list field, with the path "<list>[i]".
Field item(const Field& list, size_t i, const YAML::Node& node);

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
                                           std::span<const std::string_view> allowed, bool any_key);

  Field self_;
  std::vector<std::pair<std::string, Field>> entries_;  // in file order
};

// ---------------------------------------------------------------------------------------------
// Scalar readers

// Any scalar, as written.
core::Status read_string(const Ctx& c, const Field& f, std::string* out);
// A response template (a mock body, a gateway response body): a string whose `$context.<name>`
// references all name variables templates have (core/context_vars.h), with a suggestion for a
// near miss; `$stageVariables`, `$input` and `$util` are refused (templates have none of them).
core::Status read_template(const Ctx& c, const Field& f, std::string* out);
core::Status read_nonempty_string(const Ctx& c, const Field& f, std::string* out);
// A plain (unquoted) integer in min..max.
core::Status read_uint(const Ctx& c, const Field& f, uint64_t min, uint64_t max, uint64_t* out);

// An optional integer: absent (f == nullptr) keeps *out, the default.
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
                       size_t* index);
// A non-empty list of non-empty strings.
core::Status read_string_list(const Ctx& c, const Field& f, std::vector<std::string>* out);
// A string, number or boolean, as written (`true`, `0.50`): for values that end up as text.
core::Status read_scalar(const Ctx& c, const Field& f, std::string* out);
// An unquoted true or false.
core::Status read_bool(const Ctx& c, const Field& f, bool* out);

// "host:port" with an IP literal; IPv6 in brackets.
core::Status read_listen(const Ctx& c, const Field& f, ListenAddress* out);
// p resolved against the config's directory, normalised.
std::string resolve_path(const Ctx& c, const std::string& p);
// A file path: non-empty, resolved against the config's directory.
core::Status read_path(const Ctx& c, const Field& f, std::string* out);
// An http:// or https:// URL with a host, without blanks or control characters.
core::Status read_url(const Ctx& c, const Field& f, std::string* out);
// Headers of a response: a map of name -> value, names case-insensitively unique.
core::Status read_headers(const Ctx& c, const Field& f, std::vector<Header>* out);
// A secret: {env: VARIABLE} or {file: path}, never inline.
core::Status parse_secret_ref(const Ctx& c, const Field& f, SecretRef* out);

// ---------------------------------------------------------------------------------------------
// Characters of names

// Whether s is non-empty and every character satisfies pred.
inline bool all_of(std::string_view s, bool (*pred)(char)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), pred);
}
inline bool is_alnum(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}
inline bool is_digit(char ch) {
  return ch >= '0' && ch <= '9';
}
inline bool is_stage_char(char ch) {
  return is_alnum(ch) || ch == '_';
}
inline bool is_lower_alnum(char ch) {
  return (ch >= 'a' && ch <= 'z') || is_digit(ch);
}
inline bool is_region_char(char ch) {
  return is_lower_alnum(ch) || ch == '-';
}
inline bool is_name_char(char ch) {
  return is_alnum(ch) || ch == '_' || ch == '-';
}
inline bool is_env_char(char ch) {
  return is_alnum(ch) || ch == '_';
}
// RFC 6838 restricted-name characters (media types), without the '*' of wildcards.
inline bool is_media_char(char ch) {
  return is_alnum(ch) || std::string_view("!#$&-^_.+").find(ch) != std::string_view::npos;
}
// RFC 9110 token (header names).
inline bool is_token_char(char ch) {
  return is_alnum(ch) || std::string_view("!#$%&'*+-.^_`|~").find(ch) != std::string_view::npos;
}
bool has_control_char(std::string_view s);

}  // namespace gatehouse::config::detail
