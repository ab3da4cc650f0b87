// The admin listener's endpoints: /healthz (the process is up), /readyz (authorizer keys loaded,
// functions starting, not draining), /metrics (Prometheus text), GET and HEAD; and POST /reload,
// which reads the configuration again (gateway/reload.h) and answers how that went.
#pragma once

#include <atomic>
#include <functional>

#include "gateway/gateway.h"
#include "http/message.h"
#include "observability/metrics.h"

namespace gatehouse::gateway {

// /healthz, /readyz and /metrics on the admin listener.
class AdminHandler final : public http::Handler {
 public:
  // How a reload ended: HTTP status (200 reloaded, 400 refused, 503 not possible now) and its
  // JSON body.
  using ReloadAnswer = std::function<void(unsigned status, std::string body)>;
  // Starts a reload and calls back once it ended (from any thread).
  using Reload = std::function<void(ReloadAnswer)>;

  // `process` holds the series of the process (listeners, access log); the runtime's are added
  // from the gateway's current runtime at each scrape, so they follow reloads. `reload` may be
  // empty: there is no /reload then.
  AdminHandler(Gateway& gateway, observability::Registry& process, Reload reload);
  void handle(http::ExchangePtr exchange) override;
  http::Response protocol_error(http::ProtocolError error, const http::Request& partial) override;
  // Set at shutdown so load balancers stop sending traffic before the listener closes.
  void set_draining() { draining_.store(true); }

 private:
  Gateway& gateway_;
  observability::Registry& process_;
  Reload reload_;
  std::atomic<bool> draining_{false};
};

}  // namespace gatehouse::gateway
