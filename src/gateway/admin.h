// The admin listener's endpoints: /healthz (the process is up), /readyz (authorizer keys loaded,
// not draining) and /metrics (Prometheus text). GET and HEAD only.
#pragma once

#include <atomic>

#include "gateway/gateway.h"
#include "http/message.h"
#include "observability/metrics.h"

namespace gatehouse::gateway {

// /healthz, /readyz and /metrics on the admin listener.
class AdminHandler final : public http::Handler {
 public:
  AdminHandler(Gateway& gateway, observability::Registry& registry);
  void handle(http::ExchangePtr exchange) override;
  http::Response protocol_error(http::ProtocolError error, const http::Request& partial) override;
  // Set at shutdown so load balancers stop sending traffic before the listener closes.
  void set_draining() { draining_.store(true); }

 private:
  Gateway& gateway_;
  observability::Registry& registry_;
  std::atomic<bool> draining_{false};
};

}  // namespace gatehouse::gateway
