// `odoo-prober run CONFIG`: the daemon, assembled from small parts:
//  - MakeSinks (results/make_sinks.h): the metrics, the status board and the file sinks, fed
//    through the non-blocking FanOut;
//  - AdminHandler (admin.h): /metrics, /healthz, /readyz and /status, on the HTTP server;
//  - the Executor (executor.h) with its Scheduler and a WorkerPool: the same engine as `once`;
//  - the TLS check of every endpoint, a job of its own every tls_check_interval;
//  - the change watch (change_watch.h): each target's fingerprint read at start and every
//    fingerprint_interval (never more often than its most frequent journey) on a thread of its
//    own; what changed is a ChangeEvent for every sink;
//  - the dependency checks (dependencies.h): an Executor and Scheduler of their own over a
//    small pool, so that journeys and checks never wait for each other;
//  - the leftovers (leftovers.h): records whose cleanup failed, retried with backoff on a thread
//    of their own (one login per target and round, at most kLeftoverRetriesPerRound records),
//    shown on /metrics and /status;
//  - Step(): one pass of the loop (reload if asked, start what is due, publish the schedule's
//    gauges), driven by Loop() in production and by unit tests on a fake clock.
//
// Signals (RunDaemon): SIGHUP reloads the configuration (validated first; an invalid one is
// logged and counted and the old schedule keeps running); SIGTERM/SIGINT stop scheduling, let
// in-flight journeys finish with their cleanup up to the grace period, cancel the calls of those
// still running past it (their records are left to `sweep`), flush the sinks and exit 0.
//
// Thread-safety: RequestReload/RequestStop from any thread; the rest from the driving thread.
// RunDaemon blocks the signals it waits for: call it from main before any other thread starts.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "prober/clock.h"
#include "prober/mutex.h"
#include "results/metrics.h"
#include "results/sink.h"
#include "results/status_board.h"
#include "runners/admin/admin.h"
#include "runners/engine/change_watch.h"
#include "runners/engine/dependencies.h"
#include "runners/engine/executor.h"
#include "runners/engine/leftovers.h"
#include "runners/engine/tls_checks.h"
#include "runners/engine/worker_pool.h"
#include "runners/interpreter/journey_runner.h"

namespace odoo_prober::runners {

struct RunOptions {
  std::string config_path;
  config::Identity identity;  // who runs it (--region, --instance)
  std::string listen;         // overrides admin.listen ("127.0.0.1:0" picks a free port)
  std::chrono::seconds grace{60};
  std::string version;  // for build_info
};

// What a daemon is built from; unit tests replace the clock, the clients, the TLS check and the
// threads.
struct DaemonEnv {
  const prober::Clock* clock = &prober::RealClock();
  // One client per run; CurlFactory(cancel) in production.
  JourneyRunner::ClientFactory clients;
  // The TLS check of an endpoint; unset: CheckTls on the daemon's clock.
  std::function<results::TlsReport(const TlsEndpoint&, std::chrono::milliseconds)> check_tls;
  // Reads a target's fingerprint (runners/engine/fingerprint.h) to see what changed on it;
  // unset: no change watching (unit tests).
  std::function<results::Fingerprint(const config::TargetConfig&)> read_fingerprint;
  // Runs and TLS checks on worker threads; false: inside Step(), for tests.
  bool threads = true;
  // Set when shutting down past the grace period; the production clients abort their calls.
  std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);
};

class Daemon {
 public:
  using Mono = Scheduler::Mono;
  struct Snapshot;

  // Loads and checks the configuration and builds the sinks. Errors are for people (exit 2).
  static prober::Result<std::unique_ptr<Daemon>> Create(const RunOptions& options, DaemonEnv env);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // One pass: reload if asked, account for finished runs, start the due ones and the TLS check
  // when due, publish the schedule's gauges. Returns when the next pass is due.
  Mono Step();
  // Step() until RequestStop(), waiting in between on the real steady clock.
  void Loop();
  void RequestReload();
  void RequestStop();
  // Stops scheduling; waits up to `grace` for the runs in flight, then cancels the calls of the
  // rest and waits for them to end; flushes the sinks. Returns how many runs were cancelled.
  int Shutdown(std::chrono::milliseconds grace);

