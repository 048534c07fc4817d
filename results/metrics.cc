#include "results/metrics.h"

#include <prometheus/text_serializer.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <set>
#include <sstream>

namespace odoo_prober::results {

namespace {

// Step latencies, when a journey asks for their histograms: 5 ms to 60 s.
const std::vector<double> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
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
                       "Results lost for a sink: its queue was full, or it failed to store them "
                       "(a full disk).")),
      leftovers_(Gauge(*registry_, "odoo_prober_leftover_records",
                       "Probe records whose cleanup failed, kept and retried by this instance.")),
      leftover_oldest_(Gauge(*registry_, "odoo_prober_leftover_oldest_timestamp_seconds",
                             "When the cleanup of the oldest leftover record first failed.")),
      leftovers_dropped_(Counter(*registry_, "odoo_prober_leftover_dropped_total",
                                 "Leftover records beyond leftovers.max_records, not kept (sweep "
                                 "finds them by their tag).")
                             .Add({{"instance", instance_}})),
      leftover_alert_after_(
          Gauge(*registry_, "odoo_prober_leftover_alert_after_seconds",
                "How long a leftover record may stay before OdooProberLeftoverRecords.")
              .Add({{"instance", instance_}})),
      dependencies_(std::make_unique<DependencyMetrics>(*registry_, instance_)),
      changes_(std::make_unique<ChangeMetrics>(*registry_, instance_)),
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

// ---- The series of the journey x target pairs ----

namespace {

// Journey durations: the coarse steps ERP journeys take, and each pair's latency objective
// (DeclarePair adds it, so that the histogram answers the latency SLI exactly too).
const std::vector<double> kJourneyBuckets = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

constexpr std::array<const char*, 4> kPhaseNames = {"dns", "connect", "tls", "first_byte"};

// The failure reasons, in the order of PairSeries::failures: the outcome classes, then cleanup.
const std::vector<std::string>& Reasons() {
  static const std::vector<std::string> reasons = [] {
    std::vector<std::string> r;
    for (const auto name : prober::FailureOutcomeNames()) r.emplace_back(name);
    r.emplace_back("cleanup");
    return r;
  }();
  return reasons;
}
size_t ReasonIndex(std::string_view reason) {
  const auto& all = Reasons();
  return static_cast<size_t>(std::find(all.begin(), all.end(), reason) - all.begin());
}

// A label value as the text format has it: backslash, double quote and new line escaped.
std::string EscapeLabel(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (const char c : v) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out;
}

void AppendNumber(std::string& out, double v) {
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}
void AppendNumber(std::string& out, uint64_t v) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

// A histogram: per-bucket counts (bounds ascending, +Inf last) and the sum.
struct Hist {
  std::vector<double> bounds;
  std::vector<uint64_t> counts = {0};
  double sum = 0;
  void SetBounds(std::vector<double> b) {
    if (b == bounds) return;
    bounds = std::move(b);  // new buckets: the histogram starts again (a counter reset)
    counts.assign(bounds.size() + 1, 0);
    sum = 0;
  }
  void Observe(double v) {
    ++counts[static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), v) -
                                 bounds.begin())];
    sum += v;
  }
};

std::vector<double> JourneyBuckets(int64_t objective_us) {
  auto b = kJourneyBuckets;
  const double objective = static_cast<double>(objective_us) / 1e6;
  if (objective > 0 && std::find(b.begin(), b.end(), objective) == b.end()) {
    b.insert(std::upper_bound(b.begin(), b.end(), objective), objective);
  }
  return b;
}

}  // namespace

struct Metrics::PairSeries {
  // Its labels, written once: `env="…",instance="…",…,target="…",` (sorted by name, values
  // escaped), and where each begins, so that a family's own label goes in its sorted place.
  std::string labels;
  std::vector<std::pair<std::string, uint32_t>> starts;
  bool declared = false;  // DeclarePair'd: objectives and every failure reason exported
  bool step_histograms = false;
  double availability = 0, latency_ratio = 0, latency_seconds = 0, interval_seconds = 0;
  double window_seconds = 0, min_failures = 0;
  int64_t latency_under_us = 0;
  // odoo_prober_journey_info's labels: the pair's, its service and its journey definition's
  // name (sorted, escaped, each followed by ','); set by DeclarePair.
  std::string info_labels;
  uint64_t runs = 0, slow_runs = 0;
  uint64_t skipped = 0;         // exported once a run was skipped
  bool in_maintenance = false;  // exported for the scheduled pairs
  std::vector<uint64_t> failures = std::vector<uint64_t>(Reasons().size(), 0);
  double last_run = 0, last_success = 0;  // unix time; 0: not yet
  Hist duration;
  std::array<double, kPhaseNames.size()> phase_seconds{};
  struct Step {
    std::string name;  // escaped
    Hist hist;         // no bounds (only +Inf) unless step_histograms
  };
  std::vector<Step> steps;  // in the order first seen
};

