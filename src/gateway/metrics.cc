#include "gateway/metrics.h"

#include <string>
#include <utility>

namespace gatehouse::gateway {

void register_metrics(const Runtime& runtime, observability::Registry& registry) {
  const Runtime* rt = &runtime;
  // Every series of these carries route and method: a route template with a method it declares
  // ("ANY" for an ANY route); route "" with method "" for requests that matched no route (their
  // method is the client's to choose: not a label), route "issuer" for the embedded issuer.
  auto add_status_counters = [&](const std::string& route, const std::string& method,
                                 const StatusCounters& c) {
    for (size_t i = 0; i <= kCountedStatuses.size(); ++i) {
      std::string status =
          i < kCountedStatuses.size() ? std::to_string(kCountedStatuses[i]) : "other";
      registry.add_counter("gatehouse_requests_total",
                           "Requests answered, by route template, method and response status.",
                           {{"route", route}, {"method", method}, {"status", status}},
                           &c.by_status[i]);
    }
  };
  for (auto& r : rt->routes) {
    for (const auto& s : r->stats) {
      add_status_counters(r->path_template, s->method, s->counters);
      registry.add_histogram(
          "gatehouse_request_duration_seconds",
          "Seconds from a request's complete head to its response, by route template and method.",
          {{"route", r->path_template}, {"method", s->method}}, &s->latency);
    }
  }
  add_status_counters("", "", *rt->unmatched);
  if (rt->dynamodb) {
    const store::sqlite::SqliteStats& ts = *rt->dynamodb->stats;
    observability::Labels l = {};
    registry.add_counter("gatehouse_table_commits_total",
                         "Write transactions committed (one WAL fsync each).", l, &ts.commits);
    registry.add_counter("gatehouse_table_committed_ops_total",
                         "Writes in committed transactions (divided by commits: the mean group "
                         "size).",
                         l, &ts.batched_ops);
    registry.add_histogram("gatehouse_table_commit_duration_seconds",
                           "BEGIN to the end of COMMIT, fsync included.", l, &ts.commit_latency);
    registry.add_counter("gatehouse_table_read_snapshots_total",
                         "Read transactions begun (one per commit seen, per reading thread).", l,
                         &ts.read_snapshots);
    registry.add_gauge("gatehouse_table_write_queue_depth", "Writes accepted, not yet answered.", l,
                       &ts.queue_depth);
    registry.add_counter("gatehouse_table_write_queue_full_total",
                         "Writes refused because the queue was full.", l, &ts.queue_full);
    registry.add_counter("gatehouse_table_failed_commits_total",
                         "Transactions rolled back; none of their writes was acknowledged.", l,
                         &ts.failed_batches);
    const std::pair<const char*, const core::Counter*> errors[] = {
        {"unavailable", &ts.unavailable}, {"corrupt", &ts.corrupt}, {"io", &ts.io_errors}};
    for (auto& [kind, counter] : errors) {
      registry.add_counter("gatehouse_table_errors_total", "Storage failures by kind.",
                           {{"kind", kind}}, counter);
    }
  }
  if (rt->issuer) {
    add_status_counters("issuer", "", *rt->issuer_requests);
    const issuer::IssuerStats& is = *rt->issuer_stats;
    const std::pair<const char*, const core::Counter*> issuer_counters[] = {
        {"gatehouse_issuer_tokens_issued_total", &is.tokens_issued},
        {"gatehouse_issuer_auth_failures_total", &is.auth_failures},
        {"gatehouse_issuer_rate_limited_total", &is.rate_limited},
        {"gatehouse_issuer_rejected_total", &is.rejected},
        {"gatehouse_issuer_key_reloads_total", &is.key_reloads}};
    for (auto& [name, counter] : issuer_counters) {
      registry.add_counter(name, "Embedded issuer counter.", {}, counter);
    }
  }
  for (const auto& fn : rt->functions) {
    const FunctionRuntime& f = *fn;
    const functions::pool::PoolStats& ps = *f.stats;
    observability::Labels l = {{"function", f.name}};
    registry.add_counter("gatehouse_function_invocations_total",
                         "Invocations accepted (throttled ones included).", l, &ps.invocations);
    const std::pair<const char*, const core::Counter*> results[] = {
        {"success", &ps.succeeded},         {"function_error", &ps.function_errors},
        {"function_timeout", &ps.timeouts}, {"caller_timeout", &ps.caller_timeouts},
        {"worker_crashed", &ps.crashes},    {"throttled", &ps.throttled}};
    for (auto& [result, counter] : results) {
      registry.add_counter("gatehouse_function_results_total",
                           "Invocations by how they ended, named as the access log's error codes "
                           "(function_timeout: the function's own; caller_timeout: the route's or "
                           "the authorizer's).",
                           {{"function", f.name}, {"result", result}}, counter);
    }
    registry.add_counter("gatehouse_function_worker_starts_total",
                         "Worker processes started (cold starts).", l, &ps.worker_starts);
    registry.add_counter("gatehouse_function_init_failures_total",
                         "Workers that failed before asking for their first event.", l,
                         &ps.init_failures);
    registry.add_counter("gatehouse_function_runtime_api_refused_total",
                         "Runtime API connections refused: not from the worker or a process it "
                         "started.",
                         l, &ps.refused_connections);
    registry.add_gauge("gatehouse_function_workers", "Worker processes alive.", l, &ps.workers);
    registry.add_gauge("gatehouse_function_busy_workers", "Workers running an invocation.", l,
                       &ps.busy);
    registry.add_gauge("gatehouse_function_idle_workers",
                       "Workers waiting for an invocation (in the Runtime API's /next).", l,
                       &ps.idle);
    registry.add_gauge("gatehouse_function_queued_invocations", "Invocations waiting for a worker.",
                       l, &ps.queued);
    registry.add_gauge("gatehouse_function_failing_to_start",
                       "1 while the function's workers fail before their first /next (none has "
                       "reached it since), else 0.",
                       l, &ps.failing_to_start);
    registry.add_histogram("gatehouse_function_duration_seconds",
                           "From a worker taking the event to its answer.", l, &ps.duration);
    registry.add_histogram("gatehouse_function_init_duration_seconds",
                           "From a worker process's start to its first /next (its cold start).", l,
                           &ps.init_duration);
    registry.add_histogram("gatehouse_function_queue_wait_seconds",
                           "From the invocation's arrival to a worker taking it.", l,
                           &ps.queue_wait);
  }
  if (rt->usage_plans) {
    for (const auto& k : rt->usage_plans->stats()) {
      const std::pair<const char*, const core::Counter*> results[] = {
          {"allowed", &k->allowed},
          {"throttled", &k->throttled},
          {"quota_exceeded", &k->quota_exceeded}};
      for (auto& [result, counter] : results) {
        registry.add_counter("gatehouse_api_key_requests_total",
                             "Requests that presented an API key of a usage plan, by key name, "
                             "plan and what became of them.",
                             {{"api_key", k->key}, {"plan", k->plan}, {"result", result}}, counter);
      }
    }
    registry.add_counter("gatehouse_api_key_invalid_total",
                         "Requests to routes that need an API key with none, or none of a plan.",
                         {}, &rt->usage_plans->invalid());
  }
  for (const auto& u : rt->upstreams) {
    const proxy::UpstreamStats& us = u->stats();
    observability::Labels l = {{"upstream", u->origin()}};
    registry.add_counter("gatehouse_upstream_requests_total",
                         "Requests sent to an http_proxy upstream (origin).", l, &us.requests);
    const std::pair<const char*, const core::Counter*> results[] = {
        {"answered", &us.answered},
        {"upstream_unavailable", &us.unavailable},
        {"integration_timeout", &us.timeouts},
        {"upstream_busy", &us.busy},
        {"cut_off", &us.cut_off}};
    for (auto& [result, counter] : results) {
      registry.add_counter("gatehouse_upstream_results_total",
                           "Upstream exchanges by how they ended: answered (any status), the "
                           "access log's error code, or cut_off (answered, the body broke off "
                           "before its end; counted with answered too).",
                           {{"upstream", u->origin()}, {"result", result}}, counter);
    }
    registry.add_histogram("gatehouse_upstream_duration_seconds",
                           "From sending a request to the upstream's answer head (bodies "
                           "stream after).",
                           l, &us.latency);
    const proxy::Upstream* up = u.get();
    registry.add_gauge_fn("gatehouse_upstream_connections_opened",
                          "Connections opened to the upstream so far (reuse keeps it low).", l,
                          [up] { return static_cast<double>(up->connections_opened()); });
    registry.add_gauge_fn("gatehouse_upstream_cooling_down",
                          "1 while the upstream is skipped after a connection to it failed "
                          "(routes with several targets), else 0.",
                          l, [up] { return up->cooling_down() ? 1.0 : 0.0; });
    registry.add_gauge_fn("gatehouse_upstream_connections_open",
                          "Connections to the upstream open now, idle or busy (its pools' size).",
                          l, [up] { return static_cast<double>(up->connections_open()); });
  }
  for (auto& a : rt->authorizers) {
    const std::pair<const char*, const core::Counter*> outcomes[] = {
        {"allow", &a->stats.allow},
        {"unauthorized", &a->stats.unauthorized},
        {"forbidden", &a->stats.forbidden},
        {"failure", &a->stats.failure}};
    for (auto& [outcome, counter] : outcomes) {
      registry.add_counter("gatehouse_authorizer_decisions_total",
                           "Authorizer decisions by outcome.",
                           {{"authorizer", a->name}, {"outcome", outcome}}, counter);
    }
    registry.add_counter("gatehouse_authorizer_cache_hits_total", "Decision cache hits.",
                         {{"authorizer", a->name}}, &a->stats.cache.hits);
    registry.add_counter("gatehouse_authorizer_cache_misses_total", "Decision cache misses.",
                         {{"authorizer", a->name}}, &a->stats.cache.misses);
    registry.add_counter("gatehouse_authorizer_cache_evictions_total",
                         "Decision cache entries evicted to make room.", {{"authorizer", a->name}},
                         &a->stats.cache.evictions);
    const auth::stage::Stage* stage = a->stage.get();
    registry.add_gauge_fn("gatehouse_authorizer_cache_entries", "Decision cache entries.",
                          {{"authorizer", a->name}},
                          [stage] { return static_cast<double>(stage->cache_entries()); });
    for (auto& [suffix, counter] : a->stage->authorizer().counters()) {
      registry.add_counter("gatehouse_" + suffix, "Authorizer counter " + suffix + ".",
                           {{"authorizer", a->name}}, counter);
    }
  }
}

}  // namespace gatehouse::gateway
