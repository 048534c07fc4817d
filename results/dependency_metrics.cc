#include "results/dependency_metrics.h"

#include <chrono>

#include "prober/outcome.h"
#include "prober/text.h"

namespace odoo_prober::results {
namespace {

const prometheus::Histogram::BucketBoundaries kBuckets = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

template <typename Builder>
auto& Family(Builder builder, prometheus::Registry& r, const char* name, const char* help) {
  return builder.Name(name).Help(help).Register(r);
}

}  // namespace

DependencyMetrics::DependencyMetrics(prometheus::Registry& r, std::string instance)
    : instance_(std::move(instance)),
      up_(Family(prometheus::BuildGauge(), r, "odoo_prober_dependency_up",
                 "1 when the dependency's last check passed, else 0.")),
      checks_(Family(prometheus::BuildCounter(), r, "odoo_prober_dependency_checks_total",
                     "Checks of the dependency made.")),
      failures_(Family(prometheus::BuildCounter(), r, "odoo_prober_dependency_failures_total",
                       "Failed checks of the dependency, by outcome class.")),
      duration_(Family(prometheus::BuildHistogram(), r, "odoo_prober_dependency_duration_seconds",
                       "How long the dependency's checks took.")),
      last_check_(Family(prometheus::BuildGauge(), r,
                         "odoo_prober_dependency_last_check_timestamp_seconds",
                         "When the dependency was last checked.")),
      interval_(Family(prometheus::BuildGauge(), r, "odoo_prober_dependency_interval_seconds",
                       "How often the dependency is checked.")),
      maintenance_(Family(prometheus::BuildGauge(), r, "odoo_prober_dependency_in_maintenance",
                          "1 while the dependency is inside one of its maintenance windows.")),
      info_(Family(prometheus::BuildGauge(), r, "odoo_prober_dependency_info",
                   "The dependency's kind, severity and the services that need it (joined).")),
      used_by_(Family(prometheus::BuildGauge(), r, "odoo_prober_dependency_used_by",
                      "One series per business service that needs the dependency.")) {}

void DependencyMetrics::Remove(const Series& s) {
  up_.Remove(&up_.Add(s.labels));
  checks_.Remove(&checks_.Add(s.labels));
  for (auto reason : prober::FailureOutcomeNames()) {
    auto labels = s.labels;
    labels["reason"] = std::string(reason);
    failures_.Remove(&failures_.Add(labels));
  }
  duration_.Remove(&duration_.Add(s.labels, kBuckets));
  last_check_.Remove(&last_check_.Add(s.labels));
  interval_.Remove(&interval_.Add(s.labels));
  maintenance_.Remove(&maintenance_.Add(s.labels));
  info_.Remove(&info_.Add(s.info.front()));
  for (size_t i = 1; i < s.info.size(); ++i) used_by_.Remove(&used_by_.Add(s.info[i]));
}

void DependencyMetrics::Declare(const std::vector<Declared>& dependencies) {
  prober::MutexLock lock(mu_);
  std::map<std::string, Series> next;
  for (const auto& d : dependencies) {
    Series s;
    s.declared = d;
    s.labels = {{"dependency", d.name},
                {"region", d.labels.region},
                {"plant", d.labels.plant},
                {"env", d.labels.env},
                {"instance", instance_}};
    auto info = s.labels;
    info["kind"] = std::string(prober::DependencyKindName(d.kind));
    info["severity"] = d.page ? "page" : "ticket";
    info["services"] = prober::Join(d.used_by, ",");
    s.info.push_back(info);
    for (const auto& service : d.used_by) {
      auto u = s.labels;
      u["service"] = service;
      s.info.push_back(u);
    }
    auto old = series_.find(d.name);
    if (old != series_.end() && (old->second.labels != s.labels || old->second.info != s.info)) {
      Remove(old->second);
    }
    // `up` and the last check's time appear with the first check: no dependency shows down
    // before it was checked.
    checks_.Add(s.labels);
    for (auto reason : prober::FailureOutcomeNames()) {
      auto labels = s.labels;
      labels["reason"] = std::string(reason);
      failures_.Add(labels);
    }
    duration_.Add(s.labels, kBuckets);
    interval_.Add(s.labels).Set(std::chrono::duration<double>(d.interval).count());
    maintenance_.Add(s.labels);
    info_.Add(s.info.front()).Set(1);
    for (size_t i = 1; i < s.info.size(); ++i) used_by_.Add(s.info[i]).Set(1);
    next[d.name] = std::move(s);
  }
  for (const auto& [name, s] : series_)
    if (!next.count(name)) Remove(s);
  series_ = std::move(next);
}

void DependencyMetrics::Observe(const DependencyResult& r) {
  if (r.cancelled) return;  // the prober's own stop says nothing of the dependency
  prober::MutexLock lock(mu_);
  auto it = series_.find(r.dependency);
  if (it == series_.end()) return;  // removed by a reload meanwhile
  const auto& labels = it->second.labels;
  up_.Add(labels).Set(r.ok() ? 1 : 0);
  checks_.Add(labels).Increment();
  if (!r.ok()) {
    auto l = labels;
    l["reason"] = std::string(prober::OutcomeName(r.outcome.outcome));
    failures_.Add(l).Increment();
  }
  duration_.Add(labels, kBuckets).Observe(static_cast<double>(r.outcome.timings.total_us) / 1e6);
  last_check_.Add(labels).Set(
      std::chrono::duration<double>(r.started_at.time_since_epoch()).count());
}

void DependencyMetrics::SetInMaintenance(const std::string& dependency, bool on) {
  prober::MutexLock lock(mu_);
  auto it = series_.find(dependency);
  if (it != series_.end()) maintenance_.Add(it->second.labels).Set(on ? 1 : 0);
}

}  // namespace odoo_prober::results
