// The odoo-prober subcommands, as functions from options and streams to an exit code, so they
// are testable without a process. main.cc only parses the command line and calls these.
//
// Exit codes (also in --help and README): 0 every journey ok, 1 some journey failed, 2 usage
// or configuration error, 3 internal error.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "config/config.h"
#include "scenarios/journey.h"

namespace odoo_prober::runners {

inline constexpr int kExitOk = 0;
inline constexpr int kExitJourneyFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInternal = 3;

// Cross-checks a loaded config against the known journeys and this build's abilities: unknown
// journey names, protocols not supported yet. Each error is positioned like a config error.
std::vector<config::ConfigError> CheckPlan(const config::ProberConfig& config,
                                           const std::vector<scenarios::Journey>& journeys);

// `odoo-prober validate CONFIG`: loads and checks the config, prints what would run.
int RunValidate(const std::string& config_path, std::ostream& out, std::ostream& err);

struct OnceOptions {
  std::string config_path;
  // Only these journeys / targets (all when empty).
  std::vector<std::string> journeys;
  std::vector<std::string> targets;
  enum class Output { kTable, kJson } output = Output::kTable;
};

// `odoo-prober once CONFIG`: runs every selected journey × target pair once.
int RunOnce(const OnceOptions& options, std::ostream& out, std::ostream& err);

}  // namespace odoo_prober::runners
