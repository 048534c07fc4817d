// `odoo-prober once`: the plan run one time on the daemon's engine, then the reports.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <fstream>
#include <iomanip>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "prober/clock.h"
#include "prober/files.h"
#include "prober/mutex.h"
#include "prober/text.h"
#include "results/junit.h"
#include "runners/cli/command.h"
#include "runners/engine/exit_codes.h"
#include "runners/engine/plan.h"
#include "runners/engine/push.h"
#include "runners/engine/run_once.h"
#include "runners/engine/tls_checks.h"

namespace odoo_prober::runners::cli {
namespace {

using nlohmann::json;

struct OnceOptions {
  std::string config_path;
  // Only these journeys / targets (all when empty).
  std::vector<std::string> journeys;
  std::vector<std::string> targets;
  enum class Output { kTable, kJson } output = Output::kTable;
  std::string junit_file;          // also write JUnit XML here
  std::string json_file;           // also write a JSON array of the results here
  int concurrency = 0;             // 0: the config's
  std::string pushgateway;         // also push the metrics to this Pushgateway (engine/push.h)
  bool live_progress = false;      // redraw one line per journey in place (a terminal)
  std::chrono::seconds grace{30};  // after SIGTERM/SIGINT: for the running ones' cleanup
};

// SIGINT and SIGTERM, as cron, CI and an operator stop `once`: the first stops it (no journey
// starts; the calls of those running end at once, and their records are cleaned up over fresh
// clients); when the grace has passed, or at a second signal, every call ends, cleanup's too
// (what is left, `sweep` finds). One thread waits for the signals; the others block them.
class StopOnSignal {
 public:
  explicit StopOnSignal(std::chrono::seconds grace) : grace_(grace) {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);  // before any other thread starts
    thread_ = std::thread([this] { Watch(); });
  }
  ~StopOnSignal() {
    done_.store(true);
    thread_.join();
  }
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;

  // The journeys' clients' cancel flag, and the cleanup clients'.
  const std::shared_ptr<std::atomic<bool>> stop = std::make_shared<std::atomic<bool>>(false);
  const std::shared_ptr<std::atomic<bool>> hard = std::make_shared<std::atomic<bool>>(false);
  // The signal that stopped it; 0 when none did.
  int signal() const { return signal_.load(); }

 private:
  void Watch() {
    const timespec tick{0, 100'000'000};  // how soon the end of the run is noticed
    std::optional<std::chrono::steady_clock::time_point> hard_at;
    while (!done_.load()) {
      siginfo_t info;
      const int sig = sigtimedwait(&signals_, &info, &tick);
      if (sig > 0 && signal_.load() == 0) {
        signal_.store(sig);
        stop->store(true);
        hard_at = std::chrono::steady_clock::now() + grace_;
        spdlog::warn("{}: no journey starts; those running stop and clean up (grace {} s)",
                     sig == SIGINT ? "SIGINT" : "SIGTERM", grace_.count());
      } else if (sig > 0 || (hard_at && std::chrono::steady_clock::now() >= *hard_at)) {
        if (!hard->exchange(true))
          spdlog::warn("every call is cancelled now; what was not cleaned up, sweep finds");
      }
    }
  }

