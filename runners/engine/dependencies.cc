#include "runners/engine/dependencies.h"

#include <algorithm>

namespace odoo_prober::runners {
namespace {

bool Listed(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// The labels the scoped targets share: each label kept when every target has the same value.
config::Labels Shared(const std::vector<const config::TargetConfig*>& targets) {
  config::Labels out;
  if (targets.empty()) return out;
  out = targets.front()->labels;
  for (const auto* t : targets) {
    if (t->labels.region != out.region) out.region.clear();
    if (t->labels.plant != out.plant) out.plant.clear();
    if (t->labels.env != out.env) out.env.clear();
  }
  return out;
}

}  // namespace

std::vector<PlannedDependency> PlanDependencies(const config::ProberConfig& config) {
  std::vector<PlannedDependency> out;
  const std::string instance_region = config.region ? config.region->name : "";
  for (const auto& d : config.dependencies) {
    std::vector<const config::TargetConfig*> scoped;
    bool in_scope = false;
    for (const auto& t : config.targets) {
      const bool match = !d.targets.empty()   ? Listed(d.targets, t.name)
                         : !d.plants.empty()  ? Listed(d.plants, t.labels.plant)
                         : !d.regions.empty() ? Listed(d.regions, t.labels.region)
                                              : true;
      if (match) scoped.push_back(&t);
    }
    if (!d.regions.empty()) {
      in_scope = instance_region.empty() ? !scoped.empty() : Listed(d.regions, instance_region);
    } else {
      in_scope = d.targets.empty() && d.plants.empty() ? true : !scoped.empty();
    }
    if (!in_scope) continue;
    config::Labels labels = Shared(scoped);
    if (!instance_region.empty()) labels.region = instance_region;
    out.push_back({&d, labels});
  }
  return out;
}

results::DependencyResult RunDependency(const PlannedDependency& dependency,
                                        const std::string& instance, const prober::Clock& clock,
                                        prober::CancelFlag cancel) {
  results::DependencyResult r;
  const auto& d = *dependency.config;
  r.dependency = d.name;
  r.kind = d.probe.kind;
  r.used_by = d.used_by;
  r.labels = dependency.labels;
  r.instance = instance;
  r.started_at = clock.Now();
  r.outcome = prober::CheckDependency(d.probe, cancel);
  r.cancelled = cancel && cancel->load();
  return r;
}

}  // namespace odoo_prober::runners
