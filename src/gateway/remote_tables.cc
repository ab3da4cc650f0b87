#include "gateway/remote_tables.h"

#include <boost/json/parse.hpp>

#include <optional>
#include <thread>

#include "core/json_text.h"
#include "store/remote/dynamo_client.h"
#include "store/remote/remote_table.h"

namespace gatehouse::gateway {
namespace {

namespace json = boost::json;
using store::remote::DynamoClient;

// How long a table created with create: true may take to become ACTIVE.
constexpr auto kCreateWait = std::chrono::seconds(60);

core::Result<aws::ResolvedCredentials> credentials_of(const config::RemoteTable& r) {
  if (r.credentials) {
    auto secret = config::resolve_secret(r.credentials->secret_access_key);
    if (!secret)
      return core::invalid_argument("credentials.secret_access_key: " + secret.error().message());
    return aws::ResolvedCredentials{{r.credentials->access_key_id, *secret}, {}, "config"};
  }
  auto found = aws::resolve_credentials(aws::CredentialSources::from_environment());
  if (!found) return core::invalid_argument(found.error().message());
  return found;
}

// One call on a private io_context, run to its answer (the I/O threads do not run yet).
store::DbResult<std::string> call_now(boost::asio::io_context& ioc, DynamoClient& client,
                                      std::string operation, std::string body,
                                      std::chrono::milliseconds timeout) {
  std::optional<store::DbResult<std::string>> answer;
  client.call(std::move(operation), std::move(body), core::os_monotonic() + timeout,
              [&](store::DbResult<std::string> r) { answer = std::move(r); });
  ioc.restart();
  ioc.run();
  if (!answer) return store::DbError{store::DbErrorKind::kInternal, "no answer", {}, {}};
  return std::move(*answer);
}

// The Table of a DescribeTable answer: its status, and whether its key is one string attribute
// named `key`.
struct Described {
  std::string status;
  bool crud_key = false;
};
Described described(const std::string& answer, const std::string& key) {
  Described out;
  boost::system::error_code ec;
  json::value v = json::parse(answer, ec);
  const json::object* table = nullptr;
  if (!ec && v.is_object()) {
    if (const json::value* t = v.get_object().if_contains("Table")) table = t->if_object();
  }
  if (!table) return out;
  if (const json::value* s = table->if_contains("TableStatus"); s && s->is_string())
    out.status = std::string(s->get_string());
  const json::value* schema = table->if_contains("KeySchema");
  const json::value* definitions = table->if_contains("AttributeDefinitions");
  if (!schema || !schema->is_array() || schema->get_array().size() != 1 || !definitions ||
      !definitions->is_array())
    return out;
  const json::object* element = schema->get_array()[0].if_object();
  const json::value* name = element ? element->if_contains("AttributeName") : nullptr;
  if (!name || !name->is_string() || name->get_string() != key) return out;
  for (const json::value& d : definitions->get_array()) {
    const json::object* o = d.if_object();
    if (!o) continue;
    const json::value* n = o->if_contains("AttributeName");
    const json::value* type = o->if_contains("AttributeType");
    if (n && n->is_string() && n->get_string() == key && type && type->is_string() &&
        type->get_string() == "S")
      out.crud_key = true;
  }
  return out;
}

}  // namespace

core::Result<OpenedRemoteTable> open_remote_table(const config::Table& t,
                                                  const std::vector<boost::asio::io_context*>& io,
                                                  const core::Clock& clock) {
  const config::RemoteTable& r = *t.remote;
  const std::string where = "the remote table '" + r.table + "' at " + r.endpoint;
  auto credentials = credentials_of(r);
  if (!credentials) return credentials.error();
  const auto timeout = std::chrono::milliseconds(r.timeout_ms);

  // The start-up check, on an io_context of its own.
  {
    boost::asio::io_context check;
    auto origin = http::OriginClient::create(check, r.endpoint);
    if (!origin) return origin.error();
    auto client = std::make_shared<DynamoClient>(check, *origin, r.region, *credentials, clock);
    std::string body = "{\"TableName\":";
    core::append_json_string(body, r.table);
    body += "}";
    auto found = call_now(check, *client, "DescribeTable", body, timeout);
    if (!found && found.error().kind == store::DbErrorKind::kResourceNotFound) {
      if (!r.create)
        return core::invalid_argument(where + " does not exist; create it, or set create: true");
      std::string create = "{\"TableName\":";
      core::append_json_string(create, r.table);
      create += ",\"KeySchema\":[{\"AttributeName\":";
      core::append_json_string(create, t.key_attribute);
      create += ",\"KeyType\":\"HASH\"}],\"AttributeDefinitions\":[{\"AttributeName\":";
      core::append_json_string(create, t.key_attribute);
      create += ",\"AttributeType\":\"S\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}";
      auto created = call_now(check, *client, "CreateTable", create, timeout);
      if (!created && created.error().kind != store::DbErrorKind::kResourceInUse)
        return core::invalid_argument("cannot create " + where + ": " + created.error().message);
      const auto until = core::os_monotonic() + kCreateWait;
      for (;;) {
        found = call_now(check, *client, "DescribeTable", body, timeout);
        if (!found || described(*found, t.key_attribute).status == "ACTIVE") break;
        if (core::os_monotonic() > until)
          return core::invalid_argument(where + " did not become ACTIVE within 60 s");
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    }
    if (!found) return core::invalid_argument("cannot use " + where + ": " + found.error().message);
    if (!described(*found, t.key_attribute).crud_key)
      return core::invalid_argument(where + " is not keyed by the one string attribute '" +
                                    t.key_attribute + "' the crud integration needs");
  }

  std::vector<DynamoClient::Lane> lanes;
  for (boost::asio::io_context* ioc : io) {
    auto origin = http::OriginClient::create(*ioc, r.endpoint);
    if (!origin) return origin.error();
    lanes.push_back({ioc, std::move(*origin)});
  }
  auto client = std::make_shared<DynamoClient>(std::move(lanes), r.region, *credentials, clock);
  return OpenedRemoteTable{
      std::make_unique<store::remote::RemoteTable>(std::move(client), r.table, t.key_attribute,
                                                   t.max_item_bytes, timeout),
      std::move(*credentials)};
}

}  // namespace gatehouse::gateway
