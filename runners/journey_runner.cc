#include "runners/journey_runner.h"

#include <spdlog/spdlog.h>

#include <ctime>
#include <functional>
#include <map>
#include <set>

#include "prober/text.h"
#include "runners/stock_guard.h"

namespace odoo_prober::runners {

using nlohmann::json;
using prober::Outcome;
using scenarios::Expectation;
using scenarios::Scope;
using scenarios::Step;

std::string NewRunId(const prober::System& system) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(12, '0');
  uint64_t v = system.Random();
  for (char& c : id) {
    c = kHex[v & 0xf];
    v >>= 4;
  }
  return id;
}

json ResolveParams(const scenarios::Journey& journey, const config::ProberConfig& config,
                   const config::JourneySelection& selection, const config::TargetConfig& target) {
  json out = json::object();
  for (const auto& p : journey.params) {
    if (!p.default_value.is_null()) out[p.name] = p.default_value;
  }
  auto overlay = [&](const json& layer) {
    if (!layer.is_object()) return;
    for (auto it = layer.begin(); it != layer.end(); ++it) {
      if (journey.FindParam(it.key())) out[it.key()] = it.value();
    }
  };
  overlay(selection.params);
  if (auto it = config.plant_params.find(target.labels.plant); it != config.plant_params.end()) {
    overlay(it->second);
  }
  overlay(target.params);
  return out;
}

JourneyRunner::JourneyRunner(const prober::Clock& clock, const scenarios::Catalog& catalog,
                             ClientFactory factory)
    : clock_(clock), catalog_(catalog), factory_(std::move(factory)) {}

namespace {

bool Empty(const json& v) {
  return v.is_null() || v == false ||
         ((v.is_array() || v.is_object() || v.is_string()) && v.empty());
}

bool NumEq(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  return a == b;
}

// What an expectation looks at: the answer, or a variable, at its path; `what` names it.
json Subject(const Expectation& e, const json& result, const Scope& scope, std::string& what) {
  json subject = result;
  what = "the answer";
  if (!e.var.empty()) {
    auto v = scenarios::Expand(json("${var." + e.var + "}"), scope);
    subject = v.ok() ? *v : json(nullptr);
    what = "var." + e.var;
  }
  if (e.path) {
    const json* found = e.path->Find(subject);
    subject = found ? *found : json(nullptr);
    what = e.path->text();
  }
  return subject;
}

// An ordering expectation (>, >=, <, <=) on numbers; why it does not hold.
std::optional<std::string> CheckOrder(Expectation::Op op, const json& subject, const json& want,
                                      const std::string& what,
                                      const std::function<std::string()>& got) {
  using Op = Expectation::Op;
  if (!subject.is_number() || !want.is_number())
    return "expected a number at " + what + ", got " + got();
  const double x = subject.get<double>(), y = want.get<double>();
  const bool ok = op == Op::kGt ? x > y : op == Op::kGe ? x >= y : op == Op::kLt ? x < y : x <= y;
  if (ok) return std::nullopt;
  const char* sign = op == Op::kGt ? ">" : op == Op::kGe ? ">=" : op == Op::kLt ? "<" : "<=";
  return "expected " + what + " " + sign + " " + prober::DumpJson(want) + ", got " + got();
}

// Checks one expectation; returns why it does not hold.
std::optional<std::string> Check(const Expectation& e, const json& result, const Scope& scope) {
  std::string what;
  const json subject = Subject(e, result, scope, what);
  auto expected = scenarios::Expand(e.value, scope);
  if (!expected.ok())
    return "cannot expand " + prober::DumpJson(e.value) + ": " + expected.status().message();
  const json& want = *expected;
  // Written only for a failure: an answer may be large.
  const std::function<std::string()> got = [&] { return prober::DumpJson(subject).substr(0, 200); };
  using Op = Expectation::Op;
  switch (e.op) {
    case Op::kEquals:
      if (!NumEq(subject, want))
        return "expected " + what + " == " + prober::DumpJson(want) + ", got " + got();
      break;
    case Op::kNotEquals:
      if (NumEq(subject, want)) return "expected " + what + " != " + prober::DumpJson(want);
      break;
    case Op::kIn: {
      bool found = false;
      for (const auto& w : want) found = found || NumEq(subject, w);
      if (!found) return "expected " + what + " in " + prober::DumpJson(want) + ", got " + got();
      break;
    }
    case Op::kGt:
    case Op::kGe:
    case Op::kLt:
    case Op::kLe:
      return CheckOrder(e.op, subject, want, what, got);
    case Op::kCount: {
      const size_t n =
          subject.is_array() || subject.is_object() ? subject.size() : (subject.is_null() ? 0 : 1);
      if (!want.is_number() || n != want.get<size_t>())
        return "expected " + std::to_string(want.get<long>()) + " item(s) in " + what + ", got " +
               std::to_string(n);
      break;
    }
    case Op::kNotEmpty:
      if (Empty(subject) == (want == true))
        return "expected " + what + (want == true ? " not empty" : " empty") + ", got " + got();
      break;
  }
  return std::nullopt;
}

// One run's mutable state.
struct RunState {
  prober::OdooClient* client = nullptr;
  const config::TargetConfig* target = nullptr;
  Scope scope;
  prober::Deadline deadline = prober::kNoDeadline;
  std::vector<results::StepResult> steps;
  std::vector<std::pair<std::string, int64_t>> records;
  Outcome outcome = Outcome::kOk;
  std::string failed_step;
  std::string detail;
  // What a `cleanup` step does with one related record (the runner's recipe, one level deeper).
  std::function<results::RecordCleanup(const std::string& model, int64_t id)> neutralise;
};

// The context of a call: the step's mapping, or its list of mappings merged in order, on top of
// kwargs.context; the target's probe company last.
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

}  // namespace

