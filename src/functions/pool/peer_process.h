// Which local process is on the other end of a loopback TCP connection (Linux). A worker's Runtime
// API endpoint uses it to answer only its own worker: the endpoint's port is no secret (any local
// process can read it from /proc/net/tcp), so the connecting process is what is checked.
//
// Usage:
//   auto peer = peer_socket({peer_ip, peer_port, local_ip, local_port});
//   bool mine = peer && peer->uid == ::geteuid() && held_by_process_tree(worker_pid, peer->inode);
//
// Both read the kernel's tables (netlink, /proc) synchronously: no disk, tens of microseconds for
// a worker with a few descriptors. Thread-safe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace gatehouse::functions::pool {

// One accepted IPv4 TCP connection; addresses and ports in host byte order.
struct TcpConnection {
  uint32_t peer_address = 0;
  uint16_t peer_port = 0;
  uint32_t local_address = 0;
  uint16_t local_port = 0;
};

// The connecting side's socket as the kernel's socket table has it.
struct PeerSocket {
  uint64_t inode = 0;
  uid_t uid = 0;  // the owner of the socket: another user's process is refused without a scan
};

// From NETLINK_SOCK_DIAG, else /proc/net/tcp. nullopt when the kernel no longer has that socket.
std::optional<PeerSocket> peer_socket(const TcpConnection& connection);

// Whether process `root`, or a process descended from it, has the socket `inode` open. A process
// that left the tree (its parent died and it was re-parented) is not part of it.
bool held_by_process_tree(pid_t root, uint64_t inode);

namespace detail {
// The two sources peer_socket() reads, one at a time (tests hold them to each other).
std::optional<PeerSocket> from_netlink(const TcpConnection& connection);
std::optional<PeerSocket> from_proc(const TcpConnection& connection);
}  // namespace detail

}  // namespace gatehouse::functions::pool
