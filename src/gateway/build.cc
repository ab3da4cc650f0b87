#include "gateway/build.h"
#include "gateway/build_authorizers.h"
#include "gateway/listener_tls.h"
#include "gateway/remote_tables.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <map>
#include <system_error>

#include <spdlog/spdlog.h>
#include "auth/jwt/alg.h"
#include "core/host.h"
#include "functions/events/request_facts.h"
#include "issuer/documents.h"

#include "store/sqlite/crud_migration.h"
#include "store/sqlite/engine_table.h"

namespace gatehouse::gateway {
namespace {

using detail::config_error;

// Creates `dir` (and its parents) readable by the owner only, unless it exists.
core::Status ensure_private_dir(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return {};
  std::filesystem::create_directories(dir, ec);
  if (ec) return core::io_error("cannot create directory " + dir + ": " + ec.message());
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  return {};
}

// The embedded DynamoDB store holds the crud tables and the tables of the DynamoDB API.
core::Status open_store(const config::Config& config, BuildDeps& deps, Runtime& rt) {
  const std::string file = config::store_file(config);
  const config::SourcePos& pos = config.dynamodb ? config.dynamodb->pos : config.tables[0].pos;
  const char* where = config.dynamodb ? "dynamodb" : "tables";
  std::string dir = std::filesystem::path(file).parent_path().string();
  if (auto s = ensure_private_dir(dir); !s.ok()) return config_error(pos, where, s.message());
  auto db = std::make_shared<DynamoDbRuntime>();
  db->stats = std::make_unique<store::sqlite::SqliteStats>();
  auto engine = store::sqlite::Engine::open({.path = file}, *db->stats, deps.clock);
  if (!engine) return config_error(pos, where, engine.error().message());
  db->engine = std::move(*engine);
  rt.dynamodb = std::move(db);
  return {};
}

store::ValueType key_type(char type) {
  return type == 'N' ? store::ValueType::kN
                     : (type == 'B' ? store::ValueType::kB : store::ValueType::kS);
}

store::KeySchema key_schema(const std::vector<config::KeyAttribute>& key) {
  store::KeySchema out{{key[0].name, key_type(key[0].type)}, std::nullopt};
  if (key.size() > 1) out.range = store::KeyElement{key[1].name, key_type(key[1].type)};
  return out;
}

// The store's definition of a table declared under tables:.
core::Result<store::TableDefinition> definition_of(const config::Table& t) {
  store::TableDefinition d;
  d.name = t.name;
  d.key = key_schema(t.key);
  d.billing = store::BillingMode::kPayPerRequest;
  std::vector<config::KeyAttribute> attributes = t.key;
  for (const config::TableIndex& i : t.indexes) {
    store::IndexDefinition index;
    index.name = i.name;
    index.key = key_schema(i.key);
    using P = config::TableIndex::Projection;
    index.projection.type = i.projection == P::kAll
                                ? store::ProjectionType::kAll
                                : (i.projection == P::kKeysOnly ? store::ProjectionType::kKeysOnly
                                                                : store::ProjectionType::kInclude);
    index.projection.non_key_attributes = i.include;
    (i.local ? d.local_indexes : d.global_indexes).push_back(std::move(index));
    for (const config::KeyAttribute& k : i.key) {
      auto same = [&](const config::KeyAttribute& a) { return a.name == k.name; };
      auto it = std::find_if(attributes.begin(), attributes.end(), same);
      if (it == attributes.end()) {
        attributes.push_back(k);
      } else if (it->type != k.type) {
        return config_error(i.pos, "tables." + t.name + ".indexes." + i.name,
                            "attribute '" + k.name + "' is of type " + std::string(1, it->type) +
                                " elsewhere in this table; an attribute has one type");
      }
    }
  }
  for (const config::KeyAttribute& a : attributes)
    d.attribute_definitions.push_back({a.name, key_type(a.type)});
  std::sort(d.attribute_definitions.begin(), d.attribute_definitions.end(),
            [](const store::KeyElement& a, const store::KeyElement& b) { return a.name < b.name; });
  return d;
}

// Every table declared under tables: exists in the store when the first request arrives, as
// after a deployment; one the store already has must have the declared key. Each crud table
// also becomes a store::Table, and items an earlier gatehouse kept in a file of the table's own
// move in on the first start.
core::Status open_tables(const config::Config& config, BuildDeps& deps, Runtime& rt) {
  for (const config::Table& t : config.tables) {
    std::string path = "tables." + t.name;
    if (t.remote) {
      // Each I/O thread sends its own remote calls; without I/O threads (a check), remote tables
      // are not opened.
      if (!deps.io) continue;
      std::vector<boost::asio::io_context*> io;
      for (size_t i = 0; i < deps.io->size(); ++i)
        io.push_back(&deps.io->at(i));
      auto table = open_remote_table(t, io, deps.clock);
      if (!table) return config_error(t.pos, path, table.error().message());
      spdlog::info("tables.{}: on {} (table '{}', region {})", t.name, t.remote->endpoint,
                   t.remote->table, t.remote->region);
      rt.tables.push_back(std::make_shared<TableRuntime>(
          TableRuntime{t.name, std::move(table->table), std::move(table->credentials)}));
      continue;
    }
    store::sqlite::Engine& engine = *rt.dynamodb->engine;
    auto definition = definition_of(t);
    if (!definition) return definition.error();
    if (auto existing = engine.find_table(t.name)) {
      if (!(existing->key == definition->key))
        return config_error(t.pos, path,
                            "the store's table '" + t.name +
                                "' has another key than the one declared here; change key: to "
                                "match it, or delete the table (DeleteTable) to create it anew");
    } else {
      std::promise<store::DbResult<store::TableDescription>> created;
      engine.create_table(std::move(*definition), [&](store::DbResult<store::TableDescription> r) {
        created.set_value(std::move(r));
      });
      auto result = created.get_future().get();
      if (!result && result.error().kind != store::DbErrorKind::kResourceInUse)
        return config_error(t.pos, path, "cannot create the table: " + result.error().message);
    }
    if (!t.crud_capable()) continue;
    auto table =
        store::sqlite::EngineTable::open(engine, t.name, t.key_attribute, t.max_item_bytes);
    if (!table) return config_error(t.pos, path, table.error().message());
    auto moved = store::sqlite::migrate_crud_file(t.sqlite_path, t.name, **table);
    if (!moved) return config_error(t.pos, path, moved.error().message());
    if (moved->found) {
      spdlog::info(
          "tables.{}: moved {} item(s) from {} into the DynamoDB store ({} already there); the "
          "old file is now {}.migrated",
          t.name, moved->moved, t.sqlite_path, moved->kept, t.sqlite_path);
    }
    rt.tables.push_back(
        std::make_shared<TableRuntime>(TableRuntime{t.name, std::move(*table), {}}));
  }
  return {};
}

// The embedded issuer: the previous runtime's while its options (secrets resolved) are the same,
// so its rate limits and queued token requests carry on; else opened anew on the same key
// directory.
core::Status open_issuer(const config::Config& config, BuildDeps& deps, const Runtime* previous,
                         Runtime& rt) {
  auto o = issuer_options(config, deps.api_port, true);
  if (!o) return o.error();
  rt.issuer_options = *o;
  if (previous && previous->issuer && previous->issuer_options == *o) {
    rt.issuer_stats = previous->issuer_stats;
    rt.issuer = previous->issuer;
    return {};
  }
  const config::Issuer& c = *config.issuer;
  // Counts on from the previous issuer's counters: /metrics series do not restart at a reload.
  rt.issuer_stats = previous && previous->issuer_stats ? previous->issuer_stats
                                                       : std::make_shared<issuer::IssuerStats>();
  auto opened = issuer::Issuer::open(std::move(*o), deps.clock, *rt.issuer_stats);
  if (!opened) return config_error(c.pos, "issuer", opened.error().message());
  rt.issuer = std::move(*opened);
  return {};
}

// Where the bundled runtimes live: $GATEHOUSE_RUNTIMES_DIR, else next to the binary's parent
// (the source tree: build/gatehouse -> runtimes/) or in share/gatehouse/runtimes (installed).
std::string runtimes_dir() {
  if (const char* env = std::getenv("GATEHOUSE_RUNTIMES_DIR"); env && *env) return env;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "runtimes";
  auto dir = exe.parent_path();
  for (auto candidate : {dir.parent_path() / "runtimes",
                         dir.parent_path() / "share/gatehouse/runtimes", dir / "runtimes"}) {
    if (std::filesystem::exists(candidate / "node/bootstrap.js", ec)) return candidate.string();
  }
  return (dir.parent_path() / "runtimes").string();
}

// Where a function's SDK finds its tables, and the key it signs with, as Lambda hands a function
// its role's: the remote DynamoDB of the tables its environment names with {table: ...} (config
// checked they share one place; AWS itself needs no endpoint variable), else the dynamodb:
// listener.
void point_sdk(const config::Function& f, const config::Config& config, const BuildDeps& deps,
               const Runtime& rt, functions::pool::PoolOptions& o) {
  for (const auto& [name, value] : f.environment) {
    if (value.kind != config::EnvValue::Kind::kTable) continue;
    const config::Table* t = config.find_table(value.value);
    if (!t->remote) break;
    const config::RemoteTable& r = *t->remote;
    if (r.endpoint != "https://dynamodb." + r.region + ".amazonaws.com")
      o.dynamodb_endpoint = r.endpoint;
    // Without I/O threads (a check) the tables are not opened and no worker starts.
    for (const auto& opened : rt.tables) {
      if (opened->name != t->name || !opened->remote_credentials) continue;
      o.access_key_id = opened->remote_credentials->credentials.access_key_id;
      o.secret_access_key = opened->remote_credentials->credentials.secret_access_key;
      o.session_token = opened->remote_credentials->session_token;
    }
    return;
  }
  if (deps.dynamodb_port != 0) {
    // The listener's own address; a wildcard listen address is reached on loopback.
    std::string host = config.dynamodb->listen.host;
    if (host == "0.0.0.0") host = "127.0.0.1";
    if (host == "::") host = "::1";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    o.dynamodb_endpoint = "http://" + host + ":" + std::to_string(deps.dynamodb_port);
  }
  if (deps.dynamodb_credentials) {
    o.access_key_id = deps.dynamodb_credentials->first;
    o.secret_access_key = deps.dynamodb_credentials->second;
  }
}

// A function's worker options from its config, environment values resolved (secrets and the
// issuer's certificate included; they go to the workers only and are never logged).
core::Result<functions::pool::PoolOptions> pool_options(const config::Function& f,
                                                        const config::Config& config,
                                                        const BuildDeps& deps, const Runtime& rt) {
  std::string path = "functions." + f.name;
  functions::pool::PoolOptions o;
  o.name = f.name;
  if (f.runtime == "node") {
    std::string bootstrap = runtimes_dir() + "/node/bootstrap.js";
    o.argv = {"node", bootstrap};
    o.runtime_dir = runtimes_dir() + "/node";
    std::error_code ec;
    if (!std::filesystem::exists(bootstrap, ec)) {
      return config_error(f.pos, path + ".runtime",
                          "the Node.js bootstrap is missing: " + bootstrap +
                              " (set GATEHOUSE_RUNTIMES_DIR to the runtimes/ directory)");
    }
  } else {
    o.argv = f.command;
  }
  o.handler = f.handler;
  o.working_dir = f.working_dir;
  o.concurrency = f.concurrency ? f.concurrency : core::usable_cores();
  o.timeout = std::chrono::seconds(f.timeout_s);
  o.memory_mb = f.memory_mb;
  o.lazy = f.start == config::WorkerStart::kLazy;
  o.max_queue = f.max_queue;
  o.region = config.api.region;
  o.account_id = config.api.account_id;
  point_sdk(f, config, deps, rt, o);
  for (auto& [name, value] : f.environment) {
    std::string key = path + ".environment." + name;
    using Kind = config::EnvValue::Kind;
    if (value.kind == Kind::kIssuerCertificate || value.kind == Kind::kIssuerPublicKey) {
      // Without a running issuer (gatehouse check) there is nothing to hand over yet.
      std::string pem;
      if (rt.issuer) {
        pem = value.kind == Kind::kIssuerCertificate ? rt.issuer->signing_certificate_pem()
                                                     : rt.issuer->signing_public_key_pem();
      }
      o.environment.emplace_back(name, std::move(pem));
      continue;
    }
    if (value.kind == Kind::kTable) {
      const config::Table* t = config.find_table(value.value);
      o.environment.emplace_back(name, t->remote ? t->remote->table : t->name);
      continue;
    }
    auto text = config::resolve_env_value(value);
    if (!text) return config_error(f.pos, key, text.error().message());
    o.environment.emplace_back(name, std::move(*text));
  }
  return o;
}

// Each function's pool: the previous runtime's while its definition (values resolved) is the
// same, so its warm workers keep serving; else a new pool, which the caller starts.
core::Status make_functions(const config::Config& config, BuildDeps& deps, const Runtime* previous,
                            Runtime& rt) {
  GH_CHECK(config.functions.empty() || deps.io != nullptr);
  for (const config::Function& f : config.functions) {
    auto o = pool_options(f, config, deps, rt);
    if (!o) return o.error();
    if (previous) {
      auto same = [&](const auto& p) { return p->name == f.name && p->options == *o; };
      auto kept = std::find_if(previous->functions.begin(), previous->functions.end(), same);
      if (kept != previous->functions.end()) {
        rt.functions.push_back(*kept);
        continue;
      }
    }
    auto fr = std::make_shared<FunctionRuntime>();
    fr->name = f.name;
    fr->options = *o;
    fr->stats = std::make_unique<functions::pool::PoolStats>();
    // Creating a pool checks its command and working directory; nothing runs before start().
    auto pool =
        functions::pool::WorkerPool::create(std::move(*o), *deps.io, deps.clock, fr->stats.get());
    if (!pool) return config_error(f.pos, "functions." + f.name, pool.error().message());
    fr->pool = std::move(*pool);
    rt.functions.push_back(std::move(fr));
  }
  return {};
}

// API Gateway's resourceId: 6 characters of [a-z0-9], stable for a route template.
std::string resource_id_of(std::string_view path_template) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (char c : path_template) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string id(6, 'a');
  for (auto& c : id) {
    c = kChars[h % 36];
    h /= 36;
  }
  return id;
}

// A crud route's template must be a collection (/users) or one item (/users/{id}).
core::Status make_crud_route(const config::Route& r, size_t index, const Runtime& rt,
                             const config::Config& config, RouteRuntime& route) {
  std::string path = "routes[" + std::to_string(index) + "].integration";
  const config::CrudIntegration& c = r.integration.crud;
  const config::Table* table = config.find_table(c.table);
  GH_CHECK(table != nullptr);  // config checked the name
  for (const auto& t : rt.tables) {
    if (t->name == c.table) route.crud.table = t->table.get();
  }
  route.crud.key_attribute = table->key_attribute;
  route.crud.max_item_bytes = table->max_item_bytes;
  route.crud.owner_only = c.owner_only;
  route.crud.default_limit = c.default_limit;
  size_t open = r.path.find('{');
  size_t last_slash = r.path.rfind('/');
  if (open == std::string::npos) {
    route.crud.item_route = false;
  } else if (open == last_slash + 1 && r.path.back() == '}' &&
             r.path.find('+') == std::string::npos &&
             r.path.find('{', open + 1) == std::string::npos) {
    route.crud.item_route = true;
  } else {
    return config_error(r.path_pos, "routes[" + std::to_string(index) + "].path",
                        "a crud route is a collection (e.g. /users) or one item whose last "
                        "segment is its key (e.g. /users/{id}); got " +
                            r.path);
  }
  std::vector<std::string_view> allowed =
      route.crud.item_route ? std::vector<std::string_view>{"GET", "PUT", "DELETE", "ANY"}
                            : std::vector<std::string_view>{"GET", "POST", "ANY"};
  for (const std::string& m : r.methods) {
    if (std::find(allowed.begin(), allowed.end(), m) == allowed.end()) {
      return config_error(r.pos, "routes[" + std::to_string(index) + "].methods",
                          m + " is not a crud operation on " +
                              (route.crud.item_route ? "an item route; expected GET, PUT or DELETE"
                                                     : "a collection route; expected GET or POST"));
    }
  }
  if (c.owner_only && !r.authorizer) {
    return config_error(r.integration.pos, path + ".owner_only",
                        "owner_only needs callers with a principal, but this route is public "
                        "(auth: none)");
  }
  return {};
}

// An http_proxy route: its upstream (one per origin, shared by the routes that name it), the
// endpoint's target template and the request parameter mappings.
core::Status make_proxy_route(const config::Route& r, size_t index, BuildDeps& deps, Runtime& rt,
                              RouteRuntime& route) {
  const config::HttpProxyIntegration& c = r.integration.http_proxy;
  ProxyRoute& p = route.proxy;
  http::OriginOptions options;
  options.max_connections = c.max_connections;
  options.idle_timeout_ms = c.idle_timeout_ms;
  if (c.tls) {
    options.ca_file = c.tls->ca_file;
    options.client_certificate_file = c.tls->client_certificate;
    options.client_key_file = c.tls->client_key;
    options.server_name = c.tls->server_name;
  }
  // Routes to one origin share its pools when they reach it the same way.
  std::vector<std::shared_ptr<proxy::Upstream>> targets;
  for (const std::string& origin : c.origins) {
    std::shared_ptr<proxy::Upstream> found;
    for (const auto& u : rt.upstreams) {
      if (u->origin() == origin && u->options() == options) found = u;
    }
    if (!found) {
      // Without I/O threads (a check) there is nothing to send from: the origin is checked alone.
      std::vector<boost::asio::io_context*> io;
      boost::asio::io_context unused;
      if (deps.io) {
        for (size_t i = 0; i < deps.io->size(); ++i)
          io.push_back(&deps.io->at(i));
      } else {
        io.push_back(&unused);
      }
      auto upstream = proxy::Upstream::create(origin, io, options);
      if (!upstream) {
        return config_error(
            r.integration.pos,
            "routes[" + std::to_string(index) + "].integration" + (c.tls ? ".tls" : ".uri"),
            upstream.error().message());
      }
      if (!deps.io) continue;
      found = std::move(*upstream);
      rt.upstreams.push_back(found);
    }
    targets.push_back(std::move(found));
  }
  if (!deps.io) return {};
  p.targets = std::make_shared<proxy::Targets>(std::move(targets),
                                               std::chrono::milliseconds(c.cool_down_ms));
  p.target = c.target;
  p.timeout = std::chrono::milliseconds(c.timeout_ms);
  for (const config::ParameterMapping& m : c.request_parameters) {
    using CT = config::ParameterMapping::Target;
    using CS = config::ParameterMapping::Source;
    using T = ProxyMapping::Target;
    using S = ProxyMapping::Source;
    ProxyMapping out;
    out.target = m.target == CT::kHeader        ? T::kHeader
                 : m.target == CT::kQueryString ? T::kQueryString
                                                : T::kPath;
    switch (m.source) {
      case CS::kStatic:
        out.source = S::kStatic;
        break;
      case CS::kHeader:
        out.source = S::kHeader;
        break;
      case CS::kQueryString:
        out.source = S::kQueryString;
        break;
      case CS::kPath:
        out.source = S::kPath;
        break;
      case CS::kContext:
        out.source = S::kContext;
        break;
      case CS::kStageVariable:
        out.source = S::kStageVariable;
        break;
    }
    out.name = m.name;
    out.value = m.value;
    p.needs_context = p.needs_context || out.source == S::kContext;
    p.mappings.push_back(std::move(out));
  }
  return {};
}

// owner_only is the table's: every crud route on an owner_only table must say it (or one route
// would show every owner's items), and all must use the same authorizer (the principals of two
// authorizers may coincide, and would then share owners).
core::Status check_table_owners(const config::Config& config) {
  std::map<std::string, size_t> first_route;  // table -> its first crud route
  for (size_t i = 0; i < config.routes.size(); ++i) {
    const config::Route& r = config.routes[i];
    if (r.integration.type != config::IntegrationType::kCrud) continue;
    const config::CrudIntegration& c = r.integration.crud;
    auto [first, inserted] = first_route.try_emplace(c.table, i);
    const config::Route& f = config.routes[first->second];
    if (inserted || (!f.integration.crud.owner_only && !c.owner_only)) continue;
    const std::string here = "routes[" + std::to_string(i) + "]";
    const std::string there = "routes[" + std::to_string(first->second) + "]";
    if (f.integration.crud.owner_only != c.owner_only) {
      const bool first_is = f.integration.crud.owner_only;
      return config_error(r.integration.pos, here + ".integration.owner_only",
                          "table '" + c.table + "' is served owner_only by " +
                              (first_is ? there : here) + " but not by " +
                              (first_is ? here : there) +
                              ": every route on an owner_only table must be owner_only, or one "
                              "route would show every owner's items");
    }
    if (f.authorizer != r.authorizer) {
      return config_error(
          r.pos, here + ".auth",
          "table '" + c.table + "' is owner_only, and its routes use two authorizers ('" +
              f.authorizer.value_or("none") + "' on " + there + ", '" +
              r.authorizer.value_or("none") +
              "' here): the principals of two authorizers may coincide, so every route on the "
              "table must use the same one");
    }
  }
  return {};
}

}  // namespace

