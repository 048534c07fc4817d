// How the steps of a journey (and of a cleanup recipe) run: calls with their context and
// retries, dialogs refused, expectations checked, variables and records kept, the stock guard
// before the first write.
#include "runners/interpreter/internal/steps.h"

#include <algorithm>
#include <set>

#include "prober/text.h"
#include "runners/interpreter/stock_guard.h"

namespace odoo_prober::runners::internal {

using nlohmann::json;
using prober::Outcome;
using scenarios::Expectation;
using scenarios::Scope;
using scenarios::Step;

json CallContext(const json& kwargs_context, const json& step_context, int64_t company_id) {
  json ctx = kwargs_context.is_object() ? kwargs_context : json::object();
  if (step_context.is_object()) ctx.update(step_context);
  if (step_context.is_array()) {
    for (const auto& layer : step_context) {
      if (layer.is_object()) ctx.update(layer);
    }
  }
  if (company_id > 0) ctx["allowed_company_ids"] = json::array({company_id});
  return ctx;
}

namespace {

// A dialog Odoo opens: an action shown in a new window (target "new").
bool IsDialog(const json& result) {
  return result.is_object() && result.value("type", "").rfind("ir.actions", 0) == 0 &&
         result.value("target", "") == "new";
}

std::string ActionName(const json& action) {
  for (const char* key : {"res_model", "tag", "type"}) {
    if (action.contains(key) && action[key].is_string()) return action[key].get<std::string>();
  }
  return "?";
}

// Ends a step with a failure, which ends the run; always false.
bool Fail(RunState& run, results::StepResult& sr, Outcome outcome, const std::string& detail) {
  sr.outcome = outcome;
  sr.detail = detail;
  run.steps.push_back(sr);
  run.outcome = outcome;
  run.failed_step = sr.name;
  run.detail = detail;
  return false;
}

// A `check` step: expectations on variables, no call.
bool RunCheck(const Step& step, RunState& run, results::StepResult& sr) {
  for (const auto& e : step.expect) {
    if (auto why = Check(e, json(nullptr), run.scope))
      return Fail(run, sr, Outcome::kAssertion, *why);
  }
  run.steps.push_back(sr);
  return true;
}

// A `cleanup` step: each related record neutralised by its own recipe.
bool RunCleanup(const Step& step, RunState& run, results::StepResult& sr) {
  auto ids = scenarios::Expand(step.cleanup_ids, run.scope);
  if (!ids.ok()) return Fail(run, sr, Outcome::kAssertion, ids.status().message());
  std::vector<std::string> failures;
  for (const auto& v : ids->is_array() ? *ids : json::array({*ids})) {
    if (v.is_null() || v == false) continue;  // an empty many2one
    if (!v.is_number_integer())
      return Fail(run, sr, Outcome::kAssertion,
                  "cleanup: ids must be record ids, got " + prober::DumpJson(v));
    const auto rc = run.neutralise(step.model, v.get<int64_t>());
    if (rc.status != "ok")
      failures.push_back(step.model + " " + prober::DumpJson(v) + ": " + rc.detail);
  }
  if (!failures.empty()) return Fail(run, sr, Outcome::kAssertion, prober::Join(failures, "; "));
  run.steps.push_back(sr);
  return true;
}

// One call of the step (or the login); a template that does not expand is kAssertion.
prober::RpcResult CallOnce(const Step& step, RunState& run, prober::Deadline deadline) {
  if (step.kind == scenarios::StepKind::kAuthenticate) {
    prober::RpcResult rpc = run.client->Authenticate(deadline);
    if (rpc.ok()) {
      run.scope.vars["uid"] = run.client->uid();
      run.scope.odoo_version = run.client->server_major();
    }
    return rpc;
  }
  auto args = scenarios::Expand(step.args, run.scope);
  auto kwargs = args.ok() ? scenarios::Expand(step.kwargs, run.scope) : args;
  auto context = kwargs.ok() ? scenarios::Expand(step.context, run.scope) : kwargs;
  if (!context.ok()) {
    prober::RpcResult bad;
    bad.outcome = Outcome::kAssertion;
    bad.detail = context.status().message();
    return bad;
  }
  json kw = *kwargs;
  json ctx = CallContext(kw.value("context", json::object()), *context, run.target->company_id);
  if (!ctx.empty()) kw["context"] = ctx;
  return run.client->CallKw(step.model, step.method, *args, kw, deadline);
}

// Calls until retry_until's expectations hold (states Odoo settles later), waiting on the
// clock between attempts, within the deadline.
prober::RpcResult CallWithRetries(const prober::Clock& clock, const Step& step, RunState& run,
                                  prober::Deadline deadline, results::StepResult& sr) {
  prober::RpcResult rpc;
  const int attempts = step.retry ? step.retry->attempts : 1;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    sr.attempts = attempt;
    rpc = CallOnce(step, run, deadline);
    sr.timings += rpc.timings;
    sr.http_status = rpc.http_status;
    if (!rpc.connection.local.empty() || !rpc.connection.server.empty())
      sr.connection = rpc.connection;
    if (!rpc.ok() || !step.retry) break;
    bool settled = true;
    for (const auto& e : step.retry->until) settled = settled && !Check(e, rpc.result, run.scope);
    if (settled || attempt == attempts) break;
    if (clock.Monotonic() + step.retry->interval >= deadline) break;
    clock.Sleep(step.retry->interval);
  }
  return rpc;
}

// The first expectation (retry_until's, then expect's) the answer does not meet.
std::optional<std::string> Unmet(const Step& step, const RunState& run,
                                 const prober::RpcResult& rpc, int attempts) {
  if (step.retry) {
    for (const auto& e : step.retry->until) {
      if (auto why = Check(e, rpc.result, run.scope))
        return "not settled after " + std::to_string(attempts) + " attempt(s): " + *why;
    }
  }
  for (const auto& e : step.expect) {
    if (auto why = Check(e, rpc.result, run.scope)) return why;
  }
  return std::nullopt;
}

// save: and record: of a successful step.
bool Keep(const Step& step, RunState& run, results::StepResult& sr, const json& answer) {
  for (const auto& [name, path] : step.save) {
    const json* v = path.Find(answer);
    if (v == nullptr) {
      return Fail(run, sr, Outcome::kAssertion,
                  "save " + name + ": " + path.text() + " is not in the answer " +
                      prober::DumpJson(answer).substr(0, 200));
    }
    run.scope.vars[name] = *v;
  }
  run.steps.push_back(sr);
  if (!step.record) return true;
  auto id = scenarios::Expand(step.record->id, run.scope);
  if (!id.ok() || !id->is_number_integer()) {
    return Fail(run, sr, Outcome::kAssertion,
                "record: the id of the " + step.record->model + " is not an integer");
  }
  run.records.push_back({step.record->model, id->get<int64_t>()});
  return true;
}

}  // namespace

