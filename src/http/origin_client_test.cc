#include "http/origin_client.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <sys/socket.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace gatehouse::http {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// A loopback HTTP/1.1 server on its own threads that answers every request with its body echoed,
// counting the connections it accepted. `close_after_answer` closes each connection after one
// answer without saying so (as a server that dropped an idle connection); `delay` holds answers.
class EchoServer {
 public:
  struct Behaviour {
    bool close_after_answer = false;
    std::chrono::milliseconds delay{0};
    size_t answer_bytes = 0;   // a body of this many bytes instead of the echo
    std::string raw_answer{};  // these bytes as the answer instead (a head of one's choosing)
  };

  explicit EchoServer(Behaviour b)
      : behaviour_(b), acceptor_(ioc_, {asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { accept_loop(); });
  }
  ~EchoServer() {
    stopping_ = true;
    boost::system::error_code ignored;
    // Closing does not wake a blocking accept(); shutting the listening socket down does.
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    acceptor_.close(ignored);
    {
      std::lock_guard lock(mu_);
      for (auto& s : sockets_)
        s->shutdown(tcp::socket::shutdown_both, ignored);
    }
    accept_thread_.join();
    for (auto& t : threads_)
      t.join();
  }

  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int accepted() const { return accepted_.load(); }

 private:
  void accept_loop() {
    while (!stopping_) {
      auto socket = std::make_shared<tcp::socket>(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(*socket, ec);
      if (ec) return;
      ++accepted_;
      std::lock_guard lock(mu_);
      sockets_.push_back(socket);
      threads_.emplace_back([this, socket] { serve(*socket); });
    }
  }
  void serve(tcp::socket& socket) {
    boost::beast::flat_buffer buffer;
    for (;;) {
      bhttp::request<bhttp::string_body> req;
      boost::system::error_code ec;
      bhttp::read(socket, buffer, req, ec);
      if (ec) return;
      std::this_thread::sleep_for(behaviour_.delay);
      if (!behaviour_.raw_answer.empty()) {
        asio::write(socket, asio::buffer(behaviour_.raw_answer), ec);
        if (ec) return;
        continue;
      }
      bhttp::response<bhttp::string_body> res(bhttp::status::ok, 11);
      res.body() = behaviour_.answer_bytes
                       ? std::string(behaviour_.answer_bytes, 'x')
                       : std::string(req.method_string()) + " " + std::string(req.target()) + " " +
                             req.body() + " host=" + std::string(req[bhttp::field::host]);
      res.keep_alive(true);
      res.prepare_payload();
      bhttp::write(socket, res, ec);
      if (ec || behaviour_.close_after_answer) {
        socket.shutdown(tcp::socket::shutdown_both, ec);
        return;
      }
    }
  }

  Behaviour behaviour_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::mutex mu_;
  std::vector<std::shared_ptr<tcp::socket>> sockets_;
  std::vector<std::thread> threads_;
  std::thread accept_thread_;
};

using Answer = std::optional<core::Result<OriginResponse, OriginError>>;

// Sends `n` requests at once and runs the client's io_context until all are answered.
std::vector<Answer> send_all(asio::io_context& ioc, OriginClient& client, int n,
                             std::chrono::milliseconds timeout = 2000ms) {
  std::vector<Answer> answers(n);
  for (int i = 0; i < n; ++i)
    client.send({"POST", "/", {{"content-type", "text/plain"}}, "req" + std::to_string(i)}, timeout,
                [&answers, i](auto r) { answers[i] = std::move(r); });
  ioc.restart();
  ioc.run();
  return answers;
}

TEST(OriginClient, RefusesWhatIsNotAnOrigin) {
  asio::io_context ioc;
  EXPECT_EQ(OriginClient::create(ioc, "ftp://x").error().code(), core::Code::kInvalidArgument);
  EXPECT_EQ(OriginClient::create(ioc, "http://x/path").error().code(),
            core::Code::kInvalidArgument);
  EXPECT_EQ(OriginClient::create(ioc, "http://x?q").error().code(), core::Code::kInvalidArgument);
  EXPECT_EQ((*OriginClient::create(ioc, "https://db.example:443"))->host_header(), "db.example");
  EXPECT_EQ((*OriginClient::create(ioc, "http://127.0.0.1:8000/"))->host_header(),
            "127.0.0.1:8000");
}

TEST(OriginClient, SequentialRequestsShareOneConnection) {
  EchoServer server({});
  asio::io_context ioc;
  auto client = *OriginClient::create(ioc, server.origin());
  for (int i = 0; i < 5; ++i) {
    auto answers = send_all(ioc, *client, 1);
    ASSERT_TRUE(answers[0].has_value() && answers[0]->has_value())
        << answers[0]->error().status.message();
    EXPECT_EQ((*answers[0])->status, 200u);
    EXPECT_EQ((*answers[0])->body, "POST / req0 host=" + client->host_header());
  }
  EXPECT_EQ(server.accepted(), 1);
  EXPECT_EQ(client->connections_opened(), 1u);
}

TEST(OriginClient, ConcurrentRequestsOpenAtMostMaxConnectionsAndTheRestWait) {
  EchoServer server({.delay = 20ms});
  asio::io_context ioc;
  auto client = *OriginClient::create(ioc, server.origin(), {.max_connections = 3});
  auto answers = send_all(ioc, *client, 10);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(answers[i]->has_value()) << answers[i]->error().status.message();
    EXPECT_EQ((*answers[i])->body,
              "POST / req" + std::to_string(i) + " host=" + client->host_header());
  }
  EXPECT_EQ(server.accepted(), 3);
}

