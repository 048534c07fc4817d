#include "runners/engine/plan.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>

#include "prober/clock.h"
#include "prober/odoo_client.h"
#include "prober/text.h"
#include "regions/region.h"

namespace odoo_prober::runners {

using nlohmann::json;

JourneyRunner::ClientFactory CurlFactory(prober::CancelFlag cancel) {
  return [cancel](const prober::ClientOptions& o) {
    return prober::CreateCurlOdooClient(o, prober::RealClock(), cancel);
  };
}

std::string InstanceName(const config::ProberConfig& cfg, const prober::System& system) {
  if (!cfg.instance.empty()) return cfg.instance;
  const std::string name = config::ToLabelValue(system.HostName());
  return name.empty() ? "odoo-prober" : name;
}

std::string ServiceOf(const PlannedPair& pair) {
  return pair.selection->service.value_or(pair.journey->service);
}

results::JourneyResult RunPlanned(const JourneyRunner& runner, const PlannedPair& pair,
                                  const config::ProberConfig& config) {
  auto result =
      runner.Run(*pair.journey, *pair.target,
                 ResolveParams(*pair.journey, config, *pair.selection, *pair.target), NewRunId(),
                 {pair.selection->timeout, pair.selection->stock_moves_allowed, pair.id()});
  result.service = ServiceOf(pair);
  result.instance = InstanceName(config);
  return result;
}

std::vector<PlannedPair> Plan(const config::ProberConfig& cfg, const scenarios::Catalog& catalog,
                              const std::vector<std::string>& only_journeys,
                              const std::vector<std::string>& only_targets) {
  auto wanted = [](const std::vector<std::string>& filter, const std::string& name) {
    return filter.empty() || std::find(filter.begin(), filter.end(), name) != filter.end();
  };
  std::vector<PlannedPair> plan;
  const auto selected = regions::SelectTargets(cfg, config::Identity{});
  for (size_t s = 0; s < cfg.journeys.size(); ++s) {
    const auto& sel = cfg.journeys[s];
    const scenarios::Journey* j = catalog.Find(sel.name);
    if (j == nullptr || !(wanted(only_journeys, sel.id) || wanted(only_journeys, sel.name)))
      continue;
    for (const config::TargetConfig* t : selected) {
      const bool listed = sel.targets.empty() || std::find(sel.targets.begin(), sel.targets.end(),
                                                           t->name) != sel.targets.end();
      if (listed && wanted(only_targets, t->name)) plan.push_back({j, t, &sel, s});
    }
  }
  return plan;
}

prober::Result<Loaded> LoadAndCheck(const std::string& path, const config::Identity& identity) {
  config::LoadOptions options;
  options.identity = identity;
  auto read = config::ReadConfig(path, options);
  if (!read.ok()) return read.status();
  if (!read->errors.empty()) {
    // Every problem at once: the journeys' names and parameters are checked on what could be
    // read, unless the journeys' own folders are in doubt (their names would be unknown).
    auto errors = std::move(read->errors);
    const bool dirs_in_doubt = std::any_of(errors.begin(), errors.end(), [](const auto& e) {
      return e.field.rfind("journey_dirs", 0) == 0;
    });
    std::string journeys_errors;  // a journey file's own, after the config's
    if (read->partial && !dirs_in_doubt) {
      auto catalog = scenarios::LoadJourneys(read->partial->journey_dirs);
      if (catalog.ok()) {
        for (auto& e : CheckPlan(*read->partial, *catalog, CheckScope::kEntries))
          errors.push_back(std::move(e));
      } else {
        journeys_errors = "\n" + catalog.status().message();
      }
    }
    return prober::Status::InvalidArgument(config::JoinErrors(std::move(errors)) + journeys_errors);
  }
  config::ProberConfig cfg = std::move(*read->config);
  auto catalog = scenarios::LoadJourneys(cfg.journey_dirs);
  if (!catalog.ok()) return catalog.status();
  auto errors = CheckPlan(cfg, *catalog);
  if (!errors.empty()) return prober::Status::InvalidArgument(config::JoinErrors(errors));
  return Loaded{std::move(cfg), std::move(*catalog)};
}

prober::Result<Loaded> LoadChecked(const std::string& path, const config::Identity& identity,
                                   std::ostream& err) {
  auto loaded = LoadAndCheck(path, identity);
  if (!loaded.ok()) {
    err << loaded.status().message() << "\n";
    return loaded.status();
  }
  for (const auto& w : loaded->config.warnings) spdlog::warn("{}", w);
  return loaded;
}

namespace {

// One identity per probe: two entries that run the same id on one target would be one series,
// one /status row and one key in the results. Said once per pair of entries.
void CheckIds(const config::ProberConfig& cfg, const scenarios::Catalog& catalog,
              std::vector<config::ConfigError>& errors) {
  std::map<std::pair<std::string, std::string>, size_t> first;  // (id, target) -> entry
  std::set<std::pair<size_t, size_t>> said;
  for (const auto& p : Plan(cfg, catalog)) {
    auto [it, fresh] = first.emplace(std::pair(p.id(), p.target->name), p.selection_index);
    if (fresh || it->second == p.selection_index ||
        !said.insert({it->second, p.selection_index}).second)
      continue;
    const auto& other = cfg.journeys[it->second];
    errors.push_back(
        {p.selection->pos, "journeys[" + std::to_string(p.selection_index) + "].id",
         "runs '" + p.id() + "' on target " + p.target->name + ", as journeys[" +
             std::to_string(it->second) + "] does (" + other.pos.ToString() +
             "); their runs would be counted as one: give this one its own id, e.g. id: " +
             p.journey->name + "_" + std::to_string(p.selection_index)});
  }
}

}  // namespace

std::vector<config::ConfigError> CheckPlan(const config::ProberConfig& cfg,
                                           const scenarios::Catalog& catalog, CheckScope scope) {
  std::vector<config::ConfigError> errors;
  for (size_t i = 0; i < cfg.journeys.size(); ++i) {
    const auto& sel = cfg.journeys[i];
    const std::string field = "journeys[" + std::to_string(i) + "]";
    const scenarios::Journey* j = catalog.Find(sel.name);
    if (j == nullptr) {
      const std::string known = prober::JoinEach(
          catalog.journeys, ", ", [](const scenarios::Journey& x) { return x.name; });
      errors.push_back({sel.pos, field + ".name",
                        "no journey is named '" + sel.name + "'; known journeys: " + known});
      continue;
    }
    // Unknown or mistyped parameters of this entry; required ones may come from the plant or
    // the target, so those are checked on the merged set.
    for (auto& e : scenarios::CheckParams(*j, sel.params, sel.pos, field + ".params")) {
      if (e.message.find("requires parameter") == std::string::npos) errors.push_back(e);
    }
    if (scope == CheckScope::kEntries) continue;
    if (sel.timeout.value_or(j->timeout) > sel.interval) {
      errors.push_back({sel.pos, field + ".interval",
                        "journey " + j->name + " may take up to " +
                            std::to_string(sel.timeout.value_or(j->timeout).count() / 1000) +
                            "s (its timeout), longer than its interval of " +
                            std::to_string(sel.interval.count() / 1000) +
                            "s; runs would overlap: raise the interval or set a shorter timeout"});
    }
    for (const auto& t : cfg.targets) {
      if (!sel.targets.empty() &&
          std::find(sel.targets.begin(), sel.targets.end(), t.name) == sel.targets.end())
        continue;
      const json merged = ResolveParams(*j, cfg, sel, t);
      for (const auto& p : j->params) {
        if (p.required && !merged.contains(p.name)) {
          errors.push_back(
              {sel.pos, field + ".params." + p.name,
               "journey " + j->name + " requires parameter '" + p.name + "' on target " + t.name +
                   (p.description.empty() ? "" : " (" + p.description + ")") +
                   "; set it under this entry's params:, the plant's or the target's"});
        }
      }
    }
  }
  if (scope == CheckScope::kAll) CheckIds(cfg, catalog, errors);
  return errors;
}

}  // namespace odoo_prober::runners
