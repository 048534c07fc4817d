// The `objectives:` section: its reader, the burn-rate alerts the shipped rules
// (deploy/prometheus/odoo-prober-rules.yml) raise on an objective, and what `validate` warns
// about an objective that makes one of them pointless.
//
// Each alert stands for a share of the error budget spent within its long window (the SRE
// workbook's multiwindow, multi-burn-rate table, as Sloth catalogues it for 28 and 30 days):
// its burn-rate threshold is share x window / long window, so that a 7 d, a 28 d and a 30 d
// window page at the same share of their budget. The rules compute the same factors from the
// exported window (odoo_prober_journey_objective_window_seconds); the two must agree (a test
// reads the rules).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/yaml_reader.h"

namespace odoo_prober::config {

struct BurnTier {
  std::string name;                   // "page 1h", as the warnings name it
  double budget_share;                // of the window's error budget
  std::chrono::hours long_window;     // the share is spent within this
  std::chrono::minutes short_window;  // and is still being spent (the alert resolves quickly)
  bool page;                          // page or ticket
};

// page: 2 % in 1 h (5 min), 5 % in 6 h (30 min); ticket: 10 % in 1 d (2 h), 10 % in 3 d (6 h).
const std::vector<BurnTier>& BurnTiers();

// The burn rate at which `tier` spends its share of a `window`'s budget.
double BurnFactor(const BurnTier& tier, std::chrono::hours window);

// What makes a burn alert of `o` unreachable: a threshold of 100 % of runs or more (a latency
// ratio of 90 % over 28 d: the 1 h page would need 134 % of runs slow), each with the objective
// that would work. Empty when every tier can fire.
std::vector<std::string> UnreachableBurnAlerts(const Objective& o);

// When one failed run in an hour, at `interval`, is above the fast page's threshold: the page
// then rests on min_failures alone. "" otherwise.
std::string SingleFailureWarning(const Objective& o, std::chrono::milliseconds interval);

// Reads the `objectives:` section into cfg.objectives (errors and warnings through `reader`,
// positioned); `known` says whether a key of objectives.journeys is a configured journey id
// (and reports it when not).
using KnownJourney = std::function<bool(const YAML::Node& key, const std::string& field)>;
void ReadObjectives(YamlReader& reader, const YAML::Node& node, ProberConfig& cfg,
                    const KnownJourney& known);

}  // namespace odoo_prober::config
