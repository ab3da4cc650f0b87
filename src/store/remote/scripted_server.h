// For the remote store's tests: a loopback DynamoDB stand-in that answers from a script and
// records what it was sent.
#pragma once

#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <cctype>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace gatehouse::store::remote::test_support {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

// A loopback server on one thread that answers requests from a script of (status, body) and
// records each request's headers and body; once the script is done it answers 200 "{}". A
// status of 0 closes the connection without answering.
class ScriptedServer {
 public:
  struct Seen {
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
  };

  explicit ScriptedServer(std::deque<std::pair<unsigned, std::string>> script)
      : script_(std::move(script)), acceptor_(ioc_, {asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] { run(); });
  }
  ~ScriptedServer() {
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    thread_.join();
  }
  std::string origin() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }
  std::vector<Seen> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }

 private:
  void run() {
    for (;;) {
      tcp::socket socket(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec) return;
      boost::beast::flat_buffer buffer;
      for (;;) {
        bhttp::request<bhttp::string_body> req;
        bhttp::read(socket, buffer, req, ec);
        if (ec) break;
        std::pair<unsigned, std::string> next{200, "{}"};
        {
          std::lock_guard lock(mu_);
          Seen s;
          for (const auto& f : req)
            s.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
          s.body = req.body();
          seen_.push_back(std::move(s));
          if (!script_.empty()) {
            next = script_.front();
            script_.pop_front();
          }
        }
        if (next.first == 0) break;
        bhttp::response<bhttp::string_body> res(static_cast<bhttp::status>(next.first), 11);
        res.set(bhttp::field::content_type, "application/x-amz-json-1.0");
        res.body() = next.second;
        res.prepare_payload();
        bhttp::write(socket, res, ec);
        if (ec) break;
      }
    }
  }

  std::mutex mu_;
  std::deque<std::pair<unsigned, std::string>> script_;
  std::vector<Seen> seen_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

// A header of what the server saw, by lower-case name; "" when absent.
inline std::string header(const ScriptedServer::Seen& seen, std::string_view name) {
  for (const auto& [n, v] : seen.headers) {
    std::string lower = n;
    for (char& ch : lower)
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (lower == name) return v;
  }
  return {};
}

}  // namespace gatehouse::store::remote::test_support
