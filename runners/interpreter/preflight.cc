// `validate --online`'s look at a journey: its steps up to the first that would write, and the
// stock guard, on a logged-in client; nothing is changed.
#include <map>
#include <set>

#include "runners/interpreter/internal/steps.h"
#include "runners/interpreter/journey_runner.h"

namespace odoo_prober::runners {

using internal::GuardStock;
using internal::ReadsOnly;
using internal::RunState;
using internal::RunStep;
using nlohmann::json;
using prober::Outcome;
using scenarios::Step;

namespace {

// The parameters and variables a step's templates and conditions read.
std::vector<scenarios::TemplateRef> StepRefs(const Step& step) {
  std::vector<scenarios::TemplateRef> refs;
  for (const json* v : {&step.args, &step.kwargs, &step.context}) {
    if (auto r = scenarios::TemplateRefs(*v); r.ok()) refs.insert(refs.end(), r->begin(), r->end());
  }
  for (const auto& e : step.expect) {
    if (auto r = scenarios::TemplateRefs(e.value); r.ok())
      refs.insert(refs.end(), r->begin(), r->end());
    if (!e.var.empty()) refs.push_back({"var", e.var.substr(0, e.var.find('.'))});
  }
  if (step.when) {
    for (const auto& r : step.when->Refs()) refs.push_back(r);
  }
  return refs;
}

}  // namespace

JourneyRunner::Preflight JourneyRunner::RunPreflight(const scenarios::Journey& journey,
                                                     const config::TargetConfig& target,
                                                     const json& params, prober::OdooClient& client,
                                                     bool stock_moves_allowed) const {
  Preflight result;
  RunState run;
  run.client = &client;
  run.target = &target;
  for (auto it = params.begin(); params.is_object() && it != params.end(); ++it)
    run.scope.params[it.key()] = it.value();
  run.scope.run_id = "preflight";
  run.scope.run_tag = "probe-preflight";
  run.scope.odoo_version = client.server_major();
  run.scope.vars["uid"] = client.uid();
  run.deadline = clock_.Monotonic() + journey.timeout;
  run.neutralise = [](const std::string& m, int64_t id) {
    return results::RecordCleanup{m, id, "failed", "a preflight changes nothing", ""};
  };
  std::map<std::string, std::set<std::string>> var_params;  // variable -> parameters it comes from
  auto failed = [&](const std::set<std::string>& from) {
    result.ok = false;
    result.step = run.failed_step;
    result.detail = run.detail;
    result.params.assign(from.begin(), from.end());
    return result;
  };
  for (const auto& step : journey.steps) {
    if (!ReadsOnly(step)) {
      // The guard's refusal names its parameter itself; a failed call depends on them all.
      if (stock_moves_allowed || journey.stock.empty() || GuardStock(journey, run)) break;
      std::set<std::string> from;
      if (run.outcome != Outcome::kAssertion) {
        for (const auto& use : journey.stock) from.insert(use.param);
      }
      return failed(from);
    }
    std::set<std::string> from;
    for (const auto& r : StepRefs(step)) {
      if (r.ns == "param") from.insert(r.name);
      if (r.ns == "var") from.insert(var_params[r.name].begin(), var_params[r.name].end());
    }
    if (!RunStep(clock_, step, run, "")) return failed(from);
    for (const auto& [var, path] : step.save) var_params[var] = from;
  }
  return result;
}

}  // namespace odoo_prober::runners
