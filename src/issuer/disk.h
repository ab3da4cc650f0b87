// File-system primitives for the signing-key directory: a private directory, crash-safe writes,
// reads that refuse group/other-accessible files, an advisory lock shared between processes, and
// a cheap "did this file change" stamp.
//
// Usage (key_store.cc):
//   if (core::Status s = ensure_private_directory(dir); !s.ok()) return s;
//   auto lock = DirectoryLock::acquire(dir + "/keys.lock", DirectoryLock::kExclusive, true);
//   core::Status written = write_file_atomically(dir, "keys.json", text, 0600);
//
// Thread safety: free functions with no shared state. A DirectoryLock is owned by one thread.
// Errors name the path and, where there is one, the fix.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace gatehouse::issuer {

// Creates `dir` (and missing parents) when absent; the directory itself gets mode 0700 because it
// holds private keys. An existing directory is left as it is. Errors: kIoError (cannot create, or
// the path exists and is not a directory).
core::Status ensure_private_directory(const std::string& dir);

// Replaces dir/name with `bytes` so that a crash leaves either the old or the new content, never
// a torn file: a temporary file in the same directory, written, fsync'ed, renamed over the target,
// then the directory fsync'ed so the rename itself is durable. The file gets exactly `mode`
// (umask does not apply). Errors: kIoError naming the file.
core::Status write_file_atomically(const std::string& dir, const std::string& name,
                                   std::string_view bytes, mode_t mode);

// Reads a file that holds private material. Refuses (kPermissionDenied) a file whose mode grants
// group or others any access, with a message naming the file and the `chmod 600` fix; refuses
// symlinks and non-regular files (kIoError). Other errors as core::read_file.
core::Result<std::string> read_private_file(const std::string& path, size_t max_bytes);

// Removes a file; a missing file is not an error.
core::Status remove_file(const std::string& path);

// Identity of a file's current content as far as stat() can tell: a rename over the file changes
// the inode, an edit in place changes mtime or size.
struct FileStamp {
  uint64_t inode = 0;
  int64_t size = -1;
  int64_t mtime_ns = 0;
  bool exists = false;

  bool operator==(const FileStamp&) const = default;
};
// The stamp of `path`; exists == false when there is no such file. Errors: kIoError for stat
// failures other than ENOENT.
core::Result<FileStamp> stamp_of(const std::string& path);

// An flock(2) on a lock file, held until destruction. Processes that share the key directory use
// it to order writers (exclusive) against readers (shared).
class DirectoryLock {
 public:
  enum Mode { kShared, kExclusive };

  // Opens (creating with mode 0600) and locks `lock_path`. With wait == false, a lock held by
  // someone else yields kUnavailable at once instead of blocking. Errors: kIoError.
  static core::Result<DirectoryLock> acquire(const std::string& lock_path, Mode mode, bool wait);

  DirectoryLock(DirectoryLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DirectoryLock& operator=(DirectoryLock&& other) noexcept;
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;
  ~DirectoryLock();

 private:
  explicit DirectoryLock(int fd) : fd_(fd) {}
  int fd_ = -1;  // closing the descriptor releases the lock
};

}  // namespace gatehouse::issuer
