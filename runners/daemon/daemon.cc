#include "runners/daemon/daemon.h"

#include <malloc.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <thread>

#include "prober/odoo_client.h"
#include "prober/text.h"
#include "results/make_sinks.h"
#include "runners/admin/admin_auth.h"
#include "runners/engine/exit_codes.h"
#include "runners/engine/fingerprint.h"
#include "runners/engine/plan.h"
#include "runners/engine/scheduler.h"
#include "runners/http/http_server.h"

namespace odoo_prober::runners {

// One loaded configuration with its journeys: immutable, shared by the runs it started.
struct Daemon::Snapshot {
  config::ProberConfig config;
  scenarios::Catalog catalog;
  std::vector<PlannedPair> pairs;
  std::vector<std::string> keys;  // journey@target#selection, stable across reloads
  std::vector<PlannedDependency> dependencies;
  std::vector<std::string> dependency_keys;  // the dependency's name
  // How often each target's fingerprint is read: fingerprint_interval, or its most frequent
  // journey's interval when that is longer (a target is never read more often than it is probed).
  std::map<std::string, std::chrono::milliseconds> watch_interval;
};

namespace {

// Leftover records retried in one round (each a recipe of a few calls): a round stays short.
constexpr size_t kLeftoverRetriesPerRound = 20;

LeftoverOptions LeftoverOptionsOf(const config::ProberConfig& cfg) {
  return {cfg.leftovers.retry_min, cfg.leftovers.retry_max, cfg.leftovers.max_records};
}

// glibc keeps freed memory for reuse: return what is free to the system.
void ReleaseFreeMemory() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

// A daemon's memory stays flat when large, short-lived buffers (a /metrics exposition of tens of
// MB, a config's YAML tree) go back to the system when freed, and when its threads share one
// malloc arena (each arena keeps its own free memory; small allocations stay fast in glibc's
// per-thread caches). At 5,000 pairs (bench/run's capacity step), RSS over a minute stayed within
// 54-60 MB with one arena, 56-64 MB with two.
void TuneAllocator() {
#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, 1 << 20);  // fixed, not raised by glibc after large frees
  mallopt(M_ARENA_MAX, 1);
#endif
}

prober::Result<std::shared_ptr<const Daemon::Snapshot>> Load(const std::string& path,
                                                             const config::Identity& identity) {
  auto loaded = LoadAndCheck(path, identity);
  if (!loaded.ok()) return loaded.status();
  auto snap = std::make_shared<Daemon::Snapshot>();
  snap->config = std::move(loaded->config);
  snap->catalog = std::move(loaded->catalog);
  // Planned after the move: the pairs point into the snapshot's own config and catalog.
  snap->pairs = Plan(snap->config, snap->catalog);
  for (const auto& p : snap->pairs) {
    snap->keys.push_back(p.id() + "@" + p.target->name + "#" + std::to_string(p.selection_index));
  }
  snap->dependencies = PlanDependencies(snap->config);
  for (const auto& d : snap->dependencies) snap->dependency_keys.push_back(d.config->name);
  std::map<std::string, std::chrono::milliseconds> fastest;
  for (const auto& p : snap->pairs) {
    auto& f = fastest.try_emplace(p.target->name, p.selection->interval).first->second;
    f = std::min(f, p.selection->interval);
  }
  for (const auto& t : snap->config.targets) {
    auto it = fastest.find(t.name);
    snap->watch_interval[t.name] =
        std::max(snap->config.fingerprint_interval,
                 it == fastest.end() ? snap->config.fingerprint_interval : it->second);
  }
  // The YAML tree of a large config (tens of MB for thousands of targets) is gone: give its
  // pages back rather than carry them for the life of the daemon.
  ReleaseFreeMemory();
  return std::shared_ptr<const Daemon::Snapshot>(std::move(snap));
}

// What a pair is, to tell what a reload changed: its schedule, parameters, service, objective,
// target and the journey's steps (no secret: the credentials are left out).
std::string PairSignature(const PlannedPair& p, const config::ProberConfig& cfg) {
  const config::JourneySelection& s = *p.selection;
  const config::TargetConfig& t = *p.target;
  const config::Objective& o = cfg.objectives.For(p.id());
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& step : p.journey->steps) steps.push_back(step.name);
  nlohmann::json sig = {
      {"interval", s.interval.count()},
      {"timeout", s.timeout.value_or(p.journey->timeout).count()},
      {"service", ServiceOf(p)},
      {"step_histograms", s.step_histograms},
      {"stock_moves", s.stock_moves_allowed},
      {"params", ResolveParams(*p.journey, cfg, s, t)},
      {"steps", steps},
      {"target",
       {t.client.base_url, t.client.database, t.client.login,
        std::string(prober::ProtocolName(t.client.protocol)), t.labels.region, t.labels.plant,
        t.labels.env, t.company_id, t.maintenance.size()}},
      {"objective", {o.availability, o.latency_under.count(), o.latency_ratio, o.window.count()}}};
  return sig.dump();
}

// Each pair of a snapshot ("journey on target", "#2" for a second entry of the same) and what
// it is.
std::map<std::string, std::string> PairSignatures(const Daemon::Snapshot& snap) {
  std::map<std::string, std::string> out;
  std::map<std::string, int> seen;
  for (const auto& p : snap.pairs) {
    std::string key = p.id() + " on " + p.target->name;
    if (const int n = ++seen[key]; n > 1) key += " #" + std::to_string(n);
    out[key] = PairSignature(p, snap.config);
  }
  return out;
}

// "configuration reloaded: 5 pair(s); added: ...; removed: ...; changed: ...; 3 unchanged".
std::string ReloadSummary(const Daemon::Snapshot& before, const Daemon::Snapshot& after) {
  const auto old_pairs = PairSignatures(before), new_pairs = PairSignatures(after);
  std::vector<std::string> added, removed, changed;
  size_t same = 0;
  for (const auto& [key, sig] : new_pairs) {
    auto it = old_pairs.find(key);
    if (it == old_pairs.end()) {
      added.push_back(key);
    } else if (it->second != sig) {
      changed.push_back(key);
    } else {
      ++same;
    }
  }
  for (const auto& [key, sig] : old_pairs) {
    if (!new_pairs.count(key)) removed.push_back(key);
  }
  auto list = [](const char* what, const std::vector<std::string>& keys) -> std::string {
    if (keys.empty()) return "";
    constexpr size_t kShown = 10;
    std::vector<std::string> shown(keys.begin(), keys.begin() + std::min(keys.size(), kShown));
    return std::string("; ") + what + ": " + prober::Join(shown) +
           (keys.size() > kShown ? " and " + std::to_string(keys.size() - kShown) + " more" : "");
  };
  return "configuration reloaded: " + std::to_string(new_pairs.size()) + " pair(s)" +
         list("added", added) + list("removed", removed) + list("changed", changed) + "; " +
         std::to_string(same) + " unchanged";
}

// `workers`: the runs that may go at once (the config's concurrency, at most the pool's threads).
Scheduler MakeScheduler(const Daemon::Snapshot& snap, const std::string& instance, int workers,
                        Scheduler::Mono now) {
  std::vector<SchedulePair> pairs;
  for (const auto& p : snap.pairs)
    pairs.push_back({p.id(), p.target->name, p.selection->interval, p.target->maintenance});
  ScheduleOptions o;
  o.workers = workers;
  o.per_target_cap = snap.config.per_target_concurrency;
  o.instance = instance;
  if (snap.config.region) {
    o.replicas = snap.config.region->replicas;
    o.replica = ReplicaOf(instance, o.replicas);
  }
  return Scheduler(std::move(pairs), o, now);
}

// The dependency checks' schedule: each its own pair (its name for journey and target, so that
// the per-target cap is per dependency), with its interval and windows, jitter and HA offsets.
Scheduler MakeDependencyScheduler(const Daemon::Snapshot& snap, const std::string& instance,
                                  int workers, Scheduler::Mono now) {
  std::vector<SchedulePair> pairs;
  for (const auto& d : snap.dependencies)
    pairs.push_back({d.config->name, d.config->name, d.config->interval, d.config->maintenance});
  ScheduleOptions o;
  o.workers = workers;
  o.per_target_cap = 1;
  o.instance = instance;
  o.seed = 1;  // not in lock-step with the journeys
  if (snap.config.region) {
    o.replicas = snap.config.region->replicas;
    o.replica = ReplicaOf(instance, o.replicas);
  }
  return Scheduler(std::move(pairs), o, now);
}

// Dependency checks are short and mostly wait on the network: a few threads serve many.
constexpr int kDependencyWorkers = 4;

// Runs `task` on `pool`, or right here when the daemon has no threads (Step() on a fake clock).
void RunOn(WorkerPool* pool, std::function<void()> task) {
  if (pool) {
    pool->Submit(std::move(task));
  } else {
    task();
  }
}

// An Executor's way to start tasks: on `pool`, or right here without one.
Executor::Submit SubmitTo(WorkerPool* pool) {
  return [pool](std::function<void()> task) { RunOn(pool, std::move(task)); };
}

}  // namespace

