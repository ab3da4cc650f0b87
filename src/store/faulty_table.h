// A Table wrapper for tests that injects failures and stalls in front of a real table, so the code
// above the store can be tested against a database that is full, locked, slow or gone.
//
// Usage:
//   auto faulty = std::make_unique<FaultyTable>(std::move(inner));
//   faulty->fail(FaultyTable::kWrites, {StoreErrorCode::kUnavailable, "disk full"});  // next write
//   faulty->stall(FaultyTable::kReads);   // reads are held...
//   faulty->wait_stalled(2);              // ...until two arrived
//   faulty->resume();                     // then they reach the inner table, in order
//
// An injected failure calls `done` on the calling thread before the method returns (as backends do
// for errors they detect before queuing). A held operation is forwarded by resume() or close(), on
// the thread that calls it. Rules are checked first, then the stall: a failing operation is never
// held.
//
// Thread safety: all methods may be called from any thread at once.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "store/table.h"

namespace gatehouse::store {

class FaultyTable final : public Table {
 public:
  // Sets of operations, combined with |.
  using OpMask = uint32_t;
  static constexpr OpMask kCreate = 1u << 0;
  static constexpr OpMask kGet = 1u << 1;
  static constexpr OpMask kList = 1u << 2;
  static constexpr OpMask kReplace = 1u << 3;
  static constexpr OpMask kRemove = 1u << 4;
  static constexpr OpMask kReads = kGet | kList;
  static constexpr OpMask kWrites = kCreate | kReplace | kRemove;
  static constexpr OpMask kAll = kReads | kWrites;

  // `times` for a rule that holds until clear_faults().
  static constexpr uint32_t kAlways = UINT32_MAX;

  explicit FaultyTable(std::unique_ptr<Table> inner);
  ~FaultyTable() override;  // close()

  // The next `times` operations in `ops` fail with `error` without reaching the inner table.
  // Rules apply in the order they were added.
  void fail(OpMask ops, StoreError error, uint32_t times = 1);
  void clear_faults();

  // From now on, operations in `ops` are held instead of forwarded (replacing any earlier set).
  void stall(OpMask ops);
  // Blocks until at least `count` operations are held.
  void wait_stalled(size_t count);
  size_t stalled() const;
  // Stops stalling and forwards the held operations in arrival order, on the calling thread.
  void resume();

  Table& inner() { return *inner_; }

  void create(Record item, ItemDone done) override;
  void get(std::string key, OwnerFilter owner, ItemDone done) override;
  void list(ListQuery query, PageDone done) override;
  void replace(Record item, OwnerFilter owner, ItemDone done) override;
  void remove(std::string key, OwnerFilter owner, VoidDone done) override;
  // Forwards the held operations, then closes the inner table.
  void close() override;

 private:
  struct Rule {
    OpMask ops;
    StoreError error;
    uint32_t remaining;
  };
  // Fails, holds or forwards one operation of kind `op`; `forward(done)` passes it on.
  template <class Done, class Forward>
  void dispatch(OpMask op, Done done, Forward forward);

  std::unique_ptr<Table> inner_;
  mutable std::mutex mu_;
  std::condition_variable held_changed_;
  std::vector<Rule> rules_;
  OpMask stalled_ops_ = 0;
  std::vector<std::function<void()>> held_;
};

}  // namespace gatehouse::store