core::Result<issuer::IssuerOptions> issuer_options(const config::Config& config, uint16_t api_port,
                                                   bool resolve_secrets) {
  if (!config.issuer) {
    return core::invalid_argument(config.file +
                                  ": there is no issuer: section, so there is no embedded issuer");
  }
  const config::Issuer& c = *config.issuer;
  issuer::IssuerOptions o;
  o.issuer_url = c.issuer_url;
  const config::ListenAddress& l = config.api.listen;
  std::string host = l.host == "0.0.0.0" ? "127.0.0.1" : l.host == "::" ? "::1" : l.host;
  o.public_url =
      c.public_url.value_or(std::string(config.api.tls ? "https://" : "http://") +
                            config::ListenAddress{host, api_port ? api_port : l.port}.to_string());
  o.key_dir = c.key_dir;
  auto alg = auth::jwt::parse_alg(config::to_string(c.algorithm));
  if (!alg) return config_error(c.pos, "issuer.algorithm", "unsupported algorithm");
  o.algorithm = *alg;
  o.rotation_grace_s = c.rotation_grace_s;
  o.rate_limit.max_failures_per_client = c.max_failures_per_client;
  o.rate_limit.max_failures_per_peer = c.max_failures_per_peer;
  o.rate_limit.window_s = c.rate_limit_window_s;
  for (const config::IssuerClient& client : c.clients) {
    issuer::ClientOptions co;
    co.id = client.id;
    if (resolve_secrets) {
      auto secret = config::resolve_secret(client.secret);
      if (!secret) {
        return config_error(client.pos, "issuer.clients." + client.id + ".secret",
                            secret.error().message());
      }
      co.secret = std::move(*secret);
    }
    co.audiences = client.audiences;
    co.scopes = client.scopes;
    co.token_lifetime_s = client.token_lifetime_s;
    co.grant_types = client.grant_types;
    o.clients.push_back(std::move(co));
  }
  return o;
}

