#include "functions/pool/peer_process.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

namespace gatehouse::functions::pool {
namespace {

// Closes a descriptor on every path out.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

namespace detail {

// One exact lookup in the kernel's TCP table (what `ss` uses): the socket whose own end is the
// connection's peer. nullopt when the kernel answers "no such socket" or netlink is not allowed.
std::optional<PeerSocket> from_netlink(const TcpConnection& c) {
  Fd sock{::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG)};
  if (sock.fd < 0) return std::nullopt;
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } message{};
  message.header.nlmsg_len = sizeof message;
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST;
  message.request.sdiag_family = AF_INET;
  message.request.sdiag_protocol = IPPROTO_TCP;
  message.request.idiag_states = ~0u;
  message.request.id.idiag_sport = htons(c.peer_port);
  message.request.id.idiag_dport = htons(c.local_port);
  message.request.id.idiag_src[0] = htonl(c.peer_address);
  message.request.id.idiag_dst[0] = htonl(c.local_address);
  message.request.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
  message.request.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(sock.fd, &message, sizeof message, 0, reinterpret_cast<sockaddr*>(&kernel),
               sizeof kernel) != static_cast<ssize_t>(sizeof message)) {
    return std::nullopt;
  }
  // The kernel answers within sendto: the reply is queued already, so this never waits.
  alignas(nlmsghdr) char reply[4096];
  ssize_t n;
  do {
    n = ::recv(sock.fd, reply, sizeof reply, MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < static_cast<ssize_t>(sizeof(nlmsghdr))) return std::nullopt;
  auto* header = reinterpret_cast<nlmsghdr*>(reply);
  if (!NLMSG_OK(header, static_cast<unsigned>(n)) || header->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
      header->nlmsg_len < NLMSG_LENGTH(sizeof(inet_diag_msg))) {
    return std::nullopt;  // NLMSG_ERROR: ENOENT (no such socket), or no TCP diag in this kernel
  }
  auto* found = static_cast<const inet_diag_msg*>(NLMSG_DATA(header));
  return PeerSocket{found->idiag_inode, static_cast<uid_t>(found->idiag_uid)};
}

// The same lookup in /proc/net/tcp, for kernels or sandboxes without NETLINK_SOCK_DIAG. Lines read
// "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...", addresses as
// the raw network-order word in hex, ports in hex.
std::optional<PeerSocket> from_proc(const TcpConnection& c) {
  FILE* f = std::fopen("/proc/net/tcp", "re");
  if (!f) return std::nullopt;
  std::optional<PeerSocket> found;
  char line[512];
  const uint32_t peer_word = htonl(c.peer_address), local_word = htonl(c.local_address);
  while (!found && std::fgets(line, sizeof line, f)) {
    unsigned local_address = 0, local_port = 0, remote_address = 0, remote_port = 0, uid = 0;
    unsigned long long node = 0;
    if (std::sscanf(line, " %*u: %8X:%4X %8X:%4X %*X %*X:%*X %*X:%*X %*X %u %*u %llu",
                    &local_address, &local_port, &remote_address, &remote_port, &uid, &node) != 6) {
      continue;  // the header line
    }
    if (local_address == peer_word && local_port == c.peer_port && remote_address == local_word &&
        remote_port == c.local_port && node != 0) {
      found = PeerSocket{node, static_cast<uid_t>(uid)};
    }
  }
  std::fclose(f);
  return found;
}

}  // namespace detail

namespace {

// Whether `pid` has `target` ("socket:[N]") among its open descriptors.
bool holds(pid_t pid, const std::string& target) {
  std::string dir = fmt::format("/proc/{}/fd", pid);
  DIR* d = ::opendir(dir.c_str());
  if (!d) return false;
  bool found = false;
  char link[64];
  while (!found) {
    dirent* e = ::readdir(d);
    if (!e) break;
    if (e->d_name[0] == '.') continue;
    ssize_t n = ::readlinkat(::dirfd(d), e->d_name, link, sizeof link);
    found = n == static_cast<ssize_t>(target.size()) && std::memcmp(link, target.data(), n) == 0;
  }
  ::closedir(d);
  return found;
}

// Every process's parent, from /proc/<pid>/stat ("pid (comm) state ppid ..."; comm may hold
// spaces and parentheses, so the fields are counted from the last ')').
std::unordered_multimap<pid_t, pid_t> children_by_parent() {
  std::unordered_multimap<pid_t, pid_t> children;
  DIR* d = ::opendir("/proc");
  if (!d) return children;
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    char path[64], stat[512];
    std::snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    Fd fd{::open(path, O_RDONLY | O_CLOEXEC)};
    if (fd.fd < 0) continue;
    ssize_t n = ::read(fd.fd, stat, sizeof stat - 1);
    if (n <= 0) continue;
    stat[n] = '\0';
    const char* close_paren = std::strrchr(stat, ')');
    int ppid = 0;
    if (close_paren && std::sscanf(close_paren + 1, " %*c %d", &ppid) == 1 && ppid > 0) {
      children.emplace(static_cast<pid_t>(ppid), static_cast<pid_t>(pid));
    }
  }
  ::closedir(d);
  return children;
}

}  // namespace

std::optional<PeerSocket> peer_socket(const TcpConnection& connection) {
  if (auto found = detail::from_netlink(connection)) return found;
  return detail::from_proc(connection);
}

bool held_by_process_tree(pid_t root, uint64_t inode) {
  if (root <= 0) return false;
  const std::string target = fmt::format("socket:[{}]", inode);
  // The runtime itself connects in the usual case; its helpers (curl under a bash runtime) need
  // the walk over the process table.
  if (holds(root, target)) return true;
  auto children = children_by_parent();
  std::vector<pid_t> pending = {root};
  size_t visited = 0;
  while (!pending.empty() && visited < children.size() + 1) {
    pid_t parent = pending.back();
    pending.pop_back();
    ++visited;
    auto [first, last] = children.equal_range(parent);
    for (auto it = first; it != last; ++it) {
      if (holds(it->second, target)) return true;
      pending.push_back(it->second);
    }
  }
  return false;
}

}  // namespace gatehouse::functions::pool
