// `odoo-prober once`: the plan run one time on the daemon's engine, then the reports.
#include <fstream>
#include <iomanip>
#include <set>
#include <sstream>

#include "prober/clock.h"
#include "prober/mutex.h"
#include "prober/text.h"
#include "results/junit.h"
#include "runners/commands.h"
#include "runners/executor.h"
#include "runners/push.h"
#include "runners/tls_checks.h"
#include "runners/worker_pool.h"

namespace odoo_prober::runners {

using nlohmann::json;

std::vector<results::JourneyResult> RunPlanOnce(
    const std::vector<PlannedPair>& plan, const config::ProberConfig& cfg,
    const JourneyRunner& runner, int concurrency, int per_target,
    const std::function<void(size_t, const results::JourneyResult*)>& on_change) {
  std::vector<SchedulePair> pairs;
  std::vector<std::string> keys;
  for (size_t i = 0; i < plan.size(); ++i) {
    pairs.push_back({plan[i].id(), plan[i].target->name, plan[i].selection->interval, {}});
    keys.push_back(std::to_string(i));
  }
  ScheduleOptions o;
  o.workers = std::max(1, concurrency);
  o.per_target_cap = std::max(1, per_target);
  o.once = true;
  WorkerPool pool(std::min<int>(o.workers, static_cast<int>(plan.size())));
  Executor executor([&pool](std::function<void()> task) { pool.Submit(std::move(task)); });
  const prober::Clock& clock = prober::RealClock();
  executor.Reset(Scheduler(std::move(pairs), o, clock.Monotonic()), std::move(keys));

  prober::Mutex mu;  // serializes on_change
  std::vector<results::JourneyResult> results(plan.size());
  const Executor::Run run = [&](size_t i) {
    const PlannedPair& p = plan[i];
    {
      prober::MutexLock lock(mu);
      on_change(i, nullptr);
    }
    auto result = RunPlanned(runner, p, cfg);
    prober::MutexLock lock(mu);
    results[i] = std::move(result);
    on_change(i, &results[i]);
  };
  for (;;) {
    const auto now = clock.Monotonic();
    executor.Step(now, clock.Now(), run);
    if (executor.scheduler().Done()) break;
    executor.WaitUntil(
        std::min(executor.scheduler().NextWakeup(now), now + std::chrono::seconds(1)));
  }
  pool.Join();
  return results;
}

namespace {

std::string Seconds(int64_t us) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(3) << static_cast<double>(us) / 1e6;
  return o.str();
}

// What `once` shows while it runs: one line per pair redrawn in place on a terminal, or a line
// per finished pair.
class Progress {
 public:
  Progress(const std::vector<PlannedPair>& plan, const OnceOptions& options, std::ostream& out,
           std::ostream& err)
      : plan_(plan), options_(options), out_(out), err_(err), state_(plan.size(), "waiting") {
    Draw();
  }

  void Change(size_t i, const results::JourneyResult* r) {
    state_[i] = r ? std::string(prober::OutcomeName(r->outcome)) : "running";
    if (r && !options_.live_progress) {
      err_ << state_[i] << " " << plan_[i].id() << " on " << plan_[i].target->name << " in "
           << Seconds(r->duration_us) << " s"
           << (r->ok() ? "" : " (step " + r->failed_step + ": " + r->detail + ")") << "\n";
    }
    if (r && options_.output == OnceOptions::Output::kJson)
      out_ << prober::DumpJson(results::ToJson(*r)) << "\n" << std::flush;
    Draw();
  }

 private:
  void Draw() {
    if (!options_.live_progress) return;
    std::ostringstream frame;
    if (drawn_ > 0) frame << "\x1b[" << drawn_ << "A";
    for (size_t i = 0; i < plan_.size(); ++i) {
      frame << "\r\x1b[2K" << std::left << std::setw(10) << state_[i] << plan_[i].id() << " on "
            << plan_[i].target->name << "\n";
    }
    drawn_ = plan_.size();
    err_ << frame.str() << std::flush;
  }

