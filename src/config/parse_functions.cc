// The functions: section: each function's runtime or command, handler, environment and
// limits; and the check that a reference names a defined function.
#include <algorithm>
#include <array>
#include <utility>

#include "config/detail/sections.h"

namespace gatehouse::config::detail {
namespace {

constexpr std::array<std::string_view, 10> kFunctionKeys = {
    "runtime",     "command",   "handler",   "working_dir", "environment",
    "concurrency", "timeout_s", "memory_mb", "start",       "max_queue"};
constexpr std::array<std::string_view, 1> kRuntimes = {"node"};

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

core::Status parse_env_value(const Ctx& c, const Field& f, const EnvReferences& refs,
                             EnvValue* out) {
  const std::string expected =
      "{env: NAME}, {file: path}, {issuer: certificate}, {issuer: public_key} or {table: name}";
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
  auto m = MapReader::open(c, f, {"env", "file", "issuer", "table"});
  if (!m) return m.error();
  if (m->entries().empty()) return fail(c, f, "expected one of " + expected + ", got an empty map");
  if (m->entries().size() > 1) {
    return fail_key(
        c, m->entries()[1].second,
        m->entries()[0].first + " is already set; give exactly one of env, file, issuer, table");
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
  if (key == "table") {
    // The table's name, as a deployment hands a function the name of a table it created.
    std::string name;
    GH_CONFIG_TRY(read_nonempty_string(c, field, &name));
    bool found = std::any_of(refs.tables.begin(), refs.tables.end(),
                             [&](const Table& t) { return t.name == name; });
    if (!found)
      return fail(c, field, "unknown table " + quote(name) + "; declare it under tables:");
    *out = EnvValue{EnvValue::Kind::kTable, std::move(name)};
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
  if (!refs.issuer) {
    return fail(c, field,
                "{issuer: " + std::string(kIssuerValues[index]) +
                    "} needs the embedded issuer, but there is no top-level issuer: section; add "
                    "one, or give the key with {file: path}");
  }
  out->kind = index == 0 ? EnvValue::Kind::kIssuerCertificate : EnvValue::Kind::kIssuerPublicKey;
  out->value.clear();
  return {};
}

// Where a table's items are reached from a function's SDK: the embedded store (through the
// dynamodb: listener), or a remote endpoint with its region and credentials. A function's SDK has
// one endpoint (AWS_ENDPOINT_URL_DYNAMODB) and one key, so its tables must share one place.
std::string sdk_place(const Table& t) {
  if (!t.remote) return "the embedded store";
  const RemoteTable& r = *t.remote;
  std::string place = r.endpoint + " (region " + r.region + ", ";
  if (!r.credentials) return place + "credentials from the AWS chain)";
  return place + "key " + r.credentials->access_key_id + ")";
}

core::Status parse_environment(const Ctx& c, const Field& f, const EnvReferences& refs,
                               std::vector<std::pair<std::string, EnvValue>>* out) {
  auto m = MapReader::open_any(c, f);
  if (!m) return m.error();
  out->clear();
  const Table* first_table = nullptr;  // the first {table: ...} value: where the SDK goes
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
    GH_CONFIG_TRY(parse_env_value(c, field, refs, &value));
    if (value.kind == EnvValue::Kind::kTable) {
      const Table& t = *std::find_if(refs.tables.begin(), refs.tables.end(),
                                     [&](const Table& x) { return x.name == value.value; });
      if (t.remote && t.remote->region != refs.region) {
        return fail(c, field,
                    "table " + quote(t.name) + " is in region " + t.remote->region +
                        ", but functions sign for api.region " + std::string(refs.region) +
                        " (their AWS_REGION); give the table and the api the same region");
      }
      if (first_table == nullptr) {
        first_table = &t;
      } else if (sdk_place(t) != sdk_place(*first_table)) {
        return fail(c, field,
                    "table " + quote(t.name) + " is on " + sdk_place(t) + ", but table " +
                        quote(first_table->name) + " is on " + sdk_place(*first_table) +
                        "; a function's SDK reaches one DynamoDB (one AWS_ENDPOINT_URL_DYNAMODB "
                        "and one key): give it tables of one place");
      }
    }
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
                            const EnvReferences& refs, Function* out) {
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
    GH_CONFIG_TRY(parse_environment(c, *e, refs, &out->environment));
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

}  // namespace

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

core::Status parse_functions(const Ctx& c, const Field& f, const EnvReferences& refs,
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
    fn.name = name;
    GH_CONFIG_TRY(record_entry_error(c, parse_function(c, name, field, refs, &fn)));
    out->push_back(std::move(fn));
  }
  return {};
}

}  // namespace gatehouse::config::detail
