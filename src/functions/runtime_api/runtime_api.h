// The AWS Lambda Runtime API (2018-06-01) as one worker process sees it
// (docs/aws-compatibility.md §7): the HTTP side only. What the calls mean for invocations is the
// pool's business, behind RuntimeApiDelegate; this file parses paths, checks methods and sizes, and
// answers with the status codes and bodies of the real API:
//
//   GET  /2018-06-01/runtime/invocation/next            200 event, Lambda-Runtime-* headers | 403
//   POST /2018-06-01/runtime/invocation/{id}/response   202 {"status":"OK"} | 400 | 403 | 413
//   POST /2018-06-01/runtime/invocation/{id}/error      202 {"status":"OK"} | 400 | 403
//   POST /2018-06-01/runtime/init/error                 202 {"status":"OK"} | 403
//   anything else                                       404 / 405, errorMessage + errorType
//
// /next is a long poll: the delegate keeps the exchange and answers it with answer_next() when an
// invocation is ready, from any thread.
//
// Thread safety: RuntimeApiHandler is called from I/O threads concurrently; it holds no state of
// its own besides the delegate reference.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "http/limits.h"
#include "http/message.h"

namespace gatehouse::functions::runtime_api {

// One invocation as GET /next hands it to the runtime.
struct NextInvocation {
  std::string_view request_id;    // Lambda-Runtime-Aws-Request-Id (a UUID)
  int64_t deadline_unix_ms = 0;   // Lambda-Runtime-Deadline-Ms
  std::string_view function_arn;  // Lambda-Runtime-Invoked-Function-Arn
  std::string_view trace_id;      // Lambda-Runtime-Trace-Id; omitted when empty
  std::string payload;            // the event (moved into the response)
};

// A function error as the runtime reported it: the Lambda-Runtime-Function-Error-Type header
// (normalised as the Runtime Interface Emulator does) and the error document's fields.
struct ErrorReport {
  std::string error_type;     // the document's errorType, else the header's normalised value
  std::string error_message;  // the document's errorMessage, exactly; empty if none
};

// Parses an error body ({"errorMessage": ..., "errorType": ..., ...}); a body that is not such a
// document still gives a report (type from the header, message empty). Pure.
ErrorReport parse_error_report(std::string_view error_type_header, std::string_view body);

// What the delegate decided about a POST.
enum class PostOutcome {
  kAccepted,          // 202 {"status":"OK"}
  kInvalidRequestId,  // 400 InvalidRequestID: no such invocation on this worker
  kInvalidState,      // 403 InvalidStateTransition: e.g. a second answer, init error after init
};

class RuntimeApiDelegate {
 public:
  virtual ~RuntimeApiDelegate() = default;
  // The runtime waits for an event. Answer later with answer_next(*long_poll, ...), or drop it
  // (the worker is being stopped).
  virtual void on_next(http::ExchangePtr long_poll) = 0;
  virtual PostOutcome on_response(std::string_view request_id, std::string body) = 0;
  virtual PostOutcome on_error(std::string_view request_id, ErrorReport report) = 0;
  virtual PostOutcome on_init_error(ErrorReport report) = 0;
  // A response body over the limit was refused with 413; the invocation must fail.
  virtual void on_response_too_large(std::string_view request_id) = 0;
};

// 200 with the event and its headers.
void answer_next(http::Exchange& long_poll, NextInvocation invocation);

// 403 InvalidStateTransition for a GET /next the runtime may not make now (one is waiting already,
// or an invocation is running), with `why` as the errorMessage.
void refuse_next(http::Exchange& next, std::string_view why);

// The listener limits of a Runtime API endpoint: bodies up to functions::kMaxResponseBytes, no idle
// cut-off (a worker's connection sits idle while its handler runs, and its /next waits as long as
// the function is idle), and answers held for a pipelined next request
// (http::Limits::hold_answers_for_pipelined).
http::Limits runtime_api_limits();

class RuntimeApiHandler final : public http::Handler {
 public:
  explicit RuntimeApiHandler(RuntimeApiDelegate& delegate) : delegate_(delegate) {}
  void handle(http::ExchangePtr exchange) override;
  http::Response protocol_error(http::ProtocolError error, const http::Request& partial) override;

 private:
  RuntimeApiDelegate& delegate_;
};

}  // namespace gatehouse::functions::runtime_api
