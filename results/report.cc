#include "results/report.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <memory>
#include <sstream>

#include "prober/text.h"
#include "results/internal/sqlite_db.h"

namespace odoo_prober::results {
namespace {

using Clock = std::chrono::system_clock;
using nlohmann::json;

// Why a run in the window is left out of every figure.
enum class Excluded { kNo, kOutsideBusinessHours, kInMaintenance };

struct Run {
  double started = 0, duration = 0;
  bool failed = false;
  std::string reason, step;
  Excluded excluded = Excluded::kNo;
};

struct Key {
  std::string journey, target, service, region, plant;
  bool operator<(const Key& o) const {
    return std::tie(journey, target, service, region, plant) <
           std::tie(o.journey, o.target, o.service, o.region, o.plant);
  }
};

double Unix(Clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

Clock::time_point FromUnix(double seconds) {
  return Clock::time_point(
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds)));
}

bool InAny(const std::vector<config::WeeklyWindow>& windows, Clock::time_point t) {
  return std::any_of(windows.begin(), windows.end(),
                     [&](const config::WeeklyWindow& w) { return w.Contains(t); });
}

// Nearest rank: the smallest value with at least q of the values at or below it.
double Percentile(std::vector<double> sorted, double q) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

std::vector<std::pair<std::string, int64_t>> Top(const std::map<std::string, int64_t>& counts) {
  std::vector<std::pair<std::string, int64_t>> out(counts.begin(), counts.end());
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (out.size() > 5) out.resize(5);
  return out;
}

const std::vector<std::pair<std::string, std::chrono::hours>>& BurnWindows() {
  static const std::vector<std::pair<std::string, std::chrono::hours>> w = {
      {"1h", std::chrono::hours(1)},
      {"6h", std::chrono::hours(6)},
      {"24h", std::chrono::hours(24)},
      {"3d", std::chrono::hours(72)}};
  return w;
}

// The window cut into kReportSlices slices: runs, failures, percentiles, budget burn-down.
std::vector<TimeSlice> Timeline(const std::vector<Run>& runs, double since, double until,
                                double budget_allowed) {
  const double width = (until - since) / kReportSlices;
  std::vector<TimeSlice> out(kReportSlices);
  std::vector<std::vector<double>> durations(kReportSlices);
  for (const auto& r : runs) {
    if (r.started < since || r.excluded != Excluded::kNo) continue;
    const auto i =
        std::min<size_t>(kReportSlices - 1, static_cast<size_t>((r.started - since) / width));
    ++out[i].runs;
    out[i].failed += r.failed ? 1 : 0;
    durations[i].push_back(r.duration);
  }
  int64_t failed = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].start = FromUnix(since + static_cast<double>(i) * width);
    std::sort(durations[i].begin(), durations[i].end());
    out[i].p50 = Percentile(durations[i], 0.50);
    out[i].p95 = Percentile(durations[i], 0.95);
    out[i].p99 = Percentile(durations[i], 0.99);
    failed += out[i].failed;
    if (budget_allowed > 0)
      out[i].budget_remaining = 1 - static_cast<double>(failed) / budget_allowed;
  }
  return out;
}

