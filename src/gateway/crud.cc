#include "gateway/crud.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cmath>

#include <charconv>

#include "core/ids.h"
#include "core/iso8601.h"
#include "core/json_text.h"
#include "core/text.h"
#include "functions/events/request_facts.h"

namespace gatehouse::gateway {
namespace {

namespace json = boost::json;

// Set by the service, never by clients: accepting them would let a caller forge authorship.
constexpr std::string_view kCreatedBy = "createdBy";
constexpr std::string_view kCreatedAt = "createdAt";
constexpr std::string_view kUpdatedAt = "updatedAt";

int64_t unix_ms(const core::Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.now().time_since_epoch())
      .count();
}

CrudOutcome gateway_error(ResponseType type, unsigned status, std::string message,
                          std::string_view reason) {
  CrudOutcome o;
  o.status = status;
  o.gateway_error = type;
  o.message = std::move(message);
  o.reason = reason;
  return o;
}

// The service's own error answers (404, 409): {"message": ...}.
CrudOutcome service_error(unsigned status, std::string_view message, std::string_view reason) {
  CrudOutcome o;
  o.status = status;
  o.body = "{\"message\":";
  core::append_json_string(o.body, message);
  o.body += '}';
  o.reason = reason;
  return o;
}

CrudOutcome from_store_error(const store::StoreError& e, std::string_view key_attribute,
                             std::string_view key) {
  using store::StoreErrorCode;
  switch (e.code) {
    case StoreErrorCode::kNotFound:
      return service_error(
          404, "no item with " + std::string(key_attribute) + " '" + std::string(key) + "'",
          "item_not_found");
    case StoreErrorCode::kAlreadyExists:
      return service_error(409,
                           "an item with " + std::string(key_attribute) + " '" + std::string(key) +
                               "' already exists",
                           "item_exists");
    case StoreErrorCode::kTooLarge:
      return gateway_error(ResponseType::kRequestTooLarge, 413, "Request Too Long: " + e.message,
                           "item_too_large");
    case StoreErrorCode::kInvalid:
      return gateway_error(ResponseType::kBadRequestBody, 400, e.message, "invalid_item");
    case StoreErrorCode::kBadCursor:
      return gateway_error(ResponseType::kBadRequestParameters, 400, e.message, "bad_cursor");
    case StoreErrorCode::kOverloaded:
    case StoreErrorCode::kUnavailable:
      return gateway_error(ResponseType::kDefault5xx, 503, "Service Unavailable: " + e.message,
                           "store_unavailable");
    case StoreErrorCode::kTimeout:
      // API Gateway's answer to an integration that did not answer in time.
      return gateway_error(ResponseType::kIntegrationTimeout, 504, "Endpoint request timed out",
                           "store_timeout");
    case StoreErrorCode::kCorrupt:
      return gateway_error(ResponseType::kDefault5xx, 500,
                           "Internal server error: the table's storage is damaged",
                           "store_corrupt");
    case StoreErrorCode::kIoError:
      break;
  }
  // The cause is the operator's to read (a disk error, a remote endpoint refusing the signature),
  // not the client's: it goes to the log, and the client gets API Gateway's answer.
  spdlog::error("a crud table's store failed: {}", e.message);
  return gateway_error(ResponseType::kDefault5xx, 500, "Internal server error", "store_io_error");
}

// application/json and application/*+json are JSON. So is a missing type, and curl's default
// application/x-www-form-urlencoded when the body is a JSON object: `curl -d '{...}'` sends that,
// and refusing it would fail the most common first try with a body we understand perfectly.
std::optional<CrudOutcome> check_content_type(std::string_view content_type,
                                              std::string_view body) {
  std::string media = core::media_type_of(content_type);
  if (media.empty() || media == "application/json") return std::nullopt;
  if (media.starts_with("application/") && media.ends_with("+json")) return std::nullopt;
  if (media == "application/x-www-form-urlencoded") {
    size_t first = body.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && body[first] == '{') return std::nullopt;
  }
  return gateway_error(
      ResponseType::kUnsupportedMediaType, 415,
      "Unsupported Media Type: expected Content-Type: application/json, got " + media,
      "unsupported_media_type");
}

