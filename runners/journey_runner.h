// JourneyRunner: interprets one Journey against one target and returns one JourneyResult.
//
// A run never throws and never returns a Status: whatever the target does (refuses the login,
// times out, answers garbage) ends up as an outcome in the result, with the failing step and a
// reason. Steps run in order; the first failing step ends the run.
//
// Thread-safety: Run() may be called from several threads at once; each call builds its own
// client. The clock and the factory must outlive the runner.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "config/config.h"
#include "prober/clock.h"
#include "prober/odoo_client.h"
#include "results/journey_result.h"
#include "scenarios/journey.h"

namespace odoo_prober::runners {

class JourneyRunner {
 public:
  using ClientFactory = std::function<prober::Result<std::unique_ptr<prober::OdooClient>>(
      const prober::ClientOptions&)>;

  // `factory` builds one client per run (CreateCurlOdooClient in production).
  JourneyRunner(const prober::Clock& clock, ClientFactory factory);

  // Runs `journey` against `target`. `run_id` identifies the run in results.
  results::JourneyResult Run(const scenarios::Journey& journey, const config::TargetConfig& target,
                             const std::string& run_id) const;

 private:
  const prober::Clock& clock_;
  ClientFactory factory_;
};

// A fresh run id: 12 lower-case hex digits.
std::string NewRunId();

}  // namespace odoo_prober::runners