  const std::vector<PlannedPair>& plan_;
  const OnceOptions& options_;
  std::ostream& out_;
  std::ostream& err_;
  std::vector<std::string> state_;
  size_t drawn_ = 0;
};

// Every distinct TLS endpoint of the targets that ran, once; the reports.
std::vector<results::TlsReport> ReportTls(const config::ProberConfig& cfg,
                                          const std::vector<PlannedPair>& plan,
                                          const OnceOptions& options, std::ostream& out) {
  std::vector<results::TlsReport> reports;
  std::set<std::string> ran;
  for (const auto& p : plan) ran.insert(p.target->name);
  for (const auto& endpoint : TlsEndpoints(cfg)) {
    const config::TargetConfig* target = cfg.FindTarget(endpoint.target);
    if (!ran.count(endpoint.target) || target == nullptr) continue;
    const auto report = CheckTls(endpoint, target->client.call_timeout);
    if (options.output == OnceOptions::Output::kTable) {
      out << FormatTlsTable({report});
    } else {
      out << prober::DumpJson(results::ToJson(report)) << "\n";
    }
    reports.push_back(report);
  }
  return reports;
}

int WriteReports(const std::vector<results::JourneyResult>& results, const OnceOptions& options,
                 std::ostream& err) {
  int rc = kExitOk;
  if (!options.junit_file.empty() &&
      !WriteFile(options.junit_file, results::RunsJUnit(results, prober::RealClock().Now()), err))
    rc = kExitInternal;
  if (!options.json_file.empty()) {
    json all = json::array();
    for (const auto& r : results) all.push_back(results::ToJson(r));
    if (!WriteFile(options.json_file,
                   all.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", err))
      rc = kExitInternal;
  }
  return rc;
}

// The plan `once` runs, or why there is none (printed; exit code 2).
std::optional<std::vector<PlannedPair>> OncePlan(const Loaded& loaded, const OnceOptions& options,
                                                 std::ostream& err) {
  for (const auto& name : options.journeys) {
    if (loaded.catalog.Find(name) == nullptr) {
      err << "--journey " << name << ": no such journey (see odoo-prober journeys)\n";
      return std::nullopt;
    }
  }
  for (const auto& name : options.targets) {
    if (loaded.config.FindTarget(name) == nullptr) {
      err << "--target " << name << ": no such target in " << options.config_path << "\n";
      return std::nullopt;
    }
  }
  auto plan = Plan(loaded.config, loaded.catalog, options.journeys, options.targets);
  if (plan.empty()) {
    err << "nothing to run: no configured journey x target pair matches the filters\n";
    return std::nullopt;
  }
  return plan;
}

}  // namespace

int RunOnce(const OnceOptions& options, std::ostream& out, std::ostream& err) {
  auto loaded = LoadChecked(options.config_path, err);
  if (!loaded.ok()) return kExitUsage;
  const auto& cfg = loaded->config;
  const auto plan = OncePlan(*loaded, options, err);
  if (!plan) return kExitUsage;
  JourneyRunner runner(prober::RealClock(), loaded->catalog, CurlFactory());
  Progress progress(*plan, options, out, err);
  auto results = RunPlanOnce(
      *plan, cfg, runner, options.concurrency > 0 ? options.concurrency : cfg.concurrency,
      cfg.per_target_concurrency,
      [&](size_t i, const results::JourneyResult* r) { progress.Change(i, r); });
  // A journey that could not clean up did harm: it counts as a failure of the run.
  const bool all_ok = std::all_of(results.begin(), results.end(),
                                  [](const auto& r) { return r.ok() && r.CleanedUp(); });
  if (options.output == OnceOptions::Output::kTable) out << results::FormatTable(results);
  const auto tls = ReportTls(cfg, *plan, options, out);
  int rc = WriteReports(results, options, err);
  if (!options.pushgateway.empty()) {
    PushOptions push{options.pushgateway, InstanceName(cfg), options.version};
    if (auto st = PushMetrics(push, cfg, results, tls); !st.ok()) {
      err << st.message() << "\n";
      rc = kExitInternal;
    }
  }
  return rc != kExitOk ? rc : (all_ok ? kExitOk : kExitJourneyFailed);
}

}  // namespace odoo_prober::runners
