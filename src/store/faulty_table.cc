#include "store/faulty_table.h"

#include <utility>

namespace gatehouse::store {

FaultyTable::FaultyTable(std::unique_ptr<Table> inner) : inner_(std::move(inner)) {}

FaultyTable::~FaultyTable() {
  close();
}

void FaultyTable::fail(OpMask ops, StoreError error, uint32_t times) {
  if (times == 0) return;
  std::lock_guard lock(mu_);
  rules_.push_back({ops, std::move(error), times});
}

void FaultyTable::clear_faults() {
  std::lock_guard lock(mu_);
  rules_.clear();
}

void FaultyTable::stall(OpMask ops) {
  std::lock_guard lock(mu_);
  stalled_ops_ = ops;
}

void FaultyTable::wait_stalled(size_t count) {
  std::unique_lock lock(mu_);
  held_changed_.wait(lock, [&] { return held_.size() >= count; });
}

size_t FaultyTable::stalled() const {
  std::lock_guard lock(mu_);
  return held_.size();
}

void FaultyTable::resume() {
  std::vector<std::function<void()>> held;
  {
    std::lock_guard lock(mu_);
    stalled_ops_ = 0;
    held.swap(held_);
  }
  for (auto& forward : held)
    forward();
}

void FaultyTable::close() {
  resume();
  inner_->close();
}

template <class Done, class Forward>
void FaultyTable::dispatch(OpMask op, Done done, Forward forward) {
  std::unique_lock lock(mu_);
  for (auto rule = rules_.begin(); rule != rules_.end(); ++rule) {
    if ((rule->ops & op) == 0) continue;
    StoreError error = rule->error;
    if (rule->remaining != kAlways && --rule->remaining == 0) rules_.erase(rule);
    lock.unlock();
    done(std::move(error));
    return;
  }
  if (stalled_ops_ & op) {
    held_.push_back([forward = std::move(forward), done = std::move(done)]() mutable {
      forward(std::move(done));
    });
    lock.unlock();
    held_changed_.notify_all();
    return;
  }
  lock.unlock();
  forward(std::move(done));
}

void FaultyTable::create(Record item, ItemDone done) {
  dispatch(kCreate, std::move(done), [this, item = std::move(item)](ItemDone d) mutable {
    inner_->create(std::move(item), std::move(d));
  });
}

void FaultyTable::get(std::string key, OwnerFilter owner, ItemDone done) {
  dispatch(kGet, std::move(done),
           [this, key = std::move(key), owner = std::move(owner)](ItemDone d) mutable {
             inner_->get(std::move(key), std::move(owner), std::move(d));
           });
}

void FaultyTable::list(ListQuery query, PageDone done) {
  dispatch(kList, std::move(done), [this, query = std::move(query)](PageDone d) mutable {
    inner_->list(std::move(query), std::move(d));
  });
}

void FaultyTable::replace(Record item, OwnerFilter owner, ItemDone done) {
  dispatch(kReplace, std::move(done),
           [this, item = std::move(item), owner = std::move(owner)](ItemDone d) mutable {
             inner_->replace(std::move(item), std::move(owner), std::move(d));
           });
}

void FaultyTable::remove(std::string key, OwnerFilter owner, VoidDone done) {
  dispatch(kRemove, std::move(done),
           [this, key = std::move(key), owner = std::move(owner)](VoidDone d) mutable {
             inner_->remove(std::move(key), std::move(owner), std::move(d));
           });
}

}  // namespace gatehouse::store
