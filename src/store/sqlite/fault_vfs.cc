#include "store/sqlite/fault_vfs.h"

#include <sqlite3.h>

#include <cstdlib>

namespace gatehouse::store::sqlite {
namespace {

sqlite3_vfs* real_vfs = nullptr;

// Our file handle; the default VFS's handle follows it in the same allocation (szOsFile covers
// both).
struct FaultFile {
  sqlite3_file base;
  bool is_wal;
  sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
};
// The real handle starts right after ours, so ours must keep it aligned.
static_assert(sizeof(FaultFile) % alignof(sqlite3_int64) == 0);

sqlite3_file* real(sqlite3_file* file) {
  return reinterpret_cast<FaultFile*>(file)->real();
}

int file_close(sqlite3_file* f) {
  return real(f)->pMethods->xClose(real(f));
}
int file_read(sqlite3_file* f, void* buffer, int amount, sqlite3_int64 offset) {
  return real(f)->pMethods->xRead(real(f), buffer, amount, offset);
}
int file_write(sqlite3_file* f, const void* buffer, int amount, sqlite3_int64 offset) {
  if (int rc = FaultVfs::instance().write_rc(); rc != SQLITE_OK) return rc;
  return real(f)->pMethods->xWrite(real(f), buffer, amount, offset);
}
int file_truncate(sqlite3_file* f, sqlite3_int64 size) {
  return real(f)->pMethods->xTruncate(real(f), size);
}
int file_sync(sqlite3_file* f, int flags) {
  if (int rc = FaultVfs::instance().sync_rc(); rc != SQLITE_OK) return rc;
  int rc = real(f)->pMethods->xSync(real(f), flags);
  if (rc == SQLITE_OK && reinterpret_cast<FaultFile*>(f)->is_wal)
    FaultVfs::instance().count_wal_sync();
  return rc;
}
int file_size(sqlite3_file* f, sqlite3_int64* size) {
  return real(f)->pMethods->xFileSize(real(f), size);
}
int file_lock(sqlite3_file* f, int level) {
  return real(f)->pMethods->xLock(real(f), level);
}
int file_unlock(sqlite3_file* f, int level) {
  return real(f)->pMethods->xUnlock(real(f), level);
}
int file_check_reserved_lock(sqlite3_file* f, int* out) {
  return real(f)->pMethods->xCheckReservedLock(real(f), out);
}
int file_control(sqlite3_file* f, int op, void* arg) {
  return real(f)->pMethods->xFileControl(real(f), op, arg);
}
int file_sector_size(sqlite3_file* f) {
  return real(f)->pMethods->xSectorSize(real(f));
}
int file_device_characteristics(sqlite3_file* f) {
  return real(f)->pMethods->xDeviceCharacteristics(real(f));
}
int file_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return real(f)->pMethods->xShmMap(real(f), region, size, extend, out);
}
int file_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
void file_shm_barrier(sqlite3_file* f) {
  real(f)->pMethods->xShmBarrier(real(f));
}
int file_shm_unmap(sqlite3_file* f, int delete_flag) {
  return real(f)->pMethods->xShmUnmap(real(f), delete_flag);
}
int file_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  return real(f)->pMethods->xFetch(real(f), offset, amount, out);
}
int file_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* page) {
  return real(f)->pMethods->xUnfetch(real(f), offset, page);
}

const sqlite3_io_methods kFileMethods = {
    3,
    file_close,
    file_read,
    file_write,
    file_truncate,
    file_sync,
    file_size,
    file_lock,
    file_unlock,
    file_check_reserved_lock,
    file_control,
    file_sector_size,
    file_device_characteristics,
    file_shm_map,
    file_shm_lock,
    file_shm_barrier,
    file_shm_unmap,
    file_fetch,
    file_unfetch,
};

int vfs_open(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  auto* ours = reinterpret_cast<FaultFile*>(file);
  ours->base.pMethods = nullptr;  // until the real file is open: SQLite then skips xClose
  ours->is_wal = (flags & SQLITE_OPEN_WAL) != 0;
  if (FaultVfs::instance().read_only() && (flags & SQLITE_OPEN_MAIN_DB))
    flags = (flags & ~(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) | SQLITE_OPEN_READONLY;
  int rc = real_vfs->xOpen(real_vfs, name, ours->real(), flags, out_flags);
  if (rc == SQLITE_OK) ours->base.pMethods = &kFileMethods;
  return rc;
}
int vfs_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return real_vfs->xDelete(real_vfs, name, sync_dir);
}
int vfs_access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return real_vfs->xAccess(real_vfs, name, flags, out);
}
int vfs_full_pathname(sqlite3_vfs*, const char* name, int size, char* out) {
  return real_vfs->xFullPathname(real_vfs, name, size, out);
}
void* vfs_dl_open(sqlite3_vfs*, const char* name) {
  return real_vfs->xDlOpen(real_vfs, name);
}
void vfs_dl_error(sqlite3_vfs*, int size, char* out) {
  real_vfs->xDlError(real_vfs, size, out);
}
void (*vfs_dl_sym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return real_vfs->xDlSym(real_vfs, handle, symbol);
}
void vfs_dl_close(sqlite3_vfs*, void* handle) {
  real_vfs->xDlClose(real_vfs, handle);
}
int vfs_randomness(sqlite3_vfs*, int size, char* out) {
  return real_vfs->xRandomness(real_vfs, size, out);
}
int vfs_sleep(sqlite3_vfs*, int microseconds) {
  return real_vfs->xSleep(real_vfs, microseconds);
}
int vfs_current_time(sqlite3_vfs*, double* out) {
  return real_vfs->xCurrentTime(real_vfs, out);
}
int vfs_get_last_error(sqlite3_vfs*, int size, char* out) {
  return real_vfs->xGetLastError(real_vfs, size, out);
}
int vfs_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) {
  return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

sqlite3_vfs fault_vfs;

}  // namespace

FaultVfs::FaultVfs() {
  real_vfs = sqlite3_vfs_find(nullptr);
  if (!real_vfs || real_vfs->iVersion < 2) std::abort();
  fault_vfs = sqlite3_vfs{};
  fault_vfs.iVersion = 2;
  fault_vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + real_vfs->szOsFile;
  fault_vfs.mxPathname = real_vfs->mxPathname;
  fault_vfs.zName = kName;
  fault_vfs.xOpen = vfs_open;
  fault_vfs.xDelete = vfs_delete;
  fault_vfs.xAccess = vfs_access;
  fault_vfs.xFullPathname = vfs_full_pathname;
  fault_vfs.xDlOpen = vfs_dl_open;
  fault_vfs.xDlError = vfs_dl_error;
  fault_vfs.xDlSym = vfs_dl_sym;
  fault_vfs.xDlClose = vfs_dl_close;
  fault_vfs.xRandomness = vfs_randomness;
  fault_vfs.xSleep = vfs_sleep;
  fault_vfs.xCurrentTime = vfs_current_time;
  fault_vfs.xGetLastError = vfs_get_last_error;
  fault_vfs.xCurrentTimeInt64 = vfs_current_time_int64;
  if (sqlite3_vfs_register(&fault_vfs, /*makeDflt=*/0) != SQLITE_OK) std::abort();
}

FaultVfs& FaultVfs::instance() {
  static FaultVfs vfs;
  return vfs;
}

void FaultVfs::reset() {
  write_rc_.store(SQLITE_OK);
  sync_rc_.store(SQLITE_OK);
  read_only_.store(false);
}

}  // namespace gatehouse::store::sqlite
