// What the authorizer and the integration are told about one request: the facts the events are
// built from (functions/events/request_facts.h), read once from the request, its route and the
// runtime, so the identity an authorizer judges and the event a function gets cannot disagree.
#pragma once

#include <cstdint>
#include <string_view>

#include "functions/events/request_facts.h"
#include "gateway/runtime.h"
#include "http/message.h"
#include "router/router.h"

namespace gatehouse::gateway {

// Views into req, route, match and rt (and the two strings), valid while they are. `match` is
// null when the route has no parameters to give; `method_arn` is empty on public routes. The
// body's binary-ness is left to the proxy event's builder (body_is_binary stays false).
functions::events::RequestFacts request_facts(const http::Request& req, const Runtime& rt,
                                              const RouteRuntime& route, const router::Match* match,
                                              std::string_view method_arn,
                                              std::string_view extended_request_id,
                                              int64_t request_time_epoch_ms);

}  // namespace gatehouse::gateway
