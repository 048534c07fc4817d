// The engine of `once` (and of each round of `compare`): a plan run one time on the daemon's
// engine (Executor, Scheduler, WorkerPool), under a concurrency and a per-target cap.
//
// Thread-safety: RunPlanOnce is reentrant; `on_change` is called from the worker threads, one
// call at a time.
#pragma once

#include <atomic>
#include <functional>
#include <vector>

#include "config/config.h"
#include "results/journey_result.h"
#include "runners/engine/plan.h"
#include "runners/interpreter/journey_runner.h"

namespace odoo_prober::runners {

// Every pair of `plan` run one time, at most `concurrency` at once and `per_target` at once on
// one target. `on_change(i, state)` reports each pair "running" (nullptr), then its outcome
// (serialized; from the worker threads). Results in plan order. Once `stop` is set (within
// about a second) no pair starts; those running finish, and those never started are results
// marked cancelled (outcome transport, no steps).
std::vector<results::JourneyResult> RunPlanOnce(
    const std::vector<PlannedPair>& plan, const config::ProberConfig& config,
    const JourneyRunner& runner, int concurrency, int per_target,
    const std::function<void(size_t i, const results::JourneyResult* result)>& on_change,
    const std::atomic<bool>* stop = nullptr);

}  // namespace odoo_prober::runners