http::Limits http_limits(const config::Config& config) {
  const config::Limits& l = config.api.limits;
  http::Limits out;
  out.max_request_line_bytes = l.max_request_line_bytes;
  out.max_header_bytes = l.max_header_bytes;
  out.max_body_bytes = l.max_body_bytes;
  out.header_timeout_ms = l.header_timeout_ms;
  out.body_timeout_ms = l.body_timeout_ms;
  out.idle_timeout_ms = l.idle_timeout_ms;
  out.max_pipelined_requests = l.max_pipelined_requests;
  out.max_connections = l.max_connections;
  return out;
}

uint64_t reserved_descriptors(const config::Config& config) {
  const uint64_t threads = config.api.io_threads ? config.api.io_threads : core::usable_cores();
  constexpr uint64_t kProcess = 64;    // stdio, logs, listeners, a few admin connections, keys
  constexpr uint64_t kPerThread = 4;   // epoll, eventfd, timerfd, a spare
  constexpr uint64_t kPerWorker = 14;  // pidfd, 2 pipes, endpoint listener + 8 connections, spare
  constexpr uint64_t kPerSqliteConnection = 3;  // database, WAL, shared memory
  uint64_t n = kProcess + kPerThread * threads;
  for (const config::Function& f : config.functions)
    n += kPerWorker * (f.concurrency ? f.concurrency : core::usable_cores());
  // The store's writer connection and a reader per I/O thread.
  if (config::uses_embedded_store(config)) n += kPerSqliteConnection * (1 + threads);
  return n;
}

