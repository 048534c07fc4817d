#include "results/change_metrics.h"

namespace odoo_prober::results {

ChangeMetrics::ChangeMetrics(prometheus::Registry& r, std::string instance)
    : instance_(std::move(instance)),
      changes_(prometheus::BuildCounter()
                   .Name("odoo_prober_target_changes_total")
                   .Help("Changes seen on the target's fingerprint, by kind.")
                   .Register(r)),
      last_change_(prometheus::BuildGauge()
                       .Name("odoo_prober_target_last_change_timestamp_seconds")
                       .Help("When the last change of the target was seen.")
                       .Register(r)),
      info_(prometheus::BuildGauge()
                .Name("odoo_prober_target_info")
                .Help("The server version the target's last fingerprint reading found.")
                .Register(r)),
      failures_(prometheus::BuildCounter()
                    .Name("odoo_prober_target_fingerprint_failures_total")
                    .Help("Readings of the target's fingerprint that failed.")
                    .Register(r)) {}

void ChangeMetrics::Remove(const Series& s) {
  for (const auto& kind : ChangeKinds()) {
    auto l = s.labels;
    l["kind"] = kind;
    changes_.Remove(&changes_.Add(l));
  }
  last_change_.Remove(&last_change_.Add(s.labels));
  failures_.Remove(&failures_.Add(s.labels));
  if (!s.version.empty()) {
    auto l = s.labels;
    l["server_version"] = s.version;
    info_.Remove(&info_.Add(l));
  }
}

void ChangeMetrics::Declare(const std::vector<std::pair<std::string, config::Labels>>& targets) {
  prober::MutexLock lock(mu_);
  std::map<std::string, Series> next;
  for (const auto& [name, labels] : targets) {
    Series s;
    s.labels = {{"target", name},
                {"region", labels.region},
                {"plant", labels.plant},
                {"env", labels.env},
                {"instance", instance_}};
    auto old = series_.find(name);
    if (old != series_.end()) {
      if (old->second.labels == s.labels) {
        s.version = old->second.version;
      } else {
        Remove(old->second);
      }
    }
    for (const auto& kind : ChangeKinds()) {
      auto l = s.labels;
      l["kind"] = kind;
      changes_.Add(l);
    }
    failures_.Add(s.labels);
    next[name] = std::move(s);
  }
  for (const auto& [name, s] : series_) {
    if (!next.count(name)) Remove(s);
  }
  series_ = std::move(next);
}

void ChangeMetrics::Observe(const ChangeEvent& e) {
  prober::MutexLock lock(mu_);
  auto it = series_.find(e.target);
  if (it == series_.end()) return;
  auto l = it->second.labels;
  l["kind"] = e.kind;
  changes_.Add(l).Increment();
  last_change_.Add(it->second.labels)
      .Set(std::chrono::duration<double>(e.at.time_since_epoch()).count());
}

void ChangeMetrics::SetServerVersion(const std::string& target, const std::string& version) {
  prober::MutexLock lock(mu_);
  auto it = series_.find(target);
  if (it == series_.end() || version.empty() || it->second.version == version) return;
  auto l = it->second.labels;
  if (!it->second.version.empty()) {
    l["server_version"] = it->second.version;
    info_.Remove(&info_.Add(l));
  }
  l["server_version"] = version;
  info_.Add(l).Set(1);
  it->second.version = version;
}

void ChangeMetrics::FingerprintFailed(const std::string& target) {
  prober::MutexLock lock(mu_);
  auto it = series_.find(target);
  if (it != series_.end()) failures_.Add(it->second.labels).Increment();
}

}  // namespace odoo_prober::results
