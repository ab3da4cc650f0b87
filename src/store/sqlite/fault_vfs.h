// A SQLite VFS for tests: it wraps the default VFS and, on demand, fails every write or sync with a
// chosen code or opens database files read-only. It reproduces a full disk (SQLITE_FULL, what the
// unix VFS returns for ENOSPC), a failing disk (SQLITE_IOERR_*) and a read-only file, also when the
// tests run as root, where chmod prevents nothing. It counts syncs of -wal files, which are the
// commits' fsyncs.
//
// Usage:
//   FaultVfs& vfs = FaultVfs::instance();   // registered on first use
//   options.vfs = FaultVfs::kName;
//   vfs.fail_writes(SQLITE_FULL);  ...  vfs.reset();
//
// Thread safety: the switches are atomics; flip them while connections run.
#pragma once

#include <atomic>
#include <cstdint>

namespace gatehouse::store::sqlite {

class FaultVfs {
 public:
  static constexpr const char* kName = "gatehouse_fault";

  static FaultVfs& instance();

  // From now on every xWrite (xSync) of any file returns `rc`; SQLITE_OK turns it off.
  void fail_writes(int rc) { write_rc_.store(rc); }
  void fail_syncs(int rc) { sync_rc_.store(rc); }
  // Main database files opened from now on open read-only, as a file without write permission.
  void open_read_only(bool on) { read_only_.store(on); }
  void reset();

  // Successful syncs of -wal files so far.
  uint64_t wal_syncs() const { return wal_syncs_.load(); }

  int write_rc() const { return write_rc_.load(); }
  int sync_rc() const { return sync_rc_.load(); }
  bool read_only() const { return read_only_.load(); }
  void count_wal_sync() { wal_syncs_.fetch_add(1); }

 private:
  FaultVfs();

  std::atomic<int> write_rc_{0};
  std::atomic<int> sync_rc_{0};
  std::atomic<bool> read_only_{false};
  std::atomic<uint64_t> wal_syncs_{0};
};

}  // namespace gatehouse::store::sqlite
