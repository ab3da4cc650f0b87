// The issuer: section (the embedded token issuer and its clients) and tables:.
#include <algorithm>
#include <array>
#include <filesystem>
#include <utility>

#include "config/detail/sections.h"

namespace gatehouse::config::detail {
namespace {

// The algorithms the embedded issuer can sign with (indexes into kAlgNames order by name).
constexpr std::array<std::string_view, 3> kIssuerAlgNames = {"RS256", "ES256", "EdDSA"};

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

}  // namespace

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

namespace {

core::Status read_attribute_name(const Ctx& c, const Field& f, std::string_view name) {
  if (name.empty() || has_control_char(name) || name.size() > 255)
    return fail(c, f, "expected an attribute name of 1..255 printable characters");
  return {};
}

// key: a name (its type S), or {<hash>: S|N|B, <range>: S|N|B}.
core::Status read_key(const Ctx& c, const Field& f, std::vector<KeyAttribute>* out) {
  out->clear();
  if (f.value.IsScalar()) {
    std::string name;
    GH_CONFIG_TRY(read_nonempty_string(c, f, &name));
    GH_CONFIG_TRY(read_attribute_name(c, f, name));
    out->push_back({std::move(name), 'S'});
    return {};
  }
  auto m = MapReader::open_any(c, f);
  if (!m) return m.error();
  if (m->entries().empty() || m->entries().size() > 2)
    return fail(c, f,
                "expected the hash key and optionally the range key with their types, e.g. "
                "{pk: S, sk: N}");
  static constexpr std::array<std::string_view, 3> kTypes = {"S", "N", "B"};
  for (const auto& [name, type] : m->entries()) {
    GH_CONFIG_TRY(read_attribute_name(c, type, name));
    size_t index = 0;
    GH_CONFIG_TRY(read_enum(c, type, kTypes, &index));
    out->push_back({name, kTypes[index][0]});
  }
  if (out->size() == 2 && (*out)[0].name == (*out)[1].name)
    return fail(c, f, "the hash key and the range key must be different attributes");
  return {};
}

core::Status read_index(const Ctx& c, const std::string& name, const Field& f, const Table& table,
                        TableIndex* out) {
  bool ok_name = name.size() >= 3 && name.size() <= 255;
  for (char ch : name)
    ok_name = ok_name && (is_alnum(ch) || ch == '_' || ch == '.' || ch == '-');
  if (!ok_name)
    return fail_key(c, f,
                    quote(name) + " is not a valid index name; expected 3..255 of [A-Za-z0-9_.-]");
  auto m = MapReader::open(c, f, {"key", "local", "projection"});
  if (!m) return m.error();
  out->name = name;
  out->pos = source_pos(c, f.mark);
  const Field* k = m->get("key");
  if (!k) return m->missing(c, "key", "; expected e.g. {author: S} or {author: S, created: N}");
  GH_CONFIG_TRY(read_key(c, *k, &out->key));
  if (const Field* l = m->get("local")) GH_CONFIG_TRY(read_bool(c, *l, &out->local));
  if (out->local) {
    if (table.key.size() != 2) return fail(c, f, "a local index needs a table with a range key");
    if (out->key.size() != 2 || !(out->key[0] == table.key[0]))
      return fail(c, *k,
                  "a local index has the table's hash key (" + table.key[0].name +
                      ") and a range key of its own");
  }
  if (const Field* p = m->get("projection")) {
    if (p->value.IsSequence()) {
      out->projection = TableIndex::Projection::kInclude;
      GH_CONFIG_TRY(read_string_list(c, *p, &out->include));
      if (out->include.empty()) return fail(c, *p, "expected at least one attribute name");
    } else {
      static constexpr std::array<std::string_view, 2> kProjections = {"all", "keys_only"};
      size_t index = 0;
      GH_CONFIG_TRY(read_enum(c, *p, kProjections, &index));
      out->projection =
          index == 0 ? TableIndex::Projection::kAll : TableIndex::Projection::kKeysOnly;
    }
  }
  return {};
}

}  // namespace

namespace {

// backend: dynamodb and the members that go with it; without it, those members are refused.
core::Status read_remote(const Ctx& c, const MapReader& t, const std::string& name, Table* table) {
  static constexpr std::string_view kRemoteOnly[] = {"table",       "region", "endpoint",
                                                     "credentials", "create", "timeout_ms"};
  std::string backend = "embedded";
  if (const Field* b = t.get("backend")) GH_CONFIG_TRY(read_nonempty_string(c, *b, &backend));
  if (backend == "embedded") {
    for (std::string_view member : kRemoteOnly) {
      if (const Field* f = t.get(std::string(member)))
        return fail(c, *f,
                    std::string(member) + " belongs to a remote table; add backend: dynamodb");
    }
    return {};
  }
  if (backend != "dynamodb")
    return fail(c, *t.get("backend"),
                quote(backend) + " is not a backend; expected embedded (the default) or dynamodb");
  if (!table->indexes.empty())
    return fail(c, *t.get("indexes"),
                "a remote table's indexes are the remote table's own; declare them there");
  RemoteTable remote;
  remote.table = name;
  if (const Field* f = t.get("table")) GH_CONFIG_TRY(read_nonempty_string(c, *f, &remote.table));
  const Field* region = t.get("region");
  if (!region) return t.missing(c, "region", "; the signature is scoped to it, e.g. eu-west-1");
  GH_CONFIG_TRY(read_nonempty_string(c, *region, &remote.region));
  remote.endpoint = "https://dynamodb." + remote.region + ".amazonaws.com";
  if (const Field* f = t.get("endpoint")) {
    GH_CONFIG_TRY(read_nonempty_string(c, *f, &remote.endpoint));
    if (!remote.endpoint.starts_with("http://") && !remote.endpoint.starts_with("https://"))
      return fail(c, *f, "expected an http:// or https:// origin, e.g. http://127.0.0.1:8000");
  }
  if (const Field* f = t.get("credentials")) {
    AwsCredentials credentials;
    GH_CONFIG_TRY(read_aws_credentials(c, *f, &credentials));
    remote.credentials = std::move(credentials);
  }
  if (const Field* f = t.get("create")) GH_CONFIG_TRY(read_bool(c, *f, &remote.create));
  GH_CONFIG_TRY(read_number(c, t.get("timeout_ms"), 1, 600'000, &remote.timeout_ms));
  table->remote = std::move(remote);
  return {};
}

// One table (tables.<name>); `done` are the tables before it (no two share a file).
core::Status parse_table(const Ctx& c, const std::string& name, const Field& field,
                         const std::string& data_dir, const std::vector<Table>& done, Table* out) {
  auto t = MapReader::open(c, field,
                           {"key", "indexes", "sqlite", "max_item_bytes", "backend", "table",
                            "region", "endpoint", "credentials", "create", "timeout_ms"});
  if (!t) return t.error();
  out->pos = source_pos(c, field.mark);
  if (const Field* k = t->get("key")) GH_CONFIG_TRY(read_key(c, *k, &out->key));
  out->key_attribute = out->key[0].name;
  if (const Field* i = t->get("indexes")) {
    auto indexes = MapReader::open_any(c, *i);
    if (!indexes) return indexes.error();
    for (const auto& [index_name, index_field] : indexes->entries()) {
      TableIndex index;
      GH_CONFIG_TRY(read_index(c, index_name, index_field, *out, &index));
      out->indexes.push_back(std::move(index));
    }
  }
  if (const Field* p = t->get("sqlite")) {
    GH_CONFIG_TRY(read_path(c, *p, &out->sqlite_path));
  } else {
    out->sqlite_path = (std::filesystem::path(data_dir) / (name + ".db")).string();
  }
  for (const Table& other : done) {
    if (other.sqlite_path == out->sqlite_path) {
      return fail_key(c, field,
                      "tables " + quote(other.name) + " and " + quote(name) +
                          " would share the file " + out->sqlite_path +
                          "; give each table its own sqlite file");
    }
  }
  GH_CONFIG_TRY(read_number(c, t->get("max_item_bytes"), 2, 409'600, &out->max_item_bytes));
  GH_CONFIG_TRY(read_remote(c, *t, name, out));
  return {};
}

}  // namespace

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
    Table table;
    table.name = name;
    GH_CONFIG_TRY(record_entry_error(c, parse_table(c, name, field, data_dir, *out, &table)));
    out->push_back(std::move(table));
  }
  return {};
}

}  // namespace gatehouse::config::detail
