#include "config/objectives.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

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

}  // namespace odoo_prober::config
