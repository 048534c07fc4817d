// The SLO report over the SQLite results history (`odoo-prober report`): per journey x target
// and per business service, over a window, the figures an SLO review asks for.
//
// Definitions (a run counts as failed when its outcome is not ok or its cleanup failed, as in
// the metrics):
//   availability SLI   successful runs / runs
//   latency SLI        runs that took at most the latency objective / runs
//   percentiles        nearest rank over the runs' durations (p95 of 20 runs: the 19th)
//   error budget       allowed failed runs = (1 - availability objective) x runs; consumed =
//                      failed / allowed; remaining = 1 - consumed (below 0: objective missed)
//   burn rate over W   (failed / runs in the W before `until`) / (1 - availability objective)
//
// Not yet: business hours and maintenance windows (every run in the window counts), open TLS
// findings, the HTML format.
#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "prober/status.h"

namespace odoo_prober::results {

struct ReportRow {
  std::string journey, service, target, region, plant;
  int64_t runs = 0, failed = 0, fast = 0;
  double availability = 0, latency_sli = 0;
  double p50 = 0, p95 = 0, p99 = 0;  // seconds
  double budget_allowed = 0, budget_consumed = 0, budget_remaining = 0;
  std::map<std::string, double> burn_rate;  // "1h", "6h", "24h", "3d"; absent: no runs then
  std::vector<std::pair<std::string, int64_t>> top_reasons, top_steps;  // most first, 5 at most
  config::Objective objective;
};

struct ServiceRow {
  std::string service;
  int64_t runs = 0, failed = 0, fast = 0;
  double availability = 0, latency_sli = 0;
};

struct Report {
  std::chrono::system_clock::time_point since, until;
  std::vector<ReportRow> pairs;      // by journey, then target
  std::vector<ServiceRow> services;  // by service
};

// Reads the runs between `since` and `until` from the history at `sqlite_path`; objectives
// from `config`. Fails (InvalidArgument) when the file cannot be read as a history.
prober::Result<Report> BuildReport(const std::string& sqlite_path,
                                   const config::ProberConfig& config,
                                   std::chrono::system_clock::time_point since,
                                   std::chrono::system_clock::time_point until);

nlohmann::json ReportJson(const Report& report);
std::string ReportTable(const Report& report);
std::string ReportCsv(const Report& report);

}  // namespace odoo_prober::results