Daemon::Daemon(const RunOptions& options, DaemonEnv env)
    : options_(options), env_(std::move(env)), clock_(*env_.clock) {}

prober::Result<std::unique_ptr<Daemon>> Daemon::Create(const RunOptions& options, DaemonEnv env) {
  auto loaded = Load(options.config_path, options.identity);
  if (!loaded.ok()) return loaded.status();
  const config::ProberConfig& cfg = (*loaded)->config;
  for (const auto& w : cfg.warnings) spdlog::warn("{}", w);
  std::unique_ptr<Daemon> d(new Daemon(options, std::move(env)));
  d->instance_ = InstanceName(cfg);
  d->listen_ = options.listen.empty() ? cfg.admin_listen : options.listen;
  d->admin_serving_ = {cfg.admin_tls_cert, cfg.admin_tls_key, cfg.admin_users};
  d->metrics_ = std::make_unique<results::Metrics>(d->instance_, options.version);
  auto sinks = results::MakeSinks(cfg, *d->metrics_, d->board_);
  if (!sinks.ok()) return sinks.status();
  d->fanout_ = std::make_unique<results::FanOut>(
      std::move(*sinks), cfg.sink_queue,
      [m = d->metrics_.get()](const std::string& sink, results::FanOut::Drop why) {
        m->SinkDropped(sink,
                       why == results::FanOut::Drop::kQueueFull ? "queue_full" : "write_failed");
      });
  for (const auto& name : d->fanout_->names()) d->metrics_->DeclareSink(name);
  d->admin_ = std::make_unique<AdminHandler>(
      *d->metrics_, d->board_, d->clock_, d->instance_, [d = d.get()] {
        return Readiness{d->scheduling_.load(), d->fanout_->Healthy()};
      });
  if (d->env_.threads) {
    d->pool_ = std::make_unique<WorkerPool>(cfg.concurrency);
    d->tls_pool_ = std::make_unique<WorkerPool>(1);
    d->cleanup_pool_ = std::make_unique<WorkerPool>(1);
    d->dependency_pool_ = std::make_unique<WorkerPool>(kDependencyWorkers);
    d->watch_pool_ = std::make_unique<WorkerPool>(1);
  }
  d->executor_ = std::make_unique<Executor>(SubmitTo(d->pool_.get()));
  d->dependency_executor_ = std::make_unique<Executor>(SubmitTo(d->dependency_pool_.get()));
  d->Install(*loaded);
  d->next_tls_ = d->clock_.Monotonic();
  return d;
}

