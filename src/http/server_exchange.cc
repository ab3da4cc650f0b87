// http::Exchange as the listener hands it to its handler (detail/exchange.h): the request, and the
// way back to the session that read it.
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>

#include "http/detail/exchange.h"

namespace gatehouse::http::detail {
namespace {

namespace asio = boost::asio;

// Owns the request and a strong reference to its session until the handler answers or drops it.
// The session does not own exchanges (only their queue slots), so there is no reference cycle.
class ExchangeImpl final : public Exchange, public std::enable_shared_from_this<ExchangeImpl> {
 public:
  ExchangeImpl(std::shared_ptr<Session> session, Request req, uint64_t seq, bool body_pending)
      : session_(std::move(session)),
        req_(std::move(req)),
        seq_(seq),
        body_pending_(body_pending) {}
  ~ExchangeImpl() override;
  Request& request() override { return req_; }
  void respond(Response res) override;
  void respond_streaming(Response head, WireFields passed, std::shared_ptr<BodySource> rest,
                         std::optional<uint64_t> length) override;
  bool body_pending() const override { return body_pending_.load(); }
  void read_body(BodyReadDone done) override;
  asio::any_io_executor executor() override { return session_executor(*session_); }
  bool client_gone() const override { return session_client_gone(*session_); }

 private:
  std::shared_ptr<Session> session_;
  Request req_;
  const uint64_t seq_;
  std::atomic<bool> responded_{false};
  std::atomic<bool> body_pending_;
};

void ExchangeImpl::respond(Response res) {
  if (responded_.exchange(true)) return;  // answered twice: the first answer stands
  auto ex = session_executor(*session_);
  if (ex.running_in_this_thread()) {
    return session_answer(*session_, seq_, std::move(res));  // no handler to move it into
  }
  asio::dispatch(ex, [session = session_, seq = seq_, res = std::move(res)]() mutable {
    session_answer(*session, seq, std::move(res));
  });
}

void ExchangeImpl::respond_streaming(Response head, WireFields passed,
                                     std::shared_ptr<BodySource> rest,
                                     std::optional<uint64_t> length) {
  if (responded_.exchange(true)) return;
  auto ex = session_executor(*session_);
  if (ex.running_in_this_thread()) {
    return session_answer(*session_, seq_, std::move(head), std::move(rest), length,
                          std::move(passed));
  }
  asio::dispatch(ex, [session = session_, seq = seq_, res = std::move(head),
                      passed = std::move(passed), rest = std::move(rest), length]() mutable {
    session_answer(*session, seq, std::move(res), std::move(rest), length, std::move(passed));
  });
}

void ExchangeImpl::read_body(BodyReadDone done) {
  asio::dispatch(session_executor(*session_), [self = shared_from_this(),
                                               done = std::move(done)]() {
    session_read_body_piece(*self->session_, self->seq_,
                            [self, done = std::move(done)](core::Result<std::string_view> piece) {
                              if (piece && piece->empty()) self->body_pending_ = false;
                              done(std::move(piece));
                            });
  });
}

ExchangeImpl::~ExchangeImpl() {
  if (responded_.load()) return;
  // A handler dropped the request without answering: answer 500 rather than stall the
  // connection's pipeline forever.
  Response res{boost::beast::http::status::internal_server_error, 11};
  res.set(boost::beast::http::field::content_type, "application/json");
  res.body() = R"({"message": "Internal server error"})";
  asio::dispatch(session_executor(*session_),
                 [session = session_, seq = seq_, res = std::move(res)]() mutable {
                   session_answer(*session, seq, std::move(res));
                 });
}

}  // namespace

std::shared_ptr<Exchange> make_exchange(std::shared_ptr<Session> session, Request req, uint64_t seq,
                                        bool body_pending) {
  return std::make_shared<ExchangeImpl>(std::move(session), std::move(req), seq, body_pending);
}

}  // namespace gatehouse::http::detail
