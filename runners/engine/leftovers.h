// Leftovers: the probe records a daemon's runs could not clean up, kept and retried until they
// are.
//
// A run whose cleanup fails leaves a probe record open: a return that waits because a real
// delivery took the goods it should take back, an Odoo that went away between the journey and
// its cleanup. The daemon keeps each such record and retries its model's recipe (as `sweep`
// does, JourneyRunner::Neutralise) with backoff (retry_min, doubling, at most retry_max) until
// it is read back final. Only the daemon's own records are retried: nothing is searched for.
// Bounded: at most `max_records` are kept; a leftover beyond that is counted as dropped (and
// logged by the daemon): `odoo-prober sweep` finds it by its probe tag.
//
// A pure state machine like the Scheduler: every time is passed in, so tests walk the clock.
// Leftovers of targets that a reload removed are forgotten (Retain).
//
// Thread-safety: every method may be called from any thread (mu_).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "prober/mutex.h"
#include "results/journey_result.h"

namespace odoo_prober::runners {

struct LeftoverOptions {
  // The first retry comes this long after the failed cleanup; each next one twice as long.
  std::chrono::milliseconds retry_min{std::chrono::minutes(1)};
  std::chrono::milliseconds retry_max{std::chrono::minutes(30)};
  // At most this many records are kept.
  size_t max_records = 1000;
};

class Leftovers {
 public:
  using Mono = std::chrono::steady_clock::time_point;
  using Wall = std::chrono::system_clock::time_point;

  explicit Leftovers(LeftoverOptions options = {}) : options_(options) {}
  // New options (a reload); the records kept and their next retries stay.
  void Configure(LeftoverOptions options);
  Leftovers(const Leftovers&) = delete;
  Leftovers& operator=(const Leftovers&) = delete;

  // Keeps the records of `run` whose cleanup did not end "ok" (`labels`: its target's). A record
  // kept already is not added twice. Returns how many could not be kept (the bound).
  size_t Add(const results::JourneyResult& run, Mono now, Wall wall);
  // The kept records due for a retry at `now`, at most `max`, oldest due first; they are marked
  // as being retried (not due again) until Retried() reports each.
  std::vector<results::LeftoverRecord> TakeDue(Mono now, size_t max);
  // One retry's outcome: "ok" forgets the record; otherwise its next retry is backed off.
  void Retried(const results::LeftoverRecord& record, const results::RecordCleanup& outcome,
               Mono now, Wall wall);
  // Puts a record taken by TakeDue back without a try (its target is in maintenance): due again
  // after retry_min, its tries unchanged.
  void Postpone(const results::LeftoverRecord& record, Mono now, Wall wall);
  // Forgets the records of targets not in `targets`; returns how many.
  size_t Retain(const std::set<std::string>& targets);
  // Every kept record, oldest first.
  std::vector<results::LeftoverRecord> List() const;
  // When the next retry is due; Mono::max() when none is.
  Mono NextDue() const;

 private:
  using Key = std::tuple<std::string, std::string, int64_t>;  // target, model, id
  struct Entry {
    results::LeftoverRecord record;
    Mono due;
    bool retrying = false;
  };
  std::chrono::milliseconds Backoff(int attempts) const REQUIRES(mu_);

  mutable prober::Mutex mu_;
  LeftoverOptions options_ GUARDED_BY(mu_);
  std::map<Key, Entry> entries_ GUARDED_BY(mu_);
};

}  // namespace odoo_prober::runners