  const std::chrono::seconds grace_;
  sigset_t signals_;
  std::atomic<bool> done_{false};
  std::atomic<int> signal_{0};
  std::thread thread_;
};

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
      !prober::WriteFile(options.junit_file, results::RunsJUnit(results, prober::RealClock().Now()),
                         err))
    rc = kExitInternal;
  if (!options.json_file.empty()) {
    json all = json::array();
    for (const auto& r : results) all.push_back(results::ToJson(r));
    if (!prober::WriteFile(options.json_file,
                           all.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                           err))
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

// Runs every selected journey x target pair once on the daemon's engine (RunPlanOnce), under
// the config's concurrency and per_target_concurrency; then the TLS checks and the reports.
int RunOnce(const OnceOptions& options, const Context& context) {
  std::ostream& out = context.out;
  std::ostream& err = context.err;
  auto loaded = LoadChecked(options.config_path, context.identity, err);
  if (!loaded.ok()) return kExitUsage;
  const auto& cfg = loaded->config;
  const auto plan = OncePlan(*loaded, options, err);
  if (!plan) return kExitUsage;
  StopOnSignal signals(options.grace);
  JourneyRunner runner(prober::RealClock(), loaded->catalog, CurlFactory(signals.stop));
  runner.SetStop(signals.stop, CurlFactory(signals.hard));
  Progress progress(*plan, options, out, err);
  auto results = RunPlanOnce(
      *plan, cfg, runner, options.concurrency > 0 ? options.concurrency : cfg.concurrency,
      cfg.per_target_concurrency,
      [&](size_t i, const results::JourneyResult* r) { progress.Change(i, r); },
      signals.stop.get());
  const int stopped_by = signals.signal();
  if (stopped_by != 0 && options.output == OnceOptions::Output::kJson) {
    for (const auto& r : results)  // those never started; the others were printed as they ended
      if (r.cancelled && r.steps.empty()) out << prober::DumpJson(results::ToJson(r)) << "\n";
  }
  // A journey that could not clean up did harm: it counts as a failure of the run.
  const bool all_ok = std::all_of(results.begin(), results.end(),
                                  [](const auto& r) { return r.ok() && r.CleanedUp(); });
  if (options.output == OnceOptions::Output::kTable) out << results::FormatTable(results);
  // Stopped: no new TLS handshakes; the files and the push still record what happened.
  const auto tls =
      stopped_by != 0 ? std::vector<results::TlsReport>{} : ReportTls(cfg, *plan, options, out);
  int rc = WriteReports(results, options, err);
  if (!options.pushgateway.empty()) {
    PushOptions push{options.pushgateway, InstanceName(cfg), context.version};
    if (auto st = PushMetrics(push, cfg, results, tls); !st.ok()) {
      err << st.message() << "\n";
      rc = kExitInternal;
    }
  }
  // Stopped, during the journeys or after them (the TLS checks, the push): 130 SIGINT, 143
  // SIGTERM, as shells report a process a signal ended.
  if (const int sig = signals.signal(); sig != 0) return 128 + sig;
  return rc != kExitOk ? rc : (all_ok ? kExitOk : kExitJourneyFailed);
}

class Once final : public Command {
 public:
  CLI::App* Add(CLI::App& app) override {
    auto* c = app.add_subcommand("once", "Run every configured journey on every target once");
    c->add_option("CONFIG", o_.config_path, "Configuration file (YAML)")->required();
    c->add_option("--journey", o_.journeys, "Only this journey: its id or its name (repeatable)");
    c->add_option("--target", o_.targets, "Only this target (repeatable)");
    c->add_option("--output", output_, "Output: table (default) or json (one JSON object per line)")
        ->check(CLI::IsMember({"table", "json"}));
    c->add_option("--junit", o_.junit_file, "Also write JUnit XML to this file");
    c->add_option("--json", o_.json_file, "Also write the results as a JSON array to this file");
    c->add_option("--concurrency", o_.concurrency,
                  "Journeys at the same time (default: the config's concurrency; "
                  "per_target_concurrency holds too)")
        ->check(CLI::Range(1, 256));
    c->add_option("--grace", grace_seconds_,
                  "Seconds the running journeys get to clean up after SIGTERM or SIGINT; then "
                  "every call is cancelled (exit 143 or 130, the reports written)")
        ->capture_default_str()
        ->check(CLI::Range(0, 3600));
    c->add_option("--pushgateway", o_.pushgateway,
                  "Also push the metrics to this Prometheus Pushgateway (http://host:9091), "
                  "grouped by job, instance and region; a failed push exits 3");
    return c->footer(std::string(kExitCodes) +
                     "\n  130, 143  stopped by SIGINT, SIGTERM (the interrupted journeys "
                     "cancelled, the reports written)");
  }
  int Run(const Context& context) override {
    o_.output = output_ == "json" ? OnceOptions::Output::kJson : OnceOptions::Output::kTable;
    o_.live_progress = context.LiveProgress();
    o_.grace = std::chrono::seconds(grace_seconds_);
    return RunOnce(o_, context);
  }

 private:
  OnceOptions o_;
  int grace_seconds_ = 30;
  std::string output_ = "table";
};

}  // namespace

std::unique_ptr<Command> NewOnce() { return std::make_unique<Once>(); }

}  // namespace odoo_prober::runners::cli
