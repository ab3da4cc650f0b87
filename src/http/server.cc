#include "http/server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <deque>
#include <iterator>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/text.h"
#include "http/detail/date.h"
#include "http/detail/exchange.h"
#include "http/detail/listener_stream.h"
#include "http/detail/server_impl.h"
#include "http/detail/wire.h"
#include "http/tls_server.h"

namespace gatehouse::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using std::chrono::milliseconds;

// ---------------------------------------------------------------------------------------------
// Session

namespace detail {
class Session;
}  // namespace detail

namespace {

using detail::Framing;
using detail::ListenerStream;
using detail::Session;

}  // namespace

namespace detail {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Socket socket, const tcp::endpoint& peer, std::shared_ptr<Server::Impl> server,
          std::shared_ptr<const TlsServerContext> tls)
      : stream_(std::move(socket)),
        server_(std::move(server)),
        limits_(server_->limits_),
        tls_context_(std::move(tls)),
        peer_ip_(peer.address().to_string()),
        peer_port_(peer.port()) {
    beast::error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);
  }

  ~Session() { server_->session_closed(this); }

  void start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (self->tls_context_) return self->handshake();
      self->do_read();
    });
  }

  // From any thread: stop reading new requests; close now if idle.
  void begin_close() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      if (self->queue_.empty() && !self->in_request_) return self->close();
      self->maybe_write();  // an answer held for the next one (hold_answers_for_pipelined) goes now
    });
  }

  void force_close() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->close(); });
  }

  // Session thread: a handler's answer for request `seq` (with `rest`, a streamed one).
  void on_response(uint64_t seq, Response res, std::shared_ptr<BodySource> rest = nullptr,
                   std::optional<uint64_t> length = std::nullopt, WireFields passed = {}) {
    if (closed_) return;  // connection gone: the answer is dropped
    for (auto& slot : queue_) {
      if (slot.seq == seq) {
        if (!slot.response) {
          request_bytes_ -= slot.bytes;  // the request's body, let go with its exchange
          slot.bytes = response_bytes(res) + passed.text().size();
          answer_bytes_ += slot.bytes;
          slot.response.emplace(std::move(res));
          slot.passed = std::move(passed);
          slot.rest = std::move(rest);
          slot.length = length;
          if (seq == in_flight_seq_) in_flight_ = false;
        }
        break;
      }
    }
    maybe_write();
    maybe_dispatch();
  }

  // Session thread: the next piece of request `seq`'s streamed body (ExchangeImpl::read_body).
  void read_body_piece(uint64_t seq, BodyReadDone done) {
    auto fail = [this](BodyReadDone d, core::Status why) {
      asio::post(stream_.get_executor(),
                 [d = std::move(d), why = std::move(why)]() mutable { d(std::move(why)); });
    };
    if (completed_body_seq_ == seq) {
      asio::post(stream_.get_executor(),
                 [d = std::move(done)] { d(core::Result<std::string_view>(std::string_view())); });
      return;
    }
    if (closed_ || !body_parser_ || body_seq_ != seq)
      return fail(std::move(done), core::unavailable("the client's connection closed"));
    if (body_reader_) {
      return fail(std::move(done),
                  core::internal_error("a body piece was asked for before the last one came"));
    }
    body_reader_ = std::move(done);
    if (continue_owed_) {
      // The handler wants the body: now the client may send it.
      continue_owed_ = false;
      continue_seq_ = seq;
      continue_then_read_piece_ = true;
      return maybe_write();
    }
    start_piece_read();
  }

  auto executor() { return stream_.get_executor(); }
  // Exchange::client_gone: set once a read fails or ends (the client closed its side), or the
  // connection closes. Read from any thread.
  bool client_gone() const { return client_gone_.load(std::memory_order_relaxed); }

 private:
  // A TLS connection's first exchange, within the head's deadline (a client that connects and
  // sends nothing holds the connection no longer than one that sends half a request).
  void handshake() {
    stream_.use_tls(tls_context_->context());
    stream_.expires_after(milliseconds(limits_.header_timeout_ms));
    stream_.tls().async_handshake(
        asio::ssl::stream_base::server,
        [self = shared_from_this()](beast::error_code ec) { self->on_handshake(ec); });
  }

  void on_handshake(beast::error_code ec) {
    if (closed_) return;
    if (ec) {
      server_->stats_->tls_handshake_errors.inc();
      if (ec == beast::error::timeout) server_->stats_->timeouts.inc();
      if (detail::is_plain_http_on_tls(ec)) return answer_plain_http();
      return close();
    }
    ticket_owed_ = true;
    try {
      tls_facts_ =
          std::make_shared<const TlsFacts>(tls_context_->facts(stream_.tls().native_handle()));
    } catch (const std::bad_alloc&) {
      return close();
    }
    do_read();
  }

  // The client spoke plain HTTP to a TLS port: told so in plain HTTP, which it can read, rather
  // than left with a connection closed for no reason it could see.
  void answer_plain_http() {
    stream_.expires_after(milliseconds(limits_.write_timeout_ms));
    asio::async_write(stream_.plain(),
                      asio::buffer(detail::kPlainHttpOnTls.data(), detail::kPlainHttpOnTls.size()),
                      [self = shared_from_this()](beast::error_code, size_t) {
                        beast::error_code ignored;
                        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                        self->close();
                      });
  }

  // Whether another request may be read now. Both limits are resumed after a write: a client that
  // pipelines without reading gets no more of its requests read than the count and the byte
  // budget allow.
  bool may_read_more() const {
    return !closed_ && !closing_ && read_open_ && queue_.size() < limits_.max_pipelined_requests &&
           request_bytes_ + answer_bytes_ < limits_.max_connection_held_bytes;
  }

  void do_read() {
    if (reading_ || !may_read_more()) return;
    reading_ = true;
    parser_.emplace();
    parser_->header_limit(
        static_cast<std::uint32_t>(limits_.max_request_line_bytes + limits_.max_header_bytes));
    parser_->body_limit(limits_.max_body_bytes);
    if (buffer_.size() == 0) {
      // Waiting for the next request: with the idle timeout once nothing is in flight; while an
      // answer is still owed, untimed, and given the idle timeout when the last answer is written
      // (on_write), so a long answer (a stream) is not cut off by the wait for the next request.
      // The head then gets its own, shorter deadline.
      awaiting_untimed_ = !queue_.empty();
      if (awaiting_untimed_) {
        stream_.expires_at(std::chrono::steady_clock::time_point::max());
      } else {
        stream_.expires_after(milliseconds(limits_.idle_timeout_ms));
      }
      stream_.async_read_some(buffer_.prepare(4096),
                              [self = shared_from_this()](beast::error_code ec, size_t n) {
                                self->on_first_bytes(ec, n);
                              });
    } else {
      read_header();
    }
  }

  void on_first_bytes(beast::error_code ec, size_t n) {
    awaiting_untimed_ = false;
    if (ec) {
      client_gone_.store(true, std::memory_order_relaxed);
      reading_ = false;
      if (ec == beast::error::timeout) server_->stats_->timeouts.inc();
      read_open_ = false;
      if (queue_.empty()) close();
      return;
    }
    buffer_.commit(n);
    // Most requests come whole in their first read: parsed here, rather than by Beast's read,
    // which completes through one more pass of the scheduler when it finds all it needs buffered.
    in_request_ = true;
    beast::error_code ec2;
    const size_t used = parser_->put(buffer_.data(), ec2);
    buffer_.consume(used);
    if (ec2 == bhttp::error::need_more || (!ec2 && !parser_->is_header_done())) {
      return read_header(used);  // the rest of the head, as Beast reads it
    }
    on_header(ec2, used);
  }

  // `parsed`: what of the head was parsed before (counted with the rest against its limits).
  void read_header(size_t parsed = 0) {
    in_request_ = true;
    stream_.expires_after(milliseconds(limits_.header_timeout_ms));
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this(), parsed](beast::error_code ec, size_t n) {
                               self->on_header(ec, parsed + n);
                             });
  }

  void on_header(beast::error_code ec, size_t head_bytes) {
    if (ec) return on_read_error(ec);
    // Request line and header block have separate limits (414 vs 431); Beast enforces only
    // their sum, so split it here.
    auto& req = parser_->get();
    size_t line_bytes = req.method_string().size() + 1 + req.target().size() + 1 + 8 + 2;
    if (line_bytes > limits_.max_request_line_bytes + 2) {
      return reject(ProtocolError::kRequestLineTooLong);
    }
    if (head_bytes - std::min(head_bytes, line_bytes) > limits_.max_header_bytes + 2) {
      return reject(ProtocolError::kHeadersTooLarge);
    }
    // RFC 9112 §3.2: more than one Host is a 400. Which one names the API would otherwise be up to
    // whoever reads it (the events carry the last, a proxy in front may have used the first).
    if (req.count(bhttp::field::host) > 1) return reject(ProtocolError::kBadRequest);
    if (auto refused = detail::transfer_coding_problem(req)) return reject(*refused);
    if (parser_->is_done()) return on_request_complete();
    // A client that sent `Expect: 100-continue` waits for our go-ahead before the body.
    auto expect = req[bhttp::field::expect];
    const bool expects_continue = !expect.empty() && beast::iequals(expect, "100-continue");
    if (handler_streams_body(req)) return start_streamed_request(expects_continue);
    if (expects_continue) {
      // Written once every answer before this request's is (an interim answer between them
      // would be read as the earlier request's): the request takes the next number.
      continue_seq_ = next_seq_;
      continue_then_read_piece_ = false;
      return maybe_write();
    }
    read_body();
  }

  bool handler_streams_body(const bhttp::request_parser<bhttp::string_body>::value_type& req) {
    std::string_view target = req.target();
    try {
      return server_->handler_.streams_body(req.method_string(),
                                            target.substr(0, target.find('?')));
    } catch (const std::exception&) {
      return false;  // read whole, as before the question
    }
  }

  // The head of a request whose handler reads its body as it arrives: dispatched now. The next
  // request is read once this body has been (reading_ and in_request_ stay set until then).
  void start_streamed_request(bool expects_continue) {
    body_parser_.emplace(std::move(*parser_));
    parser_.reset();
    body_parser_->body_limit(limits_.max_body_bytes);
    bhttp::request<bhttp::string_body> head;
    head.base() = body_parser_->get().base();
    body_seq_ = next_seq_;
    body_reads_ = 0;
    continue_owed_ = expects_continue;
    body_deadline_ = std::chrono::steady_clock::now() + milliseconds(limits_.body_timeout_ms);
    if (!piece_) piece_ = std::make_unique_for_overwrite<char[]>(kPieceBytes);
    std::optional<uint64_t> length;
    if (auto n = body_parser_->content_length(); n && !body_parser_->chunked()) length = *n;
    queue_request(std::move(head), true);
    queue_.back().waiting->streamed_body_length = length;
    maybe_dispatch();
  }

  // Queues a request read from this connection, with the connection's facts: who sent it, a new
  // request id, when it was read (on the clock of the connection's Asio timers, which its
  // deadlines are measured against). A request that does not keep the connection alive is the
  // last one read.
  void queue_request(bhttp::request<bhttp::string_body>&& msg, bool body_streamed) {
    // Built in its slot: the request is not moved from one holder to the next. Nothing below
    // throws but the address's copy; then no half-built slot stays.
    Slot& slot = queue_.emplace_back();
    Request& req = slot.waiting.emplace();
    req.msg = std::move(msg);
    try {
      req.peer_ip = peer_ip_;
    } catch (...) {
      queue_.pop_back();
      throw;
    }
    req.peer_port = peer_port_;
    req.tls = tls_facts_;
    req.id = core::new_request_id();
    req.received_at = core::os_monotonic();
    slot.seq = next_seq_++;
    slot.keep_alive = req.msg.keep_alive();
    if (!slot.keep_alive) read_open_ = false;
    slot.head_request = req.msg.method() == bhttp::verb::head;
    slot.http10 = req.msg.version() < 11;
    slot.body_streamed = body_streamed;
    // Until it is answered, a request's body counts against the budget: sixteen pipelined 10 MiB
    // uploads are not all held at once.
    slot.bytes = req.msg.body().size();
    request_bytes_ += slot.bytes;
  }

  void start_piece_read() {
    auto& body = body_parser_->get().body();
    body.data = piece_.get();
    body.size = kPieceBytes;
    body.more = true;
    body_read_in_flight_ = true;
    // Beast reads as much as the buffer has room for: from the second read of a body on (a
    // small one never pays for it), a piece at a time rather than 4 KiB.
    if (body_reads_++ > 0 && buffer_.capacity() < kPieceBytes) buffer_.reserve(kPieceBytes);
    stream_.expires_at(body_deadline_);
    bhttp::async_read_some(
        stream_, buffer_, *body_parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_body_piece(ec); });
  }

  void on_body_piece(beast::error_code ec) {
    body_read_in_flight_ = false;
    BodyReadDone done = std::move(body_reader_);
    body_reader_ = nullptr;
    if (ec == bhttp::error::need_buffer) ec = {};
    if (closed_) return done(core::unavailable("the client's connection closed"));
    if (ec) {
      core::Status why = detail::body_read_error(ec, limits_);
      if (ec == beast::error::timeout) server_->stats_->timeouts.inc();
      if (why.code() == core::Code::kInvalidArgument) server_->stats_->protocol_errors.inc();
      // Nothing more can be read on this connection: it closes after the answer.
      reading_ = false;
      in_request_ = false;
      read_open_ = false;
      body_parser_.reset();
      for (auto& slot : queue_) {
        if (slot.seq == body_seq_) slot.keep_alive = false;
      }
      return done(std::move(why));
    }
    size_t got = kPieceBytes - body_parser_->get().body().size;
    if (body_parser_->is_done()) {
      completed_body_seq_ = body_seq_;
      if (buffer_.capacity() > 4096) buffer_.shrink_to_fit();  // what it holds stays
      for (auto& slot : queue_) {
        if (slot.seq == body_seq_) slot.body_read = true;
      }
      body_parser_.reset();
      reading_ = false;
      in_request_ = false;
      // The next request may be read: it goes to buffer_, not to the piece just handed over.
      do_read();
    } else if (got == 0) {
      // A chunk's header or an empty read: no bytes for the handler yet.
      body_reader_ = std::move(done);
      return start_piece_read();
    }
    done(std::string_view(piece_.get(), got));
  }

  void read_body() {
    if (closed_) return;
    stream_.expires_after(milliseconds(limits_.body_timeout_ms));
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->on_read_error(ec);
                        self->on_request_complete();
                      });
  }

  void on_read_error(beast::error_code ec) {
    client_gone_.store(true, std::memory_order_relaxed);
    reading_ = false;
    read_open_ = false;
    in_request_ = false;
    if (ec == bhttp::error::header_limit) {
      // Which limit: the parser has seen the target only if the request line was complete.
      bool line_complete = parser_ && !parser_->get().target().empty();
      return reject(line_complete ? ProtocolError::kHeadersTooLarge
                                  : ProtocolError::kRequestLineTooLong);
    }
    if (ec == bhttp::error::body_limit) return reject(ProtocolError::kBodyTooLarge);
    if (ec == beast::error::timeout) {
      server_->stats_->timeouts.inc();
    } else if (ec != bhttp::error::end_of_stream && ec != asio::error::eof &&
               ec != asio::error::connection_reset && ec != asio::error::operation_aborted &&
               ec != bhttp::error::partial_message &&
               ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) {
      // A malformed request: answer 400 once, then close.
      return reject(ProtocolError::kBadRequest);
    }
    if (queue_.empty()) return close();
    maybe_write();  // nothing more will be read: answers held for a next request go now
  }

  // Answers the current (unparsed or oversized) request ourselves and closes after the write.
  void reject(ProtocolError error) {
    reading_ = false;
    read_open_ = false;
    in_request_ = false;
    server_->stats_->protocol_errors.inc();
    Request partial;
    if (parser_) partial.msg = parser_->release();
    partial.id = core::new_request_id();
    partial.peer_ip = peer_ip_;
    Slot slot{next_seq_++, false, false, std::nullopt, 0, std::nullopt};
    if (continue_seq_ && *continue_seq_ == slot.seq) continue_seq_.reset();
    slot.response.emplace(server_->handler_.protocol_error(error, partial));
    slot.body_refused = error == ProtocolError::kBodyTooLarge;
    slot.bytes = response_bytes(*slot.response);
    answer_bytes_ += slot.bytes;
    queue_.push_back(std::move(slot));
    maybe_write();
  }

  void on_request_complete() {
    reading_ = false;
    in_request_ = false;
    queue_request(parser_->release(), false);
    parser_.reset();
    maybe_dispatch();
    do_read();
  }

  // Hands the next pipelined request to the handler once the one before it is answered and the
  // answers waiting for the client are under the budget. One request at a time per connection:
  // what a connection can make the gateway hold is one answer in the making plus the budget,
  // not one answer per pipelined request (sixteen 6 MiB function responses).
  void maybe_dispatch() {
    if (closed_ || in_flight_ || answer_bytes_ >= limits_.max_connection_held_bytes) return;
    auto slot = std::find_if(queue_.begin(), queue_.end(),
                             [](const Slot& s) { return s.waiting.has_value(); });
    if (slot == queue_.end()) return;
    in_flight_ = true;
    in_flight_seq_ = slot->seq;
    auto ex = detail::make_exchange(shared_from_this(), std::move(*slot->waiting), slot->seq,
                                    slot->body_streamed);
    slot->waiting.reset();
    Request& r = ex->request();
    std::string_view target = r.msg.target();
    auto q = target.find('?');
    r.path = target.substr(0, q);
    r.query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
    try {
      server_->handler_.handle(std::move(ex));
    } catch (const std::exception& e) {
      // Handlers catch their own; this is the last line before the I/O loop. The exchange, if
      // dropped unanswered, answers 500 itself.
      spdlog::error("listener {}: a handler threw: {}", server_->name_, e.what());
    }
  }

  void maybe_write() {
    if (writing_ || closed_) return;
    // A 100 Continue goes out once every answer before its request's has.
    if (continue_seq_ && (queue_.empty() || queue_.front().seq >= *continue_seq_)) {
      return write_continue();
    }
    if (queue_.empty() || !queue_.front().response) return;
    size_t count = 1;
    if (limits_.hold_answers_for_pipelined) {
      count = gatherable_answers();
      if (count == 0) return do_read();  // held: the next request is read (and answered) first
    }
    writing_ = true;
    writing_slots_ = count;
    Slot& slot = queue_.front();
    // A streamed body not read to its end leaves the connection unusable for another request.
    const bool body_unread = (slot.body_streamed && !slot.body_read) || slot.body_refused;
    bool keep = slot.keep_alive && !closing_ && !body_unread;
    Framing framing = Framing::kLength;
    if (slot.rest && !slot.length) framing = slot.http10 ? Framing::kUntilClose : Framing::kChunked;
    if (framing == Framing::kUntilClose) keep = false;
    const uint64_t length = slot.length ? *slot.length : slot.response->body().size();
    bool send_body = detail::response_head(*slot.response, slot.passed.text(), keep,
                                           slot.head_request, framing, length, head_out_);
    if (!send_body) slot.rest.reset();
    slot.framing = framing;
    const std::string& body = slot.response->body();
    slot.sent = send_body ? body.size() : 0;
    // Unused places stay empty buffers: the array is copied into the write, not referred to.
    std::array<asio::const_buffer, 2 * kMaxGatheredAnswers> buffers = {asio::buffer(head_out_)};
    if (send_body && !body.empty()) frame(framing, asio::buffer(body), buffers, 1);
    // Gathered answers (whole, keep-alive ones: see gatherable_answers) follow in the same write;
    // the last one decides whether the connection stays open.
    for (size_t i = 1; i < count; ++i) {
      Slot& next = queue_[i];
      keep = next.keep_alive && !closing_;
      std::string& head = gathered_heads_[i - 1];
      send_body = detail::response_head(*next.response, next.passed.text(), keep, next.head_request,
                                        Framing::kLength, next.response->body().size(), head);
      buffers[2 * i] = asio::buffer(head);
      if (send_body) buffers[2 * i + 1] = asio::buffer(next.response->body());
    }
    stream_.expires_after(milliseconds(limits_.write_timeout_ms));
    auto done = [self = shared_from_this(), keep, body_unread](beast::error_code ec, size_t) {
      Slot& front = self->queue_.front();
      if (!ec && !self->closed_ && front.rest) return self->pull_piece(keep);
      self->on_write(ec, keep, body_unread);
    };
    send_owed_ticket();
    asio::async_write(stream_, buffers, std::move(done));
  }

  // Limits::hold_answers_for_pipelined: how many answers from the front go out in one write, or
  // 0 to hold them. While the client's next request is in (queued unanswered, or its bytes read
  // and about to be parsed) the answers before it wait for its answer, so that a client which
  // sent two requests at once is woken once for both. Only whole answers to requests that keep
  // the connection open are gathered; anything else goes out alone, as without the hold.
  size_t gatherable_answers() const {
    auto whole = [](const Slot& s) {
      return s.response && !s.rest && s.keep_alive && !s.body_streamed;
    };
    // Held answers count against the budget: past it nothing further is dispatched or read.
    if (!whole(queue_.front()) || closing_ || answer_bytes_ >= limits_.max_connection_held_bytes) {
      return 1;
    }
    size_t ready = 1;
    while (ready < queue_.size() && ready < kMaxGatheredAnswers && whole(queue_[ready]))
      ++ready;
    if (ready == kMaxGatheredAnswers) return ready;
    if (ready < queue_.size()) {
      // An answer that is not gathered (streamed, closing) goes in a write of its own after these.
      return queue_[ready].response ? ready : 0;
    }
    return buffer_.size() > 0 && may_read_more() ? 0 : ready;
  }

  void write_continue() {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    writing_ = true;
    writing_slots_ = 0;
    continue_seq_.reset();
    stream_.expires_after(milliseconds(limits_.write_timeout_ms));
    send_owed_ticket();
    asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        self->writing_ = false;
                        if (ec || self->closed_) {
                          self->close();
                          return self->fail_waiting_body_reader();
                        }
                        if (self->continue_then_read_piece_) {
                          self->start_piece_read();
                        } else {
                          self->read_body();
                        }
                        self->maybe_write();
                      });
  }

  // A streamed answer: the next piece of its body from its source, then written.
  void pull_piece(bool keep) {
    queue_.front().rest->read([self = shared_from_this(), keep](core::Result<std::string_view> r) {
      // Sources answer on this thread (BodySource); dispatch keeps that so if one does not.
      asio::dispatch(self->stream_.get_executor(), [self, keep, r = std::move(r)]() mutable {
        self->on_piece(keep, std::move(r));
      });
    });
  }

  void on_piece(bool keep, core::Result<std::string_view> piece) {
    Slot& slot = queue_.front();
    // Cut short (the source failed, or claims more than the length announced): the connection
    // closes without the message's end, so the client cannot take it for a complete answer.
    if (closed_ || !piece ||
        (slot.framing == Framing::kLength && slot.sent + piece->size() > *slot.length)) {
      return on_write(asio::error::connection_aborted, keep, false);
    }
    if (piece->empty()) {
      slot.rest.reset();
      if (slot.framing == Framing::kLength && slot.sent != *slot.length) {
        return on_write(asio::error::connection_aborted, keep, false);
      }
      if (slot.framing != Framing::kChunked) return on_write({}, keep, false);
      stream_.expires_after(milliseconds(limits_.write_timeout_ms));
      return asio::async_write(stream_,
                               asio::buffer(detail::kLastChunk.data(), detail::kLastChunk.size()),
                               [self = shared_from_this(), keep](beast::error_code ec, size_t) {
                                 self->on_write(ec, keep, false);
                               });
    }
    slot.sent += piece->size();
    std::array<asio::const_buffer, 4> buffers;
    frame(slot.framing, asio::buffer(piece->data(), piece->size()), buffers, 0);
    stream_.expires_after(milliseconds(limits_.write_timeout_ms));
    asio::async_write(stream_, buffers,
                      [self = shared_from_this(), keep](beast::error_code ec, size_t) {
                        if (ec || self->closed_) return self->on_write(ec, keep, false);
                        self->pull_piece(keep);
                      });
  }

  // Places `data` into out[at...] as `framing` sends it.
  template <size_t N>
  void frame(Framing framing, asio::const_buffer data, std::array<asio::const_buffer, N>& out,
             size_t at) {
    if (framing != Framing::kChunked) {
      out[at] = data;
      return;
    }
    chunk_size_line_ = detail::chunk_size_line(data.size());
    out[at] = asio::buffer(chunk_size_line_);
    out[at + 1] = data;
    out[at + 2] = asio::buffer(detail::kChunkEnd.data(), detail::kChunkEnd.size());
  }

  // `body_unread`: the answered request's streamed body was not read to its end; what the client
  // still sends is read and dropped for a moment, so its reading of the answer is not cut short
  // by a reset.
  void on_write(beast::error_code ec, bool keep, bool body_unread) {
    writing_ = false;
    // The slots just written: close() keeps them while a write is in flight.
    for (; writing_slots_ > 0 && !queue_.empty(); --writing_slots_) {
      answer_bytes_ -= queue_.front().bytes;
      queue_.pop_front();
    }
    writing_slots_ = 0;
    if (ec || closed_) return close();
    if (queue_.empty() && awaiting_untimed_) {
      // Nothing in flight any more: the wait for the next request is idle from now on.
      awaiting_untimed_ = false;
      stream_.read_expires_at(std::chrono::steady_clock::now() +
                              milliseconds(limits_.idle_timeout_ms));
    }
    // The piece buffer of a body read before: its last piece was handed over long ago.
    if (piece_ && !body_parser_) piece_.reset();
    if (!keep) {
      // TLS: close_notify first, and then the client's bytes are read (and dropped) until its
      // own close_notify, its end or kLingerMs, as linger() does for plain connections. Not while
      // a read is in flight: the shutdown would be a second one.
      if (stream_.is_tls() && !reading_ && !body_read_in_flight_) return tls_shutdown();
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      if (body_unread && !body_read_in_flight_ && !stream_.is_tls()) return linger();
      return close();
    }
    if (closing_ && queue_.empty()) return close();
    maybe_write();
    maybe_dispatch();
    do_read();
  }

  // A TLS 1.3 connection's session ticket goes out with its first answer, in the same write (at
  // the handshake's end it would be a write of its own, or ride on the first read's).
  void send_owed_ticket() {
    if (!ticket_owed_) return;
    ticket_owed_ = false;
    TlsServerContext::queue_session_ticket(stream_.tls().native_handle());
  }

  void tls_shutdown() {
    body_parser_.reset();
    stream_.expires_after(milliseconds(kLingerMs));
    stream_.tls().async_shutdown([self = shared_from_this()](beast::error_code) { self->close(); });
  }

  // Reads and drops what the client still sends until it stops or kLingerMs pass, then closes.
  void linger() {
    body_parser_.reset();
    stream_.expires_after(milliseconds(kLingerMs));
    drop_incoming();
  }

  void drop_incoming() {
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(kPieceBytes),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec || self->closed_) return self->close();
                              self->drop_incoming();
                            });
  }

  // A body reader waiting for a 100 Continue that will never be written.
  void fail_waiting_body_reader() {
    if (!body_reader_ || body_read_in_flight_) return;
    asio::post(stream_.get_executor(), [d = std::move(body_reader_)] {
      d(core::unavailable("the client's connection closed"));
    });
    body_reader_ = nullptr;
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    client_gone_.store(true, std::memory_order_relaxed);
    beast::error_code ignored;
    stream_.socket().close(ignored);
    // A write in flight (aborted by the close) still owns its slots: its completion pops them.
    // Everything behind them is dropped now.
    const size_t kept = writing_ ? std::min(writing_slots_, queue_.size()) : 0;
    queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(kept), queue_.end());
    request_bytes_ = 0;
    answer_bytes_ = 0;
    for (const Slot& slot : queue_)
      answer_bytes_ += slot.bytes;
    continue_seq_.reset();
    fail_waiting_body_reader();
  }

  // What a queued response holds: its body and, roughly, its fields.
  static size_t response_bytes(const Response& res) {
    size_t bytes = res.body().size();
    for (const auto& field : res)
      bytes += field.name_string().size() + field.value().size() + 4;
    return bytes;
  }

  ListenerStream stream_;
  std::shared_ptr<Server::Impl> server_;
  const Limits& limits_;
  // A TLS connection's settings (held: OpenSSL calls back into them during the handshake) and,
  // once it completed, its facts, which every request on the connection carries.
  std::shared_ptr<const TlsServerContext> tls_context_;
  std::shared_ptr<const TlsFacts> tls_facts_;
  bool ticket_owed_ = false;  // send_owed_ticket() before the first write
  std::string peer_ip_;
  uint16_t peer_port_ = 0;

  // Strand-confined (the session's io_context has one thread).
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  // One slot per request in arrival order; written from the front as answers arrive.
  struct Slot {
    uint64_t seq = 0;
    bool keep_alive = false;
    bool head_request = false;
    std::optional<Response> response;
    size_t bytes = 0;                // the request's body size; response_bytes() once answered
    std::optional<Request> waiting;  // read, not yet handed to the handler
    bool http10 = false;             // the client speaks HTTP/1.0: no chunks for it
    bool body_streamed = false;      // handed over at its head; the body read as it arrives
    bool body_read = false;          // ... and read to its end
    // A streamed answer (Exchange::respond_streaming): the rest of its body, the whole body's
    // length when known, how it is framed and how many body bytes went out.
    std::shared_ptr<BodySource> rest{};
    std::optional<uint64_t> length{};
    Framing framing = Framing::kLength;
    uint64_t sent = 0;
    WireFields passed{};  // fields written after the response's own (respond_streaming)
    // A body refused as too large: the client may still be sending it. What it sends is read and
    // dropped for a moment after the answer, so that it finishes its write and reads the 413
    // rather than a reset.
    bool body_refused = false;
  };
  std::string head_out_;  // the head being written (one write at a time)
  // Limits::hold_answers_for_pipelined: the heads of the answers gathered behind head_out_'s, and
  // how many slots the write in flight holds (1 without the hold; 0 for a 100 Continue).
  static constexpr size_t kMaxGatheredAnswers = 4;
  std::array<std::string, kMaxGatheredAnswers - 1> gathered_heads_;
  size_t writing_slots_ = 0;
  std::string chunk_size_line_;  // the chunk size line being written
  std::deque<Slot> queue_;
  // The connection's byte budget (Limits::max_connection_held_bytes): bodies of requests not yet
  // answered, and answers not yet written.
  size_t request_bytes_ = 0;
  size_t answer_bytes_ = 0;
  bool in_flight_ = false;  // a request is with the handler, unanswered
  uint64_t in_flight_seq_ = 0;
  uint64_t next_seq_ = 0;
  bool reading_ = false;
  bool in_request_ = false;  // part of a request is in (between first byte and complete body)
  bool read_open_ = true;    // false once the client can send no further request
  bool writing_ = false;
  bool closing_ = false;
  bool closed_ = false;
  bool awaiting_untimed_ = false;  // a wait for the next request started while an answer was owed
  std::atomic<bool> client_gone_{false};

  // What a streamed piece is read into (either way), and how long a client may linger.
  static constexpr size_t kPieceBytes = 64 * 1024;
  static constexpr uint32_t kLingerMs = 2'000;
  // The request whose body is streamed to its handler (Handler::streams_body), read a piece at a
  // time into piece_ until its whole-body deadline; then completed_body_seq_ names it.
  std::optional<bhttp::request_parser<bhttp::buffer_body>> body_parser_;
  uint64_t body_seq_ = 0;
  std::optional<uint64_t> completed_body_seq_;
  std::chrono::steady_clock::time_point body_deadline_;
  std::unique_ptr<char[]> piece_;  // not zeroed; let go once no body streams on the connection
  BodyReadDone body_reader_;  // the handler's read waiting for a piece (or for the 100 Continue)
  bool body_read_in_flight_ = false;
  uint32_t body_reads_ = 0;     // reads of the current streamed body so far
  bool continue_owed_ = false;  // the streamed request expects 100 Continue at its first read
  // A 100 Continue owed to request continue_seq_, written once every answer before it is; then
  // the body is read whole (read_body) or a piece of it (start_piece_read).
  std::optional<uint64_t> continue_seq_;
  bool continue_then_read_piece_ = false;
};

void start_session(Socket socket, const tcp::endpoint& peer, std::shared_ptr<Server::Impl> server,
                   std::shared_ptr<const TlsServerContext> tls) {
  auto session = std::make_shared<Session>(std::move(socket), peer, server, std::move(tls));
  server->session_opened(session);
  session->start();
}

void begin_close(Session& s) {
  s.begin_close();
}

void force_close(Session& s) {
  s.force_close();
}

boost::asio::io_context::executor_type session_executor(Session& session) {
  return session.executor();
}

void session_answer(Session& session, uint64_t seq, Response res, std::shared_ptr<BodySource> rest,
                    std::optional<uint64_t> length, WireFields passed) {
  session.on_response(seq, std::move(res), std::move(rest), length, std::move(passed));
}

void session_read_body_piece(Session& session, uint64_t seq, BodyReadDone done) {
  session.read_body_piece(seq, std::move(done));
}

bool session_client_gone(const Session& session) {
  return session.client_gone();
}

}  // namespace detail

}  // namespace gatehouse::http
