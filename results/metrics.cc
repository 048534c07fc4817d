#include "results/metrics.h"

#include <prometheus/text_serializer.h>

#include <chrono>
#include <set>
#include <sstream>

namespace odoo_prober::results {

namespace {

// ERP latencies: 5 ms to 60 s.
const prometheus::Histogram::BucketBoundaries kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                          1,     2.5,  5,     10,   20,  30,   60};

// Scheduler lag: 1 ms to 10 s, finest around the 50 ms a healthy instance stays under.
const prometheus::Histogram::BucketBoundaries kLagBuckets = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

double Secs(int64_t us) { return static_cast<double>(us) / 1e6; }

// The metric families, registered by name and help.
prometheus::Family<prometheus::Histogram>& Histogram(prometheus::Registry& r, const char* name,
                                                     const char* help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(r);
}
prometheus::Family<prometheus::Counter>& Counter(prometheus::Registry& r, const char* name,
                                                 const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}
prometheus::Family<prometheus::Gauge>& Gauge(prometheus::Registry& r, const char* name,
                                             const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r);
}

}  // namespace

Metrics::Metrics(std::string instance, std::string version)
    : instance_(std::move(instance)),
      registry_(std::make_shared<prometheus::Registry>()),
      journey_duration_(Histogram(*registry_, "odoo_prober_journey_duration_seconds",
                                  "Duration of journey runs, cleanup excluded.")),
      step_duration_(Histogram(*registry_, "odoo_prober_step_duration_seconds",
                               "Duration of journey steps (all RPC calls of the step).")),
      phase_duration_(Histogram(
          *registry_, "odoo_prober_rpc_phase_duration_seconds",
          "Time of each phase of the RPC calls of a journey (dns, connect, tls, first_byte).")),
      runs_(Counter(*registry_, "odoo_prober_journey_runs_total",
                    "Journey runs, whatever their outcome.")),
      failures_(Counter(*registry_, "odoo_prober_journey_failures_total",
                        "Failed journey runs by reason (the outcome class, or cleanup).")),
      last_success_(Gauge(*registry_, "odoo_prober_journey_last_success_timestamp_seconds",
                          "When the journey last succeeded (unix time).")),
      journey_info_(Gauge(*registry_, "odoo_prober_journey_info",
                          "1 per journey, with the business service it proves.")),
      last_run_(Gauge(*registry_, "odoo_prober_journey_last_run_timestamp_seconds",
                      "When the journey last ended, whatever its outcome (unix time).")),
      slow_runs_(Counter(*registry_, "odoo_prober_journey_slow_runs_total",
                         "Journey runs that took longer than the latency objective.")),
      objective_availability_(
          Gauge(*registry_, "odoo_prober_journey_objective_availability_ratio",
                "Availability objective: the share of runs that should succeed.")),
      objective_latency_ratio_(
          Gauge(*registry_, "odoo_prober_journey_objective_latency_ratio",
                "Latency objective: the share of runs that should end within its threshold.")),
      objective_latency_seconds_(Gauge(*registry_, "odoo_prober_journey_objective_latency_seconds",
                                       "Latency objective: the threshold of a fast run.")),
      interval_(Gauge(*registry_, "odoo_prober_journey_interval_seconds",
                      "How often the journey runs on the target.")),
      skipped_(
          Counter(*registry_, "odoo_prober_runs_skipped_total",
                  "Scheduled runs skipped because the previous run of the pair was still going.")),
      maintenance_(Gauge(*registry_, "odoo_prober_journey_in_maintenance",
                         "1 while the target is in a maintenance window (the pair does not run).")),
      tls_not_after_(
          Gauge(*registry_, "odoo_prober_tls_cert_not_after_timestamp_seconds",
                "Earliest notAfter of the verified certificate chain of the target's endpoint.")),
      tls_findings_(
          Gauge(*registry_, "odoo_prober_tls_findings",
                "TLS findings of the target's endpoint at the last check, by severity and kind.")),
      lag_(Histogram(*registry_, "odoo_prober_scheduler_lag_seconds",
                     "How late runs started after their tick.")
               .Add({{"instance", instance_}}, kLagBuckets)),
      busy_(Gauge(*registry_, "odoo_prober_busy_workers", "Workers running a journey now.")
                .Add({{"instance", instance_}})),
      dropped_(Counter(*registry_, "odoo_prober_sink_dropped_total",
                       "Results a sink's full queue refused.")
                   .Add({{"instance", instance_}})),
      reloads_(Counter(*registry_, "odoo_prober_config_reloads_total",
                       "Configuration reloads applied (SIGHUP).")
                   .Add({{"instance", instance_}})),
      reload_failures_(Counter(*registry_, "odoo_prober_config_reload_failures_total",
                               "Configuration reloads refused because the new file was invalid.")
                           .Add({{"instance", instance_}})) {
  Gauge(*registry_, "odoo_prober_build_info", "The odoo-prober build.")
      .Add({{"instance", instance_}, {"version", version}})
      .Set(1);
}

