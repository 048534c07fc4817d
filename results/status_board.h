// StatusBoard: the recent history of every journey x target pair, for the /status pages, the
// page an on-call person opens first. Fed as a sink.
//
// The board (/status): pairs grouped by region and plant; per pair the last outcome, the last
// success, availability and error budget left over the last 24 hours against the pair's
// objective, p50/p95 over the last hour, and a sparkline of recent runs. Each row links to the
// pair's page (/status/pair?journey=J&target=T): the steps of the last run with their phases
// (DNS, connect, TLS, server time), the records it created and their cleanup, and the last
// failure's step, outcome and Odoo error (`data.name` and message). Both pages refresh
// themselves; they are self-contained (inline CSS and SVG, no script, nothing fetched).
//
// Its "Dependencies" section lists each dependency check with the services that need it.
//
// Memory per pair: the last kRecent runs (compact), 24 hourly counters, the last run's result.
//
// Thread-safety: all methods may be called from any thread (mu_ guards the history).
#pragma once

#include <array>
#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "prober/mutex.h"
#include "results/sink.h"
#include "results/tls_findings.h"

namespace odoo_prober::results {

class StatusBoard {
 public:
  // What the board knows of a scheduled pair before it runs.
  struct PairInfo {
    std::string journey, target, service;
    config::Labels labels;
    config::Objective objective;
  };
  // The pairs now scheduled: they show before their first run; the history of pairs that stay
  // is kept, that of pairs no longer listed is dropped, and a run of theirs that ends
  // afterwards is not shown.
  void DeclarePairs(const std::vector<PairInfo>& pairs);
  void SetInMaintenance(const std::string& journey, const std::string& target, bool in);
  void Record(const JourneyResult& result);
  void RecordTls(const TlsReport& report);
  // The dependency checks now scheduled (name, kind, what is checked, used by) and their
  // results: a "Dependencies" section, each row with its users, last outcome and when it last
  // passed; dependencies no longer declared are dropped.
  struct DependencyInfo {
    std::string name, kind, what;
    std::vector<std::string> used_by;
  };
  void DeclareDependencies(const std::vector<DependencyInfo>& dependencies);
  void RecordDependency(const DependencyResult& result);
  // What changed on the targets (a "Changes" section, newest first, and on each pair's page
  // "changed 23 min ago: sale 17.0.1.2 → 17.0.1.3"), and whether their fingerprint could be read
  // (`error` "": it was).
  void RecordChange(const ChangeEvent& event);
  void SetFingerprintRead(const std::string& target, const std::string& error,
                          std::chrono::system_clock::time_point at);
  // The probe records whose cleanup failed, which the daemon keeps retrying: listed in a
  // "Leftover records" section (target, record, journey and run, since when, tries, the next
  // one, why the last failed) while there are any.
  void SetLeftovers(std::vector<LeftoverRecord> records);
  // The board.
  std::string RenderHtml(std::chrono::system_clock::time_point now,
                         const std::string& instance) const;
  // The page of one pair; nullopt when the board has no such pair.
  std::optional<std::string> RenderPairHtml(const std::string& journey, const std::string& target,
                                            std::chrono::system_clock::time_point now,
                                            const std::string& instance) const;

  // Seconds between the pages' own refreshes.
  static constexpr int kRefreshSeconds = 30;

 private:
  struct Run {
    std::chrono::system_clock::time_point at;
    float seconds;
    prober::Outcome outcome;
    bool cleanup_failed;
    bool failed() const { return outcome != prober::Outcome::kOk || cleanup_failed; }
    std::string Name() const;
  };
  struct Hour {
    int64_t hour = -1;  // hours since the epoch
    uint32_t runs = 0, failed = 0;
  };
  struct Failure {
    std::chrono::system_clock::time_point at;
    std::string step, outcome, odoo_error, detail;
    long http_status = 0;
  };
  struct Pair {
    PairInfo info;
    std::deque<Run> runs;  // newest last, at most kRecent
    std::array<Hour, 24> hours;
    std::chrono::system_clock::time_point last_success{};
    std::optional<JourneyResult> last_run;
    std::optional<Failure> last_failure;
    bool in_maintenance = false;
  };
  static constexpr size_t kRecent = 120;

  // Runs and failed runs in the 24 hours before `now`.
  static std::pair<int64_t, int64_t> Day(const Pair& p, std::chrono::system_clock::time_point now);
  static void RenderRow(std::ostream& h, const Pair& p, std::chrono::system_clock::time_point now);
  void RenderTls(std::ostream& h) const REQUIRES(mu_);
  void RenderDependencies(std::ostream& h) const REQUIRES(mu_);
  void RenderChanges(std::ostream& h, std::chrono::system_clock::time_point now) const
      REQUIRES(mu_);
  void RenderLeftovers(std::ostream& h, std::chrono::system_clock::time_point now) const
      REQUIRES(mu_);

  mutable prober::Mutex mu_;
  std::map<std::pair<std::string, std::string>, Pair> pairs_ GUARDED_BY(mu_);  // journey, target
  std::set<std::pair<std::string, std::string>> retired_ GUARDED_BY(mu_);  // removed by a reload
  std::map<std::string, TlsReport> tls_ GUARDED_BY(mu_);                   // by endpoint
  std::vector<LeftoverRecord> leftovers_ GUARDED_BY(mu_);
  struct Dependency {
    DependencyInfo info;
    std::optional<DependencyResult> last;
    std::chrono::system_clock::time_point last_ok{};
  };
  std::vector<Dependency> dependencies_ GUARDED_BY(mu_);  // in the config's order
  static constexpr size_t kChangesShown = 50;
  std::deque<ChangeEvent> changes_ GUARDED_BY(mu_);  // newest last
  // Targets whose last fingerprint reading failed: why, since when.
  std::map<std::string, std::pair<std::string, std::chrono::system_clock::time_point>>
      fingerprint_errors_ GUARDED_BY(mu_);
};

std::unique_ptr<ResultSink> CreateStatusSink(StatusBoard& board);

}  // namespace odoo_prober::results