ReportRow Summarise(const Key& key, const std::vector<Run>& runs, const config::Objective& o,
                    double since, double until) {
  ReportRow row;
  row.journey = key.journey;
  row.service = key.service;
  row.target = key.target;
  row.region = key.region;
  row.plant = key.plant;
  row.objective = o;
  const double under = std::chrono::duration<double>(o.latency_under).count();
  std::vector<double> durations;
  std::map<std::string, int64_t> reasons, steps;
  for (const auto& r : runs) {
    if (r.started < since) continue;  // before the report's window: burn rates only
    if (r.excluded == Excluded::kOutsideBusinessHours) ++row.outside_business_hours;
    if (r.excluded == Excluded::kInMaintenance) ++row.in_maintenance;
    if (r.excluded != Excluded::kNo) continue;
    ++row.runs;
    durations.push_back(r.duration);
    if (r.duration <= under) ++row.fast;
    if (r.failed) {
      ++row.failed;
      ++reasons[r.reason];
      if (!r.step.empty()) ++steps[r.step];
    }
  }
  std::sort(durations.begin(), durations.end());
  if (row.runs > 0) {
    const auto n = static_cast<double>(row.runs);
    row.availability = 1 - static_cast<double>(row.failed) / n;
    row.latency_sli = static_cast<double>(row.fast) / n;
    row.p50 = Percentile(durations, 0.50);
    row.p95 = Percentile(durations, 0.95);
    row.p99 = Percentile(durations, 0.99);
    row.budget_allowed = (1 - o.availability) * n;
    row.budget_consumed = static_cast<double>(row.failed) / row.budget_allowed;
    row.budget_remaining = 1 - row.budget_consumed;
  }
  for (const auto& [name, window] : BurnWindows()) {
    const double from = until - std::chrono::duration<double>(window).count();
    int64_t n = 0, failed = 0;
    for (const auto& r : runs) {
      if (r.started < from || r.excluded != Excluded::kNo) continue;
      ++n;
      failed += r.failed ? 1 : 0;
    }
    if (n > 0)
      row.burn_rate[name] =
          (static_cast<double>(failed) / static_cast<double>(n)) / (1 - o.availability);
  }
  row.top_reasons = Top(reasons);
  row.top_steps = Top(steps);
  row.timeline = Timeline(runs, since, until, row.budget_allowed);
  return row;
}

// Marks the runs that do not count: outside the plant's business hours, inside the target's
// maintenance.
void MarkExcluded(std::vector<Run>& runs, const std::vector<config::WeeklyWindow>& hours,
                  const std::vector<config::WeeklyWindow>& maintenance) {
  for (auto& r : runs) {
    const auto at = FromUnix(r.started);
    if (!hours.empty() && !InAny(hours, at)) {
      r.excluded = Excluded::kOutsideBusinessHours;
    } else if (InAny(maintenance, at)) {
      r.excluded = Excluded::kInMaintenance;
    }
  }
}

// The window's time inside business hours (all of it without any) and, of that, the time
// inside maintenance; minute by minute.
std::pair<double, double> CountedTime(const std::vector<config::WeeklyWindow>& hours,
                                      const std::vector<config::WeeklyWindow>& maintenance,
                                      double since, double until) {
  double counted = 0, in_maintenance = 0;
  for (double t = since; t < until; t += 60) {
    const double step = std::min(60.0, until - t);
    const auto at = FromUnix(t);
    if (!hours.empty() && !InAny(hours, at)) continue;
    counted += step;
    if (InAny(maintenance, at)) in_maintenance += step;
  }
  return {counted, in_maintenance};
}

// The interval `run` starts `journey` on `target` at, per the config; unset when not configured.
std::optional<double> IntervalSeconds(const config::ProberConfig& cfg, const std::string& journey,
                                      const std::string& target) {
  if (cfg.FindTarget(target) == nullptr) return std::nullopt;
  for (const auto& j : cfg.journeys) {
    if (j.name != journey) continue;
    if (j.targets.empty() ||
        std::find(j.targets.begin(), j.targets.end(), target) != j.targets.end()) {
      return std::chrono::duration<double>(j.interval).count();
    }
  }
  return std::nullopt;
}

using internal::Column;
using internal::OpenHistory;
using internal::StmtFinalize;

// Runs `sql` with ?1 = since and ?2 = until and calls `row` with each row. A statement that
// cannot be prepared (a history written before its table existed) reads as no rows.
template <typename F>
void EachRow(sqlite3* db, const char* sql, double since, double until, F&& row) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) return;
  std::unique_ptr<sqlite3_stmt, StmtFinalize> stmt(s);
  sqlite3_bind_double(s, 1, since);
  sqlite3_bind_double(s, 2, until);
  while (sqlite3_step(s) == SQLITE_ROW) row(s);
}