void Metrics::SetInstanceInfo(const std::string& region, int replica,
                              const std::map<std::string, std::string>& labels) {
  std::map<std::string, std::string> all = {
      {"instance", instance_}, {"region", region}, {"replica", std::to_string(replica)}};
  for (const char* key : {"cloud", "zone", "country"}) {
    auto it = labels.find(key);
    all[key] = it == labels.end() ? "" : it->second;
  }
  auto& family = Gauge(*registry_, "odoo_prober_instance_info",
                       "Where this prober instance stands: its region, replica and the region's "
                       "cloud, zone and country.");
  if (instance_info_) family.Remove(instance_info_);
  instance_info_ = &family.Add(all);
  instance_info_->Set(1);
}

std::map<std::string, std::string> Metrics::PairLabels(const std::string& journey,
                                                       const std::string& target,
                                                       const config::Labels& labels) const {
  return {{"journey", journey},    {"target", target},  {"region", labels.region},
          {"plant", labels.plant}, {"env", labels.env}, {"instance", instance_}};
}

void Metrics::DeclarePair(const Pair& pair) {
  const auto base = PairLabels(pair.journey, pair.target, pair.labels);
  runs_.Add(base);
  slow_runs_.Add(base);
  objective_availability_.Add(base).Set(pair.objective.availability);
  objective_latency_ratio_.Add(base).Set(pair.objective.latency_ratio);
  objective_latency_seconds_.Add(base).Set(
      std::chrono::duration<double>(pair.objective.latency_under).count());
  // No interval for a one-shot run (pushed): the rules' stalled-prober alert needs none.
  if (pair.interval.count() > 0)
    interval_.Add(base).Set(std::chrono::duration<double>(pair.interval).count());
  {
    std::lock_guard lock(declared_mu_);
    declared_[{pair.journey, pair.target}] = {
        base, std::chrono::duration_cast<std::chrono::microseconds>(pair.objective.latency_under)
                  .count()};
  }
  auto reasons = prober::FailureOutcomeNames();
  reasons.push_back("cleanup");
  for (const auto reason : reasons) {
    auto with_reason = base;
    with_reason["reason"] = std::string(reason);
    failures_.Add(with_reason);
  }
  // Every journey has one, so that the rules' joins on it keep every journey's series.
  journey_info_
      .Add({{"journey", pair.journey},
            {"service", pair.service.empty() ? "unassigned" : pair.service},
            {"instance", instance_}})
      .Set(1);
}

void Metrics::DeclarePairs(const std::vector<Pair>& pairs) {
  std::set<std::pair<std::string, std::string>> now;
  for (const auto& p : pairs) {
    DeclarePair(p);
    now.insert({p.journey, p.target});
  }
  std::lock_guard lock(declared_mu_);
  for (auto it = declared_.begin(); it != declared_.end();) {
    if (now.count(it->first)) {
      ++it;
      continue;
    }
    interval_.Remove(&interval_.Add(it->second.labels));
    last_run_.Remove(&last_run_.Add(it->second.labels));
    it = declared_.erase(it);
  }
}

