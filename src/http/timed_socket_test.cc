#include "http/detail/timed_socket.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <functional>
#include <optional>

namespace gatehouse::http::detail {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using boost::beast::error_code;

// A connected pair on one io_context: `ours` (the TimedSocket under test) and the peer's socket.
struct Pair {
  asio::io_context ioc;
  std::optional<TimedSocket> ours;
  tcp::socket peer{ioc};

  Pair() {
    tcp::acceptor acceptor(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    ours.emplace(ioc.get_executor());
    ours->socket().connect(acceptor.local_endpoint());
    acceptor.accept(peer);
  }

  // Starts a one-byte read into `byte`; its completion's code lands in `read`.
  void read_byte() {
    ours->async_read_some(asio::buffer(&byte, 1), [this](error_code ec, size_t) { read = ec; });
  }
  char byte = 0;
  std::optional<error_code> read;
};

// A read whose deadline passes completes with beast's timeout, and the socket is closed.
TEST(TimedSocket, ReadPastItsDeadlineTimesOut) {
  Pair p;
  p.ours->expires_after(20ms);
  p.read_byte();
  p.ioc.run();
  ASSERT_TRUE(p.read.has_value());
  EXPECT_EQ(*p.read, boost::beast::error::timeout);
  EXPECT_FALSE(p.ours->socket().is_open());
}

// read_expires_at gives the pending read a deadline it started without: it times out then.
TEST(TimedSocket, ReadGivenADeadlineWhilePendingTimesOut) {
  Pair p;
  p.ours->expires_never();
  p.read_byte();
  p.ours->read_expires_at(TimedSocket::clock::now() + 20ms);
  p.ioc.run();
  ASSERT_TRUE(p.read.has_value());
  EXPECT_EQ(*p.read, boost::beast::error::timeout);
}

// ... and can take one away: a read whose short deadline was lifted gets the peer's late byte.
TEST(TimedSocket, ReadWhoseDeadlineIsLiftedWaits) {
  Pair p;
  p.ours->expires_after(20ms);
  p.read_byte();
  p.ours->read_expires_at(TimedSocket::clock::time_point::max());
  asio::steady_timer later(p.ioc, 80ms);
  later.async_wait([&](error_code) { asio::write(p.peer, asio::buffer("y", 1)); });
  p.ioc.run();
  ASSERT_TRUE(p.read.has_value());
  EXPECT_FALSE(*p.read) << p.read->message();
  EXPECT_EQ(p.byte, 'y');
}

// A deadline set after an operation started is for the operations after it: a pending read keeps
// its short one while a write started without one completes.
TEST(TimedSocket, PendingOperationKeepsItsDeadline) {
  Pair p;
  std::optional<error_code> write;
  p.ours->expires_after(20ms);
  p.read_byte();
  p.ours->expires_never();
  asio::async_write(*p.ours, asio::buffer("x", 1), [&](error_code ec, size_t) { write = ec; });
  p.ioc.run();
  ASSERT_TRUE(write.has_value());
  EXPECT_FALSE(*write);
  ASSERT_TRUE(p.read.has_value());
  EXPECT_EQ(*p.read, boost::beast::error::timeout);
}

// ... and a short deadline for a later operation does not cut short a pending one that had none:
// the read waits past it and gets the peer's byte.
TEST(TimedSocket, LaterShortDeadlineLeavesPendingReadAlone) {
  Pair p;
  std::optional<error_code> write;
  p.ours->expires_never();
  p.read_byte();
  p.ours->expires_after(10ms);
  asio::async_write(*p.ours, asio::buffer("x", 1), [&](error_code ec, size_t) { write = ec; });
  // The peer answers well after the write's deadline.
  asio::steady_timer later(p.ioc, 60ms);
  later.async_wait([&](error_code) { asio::write(p.peer, asio::buffer("y", 1)); });
  p.ioc.run();
  ASSERT_TRUE(p.read.has_value());
  EXPECT_FALSE(*p.read);
  EXPECT_EQ(p.byte, 'y');
  ASSERT_TRUE(write.has_value());
  EXPECT_FALSE(*write);
}

// An operation started after its deadline passed completes with the timeout.
TEST(TimedSocket, OperationStartedPastItsDeadlineTimesOut) {
  Pair p;
  p.ours->expires_at(TimedSocket::clock::now() - 1s);
  p.read_byte();
  p.ioc.run();
  ASSERT_TRUE(p.read.has_value());
  EXPECT_EQ(*p.read, boost::beast::error::timeout);
}

// Deadlines moved later with each exchange never fire while the peer keeps answering within them.
TEST(TimedSocket, MovingDeadlinesDoNotFireWhileTrafficFlows) {
  Pair p;
  char byte = 0;
  int reads = 0;
  std::optional<error_code> failure;
  std::function<void()> next = [&] {
    p.ours->expires_after(200ms);
    p.ours->async_read_some(asio::buffer(&byte, 1), [&](error_code ec, size_t) {
      if (ec) {
        failure = ec;
        return;
      }
      if (++reads < 5) next();
    });
  };
  next();
  asio::steady_timer pace(p.ioc);
  int sent = 0;
  std::function<void()> send = [&] {
    pace.expires_after(30ms);
    pace.async_wait([&](error_code) {
      asio::write(p.peer, asio::buffer("z", 1));
      if (++sent < 5) send();
    });
  };
  send();
  p.ioc.run();
  EXPECT_FALSE(failure.has_value()) << failure->message();
  EXPECT_EQ(reads, 5);
}

// An idle socket whose deadline is cleared keeps nothing armed: its context runs out of work
// (as a context run until a start-up exchange ends must), long before the old deadline.
TEST(TimedSocket, IdleAfterExpiresNeverHoldsNoWork) {
  Pair p;
  p.ours->expires_after(60s);
  p.read_byte();
  asio::write(p.peer, asio::buffer("y", 1));
  p.ioc.run_one();  // the read's completion
  ASSERT_TRUE(p.read.has_value());
  p.ours->expires_never();
  p.ioc.run_for(5s);
  EXPECT_TRUE(p.ioc.stopped());
}

// Destroying the socket with a read pending completes the read (aborted): nothing hangs.
TEST(TimedSocket, DestroyedWithPendingReadCompletesIt) {
  Pair p;
  p.ours->expires_after(10s);
  p.read_byte();
  p.ours.reset();
  p.ioc.run();
  ASSERT_TRUE(p.read.has_value());
  EXPECT_EQ(*p.read, asio::error::operation_aborted);
}

}  // namespace
}  // namespace gatehouse::http::detail
