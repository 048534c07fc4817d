// DependencyResult: one check of one dependency (config::DependencyConfig) by one instance.
//
// It flows like a JourneyResult (results/sink.h): to the metrics, the status board, the
// JSON-lines file (a line with "type": "dependency") and SQLite (`dependency_checks`). It holds
// no secret: the check's headers and body are never in it, and its detail is written by the
// check (prober/dependency_check.h), which never puts them there.
//
// Thread-safety: a value; copy it across threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/config.h"
#include "prober/dependency_check.h"

namespace odoo_prober::results {

struct DependencyResult {
  std::string dependency;  // its name: the `dependency` label
  prober::DependencyKind kind = prober::DependencyKind::kHttp;
  std::vector<std::string> used_by;  // the business services that need it
  config::Labels labels;             // where it was checked from (region, plant, env)
  std::string instance;
  std::chrono::system_clock::time_point started_at;
  prober::DependencyOutcome outcome;
  bool cancelled = false;  // cut short by the prober's own stop
  bool ok() const { return outcome.ok(); }
};

// One JSON object: {"type": "dependency", "dependency", "kind", "used_by", "region", "plant",
// "env", "instance", "started_at", "duration_seconds", "outcome", "detail", "http_status",
// "phases": {dns, connect, tls, first_byte}, "server_address", "addresses"}.
nlohmann::json ToJson(const DependencyResult& result);

// The lines `once` prints after the journeys: one per check.
std::string FormatDependencyTable(const std::vector<DependencyResult>& results);

}  // namespace odoo_prober::results
