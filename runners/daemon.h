// `odoo-prober run CONFIG`: the daemon. Schedules every journey x target pair (Scheduler), runs
// them on a bounded worker pool, feeds results to the sinks through the non-blocking fan-out,
// and serves /metrics, /healthz, /readyz and /status.
//
// Signals: SIGHUP reloads the configuration (validated first; an invalid one is logged and
// counted and the old schedule keeps running); SIGTERM/SIGINT stop scheduling, let in-flight
// journeys finish with their cleanup (up to the grace period), flush the sinks, exit 0.
//
// Thread-safety: RunDaemon owns its threads; call it once per process, from main, before any
// other thread starts (it blocks the signals it waits for).
#pragma once

#include <chrono>
#include <ostream>
#include <string>

namespace odoo_prober::runners {

struct RunOptions {
  std::string config_path;
  std::string listen;  // overrides admin.listen ("127.0.0.1:0" picks a free port)
  std::chrono::seconds grace{60};
  std::string version;  // for build_info
};

int RunDaemon(const RunOptions& options, std::ostream& out, std::ostream& err);

}  // namespace odoo_prober::runners