prober::Result<std::map<Key, std::vector<Run>>> ReadRuns(sqlite3* db, const std::string& path,
                                                         double from, double until) {
  sqlite3_stmt* s = nullptr;
  const char* sql =
      "SELECT journey, target, coalesce(service, ''), coalesce(region, ''), "
      "coalesce(plant, ''), started_at, duration_seconds, outcome, coalesce(failed_step, ''), "
      "cleanup_ok FROM runs WHERE started_at >= ? AND started_at < ? ORDER BY started_at";
  if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) {
    return prober::Status::InvalidArgument(
        path + ": not an odoo-prober results history: " + sqlite3_errmsg(db));
  }
  std::unique_ptr<sqlite3_stmt, StmtFinalize> stmt(s);
  sqlite3_bind_double(s, 1, from);
  sqlite3_bind_double(s, 2, until);
  std::map<Key, std::vector<Run>> out;
  int step;
  while ((step = sqlite3_step(s)) == SQLITE_ROW) {
    Key key{Column(s, 0), Column(s, 1), Column(s, 2), Column(s, 3), Column(s, 4)};
    Run r;
    r.started = sqlite3_column_double(s, 5);
    r.duration = sqlite3_column_double(s, 6);
    const std::string outcome = Column(s, 7);
    const bool cleaned = sqlite3_column_int(s, 9) != 0;
    r.failed = outcome != "ok" || !cleaned;
    r.reason = outcome != "ok" ? outcome : "cleanup";
    r.step = outcome != "ok" ? Column(s, 8) : (cleaned ? "" : "cleanup");
    out[key].push_back(std::move(r));
  }
  if (step != SQLITE_DONE) {
    return prober::Status::InvalidArgument(path + ": cannot read the runs: " + sqlite3_errmsg(db));
  }
  return out;
}

// The findings of each endpoint's latest TLS check in [since, until]; none from a history
// written before TLS checks were kept.
std::vector<OpenTlsFinding> ReadTls(sqlite3* db, double since, double until) {
  const char* sql =
      "WITH latest AS (SELECT endpoint, max(checked_at) AS at FROM tls_checks "
      "WHERE checked_at >= ?1 AND checked_at <= ?2 GROUP BY endpoint) "
      "SELECT c.endpoint, c.target, c.checked_at, c.chain_expiry, f.kind, f.severity, "
      "coalesce(f.certificate, ''), coalesce(f.detail, '') FROM tls_checks c "
      "JOIN latest l ON c.endpoint = l.endpoint AND c.checked_at = l.at "
      "JOIN tls_findings f ON f.check_id = c.id ORDER BY CASE f.severity WHEN 'critical' THEN 0 "
      "WHEN 'warning' THEN 1 ELSE 2 END, c.endpoint, f.kind";
  std::vector<OpenTlsFinding> out;
  EachRow(db, sql, since, until, [&](sqlite3_stmt* s) {
    OpenTlsFinding f;
    f.endpoint = Column(s, 0);
    f.target = Column(s, 1);
    f.checked_at = FromUnix(sqlite3_column_double(s, 2));
    if (sqlite3_column_double(s, 3) > 0) f.chain_expiry = FromUnix(sqlite3_column_double(s, 3));
    f.kind = Column(s, 4);
    f.severity = Column(s, 5);
    f.certificate = Column(s, 6);
    f.detail = Column(s, 7);
    out.push_back(std::move(f));
  });
  return out;
}

std::string Iso(Clock::time_point t) { return prober::FormatUtc(t, "%Y-%m-%dT%H:%M:%SZ"); }

