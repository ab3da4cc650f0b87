#include "http/server.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace gatehouse::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Echoes method and path; answers protocol errors with their status.
class EchoHandler : public Handler {
 public:
  void handle(ExchangePtr ex) override {
    Response res{bhttp::status::ok, 11};
    auto& req = ex->request();
    res.body() = std::string(req.msg.method_string()) + " " + std::string(req.path) + " " +
                 std::to_string(req.msg.body().size());
    ex->respond(std::move(res));
  }
  Response protocol_error(ProtocolError e, const Request&) override {
    static const bhttp::status kStatus[] = {bhttp::status::bad_request, bhttp::status::uri_too_long,
                                            bhttp::status::request_header_fields_too_large,
                                            bhttp::status::payload_too_large,
                                            bhttp::status::not_implemented};
    Response res{kStatus[static_cast<int>(e)], 11};
    res.body() = "rejected";
    return res;
  }
};

class ServerTest : public ::testing::Test {
 protected:
  void start(Limits limits = {}, Handler* handler = nullptr) {
    server_ =
        std::make_unique<Server>(pool_, handler ? *handler : handler_, limits, "test", &stats_);
    ASSERT_TRUE(server_->listen("127.0.0.1", 0).ok());
    server_->start();
    thread_ = std::thread([this] { pool_.run(); });
  }
  void TearDown() override {
    if (thread_.joinable()) {
      pool_.stop();
      thread_.join();
    }
  }
  tcp::socket connect() {
    tcp::socket s(client_ctx_);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    return s;
  }
  // Reads until the peer closes or `n` responses (by counting status lines) arrived.
  static std::string read_responses(tcp::socket& s, int n) {
    std::string out;
    char buf[4096];
    boost::system::error_code ec;
    auto count = [&] {
      int c = 0;
      for (size_t p = out.find("HTTP/1.1 "); p != std::string::npos;
           p = out.find("HTTP/1.1 ", p + 1))
        ++c;
      return c;
    };
    while (count() < n || out.rfind("\r\n\r\n") == std::string::npos) {
      size_t k = s.read_some(asio::buffer(buf), ec);
      if (ec) break;
      out.append(buf, k);
      if (count() >= n) {
        // Wait for the last body: bodies here are short, so one more read round suffices when
        // the last chunk ends without the body.
        auto last = out.rfind("HTTP/1.1 ");
        auto head_end = out.find("\r\n\r\n", last);
        if (head_end != std::string::npos) {
          auto cl = out.find("Content-Length: ", last);
          size_t len = std::stoul(out.substr(cl + 16));
          if (out.size() >= head_end + 4 + len) break;
        }
      }
    }
    return out;
  }

  IoPool pool_{1};
  EchoHandler handler_;
  ServerStats stats_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  asio::io_context client_ctx_;
};

// Several requests on one keep-alive connection, sent pipelined, are answered in order.
TEST_F(ServerTest, PipelinedRequestsAnsweredInOrder) {
  start();
  auto s = connect();
  std::string reqs =
      "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
      "GET /c?q=1 HTTP/1.1\r\nHost: x\r\n\r\n";
  asio::write(s, asio::buffer(reqs));
  std::string out = read_responses(s, 3);
  auto a = out.find("GET /a 0"), b = out.find("POST /b 3"), c = out.find("GET /c 0");
  ASSERT_NE(a, std::string::npos) << out;
  ASSERT_NE(b, std::string::npos) << out;
  ASSERT_NE(c, std::string::npos) << out;
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_NE(out.find("Date: "), std::string::npos);
}

// A header block over the limit is answered 431 and the connection closes.
TEST_F(ServerTest, OversizedHeadersGet431) {
  Limits l;
  l.max_header_bytes = 256;
  start(l);
  auto s = connect();
  std::string req = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(600, 'a') + "\r\n\r\n";
  asio::write(s, asio::buffer(req));
  std::string out = read_responses(s, 1);
  EXPECT_EQ(out.substr(0, 12), "HTTP/1.1 431") << out;
  EXPECT_NE(out.find("Connection: close"), std::string::npos);
}

