#include "runners/commands.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

#include "prober/clock.h"
#include "prober/odoo_client.h"
#include "prober/text.h"
#include "regions/region.h"
#include "results/journey_result.h"
#include "runners/journey_runner.h"
#include "runners/provision.h"
#include "runners/scheduler.h"
#include "runners/tls_checks.h"

namespace odoo_prober::runners {

using nlohmann::json;

prober::Result<Loaded> LoadChecked(const std::string& path, std::ostream& err) {
  auto loaded = LoadAndCheck(path);
  if (!loaded.ok()) {
    err << loaded.status().message() << "\n";
    return loaded.status();
  }
  for (const auto& w : loaded->config.warnings) spdlog::warn("{}", w);
  return loaded;
}

bool WriteFile(const std::string& path, const std::string& text, std::ostream& err) {
  std::ofstream f(path);
  f << text;
  if (!f) err << "cannot write " << path << "\n";
  return static_cast<bool>(f);
}

int RunValidate(const std::string& path, bool online, std::ostream& out, std::ostream& err) {
  auto loaded = LoadChecked(path, err);
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
  return online ? RunValidateOnline(*loaded, out, err) : kExitOk;
}

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
  }
  return kExitOk;
}

}  // namespace odoo_prober::runners