// The changes seen in [since, until); none from a history written before they were kept.
std::vector<ReportChange> ReadChanges(sqlite3* db, double since, double until) {
  const char* sql =
      "SELECT at, target, coalesce(region, ''), coalesce(plant, ''), kind, coalesce(summary, '') "
      "FROM events WHERE at >= ?1 AND at < ?2 ORDER BY at, id";
  std::vector<ReportChange> out;
  EachRow(db, sql, since, until, [&](sqlite3_stmt* s) {
    out.push_back({FromUnix(sqlite3_column_double(s, 0)), Column(s, 1), Column(s, 2), Column(s, 3),
                   Column(s, 4), Column(s, 5)});
  });
  return out;
}

// The dependency checks in [since, until), per dependency and region; none from a history
// written before dependencies were checked.
std::vector<DependencyRow> ReadDependencies(sqlite3* db, double since, double until) {
  const char* sql =
      "SELECT dependency, kind, used_by, coalesce(region, ''), started_at, duration_seconds, "
      "outcome, coalesce(detail, '') FROM dependency_checks WHERE started_at >= ?1 AND "
      "started_at < ?2 ORDER BY dependency, region, started_at";
  std::vector<DependencyRow> out;
  std::vector<std::vector<double>> durations;
  std::vector<std::map<std::string, int64_t>> reasons;
  EachRow(db, sql, since, until, [&](sqlite3_stmt* s) {
    const std::string name = Column(s, 0), region = Column(s, 3);
    if (out.empty() || out.back().dependency != name || out.back().region != region) {
      out.push_back({name, Column(s, 1), Column(s, 2), region});
      durations.emplace_back();
      reasons.emplace_back();
    }
    DependencyRow& row = out.back();
    ++row.checks;
    durations.back().push_back(sqlite3_column_double(s, 5));
    const std::string outcome = Column(s, 6);
    if (outcome == "ok") return;
    ++row.failed;
    ++reasons.back()[outcome];
    row.last_failure = FromUnix(sqlite3_column_double(s, 4));
    row.last_detail = Column(s, 7);
  });
  for (size_t i = 0; i < out.size(); ++i) {
    DependencyRow& row = out[i];
    row.availability =
        static_cast<double>(row.checks - row.failed) / static_cast<double>(row.checks);
    auto& d = durations[i];
    std::sort(d.begin(), d.end());
    const size_t rank = static_cast<size_t>(std::ceil(0.95 * static_cast<double>(d.size())));
    row.p95 = d[std::max<size_t>(rank, 1) - 1];
    row.top_reasons.assign(reasons[i].begin(), reasons[i].end());
    std::stable_sort(row.top_reasons.begin(), row.top_reasons.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
  }
  return out;
}

}  // namespace

prober::Result<Report> BuildReport(const std::string& sqlite_path,
                                   const config::ProberConfig& config, Clock::time_point since,
                                   Clock::time_point until) {
  const double from = std::min(Unix(since), Unix(until) - 72 * 3600.0);  // the burn windows
  auto db = OpenHistory(sqlite_path);
  if (!db.ok()) return db.status();
  auto runs = ReadRuns(db->get(), sqlite_path, from, Unix(until));
  if (!runs.ok()) return runs.status();
  Report report;
  report.since = since;
  report.until = until;
  report.tls = ReadTls(db->get(), Unix(since), Unix(until));
  report.dependencies = ReadDependencies(db->get(), Unix(since), Unix(until));
  report.changes = ReadChanges(db->get(), Unix(since), Unix(until));
  static const std::vector<config::WeeklyWindow> kNone;
  std::map<std::string, ServiceRow> services;
  std::map<std::pair<std::string, std::string>, std::pair<double, double>>
      counted;  // by target, plant
  for (auto& [key, list] : *runs) {
    const auto plant = config.plant_business_hours.find(key.plant);
    const auto& hours = plant == config.plant_business_hours.end() ? kNone : plant->second;
    const auto* target = config.FindTarget(key.target);
    const auto& maintenance = target ? target->maintenance : kNone;
    MarkExcluded(list, hours, maintenance);
    ReportRow row =
        Summarise(key, list, config.objectives.For(key.journey), Unix(since), Unix(until));
    if (row.runs + row.outside_business_hours + row.in_maintenance == 0) continue;
    row.has_business_hours = !hours.empty();
    auto time = counted.find({key.target, key.plant});
    if (time == counted.end()) {
      time = counted
                 .emplace(std::make_pair(key.target, key.plant),
                          CountedTime(hours, maintenance, Unix(since), Unix(until)))
                 .first;
    }
    std::tie(row.counted_seconds, row.maintenance_seconds) = time->second;
    const auto interval = IntervalSeconds(config, key.journey, key.target);
    const double expected =
        interval ? (row.counted_seconds - row.maintenance_seconds) / *interval : 0;
    if (expected > 0) row.coverage = std::min(1.0, static_cast<double>(row.runs) / expected);
    ServiceRow& s = services[key.service.empty() ? "unassigned" : key.service];
    s.runs += row.runs;
    s.failed += row.failed;
    s.fast += row.fast;
    report.pairs.push_back(std::move(row));
  }
  for (auto& [name, s] : services) {
    s.service = name;
    if (s.runs > 0) {
      s.availability = 1 - static_cast<double>(s.failed) / static_cast<double>(s.runs);
      s.latency_sli = static_cast<double>(s.fast) / static_cast<double>(s.runs);
    }
    report.services.push_back(s);
  }
  return report;
}

