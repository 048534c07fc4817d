// `odoo-prober compare CONFIG --baseline A --candidate B`: the command line of the pre-cutover
// migration check (runners/compare/compare.h).
#include "runners/compare/compare.h"

#include "runners/cli/command.h"
#include "runners/engine/exit_codes.h"

namespace odoo_prober::runners::cli {
namespace {

class Compare final : public Command {
 public:
  CLI::App* Add(CLI::App& app) override {
    auto* c = app.add_subcommand(
        "compare",
        "Pre-cutover migration check: the same journeys on a baseline and a candidate target, "
        "interleaved; functional parity, environment fingerprint and latency verdicts");
    c->add_option("CONFIG", o_.config_path, "Configuration file (YAML)")->required();
    c->add_option("--baseline", o_.baseline, "The environment in use today (a target)");
    c->add_option("--candidate", o_.candidate, "The environment to switch to (a target)")
        ->required();
    c->add_option("--journey", o_.journeys,
                  "Only this journey: its id or its name (repeatable; default: every journey the "
                  "config runs on the candidate)");
    auto* runs = c->add_option("--runs", o_.runs,
                               "Rounds; each runs every journey once on each side (default 20)")
                     ->check(CLI::Range(1, 100000));
    c->add_option("--duration", duration_,
                  "Instead of --runs: start rounds until this much time has passed (e.g. 30m)")
        ->excludes(runs);
    c->add_option("--interval", interval_,
                  "Rounds start at least this far apart, to bound the load on both sides "
                  "(default 1s)");
    c->add_option("--seed", seed_,
                  "Seed of the run order and the bootstrap (default: random, printed to repeat)");
    c->add_option("--baseline-history", o_.baseline_history,
                  "Take the baseline from this results history (results.sqlite written by run)");
    c->add_option("--baseline-target", o_.baseline_target,
                  "The baseline's target name in that history");
    AddOutputs(*c);
    return c->footer(
        "Exit codes:\n"
        "  0  pass (inconclusive and not comparable latency verdicts included, unless --strict)\n"
        "  1  a latency regression, a parity failure or an unexpected fingerprint difference\n"
        "  2  usage or configuration error\n"
        "  3  a report could not be written or pushed");
  }

  int Run(const Context& context) override {
    o_.identity = context.identity;
    o_.version = context.version;
    if (!duration_.empty()) {
      auto d = config::ParseDuration(duration_);
      if (!d || d->count() <= 0) {
        context.err << "--duration: not a duration: " << duration_ << " (e.g. 30m)\n";
        return kExitUsage;
      }
      o_.duration = std::chrono::duration_cast<std::chrono::seconds>(*d);
      if (o_.duration.count() == 0) o_.duration = std::chrono::seconds(1);
    }
    if (auto d = config::ParseDuration(interval_)) {
      o_.round_interval = *d;
    } else {
      context.err << "--interval: not a duration: " << interval_ << " (e.g. 2s)\n";
      return kExitUsage;
    }
    if (seed_) o_.seed = *seed_;
    o_.live_progress = context.LiveProgress();
    return RunCompare(o_, context.out, context.err);
  }

 private:
  // The reports, the push and how strict the verdict is.
  void AddOutputs(CLI::App& c) {
    c.add_option("--json", o_.json_file, "Also write the comparison as JSON to this file");
    c.add_option("--junit", o_.junit_file,
                 "Also write JUnit XML (a test case per journey x check) to this file");
    c.add_option("--html", o_.html_file,
                 "Also write a self-contained HTML report (distributions, parity, fingerprint)");
    c.add_option("--concurrency", o_.concurrency,
                 "Journeys at the same time (default: the config's; per_target_concurrency "
                 "holds too)")
        ->check(CLI::Range(1, 256));
    c.add_option("--pushgateway", o_.pushgateway,
                 "Also push both sides' metrics (env=baseline|candidate) to this Pushgateway");
    c.add_flag("--strict", o_.strict,
               "An inconclusive or not comparable latency verdict exits 1 too");
  }

  CompareOptions o_;
  std::string duration_;
  std::string interval_ = "1s";
  std::optional<uint64_t> seed_;
};

}  // namespace

std::unique_ptr<Command> NewCompare() { return std::make_unique<Compare>(); }

}  // namespace odoo_prober::runners::cli
