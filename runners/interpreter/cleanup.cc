// Cleanup recipes: a record neutralised by its model's recipe, then read back and held to the
// recipe's final states and verify steps (cleanup after a run, leftovers, `sweep`).
#include "prober/text.h"
#include "runners/interpreter/internal/steps.h"
#include "runners/interpreter/journey_runner.h"

namespace odoo_prober::runners {

using internal::CallContext;
using internal::RunState;
using internal::RunSteps;
using nlohmann::json;

results::RecordCleanup JourneyRunner::Neutralise(prober::OdooClient& client,
                                                 const config::TargetConfig& target,
                                                 const std::string& model, int64_t id,
                                                 int odoo_version) const {
  return NeutraliseAt(client, target, model, id, odoo_version, 0, /*run_steps=*/true);
}

results::RecordCleanup JourneyRunner::CheckCleanedUp(prober::OdooClient& client,
                                                     const config::TargetConfig& target,
                                                     const std::string& model, int64_t id,
                                                     int odoo_version) const {
  return NeutraliseAt(client, target, model, id, odoo_version, 0, /*run_steps=*/false);
}

results::RecordCleanup JourneyRunner::NeutraliseAt(prober::OdooClient& client,
                                                   const config::TargetConfig& target,
                                                   const std::string& model, int64_t id,
                                                   int odoo_version, int depth,
                                                   bool run_steps) const {
  // Recipes reach related records through cleanup steps (an order's transfers); two levels are
  // all the shipped recipes need, and the bound stops a recipe that names itself.
  constexpr int kMaxDepth = 3;
  results::RecordCleanup rc{model, id, "ok", "", ""};
  auto failed = [&](std::string detail) {
    rc.status = "failed";
    rc.detail = std::move(detail);
    return rc;
  };
  auto recipe = catalog_.recipes.find(model);
  if (recipe == catalog_.recipes.end()) return failed("no cleanup recipe for " + model);
  if (depth >= kMaxDepth)
    return failed("cleanup steps nest deeper than " + std::to_string(kMaxDepth));
  RunState run;
  run.client = &client;
  run.target = &target;
  run.scope.odoo_version = odoo_version;
  run.scope.vars["record_id"] = id;
  run.scope.vars["record"] = json{{"id", id}, {"model", model}};
  run.deadline = clock_.Monotonic() + std::chrono::seconds(60);
  run.neutralise = [&](const std::string& m, int64_t related) {
    return NeutraliseAt(client, target, m, related, odoo_version, depth + 1, /*run_steps=*/true);
  };
  if (run_steps && !RunSteps(clock_, recipe->second.steps, run, "")) {
    return failed(run.failed_step + ": " + run.detail);
  }
  // "Cleaned up" is what Odoo shows afterwards, not what the calls answered.
  json kwargs = {
      {"fields", {"state"}},
      {"context", CallContext({{"active_test", false}}, json::object(), target.company_id)}};
  auto back = client.CallKw(model, "search_read",
                            json::array({json::array({json::array({"id", "=", id})})}), kwargs,
                            run.deadline);
  if (!back.ok()) return failed("read back: " + back.detail);
  if (!back.result.is_array() || back.result.empty()) {
    rc.state = "deleted";
    return rc;
  }
  const json& row = back.result[0];
  rc.state = row.value("state", json("")).is_string() ? row["state"].get<std::string>() : "";
  if (!recipe->second.IsFinal(rc.state)) {
    return failed("left in state '" + rc.state +
                  "' (final: " + prober::Join(recipe->second.final_states) + ")");
  }
  run.scope.vars["final"] = row;
  if (!RunSteps(clock_, recipe->second.verify, run, "verify/")) {
    return failed(run.failed_step + ": " + run.detail);
  }
  return rc;
}

}  // namespace odoo_prober::runners
