// The odoo-prober subcommands, as functions from options and streams to an exit code, so they
// are testable without a process. main.cc only parses the command line and calls these.
//
// Exit codes (also in --help and README): 0 every journey ok, 1 some journey failed, 2 usage
// or configuration error, 3 internal error.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "config/config.h"
#include "prober/status.h"
#include "prober/system.h"
#include "runners/exit_codes.h"
#include "runners/journey_runner.h"
#include "runners/plan.h"
#include "scenarios/journey.h"

namespace odoo_prober::runners {

// LoadAndCheck for a subcommand: prints the errors to `err` (and logs the warnings).
prober::Result<Loaded> LoadChecked(const std::string& config_path, std::ostream& err);

// Writes `text` to `path` (a report file); false, and a message on `err`, when it cannot.
bool WriteFile(const std::string& path, const std::string& text, std::ostream& err);

// `odoo-prober validate CONFIG [--online]`: loads and checks the config and its journeys,
// prints what would run; with `online`, also checks each target (RunValidateOnline).
int RunValidate(const std::string& config_path, bool online, std::ostream& out, std::ostream& err);

struct OnceOptions {
  std::string config_path;
  // Only these journeys / targets (all when empty).
  std::vector<std::string> journeys;
  std::vector<std::string> targets;
  enum class Output { kTable, kJson } output = Output::kTable;
  std::string junit_file;      // also write JUnit XML here
  std::string json_file;       // also write a JSON array of the results here
  int concurrency = 0;         // 0: the config's
  std::string pushgateway;     // also push the metrics to this Pushgateway (runners/push.h)
  std::string version;         // build_info's, in pushed metrics
  bool live_progress = false;  // redraw one line per journey in place (a terminal)
};

struct ReportOptions {
  std::string config_path;
  std::string window;            // before `until`, unless `since` is given; "": objectives.window
  std::string since, until;      // "2026-11-01" or "2026-11-01T06:30:00Z" (UTC); until: now
  std::string format = "table";  // table, json, csv, html
};

// `odoo-prober report CONFIG`: the SLO report over the config's results.sqlite history
// (results/report.h); exit 2 when there is none or an option is wrong.
int RunReport(const ReportOptions& options, std::ostream& out, std::ostream& err);

// `odoo-prober once CONFIG`: runs every selected journey x target pair once on the daemon's
// engine (Executor), under the config's concurrency and per_target_concurrency.
int RunOnce(const OnceOptions& options, std::ostream& out, std::ostream& err);

// The engine of `once`: every pair of `plan` run one time, at most `concurrency` at once and
// `per_target` at once on one target. `on_change(i, state)` reports each pair "running", then
// its outcome (serialized; from the worker threads). Results in plan order.
std::vector<results::JourneyResult> RunPlanOnce(
    const std::vector<PlannedPair>& plan, const config::ProberConfig& config,
    const JourneyRunner& runner, int concurrency, int per_target,
    const std::function<void(size_t i, const results::JourneyResult* result)>& on_change);

struct CompareOptions {
  std::string config_path;
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

// `odoo-prober compare CONFIG --baseline A --candidate B`: the pre-cutover migration check
// (results/compare.h). Exit 0 pass (or inconclusive, unless strict), 1 latency regression or
// parity failure, 2 usage or configuration error, 3 a report could not be written.
int RunCompare(const CompareOptions& options, std::ostream& out, std::ostream& err);

// `odoo-prober journeys [CONFIG]`: the built-in journeys (and the config's), with parameters.
int RunJourneys(const std::optional<std::string>& config_path, std::ostream& out,
                std::ostream& err);

struct SweepOptions {
  std::string config_path;
  // Only records created at least this long ago (a running journey's are younger).
  std::chrono::seconds older_than{3600};
  // Records that look final (their state is) are read back with their recipe's checks when
  // they were created within this span before --older-than: a received order whose return was
  // left open, say. 0 turns the recheck off; a long span finds what older versions left.
  std::chrono::seconds recheck{7200};
  bool dry_run = false;
  std::vector<std::string> targets;
};

// `odoo-prober sweep CONFIG`: finds probe-tagged records older than the given age that are not
// in a final state, or that look final but fail their recipe's checks (within the recheck
// span), and neutralises them with the cleanup recipes, each read back afterwards.
int RunSweep(const SweepOptions& options, std::ostream& out, std::ostream& err);

}  // namespace odoo_prober::runners
