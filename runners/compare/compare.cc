// `odoo-prober compare`: the same journeys against a baseline and a candidate environment,
// interleaved, then judged (results/compare.h).
#include "runners/compare/compare.h"

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "prober/clock.h"
#include "prober/files.h"
#include "prober/text.h"
#include "results/compare.h"
#include "results/make_sinks.h"
#include "runners/engine/exit_codes.h"
#include "runners/engine/fingerprint.h"
#include "runners/engine/plan.h"
#include "runners/engine/push.h"
#include "runners/engine/run_once.h"
#include "runners/engine/tls_checks.h"

namespace odoo_prober::runners {

using nlohmann::json;

namespace {

// One line redrawn on a terminal, else a line per round.
class CompareProgress {
 public:
  CompareProgress(std::ostream& err, bool live, std::string total)
      : err_(err), live_(live), total_(std::move(total)) {}

  void Round(int round) {
    round_ = round;
    Draw("");
  }
  void Change(const PlannedPair& p, const results::JourneyResult* r) {
    if (r == nullptr) return Draw(p.id() + " on " + p.target->name);
    auto& side = r->labels.env == "baseline" ? baseline_ : candidate_;
    (r->ok() && r->CleanedUp() ? side.first : side.second)++;
    Draw("");
  }
  void EndRound() {
    if (!live_) err_ << Line() << "\n";
  }
  void Finish() {
    if (live_) err_ << "\r\x1b[2K" << Line() << "\n";
  }

 private:
  std::string Line() const {
    return "round " + std::to_string(round_) + total_ + ": baseline " +
           std::to_string(baseline_.first) + " ok, " + std::to_string(baseline_.second) +
           " failed; candidate " + std::to_string(candidate_.first) + " ok, " +
           std::to_string(candidate_.second) + " failed";
  }
  void Draw(const std::string& running) {
    if (!live_) return;
    err_ << "\r\x1b[2K" << Line() << (running.empty() ? "" : "; running " + running) << std::flush;
  }