// A request line over the limit is answered 414.
TEST_F(ServerTest, LongRequestLineGets414) {
  Limits l;
  l.max_request_line_bytes = 128;
  start(l);
  auto s = connect();
  std::string req = "GET /" + std::string(2000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n";
  boost::system::error_code ec;
  asio::write(s, asio::buffer(req), ec);
  std::string out = read_responses(s, 1);
  EXPECT_EQ(out.substr(0, 12), "HTTP/1.1 414") << out;
}

// A declared body over the limit is answered 413 without reading it.
TEST_F(ServerTest, OversizedBodyGets413) {
  Limits l;
  l.max_body_bytes = 100;
  start(l);
  auto s = connect();
  std::string req = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n";
  asio::write(s, asio::buffer(req));
  std::string out = read_responses(s, 1);
  EXPECT_EQ(out.substr(0, 12), "HTTP/1.1 413") << out;

  // A client that sends the whole body before reading (more than the socket buffers hold) gets
  // to finish its write and read the 413, rather than a reset.
  auto whole = connect();
  std::string body(8u << 20, 'b');
  boost::system::error_code ec;
  asio::write(whole, asio::buffer(req.replace(req.find("1000"), 4, std::to_string(body.size()))),
              ec);
  asio::write(whole, asio::buffer(body), ec);
  EXPECT_FALSE(ec) << ec.message();
  out = read_responses(whole, 1);
  EXPECT_EQ(out.substr(0, 12), "HTTP/1.1 413") << out;
}

// Garbage instead of HTTP is answered 400.
TEST_F(ServerTest, MalformedRequestGets400) {
  start();
  auto s = connect();
  asio::write(s, asio::buffer(std::string("HELLO\x01 WORLD\r\n\r\n")));
  std::string out = read_responses(s, 1);
  EXPECT_EQ(out.substr(0, 12), "HTTP/1.1 400") << out;
}

// Two Host headers are a 400 (RFC 9112 §3.2), whatever their casing; the handler never sees it.
TEST_F(ServerTest, RepeatedHostGets400) {
  start();
  auto s = connect();
  asio::write(s, asio::buffer(std::string(
                     "GET / HTTP/1.1\r\nHost: api.example\r\nhost: evil.example\r\n\r\n")));
  std::string out = read_responses(s, 1);
  EXPECT_EQ(out.substr(0, 12), "HTTP/1.1 400") << out;
  EXPECT_NE(out.find("rejected"), std::string::npos) << "answered as a protocol error: " << out;
}

// Chunked is the only transfer coding, and it must come last (RFC 9112 §6.1, §6.3): anything
// else would let the bytes after the head be read as a body by one server and as the next
// request by another. Unknown or non-final codings are 400 and close; another coding before
// chunked is 501.
TEST_F(ServerTest, TransferCodingsOtherThanChunkedAreRefused) {
  start();
  const std::string smuggled = "GET /hidden HTTP/1.1\r\nHost: x\r\n\r\n";
  for (auto [coding, status] : std::vector<std::pair<std::string, std::string>>{
           {"xchunked", "400"},
           {"identity", "400"},
           {"chunked, identity", "400"},
           {"chunked\r\nTransfer-Encoding: chunked", "400"},
           {"gzip, chunked", "501"},
       }) {
    auto s = connect();
    asio::write(s, asio::buffer("POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + coding +
                                "\r\n\r\n0\r\n\r\n" + smuggled));
    std::string out = read_responses(s, 2);
    EXPECT_EQ(out.substr(0, 12), "HTTP/1.1 " + status) << coding << ": " << out;
    EXPECT_EQ(out.find("/hidden"), std::string::npos) << coding << ": " << out;
  }
  for (std::string coding : {"chunked", "Chunked", " chunked "}) {
    auto s = connect();
    asio::write(s, asio::buffer("POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + coding +
                                "\r\n\r\n3\r\nabc\r\n0\r\n\r\n" + smuggled));
    std::string out = read_responses(s, 2);
    EXPECT_NE(out.find("POST /up 3"), std::string::npos) << coding << ": " << out;
    EXPECT_NE(out.find("GET /hidden 0"), std::string::npos) << "a real second request: " << out;
  }
}

// A client that sends Expect: 100-continue gets the interim response, then the final one.
TEST_F(ServerTest, ExpectContinueIsHonoured) {
  start();
  auto s = connect();
  asio::write(
      s, asio::buffer(std::string(
             "POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")));
  std::string interim;
  asio::read_until(s, asio::dynamic_buffer(interim), "\r\n\r\n");
  EXPECT_EQ(interim.substr(0, 12), "HTTP/1.1 100");
  asio::write(s, asio::buffer(std::string("hi")));
  std::string out = read_responses(s, 1);
  EXPECT_NE(out.find("POST /e 2"), std::string::npos) << out;
}

// A client trickling its request head is cut off when the head timeout passes.
TEST_F(ServerTest, SlowHeadIsCutOff) {
  Limits l;
  l.header_timeout_ms = 200;
  start(l);
  auto s = connect();
  asio::write(s, asio::buffer(std::string("GET / HTTP/1.1\r\n")));
  char buf[64];
  boost::system::error_code ec;
  s.read_some(asio::buffer(buf), ec);  // returns when the server closes
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  // The server closes the socket first and counts in the read's completion, which Beast's
  // composed read delivers a hop or more later: wait for the count (bounded), then check it.
  for (int i = 0; i < 500 && stats_.timeouts.value() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(stats_.timeouts.value(), 1u);
}

// Draining closes idle connections and calls back once none is left.
TEST_F(ServerTest, DrainClosesIdleConnections) {
  start();
  auto s = connect();
  asio::write(s, asio::buffer(std::string("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")));
  read_responses(s, 1);
  std::promise<void> drained;
  server_->drain([&] { drained.set_value(); });
  drained.get_future().wait();
  char buf[64];
  boost::system::error_code ec;
  s.read_some(asio::buffer(buf), ec);
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
}

// Answers every request with a body far larger than the socket buffers hold.
class BigBodyHandler : public EchoHandler {
 public:
  void handle(ExchangePtr ex) override {
    Response res{bhttp::status::ok, 11};
    res.body().assign(64u << 20, 'x');
    ex->respond(std::move(res));
  }
};

// close_all() while a response is still being written (the client reads nothing, so the write
// cannot finish) closes the connection and leaves the server whole: the aborted write's
// completion must not touch the session's emptied response queue.
TEST_F(ServerTest, CloseAllDuringAWriteClosesCleanly) {
  BigBodyHandler big;
  start({}, &big);
  auto s = connect();
  asio::write(s, asio::buffer(std::string("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")));
  // The head and the first part of the body arrive: the write is under way and stalls there.
  char buf[4096];
  size_t got = s.read_some(asio::buffer(buf));
  ASSERT_GT(got, 0u);
  std::promise<void> drained;
  server_->drain([&] { drained.set_value(); });
  server_->close_all();
  drained.get_future().wait();
  // The connection is gone: reading runs into its end well before 64 MiB.
  boost::system::error_code ec;
  size_t total = got;
  while (!ec)
    total += s.read_some(asio::buffer(buf), ec);
  EXPECT_LT(total, size_t{64u << 20});
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
}

// Answers every request with 16 MiB and counts the requests it was given.
class CountingBigHandler : public EchoHandler {
 public:
  void handle(ExchangePtr ex) override {
    handled.fetch_add(1);
    Response res{bhttp::status::ok, 11};
    res.body().assign(16u << 20, 'x');
    ex->respond(std::move(res));
  }
  std::atomic<int> handled{0};
};

// A client that pipelines requests and reads nothing gets no further request read while answered
// bytes wait past the connection's budget: one 16 MiB answer stuck in the socket holds the rest
// back (the count limit alone would have let all 16 be answered and held, 256 MiB).
TEST_F(ServerTest, AnsweredBytesBoundWhatIsReadAhead) {
  CountingBigHandler big;
  start({}, &big);
  tcp::socket s(client_ctx_);
  s.open(tcp::v4());
  s.set_option(asio::socket_base::receive_buffer_size(4096));
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
  std::string reqs;
  for (int i = 0; i < 16; ++i)
    reqs += "GET /big HTTP/1.1\r\nHost: x\r\n\r\n";
  asio::write(s, asio::buffer(reqs));
  // Reading a little proves the first answer is being written; the rest wait for the client.
  char buf[4096];
  ASSERT_GT(s.read_some(asio::buffer(buf)), 0u);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(big.handled.load(), 1);
  s.close();
}

// Holds every exchange unanswered and counts them.
class HoldingHandler : public EchoHandler {
 public:
  void handle(ExchangePtr ex) override {
    std::lock_guard lock(mu);
    held.push_back(std::move(ex));
  }
  size_t count() {
    std::lock_guard lock(mu);
    return held.size();
  }
  std::mutex mu;
  std::vector<ExchangePtr> held;
};

// Pipelined uploads are not all held at once: while a 2 MiB body waits for its answer, the next
// request is not read.
TEST_F(ServerTest, UnansweredBodiesBoundWhatIsReadAhead) {
  HoldingHandler holding;
  start({}, &holding);
  auto s = connect();
  std::string body(2u << 20, 'b');
  std::string reqs;
  for (int i = 0; i < 4; ++i)
    reqs += "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n\r\n" + body;
  std::thread writer([&] {
    boost::system::error_code ignored;
    asio::write(s, asio::buffer(reqs), ignored);
  });
  while (holding.count() < 1)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(holding.count(), 1u);
  // Answering the first lets the second in.
  {
    std::lock_guard lock(holding.mu);
    holding.held[0]->respond(Response{bhttp::status::ok, 11});
  }
  while (holding.count() < 2)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  // Unblock the writer (the server reads no more of its bytes), then close.
  ::shutdown(s.native_handle(), SHUT_RDWR);
  writer.join();
  boost::system::error_code ignored;
  s.close(ignored);
  std::lock_guard lock(holding.mu);
  holding.held.clear();
}

// Pipelined requests reach the handler one at a time, each once the one before it is answered:
// sixteen requests read at once cannot have sixteen large answers in the making together.
TEST_F(ServerTest, PipelinedRequestsAreHandledOneAtATime) {
  HoldingHandler holding;
  start({}, &holding);
  auto s = connect();
  std::string reqs;
  for (int i = 0; i < 16; ++i)
    reqs += "GET /r" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
  asio::write(s, asio::buffer(reqs));
  for (size_t answered = 0; answered < 16; ++answered) {
    while (holding.count() < answered + 1)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::lock_guard lock(holding.mu);
    ASSERT_EQ(holding.held.size(), answered + 1) << "more than one request with the handler";
    EXPECT_EQ(holding.held.back()->request().path, "/r" + std::to_string(answered));
    Response res{bhttp::status::ok, 11};
    res.body() = "answer " + std::to_string(answered);
    holding.held.back()->respond(std::move(res));
  }
  std::string out = read_responses(s, 16);
  EXPECT_LT(out.find("answer 0"), out.find("answer 15")) << out;
  std::lock_guard lock(holding.mu);
  holding.held.clear();
}

// Answers at once, except /next, which it keeps until the test answers it (a Runtime API's long
// poll).
class LongPollHandler : public EchoHandler {
 public:
  void handle(ExchangePtr ex) override {
    if (ex->request().path == "/big") {
      Response res{bhttp::status::ok, 11};
      res.body() = std::string(2u << 20, 'x');  // over a connection's 1 MiB budget
      return ex->respond(std::move(res));
    }
    if (ex->request().path != "/next") return EchoHandler::handle(std::move(ex));
    std::lock_guard lock(mu);
    polls.push_back(std::move(ex));
  }
  void wait_for_poll() {
    for (;;) {
      {
        std::lock_guard lock(mu);
        if (!polls.empty()) return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  void answer_poll(std::string body) {
    std::lock_guard lock(mu);
    Response res{bhttp::status::ok, 11};
    res.body() = std::move(body);
    polls.back()->respond(std::move(res));
    polls.clear();
  }
  std::mutex mu;
  std::vector<ExchangePtr> polls;
};

const Limits kHolding = [] {
  Limits limits;
  limits.hold_answers_for_pipelined = true;
  return limits;
}();

// A result and the first bytes of the next request: a client that stopped half-way.
constexpr std::string_view kPostThenHalfNext =
    "POST /post HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /ne";

constexpr std::string_view kPostThenNext =
    "POST /post HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
    "GET /next HTTP/1.1\r\nHost: x\r\n\r\n";

// Bytes the server has sent that the client has not read, once it has had time to send them.
size_t unread_bytes(tcp::socket& s) {
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return s.available();
}

// With hold_answers_for_pipelined (the Runtime API), a client that sent a result and the next
// long poll together gets the result's answer with the poll's, not before: one wake-up for both.
TEST_F(ServerTest, HeldAnswerGoesOutWithTheNextOne) {
  LongPollHandler handler;
  start(kHolding, &handler);
  auto s = connect();
  asio::write(s, asio::buffer(kPostThenNext));
  handler.wait_for_poll();
  EXPECT_EQ(unread_bytes(s), 0u) << "the POST's answer went out before the poll's";
  handler.answer_poll("event 1");
  std::string out = read_responses(s, 2);
  ASSERT_NE(out.find("POST /post 3"), std::string::npos) << out;
  EXPECT_LT(out.find("POST /post 3"), out.find("event 1")) << out;
  // A client that does not pipeline gets each answer at once.
  asio::write(s, asio::buffer(std::string_view("POST /post HTTP/1.1\r\nHost: x\r\n\r\n")));
  EXPECT_NE(read_responses(s, 1).find("POST /post 0"), std::string::npos);
}

// Without it, each answer goes out as soon as it is made.
TEST_F(ServerTest, AnswersAreNotHeldByDefault) {
  LongPollHandler handler;
  start({}, &handler);
  auto s = connect();
  asio::write(s, asio::buffer(kPostThenNext));
  EXPECT_NE(read_responses(s, 1).find("POST /post 3"), std::string::npos);
  handler.wait_for_poll();
  handler.answer_poll("event 1");
  EXPECT_NE(read_responses(s, 1).find("event 1"), std::string::npos);
}

// An answer held for a request that will never be complete (the client stopped half-way), or on
// a connection being drained, goes out rather than waiting for it.
TEST_F(ServerTest, HeldAnswerGoesOutWhenNothingMoreComes) {
  LongPollHandler handler;
  start(kHolding, &handler);
  auto half = connect();
  asio::write(half, asio::buffer(kPostThenHalfNext));
  EXPECT_EQ(unread_bytes(half), 0u) << "answered before the next request was complete";
  ::shutdown(half.native_handle(), SHUT_WR);
  EXPECT_NE(read_responses(half, 1).find("POST /post 3"), std::string::npos);

  auto draining = connect();
  asio::write(draining, asio::buffer(kPostThenHalfNext));
  EXPECT_EQ(unread_bytes(draining), 0u);
  server_->drain(nullptr);
  EXPECT_NE(read_responses(draining, 1).find("POST /post 3"), std::string::npos);
}

// Held answers count against the connection's byte budget: an answer past it goes out at once
// (holding it would stop the next request from being read and answered).
TEST_F(ServerTest, AnswerOverTheBudgetIsNotHeld) {
  LongPollHandler handler;
  start(kHolding, &handler);
  auto s = connect();
  asio::write(s, asio::buffer(std::string_view(
                     "GET /big HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n")));
  std::string head;
  boost::system::error_code ec;
  asio::read_until(s, asio::dynamic_buffer(head), "\r\n\r\n", ec);
  EXPECT_EQ(head.substr(0, 15), "HTTP/1.1 200 OK") << head;
  handler.wait_for_poll();
  handler.answer_poll("event 1");
}

// Reads until the server closes the connection (a test failure if it sends anything first).
void expect_closed_by_server(tcp::socket& s) {
  char byte;
  boost::system::error_code ec;
  size_t n = s.read_some(asio::buffer(&byte, 1), ec);
  EXPECT_EQ(n, 0u);
  EXPECT_EQ(ec, asio::error::eof) << ec.message();
}

// The idle timeout runs only while nothing is in flight: an answer that takes longer than it (a
// slow integration, a long stream) is delivered, and the connection is closed once it has then
// been idle for the timeout.
TEST_F(ServerTest, IdleTimeoutCountsOnlyWhileNothingIsInFlight) {
  HoldingHandler holding;
  Limits limits;
  limits.idle_timeout_ms = 200;
  start(limits, &holding);
  auto s = connect();
  asio::write(s, asio::buffer(std::string_view("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")));
  while (holding.count() == 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // three idle timeouts
  {
    std::lock_guard lock(holding.mu);
    Response res{bhttp::status::ok, 11};
    res.body() = "late answer";
    holding.held.back()->respond(std::move(res));
    holding.held.clear();
  }
  EXPECT_NE(read_responses(s, 1).find("late answer"), std::string::npos);
  expect_closed_by_server(s);
  // Counted as the closed read completes, which may be just after the client sees the close.
  for (int i = 0; i < 200 && stats_.timeouts.value() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(stats_.timeouts.value(), 1u);
}

}  // namespace
}  // namespace gatehouse::http