TEST(OriginClient, WaitingBeyondItsBoundFailsAtOnce) {
  EchoServer server({.delay = 50ms});
  asio::io_context ioc;
  auto client =
      *OriginClient::create(ioc, server.origin(), {.max_connections = 1, .max_waiting = 1});
  auto answers = send_all(ioc, *client, 3);
  int exhausted = 0;
  for (auto& a : answers) {
    if (!a->has_value()) {
      EXPECT_EQ(a->error().status.code(), core::Code::kResourceExhausted);
      EXPECT_FALSE(a->error().maybe_received);
      ++exhausted;
    }
  }
  EXPECT_EQ(exhausted, 1);
}

TEST(OriginClient, AConnectionTheServerDroppedIsReplacedWithoutFailingTheRequest) {
  EchoServer server({.close_after_answer = true});
  asio::io_context ioc;
  auto client = *OriginClient::create(ioc, server.origin());
  for (int i = 0; i < 3; ++i) {
    auto answers = send_all(ioc, *client, 1);
    ASSERT_TRUE(answers[0]->has_value()) << answers[0]->error().status.message();
  }
  EXPECT_EQ(server.accepted(), 3);
}

TEST(OriginClient, ASlowServerIsADeadlineAndMayHaveReceivedTheRequest) {
  EchoServer server({.delay = 300ms});
  asio::io_context ioc;
  auto client = *OriginClient::create(ioc, server.origin());
  auto answers = send_all(ioc, *client, 1, 50ms);
  ASSERT_FALSE(answers[0]->has_value());
  EXPECT_EQ(answers[0]->error().status.code(), core::Code::kDeadlineExceeded);
  EXPECT_TRUE(answers[0]->error().maybe_received);
}

TEST(OriginClient, ARefusedConnectionWasNotReceived) {
  asio::io_context ioc;
  auto client = *OriginClient::create(ioc, "http://127.0.0.1:1");
  auto answers = send_all(ioc, *client, 2);
  for (auto& a : answers) {
    ASSERT_FALSE(a->has_value());
    EXPECT_EQ(a->error().status.code(), core::Code::kUnavailable);
    EXPECT_FALSE(a->error().maybe_received);
    EXPECT_NE(a->error().status.message().find("http://127.0.0.1:1"), std::string::npos);
  }
}

TEST(OriginClient, AnAnswerOverTheLimitIsRefused) {
  EchoServer server({.answer_bytes = 5000});
  asio::io_context ioc;
  auto client = *OriginClient::create(ioc, server.origin(), {.max_response_bytes = 4096});
  auto answers = send_all(ioc, *client, 1);
  ASSERT_FALSE(answers[0]->has_value());
  EXPECT_EQ(answers[0]->error().status.code(), core::Code::kResourceExhausted);
}

// A rule that renames X-Rename-*, drops X-Drop-* and keeps the rest.
HeadRule::Fate test_fate(bhttp::field, std::string_view name) {
  if (name.starts_with("X-Rename")) return HeadRule::Fate::kRename;
  if (name.starts_with("X-Drop")) return HeadRule::Fate::kDrop;
  return HeadRule::Fate::kKeep;
}
constexpr HeadRule kTestRule{&test_fate, "x-was-"};

