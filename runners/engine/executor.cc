#include "runners/engine/executor.h"

namespace odoo_prober::runners {

void Executor::Reset(Scheduler scheduler, std::vector<std::string> keys) {
  prober::MutexLock lock(mu_);
  Account();
  scheduler_.emplace(std::move(scheduler));
  keys_ = std::move(keys);
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (in_flight_[keys_[i]] > 0) scheduler_->MarkRunning(i);
  }
}

void Executor::Account() {
  for (const auto& key : finished_) {
    --in_flight_[key];
    --running_;
    for (size_t i = 0; scheduler_ && i < keys_.size(); ++i) {
      if (keys_[i] == key) scheduler_->Finished(i);
    }
  }
  finished_.clear();
}

std::vector<size_t> Executor::Step(Scheduler::Mono now, Scheduler::Wall wall, const Run& run) {
  std::vector<size_t> started;
  {
    prober::MutexLock lock(mu_);
    Account();
    started = scheduler_->Due(now, wall);
    for (size_t i : started) {
      ++in_flight_[keys_[i]];
      ++running_;
    }
  }
  // Submitted without the lock: an inline submit runs (and finishes) the run right here.
  for (size_t i : started) {
    submit_([this, run, i, key = keys_[i]] {
      run(i);
      Finish(key);
    });
  }
  return started;
}

void Executor::Finish(const std::string& key) {
  {
    prober::MutexLock lock(mu_);
    finished_.push_back(key);
  }
  cv_.SignalAll();
}

void Executor::WaitUntil(Scheduler::Mono until) {
  prober::MutexLock lock(mu_);
  // A Notify() that came before this wait counts too: it is not lost.
  while (finished_.empty() && notified_ == waited_) {
    if (!cv_.WaitUntil(until)) break;
  }
  waited_ = notified_;
}

void Executor::Notify() {
  {
    prober::MutexLock lock(mu_);
    ++notified_;
  }
  cv_.SignalAll();
}

bool Executor::Drain(Scheduler::Mono until) {
  prober::MutexLock lock(mu_);
  for (;;) {
    Account();
    if (running_ == 0) return true;
    if (!cv_.WaitUntil(until)) {
      Account();
      return running_ == 0;
    }
  }
}

int Executor::running() const {
  prober::MutexLock lock(mu_);
  return running_ - static_cast<int>(finished_.size());
}

}  // namespace odoo_prober::runners