Daemon::~Daemon() {
  // A daemon whose Create failed half-way (a sink that cannot start) has nothing to stop.
  if (!shut_down_ && executor_) Shutdown(std::chrono::milliseconds(0));
}

void Daemon::Install(std::shared_ptr<const Snapshot> snapshot) {
  snapshot_ = std::move(snapshot);
  int workers = snapshot_->config.concurrency;
  if (pool_ && workers > pool_->threads()) {
    // The pool is sized at start; more workers than threads would only queue runs (and hide
    // that wait in their latency).
    spdlog::warn("concurrency {} takes effect after a restart; {} until then", workers,
                 pool_->threads());
    workers = pool_->threads();
  }
  executor_->Reset(MakeScheduler(*snapshot_, instance_, workers, clock_.Monotonic()),
                   snapshot_->keys);
  reported_skips_.assign(snapshot_->pairs.size(), 0);
  reported_maintenance_.assign(snapshot_->pairs.size(), -1);  // not reported yet
  std::vector<results::Metrics::Pair> declared;
  std::vector<results::StatusBoard::PairInfo> shown;
  for (const auto& p : snapshot_->pairs) {
    const auto& objective = snapshot_->config.objectives.For(p.id());
    declared.push_back({p.id(), p.target->name, p.target->labels, ServiceOf(p), objective,
                        p.selection->interval, p.selection->step_histograms, p.journey->name});
    shown.push_back({p.id(), p.target->name, ServiceOf(p), p.target->labels, objective});
  }
  metrics_->DeclarePairs(declared);
  board_.DeclarePairs(shown);
  leftovers_.Configure(LeftoverOptionsOf(snapshot_->config));
  metrics_->SetLeftoverAlertAfter(snapshot_->config.leftovers.alert_after);
  std::set<std::string> targets;
  for (const auto& t : snapshot_->config.targets) targets.insert(t.name);
  if (const size_t gone = leftovers_.Retain(targets); gone > 0) {
    spdlog::warn(
        "{} leftover record(s) of targets no longer configured are forgotten: "
        "`odoo-prober sweep` finds them by their probe tag",
        gone);
  }
  PublishLeftovers();
  InstallDependencies();
  // The change watch: the targets' series, and a first reading of each new target at once.
  std::vector<std::pair<std::string, config::Labels>> watched;
  for (const auto& t : snapshot_->config.targets) {
    watched.emplace_back(t.name, t.labels);
    next_watch_.emplace(t.name, clock_.Monotonic());
  }
  for (auto it = next_watch_.begin(); it != next_watch_.end();)
    it = targets.count(it->first) ? std::next(it) : next_watch_.erase(it);
  metrics_->changes().Declare(watched);
  {
    prober::MutexLock lock(watch_mu_);
    watch_.Retain(targets);
  }
  const auto& region = snapshot_->config.region;
  metrics_->SetInstanceInfo(region ? region->name : "",
                            region ? ReplicaOf(instance_, region->replicas) : 0,
                            region ? region->labels : std::map<std::string, std::string>{});
}