bool RunStep(const prober::Clock& clock, const Step& step, RunState& run,
             const std::string& prefix) {
  if (step.when && !step.when->Eval(run.scope)) return true;
  results::StepResult sr;
  sr.name = prefix + step.name;
  prober::Deadline deadline = run.deadline;
  if (step.timeout) deadline = std::min(deadline, clock.Monotonic() + *step.timeout);
  if (clock.Monotonic() >= deadline)
    return Fail(run, sr, Outcome::kTimeout, "the journey's deadline passed before this step");
  if (step.kind == scenarios::StepKind::kCheck) return RunCheck(step, run, sr);
  if (step.kind == scenarios::StepKind::kCleanup) return RunCleanup(step, run, sr);

  const prober::RpcResult rpc = CallWithRetries(clock, step, run, deadline, sr);
  if (rpc.error) sr.odoo_error = rpc.error->name;
  if (!rpc.ok()) return Fail(run, sr, rpc.outcome, rpc.detail);
  // A dialog the step did not plan for is a failure, never a success: Odoo did not do the work
  // (a validation waiting on confirm.stock.sms leaves the transfer undone). Other actions that
  // only open a record (a return's new transfer) are data.
  auto handler = step.on_action.end();
  if (rpc.result.is_object() && rpc.result.value("type", "").rfind("ir.actions", 0) == 0) {
    handler = step.on_action.find(rpc.result.value("res_model", ""));
    if (handler == step.on_action.end()) handler = step.on_action.find("*");
  }
  if (IsDialog(rpc.result) && handler == step.on_action.end()) {
    return Fail(run, sr, Outcome::kAssertion,
                "Odoo answered with the wizard " + ActionName(rpc.result) +
                    "; handle it with on_action or avoid it");
  }
  if (auto why = Unmet(step, run, rpc, sr.attempts))
    return Fail(run, sr, Outcome::kAssertion, *why);
  if (!Keep(step, run, sr, rpc.result)) return false;
  if (handler == step.on_action.end()) return true;
  run.scope.vars["action"] = rpc.result;
  return RunSteps(clock, handler->second, run, sr.name + "/");
}

bool RunSteps(const prober::Clock& clock, const scenarios::Steps& steps, RunState& run,
              const std::string& prefix) {
  for (const auto& step : steps) {
    if (!RunStep(clock, step, run, prefix)) return false;
  }
  return true;
}

bool ReadsOnly(const Step& step) {
  static const std::set<std::string> kReads = {
      "search",      "search_read", "search_count", "read",      "name_search",        "fields_get",
      "default_get", "context_get", "exists",       "has_group", "check_access_rights"};
  return step.kind == scenarios::StepKind::kAuthenticate ||
         step.kind == scenarios::StepKind::kCheck ||
         (step.kind == scenarios::StepKind::kCall && kReads.count(step.method) > 0);
}

// The stock guard as the step `stock_guard`; false (the run failed there) when it refuses.
bool GuardStock(const scenarios::Journey& journey, RunState& run) {
  results::StepResult sr;
  sr.name = "stock_guard";
  json params = json::object();
  for (const auto& [name, value] : run.scope.params) params[name] = value;
  const auto guard = CheckStockUse(*run.client, journey, params, *run.target, run.deadline);
  sr.timings = guard.timings;
  if (!guard.ok) return Fail(run, sr, guard.outcome, guard.detail);
  run.steps.push_back(sr);
  return true;
}

// The journey's steps; with `guard`, the stock guard runs before the first step that would
// write.
bool RunJourneySteps(const prober::Clock& clock, const scenarios::Journey& journey, RunState& run,
                     bool guard) {
  for (const auto& step : journey.steps) {
    if (guard && !ReadsOnly(step) && (!step.when || step.when->Eval(run.scope))) {
      guard = false;
      if (!GuardStock(journey, run)) return false;
    }
    if (!RunStep(clock, step, run, "")) return false;
  }
  return true;
}

}  // namespace odoo_prober::runners::internal