core::Status restart_needed(const config::Config& running, const config::Config& next) {
  auto refuse = [&](const std::string& where, std::string_view what, std::string_view why) {
    return core::invalid_argument(where + ": " + std::string(what) + ": " + std::string(why) +
                                  ": restart gatehouse to apply this change");
  };
  const std::string api_at = next.api.pos.to_string();
  if (!(running.api.listen == next.api.listen))
    return refuse(api_at, "api.listen", "listeners are bound once, at start");
  if (running.admin.listen != next.admin.listen)
    return refuse(next.file, "admin.listen", "listeners are bound once, at start");
  if (running.api.io_threads != next.api.io_threads)
    return refuse(api_at, "api.io_threads", "I/O threads are started once, at start");
  if (running.api.tls.has_value() != next.api.tls.has_value()) {
    return refuse(api_at, "api.tls",
                  "the API listener speaks HTTP or HTTPS from its start (its certificates, "
                  "versions and mutual TLS do change at a reload)");
  }
  if (!(running.api.limits == next.api.limits))
    return refuse(api_at, "api.limits", "the API listener's limits are set once, at start");
  if (!(running.access_log == next.access_log))
    return refuse(next.file, "access_log", "the access log is opened once, at start");
  if (running.dynamodb != next.dynamodb) {
    return refuse(next.dynamodb ? next.dynamodb->pos.to_string() : next.file, "dynamodb",
                  "the store and its DynamoDB listener are opened once, at start");
  }
  // The DynamoDB listener checks signatures for the region, and names tables in the account, it
  // was started with; its clients (the functions) would be told another.
  if (next.dynamodb && running.api.region != next.api.region)
    return refuse(api_at, "api.region", "the DynamoDB listener serves the region set at start");
  if (next.dynamodb && running.api.account_id != next.api.account_id)
    return refuse(api_at, "api.account_id",
                  "the DynamoDB listener serves the account set at start");
  for (const config::Table& t : next.tables) {
    const config::Table* before = running.find_table(t.name);
    if (before == nullptr || !(*before == t)) {
      return refuse(t.pos.to_string(), "tables." + t.name,
                    before ? "tables are opened once, at start"
                           : "a new table; tables are opened once, at start");
    }
  }
  for (const config::Table& t : running.tables) {
    if (next.find_table(t.name) == nullptr) {
      return refuse(next.file, "tables." + t.name, "removed; tables are opened once, at start");
    }
  }
  return {};
}