namespace {

// A pair's row: its counts, SLIs against its objective, budget, burn rates, top failures and
// timeline; null where no run counted.
json PairJson(const ReportRow& p) {
  json top_reasons = json::array(), top_steps = json::array();
  for (const auto& [name, n] : p.top_reasons)
    top_reasons.push_back({{"reason", name}, {"runs", n}});
  for (const auto& [name, n] : p.top_steps) top_steps.push_back({{"step", name}, {"runs", n}});
  json timeline = json::array();
  for (const auto& t : p.timeline) {
    timeline.push_back({{"start", Iso(t.start)},
                        {"runs", t.runs},
                        {"failed", t.failed},
                        {"latency_seconds", {{"p50", t.p50}, {"p95", t.p95}, {"p99", t.p99}}},
                        {"budget_remaining", t.budget_remaining}});
  }
  const json none;  // null: no counted run, no figure
  return {
      {"journey", p.journey},
      {"service", p.service},
      {"target", p.target},
      {"region", p.region},
      {"plant", p.plant},
      {"runs", p.runs},
      {"failed", p.failed},
      {"excluded_runs",
       {{"outside_business_hours", p.outside_business_hours},
        {"in_maintenance", p.in_maintenance}}},
      {"counted_seconds", p.counted_seconds},
      {"unmonitored",
       {{"maintenance_seconds", p.maintenance_seconds},
        {"share", p.counted_seconds > 0 ? json(p.maintenance_seconds / p.counted_seconds) : none}}},
      {"coverage", p.coverage ? json(*p.coverage) : none},
      {"availability", p.runs > 0 ? json(p.availability) : none},
      {"latency_sli", p.runs > 0 ? json(p.latency_sli) : none},
      {"latency_seconds", {{"p50", p.p50}, {"p95", p.p95}, {"p99", p.p99}}},
      {"objective",
       {{"availability", p.objective.availability},
        {"latency_under_seconds", std::chrono::duration<double>(p.objective.latency_under).count()},
        {"latency_ratio", p.objective.latency_ratio}}},
      {"error_budget",
       {{"allowed_failed_runs", p.budget_allowed},
        {"consumed", p.budget_consumed},
        {"remaining", p.budget_remaining}}},
      {"burn_rate", p.burn_rate},
      {"top_failure_reasons", top_reasons},
      {"top_failing_steps", top_steps},
      {"timeline", timeline}};
}

}  // namespace