Metrics::~Metrics() = default;

namespace {

// name{labels} with `extra` in its sorted place and `le` last, as prometheus-cpp writes them.
void AppendName(std::string& out, std::string_view name, const std::string& labels,
                const std::vector<std::pair<std::string, uint32_t>>& starts,
                std::string_view extra_name = {}, std::string_view extra_value = {},
                const std::string* le = nullptr) {
  out += name;
  out += '{';
  if (extra_name.empty()) {
    out += labels;
  } else {
    size_t at = labels.size();
    for (const auto& [label, start] : starts) {
      if (extra_name < label) {
        at = start;
        break;
      }
    }
    out.append(labels, 0, at);
    out.append(extra_name).append("=\"").append(extra_value).append("\",");
    out.append(labels, at);
  }
  if (le) out.append("le=\"").append(*le).append("\",");
  out.back() = '}';
  out += ' ';
}

void AppendHeader(std::string& out, std::string_view name, std::string_view type,
                  std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n# TYPE ");
  out.append(name).append(" ").append(type).append("\n");
}

void AppendHistogram(std::string& out, std::string_view name, const std::string& labels,
                     const std::vector<std::pair<std::string, uint32_t>>& starts, const Hist& h,
                     std::string_view extra_name = {}, std::string_view extra_value = {}) {
  const std::string bucket = std::string(name) + "_bucket";
  uint64_t cumulative = 0;
  std::string le;
  for (size_t i = 0; i <= h.bounds.size(); ++i) {
    cumulative += h.counts[i];
    le.clear();
    if (i < h.bounds.size()) {
      AppendNumber(le, h.bounds[i]);
    } else {
      le = "+Inf";
    }
    AppendName(out, bucket, labels, starts, extra_name, extra_value, &le);
    AppendNumber(out, cumulative);
    out += '\n';
  }
  AppendName(out, std::string(name) + "_sum", labels, starts, extra_name, extra_value);
  AppendNumber(out, h.sum);
  out += '\n';
  AppendName(out, std::string(name) + "_count", labels, starts, extra_name, extra_value);
  AppendNumber(out, cumulative);
  out += '\n';
}

double UnixSeconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

Metrics::PairSeries& Metrics::SeriesOf(const std::string& journey, const std::string& target,
                                       const config::Labels& labels) {
  auto& slot = pairs_[{journey, target}];
  if (!slot) {
    slot = std::make_unique<PairSeries>();
    for (const auto& [k, v] : PairLabels(journey, target, labels)) {
      // A std::map: already sorted by name.
      slot->starts.emplace_back(k, static_cast<uint32_t>(slot->labels.size()));
      slot->labels.append(k).append("=\"").append(EscapeLabel(v)).append("\",");
    }
    slot->duration.SetBounds(kJourneyBuckets);
  }
  return *slot;
}

void Metrics::DeclarePair(const Pair& pair) {
  {
    prober::MutexLock lock(pairs_mu_);
    retired_.erase({pair.journey, pair.target});
    auto& p = SeriesOf(pair.journey, pair.target, pair.labels);
    p.declared = true;
    p.availability = pair.objective.availability;
    p.latency_ratio = pair.objective.latency_ratio;
    p.latency_seconds = std::chrono::duration<double>(pair.objective.latency_under).count();
    p.latency_under_us =
        std::chrono::duration_cast<std::chrono::microseconds>(pair.objective.latency_under).count();
    // No interval for a one-shot run (pushed): the rules' stalled-prober alert needs none.
    p.interval_seconds = std::chrono::duration<double>(pair.interval).count();
    p.window_seconds = std::chrono::duration<double>(pair.objective.window).count();
    p.min_failures = pair.objective.min_failures;
    // Every pair has one, so that the rules' joins on it keep every pair's series: one-to-one,
    // whatever service the same journey proves on another target.
    auto info = PairLabels(pair.journey, pair.target, pair.labels);
    info["service"] = pair.service.empty() ? "unassigned" : pair.service;
    info["definition"] = pair.definition.empty() ? pair.journey : pair.definition;
    p.info_labels.clear();
    for (const auto& [k, v] : info)
      p.info_labels.append(k).append("=\"").append(EscapeLabel(v)).append("\",");
    p.duration.SetBounds(JourneyBuckets(p.latency_under_us));
    if (p.step_histograms != pair.step_histograms) {
      p.step_histograms = pair.step_histograms;
      for (auto& s : p.steps) {
        s.hist.SetBounds(pair.step_histograms ? kBuckets : std::vector<double>{});
      }
    }
  }
}

void Metrics::DeclarePairs(const std::vector<Pair>& pairs) {
  std::set<std::pair<std::string, std::string>> now;
  for (const auto& p : pairs) {
    DeclarePair(p);
    now.insert({p.journey, p.target});
  }
  prober::MutexLock lock(pairs_mu_);
  for (auto it = pairs_.begin(); it != pairs_.end();) {
    if (now.count(it->first)) {
      ++it;
      continue;
    }
    retired_.insert(it->first);
    it = pairs_.erase(it);
  }
}

void Metrics::Observe(const JourneyResult& r) {
  const double end = UnixSeconds(r.started_at + std::chrono::microseconds(r.duration_us));
  prober::MutexLock lock(pairs_mu_);
  if (retired_.count({r.journey, r.target})) return;  // a run that ended after its reload
  auto& p = SeriesOf(r.journey, r.target, r.labels);
  p.duration.Observe(Secs(r.duration_us));
  ++p.runs;
  p.last_run = end;
  // The latency SLI is over successful runs: a fast failure is no good latency, and a timeout
  // burns the error budget only.
  if (p.declared && r.ok() && r.CleanedUp() && r.duration_us > p.latency_under_us) ++p.slow_runs;
  if (!r.ok()) {
    ++p.failures[std::min(ReasonIndex(prober::OutcomeName(r.outcome)), p.failures.size() - 1)];
  } else if (!r.CleanedUp()) {
    ++p.failures[ReasonIndex("cleanup")];
  } else {
    p.last_success = end;
  }
  for (const auto& s : r.steps) {
    const std::string name = EscapeLabel(s.name);
    auto step = std::find_if(p.steps.begin(), p.steps.end(),
                             [&](const PairSeries::Step& x) { return x.name == name; });
    if (step == p.steps.end()) {
      step = p.steps.insert(p.steps.end(), {name, {}});
      if (p.step_histograms) step->hist.SetBounds(kBuckets);
    }
    step->hist.Observe(Secs(s.timings.total_us));
    const std::array<int64_t, kPhaseNames.size()> phases = {
        s.timings.dns_us, s.timings.connect_us, s.timings.tls_us, s.timings.first_byte_us};
    for (size_t i = 0; i < phases.size(); ++i) p.phase_seconds[i] += Secs(phases[i]);
  }
}

namespace {

// Writes one family after the other over every pair (the text format wants each family's
// samples together). `Series` is Metrics::PairSeries.
template <typename Series, typename Pairs>
class FamilyWriter {
 public:
  FamilyWriter(std::string& out, const Pairs& pairs) : out_(out), pairs_(pairs) {}
  template <typename Write>
  void Family(std::string_view name, std::string_view type, std::string_view help, Write&& write) {
    AppendHeader(out_, name, type, help);
    for (const auto& [key, p] : pairs_) write(*p);
  }
  template <typename V>
  void Value(std::string_view name, const Series& p, V v) {
    AppendName(out_, name, p.labels, p.starts);
    AppendNumber(out_, v);
    out_ += '\n';
  }
  // A gauge of each declared pair: one of its fields.
  template <typename V>
  void Declared(std::string_view name, std::string_view help, V Series::*field) {
    Family(name, "gauge", help, [&](const Series& p) {
      if (p.declared) Value(name, p, p.*field);
    });
  }
  std::string& out() { return out_; }