  std::ostream& err_;
  const bool live_;
  const std::string total_;
  int round_ = 0;
  std::pair<int, int> baseline_, candidate_;  // ok, failed
};

// Usage errors of the options against the config; "" when none.
std::string CheckOptions(const CompareOptions& o, const Loaded& loaded) {
  const auto& cfg = loaded.config;
  const bool history = !o.baseline_history.empty();
  if (history != !o.baseline_target.empty())
    return "--baseline-history and --baseline-target go together";
  if (history && !o.baseline.empty())
    return "--baseline and --baseline-history exclude each other: the baseline is a target "
           "of the config or of the history";
  if (!history && o.baseline.empty())
    return "--baseline TARGET is required (or --baseline-history FILE --baseline-target NAME)";
  if (o.candidate.empty()) return "--candidate TARGET is required";
  if (cfg.FindTarget(o.candidate) == nullptr)
    return "--candidate " + o.candidate + ": no such target in " + o.config_path;
  if (!history && cfg.FindTarget(o.baseline) == nullptr)
    return "--baseline " + o.baseline + ": no such target in " + o.config_path;
  if (!history && o.baseline == o.candidate)
    return "--baseline and --candidate name the same target; compare two environments";
  if (o.runs < 1) return "--runs must be at least 1";
  for (const auto& name : o.journeys) {
    const bool configured = std::any_of(cfg.journeys.begin(), cfg.journeys.end(),
                                        [&](const auto& j) { return j.id == name; });
    if (!configured && loaded.catalog.Find(name) == nullptr)
      return "--journey " + name + ": no such journey id or name (see odoo-prober validate)";
  }
  return "";
}

}  // namespace

namespace {

using SidePair = std::pair<PlannedPair, PlannedPair>;  // baseline, candidate

// The config with both sides' results labelled env=baseline|candidate, in every sink.
config::ProberConfig Labelled(const CompareOptions& options, config::ProberConfig cfg) {
  const bool history = !options.baseline_history.empty();
  for (auto& t : cfg.targets) {
    if (t.name == options.candidate) t.labels.env = "candidate";
    if (!history && t.name == options.baseline) t.labels.env = "baseline";
  }
  return cfg;
}

// Each journey run on the candidate, beside its baseline run (the same entry on the baseline
// target; with a history, the candidate's alone). Results are judged by id, which CheckPlan
// keeps unique on a target: a journey configured twice is two probes, each compared apart.
std::vector<SidePair> PairSides(const CompareOptions& options, const config::ProberConfig& cfg,
                                const scenarios::Catalog& catalog) {
  std::vector<SidePair> pairs;
  for (const auto& p : Plan(cfg, catalog, options.journeys, {options.candidate})) {
    PlannedPair b = p;
    if (options.baseline_history.empty()) b.target = cfg.FindTarget(options.baseline);
    pairs.push_back({b, p});
  }
  return pairs;
}

// What is compared, and the baseline's runs and fingerprint when they come from the history.
prober::Result<results::CompareInput> InputOf(const CompareOptions& options,
                                              const std::vector<SidePair>& pairs) {
  const bool history = !options.baseline_history.empty();
  results::CompareInput input;
  input.candidate = options.candidate;
  input.baseline = history ? options.baseline_target : options.baseline;
  input.baseline_from_history = history;
  for (const auto& [b, c] : pairs) {
    input.journeys.push_back(c.id());
    auto& rules = input.rules[c.id()];
    for (const auto& f : c.journey->compare)
      rules.push_back({f.model, f.field, f.tolerance, f.relative, f.pattern});
  }
  if (!history) return input;
  auto baseline = results::ReadHistoryBaseline(options.baseline_history, options.baseline_target,
                                               input.journeys, {}, options.max_history_runs);
  if (!baseline.ok()) return baseline.status();
  input.baseline_runs = std::move(baseline->runs);
  input.baseline_fingerprint = std::move(baseline->fingerprint);
  return input;
}

results::CompareSettings SettingsOf(const CompareOptions& options,
                                    const config::ProberConfig& cfg) {
  results::CompareSettings settings;
  settings.budget = cfg.compare.latency_budget;
  settings.budgets = cfg.compare.latency_budgets;
  settings.ignore_below = cfg.compare.ignore_below;
  settings.expect_different = cfg.compare.expect_different;
  settings.expect_modules = cfg.compare.expect_modules;
  settings.expect_all_modules = cfg.compare.expect_all_modules;
  settings.allow_protocol_change = cfg.compare.allow_protocol_change;
  settings.seed = options.seed ? *options.seed : prober::RealSystem().Random();
  return settings;
}

// One round's runs: the journeys shuffled, each side by side in the round's order (A/B/B/A: a
// coin from the seed picks the first round's order, the next round reverses it).
std::vector<PlannedPair> RoundPlan(const std::vector<SidePair>& pairs, bool history, int round,
                                   std::mt19937_64& order, bool& baseline_first) {
  baseline_first =
      round % 2 == 0 ? std::uniform_int_distribution<int>(0, 1)(order) == 0 : !baseline_first;
  std::vector<size_t> journeys(pairs.size());
  for (size_t i = 0; i < journeys.size(); ++i) journeys[i] = i;
  std::shuffle(journeys.begin(), journeys.end(), order);
  std::vector<PlannedPair> plan;
  for (size_t j : journeys) {
    if (history) {
      plan.push_back(pairs[j].second);
    } else if (baseline_first) {
      plan.push_back(pairs[j].first);
      plan.push_back(pairs[j].second);
    } else {
      plan.push_back(pairs[j].second);
      plan.push_back(pairs[j].first);
    }
  }
  return plan;
}

// The A/B rounds, by count or for a duration; every result published and kept in `input`.
std::vector<results::JourneyResult> RunRounds(const CompareOptions& options,
                                              const config::ProberConfig& cfg,
                                              const std::vector<SidePair>& pairs,
                                              const JourneyRunner& runner, uint64_t seed,
                                              results::FanOut& fanout, results::CompareInput& input,
                                              std::ostream& err) {
  const int concurrency = options.concurrency > 0 ? options.concurrency : cfg.concurrency;
  const bool by_time = options.duration.count() > 0;
  CompareProgress progress(err, options.live_progress,
                           by_time ? "" : "/" + std::to_string(options.runs));
  std::mt19937_64 order(seed);
  std::vector<results::JourneyResult> all;
  const auto start = prober::RealClock().Monotonic();
  bool baseline_first = true;
  auto round_start = start;
  for (int round = 0;; ++round) {
    if (round > 0) std::this_thread::sleep_until(round_start + options.round_interval);
    round_start = prober::RealClock().Monotonic();
    if (by_time ? round_start - start >= options.duration : round >= options.runs) break;
    const auto plan =
        RoundPlan(pairs, !options.baseline_history.empty(), round, order, baseline_first);
    progress.Round(round + 1);
    auto results = RunPlanOnce(
        plan, cfg, runner, concurrency, cfg.per_target_concurrency,
        [&](size_t i, const results::JourneyResult* r) { progress.Change(plan[i], r); });
    progress.EndRound();
    for (auto& r : results) {
      fanout.Publish(r);
      (r.labels.env == "candidate" ? input.candidate_runs : input.baseline_runs).push_back(r);
      all.push_back(std::move(r));
    }
    input.rounds = round + 1;
  }
  progress.Finish();
  return all;
}

// The files and the push asked for; kExitInternal when one could not be written.
int WriteOutputs(const CompareOptions& options, const config::ProberConfig& cfg,
                 const results::Comparison& comparison,
                 const std::vector<results::JourneyResult>& all,
                 const std::vector<results::TlsReport>& tls, std::ostream& err) {
  int rc = kExitOk;
  auto write = [&](const std::string& path, const std::string& text) {
    if (!path.empty() && !prober::WriteFile(path, text, err)) rc = kExitInternal;
  };
  if (!options.json_file.empty()) {
    write(options.json_file,
          results::CompareJson(comparison)
                  .dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
              "\n");
  }
  if (!options.junit_file.empty()) write(options.junit_file, results::CompareJUnit(comparison));
  if (!options.html_file.empty()) write(options.html_file, results::CompareHtml(comparison));
  if (!options.pushgateway.empty()) {
    PushOptions push{options.pushgateway, InstanceName(cfg), options.version};
    if (auto st = PushMetrics(push, cfg, all, tls); !st.ok()) {
      err << st.message() << "\n";
      rc = kExitInternal;
    }
  }
  return rc;
}

int VerdictCode(const CompareOptions& options, const results::Comparison& comparison) {
  if (comparison.LatencyRegressed() || comparison.ParityFailed()) return kExitJourneyFailed;
  if (options.strict && (comparison.Inconclusive() || comparison.NotComparable()))
    return kExitJourneyFailed;
  return kExitOk;
}

}  // namespace

int RunCompare(const CompareOptions& options, std::ostream& out, std::ostream& err) {
  auto loaded = LoadChecked(options.config_path, options.identity, err);
  if (!loaded.ok()) return kExitUsage;
  if (auto wrong = CheckOptions(options, *loaded); !wrong.empty()) {
    err << wrong << "\n";
    return kExitUsage;
  }
  const config::ProberConfig cfg = Labelled(options, loaded->config);
  const auto pairs = PairSides(options, cfg, loaded->catalog);
  if (pairs.empty()) {
    err << "nothing to compare: the config runs no journey on " << options.candidate
        << (options.journeys.empty() ? "" : " among the --journey names") << "\n";
    return kExitUsage;
  }
  auto input = InputOf(options, pairs);
  if (!input.ok()) {
    err << input.status().message() << "\n";
    return kExitUsage;
  }
  const results::CompareSettings settings = SettingsOf(options, cfg);
  results::Metrics metrics(InstanceName(cfg), options.version);
  results::StatusBoard board;
  auto sinks = results::MakeSinks(cfg, metrics, board);
  if (!sinks.ok()) {
    err << sinks.status().message() << "\n";
    return kExitUsage;
  }
  results::FanOut fanout(std::move(*sinks), cfg.sink_queue);
  // Both fingerprints (reads only), then the rounds.
  const auto factory = CurlFactory();
  std::vector<results::TlsReport> tls;
  input->started_at = prober::RealClock().Now();
  if (options.baseline_history.empty())
    input->baseline_fingerprint = ReadFingerprint(*cfg.FindTarget(options.baseline), factory, tls);
  input->candidate_fingerprint = ReadFingerprint(*cfg.FindTarget(options.candidate), factory, tls);
  for (const auto& t : tls) fanout.Publish(t);
  JourneyRunner runner(prober::RealClock(), loaded->catalog, factory);
  runner.ReadCompareFields(true);
  const auto all = RunRounds(options, cfg, pairs, runner, settings.seed, fanout, *input, err);
  input->finished_at = prober::RealClock().Now();
  fanout.Close(std::chrono::seconds(10));
  const results::Comparison comparison = results::Compare(*input, settings);
  out << results::CompareTable(comparison);
  if (const int rc = WriteOutputs(options, cfg, comparison, all, tls, err); rc != kExitOk)
    return rc;
  return VerdictCode(options, comparison);
}

}  // namespace odoo_prober::runners
