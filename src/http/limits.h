// Limits for one HTTP listener. Every field is a bound on what a client can make us hold or wait
// for; each maps to a specific status so a client learns what it did wrong.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/defaults.h"

namespace gatehouse::http {

struct Limits {
  // Default 8 KiB. A longer request line gets 414 URI Too Long.
  size_t max_request_line_bytes = core::defaults::kMaxRequestLineBytes;
  // Default 16 KiB for all header fields together. More gets 431.
  size_t max_header_bytes = core::defaults::kMaxHeaderBytes;
  // Default 10 MiB (API Gateway's payload limit). More gets 413 REQUEST_TOO_LARGE.
  size_t max_body_bytes = core::defaults::kMaxBodyBytes;
  // Default 10 s for the whole request head from its first byte: a client trickling one byte a
  // second is cut off here.
  uint32_t header_timeout_ms = core::defaults::kHeaderTimeoutMs;
  // Default 30 s for the whole body once the head is in.
  uint32_t body_timeout_ms = core::defaults::kBodyTimeoutMs;
  // Default 60 s a keep-alive connection may sit with no request in progress.
  uint32_t idle_timeout_ms = core::defaults::kIdleTimeoutMs;
  // Default 16 requests read ahead of their responses on one connection; bounds memory per
  // pipelining client.
  uint32_t max_pipelined_requests = core::defaults::kMaxPipelinedRequests;
  // Default 1 MiB of request bodies not yet answered and answers not yet written on one
  // connection: past it, no further pipelined request is read until those are answered and the
  // client reads what it was sent. With the page and response caps above the gateway, what one
  // connection holds stays bounded.
  size_t max_connection_held_bytes = 1024 * 1024;
  // Default 10000 open connections per listener; further accepts wait.
  uint32_t max_connections = core::defaults::kMaxConnections;
  // Default 60 s to write one response to a slow reader before the connection is dropped.
  uint32_t write_timeout_ms = 60'000;
  // Default false. When true, an answer whose client has already sent its next request waits for
  // that request's answer, and both go out in one write (up to four answers at once): a client
  // that sends two requests together is woken once for the two answers. Only for listeners whose
  // clients pipeline on purpose and need the first answer no sooner than the second: the Runtime
  // API, where a runtime posts its result and asks for the next event in one write.
  bool hold_answers_for_pipelined = false;
};

}  // namespace gatehouse::http