  const AdminHandler& admin() const { return *admin_; }
  const std::string& instance() const { return instance_; }
  // --listen, or the config's admin.listen.
  const std::string& listen() const { return listen_; }
  // The admin server's TLS files and basic-auth users as the config gave them at start (the
  // server is not restarted by a reload; a change takes effect at the next start).
  struct AdminServing {
    std::string tls_cert, tls_key;
    std::map<std::string, std::string> users;
  };
  const AdminServing& admin_serving() const { return admin_serving_; }

 private:
  Daemon(const RunOptions& options, DaemonEnv env);
  void Install(std::shared_ptr<const Snapshot> snapshot);
  void Reload();
  void RunPair(const Snapshot& snapshot, size_t i);
  void CheckTlsIfDue(Mono now);
  void InstallDependencies();
  void WatchIfDue(Mono now);
  // Reads the fingerprints of `due` (on the watch thread) and publishes what changed.
  void Watch(const Snapshot& snap, const std::vector<const config::TargetConfig*>& due);
  void PublishDependencySchedule();
  void RetryLeftoversIfDue(Mono now);
  // Cleans up `due` again (on the leftovers' thread); a round at a time.
  void RetryLeftovers(const Snapshot& snap, const std::vector<results::LeftoverRecord>& due);
  void KeepLeftovers(const results::JourneyResult& result);
  void PublishLeftovers();
  void PublishSchedule(const std::vector<size_t>& started);

  const RunOptions options_;
  const DaemonEnv env_;
  const prober::Clock& clock_;
  std::shared_ptr<const Snapshot> snapshot_;
  std::string instance_;
  std::string listen_;
  AdminServing admin_serving_;
  std::unique_ptr<results::Metrics> metrics_;
  results::StatusBoard board_;
  std::unique_ptr<results::FanOut> fanout_;
  std::unique_ptr<AdminHandler> admin_;
  std::unique_ptr<WorkerPool> pool_;             // journeys
  std::unique_ptr<WorkerPool> tls_pool_;         // TLS checks, one at a time
  std::unique_ptr<WorkerPool> cleanup_pool_;     // leftover retries, one round at a time
  std::unique_ptr<WorkerPool> dependency_pool_;  // dependency checks
  std::unique_ptr<WorkerPool> watch_pool_;       // fingerprint readings, one round at a time
  prober::Mutex watch_mu_;
  ChangeWatch watch_ GUARDED_BY(watch_mu_);
  std::map<std::string, Mono> next_watch_;  // by target; the driving thread's
  std::atomic<bool> watching_{false};       // a round of readings is queued or running
  Leftovers leftovers_;
  prober::Mutex publish_mu_;  // serialises PublishLeftovers
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<Executor> dependency_executor_;
  std::vector<int8_t> reported_dependency_maintenance_;
  std::vector<uint64_t> reported_skips_;
  std::vector<int8_t> reported_maintenance_;  // per pair: -1 not yet, else the last passed on
  Mono next_tls_{};
  Mono next_trim_{};  // when free memory is next given back (ReleaseFreeMemory)
  std::atomic<bool> tls_running_{false};
  std::atomic<bool> retrying_{false};      // a round of leftover retries is queued or running
  std::atomic<bool> trim_pending_{false};  // a ReleaseFreeMemory is queued or running
  std::atomic<bool> scheduling_{false};
  std::atomic<bool> reload_{false};
  std::atomic<bool> stop_{false};
  bool shut_down_ = false;
};

int RunDaemon(const RunOptions& options, std::ostream& out, std::ostream& err);

}  // namespace odoo_prober::runners
