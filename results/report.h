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
// Runs that do not count: those that started outside their plant's business hours (when the
// plant has any) and those that started inside their target's maintenance windows. Maintenance
// is unmonitored time, never up time: the report gives its share of the counted time (the
// window's time inside business hours), measured minute by minute, and the coverage, the runs
// counted against those the configured interval would have made in the counted time outside
// maintenance (a prober that was down shows as low coverage, not as high availability).
// Open TLS findings: those of the latest check of each endpoint at or before `until`.
// Changes: what the fingerprint readings saw change on the targets in the window (releases,
// modules, certificates), beside the SLIs they may explain.
// Dependencies: each dependency's checks in the window, with their availability, p95, failures
// by reason and the last failure, beside the SLIs they may explain.
#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "prober/status.h"

namespace odoo_prober::results {

// One of the equal slices of the window the HTML report draws.
struct TimeSlice {
  std::chrono::system_clock::time_point start;
  int64_t runs = 0, failed = 0;
  double p50 = 0, p95 = 0, p99 = 0;  // seconds, nearest rank; 0 without runs
  double budget_remaining = 1;       // of the whole window's budget, at the slice's end
};

struct ReportRow {
  std::string journey, service, target, region, plant;
  // Runs not counted in any figure: outside business hours, inside maintenance.
  int64_t outside_business_hours = 0, in_maintenance = 0;
  bool has_business_hours = false;
  double counted_seconds = 0;      // the window's time inside business hours (all without)
  double maintenance_seconds = 0;  // of it, inside the target's maintenance: unmonitored
  std::optional<double> coverage;  // counted runs / expected (at most 1); unset: not configured
  std::vector<TimeSlice> timeline;
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

struct OpenTlsFinding {
  std::string endpoint, target, kind, severity, certificate, detail;
  std::chrono::system_clock::time_point checked_at;
  std::optional<std::chrono::system_clock::time_point> chain_expiry;  // unset: no chain verified
};

// A dependency's checks in the window (config `dependencies:`), per region it was checked from.
struct DependencyRow {
  std::string dependency, kind, used_by, region;  // used_by: "a,b" as the history keeps it
  int64_t checks = 0, failed = 0;
  double availability = 0;
  double p95 = 0;                                              // seconds, nearest rank
  std::vector<std::pair<std::string, int64_t>> top_reasons{};  // most first
  std::optional<std::chrono::system_clock::time_point> last_failure{};
  std::string last_detail{};  // the last failure's
};

// A change seen on a target in the window (results/change_event.h, the history's events).
struct ReportChange {
  std::chrono::system_clock::time_point at;
  std::string target, region, plant, kind, summary;
};

struct Report {
  std::chrono::system_clock::time_point since, until;
  std::vector<ReportRow> pairs;             // by journey, then target
  std::vector<ServiceRow> services;         // by service
  std::vector<OpenTlsFinding> tls;          // by endpoint, critical first
  std::vector<DependencyRow> dependencies;  // by dependency, then region
  std::vector<ReportChange> changes;        // by time
};

// How many slices the window is cut into for the HTML charts.
inline constexpr int kReportSlices = 28;

// Reads the runs between `since` and `until` from the history at `sqlite_path`; objectives
// from `config`. Fails (InvalidArgument) when the file cannot be read as a history.
prober::Result<Report> BuildReport(const std::string& sqlite_path,
                                   const config::ProberConfig& config,
                                   std::chrono::system_clock::time_point since,
                                   std::chrono::system_clock::time_point until);

nlohmann::json ReportJson(const Report& report);
std::string ReportTable(const Report& report);
std::string ReportCsv(const Report& report);
// One self-contained HTML page (inline CSS and SVG, no script, nothing fetched): per pair,
// availability over time, latency percentiles over time and the error budget's burn-down.
std::string ReportHtml(const Report& report);

}  // namespace odoo_prober::results
