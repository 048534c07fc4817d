// Planning, the engine's first step for `once`, `run` and `compare` alike: the config loaded
// and cross-checked with its journeys, the journey x target pairs it asks for, and one pair run
// on the production client. No command line here (runners/commands.h has the commands).
//
// Thread-safety: Plan, RunPlanned and the rest are reentrant; Identity is set once by main.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "prober/status.h"
#include "prober/system.h"
#include "runners/journey_runner.h"
#include "scenarios/journey.h"

namespace odoo_prober::runners {

// Cross-checks a loaded config against the journeys: unknown journey names, parameters that
// do not exist, have the wrong type or are required and missing. Positioned like config errors.
std::vector<config::ConfigError> CheckPlan(const config::ProberConfig& config,
                                           const scenarios::Catalog& catalog);

// Who this process is in the fleet: its region (--region, ODOO_PROBER_REGION: the region file
// loaded over the config) and its instance name (--instance, ODOO_PROBER_INSTANCE). Set once by
// main before a subcommand runs; process-wide, like the log level.
struct Identity {
  std::string region;
  std::string instance;
};
void SetIdentity(Identity identity);
const Identity& CurrentIdentity();

// A configuration with its journeys, loaded and cross-checked.
struct Loaded {
  config::ProberConfig config;
  scenarios::Catalog catalog;
};

// Loads the config and the journeys it names and runs CheckPlan. Failure: InvalidArgument
// listing every error, one per line, each positioned.
prober::Result<Loaded> LoadAndCheck(const std::string& config_path);

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

// The `instance` label of this prober: --instance, else the config's instance, else the host
// name (made safe for a label value, at most 64 characters).
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
