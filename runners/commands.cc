#include "runners/commands.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "prober/clock.h"
#include "prober/odoo_client.h"
#include "regions/region.h"
#include "results/journey_result.h"
#include "runners/journey_runner.h"

namespace odoo_prober::runners {

namespace {

struct Pair {
  const scenarios::Journey* journey;
  const config::TargetConfig* target;
};

std::vector<Pair> Plan(const config::ProberConfig& cfg,
                       const std::vector<scenarios::Journey>& journeys,
                       const std::vector<std::string>& only_journeys,
                       const std::vector<std::string>& only_targets) {
  auto wanted = [](const std::vector<std::string>& filter, const std::string& name) {
    return filter.empty() || std::find(filter.begin(), filter.end(), name) != filter.end();
  };
  std::vector<Pair> plan;
  const auto selected = regions::SelectTargets(cfg, regions::RegionIdentity{});
  for (const auto& sel : cfg.journeys) {
    const scenarios::Journey* j = scenarios::FindJourney(journeys, sel.name);
    if (j == nullptr || !wanted(only_journeys, sel.name)) continue;
    for (const config::TargetConfig* t : selected) {
      const bool listed = sel.targets.empty() || std::find(sel.targets.begin(), sel.targets.end(),
                                                           t->name) != sel.targets.end();
      if (listed && wanted(only_targets, t->name)) plan.push_back({j, t});
    }
  }
  return plan;
}

prober::Result<config::ProberConfig> LoadChecked(const std::string& path,
                                                 const std::vector<scenarios::Journey>& journeys,
                                                 std::ostream& err) {
  auto cfg = config::LoadConfig(path);
  if (!cfg.ok()) {
    err << cfg.status().message() << "\n";
    return cfg.status();
  }
  auto errors = CheckPlan(*cfg, journeys);
  if (!errors.empty()) {
    std::string msg;
    for (const auto& e : errors) msg += (msg.empty() ? "" : "\n") + e.ToString();
    err << msg << "\n";
    return prober::Status::InvalidArgument(msg);
  }
  for (const auto& w : cfg->warnings) spdlog::warn("{}", w);
  return cfg;
}

}  // namespace

std::vector<config::ConfigError> CheckPlan(const config::ProberConfig& cfg,
                                           const std::vector<scenarios::Journey>& journeys) {
  std::vector<config::ConfigError> errors;
  for (size_t i = 0; i < cfg.journeys.size(); ++i) {
    const auto& sel = cfg.journeys[i];
    if (scenarios::FindJourney(journeys, sel.name) == nullptr) {
      std::string known;
      for (const auto& j : journeys) known += (known.empty() ? "" : ", ") + j.name;
      errors.push_back({sel.pos, "journeys[" + std::to_string(i) + "].name",
                        "no journey is named '" + sel.name + "'; known journeys: " + known});
    }
  }
  for (size_t i = 0; i < cfg.targets.size(); ++i) {
    const auto& t = cfg.targets[i];
    if (t.client.protocol == prober::Protocol::kJson2) {
      errors.push_back({t.pos, "targets[" + std::to_string(i) + "].protocol",
                        "json2 is not supported by this build yet; use jsonrpc with the API key"});
    }
  }
  return errors;
}

int RunValidate(const std::string& path, std::ostream& out, std::ostream& err) {
  const auto& journeys = scenarios::BuiltinJourneys();
  auto cfg = LoadChecked(path, journeys, err);
  if (!cfg.ok()) return kExitUsage;
  const auto plan = Plan(*cfg, journeys, {}, {});
  out << path << ": OK, " << cfg->targets.size() << " target(s), " << plan.size()
      << " journey x target pair(s)\n";
  for (const auto& p : plan) {
    out << "  " << p.journey->name << " on " << p.target->name << " (" << p.target->client.base_url
        << ", database " << p.target->client.database << ", "
        << prober::ProtocolName(p.target->client.protocol) << ")\n";
  }
  return kExitOk;
}

int RunOnce(const OnceOptions& options, std::ostream& out, std::ostream& err) {
  const auto& journeys = scenarios::BuiltinJourneys();
  auto cfg = LoadChecked(options.config_path, journeys, err);
  if (!cfg.ok()) return kExitUsage;
  for (const auto& name : options.journeys) {
    if (scenarios::FindJourney(journeys, name) == nullptr) {
      err << "--journey " << name << ": no such journey\n";
      return kExitUsage;
    }
  }
  for (const auto& name : options.targets) {
    if (cfg->FindTarget(name) == nullptr) {
      err << "--target " << name << ": no such target in " << options.config_path << "\n";
      return kExitUsage;
    }
  }
  const auto plan = Plan(*cfg, journeys, options.journeys, options.targets);
  if (plan.empty()) {
    err << "nothing to run: no configured journey x target pair matches the filters\n";
    return kExitUsage;
  }

  JourneyRunner runner(prober::RealClock(), [](const prober::ClientOptions& o) {
    return prober::CreateCurlOdooClient(o, prober::RealClock());
  });
  std::vector<results::JourneyResult> done;
  bool all_ok = true;
  for (const auto& p : plan) {
    auto r = runner.Run(*p.journey, *p.target, NewRunId());
    all_ok = all_ok && r.ok();
    if (options.output == OnceOptions::Output::kJson) {
      out << results::ToJson(r).dump() << "\n" << std::flush;
    }
    done.push_back(std::move(r));
  }
  if (options.output == OnceOptions::Output::kTable) out << results::FormatTable(done);
  return all_ok ? kExitOk : kExitJourneyFailed;
}

}  // namespace odoo_prober::runners
