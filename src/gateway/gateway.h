// The request pipeline: router -> authorizer (with its decision cache) -> integration. The only
// place where domain errors become HTTP responses (via responses.h). The admin endpoints are in
// admin.h, the metrics in metrics.h, what the events are told about a request in request_facts.h.
//
// Thread safety: handle() runs on every I/O thread at once. Each request holds the Runtime it
// started on (immutable) until it is answered; a reload swaps in another one whole
// (runtime_set.h), and requests in flight finish on theirs.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "core/clock.h"
#include "functions/invoker.h"
#include "gateway/runtime.h"
#include "gateway/runtime_set.h"
#include "http/message.h"
#include "observability/access_log.h"

namespace gatehouse::functions::events {
struct RequestFacts;
}

namespace gatehouse::gateway {

class Gateway final : public http::Handler {
 public:
  // `access_log` may be null (logging off). Both must outlive the gateway.
  Gateway(std::shared_ptr<const Runtime> runtime, const core::Clock& clock,
          observability::AccessLog* access_log);
  ~Gateway() override;
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  void handle(http::ExchangePtr exchange) override;
  // An http_proxy route's body passes through as it arrives; every other one is read whole.
  bool streams_body(std::string_view method, std::string_view path) override;
  http::Response protocol_error(http::ProtocolError error, const http::Request& partial) override;

  // Starts the authorizers' background work (first key fetches).
  void start();
  // Key refreshes, the embedded issuer's key directory, releasing runtimes a reload replaced and
  // other periodic work; call about once a second, on the thread start() ran on. Returns what went
  // wrong with the issuer's keys on disk (reported once per problem; the issuer keeps serving the
  // keys it had), for the caller to log.
  core::Status poll();
  // Whether every authorizer has its keys (a URL source's first fetch).
  bool ready() const;
  // The functions whose workers keep failing before their first /next: not ready while any is.
  std::vector<std::string> functions_failing_to_start() const;
  // Finishes queued table writes and token requests and stops their threads. Call after the
  // listeners drained, before the gateway is destroyed.
  void close();
  // Stops every function's workers (graceful: SIGTERM, then SIGKILL after their grace) and calls
  // `done` once all have exited. Call before letting the I/O threads run out of work.
  void stop_functions(std::function<void()> done);

  // The runtime new requests start on.
  std::shared_ptr<const Runtime> runtime() const { return runtimes_.current(); }
  // The current runtime and those a reload replaced (gateway/reload.h swaps them).
  RuntimeSet& runtimes() { return runtimes_; }

 private:
  struct Call;
  // Runs `step`, one stage of `call`. An exception out of it (a library refusing what a function
  // or a client sent, an allocation failing) answers 500 instead of escaping the completion
  // handler, which would end the process and every request in it.
  template <class Step>
  void guarded(Call& call, Step&& step) noexcept;
  void route(std::shared_ptr<Call> call);
  void authorize_or_integrate(std::shared_ptr<Call> call);
  // Reads a body the server streams (Exchange::body_pending) whole into the request, then goes
  // on with `next`: for a request a reload moved off an http_proxy route between its head and
  // its handling.
  void read_whole_body(std::shared_ptr<Call> call, void (Gateway::*next)(std::shared_ptr<Call>));
  void body_read_failed(Call& call, const core::Status& why);
  const functions::events::RequestFacts& facts(Call& call);
  void authorize(std::shared_ptr<Call> call);
  void on_authorized(std::shared_ptr<Call> call, const auth::stage::Outcome& outcome);
  http::Response refusal_response(Call& call, auth::stage::Verdict verdict);
  void integrate(std::shared_ptr<Call> call);
  void integrate_crud(std::shared_ptr<Call> call);
  void integrate_function(std::shared_ptr<Call> call);
  void on_function_result(Call& call, core::MonoTime started, functions::InvokeResult result);
  void integrate_http_proxy(std::shared_ptr<Call> call);
  void on_proxy_result(Call& call, core::MonoTime started,
                       core::Result<http::OriginStream, http::OriginError> result);
  // `with_facts`: the template may read the request's facts (built for it if not yet).
  ResponseContext response_context(Call& call, bool with_facts);
  void serve_issuer(std::shared_ptr<Call> call);
  // `rest` and `length`: a response whose body streams (http::Exchange::respond_streaming);
  // `passed`: fields passed through from a service, written after `res`'s own.
  void finish(Call& call, http::Response res, std::shared_ptr<http::BodySource> rest = nullptr,
              std::optional<uint64_t> length = std::nullopt, http::WireFields passed = {});
  http::Response error_response(Call& call, ResponseType type, const ErrorDetail& detail = {});
  // Whether the call may go on with API key `key` (empty: none); if not, it is answered (403
  // INVALID_API_KEY, 429 THROTTLED or QUOTA_EXCEEDED).
  bool admit_api_key(Call& call, std::string_view key);
  // The access log line of `call` answered with `status`: views into the call and its runtime.
  observability::AccessRecord access_record(Call& call, unsigned status, uint64_t total_us);
  // `rest`, observed: its line is written when the body ends, saying how, with the whole
  // transfer's time.
  std::shared_ptr<http::BodySource> logged_at_end(Call& call, unsigned status,
                                                  std::shared_ptr<http::BodySource> rest);
  static uint64_t micros_since_arrival(const http::Request& req);

  RuntimeSet runtimes_;
  // False from close() on: what outlives the gateway (a streamed body's end, torn down with the
  // I/O threads after it) checks it before reaching back.
  std::shared_ptr<bool> serving_ = std::make_shared<bool>(true);
  const core::Clock& clock_;
  observability::AccessLog* access_log_;
  // poll() calls so far, and how often (and how much) it expires items by TTL.
  uint64_t polls_ = 0;
  static constexpr uint64_t kTtlSweepPolls = 30;
  static constexpr size_t kTtlSweepItems = 10'000;
};

}  // namespace gatehouse::gateway
