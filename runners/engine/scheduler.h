// Scheduler: when each (journey, target) pair runs, on the model of cloudprober's sched. It is a
// pure state machine driven by the caller's clock readings, so tests need no sleeps; the daemon
// asks Due() what to start, reports Finished(), and sleeps until NextWakeup().
//
//  - Each pair runs every `interval`. First runs are spread evenly across the interval in pair
//    order, shifted by a per-instance jitter drawn from a seeded random source, so a restart
//    does not burst and two instances do not probe in lock-step.
//  - Runs of one pair never overlap: a tick that comes while the pair still runs is skipped and
//    counted.
//  - At most `workers` runs at once, and at most `per_target_cap` on one target; a due run that
//    has no slot waits for one (its lag grows) rather than being dropped.
//  - During a target's maintenance window its pairs do not run and are reported in maintenance,
//    from the window's first minute to its last: windows are checked at every minute of the wall
//    clock (NextWakeup counts the next one), not only at the pairs' ticks.
//  - `once` (the `once` command): every pair is due at the start and runs exactly one time,
//    under the same caps.
//
// Thread-safety: none; one owner (the daemon's scheduling thread) calls it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/config.h"

namespace odoo_prober::runners {

struct SchedulePair {
  std::string journey;
  std::string target;
  std::chrono::milliseconds interval{60000};
  std::vector<config::WeeklyWindow> maintenance;
};

struct ScheduleOptions {
  int workers = 4;
  int per_target_cap = 2;
  std::string instance;  // seeds the jitter together with `seed`
  uint64_t seed = 0;
  double jitter_fraction = 0.1;  // of the interval (of its share with replicas), at most
  bool once = false;             // each pair due at the start, and never again
  // Instances of one region side by side (HA): replica k of n starts every pair k/n of its
  // interval later than replica 0, so that they interleave instead of firing together.
  int replica = 0, replicas = 1;
};

// The replica number of `instance` among `replicas`: its trailing number (a StatefulSet's pod
// "odoo-prober-eu-west-1" is 1) modulo `replicas`, else a stable hash of the name.
int ReplicaOf(const std::string& instance, int replicas);

class Scheduler {
 public:
  using Mono = std::chrono::steady_clock::time_point;
  using Wall = std::chrono::system_clock::time_point;

  Scheduler(std::vector<SchedulePair> pairs, ScheduleOptions options, Mono start);

  // The pairs to start now (indexes into pairs()); each is marked running.
  std::vector<size_t> Due(Mono now, Wall wall);
  // A run of pair `i` ended.
  void Finished(size_t i);
  // Pair `i` has a run going that started elsewhere (before a configuration reload).
  void MarkRunning(size_t i);
  // When Due() may next return something: the earliest tick after `now`, or the next whole
  // minute when some pair has maintenance windows (a window may begin or end then). Pairs
  // already due but waiting for a slot are not counted: a Finished() call is their wake-up.
  Mono NextWakeup(Mono now) const;

  struct PairState {
    Mono next;  // the next tick
    bool running = false;
    bool in_maintenance = false;
    uint64_t runs = 0;
    uint64_t skipped = 0;                   // ticks that came while the previous run still ran
    std::chrono::milliseconds last_lag{0};  // how late the last run started
  };
  const std::vector<SchedulePair>& pairs() const { return pairs_; }
  const PairState& state(size_t i) const { return states_[i]; }
  int busy() const { return busy_; }
  // With `once`: every pair has run and finished.
  bool Done() const;

 private:
  std::vector<SchedulePair> pairs_;
  ScheduleOptions options_;
  std::vector<PairState> states_;
  std::map<std::string, int> busy_per_target_;
  int busy_ = 0;
  // When the maintenance windows are next checked (a whole minute of the wall clock); max():
  // no pair has any.
  Mono next_window_check_ = Mono::min();
  // Sets every pair's in_maintenance at `wall`.
  void CheckWindows(Mono now, Wall wall);
};

}  // namespace odoo_prober::runners