json ReportJson(const Report& r) {
  json pairs = json::array();
  for (const auto& p : r.pairs) pairs.push_back(PairJson(p));
  json services = json::array();
  for (const auto& s : r.services) {
    services.push_back({{"service", s.service},
                        {"runs", s.runs},
                        {"failed", s.failed},
                        {"availability", s.runs > 0 ? json(s.availability) : json()},
                        {"latency_sli", s.runs > 0 ? json(s.latency_sli) : json()}});
  }
  json tls = json::array();
  for (const auto& f : r.tls) {
    tls.push_back({{"endpoint", f.endpoint},
                   {"target", f.target},
                   {"checked_at", Iso(f.checked_at)},
                   {"chain_expiry", f.chain_expiry ? json(Iso(*f.chain_expiry)) : json()},
                   {"kind", f.kind},
                   {"severity", f.severity},
                   {"certificate", f.certificate},
                   {"detail", f.detail}});
  }
  json dependencies = json::array();
  for (const auto& d : r.dependencies) {
    json reasons = json::object();
    for (const auto& [reason, n] : d.top_reasons) reasons[reason] = n;
    dependencies.push_back({{"dependency", d.dependency},
                            {"kind", d.kind},
                            {"used_by", d.used_by},
                            {"region", d.region},
                            {"checks", d.checks},
                            {"failed", d.failed},
                            {"availability", d.availability},
                            {"p95_seconds", d.p95},
                            {"failures_by_reason", reasons},
                            {"last_failure", d.last_failure ? json(Iso(*d.last_failure)) : json()},
                            {"last_failure_detail", d.last_detail}});
  }
  json changes = json::array();
  for (const auto& c : r.changes) {
    changes.push_back({{"at", Iso(c.at)},
                       {"target", c.target},
                       {"region", c.region},
                       {"plant", c.plant},
                       {"kind", c.kind},
                       {"summary", c.summary}});
  }
  return {{"since", Iso(r.since)}, {"until", Iso(r.until)}, {"pairs", pairs},
          {"services", services},  {"tls_findings", tls},   {"dependencies", dependencies},
          {"changes", changes}};
}

namespace {

// The table's lines on what may explain the SLIs: changes on the targets, dependencies.
void ContextLines(std::ostringstream& o, const Report& r) {
  if (!r.changes.empty()) {
    o << "\nchanges on the targets (a regression that starts with one is likely its):\n";
    for (const auto& c : r.changes)
      o << "  " << Iso(c.at) << "  " << std::left << std::setw(16) << c.target << c.summary << "\n";
  }
  if (!r.dependencies.empty()) {
    o << "\ndependencies (used by; when one failed, the services' SLIs above may show it):\n";
    for (const auto& d : r.dependencies) {
      o << "  " << std::left << std::setw(16) << d.dependency << std::setw(10)
        << (d.region.empty() ? "-" : d.region) << std::right << std::setw(7) << d.checks
        << " checks " << std::setw(8) << prober::FormatPercent(d.availability) << "  p95 "
        << prober::FormatFixed(d.p95, 3) << " s  used by " << d.used_by;
      if (d.last_failure) o << "; last failed " << Iso(*d.last_failure) << ": " << d.last_detail;
      o << "\n";
    }
  }
}

}  // namespace

