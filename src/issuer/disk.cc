#include "issuer/disk.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "core/base64.h"
#include "core/files.h"

namespace gatehouse::issuer {
namespace {

std::string quoted(const std::string& path) {
  return "'" + path + "'";
}

core::Status errno_status(const std::string& what, const std::string& path, int err) {
  return core::io_error("cannot " + what + " " + quoted(path) + ": " + std::strerror(err));
}

// Closes a descriptor on scope exit.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

core::Status fsync_directory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_status("open directory", dir, errno);
  FdCloser closer(fd);
  if (::fsync(fd) != 0) return errno_status("fsync directory", dir, errno);
  return {};
}

core::Status write_all(int fd, std::string_view bytes, const std::string& path) {
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_status("write", path, errno);
    written += static_cast<size_t>(n);
  }
  return {};
}

// A name no other writer picks: two processes may write the same target at once (both then
// rename; the last one wins, which is what the lock in key_store.cc orders).
std::string temporary_name(const std::string& name) {
  unsigned char random[6];
  if (RAND_bytes(random, sizeof random) != 1) {
    // The pid alone still separates processes; threads of one process write under its lock.
    return "." + name + ".tmp." + std::to_string(::getpid());
  }
  return "." + name + ".tmp." + std::to_string(::getpid()) + "." +
         core::base64url_encode(std::string_view(reinterpret_cast<char*>(random), sizeof random));
}

}  // namespace

core::Status ensure_private_directory(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return core::io_error(quoted(dir) + " exists and is not a directory");
    return {};
  }
  if (errno != ENOENT) return errno_status("stat", dir, errno);
  std::filesystem::path parent = std::filesystem::path(dir).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return core::io_error("cannot create " + quoted(parent.string()) + ": " + ec.message());
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return errno_status("create directory", dir, errno);
  }
  return {};
}

core::Status write_file_atomically(const std::string& dir, const std::string& name,
                                   std::string_view bytes, mode_t mode) {
  const std::string target = dir + "/" + name;
  const std::string temp = dir + "/" + temporary_name(name);
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return errno_status("create", temp, errno);
  core::Status status;
  {
    FdCloser closer(fd);
    // open() applied the umask; the mode of a key file must not depend on it.
    if (::fchmod(fd, mode) != 0) status = errno_status("chmod", temp, errno);
    if (status.ok()) status = write_all(fd, bytes, temp);
    if (status.ok() && ::fsync(fd) != 0) status = errno_status("fsync", temp, errno);
  }
  if (status.ok() && ::rename(temp.c_str(), target.c_str()) != 0) {
    status = errno_status("rename onto", target, errno);
  }
  if (!status.ok()) {
    ::unlink(temp.c_str());
    return status;
  }
  return fsync_directory(dir);
}

core::Result<std::string> read_private_file(const std::string& path, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return core::not_found("key file " + quoted(path) + " does not exist");
    if (err == ELOOP) return core::io_error("key file " + quoted(path) + " is a symbolic link");
    return errno_status("open key file", path, err);
  }
  FdCloser closer(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return errno_status("stat", path, errno);
  if (!S_ISREG(st.st_mode)) return core::io_error("key file " + quoted(path) + " is not a file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return core::Status(core::Code::kPermissionDenied,
                        "key file " + quoted(path) + " is accessible by group or others (mode " +
                            mode + "); run `chmod 600 " + path + "`");
  }
  if (static_cast<size_t>(st.st_size) > max_bytes) {
    return core::resource_exhausted("key file " + quoted(path) + " is " +
                                    std::to_string(st.st_size) + " bytes; the limit is " +
                                    std::to_string(max_bytes));
  }
  return core::read_exactly(fd, static_cast<size_t>(st.st_size), "key file " + quoted(path));
}

core::Status remove_file(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return errno_status("remove", path, errno);
  return {};
}

core::Result<FileStamp> stamp_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return FileStamp{};
    return errno_status("stat", path, errno);
  }
  FileStamp stamp;
  stamp.inode = static_cast<uint64_t>(st.st_ino);
  stamp.size = static_cast<int64_t>(st.st_size);
  stamp.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  stamp.exists = true;
  return stamp;
}

core::Result<DirectoryLock> DirectoryLock::acquire(const std::string& lock_path, Mode mode,
                                                   bool wait) {
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return errno_status("open lock file", lock_path, errno);
  int op = (mode == kExclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB);
  while (::flock(fd, op) != 0) {
    int err = errno;
    if (err == EINTR) continue;
    ::close(fd);
    if (err == EWOULDBLOCK) return core::unavailable(quoted(lock_path) + " is locked");
    return errno_status("lock", lock_path, err);
  }
  return DirectoryLock(fd);
}

DirectoryLock& DirectoryLock::operator=(DirectoryLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

DirectoryLock::~DirectoryLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace gatehouse::issuer