std::vector<std::pair<std::string, std::string>> open_fields(const std::string& raw_answer,
                                                             const HeadRule* rule) {
  EchoServer server({.raw_answer = raw_answer});
  asio::io_context ioc;
  auto client = *OriginClient::create(ioc, server.origin(), {});
  OriginRequest request;
  request.method = "GET";
  request.head_rule = rule;
  std::optional<core::Result<OriginStream, OriginError>> answer;
  client->open(std::move(request), 2000ms, [&](auto r) { answer = std::move(r); });
  ioc.run();
  std::vector<std::pair<std::string, std::string>> out;
  if (!answer || !answer->has_value()) {
    ADD_FAILURE() << "no answer";
    return out;
  }
  EXPECT_EQ((*answer)->head.result_int(), 200u);
  EXPECT_EQ((*answer)->first, "ok");
  for (const auto& field : (*answer)->head)
    out.emplace_back(field.name_string(), field.value());
  if (rule == nullptr) {
    EXPECT_TRUE((*answer)->passed.empty());
  } else {
    EXPECT_TRUE(out.empty());  // a rule's fields come in wire form only
    out.emplace_back("wire", (*answer)->passed.text());
  }
  return out;
}

using Fields = std::vector<std::pair<std::string, std::string>>;

// Fields are judged as they are parsed and passed in wire form: renamed in place, dropped, kept;
// a kept field the Connection header names is dropped wherever it stands, a renamed one is not
// judged by its new name; the framing fields and Date are never passed as they are, whatever the
// rule says, and the framing is the parser's own whatever is passed.
TEST(OriginClient, AHeadRuleKeepsRenamesAndDropsFieldsAsTheyAreParsed) {
  const std::string raw =
      "HTTP/1.1 200 OK\r\n"
      "X-Hop: 1\r\n"
      "X-Rename-Me: a\r\n"
      "Content-Length: 2\r\n"
      "Date: Mon, 07 Dec 2026 03:00:00 GMT\r\n"
      "X-Drop-Me: b\r\n"
      "Connection: keep-alive, x-hop, x-was-x-rename-me\r\n"
      "X-Kept:  c  \r\n"
      "x-was-X-Rename-Me: forged\r\n"
      "X-Folded: d\r\n e\r\n"
      "\r\nok";
  EXPECT_EQ(open_fields(raw, &kTestRule),
            (Fields{{"wire", "x-was-X-Rename-Me: a\r\nX-Kept: c\r\nX-Folded: d e\r\n"}}));
  // Without a rule every field is kept as received, in the head.
  EXPECT_EQ(open_fields(raw, nullptr).size(), 9u);
}

TEST(WireFields, WhichOfComparesWholeNamesCaseInsensitively) {
  WireFields f;
  f.add("", "Content-Type", "a:b");
  f.add("x-amz-", "apigw-id", "b");
  EXPECT_EQ(f.text(), "Content-Type: a:b\r\nx-amz-apigw-id: b\r\n");
  EXPECT_EQ(f.which_of({"content-type", "Content", "X-Amz-Apigw-Id", "Content-Type-X", "a"}),
            0b101u);
  EXPECT_EQ(WireFields{}.which_of({"Content-Type"}), 0u);
}

TEST(WireFields, EraseIfSeesPlacesAndNamesAndKeepsTheRestInOrder) {
  WireFields f;
  f.add("", "A", "1");
  f.add("p-", "B", "2:3");
  f.add("", "C", "3");
  f.add("", "p-B", "4");
  f.erase_if([](size_t i, std::string_view name) { return i == 1 && name == "p-B"; });
  EXPECT_EQ(f.text(), "A: 1\r\nC: 3\r\np-B: 4\r\n");
  f.erase_if([](size_t, std::string_view name) { return name == "A" || name == "p-B"; });
  EXPECT_EQ(f.text(), "C: 3\r\n");
  EXPECT_EQ(f.which_of({"C", "A"}), 1u);
  f.erase_if([](size_t, std::string_view) { return true; });
  EXPECT_TRUE(f.empty());
}

}  // namespace
}  // namespace gatehouse::http
