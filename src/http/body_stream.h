// Bodies that pass through piece by piece instead of whole: a request body read as it arrives
// (Exchange::read_body) and a response body written as its source yields it (BodySource). What
// one streamed exchange holds is one piece per direction, whatever the body's size.
//
// Thread safety: a piece is read and its callback runs on one I/O thread (the connection's);
// sources and readers are used from that thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "core/status.h"

namespace gatehouse::http {

// The next piece of a body: bytes (valid until the next read or the reader's end), an empty view
// at the end of the body, or why the body stopped short. For a client's body: kResourceExhausted
// past the listener's max_body_bytes, kInvalidArgument for a malformed chunk, kDeadlineExceeded
// past body_timeout_ms, kUnavailable when the client went away.
using BodyReadDone = std::function<void(core::Result<std::string_view> piece)>;

// Where the rest of a streamed response's body comes from. One read at a time; `done` runs on the
// connection's I/O thread. An error ends the client's response cut short (the connection closes
// without the message's end), never as if it were complete. Destroying a source mid-body stops
// it (an upstream connection is closed, not reused).
class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual void read(BodyReadDone done) = 0;
};

// A source passed through, told once how its body ended: `on_end` gets ok after the last piece,
// the source's error when it failed, or kCancelled when it is dropped before its end (the client
// went away). For counters and the access log of streamed answers.
class ObservedBody final : public BodySource, public std::enable_shared_from_this<ObservedBody> {
 public:
  using OnEnd = std::function<void(const core::Status& how, uint64_t bytes)>;
  ObservedBody(std::shared_ptr<BodySource> inner, OnEnd on_end);
  ~ObservedBody() override;
  void read(BodyReadDone done) override;

 private:
  void end(const core::Status& how);
  std::shared_ptr<BodySource> inner_;
  OnEnd on_end_;
  uint64_t bytes_ = 0;
};

}  // namespace gatehouse::http
