// load() and parse(): the file's one YAML document, its sections parsed in the order of their
// references (config/detail/sections.h); the config's lookups and names.
#include "config/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <exception>
#include <filesystem>
#include <optional>

#include "config/detail/sections.h"
#include "core/files.h"

namespace gatehouse::config {
namespace {

using detail::check_default_admin;
using detail::check_default_authorizer;
using detail::Ctx;
using detail::describe;
using detail::fail;
using detail::Field;
using detail::kAlgNames;
using detail::MapReader;
using detail::parse_access_log;
using detail::parse_admin;
using detail::parse_api;
using detail::parse_authorizers;
using detail::parse_functions;
using detail::parse_gateway_responses;
using detail::parse_issuer;
using detail::parse_routes;
using detail::parse_tables;
using detail::read_path;
using detail::resolve_path;

core::Status parse_config(const Ctx& c, const YAML::Node& root, Config* out) {
  Field top{"", root, root.Mark(), root.Mark()};
  if (!root.IsMap()) {
    return fail(c, root.Mark(), "",
                "the top level must be a map with the keys api and routes, got " + describe(root));
  }
  auto m =
      MapReader::open(c, top,
                      {"api", "authorizers", "usage_plans", "routes", "gateway_responses", "admin",
                       "access_log", "data_dir", "issuer", "tables", "functions", "dynamodb"});
  if (!m) return m.error();
  out->file = c.file;
  if (const Field* d = m->get("data_dir")) {
    GH_CONFIG_TRY(read_path(c, *d, &out->data_dir));
  } else {
    out->data_dir = resolve_path(c, "data");
  }
  // Sections are parsed in the order of their references, whatever their order in the file: the
  // issuer before functions ({issuer: ...} values) and authorizers (issuer: self); the api before
  // functions (a remote table must be in its region) and authorizers (stageVariables.<name>
  // sources); tables and functions before the authorizers and routes that name them; authorizers
  // before api.default_authorizer is checked and before routes; usage plans before the routes that
  // require an API key.
  if (const Field* i = m->get("issuer")) {
    out->issuer.emplace();
    GH_CONFIG_TRY(parse_issuer(c, *i, out->data_dir, &*out->issuer));
  }
  const Field* api = m->get("api");
  if (api == nullptr) return m->missing(c, "api", "; expected at least api: {name: <name>}");
  std::optional<Field> default_authorizer;
  GH_CONFIG_TRY(parse_api(c, *api, &out->api, &default_authorizer));
  if (const Field* t = m->get("tables"))
    GH_CONFIG_TRY(parse_tables(c, *t, out->data_dir, &out->tables));
  if (const Field* f = m->get("functions")) {
    detail::EnvReferences refs{out->issuer, out->tables, out->api.region};
    GH_CONFIG_TRY(parse_functions(c, *f, refs, &out->functions));
  }
  if (const Field* a = m->get("authorizers")) {
    GH_CONFIG_TRY(parse_authorizers(c, *a, *out, &out->authorizers));
  }
  if (default_authorizer) {
    GH_CONFIG_TRY(check_default_authorizer(c, *default_authorizer, out->api, out->authorizers));
  }
  if (const Field* u = m->get("usage_plans")) {
    GH_CONFIG_TRY(detail::parse_usage_plans(c, *u, &out->usage_plans));
  }
  const Field* routes = m->get("routes");
  if (routes == nullptr) return m->missing(c, "routes", "; expected a list of routes");
  GH_CONFIG_TRY(parse_routes(c, *routes, *out, &out->routes));
  if (const Field* g = m->get("gateway_responses")) {
    GH_CONFIG_TRY(parse_gateway_responses(c, *g, &out->gateway_responses));
  }
  if (const Field* admin = m->get("admin")) {
    GH_CONFIG_TRY(parse_admin(c, *admin, out->api.listen, &out->admin));
  } else {
    GH_CONFIG_TRY(check_default_admin(c, top.mark, "admin.listen", out->admin, out->api.listen));
  }
  if (const Field* l = m->get("access_log")) {
    GH_CONFIG_TRY(parse_access_log(c, *l, &out->access_log));
  }
  if (const Field* d = m->get("dynamodb")) {
    out->dynamodb.emplace();
    GH_CONFIG_TRY(detail::parse_dynamodb(c, *d, *out, &*out->dynamodb));
  }
  return {};
}

}  // namespace

std::string store_file(const Config& config) {
  if (config.dynamodb) return config.dynamodb->file;
  return (std::filesystem::path(config.data_dir) / "dynamodb.db").string();
}

bool uses_embedded_store(const Config& config) {
  return config.dynamodb || std::any_of(config.tables.begin(), config.tables.end(),
                                        [](const Table& t) { return !t.remote; });
}

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
    std::vector<core::Status> errors;
    c.errors = &errors;
    core::Status s = parse_config(c, docs[0], config.get());
    if (!s.ok()) errors.push_back(std::move(s));
    if (errors.size() == 1) return errors.front();
    if (!errors.empty()) {
      // Every error, one per line, in the order of the file ("<file>:<line>:<col>: ..."; sections
      // are read in the order of their references, not of the file).
      auto position = [&](const core::Status& e) {
        std::string_view m = e.message();
        std::pair<long, long> at{0, 0};
        if (!m.starts_with(c.file + ":")) return at;
        m.remove_prefix(c.file.size() + 1);
        auto [line_end, line_ec] = std::from_chars(m.data(), m.data() + m.size(), at.first);
        if (line_ec == std::errc() && line_end < m.data() + m.size() && *line_end == ':')
          std::from_chars(line_end + 1, m.data() + m.size(), at.second);
        return at;
      };
      std::stable_sort(
          errors.begin(), errors.end(),
          [&](const core::Status& a, const core::Status& b) { return position(a) < position(b); });
      std::string all;
      for (const core::Status& e : errors) {
        if (!all.empty()) all += '\n';
        all += e.message();
      }
      return core::invalid_argument(std::move(all));
    }
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
