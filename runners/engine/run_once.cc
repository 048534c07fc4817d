#include "runners/engine/run_once.h"

#include <algorithm>

#include "prober/clock.h"
#include "prober/mutex.h"
#include "runners/engine/executor.h"
#include "runners/engine/worker_pool.h"

namespace odoo_prober::runners {
namespace {

// The result of a pair a stop kept from starting.
results::JourneyResult NotStarted(const PlannedPair& p, const config::ProberConfig& cfg,
                                  std::chrono::system_clock::time_point now) {
  results::JourneyResult r;
  r.journey = p.id();
  if (r.journey != p.journey->name) r.definition = p.journey->name;
  r.service = p.selection->service.value_or(p.journey->service);
  r.target = p.target->name;
  r.labels = p.target->labels;
  r.started_at = now;
  r.outcome = prober::Outcome::kTransport;
  r.detail = "cancelled: the prober was stopped before it started";
  r.cancelled = true;
  r.instance = InstanceName(cfg);
  return r;
}

}  // namespace

std::vector<results::JourneyResult> RunPlanOnce(
    const std::vector<PlannedPair>& plan, const config::ProberConfig& cfg,
    const JourneyRunner& runner, int concurrency, int per_target,
    const std::function<void(size_t, const results::JourneyResult*)>& on_change,
    const std::atomic<bool>* stop) {
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
  std::vector<bool> started(plan.size(), false);
  const Executor::Run run = [&](size_t i) {
    const PlannedPair& p = plan[i];
    {
      prober::MutexLock lock(mu);
      if (stop != nullptr && stop->load()) return;  // queued before the stop: not started
      started[i] = true;
      on_change(i, nullptr);
    }
    auto result = RunPlanned(runner, p, cfg);
    prober::MutexLock lock(mu);
    results[i] = std::move(result);
    on_change(i, &results[i]);
  };
  for (;;) {
    if (stop != nullptr && stop->load()) break;
    const auto now = clock.Monotonic();
    executor.Step(now, clock.Now(), run);
    if (executor.scheduler().Done()) break;
    executor.WaitUntil(
        std::min(executor.scheduler().NextWakeup(now), now + std::chrono::seconds(1)));
  }
  pool.Join();
  for (size_t i = 0; i < plan.size(); ++i)
    if (!started[i]) results[i] = NotStarted(plan[i], cfg, clock.Now());
  return results;
}

}  // namespace odoo_prober::runners