void Metrics::Observe(const JourneyResult& r) {
  const auto base = PairLabels(r.journey, r.target, r.labels);
  journey_duration_.Add(base, kBuckets).Observe(Secs(r.duration_us));
  runs_.Add(base).Increment();
  last_run_.Add(base).Set(
      std::chrono::duration<double>(
          (r.started_at + std::chrono::microseconds(r.duration_us)).time_since_epoch())
          .count());
  {
    std::lock_guard lock(declared_mu_);
    auto it = declared_.find({r.journey, r.target});
    if (it != declared_.end() && r.duration_us > it->second.latency_under_us)
      slow_runs_.Add(base).Increment();
  }
  if (!r.ok()) {
    auto labels = base;
    labels["reason"] = std::string(prober::OutcomeName(r.outcome));
    failures_.Add(labels).Increment();
  } else if (!r.CleanedUp()) {
    auto labels = base;
    labels["reason"] = "cleanup";
    failures_.Add(labels).Increment();
  } else {
    last_success_.Add(base).Set(
        std::chrono::duration<double>(
            (r.started_at + std::chrono::microseconds(r.duration_us)).time_since_epoch())
            .count());
  }
  for (const auto& s : r.steps) {
    auto labels = base;
    labels["step"] = s.name;
    step_duration_.Add(labels, kBuckets).Observe(Secs(s.timings.total_us));
    for (const auto& [phase, us] : {std::pair<const char*, int64_t>{"dns", s.timings.dns_us},
                                    {"connect", s.timings.connect_us},
                                    {"tls", s.timings.tls_us},
                                    {"first_byte", s.timings.first_byte_us}}) {
      auto pl = base;
      pl["phase"] = phase;
      phase_duration_.Add(pl, kBuckets).Observe(Secs(us));
    }
  }
}

void Metrics::ObserveTls(const TlsReport& r) {
  std::map<std::string, std::string> base = {{"target", r.target},
                                             {"region", r.labels.region},
                                             {"plant", r.labels.plant},
                                             {"env", r.labels.env},
                                             {"instance", instance_}};
  if (const int64_t expiry = ChainExpiry(r.inspection); expiry > 0) {
    tls_not_after_.Add(base).Set(static_cast<double>(expiry));
  }
  std::map<std::map<std::string, std::string>, int> counts;
  for (const auto& f : r.findings) {
    auto labels = base;
    labels["severity"] = std::string(SeverityName(f.severity));
    labels["kind"] = f.kind;
    ++counts[labels];
  }
  std::lock_guard lock(tls_mu_);
  // Findings that went away fall back to 0 (the series stays, so alerts resolve).
  for (const auto& old : tls_series_[r.endpoint]) tls_findings_.Add(old).Set(0);
  tls_series_[r.endpoint].clear();
  for (const auto& [labels, n] : counts) {
    tls_findings_.Add(labels).Set(n);
    tls_series_[r.endpoint].push_back(labels);
  }
}

void Metrics::ObserveSchedulerLag(double seconds) { lag_.Observe(seconds); }
void Metrics::SetBusyWorkers(int busy) { busy_.Set(busy); }
void Metrics::AddSkipped(const std::string& journey, const std::string& target,
                         const config::Labels& labels, uint64_t n) {
  skipped_.Add(PairLabels(journey, target, labels)).Increment(static_cast<double>(n));
}
void Metrics::SetInMaintenance(const std::string& journey, const std::string& target,
                               const config::Labels& labels, bool on) {
  maintenance_.Add(PairLabels(journey, target, labels)).Set(on ? 1 : 0);
}
void Metrics::SinkDropped() { dropped_.Increment(); }
void Metrics::ConfigReload(bool ok) { (ok ? reloads_ : reload_failures_).Increment(); }

std::string Metrics::Serialize() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

namespace {

class MetricsSink final : public ResultSink {
 public:
  explicit MetricsSink(Metrics& m) : metrics_(m) {}
  prober::Status Write(const JourneyResult& r) override {
    metrics_.Observe(r);
    return prober::Status::Ok();
  }
  prober::Status WriteTls(const TlsReport& r) override {
    metrics_.ObserveTls(r);
    return prober::Status::Ok();
  }
  std::string name() const override { return "metrics"; }

 private:
  Metrics& metrics_;
};

}  // namespace

std::unique_ptr<ResultSink> CreateMetricsSink(Metrics& metrics) {
  return std::make_unique<MetricsSink>(metrics);
}

}  // namespace odoo_prober::results
