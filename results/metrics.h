// Metrics: the prober's Prometheus metrics, named as in docs/architecture.md ("The metric names")
// with the odoo_prober_ prefix: the instance's in prometheus-cpp (core), the journey x target
// pairs' in a compact store of their own, written into the same exposition. Labels come only from
// the closed set journey, step, target, region, plant, instance, reason, phase, env, and model on
// the leftovers (build_info adds `version` and journey_info `service` and `definition`, as
// Prometheus' convention for info metrics has it); the dependencies' series add `dependency`
// (dependency_metrics.h).
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "prober/mutex.h"
#include "results/change_metrics.h"
#include "results/dependency_metrics.h"
#include "results/journey_result.h"
#include "results/sink.h"
#include "results/tls_findings.h"

namespace odoo_prober::results {

class Metrics {
 public:
  Metrics(std::string instance, std::string version);
  ~Metrics();

  // A configured journey x target pair, as the daemon schedules it.
  struct Pair {
    std::string journey, target;
    config::Labels labels;
    std::string service;  // "" when the journey declares none
    config::Objective objective;
    std::chrono::milliseconds interval{60000};  // 0: not scheduled (a one-shot run)
    bool step_histograms = false;               // buckets per step, not only count and sum
    std::string definition{};                   // the journey definition's name; "": `journey`
  };
  // Its runs, slow runs and failures for every reason exist from the first scrape, at 0, so
  // that ratios over them are never empty; its objectives (window and min_failures included)
  // and interval are exported for the shipped rules; and the pair's business service, as
  // odoo_prober_journey_info{<the pair's labels>, service, definition} (to join on one-to-one,
  // not a label on every series; "unassigned" when none). Successful runs slower than the
  // latency objective count in odoo_prober_journey_slow_runs_total from then on (the latency
  // SLI is over successful runs: a failed run burns the error budget only).
  void DeclarePair(const Pair& pair);
  // DeclarePair for each of the pairs the daemon now schedules; the series of pairs declared
  // before and no longer scheduled (a reload) are gone from the next scrape (Prometheus marks
  // them stale: nothing frozen is left for the rules to take for a stalled prober), and a run
  // of theirs that ends afterwards is not counted.
  void DeclarePairs(const std::vector<Pair>& pairs);
  // Where this instance stands: odoo_prober_instance_info{instance, region, replica, cloud,
  // zone, country} = 1 (to join on; the region's labels are not on every series).
  void SetInstanceInfo(const std::string& region, int replica,
                       const std::map<std::string, std::string>& labels);
  // Counts and times one run (runs, failures by reason, durations, phases, last success).
  // The series budget per pair: the journey's duration histogram (buckets 0.1 s to 30 s and
  // the pair's latency objective), each step's count and total time (its histogram only with
  // Pair::step_histograms), the time of each RPC phase summed over the run (counters, one per
  // phase), counters and gauges; about 40 series for a two-step journey.
  void Observe(const JourneyResult& result);
  // The endpoint's chain expiry and its findings by severity and kind (issue: TLS findings).
  void ObserveTls(const TlsReport& report);
  // Self-metrics. The scheduler's lag (how late a run started after its tick) is a histogram,
  // one observation per run started, so that its p99 can be read (histogram_quantile).
  void ObserveSchedulerLag(double seconds);
  void SetBusyWorkers(int busy);
  void AddSkipped(const std::string& journey, const std::string& target,
                  const config::Labels& labels, uint64_t n);
  void SetInMaintenance(const std::string& journey, const std::string& target,
                        const config::Labels& labels, bool on);
  // A result lost for `sink`: reason "queue_full" or "write_failed". Every reason of a sink
  // is exported at 0 from DeclareSink on, so that increase() sees the first drop.
  void DeclareSink(const std::string& sink);
  void SinkDropped(const std::string& sink, const std::string& reason);
  void ConfigReload(bool ok);
  // The probe records whose cleanup failed, as the daemon keeps them (runners/engine/leftovers.h):
  // odoo_prober_leftover_records{target, model} (a (target, model) that had some stays at 0
  // once they are cleaned up, so the alert resolves), the oldest one's start as
  // odoo_prober_leftover_oldest_timestamp_seconds (only while there is one), and
  // odoo_prober_leftover_dropped_total (leftovers beyond the bound, left to sweep).
  void SetLeftovers(const std::vector<LeftoverRecord>& records);
  void LeftoversDropped(uint64_t n);
  // How long a leftover may stay before OdooProberLeftoverRecords (the config's
  // leftovers.alert_after), as odoo_prober_leftover_alert_after_seconds.
  void SetLeftoverAlertAfter(std::chrono::milliseconds after);

