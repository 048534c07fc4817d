#include "runners/engine/leftovers.h"

#include <algorithm>

namespace odoo_prober::runners {

void Leftovers::Configure(LeftoverOptions options) {
  prober::MutexLock lock(mu_);
  options_ = options;
}

std::chrono::milliseconds Leftovers::Backoff(int attempts) const {
  // attempts counts the run's own cleanup: the first retry waits retry_min.
  auto wait = options_.retry_min;
  for (int i = 1; i < attempts && wait < options_.retry_max; ++i) wait *= 2;
  return std::min(wait, options_.retry_max);
}

size_t Leftovers::Add(const results::JourneyResult& run, Mono now, Wall wall) {
  prober::MutexLock lock(mu_);
  size_t dropped = 0;
  for (const auto& rc : run.records) {
    if (rc.status == "ok") continue;
    const Key key{run.target, rc.model, rc.id};
    if (entries_.count(key)) continue;
    if (entries_.size() >= options_.max_records) {
      ++dropped;
      continue;
    }
    results::LeftoverRecord r;
    r.target = run.target;
    r.labels = run.labels;
    r.model = rc.model;
    r.id = rc.id;
    r.journey = run.journey;
    r.run_id = run.run_id;
    r.since = wall;
    r.attempts = 1;
    r.detail = rc.detail;
    const auto wait = Backoff(r.attempts);
    r.next_try = wall + wait;
    entries_.emplace(key, Entry{std::move(r), now + wait, false});
  }
  return dropped;
}

std::vector<results::LeftoverRecord> Leftovers::TakeDue(Mono now, size_t max) {
  prober::MutexLock lock(mu_);
  std::vector<Entry*> due;
  for (auto& [key, e] : entries_) {
    if (!e.retrying && e.due <= now) due.push_back(&e);
  }
  std::sort(due.begin(), due.end(), [](const Entry* a, const Entry* b) { return a->due < b->due; });
  if (due.size() > max) due.resize(max);
  std::vector<results::LeftoverRecord> out;
  for (Entry* e : due) {
    e->retrying = true;
    out.push_back(e->record);
  }
  return out;
}

void Leftovers::Retried(const results::LeftoverRecord& record,
                        const results::RecordCleanup& outcome, Mono now, Wall wall) {
  prober::MutexLock lock(mu_);
  auto it = entries_.find({record.target, record.model, record.id});
  if (it == entries_.end()) return;  // forgotten meanwhile (a reload removed its target)
  if (outcome.status == "ok") {
    entries_.erase(it);
    return;
  }
  Entry& e = it->second;
  e.retrying = false;
  ++e.record.attempts;
  e.record.detail = outcome.detail;
  const auto wait = Backoff(e.record.attempts);
  e.due = now + wait;
  e.record.next_try = wall + wait;
}

void Leftovers::Postpone(const results::LeftoverRecord& record, Mono now, Wall wall) {
  prober::MutexLock lock(mu_);
  auto it = entries_.find({record.target, record.model, record.id});
  if (it == entries_.end()) return;
  it->second.retrying = false;
  it->second.due = now + options_.retry_min;
  it->second.record.next_try = wall + options_.retry_min;
}

size_t Leftovers::Retain(const std::set<std::string>& targets) {
  prober::MutexLock lock(mu_);
  return std::erase_if(entries_,
                       [&](const auto& kv) { return !targets.count(kv.second.record.target); });
}

std::vector<results::LeftoverRecord> Leftovers::List() const {
  prober::MutexLock lock(mu_);
  std::vector<results::LeftoverRecord> out;
  for (const auto& [key, e] : entries_) out.push_back(e.record);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.since < b.since; });
  return out;
}

Leftovers::Mono Leftovers::NextDue() const {
  prober::MutexLock lock(mu_);
  Mono next = Mono::max();
  for (const auto& [key, e] : entries_) {
    if (!e.retrying) next = std::min(next, e.due);
  }
  return next;
}

}  // namespace odoo_prober::runners
