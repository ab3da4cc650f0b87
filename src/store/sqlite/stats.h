// What the embedded store counts: commits and their batches, the write queue, storage failures
// and read snapshots. Owned by the store's owner (registered with the metrics registry); it must
// outlive the store.
//
// Thread safety: counters and gauges are atomic.
#pragma once

#include "core/stats.h"

namespace gatehouse::store::sqlite {

struct SqliteStats {
  core::Counter commits;           // write transactions committed (one WAL fsync each)
  core::Counter batched_ops;       // operations in committed transactions (/ commits = mean batch)
  core::Counter items_written;     // operations committed that changed an item
  core::Histogram commit_latency;  // BEGIN to the end of COMMIT (including the fsync), µs
  core::Gauge queue_depth;         // writes accepted and not yet answered
  core::Counter queue_full;        // writes refused because max_queue were pending
  core::Counter failed_batches;    // transactions rolled back: all their operations failed
  // Storage failures by kind (a failed transaction counts once, as does a failed read).
  core::Counter unavailable;  // locked, disk full, read-only
  core::Counter corrupt;
  core::Counter io_errors;
  // Read snapshots begun: each thread's first read, then its first read after a commit or after
  // release_idle_readers() ended its snapshot.
  core::Counter read_snapshots;
};

}  // namespace gatehouse::store::sqlite
