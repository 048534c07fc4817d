// ChangeMetrics: what `run` saw change on its targets (results/change_event.h), in the
// instance's registry beside the journeys' (results/metrics.h). Per target, with labels target,
// region, plant, env, instance:
//   odoo_prober_target_changes_total{kind}               changes seen, every kind at 0 from the
//                                                        start
//   odoo_prober_target_last_change_timestamp_seconds     when the last one was seen (from the
//                                                        first on)
//   odoo_prober_target_info{server_version} = 1          the version the last reading found
//   odoo_prober_target_fingerprint_failures_total        readings that failed (said, not events)
// A target a reload removes loses its series.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <map>
#include <string>
#include <vector>

#include "config/config.h"
#include "prober/mutex.h"
#include "results/change_event.h"

namespace odoo_prober::results {

class ChangeMetrics {
 public:
  ChangeMetrics(prometheus::Registry& registry, std::string instance);
  // The targets watched now (name and labels); the series of the others are removed.
  void Declare(const std::vector<std::pair<std::string, config::Labels>>& targets);
  void Observe(const ChangeEvent& event);
  void SetServerVersion(const std::string& target, const std::string& version);
  void FingerprintFailed(const std::string& target);

 private:
  using LabelMap = std::map<std::string, std::string>;
  struct Series {
    LabelMap labels;
    std::string version;  // in target_info; "" none yet
  };
  void Remove(const Series& s) REQUIRES(mu_);

  const std::string instance_;
  prometheus::Family<prometheus::Counter>& changes_;
  prometheus::Family<prometheus::Gauge>& last_change_;
  prometheus::Family<prometheus::Gauge>& info_;
  prometheus::Family<prometheus::Counter>& failures_;
  prober::Mutex mu_;
  std::map<std::string, Series> series_ GUARDED_BY(mu_);  // by target
};

}  // namespace odoo_prober::results
