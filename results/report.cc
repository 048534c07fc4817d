#include "results/report.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <memory>
#include <sstream>

#include "prober/text.h"

namespace odoo_prober::results {
namespace {

using Clock = std::chrono::system_clock;
using nlohmann::json;

struct Run {
  double started = 0, duration = 0;
  bool failed = false;
  std::string reason, step;
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
      if (r.started < from) continue;
      ++n;
      failed += r.failed ? 1 : 0;
    }
    if (n > 0)
      row.burn_rate[name] =
          (static_cast<double>(failed) / static_cast<double>(n)) / (1 - o.availability);
  }
  row.top_reasons = Top(reasons);
  row.top_steps = Top(steps);
  return row;
}

struct DbClose {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

std::string Column(sqlite3_stmt* s, int i) {
  const unsigned char* text = sqlite3_column_text(s, i);
  return text ? reinterpret_cast<const char*>(text) : "";
}

prober::Result<std::map<Key, std::vector<Run>>> ReadRuns(const std::string& path, double from,
                                                         double until) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  std::unique_ptr<sqlite3, DbClose> db(raw);
  if (rc != SQLITE_OK) {
    return prober::Status::InvalidArgument(
        path + ": cannot open the results history: " + (raw ? sqlite3_errmsg(raw) : "no memory") +
        "; it is results.sqlite of the config, written by `run`");
  }
  sqlite3_stmt* s = nullptr;
  const char* sql =
      "SELECT journey, target, coalesce(service, ''), coalesce(region, ''), "
      "coalesce(plant, ''), started_at, duration_seconds, outcome, coalesce(failed_step, ''), "
      "cleanup_ok FROM runs WHERE started_at >= ? AND started_at < ? ORDER BY started_at";
  if (sqlite3_prepare_v2(db.get(), sql, -1, &s, nullptr) != SQLITE_OK) {
    return prober::Status::InvalidArgument(
        path + ": not an odoo-prober results history: " + sqlite3_errmsg(db.get()));
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
    return prober::Status::InvalidArgument(path +
                                           ": cannot read the runs: " + sqlite3_errmsg(db.get()));
  }
  return out;
}

std::string Fixed(double v, int digits) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(digits) << v;
  return o.str();
}

std::string Percent(double v) { return Fixed(100 * v, 2) + "%"; }

std::string Iso(Clock::time_point t) { return prober::FormatUtc(t, "%Y-%m-%dT%H:%M:%SZ"); }

}  // namespace

prober::Result<Report> BuildReport(const std::string& sqlite_path,
                                   const config::ProberConfig& config, Clock::time_point since,
                                   Clock::time_point until) {
  const double from = std::min(Unix(since), Unix(until) - 72 * 3600.0);  // the burn windows
  auto runs = ReadRuns(sqlite_path, from, Unix(until));
  if (!runs.ok()) return runs.status();
  Report report;
  report.since = since;
  report.until = until;
  std::map<std::string, ServiceRow> services;
  for (const auto& [key, list] : *runs) {
    ReportRow row =
        Summarise(key, list, config.objectives.For(key.journey), Unix(since), Unix(until));
    if (row.runs == 0) continue;
    ServiceRow& s = services[key.service.empty() ? "unassigned" : key.service];
    s.runs += row.runs;
    s.failed += row.failed;
    s.fast += row.fast;
    report.pairs.push_back(std::move(row));
  }
  for (auto& [name, s] : services) {
    s.service = name;
    s.availability = 1 - static_cast<double>(s.failed) / static_cast<double>(s.runs);
    s.latency_sli = static_cast<double>(s.fast) / static_cast<double>(s.runs);
    report.services.push_back(s);
  }
  return report;
}