void Daemon::InstallDependencies() {
  dependency_executor_->Reset(
      MakeDependencyScheduler(*snapshot_, instance_, kDependencyWorkers, clock_.Monotonic()),
      snapshot_->dependency_keys);
  reported_dependency_maintenance_.assign(snapshot_->dependencies.size(), -1);
  std::vector<results::DependencyMetrics::Declared> declared;
  std::vector<results::StatusBoard::DependencyInfo> shown;
  for (const auto& d : snapshot_->dependencies) {
    const auto& c = *d.config;
    declared.push_back({c.name, c.probe.kind, d.labels, c.used_by, c.page, c.interval});
    shown.push_back({c.name, std::string(prober::DependencyKindName(c.probe.kind)),
                     Describe(c.probe), c.used_by});
  }
  metrics_->dependencies().Declare(declared);
  board_.DeclareDependencies(shown);
}

void Daemon::WatchIfDue(Mono now) {
  const auto& cfg = snapshot_->config;
  if (!env_.read_fingerprint || cfg.fingerprint_interval.count() == 0 || watching_.load()) return;
  const auto wall = clock_.Now();
  std::vector<const config::TargetConfig*> due;
  for (const auto& t : cfg.targets) {
    auto& next = next_watch_[t.name];
    if (next > now) continue;
    next = now + snapshot_->watch_interval.at(t.name);
    // Not during its maintenance: what changed in the window is seen at the first reading after.
    const bool in_window = std::any_of(t.maintenance.begin(), t.maintenance.end(),
                                       [&](const auto& w) { return w.Contains(wall); });
    if (!in_window) due.push_back(&t);
  }
  if (due.empty()) return;
  watching_ = true;
  auto round = [this, snap = snapshot_, due] {
    Watch(*snap, due);
    watching_ = false;
  };
  RunOn(watch_pool_.get(), std::move(round));
}

