// The built-in CRUD integration: the REST service of the seed's scenario over a store::Table.
//
//   collection route (/resource):       POST -> 201 + item + Location;  GET -> 200 {"items","next"}
//   item route (/resource/{id}):        GET -> 200 / 404;  PUT -> 200 / 404;  DELETE -> 204 / 404
//
// Items are JSON objects. The table keeps the key attribute (`id` by default) inside the item and
// the metadata beside it; responses show the item's attributes plus `createdBy` (the caller's
// principal), `createdAt` and `updatedAt` (ISO 8601 UTC). Request bodies must be JSON objects
// (application/json; curl's default form type is accepted when the body is a JSON object, see
// docs/configuration.md) and may not set the metadata attributes.
//
// Errors come back as a CrudOutcome naming a gateway response type (400 BAD_REQUEST_BODY, 413
// REQUEST_TOO_LARGE, 415 UNSUPPORTED_MEDIA_TYPE, 503/500 through DEFAULT_5XX) so API owners can
// restyle them; 404 and 409 are the service's own {"message": ...} answers.
//
// Thread safety: run_crud() may be called from any thread; `done` runs on the calling thread
// (reads) or the table's writer thread (writes). `route` must outlive `done` (the gateway's call
// holds the runtime that owns it), so callbacks refer to it instead of copying its strings.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/defaults.h"
#include "gateway/responses.h"
#include "store/table.h"

namespace gatehouse::gateway {

// A route's CRUD settings, resolved at build time.
struct CrudRoute {
  store::Table* table = nullptr;  // owned by the Runtime
  std::string key_attribute = "id";
  uint64_t max_item_bytes = core::defaults::kMaxItemBytes;
  bool owner_only = false;
  uint32_t default_limit = core::defaults::kCrudPageLimit;
  bool item_route = false;  // the template ends in a parameter: the item's key
};

// What one request asks of the CRUD service (views into the request; valid during run_crud()).
struct CrudRequest {
  std::string_view method;        // "GET", "POST", ...
  std::string_view path;          // as received, for Location
  std::string_view query;         // without '?'
  std::string_view content_type;  // the Content-Type header
  std::string_view body;
  std::string_view key;        // item routes: the decoded path parameter
  std::string_view principal;  // the authorizer's principalId; empty on public routes
};

struct CrudOutcome {
  unsigned status = 200;
  std::string body;      // the JSON answer (success, 404, 409); empty for 204
  std::string location;  // 201 only
  // Set for errors answered through the gateway responses; `message` is their message.
  std::optional<ResponseType> gateway_error;
  std::string message;
  std::string_view reason;  // short machine-readable cause for the access log ("" on success)
  std::string_view allow;   // 405 only: the Allow header
};

// Limits on list queries.
inline constexpr uint32_t kMaxListLimit = core::defaults::kMaxCrudPageLimit;
// A list page ends once its items hold this many bytes (DynamoDB's 1 MB page), with `next` to go
// on: a page is at most this plus one item, whatever `limit` asks.
inline constexpr size_t kMaxPageBytes = 1024 * 1024;
// Longest key accepted from a client (ids we generate are 36 characters).
inline constexpr size_t kMaxKeyBytes = 1024;

void run_crud(const CrudRoute& route, const CrudRequest& request, const core::Clock& clock,
              std::function<void(CrudOutcome)> done);

}  // namespace gatehouse::gateway
