// Planning, the engine's first step for `once`, `run` and `compare` alike: the config loaded
// and cross-checked with its journeys, the journey x target pairs it asks for, and one pair run
// on the production client. No command line here (runners/cli/ has the commands).
//
// Thread-safety: every function is reentrant.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "config/config.h"
#include "prober/status.h"
#include "prober/system.h"
#include "runners/interpreter/journey_runner.h"
#include "scenarios/journey.h"

namespace odoo_prober::runners {

// What CheckPlan checks. kEntries: each journeys[] entry on its own (its journey's name, its
// parameters' names and types), all that holds on a config that had errors of its own.
enum class CheckScope { kAll, kEntries };

// Cross-checks a loaded config against the journeys: unknown journey names, parameters that
// do not exist, have the wrong type or are required and missing, timeouts over the interval,
// two entries running one id on a target. Positioned like config errors.
std::vector<config::ConfigError> CheckPlan(const config::ProberConfig& config,
                                           const scenarios::Catalog& catalog,
                                           CheckScope scope = CheckScope::kAll);

// A configuration with its journeys, loaded and cross-checked.
struct Loaded {
  config::ProberConfig config;
  scenarios::Catalog catalog;
};

// Loads the config as `identity` (its region's file over it, its instance name) and the
// journeys it names, and runs CheckPlan. Failure: InvalidArgument listing every error, one per
// line, each positioned.
prober::Result<Loaded> LoadAndCheck(const std::string& config_path,
                                    const config::Identity& identity);

// LoadAndCheck for a command: prints the errors to `err` (and logs the warnings).
prober::Result<Loaded> LoadChecked(const std::string& config_path, const config::Identity& identity,
                                   std::ostream& err);

// The production client factory: libcurl on the real clock; `cancel` ends the clients' calls.
JourneyRunner::ClientFactory CurlFactory(prober::CancelFlag cancel = nullptr);

// One journey x target pair the config asks for. Pointers into the Loaded it came from.
struct PlannedPair {
  const scenarios::Journey* journey;
  const config::TargetConfig* target;
  const config::JourneySelection* selection;
  size_t selection_index;  // position of `selection` in config.journeys
  // The probe's id (journeys[].id, else the journey's name): its `journey` label and key.
  const std::string& id() const { return selection->id.empty() ? journey->name : selection->id; }
};

// The `instance` label of this prober: the config's instance (which --instance overrides, see
// config::Identity), else the host name (made safe for a label value, at most 64 characters).
std::string InstanceName(const config::ProberConfig& config,
                         const prober::System& system = prober::RealSystem());

// The business service the pair proves: the config's journeys[].service, else the journey's.
std::string ServiceOf(const PlannedPair& pair);

// Runs the pair once (`once` and `run` alike): its parameters resolved, the journeys[] entry's
// timeout applied, the result carrying its service.
results::JourneyResult RunPlanned(const JourneyRunner& runner, const PlannedPair& pair,
                                  const config::ProberConfig& config);

// Every configured pair of the targets this instance probes, optionally narrowed to some
// journeys and targets (all when a filter is empty).
std::vector<PlannedPair> Plan(const config::ProberConfig& config, const scenarios::Catalog& catalog,
                              const std::vector<std::string>& only_journeys = {},
                              const std::vector<std::string>& only_targets = {});

}  // namespace odoo_prober::runners