void Daemon::Watch(const Snapshot& snap, const std::vector<const config::TargetConfig*>& due) {
  (void)snap;  // keeps the targets `due` points into alive
  for (const config::TargetConfig* t : due) {
    if (stop_) break;
    results::Fingerprint f = env_.read_fingerprint(*t);
    const auto at = clock_.Now();
    ChangeWatch::Reading reading;
    {
      prober::MutexLock lock(watch_mu_);
      reading = watch_.Observe(*t, f, at, instance_);
    }
    board_.SetFingerprintRead(t->name, reading.error, at);
    if (!reading.error.empty()) {
      metrics_->changes().FingerprintFailed(t->name);
      spdlog::warn("the fingerprint of {} cannot be read (no change is judged): {}", t->name,
                   reading.error);
      continue;
    }
    metrics_->changes().SetServerVersion(t->name, f.server_version);
    for (const auto& e : reading.events) {
      spdlog::info("change on {}: {}", e.target, e.Summary());
      fanout_->Publish(e);
    }
  }
}

void Daemon::PublishDependencySchedule() {
  const Scheduler& scheduler = dependency_executor_->scheduler();
  for (size_t i = 0; i < snapshot_->dependencies.size(); ++i) {
    const bool on = scheduler.state(i).in_maintenance;
    if (reported_dependency_maintenance_[i] == static_cast<int8_t>(on)) continue;
    reported_dependency_maintenance_[i] = static_cast<int8_t>(on);
    metrics_->dependencies().SetInMaintenance(snapshot_->dependencies[i].config->name, on);
  }
}

void Daemon::Reload() {
  auto fresh = Load(options_.config_path, options_.identity);
  if (!fresh.ok()) {
    spdlog::error("configuration reload refused, the running schedule is kept:\n{}",
                  fresh.status().message());
    metrics_->ConfigReload(false);
    return;
  }
  const std::string summary = ReloadSummary(*snapshot_, **fresh);
  // The admin server keeps its socket, certificate and users until the next start: a change
  // of them is said, never silently ignored.
  const config::ProberConfig& next = (*fresh)->config;
  if (options_.listen.empty() && next.admin_listen != listen_) {
    spdlog::warn(
        "admin.listen changed from {} to {}: the admin server keeps {} until the next "
        "start (restart to apply it)",
        listen_, next.admin_listen, listen_);
  }
  if (next.admin_tls_cert != admin_serving_.tls_cert ||
      next.admin_tls_key != admin_serving_.tls_key || next.admin_users != admin_serving_.users) {
    spdlog::warn(
        "admin TLS or basic auth changed: the admin server keeps what it started with "
        "until the next start (restart to apply it)");
  }
  Install(*fresh);
  next_tls_ = clock_.Monotonic();  // the new endpoints are checked at once
  metrics_->ConfigReload(true);
  spdlog::info("{}", summary);
}

void Daemon::RunPair(const Snapshot& snap, size_t i) {
  JourneyRunner runner(clock_, snap.catalog, env_.clients);
  auto result = RunPlanned(runner, snap.pairs[i], snap.config);
  KeepLeftovers(result);
  fanout_->Publish(std::move(result));
}

void Daemon::KeepLeftovers(const results::JourneyResult& result) {
  if (result.CleanedUp()) return;
  if (const size_t lost = leftovers_.Add(result, clock_.Monotonic(), clock_.Now()); lost > 0) {
    metrics_->LeftoversDropped(lost);
    spdlog::warn(
        "{} leftover record(s) of {} on {} are not kept (leftovers.max_records): "
        "`odoo-prober sweep` finds them by their probe tag",
        lost, result.journey, result.target);
  }
  PublishLeftovers();
}

void Daemon::PublishLeftovers() {
  // One at a time: a list read later is never overwritten by one read earlier.
  prober::MutexLock lock(publish_mu_);
  auto list = leftovers_.List();
  metrics_->SetLeftovers(list);
  board_.SetLeftovers(std::move(list));
}

void Daemon::RetryLeftoversIfDue(Mono now) {
  if (retrying_.load()) return;
  auto due = leftovers_.TakeDue(now, kLeftoverRetriesPerRound);
  if (due.empty()) return;
  retrying_ = true;
  auto round = [this, snap = snapshot_, due = std::move(due)] {
    RetryLeftovers(*snap, due);
    retrying_ = false;
  };
  RunOn(cleanup_pool_.get(), std::move(round));
}

