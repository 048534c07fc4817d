// DependencyMetrics: the series of the dependency checks (config::DependencyConfig), in the
// instance's registry beside the journeys' (results/metrics.h). Per dependency, with labels
// dependency, region, plant, env, instance:
//   odoo_prober_dependency_up                    1 when its last check passed, else 0 (from
//                                                 its first check on)
//   odoo_prober_dependency_checks_total          checks made
//   odoo_prober_dependency_failures_total{reason} failed checks by outcome class (every reason
//                                                 at 0 from the start)
//   odoo_prober_dependency_duration_seconds      histogram of the checks' total time
//   odoo_prober_dependency_last_check_timestamp_seconds
//   odoo_prober_dependency_interval_seconds      for the rules (stale checks)
//   odoo_prober_dependency_in_maintenance        1 inside one of its maintenance windows
//   odoo_prober_dependency_info{kind, severity, services} = 1   (services: "a,b", for summaries)
//   odoo_prober_dependency_used_by{service} = 1  one per service that needs it (to join on: the
//                                                 shipped rules give OdooDependencyDown a
//                                                 `service` label per service, which the
//                                                 Alertmanager inhibitions match)
// A dependency a reload removes loses its series at once.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <string>
#include <vector>

#include "config/config.h"
#include "prober/mutex.h"
#include "results/dependency_result.h"

namespace odoo_prober::results {

class DependencyMetrics {
 public:
  DependencyMetrics(prometheus::Registry& registry, std::string instance);

  // A dependency this instance checks, where from.
  struct Declared {
    std::string name;
    prober::DependencyKind kind = prober::DependencyKind::kHttp;
    config::Labels labels;
    std::vector<std::string> used_by;
    bool page = true;
    std::chrono::milliseconds interval{60000};
  };
  // The dependencies checked now; the series of the others are removed.
  void Declare(const std::vector<Declared>& dependencies);
  void Observe(const DependencyResult& result);
  void SetInMaintenance(const std::string& dependency, bool on);

 private:
  using LabelMap = std::map<std::string, std::string>;
  struct Series {
    Declared declared;
    LabelMap labels;
    std::vector<LabelMap> info;  // the info and used_by series' labels
  };
  void Remove(const Series& s) REQUIRES(mu_);

  const std::string instance_;
  prometheus::Family<prometheus::Gauge>& up_;
  prometheus::Family<prometheus::Counter>& checks_;
  prometheus::Family<prometheus::Counter>& failures_;
  prometheus::Family<prometheus::Histogram>& duration_;
  prometheus::Family<prometheus::Gauge>& last_check_;
  prometheus::Family<prometheus::Gauge>& interval_;
  prometheus::Family<prometheus::Gauge>& maintenance_;
  prometheus::Family<prometheus::Gauge>& info_;
  prometheus::Family<prometheus::Gauge>& used_by_;
  prober::Mutex mu_;
  std::map<std::string, Series> series_ GUARDED_BY(mu_);  // by dependency name
};

}  // namespace odoo_prober::results
