#include "http/body_stream.h"

namespace gatehouse::http {

ObservedBody::ObservedBody(std::shared_ptr<BodySource> inner, OnEnd on_end)
    : inner_(std::move(inner)), on_end_(std::move(on_end)) {}

ObservedBody::~ObservedBody() {
  end(core::Status(core::Code::kCancelled, "the client's connection closed before the body's end"));
}

void ObservedBody::read(BodyReadDone done) {
  inner_->read(
      [self = shared_from_this(), done = std::move(done)](core::Result<std::string_view> piece) {
        if (!piece) {
          self->end(piece.error());
        } else if (piece->empty()) {
          self->end(core::Status());
        } else {
          self->bytes_ += piece->size();
        }
        done(std::move(piece));
      });
}

void ObservedBody::end(const core::Status& how) {
  if (!on_end_) return;
  OnEnd once = std::move(on_end_);
  on_end_ = nullptr;
  once(how, bytes_);
}

}  // namespace gatehouse::http