void Daemon::RetryLeftovers(const Snapshot& snap, const std::vector<results::LeftoverRecord>& due) {
  JourneyRunner runner(clock_, snap.catalog, env_.clients);
  std::map<std::string, std::vector<const results::LeftoverRecord*>> by_target;
  for (const auto& r : due) by_target[r.target].push_back(&r);
  for (const auto& [name, records] : by_target) {
    if (stop_) break;  // stopping: the rest stay leftovers (sweep finds them)
    const config::TargetConfig* target = snap.config.FindTarget(name);
    std::unique_ptr<prober::OdooClient> client;
    std::string why;
    const auto wall = clock_.Now();
    if (target != nullptr && std::any_of(target->maintenance.begin(), target->maintenance.end(),
                                         [&](const auto& w) { return w.Contains(wall); })) {
      // Nothing touches a target in its maintenance window, cleanups included.
      for (const auto* r : records) leftovers_.Postpone(*r, clock_.Monotonic(), wall);
      continue;
    }
    if (target == nullptr) {
      why = "the target is no longer configured";
    } else if (auto made = env_.clients(target->client); !made.ok()) {
      why = made.status().message();
    } else {
      client = std::move(*made);
      auto login = client->Authenticate(clock_.Monotonic() + target->client.call_timeout);
      if (!login.ok()) why = "cannot log in: " + login.detail;
    }
    for (const results::LeftoverRecord* r : records) {
      if (stop_) break;
      const auto rc =
          why.empty() ? runner.Neutralise(*client, *target, r->model, r->id, client->server_major())
                      : results::RecordCleanup{r->model, r->id, "failed", why, ""};
      leftovers_.Retried(*r, rc, clock_.Monotonic(), clock_.Now());
      if (rc.status == "ok") {
        spdlog::info("leftover {} {} on {} (journey {}, run {}) cleaned up at try {}", r->model,
                     r->id, name, r->journey, r->run_id, r->attempts + 1);
      } else {
        spdlog::info("leftover {} {} on {} still open after try {}: {}", r->model, r->id, name,
                     r->attempts + 1, rc.detail);
      }
    }
  }
  PublishLeftovers();
}

Daemon::Mono Daemon::Step() {
  scheduling_ = true;
  if (reload_.exchange(false)) Reload();
  const Mono now = clock_.Monotonic();
  const auto started =
      executor_->Step(now, clock_.Now(), [this, snap = snapshot_](size_t i) { RunPair(*snap, i); });
  PublishSchedule(started);
  dependency_executor_->Step(now, clock_.Now(), [this, snap = snapshot_](size_t i) {
    fanout_->Publish(RunDependency(snap->dependencies[i], instance_, clock_, env_.cancel));
  });
  PublishDependencySchedule();
  WatchIfDue(now);
  CheckTlsIfDue(now);
  RetryLeftoversIfDue(now);
  if (now >= next_trim_) {
    // Runs come and go on several threads; what they freed is given back now and then, so
    // that the resident size follows the live data. It takes 10-30 ms on a 5,000-pair
    // instance: off the scheduling thread (on the TLS checks' thread, idle nearly always).
    next_trim_ = now + std::chrono::seconds(10);
    auto trim = [this] {
      const auto t = clock_.Monotonic();
      ReleaseFreeMemory();
      spdlog::debug(
          "free memory given back in {} us",
          std::chrono::duration_cast<std::chrono::microseconds>(clock_.Monotonic() - t).count());
      trim_pending_ = false;
    };
    // At most one waits behind a long TLS round.
    if (!trim_pending_.exchange(true)) RunOn(tls_pool_.get(), std::move(trim));
  }
  Mono next_watch = Mono::max();
  if (env_.read_fingerprint && snapshot_->config.fingerprint_interval.count() > 0)
    for (const auto& [target, at] : next_watch_) next_watch = std::min(next_watch, at);
  return std::min({executor_->scheduler().NextWakeup(now),
                   dependency_executor_->scheduler().NextWakeup(now), next_tls_,
                   leftovers_.NextDue(), next_watch});
}

