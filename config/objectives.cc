#include "config/objectives.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace odoo_prober::config {

namespace {

std::string Percent(double share) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g%%", share * 100);
  return buf;
}

std::string Days(std::chrono::hours window) { return std::to_string(window.count() / 24) + "d"; }

// The lowest objective whose budget lets `tier` fire (its threshold below 100 % of runs),
// rounded up to a tenth of a percent.
std::string LowestReachable(const BurnTier& tier, std::chrono::hours window) {
  const double budget = 1 / BurnFactor(tier, window);
  return Percent(std::ceil((1 - budget) * 1000 + 1e-9) / 1000);
}

}  // namespace

const std::vector<BurnTier>& BurnTiers() {
  using std::chrono::hours, std::chrono::minutes;
  static const std::vector<BurnTier> tiers = {{"page 1h", 0.02, hours(1), minutes(5), true},
                                              {"page 6h", 0.05, hours(6), minutes(30), true},
                                              {"ticket 1d", 0.10, hours(24), minutes(120), false},
                                              {"ticket 3d", 0.10, hours(72), minutes(360), false}};
  return tiers;
}

double BurnFactor(const BurnTier& tier, std::chrono::hours window) {
  return tier.budget_share * static_cast<double>(window.count()) /
         static_cast<double>(tier.long_window.count());
}

std::vector<std::string> UnreachableBurnAlerts(const Objective& o) {
  std::vector<std::string> out;
  for (const auto& tier : BurnTiers()) {
    const double factor = BurnFactor(tier, o.window);
    const double error_threshold = factor * (1 - o.availability);
    const double slow_threshold = factor * (1 - o.latency_ratio);
    // A ratio of runs can reach 100 %, never more; the rules compare with '>'.
    if (error_threshold >= 1) {
      out.push_back("availability " + Percent(o.availability) + " over " + Days(o.window) +
                    ": the " + tier.name + " error-budget alert would need more than " +
                    Percent(error_threshold) + " of runs to fail, so it can never fire; use an " +
                    "availability of at least " + LowestReachable(tier, o.window));
    }
    if (slow_threshold >= 1) {
      out.push_back("latency ratio " + Percent(o.latency_ratio) + " over " + Days(o.window) +
                    ": the " + tier.name + " latency-budget alert would need more than " +
                    Percent(slow_threshold) + " of runs to be slow, so it can never fire; use " +
                    "a ratio of at least " + LowestReachable(tier, o.window));
    }
  }
  return out;
}

std::string SingleFailureWarning(const Objective& o, std::chrono::milliseconds interval) {
  const auto& fast = BurnTiers().front();
  const double runs_per_window = std::max(1.0, std::chrono::duration<double>(fast.long_window) /
                                                   std::chrono::duration<double>(interval));
  const double one = 1 / runs_per_window;
  const double threshold = BurnFactor(fast, o.window) * (1 - o.availability);
  if (one <= threshold || threshold >= 1) return "";
  const double slowest = std::chrono::duration<double>(fast.long_window).count() * threshold;
  const double highest = 1 - one / BurnFactor(fast, o.window);
  return "one failed run in an hour, at a run every " +
         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(interval).count()) +
         "s, is " + Percent(one) + " of the runs, above the fast page's burn threshold (" +
         Percent(threshold) + " for availability " + Percent(o.availability) + " over " +
         Days(o.window) + "): only objectives.min_failures (" + std::to_string(o.min_failures) +
         ") keeps a single failure from paging; run it at least every " +
         std::to_string(static_cast<long>(std::floor(slowest))) +
         "s, or set an availability of at most " + Percent(std::floor(highest * 1e4) / 1e4);
}

namespace {

using namespace std::chrono_literals;

// "99.5%" or 0.995: a share strictly between 0 and 1 (100% would leave no error budget).
std::optional<double> Percent(YamlReader& reader, const YAML::Node& v, const std::string& field) {
  const std::string how = "must be a share below 100%, e.g. 99.5% or 0.995";
  if (!v.IsScalar()) {
    reader.Error(v, field, how);
    return std::nullopt;
  }
  std::string text = v.Scalar();
  const bool percent = !text.empty() && text.back() == '%';
  if (percent) text.pop_back();
  double value = 0;
  try {
    size_t used = 0;
    value = std::stod(text, &used);
    if (used != text.size()) throw std::invalid_argument(text);
  } catch (const std::exception&) {
    reader.Error(v, field, how);
    return std::nullopt;
  }
  if (percent) value /= 100;
  if (!(value > 0 && value < 1)) {
    reader.Error(v, field, how);
    return std::nullopt;
  }
  return value;
}

// availability, latency: {under, ratio} and window of one objective, over `o`'s values.
void LoadObjective(YamlReader& reader, YamlReader::Fields& f, Objective& o) {
  if (f.Has("availability")) {
    if (auto r = Percent(reader, f.Value("availability"), f.Sub("availability")))
      o.availability = *r;
  }
  if (f.Has("latency")) {
    auto l = reader.Map(f.Value("latency"), f.Sub("latency"), {"under", "ratio"});
    if (l) {
      if (auto d = l->Duration("under", 1ms, 10min, "3s")) o.latency_under = *d;
      if (l->Has("ratio")) {
        if (auto r = Percent(reader, l->Value("ratio"), l->Sub("ratio"))) o.latency_ratio = *r;
      }
    }
  }
  if (auto d = f.Duration("window", 1h, 24h * 366, "28d")) {
    if (*d == 24h * 7 || *d == 24h * 28 || *d == 24h * 30) {
      o.window = std::chrono::duration_cast<std::chrono::hours>(*d);
    } else {
      reader.Error(f.Value("window"), f.Sub("window"),
                   "must be 7d, 28d or 30d: the shipped rules record the remaining error budget "
                   "over these windows");
    }
  }
  if (auto n = f.Integer("min_failures", 1, 1000)) o.min_failures = static_cast<int>(*n);
}

}  // namespace

// The `objectives:` section: the defaults, then per journey id over them; an unreachable burn
// alert is warned once where its objective is written.
void ReadObjectives(YamlReader& reader, const YAML::Node& node, ProberConfig& cfg,
                    const KnownJourney& known) {
  auto m = reader.Map(node, "objectives",
                      {"availability", "latency", "window", "min_failures", "journeys"});
  if (!m) return;
  LoadObjective(reader, *m, cfg.objectives.defaults);
  const auto inherited = UnreachableBurnAlerts(cfg.objectives.defaults);
  for (const auto& problem : inherited) reader.Warn(node, "objectives", problem);
  if (!m->Has("journeys")) return;
  const YAML::Node journeys = m->Value("journeys");
  if (!journeys.IsMap()) {
    reader.Error(journeys, "objectives.journeys",
                 "must map journey names to objectives, e.g. goods_receipt: {availability: 99%}");
    return;
  }
  for (const auto& entry : journeys) {
    const std::string name = entry.first.Scalar();
    if (!known(entry.first, "objectives.journeys." + name)) continue;
    auto j = reader.Map(entry.second, "objectives.journeys." + name,
                        {"availability", "latency", "window", "min_failures"});
    if (!j) continue;
    Objective o = cfg.objectives.defaults;
    LoadObjective(reader, *j, o);
    for (const auto& problem : UnreachableBurnAlerts(o)) {
      if (std::find(inherited.begin(), inherited.end(), problem) == inherited.end())
        reader.Warn(entry.second, "objectives.journeys." + name, problem);
    }
    cfg.objectives.journeys[name] = o;
  }
}

}  // namespace odoo_prober::config