// Why a key is unusable, or "" if it is fine. Keys appear in URLs (/resource/{id}), so '/' would
// make an item unreachable.
std::string key_problem(std::string_view key, std::string_view key_attribute) {
  if (key.empty()) return std::string(key_attribute) + " must not be empty";
  if (key.size() > kMaxKeyBytes) {
    return std::string(key_attribute) + " is longer than " + std::to_string(kMaxKeyBytes) +
           " bytes";
  }
  for (unsigned char c : key) {
    if (c < 0x20 || c == 0x7f) {
      return std::string(key_attribute) + " must not contain control characters";
    }
    if (c == '/') return std::string(key_attribute) + " must not contain '/'";
  }
  return {};
}

std::string_view kind_of(const json::value& v) {
  switch (v.kind()) {
    case json::kind::array:
      return "an array";
    case json::kind::string:
      return "a string";
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    default:
      return "a number";
  }
}

// Whether `v` holds a number that is not finite: Boost.JSON reads 1e400 as infinity, which would be
// stored and served as `Infinity`, text no JSON parser accepts (every reader of the table broken).
bool has_non_finite_number(const json::value& v) {
  switch (v.kind()) {
    case json::kind::double_:
      return !std::isfinite(v.get_double());
    case json::kind::array:
      return std::any_of(v.get_array().begin(), v.get_array().end(), has_non_finite_number);
    case json::kind::object:
      return std::any_of(
          v.get_object().begin(), v.get_object().end(),
          [](const json::key_value_pair& kv) { return has_non_finite_number(kv.value()); });
    default:
      return false;
  }
}

// The body as a JSON object with the metadata attributes refused, or the 400/413/415 to answer.
struct ParsedBody {
  json::object object;
  std::optional<CrudOutcome> error;
};

ParsedBody parse_item_body(const CrudRoute& route, const CrudRequest& req) {
  ParsedBody out;
  if (auto bad = check_content_type(req.content_type, req.body)) {
    out.error = std::move(bad);
    return out;
  }
  if (req.body.size() > route.max_item_bytes) {
    out.error = gateway_error(ResponseType::kRequestTooLarge, 413,
                              "Request Too Long: the item is " + std::to_string(req.body.size()) +
                                  " bytes; the limit is " + std::to_string(route.max_item_bytes),
                              "item_too_large");
    return out;
  }
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 32;
  json::value v = json::parse(req.body, ec, {}, options);
  if (ec) {
    std::string what = req.body.find_first_not_of(" \t\r\n") == std::string_view::npos
                           ? "the request body is empty; expected a JSON object"
                           : "the request body is not valid JSON (" + ec.message() + ")";
    out.error = gateway_error(ResponseType::kBadRequestBody, 400, std::move(what), "bad_json");
    return out;
  }
  if (!v.is_object()) {
    out.error =
        gateway_error(ResponseType::kBadRequestBody, 400,
                      "the request body must be a JSON object, got " + std::string(kind_of(v)),
                      "body_not_object");
    return out;
  }
  if (has_non_finite_number(v)) {
    out.error = gateway_error(ResponseType::kBadRequestBody, 400,
                              "the request body has a number out of range (beyond ±1.8e308): "
                              "numbers must be finite",
                              "number_out_of_range");
    return out;
  }
  out.object = std::move(v.get_object());
  for (std::string_view reserved : {kCreatedBy, kCreatedAt, kUpdatedAt}) {
    if (out.object.contains(reserved)) {
      out.error = gateway_error(
          ResponseType::kBadRequestBody, 400,
          "'" + std::string(reserved) + "' is set by the service; remove it from the body",
          "reserved_attribute");
      return out;
    }
  }
  return out;
}

// {"<key_attribute>": key, ...the other attributes} as text: the key first, for readability.
std::string serialize_attributes(const json::object& body, std::string_view key_attribute,
                                 std::string_view key) {
  std::string out = "{";
  core::append_json_string(out, key_attribute);
  out += ':';
  core::append_json_string(out, key);
  for (const auto& entry : body) {
    if (entry.key() == key_attribute) continue;
    out += ',';
    core::append_json_string(out, entry.key());
    out += ':';
    core::append_compact_json(out, entry.value());
  }
  out += '}';
  return out;
}

