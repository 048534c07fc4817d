#include "runners/journey_runner.h"

#include <spdlog/spdlog.h>

#include <map>
#include <random>

namespace odoo_prober::runners {

using nlohmann::json;
using prober::Outcome;

JourneyRunner::JourneyRunner(const prober::Clock& clock, ClientFactory factory)
    : clock_(clock), factory_(std::move(factory)) {}

std::string NewRunId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(12, '0');
  uint64_t v = rng();
  for (char& c : id) {
    c = kHex[v & 0xf];
    v >>= 4;
  }
  return id;
}

namespace {

// Checks a step's expectations; returns the reason when they do not hold.
std::optional<std::string> CheckExpectations(const scenarios::Step& step, const json& result) {
  const bool empty = result.is_null() || result == false ||
                     ((result.is_array() || result.is_object()) && result.empty());
  if (step.expect_non_empty && empty) return "expected a non-empty result, got " + result.dump();
  if (step.expect_fields.empty()) return std::nullopt;
  const json& record = result.is_array() && !result.empty() ? result[0] : result;
  if (!record.is_object()) return "expected records, got " + result.dump().substr(0, 200);
  for (const auto& field : step.expect_fields) {
    auto it = record.find(field);
    if (it == record.end()) return "field '" + field + "' is missing from the answer";
    if (it->is_null() || *it == false) return "field '" + field + "' is empty";
  }
  return std::nullopt;
}

}  // namespace

results::JourneyResult JourneyRunner::Run(const scenarios::Journey& journey,
                                          const config::TargetConfig& target,
                                          const std::string& run_id) const {
  results::JourneyResult r;
  r.run_id = run_id;
  r.journey = journey.name;
  r.target = target.name;
  r.labels = target.labels;
  r.started_at = clock_.Now();
  r.protocol = std::string(prober::ProtocolName(target.client.protocol));
  const auto start = clock_.Monotonic();
  auto finish = [&](results::JourneyResult& res) {
    res.duration_us =
        std::chrono::duration_cast<std::chrono::microseconds>(clock_.Monotonic() - start).count();
    return res;
  };

  auto client = factory_(target.client);
  if (!client.ok()) {
    // Config validation rejects what the factory cannot build; this is a safety net.
    r.outcome = Outcome::kTransport;
    r.failed_step = journey.steps.empty() ? "" : journey.steps[0].name;
    r.detail = "cannot create the client: " + client.status().message();
    return finish(r);
  }
  prober::OdooClient& odoo = **client;
  std::map<std::string, json> vars;

  for (const auto& step : journey.steps) {
    results::StepResult s;
    s.name = step.name;
    prober::RpcResult rpc;
    std::string error;
    switch (step.kind) {
      case scenarios::StepKind::kAuthenticate:
        rpc = odoo.Authenticate(prober::kNoDeadline);
        if (rpc.ok()) vars["uid"] = odoo.uid();
        break;
      case scenarios::StepKind::kCall: {
        auto args = scenarios::Substitute(step.args, vars, &error);
        auto kwargs = args ? scenarios::Substitute(step.kwargs, vars, &error) : std::nullopt;
        if (!kwargs) {
          rpc.outcome = Outcome::kAssertion;
          rpc.detail = error;
          break;
        }
        rpc = odoo.CallKw(step.model, step.method, *args, *kwargs, prober::kNoDeadline);
        break;
      }
    }
    if (rpc.ok()) {
      if (auto why = CheckExpectations(step, rpc.result)) {
        rpc.outcome = Outcome::kAssertion;
        rpc.detail = *why;
      }
    }
    s.outcome = rpc.outcome;
    s.timings = rpc.timings;
    s.detail = rpc.detail;
    s.http_status = rpc.http_status;
    if (rpc.error) s.odoo_error = rpc.error->name;
    r.steps.push_back(s);
    if (odoo.server_major() > 0) r.server_major = odoo.server_major();
    r.protocol = std::string(prober::ProtocolName(odoo.protocol()));
    if (!rpc.ok()) {
      r.outcome = rpc.outcome;
      r.failed_step = step.name;
      r.detail = rpc.detail;
      spdlog::info("journey {} on {} failed at step {}: {} ({})", journey.name, target.name,
                   step.name, prober::OutcomeName(rpc.outcome), rpc.detail);
      break;
    }
  }
  return finish(r);
}

}  // namespace odoo_prober::runners
