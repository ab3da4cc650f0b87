#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <functional>
#include <thread>

#include "cli/commands.h"
#include "cli/route_table.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/json_text.h"
#include "dynamodb_api/listener.h"
#include "gateway/admin.h"
#include "gateway/build.h"
#include "gateway/gateway.h"
#include "gateway/reload.h"
#include "http/client.h"
#include "http/server.h"
#include "observability/access_log.h"
#include "observability/metrics.h"

namespace gatehouse::cli {

namespace asio = boost::asio;

namespace {

// Calls `tick` every second on `ioc` until `stop` is set.
void schedule_poll(asio::steady_timer& timer, std::function<void()> tick) {
  timer.expires_after(std::chrono::seconds(1));
  timer.async_wait([&timer, tick = std::move(tick)](boost::system::error_code ec) mutable {
    if (ec) return;
    tick();
    schedule_poll(timer, std::move(tick));
  });
}

void register_server_stats(observability::Registry& r, const std::string& listener,
                           const http::ServerStats& s) {
  observability::Labels l = {{"listener", listener}};
  r.add_counter("gatehouse_connections_accepted_total", "Connections accepted.", l,
                &s.connections_accepted);
  r.add_gauge("gatehouse_connections_open", "Connections open now.", l, &s.connections_open);
  r.add_counter("gatehouse_protocol_errors_total",
                "Requests rejected before routing (400, 413, 414, 431, 501).", l,
                &s.protocol_errors);
  r.add_counter("gatehouse_timeouts_total", "Connections closed by a read timeout.", l,
                &s.timeouts);
  r.add_counter("gatehouse_tls_handshake_errors_total",
                "TLS handshakes that failed (no common version or cipher, a client certificate "
                "refused or missing, plain HTTP, a timeout).",
                l, &s.tls_handshake_errors);
}

// Lets the API listener bind before the gateway exists, so the runtime can be built knowing the
// bound port (api.listen may say 0; the embedded issuer's URLs name the real one). Requests only
// arrive after start(), when the target is set.
class DeferredHandler final : public http::Handler {
 public:
  void set(http::Handler* target) { target_ = target; }
  void handle(http::ExchangePtr exchange) override { target_->handle(std::move(exchange)); }
  bool streams_body(std::string_view method, std::string_view path) override {
    return target_->streams_body(method, path);
  }
  http::Response protocol_error(http::ProtocolError error, const http::Request& partial) override {
    return target_->protocol_error(error, partial);
  }

 private:
  http::Handler* target_ = nullptr;
};

// Connections are descriptors: a listener allowed more connections than the process may open
// would fail accept() with EMFILE while still promising room. The soft open-files limit is raised
// to the hard one, and max_connections is lowered to fit under it with room for what the config
// needs besides (gateway::reserved_descriptors), said once at start. A limit that cannot hold even
// that is an error before anything starts.
core::Result<http::Limits> fit_descriptor_limit(const config::Config& config, http::Limits limits) {
  rlimit nofile{};
  if (::getrlimit(RLIMIT_NOFILE, &nofile) != 0) return limits;
  if (nofile.rlim_cur < nofile.rlim_max) {
    rlimit raised = nofile;
    raised.rlim_cur = nofile.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) nofile = raised;
  }
  if (nofile.rlim_cur == RLIM_INFINITY) return limits;
  constexpr uint64_t kFewestConnections = 16;
  const uint64_t reserve = gateway::reserved_descriptors(config);
  if (nofile.rlim_cur < reserve + kFewestConnections) {
    return core::unavailable(fmt::format(
        "the open-files limit ({}) is too low for this config: its workers, tables and listeners "
        "need about {} descriptors, and each connection one more; raise it to at least {} "
        "(ulimit -n, or LimitNOFILE= in a systemd unit)",
        nofile.rlim_cur, reserve, reserve + kFewestConnections));
  }
  const uint64_t room = nofile.rlim_cur - reserve;
  if (limits.max_connections > room) {
    spdlog::warn(
        "api.limits.max_connections {} is more than the open-files limit allows ({}, "
        "about {} needed by workers, tables and listeners): serving at most {} "
        "connections (raise `ulimit -n` to allow more)",
        limits.max_connections, nofile.rlim_cur, reserve, room);
    limits.max_connections = static_cast<uint32_t>(room);
  }
  return limits;
}

}  // namespace

