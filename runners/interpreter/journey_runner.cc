#include "runners/interpreter/journey_runner.h"

#include <spdlog/spdlog.h>

#include <ctime>
#include <functional>
#include <map>
#include <set>

#include "prober/text.h"
#include "runners/interpreter/internal/steps.h"

namespace odoo_prober::runners {

using internal::RunJourneySteps;
using internal::RunState;
using nlohmann::json;
using prober::Outcome;
using scenarios::Scope;

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
  const auto fresh = WhenStopped(target, !run.records.empty(), r);
  if (read_compare_fields_ && !journey.compare.empty() && !r.cancelled)
    r.fields = ReadFields(**client, journey, target, run.records);
  // Cleanup always runs, newest record first, with its own deadline (the journey's may be spent).
  prober::OdooClient& cleaner = fresh ? *fresh : **client;
  for (auto it = run.records.rbegin(); it != run.records.rend(); ++it) {
    r.records.push_back(Neutralise(cleaner, target, it->first, it->second, r.server_major));
    if (r.records.back().status != "ok") {
      spdlog::warn("cleanup of {} {} on {} failed: {}", it->first, it->second, target.name,
                   r.records.back().detail);
    }
  }
  return r;
}

std::unique_ptr<prober::OdooClient> JourneyRunner::WhenStopped(const config::TargetConfig& target,
                                                               bool has_records,
                                                               results::JourneyResult& r) const {
  r.cancelled = stop_ && stop_->load() && !r.ok();
  if (!r.cancelled) return nullptr;
  r.detail = "cancelled: the prober was stopped (" + r.detail + ")";
  // The steps' client refuses every call now: the cleanup gets its own, logged in.
  if (!cleanup_factory_ || !has_records) return nullptr;
  auto c = cleanup_factory_(target.client);
  if (!c.ok() || !(*c)->Authenticate(clock_.Monotonic() + target.client.call_timeout).ok())
    return nullptr;
  return std::move(*c);
}

}  // namespace odoo_prober::runners
