#include "functions/pool/peer_process.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

namespace gatehouse::functions::pool {
namespace {

constexpr uint32_t kLoopback = 0x7F000001;

// A listener on 127.0.0.1:<ephemeral>.
struct Listener {
  int fd = -1;
  uint16_t port = 0;
  Listener() {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(kLoopback);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd, 8), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~Listener() { ::close(fd); }
  // Accepts one connection and says who is on the other end.
  TcpConnection accept_one(int* accepted) const {
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    *accepted = ::accept(fd, reinterpret_cast<sockaddr*>(&peer), &len);
    return {ntohl(peer.sin_addr.s_addr), ntohs(peer.sin_port), kLoopback, port};
  }
};

int connect_to(uint16_t port) {
  int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(kLoopback);
  a.sin_port = htons(port);
  if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return -1;
  return s;
}

// A child that connects to `port`, says so through a pipe, then waits to be killed.
pid_t child_connecting_to(uint16_t port) {
  int ready[2];
  EXPECT_EQ(::pipe(ready), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    int s = connect_to(port);
    char c = s >= 0 ? 'y' : 'n';
    ssize_t ignored = ::write(ready[1], &c, 1);
    (void)ignored;
    ::pause();
    ::_exit(0);
  }
  ::close(ready[1]);
  char c = 0;
  EXPECT_EQ(::read(ready[0], &c, 1), 1);
  EXPECT_EQ(c, 'y');
  ::close(ready[0]);
  return pid;
}

pid_t idle_child() {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::pause();
    ::_exit(0);
  }
  return pid;
}

void reap(pid_t pid) {
  ::kill(pid, SIGKILL);
  int st = 0;
  ::waitpid(pid, &st, 0);
}

// Both sources of the kernel's socket table find the connecting socket, and agree on it.
TEST(PeerProcess, BothSourcesFindTheConnectingSocket) {
  Listener l;
  int client = connect_to(l.port);
  ASSERT_GE(client, 0);
  int accepted = -1;
  TcpConnection c = l.accept_one(&accepted);
  auto from_netlink = detail::from_netlink(c);
  auto from_proc = detail::from_proc(c);
  ASSERT_TRUE(from_proc.has_value());
  EXPECT_EQ(from_proc->uid, ::geteuid());
  if (from_netlink) {
    EXPECT_EQ(from_netlink->inode, from_proc->inode);
    EXPECT_EQ(from_netlink->uid, from_proc->uid);
  }
  auto found = peer_socket(c);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->inode, from_proc->inode);
  // The accepted end is a different socket: the lookup is for the peer's.
  TcpConnection reversed{c.local_address, c.local_port, c.peer_address, c.peer_port};
  auto accepted_end = peer_socket(reversed);
  ASSERT_TRUE(accepted_end.has_value());
  EXPECT_NE(accepted_end->inode, from_proc->inode);
  EXPECT_TRUE(held_by_process_tree(::getpid(), from_proc->inode));
  ::close(client);
  ::close(accepted);
}

// The process that connected, and any ancestor of it, holds the socket; a sibling does not.
TEST(PeerProcess, OnlyTheConnectingProcessTreeHoldsIt) {
  Listener l;
  pid_t connector = child_connecting_to(l.port);
  pid_t sibling = idle_child();
  int accepted = -1;
  TcpConnection c = l.accept_one(&accepted);
  auto peer = peer_socket(c);
  ASSERT_TRUE(peer.has_value());
  const uint64_t inode = peer->inode;
  EXPECT_TRUE(held_by_process_tree(connector, inode));
  EXPECT_TRUE(held_by_process_tree(::getpid(), inode)) << "a descendant holds it";
  EXPECT_FALSE(held_by_process_tree(sibling, inode));
  EXPECT_FALSE(held_by_process_tree(0, inode));
  EXPECT_FALSE(held_by_process_tree(-1, inode));
  reap(connector);
  reap(sibling);
  ::close(accepted);
}

// A connection whose peer has gone (closed before the check) is nobody's.
TEST(PeerProcess, AConnectionClosedByItsPeerIsNobodys) {
  Listener l;
  int client = connect_to(l.port);
  sockaddr_in mine{};
  socklen_t len = sizeof mine;
  ::getsockname(client, reinterpret_cast<sockaddr*>(&mine), &len);
  ::close(client);
  int accepted = -1;
  TcpConnection c = l.accept_one(&accepted);
  auto peer = peer_socket(c);
  EXPECT_TRUE(!peer || !held_by_process_tree(::getpid(), peer->inode));
  ::close(accepted);
}

}  // namespace
}  // namespace gatehouse::functions::pool