std::string ReportTable(const Report& r) {
  std::ostringstream o;
  o << "SLO report " << Iso(r.since) << " to " << Iso(r.until) << "\n";
  o << std::left << std::setw(26) << "journey" << std::setw(16) << "target" << std::right
    << std::setw(7) << "runs" << std::setw(10) << "avail" << std::setw(10) << "latency"
    << std::setw(9) << "p95 s" << std::setw(11) << "budget" << std::setw(8) << "burn1h"
    << std::setw(9) << "cover" << std::setw(9) << "unmon"
    << "  top failure\n";
  auto figure = [](bool known, const std::string& text) { return known ? text : "-"; };
  for (const auto& p : r.pairs) {
    const auto burn = p.burn_rate.find("1h");
    const bool any = p.runs > 0;
    o << std::left << std::setw(26) << p.journey << std::setw(16) << p.target << std::right
      << std::setw(7) << p.runs << std::setw(10)
      << figure(any, prober::FormatPercent(p.availability)) << std::setw(10)
      << figure(any, prober::FormatPercent(p.latency_sli)) << std::setw(9)
      << figure(any, prober::FormatFixed(p.p95, 3)) << std::setw(11)
      << figure(any, prober::FormatPercent(p.budget_remaining)) << std::setw(8)
      << (burn == p.burn_rate.end() ? "-" : prober::FormatFixed(burn->second, 2)) << std::setw(9)
      << (p.coverage ? prober::FormatPercent(*p.coverage) : "-") << std::setw(9)
      << figure(p.counted_seconds > 0,
                prober::FormatPercent(p.maintenance_seconds / p.counted_seconds))
      << "  "
      << (p.top_reasons.empty()
              ? ""
              : p.top_reasons[0].first + " (" + std::to_string(p.top_reasons[0].second) + ")")
      << "\n";
  }
  o << "\n"
    << std::left << std::setw(26) << "service" << std::right << std::setw(7) << "runs"
    << std::setw(10) << "avail" << std::setw(10) << "latency"
    << "\n";
  for (const auto& s : r.services) {
    o << std::left << std::setw(26) << s.service << std::right << std::setw(7) << s.runs
      << std::setw(10) << figure(s.runs > 0, prober::FormatPercent(s.availability)) << std::setw(10)
      << figure(s.runs > 0, prober::FormatPercent(s.latency_sli)) << "\n";
  }
  int64_t outside = 0, maintenance = 0;
  for (const auto& p : r.pairs) {
    outside += p.outside_business_hours;
    maintenance += p.in_maintenance;
  }
  if (outside + maintenance > 0) {
    o << "\nnot counted: " << outside << " runs outside business hours, " << maintenance
      << " in maintenance\n";
  }
  ContextLines(o, r);
  o << "\nopen TLS findings: " << (r.tls.empty() ? "none" : "") << "\n";
  for (const auto& f : r.tls) {
    o << "  " << std::left << std::setw(9) << f.severity << std::setw(28) << f.endpoint << f.kind
      << (f.detail.empty() ? "" : ": " + f.detail) << "\n";
  }
  return o.str();
}

std::string ReportCsv(const Report& r) {
  std::ostringstream o;
  o << "journey,service,target,region,plant,runs,failed,availability,latency_sli,p50_seconds,"
       "p95_seconds,p99_seconds,budget_remaining,burn_1h,burn_6h,burn_24h,burn_3d,"
       "excluded_outside_business_hours,excluded_in_maintenance,unmonitored_share,coverage\n";
  auto quoted = [](const std::string& v) {
    std::string out = "\"";
    for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  };
  for (const auto& p : r.pairs) {
    auto figure = [&](double v, int digits) {
      return p.runs > 0 ? prober::FormatFixed(v, digits) : "";
    };
    o << quoted(p.journey) << "," << quoted(p.service) << "," << quoted(p.target) << ","
      << quoted(p.region) << "," << quoted(p.plant) << "," << p.runs << "," << p.failed << ","
      << figure(p.availability, 6) << "," << figure(p.latency_sli, 6) << "," << figure(p.p50, 3)
      << "," << figure(p.p95, 3) << "," << figure(p.p99, 3) << "," << figure(p.budget_remaining, 6);
    for (const char* w : {"1h", "6h", "24h", "3d"}) {
      auto it = p.burn_rate.find(w);
      o << "," << (it == p.burn_rate.end() ? "" : prober::FormatFixed(it->second, 6));
    }
    o << "," << p.outside_business_hours << "," << p.in_maintenance << ","
      << (p.counted_seconds > 0 ? prober::FormatFixed(p.maintenance_seconds / p.counted_seconds, 6)
                                : "")
      << "," << (p.coverage ? prober::FormatFixed(*p.coverage, 6) : "");
    o << "\n";
  }
  return o.str();
}

}  // namespace odoo_prober::results
