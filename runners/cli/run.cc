// `odoo-prober run CONFIG`: the command line of the daemon (runners/daemon/daemon.h).
#include <iostream>

#include "runners/cli/command.h"
#include "runners/daemon/daemon.h"

namespace odoo_prober::runners::cli {
namespace {

class RunCommand final : public Command {
 public:
  CLI::App* Add(CLI::App& app) override {
    auto* c = app.add_subcommand(
        "run", "Run the daemon: scheduled probes, /metrics, /status, results history");
    c->add_option("CONFIG", o_.config_path, "Configuration file (YAML)")->required();
    c->add_option("--listen", o_.listen,
                  "Admin server address:port (overrides admin.listen; port 0 picks one)");
    c->add_option("--grace", grace_seconds_,
                  "Seconds in-flight journeys get to finish on SIGTERM; then their calls are "
                  "cancelled")
        ->capture_default_str()
        ->check(CLI::Range(0, 3600));
    return c->footer(kExitCodes);
  }
  int Run(const Context& context) override {
    o_.identity = context.identity;
    o_.version = context.version;
    o_.grace = std::chrono::seconds(grace_seconds_);
    return RunDaemon(o_, context.out, context.err);
  }

 private:
  RunOptions o_;
  int grace_seconds_ = 60;
};

}  // namespace

std::unique_ptr<Command> NewRun() { return std::make_unique<RunCommand>(); }

}  // namespace odoo_prober::runners::cli