 private:
  std::string& out_;
  const Pairs& pairs_;
};

}  // namespace

void Metrics::AppendPairFamilies(std::string& out) const {
  // The last exposition's size and a little more: growing a string of tens of MB by doubling
  // copies it over and over.
  out.reserve(out.size() + last_pairs_bytes_ + last_pairs_bytes_ / 8 + 4096);
  const size_t start = out.size();
  FamilyWriter<PairSeries, decltype(pairs_)> w(out, pairs_);
  AppendRunFamilies(w);
  AppendStateFamilies(w);
  last_pairs_bytes_ = out.size() - start;
}

template <typename Writer>
void Metrics::AppendRunFamilies(Writer& w) {
  std::string& out = w.out();
  w.Family("odoo_prober_journey_runs_total", "counter", "Journey runs, whatever their outcome.",
           [&](const PairSeries& p) { w.Value("odoo_prober_journey_runs_total", p, p.runs); });
  w.Family("odoo_prober_journey_failures_total", "counter",
           "Failed journey runs by reason (the outcome class, or cleanup).",
           [&](const PairSeries& p) {
             // Declared pairs have every reason from the first scrape, at 0, so that ratios
             // over them are never empty and no first failure is lost to rate().
             for (size_t i = 0; i < p.failures.size(); ++i) {
               if (!p.declared && p.failures[i] == 0) continue;
               AppendName(out, "odoo_prober_journey_failures_total", p.labels, p.starts, "reason",
                          Reasons()[i]);
               AppendNumber(out, p.failures[i]);
               out += '\n';
             }
           });
  w.Family("odoo_prober_journey_info", "gauge",
           "1 per journey x target pair, with the business service it proves and the name of "
           "its journey definition.",
           [&](const PairSeries& p) {
             if (p.info_labels.empty()) return;
             out.append("odoo_prober_journey_info{").append(p.info_labels);
             out.back() = '}';
             out += " 1\n";
           });
  w.Family("odoo_prober_journey_slow_runs_total", "counter",
           "Successful journey runs that took longer than the latency objective.",
           [&](const PairSeries& p) {
             if (p.declared) w.Value("odoo_prober_journey_slow_runs_total", p, p.slow_runs);
           });
  w.Family("odoo_prober_journey_duration_seconds", "histogram",
           "Duration of journey runs, cleanup excluded.", [&](const PairSeries& p) {
             AppendHistogram(out, "odoo_prober_journey_duration_seconds", p.labels, p.starts,
                             p.duration);
           });
  w.Family("odoo_prober_step_duration_seconds", "histogram",
           "Duration of journey steps (all RPC calls of the step); buckets only for the journeys "
           "configured with step_histograms, count and sum for all.",
           [&](const PairSeries& p) {
             for (const auto& s : p.steps) {
               AppendHistogram(out, "odoo_prober_step_duration_seconds", p.labels, p.starts, s.hist,
                               "step", s.name);
             }
           });
  w.Family("odoo_prober_rpc_phase_seconds_total", "counter",
           "Time spent in each phase of the RPC calls of the runs (dns, connect, tls, "
           "first_byte), summed over their steps; per run: divide by the runs' rate.",
           [&](const PairSeries& p) {
             if (p.runs == 0) return;
             for (size_t i = 0; i < kPhaseNames.size(); ++i) {
               AppendName(out, "odoo_prober_rpc_phase_seconds_total", p.labels, p.starts, "phase",
                          kPhaseNames[i]);
               AppendNumber(out, p.phase_seconds[i]);
               out += '\n';
             }
           });
}

template <typename Writer>
void Metrics::AppendStateFamilies(Writer& w) {
  w.Family("odoo_prober_journey_last_success_timestamp_seconds", "gauge",
           "When the journey last succeeded (unix time).", [&](const PairSeries& p) {
             if (p.last_success > 0)
               w.Value("odoo_prober_journey_last_success_timestamp_seconds", p, p.last_success);
           });
  w.Family("odoo_prober_journey_last_run_timestamp_seconds", "gauge",
           "When the journey last ended, whatever its outcome (unix time).",
           [&](const PairSeries& p) {
             if (p.last_run > 0)
               w.Value("odoo_prober_journey_last_run_timestamp_seconds", p, p.last_run);
           });
  w.Declared("odoo_prober_journey_objective_availability_ratio",
             "Availability objective: the share of runs that should succeed.",
             &PairSeries::availability);
  w.Declared("odoo_prober_journey_objective_latency_ratio",
             "Latency objective: the share of runs that should end within its threshold.",
             &PairSeries::latency_ratio);
  w.Declared("odoo_prober_journey_objective_latency_seconds",
             "Latency objective: the threshold of a fast run.", &PairSeries::latency_seconds);
  w.Declared("odoo_prober_journey_objective_window_seconds",
             "The window the objectives' error budgets are counted over.",
             &PairSeries::window_seconds);
  w.Declared("odoo_prober_journey_objective_min_failures",
             "Failed (or slow) runs a burn-rate alert needs in its long window besides the rate.",
             &PairSeries::min_failures);
  w.Family("odoo_prober_runs_skipped_total", "counter",
           "Scheduled runs skipped because the previous run of the pair was still going.",
           [&](const PairSeries& p) {
             if (p.skipped > 0) w.Value("odoo_prober_runs_skipped_total", p, p.skipped);
           });
  w.Family("odoo_prober_journey_in_maintenance", "gauge",
           "1 while the target is in a maintenance window (the pair does not run).",
           [&](const PairSeries& p) {
             if (p.declared)
               w.Value("odoo_prober_journey_in_maintenance", p, uint64_t{p.in_maintenance});
           });
  w.Family("odoo_prober_journey_interval_seconds", "gauge",
           "How often the journey runs on the target.", [&](const PairSeries& p) {
             if (p.declared && p.interval_seconds > 0)
               w.Value("odoo_prober_journey_interval_seconds", p, p.interval_seconds);
           });
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
  prober::MutexLock lock(tls_mu_);
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
  prober::MutexLock lock(pairs_mu_);
  SeriesOf(journey, target, labels).skipped += n;
}
void Metrics::SetInMaintenance(const std::string& journey, const std::string& target,
                               const config::Labels& labels, bool on) {
  prober::MutexLock lock(pairs_mu_);
  SeriesOf(journey, target, labels).in_maintenance = on;
}
void Metrics::DeclareSink(const std::string& sink) {
  for (const char* reason : {"queue_full", "write_failed"})
    dropped_.Add({{"instance", instance_}, {"sink", sink}, {"reason", reason}});
}
void Metrics::SinkDropped(const std::string& sink, const std::string& reason) {
  dropped_.Add({{"instance", instance_}, {"sink", sink}, {"reason", reason}}).Increment();
}
void Metrics::ConfigReload(bool ok) { (ok ? reloads_ : reload_failures_).Increment(); }

void Metrics::SetLeftovers(const std::vector<LeftoverRecord>& records) {
  struct Now {
    const LeftoverRecord* any = nullptr;
    int count = 0;
    std::chrono::system_clock::time_point oldest = std::chrono::system_clock::time_point::max();
  };
  std::map<std::pair<std::string, std::string>, Now> now;
  for (const auto& r : records) {
    Now& n = now[{r.target, r.model}];
    n.any = &r;
    ++n.count;
    n.oldest = std::min(n.oldest, r.since);
  }
  prober::MutexLock lock(leftovers_mu_);
  for (const auto& [key, n] : now) {
    if (leftover_series_.count(key)) continue;
    const auto& l = n.any->labels;
    leftover_series_[key] = {{{"target", key.first},
                              {"model", key.second},
                              {"region", l.region},
                              {"plant", l.plant},
                              {"env", l.env},
                              {"instance", instance_}},
                             nullptr};
  }
  for (auto& [key, series] : leftover_series_) {
    auto& [labels, oldest] = series;
    auto it = now.find(key);
    leftovers_.Add(labels).Set(it == now.end() ? 0 : it->second.count);
    if (it == now.end()) {
      if (oldest) leftover_oldest_.Remove(oldest);
      oldest = nullptr;
      continue;
    }
    if (!oldest) oldest = &leftover_oldest_.Add(labels);
    oldest->Set(std::chrono::duration<double>(it->second.oldest.time_since_epoch()).count());
  }
}

void Metrics::LeftoversDropped(uint64_t n) { leftovers_dropped_.Increment(static_cast<double>(n)); }

void Metrics::SetLeftoverAlertAfter(std::chrono::milliseconds after) {
  leftover_alert_after_.Set(std::chrono::duration<double>(after).count());
}

std::string Metrics::Serialize() const {
  std::string out = prometheus::TextSerializer().Serialize(registry_->Collect());
  prober::MutexLock lock(pairs_mu_);
  AppendPairFamilies(out);
  return out;
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
  prober::Status WriteDependency(const DependencyResult& r) override {
    metrics_.dependencies().Observe(r);
    return prober::Status::Ok();
  }
  prober::Status WriteChange(const ChangeEvent& e) override {
    metrics_.changes().Observe(e);
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
