// `odoo-prober journeys [CONFIG]`: what can run, and with which parameters.
#include "config/config.h"
#include "runners/cli/command.h"
#include "runners/engine/exit_codes.h"
#include "scenarios/journey.h"

namespace odoo_prober::runners::cli {
namespace {

// The built-in journeys (and the config's), with their parameters.
int RunJourneys(const std::optional<std::string>& config_path, std::ostream& out,
                std::ostream& err) {
  std::vector<std::string> dirs;
  if (config_path) {
    auto cfg = config::LoadConfig(*config_path);
    if (!cfg.ok()) {
      err << cfg.status().message() << "\n";
      return kExitUsage;
    }
    dirs = cfg->journey_dirs;
  }
  auto catalog = scenarios::LoadJourneys(dirs);
  if (!catalog.ok()) {
    err << catalog.status().message() << "\n";
    return kExitUsage;
  }
  for (const auto& j : catalog->journeys) {
    out << j.name << (j.builtin ? "  (built-in)" : "  (" + j.file + ")")
        << (j.service.empty() ? "" : "  service " + j.service) << "\n";
    if (!j.description.empty()) out << "  " << j.description << "\n";
    for (const auto& p : j.params) {
      out << "    " << p.name << " (" << p.type << ")";
      if (p.required && p.default_value.is_null()) out << " required";
      if (!p.default_value.is_null()) out << " default " << p.default_value.dump();
      if (!p.description.empty()) out << ": " << p.description;
      out << "\n";
    }
    for (const auto& use : j.stock) {
      out << "    stock: " << use.param << " names a product (by " << use.field
          << ") whose stock it moves (" << scenarios::EffectName(use.effect)
          << "); one that keeps stock is refused unless the entry says stock_moves: allowed\n";
    }
    for (const auto& [step, why] : scenarios::HarmlessSteps(j))
      out << "    harmless: step " << step << ": " << why << "\n";
  }
  return kExitOk;
}

class Journeys final : public Command {
 public:
  CLI::App* Add(CLI::App& app) override {
    auto* c = app.add_subcommand(
        "journeys", "List the built-in journeys (and the config's) with their parameters");
    c->add_option("CONFIG", config_, "Configuration file (YAML) naming journey_dirs");
    return c->footer(kExitCodes);
  }
  int Run(const Context& context) override {
    return RunJourneys(config_.empty() ? std::nullopt : std::optional(config_), context.out,
                       context.err);
  }

 private:
  std::string config_;
};

}  // namespace

std::unique_ptr<Command> NewJourneys() { return std::make_unique<Journeys>(); }

}  // namespace odoo_prober::runners::cli