core::Result<std::shared_ptr<const Runtime>> build_runtime(
    std::shared_ptr<const config::Config> config_ptr, BuildDeps& deps, const Runtime* previous) {
  const config::Config& config = *config_ptr;
  if (previous) {
    if (auto s = restart_needed(*previous->config, config); !s.ok()) return s;
  }
  auto rt = std::make_shared<Runtime>();
  rt->config = std::move(config_ptr);
  rt->stage = config.api.stage;
  rt->arn_prefix = router::MethodArnPrefix(config.api.region, config.api.account_id,
                                           config.api.api_id, config.api.stage);

  if (deps.validate_only) {
    if (config.issuer) {
      if (auto o = issuer_options(config, deps.api_port, true); !o) return o.error();
    }
  } else {
    if (previous) {
      // restart_needed() found the store and the tables unchanged: they stay open.
      rt->dynamodb = previous->dynamodb;
      rt->tables = previous->tables;
      rt->unmatched = previous->unmatched;
      rt->issuer_requests = previous->issuer_requests;
    } else {
      if (config::uses_embedded_store(config)) {
        if (auto s = open_store(config, deps, *rt); !s.ok()) return s;
      }
      if (auto s = open_tables(config, deps, *rt); !s.ok()) return s;
    }
    if (config.issuer) {
      if (auto s = open_issuer(config, deps, previous, *rt); !s.ok()) return s;
    }
  }
  rt->account_id = config.api.account_id;
  rt->api_id = config.api.api_id;
  rt->default_domain = config.api.api_id + ".execute-api." + config.api.region + ".amazonaws.com";
  rt->api_port = deps.api_port;
  rt->stage_variables = config.api.stage_variables;
  rt->binary_media_types = config.api.binary_media_types;
  if (config.api.cors) rt->cors.emplace(*config.api.cors);
  if (config.api.tls) {
    auto tls = load_listener_tls(*config.api.tls, deps.clock.unix_seconds());
    if (!tls) return tls.error();
    rt->tls = std::move(*tls);
  }
  rt->api_key_source = config.api.api_key_source;
  if (!config.usage_plans.empty()) {
    auto plans =
        UsagePlans::build(config.usage_plans, previous ? previous->usage_plans.get() : nullptr);
    if (!plans) return plans.error();
    rt->usage_plans = std::move(*plans);
  }
  if (auto s = make_functions(config, deps, previous, *rt); !s.ok()) return s;
  for (const config::Authorizer& c : config.authorizers) {
    auto a = detail::make_authorizer(c, deps, *rt);
    if (!a) return a.error();
    std::shared_ptr<AuthorizerRuntime> kept;
    if (previous) kept = detail::kept_authorizer(c, **a, *previous, *rt);
    rt->authorizers.push_back(kept ? std::move(kept)
                                   : std::shared_ptr<AuthorizerRuntime>(std::move(*a)));
  }
  auto find_authorizer = [&](const std::string& name) -> AuthorizerRuntime* {
    for (auto& a : rt->authorizers) {
      if (a->name == name) return a.get();
    }
    return nullptr;
  };

  if (auto owners = check_table_owners(config); !owners.ok()) return owners;
  std::vector<router::RouteSpec> specs;
  for (size_t i = 0; i < config.routes.size(); ++i) {
    const config::Route& r = config.routes[i];
    specs.push_back({r.path, r.methods, i});
    auto route = std::make_unique<RouteRuntime>();
    route->path_template = r.path;
    route->api_key_required = r.api_key_required;
    for (const std::string& m : r.methods) {
      std::shared_ptr<RouteRuntime::MethodStats> counted;
      if (previous) {
        for (const auto& before : previous->routes) {
          if (before->path_template != r.path) continue;
          for (const auto& st : before->stats) {
            if (st->method == m) counted = st;
          }
        }
      }
      if (!counted) {
        counted = std::make_shared<RouteRuntime::MethodStats>();
        counted->method = m;
      }
      route->stats.push_back(std::move(counted));
      if (r.throttle) {
        route->throttles.push_back(
            std::make_unique<core::TokenBucket>(r.throttle->rate, r.throttle->burst));
      }
    }
    // config resolved `auth`: nullopt means a public route (auth: none).
    if (r.authorizer) {
      route->authorizer = find_authorizer(*r.authorizer);
      if (!route->authorizer) {
        return config_error(r.pos, "routes[" + std::to_string(i) + "].auth",
                            "unknown authorizer '" + *r.authorizer + "'");
      }
    }
    route->scopes = r.scopes;
    route->resource_id = resource_id_of(r.path);
    if (r.integration.type == config::IntegrationType::kCrud) {
      route->kind = RouteRuntime::Kind::kCrud;
      if (auto s = make_crud_route(r, i, *rt, config, *route); !s.ok()) return s;
    } else if (r.integration.type == config::IntegrationType::kHttpProxy) {
      route->kind = RouteRuntime::Kind::kHttpProxy;
      if (auto s = make_proxy_route(r, i, deps, *rt, *route); !s.ok()) return s;
    } else if (r.integration.type == config::IntegrationType::kFunction) {
      route->kind = RouteRuntime::Kind::kFunction;
      route->function_timeout = std::chrono::milliseconds(r.integration.function.timeout_ms);
      if (const FunctionRuntime* f = rt->function(r.integration.function.function))
        route->function = f->pool.get();
    }
    route->mock.status = static_cast<unsigned>(r.integration.mock.status);
    for (auto& h : r.integration.mock.headers)
      route->mock.headers.emplace_back(h.name, h.value);
    route->mock.body_template = r.integration.mock.body;
    route->mock.has_variables = r.integration.mock.body.find("$context.") != std::string::npos;
    rt->routes.push_back(std::move(route));
  }
  auto table = router::compile(specs);
  if (!table) {
    const auto& e = table.error();
    const config::Route& r = config.routes[e.route_index];
    std::string msg = e.message;
    if (e.other_route_index) {
      const config::Route& other = config.routes[*e.other_route_index];
      msg += " (conflicts with routes[" + std::to_string(*e.other_route_index) + "] at " +
             other.path_pos.to_string() + ")";
    }
    return config_error(r.path_pos, "routes[" + std::to_string(e.route_index) + "].path", msg);
  }
  rt->table.emplace(std::move(*table));
  if (config.issuer) {
    // The issuer answers these paths before routing; a route there would never be reached
    // (checked from the config, so `gatehouse check`, which opens no issuer, says so too).
    for (std::string_view p : issuer::kEndpointPaths) {
      for (std::string_view method : {"GET", "POST"}) {
        auto m = router::match(*rt->table, method, p);
        if (!m) continue;
        const config::Route& r = config.routes[m->route_index];
        return config_error(r.path_pos, "routes[" + std::to_string(m->route_index) + "].path",
                            std::string(method) + " " + std::string(p) +
                                " is an endpoint of the embedded issuer, which answers it "
                                "before routing; this route would never see it");
      }
    }
  }

  std::map<ResponseType, ResponseOverride> overrides;
  for (auto& g : config.gateway_responses) {
    ResponseOverride o;
    if (g.status) o.status = static_cast<unsigned>(*g.status);
    for (auto& h : g.headers)
      o.headers.emplace_back(h.name, h.value);
    o.body_template = g.body;
    overrides[g.type] = std::move(o);
  }
  rt->responses = GatewayResponses(std::move(overrides));
  return std::shared_ptr<const Runtime>(std::move(rt));
}

}  // namespace gatehouse::gateway
