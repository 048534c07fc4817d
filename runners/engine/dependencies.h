// The dependency checks an instance runs (config `dependencies:`): which ones, labelled how,
// and one check made into a DependencyResult. `run` schedules them beside the journeys, on a
// Scheduler of their own (same intervals, jitter, maintenance windows and HA offsets), so that a
// slow journey never delays them and they never take a journey's worker.
//
// Thread-safety: every function is reentrant.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "prober/clock.h"
#include "prober/odoo_client.h"
#include "results/dependency_result.h"

namespace odoo_prober::runners {

struct PlannedDependency {
  const config::DependencyConfig* config;
  // Where it is checked from: the region this instance stands in (or its targets' region when
  // they agree), and the plant and env its scope's targets share ("" when they differ).
  config::Labels labels;
};

// The dependencies this instance checks: those without a scope, those naming one of its targets
// (as narrowed by its region), one of their plants, or its region (or its targets' region).
std::vector<PlannedDependency> PlanDependencies(const config::ProberConfig& config);

// Checks it once now.
results::DependencyResult RunDependency(const PlannedDependency& dependency,
                                        const std::string& instance, const prober::Clock& clock,
                                        prober::CancelFlag cancel = nullptr);

}  // namespace odoo_prober::runners
