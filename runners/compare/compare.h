// The pre-cutover migration check behind `odoo-prober compare`: the same journeys run on a
// baseline and a candidate environment (or the baseline taken from a results history),
// interleaved in rounds, then judged by results/compare.h: functional parity, environment
// fingerprint and latency. runners/cli/compare.cc is its command line.
//
// Thread-safety: RunCompare is reentrant; it runs each round on worker threads of its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "config/config.h"

namespace odoo_prober::runners {

struct CompareOptions {
  std::string config_path;
  config::Identity identity;          // who runs it (--region, --instance)
  std::string baseline, candidate;    // targets of the config
  std::vector<std::string> journeys;  // only these (all the candidate's when empty)
  int runs = 20;                      // rounds; each runs every journey once on each side
  std::chrono::seconds duration{0};   // instead of `runs`: rounds until this much time passed
  // Rounds start at least this far apart: a comparison probes production, and its load stays
  // bounded (one round a second by default), however long it runs.
  std::chrono::milliseconds round_interval{1000};
  std::optional<uint64_t> seed;  // run order and bootstrap; random (and printed) when unset
  // A baseline from a results history instead of a live target (the old platform may be gone).
  std::string baseline_history, baseline_target;
  size_t max_history_runs = 1000;  // the latest runs of each journey taken from the history
  std::string json_file, junit_file, html_file;
  std::string pushgateway;  // also push both sides' metrics (env=baseline|candidate)
  std::string version;      // build_info's, in pushed metrics
  int concurrency = 0;      // 0: the config's
  bool strict = false;      // an inconclusive latency verdict fails too (exit 1)
  bool live_progress = false;
};

// Exit 0 pass (or inconclusive, unless strict), 1 latency regression or parity failure, 2 usage
// or configuration error, 3 a report could not be written.
int RunCompare(const CompareOptions& options, std::ostream& out, std::ostream& err);

}  // namespace odoo_prober::runners