json ReportJson(const Report& r) {
  json pairs = json::array();
  for (const auto& p : r.pairs) {
    json top_reasons = json::array(), top_steps = json::array();
    for (const auto& [name, n] : p.top_reasons)
      top_reasons.push_back({{"reason", name}, {"runs", n}});
    for (const auto& [name, n] : p.top_steps) top_steps.push_back({{"step", name}, {"runs", n}});
    pairs.push_back({{"journey", p.journey},
                     {"service", p.service},
                     {"target", p.target},
                     {"region", p.region},
                     {"plant", p.plant},
                     {"runs", p.runs},
                     {"failed", p.failed},
                     {"availability", p.availability},
                     {"latency_sli", p.latency_sli},
                     {"latency_seconds", {{"p50", p.p50}, {"p95", p.p95}, {"p99", p.p99}}},
                     {"objective",
                      {{"availability", p.objective.availability},
                       {"latency_under_seconds",
                        std::chrono::duration<double>(p.objective.latency_under).count()},
                       {"latency_ratio", p.objective.latency_ratio}}},
                     {"error_budget",
                      {{"allowed_failed_runs", p.budget_allowed},
                       {"consumed", p.budget_consumed},
                       {"remaining", p.budget_remaining}}},
                     {"burn_rate", p.burn_rate},
                     {"top_failure_reasons", top_reasons},
                     {"top_failing_steps", top_steps}});
  }
  json services = json::array();
  for (const auto& s : r.services) {
    services.push_back({{"service", s.service},
                        {"runs", s.runs},
                        {"failed", s.failed},
                        {"availability", s.availability},
                        {"latency_sli", s.latency_sli}});
  }
  return {
      {"since", Iso(r.since)}, {"until", Iso(r.until)}, {"pairs", pairs}, {"services", services}};
}

std::string ReportTable(const Report& r) {
  std::ostringstream o;
  o << "SLO report " << Iso(r.since) << " to " << Iso(r.until) << "\n";
  o << std::left << std::setw(26) << "journey" << std::setw(16) << "target" << std::right
    << std::setw(7) << "runs" << std::setw(10) << "avail" << std::setw(10) << "latency"
    << std::setw(9) << "p95 s" << std::setw(11) << "budget" << std::setw(8) << "burn1h"
    << "  top failure\n";
  for (const auto& p : r.pairs) {
    const auto burn = p.burn_rate.find("1h");
    o << std::left << std::setw(26) << p.journey << std::setw(16) << p.target << std::right
      << std::setw(7) << p.runs << std::setw(10) << Percent(p.availability) << std::setw(10)
      << Percent(p.latency_sli) << std::setw(9) << Fixed(p.p95, 3) << std::setw(11)
      << Percent(p.budget_remaining) << std::setw(8)
      << (burn == p.burn_rate.end() ? "-" : Fixed(burn->second, 2)) << "  "
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
      << std::setw(10) << Percent(s.availability) << std::setw(10) << Percent(s.latency_sli)
      << "\n";
  }
  return o.str();
}

std::string ReportCsv(const Report& r) {
  std::ostringstream o;
  o << "journey,service,target,region,plant,runs,failed,availability,latency_sli,p50_seconds,"
       "p95_seconds,p99_seconds,budget_remaining,burn_1h,burn_6h,burn_24h,burn_3d\n";
  auto quoted = [](const std::string& v) {
    std::string out = "\"";
    for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  };
  for (const auto& p : r.pairs) {
    o << quoted(p.journey) << "," << quoted(p.service) << "," << quoted(p.target) << ","
      << quoted(p.region) << "," << quoted(p.plant) << "," << p.runs << "," << p.failed << ","
      << Fixed(p.availability, 6) << "," << Fixed(p.latency_sli, 6) << "," << Fixed(p.p50, 3) << ","
      << Fixed(p.p95, 3) << "," << Fixed(p.p99, 3) << "," << Fixed(p.budget_remaining, 6);
    for (const char* w : {"1h", "6h", "24h", "3d"}) {
      auto it = p.burn_rate.find(w);
      o << "," << (it == p.burn_rate.end() ? "" : Fixed(it->second, 6));
    }
    o << "\n";
  }
  return o.str();
}

}  // namespace odoo_prober::results