void Daemon::PublishSchedule(const std::vector<size_t>& started) {
  const Scheduler& scheduler = executor_->scheduler();
  for (size_t i : started) {
    metrics_->ObserveSchedulerLag(
        std::chrono::duration<double>(scheduler.state(i).last_lag).count());
  }
  for (size_t i = 0; i < snapshot_->pairs.size(); ++i) {
    const auto& st = scheduler.state(i);
    const auto& p = snapshot_->pairs[i];
    if (st.skipped > reported_skips_[i]) {
      metrics_->AddSkipped(p.id(), p.target->name, p.target->labels,
                           st.skipped - reported_skips_[i]);
      reported_skips_[i] = st.skipped;
    }
    // Only changes are passed on: this loop runs at every wake-up, over every pair.
    if (reported_maintenance_[i] != static_cast<int8_t>(st.in_maintenance)) {
      reported_maintenance_[i] = static_cast<int8_t>(st.in_maintenance);
      metrics_->SetInMaintenance(p.id(), p.target->name, p.target->labels, st.in_maintenance);
      board_.SetInMaintenance(p.id(), p.target->name, st.in_maintenance);
    }
  }
  metrics_->SetBusyWorkers(executor_->running());
}

void Daemon::CheckTlsIfDue(Mono now) {
  if (now < next_tls_) return;
  const auto snap = snapshot_;
  next_tls_ = now + snap->config.tls_check_interval;
  if (tls_running_.exchange(true)) return;  // the last round is still going: skip this one
  auto round = [this, snap] {
    for (const auto& endpoint : TlsEndpoints(snap->config)) {
      const config::TargetConfig* target = snap->config.FindTarget(endpoint.target);
      const auto timeout = target ? target->client.call_timeout : std::chrono::seconds(10);
      fanout_->Publish(env_.check_tls ? env_.check_tls(endpoint, timeout)
                                      : CheckTls(endpoint, timeout, clock_));
    }
    tls_running_ = false;
  };
  RunOn(tls_pool_.get(), std::move(round));
}

void Daemon::Loop() {
  while (!stop_) {
    const Mono next = Step();
    // The real steady clock: Loop is for production; tests drive Step() on a fake clock.
    executor_->WaitUntil(
        std::min(next, std::chrono::steady_clock::now() + std::chrono::seconds(1)));
  }
}

void Daemon::RequestReload() {
  reload_ = true;
  executor_->Notify();
}

void Daemon::RequestStop() {
  stop_ = true;
  executor_->Notify();
}

int Daemon::Shutdown(std::chrono::milliseconds grace) {
  shut_down_ = true;
  stop_ = true;
  scheduling_ = false;
  const int in_flight = executor_->running();
  spdlog::info("stopping: {} journey(s) in flight finish with their cleanup (grace {}s)", in_flight,
               std::chrono::duration_cast<std::chrono::seconds>(grace).count());
  int cancelled = 0;
  if (!executor_->Drain(std::chrono::steady_clock::now() + grace)) {
    cancelled = executor_->running();
    spdlog::warn(
        "{} journey(s) still running after the grace period: their calls are cancelled and "
        "their records left for `odoo-prober sweep`",
        cancelled);
    env_.cancel->store(true);
    // Cancelled calls end within about a second; a TLS check within its timeout.
    (void)executor_->Drain(std::chrono::steady_clock::now() + std::chrono::seconds(30));
  }
  if (pool_) pool_->Join();
  // Dependency checks end within their timeout; at a stop they are cancelled at once.
  if (!dependency_executor_->Drain(std::chrono::steady_clock::now())) {
    env_.cancel->store(true);
    (void)dependency_executor_->Drain(std::chrono::steady_clock::now() + std::chrono::seconds(30));
  }
  if (dependency_pool_) dependency_pool_->Join();
  // A round of fingerprint readings is not waited for: its calls are cancelled.
  if (watching_) env_.cancel->store(true);
  if (watch_pool_) watch_pool_->Join();
  // A round of leftover retries is not waited for: its calls are cancelled, and its records
  // stay open for `odoo-prober sweep`, as they were.
  if (retrying_) env_.cancel->store(true);
  if (tls_pool_) tls_pool_->Join();
  if (cleanup_pool_) cleanup_pool_->Join();
  fanout_->Close(std::chrono::seconds(10));
  return cancelled;
}

