// Internal to the interpreter (runners/interpreter/*.cc): one run's state and the step machinery
// the journey runner, its preflight and the cleanup recipes share. Not an interface: nothing
// outside runners/interpreter/ includes it.
//
// Thread-safety: a RunState belongs to one run on one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "prober/clock.h"
#include "prober/odoo_client.h"
#include "results/journey_result.h"
#include "scenarios/journey.h"

namespace odoo_prober::runners::internal {

// One run's mutable state.
struct RunState {
  prober::OdooClient* client = nullptr;
  const config::TargetConfig* target = nullptr;
  scenarios::Scope scope;
  prober::Deadline deadline = prober::kNoDeadline;
  std::vector<results::StepResult> steps;
  std::vector<std::pair<std::string, int64_t>> records;
  prober::Outcome outcome = prober::Outcome::kOk;
  std::string failed_step;
  std::string detail;
  // What a `cleanup` step does with one related record (the runner's recipe, one level deeper).
  std::function<results::RecordCleanup(const std::string& model, int64_t id)> neutralise;
};

// Checks one expectation against an answer (or, for `var:` ones, the scope); returns why it does
// not hold (assertions.cc).
std::optional<std::string> Check(const scenarios::Expectation& e, const nlohmann::json& result,
                                 const scenarios::Scope& scope);

// The context of a call: the step's mapping, or its list of mappings merged in order, on top of
// kwargs.context; the target's probe company last.
nlohmann::json CallContext(const nlohmann::json& kwargs_context, const nlohmann::json& step_context,
                           int64_t company_id);

// Runs one step (skipped when its `when` is false); false when it failed, which ends the run
// (run.outcome, failed_step and detail set). `prefix` names nested steps ("validate/").
bool RunStep(const prober::Clock& clock, const scenarios::Step& step, RunState& run,
             const std::string& prefix);

// Runs `steps` in order; false when one failed.
bool RunSteps(const prober::Clock& clock, const scenarios::Steps& steps, RunState& run,
              const std::string& prefix);

// Calls that only read: a preflight runs a journey's steps while they are these, and the stock
// guard runs before the first that is not.
bool ReadsOnly(const scenarios::Step& step);

// The stock guard as the step `stock_guard`; false (the run failed there) when it refuses.
bool GuardStock(const scenarios::Journey& journey, RunState& run);

// The journey's steps; with `guard`, the stock guard runs before the first step that would
// write.
bool RunJourneySteps(const prober::Clock& clock, const scenarios::Journey& journey, RunState& run,
                     bool guard);

}  // namespace odoo_prober::runners::internal