// The item as clients see it: its attributes plus the metadata.
void append_item(std::string& out, const store::Record& item) {
  std::string_view attrs = item.attributes;
  // Stored attributes are always a serialized object; strip its closing brace and extend it.
  GH_CHECK(attrs.size() >= 2 && attrs.front() == '{' && attrs.back() == '}');
  out.append(attrs.data(), attrs.size() - 1);
  if (attrs.size() > 2) out += ',';
  out += "\"createdBy\":";
  core::append_json_string(out, item.owner);
  out += ",\"createdAt\":\"";
  out += core::format_iso8601_ms(item.created_ms);
  out += "\",\"updatedAt\":\"";
  out += core::format_iso8601_ms(item.updated_ms);
  out += "\"}";
}

CrudOutcome item_outcome(unsigned status, const store::Record& item) {
  CrudOutcome o;
  o.status = status;
  o.body.reserve(item.attributes.size() + 128);
  append_item(o.body, item);
  return o;
}

// Percent-encodes a key for a Location header (RFC 3986 unreserved characters stay).
std::string encode_path_segment(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

store::OwnerFilter owner_filter(const CrudRoute& route, std::string_view principal) {
  if (!route.owner_only) return std::nullopt;
  return std::string(principal);
}

void create_item(const CrudRoute& route, const CrudRequest& req, const core::Clock& clock,
                 std::function<void(CrudOutcome)> done) {
  ParsedBody body = parse_item_body(route, req);
  if (body.error) return done(std::move(*body.error));
  int64_t now = unix_ms(clock);
  std::string key;
  if (const json::value* given = body.object.if_contains(route.key_attribute)) {
    // A client-chosen key: create-if-absent, 409 if taken. Not under owner_only: a 409 for a key
    // someone else holds would tell the caller that the item exists.
    if (route.owner_only) {
      return done(gateway_error(ResponseType::kBadRequestBody, 400,
                                "'" + route.key_attribute +
                                    "' is chosen by the service on this route (owner_only); "
                                    "remove it from the body",
                                "key_not_allowed"));
    }
    if (!given->is_string()) {
      return done(gateway_error(
          ResponseType::kBadRequestBody, 400,
          "'" + route.key_attribute + "' must be a string, got " + std::string(kind_of(*given)),
          "bad_key"));
    }
    key = std::string(given->get_string());
    if (auto problem = key_problem(key, route.key_attribute); !problem.empty()) {
      return done(gateway_error(ResponseType::kBadRequestBody, 400, problem, "bad_key"));
    }
  } else {
    key = core::to_string(core::new_time_ordered_id(now));
  }
  store::Record item;
  item.attributes = serialize_attributes(body.object, route.key_attribute, key);
  item.key = key;
  item.owner = std::string(req.principal);
  item.created_ms = now;
  item.updated_ms = now;
  std::string location(req.path);
  if (!location.ends_with('/')) location += '/';
  location += encode_path_segment(key);
  route.table->create(std::move(item),
                      [done = std::move(done), location = std::move(location), key,
                       &key_attribute = route.key_attribute](store::StoreResult<store::Record> r) {
                        if (!r) return done(from_store_error(r.error(), key_attribute, key));
                        CrudOutcome o = item_outcome(201, *r);
                        o.location = location;
                        done(std::move(o));
                      });
}

void list_items(const CrudRoute& route, const CrudRequest& req,
                std::function<void(CrudOutcome)> done) {
  store::ListQuery q;
  q.limit = route.default_limit;
  // Query parameters are read as API Gateway's events read them (the last of a repeated one).
  std::string limit = functions::events::find_query_param(req.query, "limit").last;
  if (!limit.empty()) {
    uint32_t v = 0;
    auto [ptr, ec] = std::from_chars(limit.data(), limit.data() + limit.size(), v);
    if (ec != std::errc() || ptr != limit.data() + limit.size() || v < 1 || v > kMaxListLimit) {
      return done(gateway_error(
          ResponseType::kBadRequestParameters, 400,
          "limit must be an integer from 1 to " + std::to_string(kMaxListLimit), "bad_limit"));
    }
    q.limit = v;
  }
  std::string next = functions::events::find_query_param(req.query, "next").last;
  if (!next.empty()) q.cursor = std::move(next);
  q.owner = owner_filter(route, req.principal);
  q.max_bytes = kMaxPageBytes;
  route.table->list(std::move(q), [done = std::move(done)](store::StoreResult<store::Page> r) {
    if (!r) return done(from_store_error(r.error(), "", ""));
    CrudOutcome o;
    o.status = 200;
    o.body = "{\"items\":[";
    for (size_t i = 0; i < r->items.size(); ++i) {
      if (i > 0) o.body += ',';
      append_item(o.body, r->items[i]);
    }
    o.body += ']';
    if (r->next_cursor) {
      o.body += ",\"next\":";
      core::append_json_string(o.body, *r->next_cursor);
    }
    o.body += '}';
    done(std::move(o));
  });
}

void get_item(const CrudRoute& route, const CrudRequest& req,
              std::function<void(CrudOutcome)> done) {
  std::string key(req.key);
  route.table->get(key, owner_filter(route, req.principal),
                   [done = std::move(done), key,
                    &key_attribute = route.key_attribute](store::StoreResult<store::Record> r) {
                     if (!r) return done(from_store_error(r.error(), key_attribute, key));
                     done(item_outcome(200, *r));
                   });
}

void replace_item(const CrudRoute& route, const CrudRequest& req, const core::Clock& clock,
                  std::function<void(CrudOutcome)> done) {
  ParsedBody body = parse_item_body(route, req);
  if (body.error) return done(std::move(*body.error));
  std::string key(req.key);
  if (const json::value* given = body.object.if_contains(route.key_attribute)) {
    if (!given->is_string() || given->get_string() != key) {
      return done(gateway_error(ResponseType::kBadRequestBody, 400,
                                "the body's '" + route.key_attribute +
                                    "' differs from the one in the path; leave it out or make "
                                    "them equal",
                                "key_mismatch"));
    }
  }
  store::Record item;
  item.attributes = serialize_attributes(body.object, route.key_attribute, key);
  item.key = key;
  item.updated_ms = unix_ms(clock);
  route.table->replace(std::move(item), owner_filter(route, req.principal),
                       [done = std::move(done), key,
                        &key_attribute = route.key_attribute](store::StoreResult<store::Record> r) {
                         if (!r) return done(from_store_error(r.error(), key_attribute, key));
                         done(item_outcome(200, *r));
                       });
}

void delete_item(const CrudRoute& route, const CrudRequest& req,
                 std::function<void(CrudOutcome)> done) {
  std::string key(req.key);
  route.table->remove(key, owner_filter(route, req.principal),
                      [done = std::move(done), key,
                       &key_attribute = route.key_attribute](store::StoreResult<std::monostate> r) {
                        if (!r) return done(from_store_error(r.error(), key_attribute, key));
                        CrudOutcome o;
                        o.status = 204;
                        done(std::move(o));
                      });
}

CrudOutcome method_not_allowed(const CrudRoute& route) {
  CrudOutcome o =
      gateway_error(ResponseType::kDefault4xx, 405, "Method Not Allowed", "method_not_allowed");
  o.allow = route.item_route ? "GET, PUT, DELETE" : "GET, POST";
  return o;
}

}  // namespace

void run_crud(const CrudRoute& route, const CrudRequest& req, const core::Clock& clock,
              std::function<void(CrudOutcome)> done) {
  // Owners are principals: callers without one (a JWT without `sub`, an authorizer answering
  // principalId "") would all share one owner and see each other's items.
  if (route.owner_only && req.principal.empty()) {
    return done(gateway_error(ResponseType::kAccessDenied, 403,
                              "User is not authorized to access this resource: the caller has no "
                              "principal, and this table's items belong to their owners",
                              "no_principal"));
  }
  if (route.item_route) {
    if (auto problem = key_problem(req.key, route.key_attribute); !problem.empty()) {
      return done(gateway_error(ResponseType::kBadRequestParameters, 400, problem, "bad_key"));
    }
    if (req.method == "GET") return get_item(route, req, std::move(done));
    if (req.method == "PUT") return replace_item(route, req, clock, std::move(done));
    if (req.method == "DELETE") return delete_item(route, req, std::move(done));
    return done(method_not_allowed(route));
  }
  if (req.method == "GET") return list_items(route, req, std::move(done));
  if (req.method == "POST") return create_item(route, req, clock, std::move(done));
  done(method_not_allowed(route));
}

}  // namespace gatehouse::gateway