namespace {

// ADDRESS:PORT of --listen or admin.listen.
std::optional<std::pair<std::string, uint16_t>> ParseListen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  const std::string port = colon == std::string::npos ? "" : listen.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) > 65535) {
    return std::nullopt;
  }
  return std::make_pair(listen.substr(0, colon), static_cast<uint16_t>(std::stoul(port)));
}

prober::Result<std::unique_ptr<HttpServer>> StartAdmin(const Daemon& daemon) {
  const auto where = ParseListen(daemon.listen());
  if (!where) {
    return prober::Status::InvalidArgument(
        "--listen " + daemon.listen() +
        ": give ADDRESS:PORT, e.g. 127.0.0.1:9188 (port 0 picks a free one)");
  }
  const Daemon::AdminServing& serving = daemon.admin_serving();
  HttpServerOptions admin;
  admin.bind = where->first;
  const bool tls = !serving.tls_cert.empty();
  admin.http = !tls;
  admin.https = tls;
  admin.http_port = admin.https_port = where->second;
  admin.cert_file = serving.tls_cert;
  admin.key_file = serving.tls_key;
  // Two threads: a bcrypt check (tens of ms) does not stall a scrape behind it.
  admin.threads = 2;
  // GET requests of Prometheus, a browser and probes: small, quick and few. Anything slower,
  // larger or more numerous is cut off rather than allowed to hold the server.
  admin.max_body_bytes = 64 * 1024;
  admin.max_header_bytes = 16 * 1024;
  admin.read_timeout = std::chrono::seconds(10);
  admin.max_connections = 64;
  admin.max_requests_per_connection = 10000;
  std::shared_ptr<const AdminAuth> auth;
  if (!serving.users.empty()) auth = std::make_shared<AdminAuth>(serving.users);
  auto server = HttpServer::Start(admin, [&daemon, auth](const HttpRequest& r) {
    if (auth && !auth->Check(r.authorization)) {
      HttpResponse denied;
      denied.status = 401;
      denied.content_type = "text/plain; charset=utf-8";
      denied.headers.push_back({"WWW-Authenticate", "Basic realm=\"odoo-prober\""});
      denied.body = "Unauthorized\n";
      return denied;
    }
    return daemon.admin()(r);
  });
  if (!server.ok()) {
    return prober::Status::InvalidArgument("admin endpoints (--listen or admin.listen): " +
                                           server.status().message());
  }
  return server;
}

sigset_t StopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&signals, s);
  return signals;
}

// Turns SIGHUP into a reload and SIGTERM/SIGINT into a stop; returns after the stop.
void HandleSignals(const sigset_t& signals, Daemon& daemon) {
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      daemon.RequestReload();
    } else {
      daemon.RequestStop();
      return;
    }
  }
}

}  // namespace

int RunDaemon(const RunOptions& options, std::ostream& out, std::ostream& err) {
  // The signals are waited for by one thread; every other thread inherits the block.
  const sigset_t signals = StopSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  TuneAllocator();
  DaemonEnv env;
  env.clients = CurlFactory(env.cancel);
  env.read_fingerprint = [clients = env.clients](const config::TargetConfig& target) {
    std::vector<results::TlsReport> tls;  // the TLS job reports the endpoints
    return ReadFingerprint(target, clients, tls);
  };
  auto daemon = Daemon::Create(options, env);
  if (!daemon.ok()) {
    err << daemon.status().message() << "\n";
    return kExitUsage;
  }
  auto server = StartAdmin(**daemon);
  if (!server.ok()) {
    err << server.status().message() << "\n";
    return kExitUsage;
  }
  const bool tls = (*server)->https_port() != 0;  // HTTPS only, when it serves HTTPS
  out << "odoo-prober " << options.version << " instance " << (*daemon)->instance()
      << " listening on " << (tls ? "https://" : "http://")
      << ParseListen((*daemon)->listen())->first << ":"
      << (tls ? (*server)->https_port() : (*server)->http_port())
      << " (/status, /metrics, /healthz, /readyz)" << std::endl;
  std::thread signal_thread([&] { HandleSignals(signals, **daemon); });
  (*daemon)->Loop();
  signal_thread.join();
  (*daemon)->Shutdown(options.grace);
  (*server)->Stop();
  return kExitOk;
}

}  // namespace odoo_prober::runners