int serve(const ServeArgs& args) {
  // Operational logs go to stderr; stdout carries the access log (when it is "-").
  spdlog::set_default_logger(spdlog::stderr_color_mt("gatehouse"));
  // 1. Configuration: everything that can be wrong with it is reported before anything starts.
  //    A reload reads it the same way, the command line's ports applied again.
  auto load_config = [&args]() -> core::Result<std::shared_ptr<const config::Config>> {
    auto cfg = config::load(args.config_path);
    if (!cfg) return cfg.error();
    auto overridden = std::make_shared<config::Config>(**cfg);
    if (args.api_port >= 0) overridden->api.listen.port = static_cast<uint16_t>(args.api_port);
    if (args.admin_port >= 0 && overridden->admin.listen) {
      overridden->admin.listen->port = static_cast<uint16_t>(args.admin_port);
    }
    return std::shared_ptr<const config::Config>(std::move(overridden));
  };
  auto loaded = load_config();
  if (!loaded) {
    std::fprintf(stderr, "gatehouse: %s\n", loaded.error().message().c_str());
    return 2;
  }
  const std::shared_ptr<const config::Config> first_config = *loaded;
  const config::Config& config = *first_config;

  auto api_limits = fit_descriptor_limit(config, gateway::http_limits(config));
  if (!api_limits) {
    std::fprintf(stderr, "gatehouse: %s\n", api_limits.error().message().c_str());
    return 2;
  }
  unsigned threads = config.api.io_threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  http::IoPool pool(threads);
  http::Client fetch_client(pool.at(0));

  // 2. The API listener's socket, so the runtime knows the bound port.
  DeferredHandler api_handler;
  http::ServerStats api_stats, admin_stats;
  http::Server api(pool, api_handler, *api_limits, "api", &api_stats);
  if (auto s = api.listen(config.api.listen.host, config.api.listen.port); !s.ok()) {
    std::fprintf(stderr, "gatehouse: api.listen: %s\n", s.message().c_str());
    return 1;
  }

  // 2b. The DynamoDB listener's socket, so function workers know its URL, and the credentials
  //     they sign with.
  DeferredHandler dynamodb_deferred;
  http::ServerStats dynamodb_stats;
  std::unique_ptr<http::Server> dynamodb;
  dynamodb_api::FrontDoorOptions dynamodb_door{config.api.region, std::nullopt};
  std::optional<std::pair<std::string, std::string>> worker_credentials;
  if (config.dynamodb) {
    if (const auto& creds = config.dynamodb->credentials) {
      auto secret = config::resolve_secret(creds->secret_access_key);
      if (!secret) {
        std::fprintf(stderr, "gatehouse: dynamodb.credentials.secret_access_key: %s\n",
                     secret.error().message().c_str());
        return 2;
      }
      dynamodb_door.credentials = aws::Credentials{creds->access_key_id, *secret};
      worker_credentials.emplace(creds->access_key_id, std::move(*secret));
    } else {
      // Any signer is served; the SDKs need some credentials to sign with.
      worker_credentials.emplace("gatehouse", "gatehouse");
    }
    http::Limits limits;
    limits.max_body_bytes = dynamodb_api::kMaxRequestBytes;
    dynamodb = std::make_unique<http::Server>(pool, dynamodb_deferred, limits, "dynamodb",
                                              &dynamodb_stats);
    if (auto s = dynamodb->listen(config.dynamodb->listen.host, config.dynamodb->listen.port);
        !s.ok()) {
      std::fprintf(stderr, "gatehouse: dynamodb.listen: %s\n", s.message().c_str());
      return 1;
    }
  }

  // 3. The runtime: tables, the embedded issuer, routes, authorizers (key sources), responses.
  gateway::BuildDeps deps{core::system_clock(), fetch_client, api.port()};
  if (dynamodb) deps.dynamodb_port = dynamodb->port();
  deps.dynamodb_credentials = std::move(worker_credentials);
  deps.io = &pool;
  auto runtime = gateway::build_runtime(first_config, deps);
  if (!runtime) {
    std::fprintf(stderr, "gatehouse: %s\n", runtime.error().message().c_str());
    return 2;
  }

  std::unique_ptr<observability::AccessLog> access_log;
  if (config.access_log.kind != config::AccessLog::Kind::kOff) {
    auto log = observability::AccessLog::open(
        config.access_log.kind == config::AccessLog::Kind::kStdout ? "-" : config.access_log.path);
    if (!log) {
      std::fprintf(stderr, "gatehouse: %s\n", log.error().message().c_str());
      return 2;
    }
    access_log = std::move(*log);
  }

  // The gateway holds the runtime alone: a reload that replaces it can then release it.
  gateway::Gateway gw(std::move(*runtime), core::system_clock(), access_log.get());
  api_handler.set(&gw);
  // Each accepted connection takes the TLS settings of the runtime then served: a reload's new
  // certificates apply from its next connection on.
  if (config.api.tls) api.set_tls([&gw] { return gw.runtime()->tls; });
  // The process's series; the runtime's are added at each scrape (they follow reloads).
  observability::Registry registry;

  // 4. The admin listener.
  register_server_stats(registry, "api", api_stats);
  if (access_log) {
    registry.add_counter("gatehouse_access_log_dropped_total",
                         "Access log lines lost (buffer full or write failed).", {},
                         &access_log->lines_dropped);
  }

  // Reloads (SIGHUP, POST /reload) build with what the first runtime was built with.
  gateway::Reloader reloader(gw, deps, load_config, pool.at(0));
  auto reload = [&reloader](std::function<void(const gateway::ReloadOutcome&)> then) {
    reloader.request([then = std::move(then)](const gateway::ReloadOutcome& outcome) {
      if (outcome.reloaded) {
        std::string routes = route_table(*outcome.config);
        if (!routes.empty() && routes.back() == '\n') routes.pop_back();
        spdlog::info("{}", routes);
      }
      if (then) then(outcome);
    });
  };
  gateway::AdminHandler admin_handler(
      gw, registry, [&reload](gateway::AdminHandler::ReloadAnswer answer) {
        reload([answer = std::move(answer)](const gateway::ReloadOutcome& outcome) {
          std::string body = outcome.reloaded ? R"({"status":"reloaded","message":)"
                                              : R"({"status":"refused","error":)";
          core::append_json_string(body, outcome.message);
          body += '}';
          answer(outcome.reloaded ? 200 : (outcome.not_now ? 503 : 400), std::move(body));
        });
      });
  std::unique_ptr<http::Server> admin;
  if (config.admin.listen) {
    admin =
        std::make_unique<http::Server>(pool, admin_handler, http::Limits{}, "admin", &admin_stats);
    if (auto s = admin->listen(config.admin.listen->host, config.admin.listen->port); !s.ok()) {
      std::fprintf(stderr, "gatehouse: admin.listen: %s\n", s.message().c_str());
      return 1;
    }
    register_server_stats(registry, "admin", admin_stats);
  }

  // 4b. The DynamoDB listener serves the runtime's store.
  std::unique_ptr<dynamodb_api::Listener> dynamodb_handler;
  if (dynamodb) {
    dynamodb_handler = std::make_unique<dynamodb_api::Listener>(
        *gw.runtime()->dynamodb->engine, std::move(dynamodb_door), config.api.account_id,
        core::system_clock());
    dynamodb_deferred.set(dynamodb_handler.get());
    register_server_stats(registry, "dynamodb", dynamodb_stats);
  }

  // Registered before anyone can learn we are listening, so a SIGTERM right after the
  // "listening" line drains instead of killing the process.
  asio::signal_set signals(pool.at(0), SIGINT, SIGTERM);
  // SIGHUP (systemd's ExecReload) reads the configuration again; the reload's outcome is logged.
  asio::signal_set hangups(pool.at(0), SIGHUP);
  std::function<void()> await_hangup = [&] {
    hangups.async_wait([&](boost::system::error_code ec, int) {
      if (ec) return;
      spdlog::info("received SIGHUP: reloading {}", config.file);
      reload(nullptr);
      await_hangup();
    });
  };
  await_hangup();

  // 5. Start: key fetches, periodic work, accepting.
  asio::steady_timer poll_timer(pool.at(0));
  asio::post(pool.at(0), [&] { gw.start(); });
  schedule_poll(poll_timer, [&] {
    if (auto s = gw.poll(); !s.ok()) spdlog::error("issuer keys: {}", s.message());
  });
  api.start();
  if (admin) admin->start();
  if (dynamodb) dynamodb->start();
  // What is served, before the first request: every route with its authorizer and integration.
  std::string routes = route_table(config);
  if (!routes.empty() && routes.back() == '\n') routes.pop_back();
  spdlog::info("{}", routes);
  spdlog::info("gatehouse {}: api '{}' stage '{}' listening on {}://{}:{}", kVersion,
               config.api.name, config.api.stage, config.api.tls ? "https" : "http",
               config.api.listen.host, api.port());
  if (admin) {
    spdlog::info("admin endpoints on http://{}:{} (/healthz /readyz /metrics, POST /reload)",
                 config.admin.listen->host, admin->port());
  }
  if (dynamodb) {
    spdlog::info("DynamoDB API on http://{}:{} (file {})", config.dynamodb->listen.host,
                 dynamodb->port(), config.dynamodb->file);
  }
  // A machine-readable line for scripts and tests that start us on port 0.
  std::fprintf(stdout,
               "{\"event\":\"listening\",\"api_port\":%u,\"admin_port\":%u,"
               "\"dynamodb_port\":%u}\n",
               api.port(), admin ? admin->port() : 0u, dynamodb ? dynamodb->port() : 0u);
  std::fflush(stdout);

  // 6. Graceful shutdown: stop accepting, finish in-flight requests within the grace period,
  //    then force-close what is left.
  asio::steady_timer grace_timer(pool.at(0));
  bool stopping = false;
  signals.async_wait([&](boost::system::error_code ec, int signo) {
    if (ec) return;
    // The grace period as the configuration now served says (a reload may have changed it).
    const uint32_t grace_ms = gw.runtime()->config->api.shutdown_grace_ms;
    stopping = true;
    hangups.cancel();
    reloader.stop();
    spdlog::info("received {}, draining (grace {} ms)", signo == SIGTERM ? "SIGTERM" : "SIGINT",
                 grace_ms);
    admin_handler.set_draining();
    poll_timer.cancel();
    // In-flight requests are answered first; then the function workers are stopped (they may
    // still be serving those requests until then), then the I/O threads run out of work.
    auto finish = [&] {
      asio::post(pool.at(0), [&] {
        gw.stop_functions([&] {
          asio::post(pool.at(0), [&] {
            grace_timer.cancel();
            if (dynamodb) dynamodb->close_all();
            if (admin) admin->close_all();
            if (admin) admin->drain(nullptr);
            pool.release();
          });
        });
      });
    };
    if (dynamodb) dynamodb->drain(nullptr);
    api.drain(finish);
    grace_timer.expires_after(std::chrono::milliseconds(grace_ms));
    grace_timer.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      spdlog::warn("grace period over; closing remaining connections");
      api.close_all();
      if (dynamodb) dynamodb->close_all();
      if (admin) admin->close_all();
      pool.stop();
    });
  });

  pool.run();
  // Queued table writes and token requests finish before the process exits.
  gw.close();
  if (access_log) access_log->flush();
  spdlog::info("stopped");
  return stopping ? 0 : 1;
}

}  // namespace gatehouse::cli
