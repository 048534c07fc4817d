// ChangeWatch: the last fingerprint read of each target, and what a new reading changed
// (results::DiffFingerprints). A pure state machine, as the Scheduler: `run` reads each target's
// fingerprint every fingerprint_interval (runners/engine/fingerprint.h) and hands the reading here.
//
//  - The first reading of a target is its baseline: no event.
//  - A reading that failed (Fingerprint::error: unreachable, login refused) is said, not an
//    event; the last good reading stays the baseline.
//  - Items one reading could not tell (unknown, an empty server version or TLS leaf) keep the
//    last known value, so that a read that fails half-way never shows as a change.
//
// Thread-safety: none; one owner (the daemon's watch thread).
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "results/change_event.h"
#include "results/compare.h"

namespace odoo_prober::runners {

class ChangeWatch {
 public:
  struct Reading {
    std::vector<results::ChangeEvent> events;
    bool first = false;  // the target's baseline
    std::string error;   // the reading failed: why
  };
  Reading Observe(const config::TargetConfig& target, results::Fingerprint fingerprint,
                  std::chrono::system_clock::time_point at, const std::string& instance);
  // Forgets the targets not in `targets` (a reload removed them).
  void Retain(const std::set<std::string>& targets);
  // The last good reading of `target`, or nullptr.
  const results::Fingerprint* Last(const std::string& target) const;

 private:
  std::map<std::string, results::Fingerprint> last_;
};

}  // namespace odoo_prober::runners