// Runs `steps` in order; false when one failed (run.outcome/failed_step/detail set).
static bool RunSteps(const prober::Clock& clock, const scenarios::Steps& steps, RunState& run,
                     const std::string& prefix);

namespace {

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

static bool RunStep(const prober::Clock& clock, const Step& step, RunState& run,
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

static bool RunSteps(const prober::Clock& clock, const scenarios::Steps& steps, RunState& run,
                     const std::string& prefix) {
  for (const auto& step : steps) {
    if (!RunStep(clock, step, run, prefix)) return false;
  }
  return true;
}

namespace {

// Calls that only read: a preflight runs a journey's steps while they are these, and the stock
// guard runs before the first that is not.
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

}  // namespace

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

std::vector<results::FieldValue> JourneyRunner::ReadFields(
    prober::OdooClient& client, const scenarios::Journey& journey,
    const config::TargetConfig& target,
    const std::vector<std::pair<std::string, int64_t>>& records) const {
  std::vector<results::FieldValue> out;
  std::map<std::string, std::vector<std::string>> fields;  // model -> fields, as declared
  for (const auto& c : journey.compare) {
    auto& f = fields[c.model];
    if (std::find(f.begin(), f.end(), c.field) == f.end()) f.push_back(c.field);
  }
  for (const auto& [model, names] : fields) {
    std::vector<int64_t> ids;
    for (const auto& [m, id] : records)
      if (m == model) ids.push_back(id);
    if (ids.empty()) continue;
    json kwargs = {{"fields", names}};
    if (json ctx = CallContext(json::object(), json::object(), target.company_id); !ctx.empty())
      kwargs["context"] = ctx;
    const auto rpc = client.CallKw(model, "read", json{ids}, kwargs,
                                   clock_.Monotonic() + target.client.call_timeout);
    if (!rpc.ok() || !rpc.result.is_array()) {
      spdlog::warn("compare: cannot read the fields of {} on {}: {}", model, target.name,
                   rpc.detail);
      continue;
    }
    for (size_t i = 0; i < ids.size(); ++i) {
      const auto row = std::find_if(rpc.result.begin(), rpc.result.end(), [&](const json& r) {
        return r.is_object() && r.value("id", int64_t{0}) == ids[i];
      });
      if (row == rpc.result.end()) continue;
      for (const auto& name : names)
        out.push_back({model, static_cast<int>(i) + 1, ids[i], name, row->value(name, json())});
    }
  }
  return out;
}

namespace {

// What a run's expressions see: its parameters, run id and tag, and the time it started.
void FillScope(Scope& scope, const json& params, const std::string& run_id,
               std::chrono::system_clock::time_point started) {
  for (auto it = params.begin(); params.is_object() && it != params.end(); ++it)
    scope.params[it.key()] = it.value();
  scope.run_id = run_id;
  scope.run_tag = "probe-" + run_id;
  scope.now = prober::FormatUtc(started, "%Y-%m-%d %H:%M:%S");
  scope.today = prober::FormatUtc(started, "%Y-%m-%d");
}

}  // namespace

results::JourneyResult JourneyRunner::Run(const scenarios::Journey& journey,
                                          const config::TargetConfig& target, const json& params,
                                          const std::string& run_id,
                                          const RunSettings& settings) const {
  results::JourneyResult r;
  r.run_id = run_id;
  r.journey = settings.id.empty() ? journey.name : settings.id;
  if (r.journey != journey.name) r.definition = journey.name;
  r.target = target.name;
  r.labels = target.labels;
  r.started_at = clock_.Now();
  r.protocol = std::string(prober::ProtocolName(target.client.protocol));
  const auto start = clock_.Monotonic();

  auto client = factory_(target.client);
  if (!client.ok()) {
    // Config validation rejects what the factory cannot build; this is a safety net.
    r.outcome = Outcome::kTransport;
    r.failed_step = journey.steps.empty() ? "" : journey.steps[0].name;
    r.detail = "cannot create the client: " + client.status().message();
    return r;
  }
  RunState run;
  run.client = client->get();
  run.target = &target;
  FillScope(run.scope, params, run_id, r.started_at);
  run.deadline = start + settings.timeout.value_or(journey.timeout);
  run.neutralise = [&](const std::string& m, int64_t related) {
    return NeutraliseAt(**client, target, m, related, (*client)->server_major(), 1,
                        /*run_steps=*/true);
  };
  RunJourneySteps(clock_, journey, run, !settings.stock_moves_allowed && !journey.stock.empty());
  r.duration_us =
      std::chrono::duration_cast<std::chrono::microseconds>(clock_.Monotonic() - start).count();
  r.outcome = run.outcome;
  r.failed_step = run.failed_step;
  r.detail = run.detail;
  r.steps = std::move(run.steps);
  r.server_major = (*client)->server_major();
  r.protocol = std::string(prober::ProtocolName((*client)->protocol()));
  if (!r.ok()) {
    spdlog::info("journey {} on {} failed at step {}: {} ({})", r.journey, target.name,
                 r.failed_step, prober::OutcomeName(r.outcome), r.detail);
  }
  if (read_compare_fields_ && !journey.compare.empty())
    r.fields = ReadFields(**client, journey, target, run.records);
  // Cleanup always runs, newest record first, with its own deadline (the journey's may be spent).
  for (auto it = run.records.rbegin(); it != run.records.rend(); ++it) {
    r.records.push_back(Neutralise(**client, target, it->first, it->second, r.server_major));
    if (r.records.back().status != "ok") {
      spdlog::warn("cleanup of {} {} on {} failed: {}", it->first, it->second, target.name,
                   r.records.back().detail);
    }
  }
  return r;
}

}  // namespace odoo_prober::runners
