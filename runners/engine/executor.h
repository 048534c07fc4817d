// Executor: the one engine of `once` and `run`. It asks a Scheduler what is due, starts those
// runs through a submit function (a WorkerPool in production; inline in unit tests), and tells
// the scheduler when they end, so both commands honour `concurrency` and
// `per_target_concurrency` alike. `once` is a schedule with ScheduleOptions::once driven until
// Done(); the daemon drives one forever and swaps its schedule on a reload.
//
// Thread-safety: Reset, Step and the waits are called by one driving thread; runs end on any
// thread (each reports itself), and Notify() may be called from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "prober/mutex.h"
#include "runners/engine/scheduler.h"

namespace odoo_prober::runners {

class Executor {
 public:
  using Submit = std::function<void(std::function<void()>)>;
  // One run of pair `i` of the schedule current when it started; called by a worker.
  using Run = std::function<void(size_t i)>;

  explicit Executor(Submit submit) : submit_(std::move(submit)) {}

  // Takes a schedule. `keys` name its pairs stably across reloads: a pair whose key has a run
  // in flight (started under the previous schedule) counts as running.
  void Reset(Scheduler scheduler, std::vector<std::string> keys);
  // Accounts for the runs that ended, then starts every due pair with `run`. Returns the pairs
  // started.
  std::vector<size_t> Step(Scheduler::Mono now, Scheduler::Wall wall, const Run& run);
  // Blocks until a run ends, Notify() is called or the steady clock reaches `until`.
  void WaitUntil(Scheduler::Mono until);
  // Wakes WaitUntil (a signal arrived, say).
  void Notify();
  // Blocks until no run is in flight or the steady clock reaches `until`; true when none is.
  bool Drain(Scheduler::Mono until);

  int running() const;
  // REQUIRES: Reset() was called. For the driving thread only.
  const Scheduler& scheduler() const { return *scheduler_; }

 private:
  void Finish(const std::string& key) EXCLUDES(mu_);
  void Account() REQUIRES(mu_);

  const Submit submit_;
  // The driving thread's (Reset, Step, Drain); Account() updates the scheduler under mu_ too.
  std::optional<Scheduler> scheduler_;
  std::vector<std::string> keys_;
  mutable prober::Mutex mu_;
  prober::CondVar cv_{&mu_};
  std::vector<std::string> finished_ GUARDED_BY(mu_);     // keys of runs that ended since last Step
  std::map<std::string, int> in_flight_ GUARDED_BY(mu_);  // by key
  int running_ GUARDED_BY(mu_) = 0;
  uint64_t notified_ GUARDED_BY(mu_) = 0;  // Notify() calls
  uint64_t waited_ GUARDED_BY(mu_) = 0;    // the Notify() calls WaitUntil has seen
};

}  // namespace odoo_prober::runners
