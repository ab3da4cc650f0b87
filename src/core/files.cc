#include "core/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

namespace gatehouse::core {

Result<std::string> read_file(const std::string& path, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    Code code = err == ENOENT ? Code::kNotFound : Code::kIoError;
    return Status(code, "cannot open '" + path + "': " + std::strerror(err));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return io_error("'" + path + "' is not a regular file");
  }
  if (static_cast<size_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return resource_exhausted("'" + path + "' is " + std::to_string(st.st_size) +
                              " bytes; the limit is " + std::to_string(max_bytes));
  }
  auto out = read_exactly(fd, static_cast<size_t>(st.st_size), "'" + path + "'");
  ::close(fd);
  return out;
}

Result<std::string> read_exactly(int fd, size_t size, std::string_view what) {
  std::string out(size, '\0');
  size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return io_error("cannot read " + std::string(what) + ": " +
                      (n == 0 ? "short read" : std::strerror(errno)));
    }
    got += static_cast<size_t>(n);
  }
  return out;
}

}  // namespace gatehouse::core
