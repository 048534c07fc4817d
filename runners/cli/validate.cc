// `odoo-prober validate CONFIG [--online]`: the config checked, and what would run.
#include <set>

#include "config/config.h"
#include "prober/odoo_client.h"
#include "prober/text.h"
#include "runners/cli/command.h"
#include "runners/cli/provision.h"
#include "runners/engine/dependencies.h"
#include "runners/engine/exit_codes.h"
#include "runners/engine/plan.h"
#include "runners/engine/scheduler.h"

namespace odoo_prober::runners::cli {
namespace {

// The dependency checks this instance would run, and those of the config it would not.
void PrintDependencies(const config::ProberConfig& cfg, std::ostream& out) {
  if (cfg.dependencies.empty()) return;
  const auto planned = PlanDependencies(cfg);
  out << planned.size() << " dependency check(s)";
  if (planned.size() < cfg.dependencies.size())
    out << " (" << cfg.dependencies.size() - planned.size()
        << " of the config's are for other targets, plants or regions)";
  out << "\n";
  for (const auto& d : planned) {
    const auto& c = *d.config;
    out << "  " << c.name << " (" << prober::DependencyKindName(c.probe.kind)
        << "): " << Describe(c.probe) << ", every " << config::FormatDuration(c.interval)
        << ", timeout " << config::FormatDuration(c.probe.timeout) << "; used by "
        << prober::Join(c.used_by) << "; " << (c.page ? "pages" : "tickets")
        << " when down (region " << (d.labels.region.empty() ? "-" : d.labels.region) << ")\n";
  }
}

// Loads and checks the config and its journeys, prints what would run; with `online`, also
// checks each target (RunValidateOnline).
int RunValidate(const std::string& path, bool online, const Context& context) {
  std::ostream& out = context.out;
  std::ostream& err = context.err;
  auto loaded = LoadChecked(path, context.identity, err);
  if (!loaded.ok()) return kExitUsage;
  const auto plan = Plan(loaded->config, loaded->catalog, {}, {});
  const auto& cfg = loaded->config;
  out << path << ": OK, " << cfg.targets.size() << " target(s), " << plan.size()
      << " journey x target pair(s)\n";
  const std::string instance = InstanceName(cfg);
  if (cfg.region) {
    const auto& r = *cfg.region;
    out << "instance " << instance << " in region " << r.name << " (" << r.file << ")";
    for (const auto& [key, value] : r.labels) out << ", " << key << " " << value;
    out << "; replica " << ReplicaOf(instance, r.replicas) << " of " << r.replicas << "\n";
  } else {
    out << "instance " << instance << ", no region: every target of the config\n";
  }
  for (const auto& p : plan) {
    out << "  " << p.id() << (p.id() == p.journey->name ? "" : " (" + p.journey->name + ")")
        << " on " << p.target->name << " (plant "
        << (p.target->labels.plant.empty() ? "-" : p.target->labels.plant) << ", every "
        << p.selection->interval.count() / 1000.0 << " s; " << p.target->client.base_url
        << ", database " << p.target->client.database << ", "
        << prober::ProtocolName(p.target->client.protocol) << ")\n";
  }
  // What the harm check was told to let through, and why: once per journey that runs.
  std::set<std::string> said;
  for (const auto& p : plan) {
    if (!said.insert(p.journey->name).second) continue;
    for (const auto& [step, why] : scenarios::HarmlessSteps(*p.journey))
      out << "  " << p.journey->name << ": step " << step << " is marked harmless: " << why << "\n";
  }
  PrintDependencies(cfg, out);
  return online ? RunValidateOnline(*loaded, out, err) : kExitOk;
}

class Validate final : public Command {
 public:
  CLI::App* Add(CLI::App& app) override {
    auto* c = app.add_subcommand("validate", "Check a configuration file and show what would run");
    c->add_option("CONFIG", path_, "Configuration file (YAML)")->required();
    c->add_flag("--online", online_,
                "Also check on each target that every journey's parameters resolve (its "
                "lookups, read-only) and that the Odoo settings it needs are on");
    c->footer(
        "Exit codes:\n  0  valid (and with --online: everything found on every target)\n"
        "  1  with --online: a parameter does not resolve or a setting is off on a target\n"
        "  2  usage or configuration error\n  3  internal error");
    return c;
  }
  int Run(const Context& context) override { return RunValidate(path_, online_, context); }

 private:
  std::string path_;
  bool online_ = false;
};

}  // namespace

std::unique_ptr<Command> NewValidate() { return std::make_unique<Validate>(); }

}  // namespace odoo_prober::runners::cli