  // The dependency checks' series (dependency_metrics.h), in the same registry.
  DependencyMetrics& dependencies() { return *dependencies_; }
  // What changed on the targets (change_metrics.h), in the same registry.
  ChangeMetrics& changes() { return *changes_; }

  // The Prometheus text exposition of everything.
  std::string Serialize() const;

 private:
  std::map<std::string, std::string> PairLabels(const std::string& journey,
                                                const std::string& target,
                                                const config::Labels& labels) const;
  struct PairSeries;
  // The pair's series, made (undeclared) on first use.
  PairSeries& SeriesOf(const std::string& journey, const std::string& target,
                       const config::Labels& labels) REQUIRES(pairs_mu_);
  void AppendPairFamilies(std::string& out) const REQUIRES(pairs_mu_);
  // Its two halves: what the runs counted, then the pairs' state and objectives (`Writer`
  // writes one family over every pair; results/metrics.cc).
  template <typename Writer>
  static void AppendRunFamilies(Writer& w);
  template <typename Writer>
  static void AppendStateFamilies(Writer& w);

  const std::string instance_;
  std::shared_ptr<prometheus::Registry> registry_;
  // The series of every journey x target pair (the bulk of a large instance's metrics) are
  // kept here, a few hundred bytes a pair, and written by Serialize() directly: prometheus-cpp
  // costs a label map per series and copies every series at each scrape.
  mutable prober::Mutex pairs_mu_;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<PairSeries>> pairs_
      GUARDED_BY(pairs_mu_);
  // Pairs a reload removed: their late runs are not counted.
  std::set<std::pair<std::string, std::string>> retired_ GUARDED_BY(pairs_mu_);
  mutable size_t last_pairs_bytes_ GUARDED_BY(pairs_mu_) = 0;  // their last exposition's size
  prometheus::Gauge* instance_info_ = nullptr;  // odoo_prober_instance_info, once set
  prometheus::Family<prometheus::Gauge>& tls_not_after_;
  prometheus::Family<prometheus::Gauge>& tls_findings_;
  prober::Mutex tls_mu_;
  std::map<std::string, std::vector<std::map<std::string, std::string>>> tls_series_
      GUARDED_BY(tls_mu_);  // by endpoint
  prometheus::Histogram& lag_;
  prometheus::Gauge& busy_;
  prometheus::Family<prometheus::Counter>& dropped_;
  prometheus::Family<prometheus::Gauge>& leftovers_;
  prometheus::Family<prometheus::Gauge>& leftover_oldest_;
  prometheus::Counter& leftovers_dropped_;
  prometheus::Gauge& leftover_alert_after_;
  prober::Mutex leftovers_mu_;
  // Every (target, model) that had leftovers, with its labels and its oldest gauge (or null).
  std::map<std::pair<std::string, std::string>,
           std::pair<std::map<std::string, std::string>, prometheus::Gauge*>>
      leftover_series_ GUARDED_BY(leftovers_mu_);
  std::unique_ptr<DependencyMetrics> dependencies_;
  std::unique_ptr<ChangeMetrics> changes_;
  prometheus::Counter& reloads_;
  prometheus::Counter& reload_failures_;
};

// A sink that feeds Metrics::Observe (so the runner never waits on metrics either).
std::unique_ptr<ResultSink> CreateMetricsSink(Metrics& metrics);

}  // namespace odoo_prober::results
