#include "runners/daemon.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "prober/clock.h"
#include "prober/odoo_client.h"
#include "results/jsonl_sink.h"
#include "results/metrics.h"
#include "results/sink.h"
#include "results/sqlite_sink.h"
#include "results/status_board.h"
#include "runners/commands.h"
#include "runners/http_server.h"
#include "runners/journey_runner.h"
#include "runners/scheduler.h"
#include "runners/tls_checks.h"

namespace odoo_prober::runners {

namespace {

using nlohmann::json;

// One loaded configuration with its journeys: immutable, shared by the runs it started.
struct Snapshot {
  config::ProberConfig config;
  scenarios::Catalog catalog;
  struct Pair {
    std::string key;  // journey@target#selection, stable across reloads
    const scenarios::Journey* journey;
    const config::TargetConfig* target;
    const config::JourneySelection* selection;
  };
  std::vector<Pair> pairs;
};

prober::Result<std::shared_ptr<const Snapshot>> Load(const std::string& path) {
  auto loaded = LoadAndCheck(path);
  if (!loaded.ok()) return loaded.status();
  auto snap = std::make_shared<Snapshot>();
  snap->config = std::move(loaded->config);
  snap->catalog = std::move(loaded->catalog);
  // Planned after the move: the pairs point into the snapshot's own config and catalog.
  for (const auto& p : Plan(snap->config, snap->catalog)) {
    snap->pairs.push_back(
        {p.journey->name + "@" + p.target->name + "#" + std::to_string(p.selection_index),
         p.journey, p.target, p.selection});
  }
  return std::shared_ptr<const Snapshot>(std::move(snap));
}

Scheduler MakeScheduler(const Snapshot& snap, const std::string& instance) {
  std::vector<SchedulePair> pairs;
  for (const auto& p : snap.pairs)
    pairs.push_back(
        {p.journey->name, p.target->name, p.selection->interval, p.target->maintenance});
  ScheduleOptions o;
  o.workers = snap.config.concurrency;
  o.per_target_cap = snap.config.per_target_concurrency;
  o.instance = instance;
  return Scheduler(std::move(pairs), o, prober::RealClock().Monotonic());
}

std::string HostName() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "odoo-prober";
  std::string name = buf;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') c = '_';
  }
  return name.substr(0, 64);
}

}  // namespace

int RunDaemon(const RunOptions& options, std::ostream& out, std::ostream& err) {
  // The signals are waited for by one thread; every other thread inherits the block.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto loaded = Load(options.config_path);
  if (!loaded.ok()) {
    err << loaded.status().message() << "\n";
    return kExitUsage;
  }
  std::shared_ptr<const Snapshot> snap = *loaded;
  for (const auto& w : snap->config.warnings) spdlog::warn("{}", w);
  const std::string instance = snap->config.instance.empty() ? HostName() : snap->config.instance;

  results::Metrics metrics(instance, options.version);
  results::StatusBoard board;
  std::vector<std::unique_ptr<results::ResultSink>> sinks;
  sinks.push_back(results::CreateMetricsSink(metrics));
  sinks.push_back(results::CreateStatusSink(board));
  if (!snap->config.results_jsonl.empty()) {
    auto s = results::CreateJsonLinesSink({snap->config.results_jsonl,
                                           snap->config.results_jsonl_max_bytes,
                                           snap->config.results_jsonl_keep});
    if (!s.ok()) {
      err << s.status().message() << "\n";
      return kExitUsage;
    }
    sinks.push_back(std::move(*s));
  }
  if (!snap->config.results_sqlite.empty()) {
    auto s = results::CreateSqliteSink({snap->config.results_sqlite, snap->config.retention_days});
    if (!s.ok()) {
      err << s.status().message() << "\n";
      return kExitUsage;
    }
    sinks.push_back(std::move(*s));
  }
  results::FanOut fanout(std::move(sinks), snap->config.sink_queue,
                         [&metrics] { metrics.SinkDropped(); });

  std::atomic<bool> scheduling{false};
  const std::string listen = options.listen.empty() ? snap->config.admin_listen : options.listen;
  const auto colon = listen.rfind(':');
  const std::string port_text = colon == std::string::npos ? "" : listen.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(port_text) > 65535) {
    err << "--listen " << listen
        << ": give ADDRESS:PORT, e.g. 127.0.0.1:9188 (port 0 picks a free one)\n";
    return kExitUsage;
  }
  HttpServerOptions admin;
  admin.bind = listen.substr(0, colon);
  admin.http_port = static_cast<uint16_t>(std::stoul(port_text));
  admin.threads = 1;
  admin.max_body_bytes = 64 * 1024;
  auto server = HttpServer::Start(admin, [&](const HttpRequest& r) {
    HttpResponse res;
    res.content_type = "text/plain; charset=utf-8";
    if (r.method != "GET") {
      res.status = 405;
      res.body = "GET only\n";
    } else if (r.path == "/metrics") {
      res.content_type = "text/plain; version=0.0.4; charset=utf-8";
      res.body = metrics.Serialize();
    } else if (r.path == "/healthz") {
      res.body = "ok\n";
    } else if (r.path == "/readyz") {
      const bool sinks_ok = fanout.Healthy();
      const bool ready = scheduling.load() && sinks_ok;
      res.status = ready ? 200 : 503;
      res.body = ready ? "ready\n"
                       : (!scheduling.load() ? "not ready: the scheduler is not running\n"
                                             : "not ready: a result sink is failing\n");
    } else if (r.path == "/status" || r.path == "/") {
      res.content_type = "text/html; charset=utf-8";
      res.body = board.RenderHtml(prober::RealClock().Now(), instance);
    } else {
      res.status = 404;
      res.body = "not found; try /status, /metrics, /healthz, /readyz\n";
    }
    return res;
  });
  if (!server.ok()) {
    err << "admin server on " << listen << ": " << server.status().message() << "\n";
    return kExitUsage;
  }
  out << "odoo-prober " << options.version << " instance " << instance << " listening on http://"
      << admin.bind << ":" << (*server)->http_port() << " (/status, /metrics, /healthz, /readyz)"
      << std::endl;

  std::mutex mu;  // guards everything below, and the scheduler
  std::condition_variable cv;
  bool stop = false, reload = false;
  std::vector<std::string> finished;
  std::map<std::string, int> in_flight;  // by pair key
  int running = 0;
  Scheduler scheduler = MakeScheduler(*snap, instance);
  for (const auto& p : snap->pairs) board.Declare(p.journey->name, p.target->name, false);
  std::vector<uint64_t> reported_skips(snap->pairs.size(), 0);

  std::thread signal_thread([&] {
    for (;;) {
      int sig = 0;
      if (sigwait(&signals, &sig) != 0) continue;
      std::lock_guard lock(mu);
      if (sig == SIGHUP) {
        reload = true;
      } else {
        stop = true;
      }
      cv.notify_all();
      if (stop) return;
    }
  });

  // A fixed pool of workers; the scheduler never has more runs going than workers.
  std::deque<std::function<void()>> tasks;
  bool pool_stop = false;
  std::vector<std::thread> pool;
  for (int w = 0; w < std::max(1, snap->config.concurrency); ++w) {
    pool.emplace_back([&] {
      for (;;) {
        std::function<void()> task;
        {
          std::unique_lock lock(mu);
          cv.wait(lock, [&] { return pool_stop || !tasks.empty(); });
          if (tasks.empty()) return;
          task = std::move(tasks.front());
          tasks.pop_front();
        }
        task();
      }
    });
  }
  auto launch = [&](std::shared_ptr<const Snapshot> s, size_t i) {  // REQUIRES: mu held
    ++in_flight[s->pairs[i].key];
    ++running;
    tasks.push_back([&, s, i] {
      const auto& p = s->pairs[i];
      JourneyRunner runner(prober::RealClock(), s->catalog, [](const prober::ClientOptions& o) {
        return prober::CreateCurlOdooClient(o, prober::RealClock());
      });
      auto result = runner.Run(*p.journey, *p.target,
                               ResolveParams(*p.journey, s->config, *p.selection, *p.target),
                               NewRunId(), p.selection->timeout);
      fanout.Publish(result);
      std::lock_guard lock(mu);
      finished.push_back(p.key);
      cv.notify_all();
    });
    cv.notify_all();
  };

  // TLS: every distinct endpoint at start, then every tls_check_interval.
  std::thread tls_thread([&] {
    std::unique_lock lock(mu);
    while (!stop) {
      const auto current = snap;
      lock.unlock();
      for (const auto& endpoint : TlsEndpoints(current->config)) {
        const config::TargetConfig* target = current->config.FindTarget(endpoint.target);
        fanout.Publish(
            CheckTls(endpoint, target ? target->client.call_timeout : std::chrono::seconds(10)));
      }
      lock.lock();
      cv.wait_for(lock, current->config.tls_check_interval, [&] { return stop; });
    }
  });

  {
    std::unique_lock lock(mu);
    scheduling = true;
    while (!stop) {
      if (reload) {
        reload = false;
        auto fresh = Load(options.config_path);
        if (!fresh.ok()) {
          spdlog::error("configuration reload refused, the running schedule is kept:\n{}",
                        fresh.status().message());
          metrics.ConfigReload(false);
        } else {
          snap = *fresh;
          scheduler = MakeScheduler(*snap, instance);
          reported_skips.assign(snap->pairs.size(), 0);
          for (size_t i = 0; i < snap->pairs.size(); ++i) {
            if (in_flight[snap->pairs[i].key] > 0) scheduler.MarkRunning(i);
            board.Declare(snap->pairs[i].journey->name, snap->pairs[i].target->name, false);
          }
          metrics.ConfigReload(true);
          spdlog::info("configuration reloaded: {} journey x target pair(s)", snap->pairs.size());
        }
      }
      for (const auto& key : finished) {
        --in_flight[key];
        --running;
        for (size_t i = 0; i < snap->pairs.size(); ++i) {
          if (snap->pairs[i].key == key) scheduler.Finished(i);
        }
      }
      finished.clear();
      const auto now = prober::RealClock().Monotonic();
      for (size_t i : scheduler.Due(now, prober::RealClock().Now())) {
        metrics.SetSchedulerLag(std::chrono::duration<double>(scheduler.state(i).last_lag).count());
        launch(snap, i);
      }
      for (size_t i = 0; i < snap->pairs.size(); ++i) {
        const auto& st = scheduler.state(i);
        const auto& p = snap->pairs[i];
        if (st.skipped > reported_skips[i]) {
          metrics.AddSkipped(p.journey->name, p.target->name, p.target->labels,
                             st.skipped - reported_skips[i]);
          reported_skips[i] = st.skipped;
        }
        metrics.SetInMaintenance(p.journey->name, p.target->name, p.target->labels,
                                 st.in_maintenance);
        board.Declare(p.journey->name, p.target->name, st.in_maintenance);
      }
      metrics.SetBusyWorkers(running);
      cv.wait_until(lock, scheduler.NextWakeup(now),
                    [&] { return stop || reload || !finished.empty(); });
    }
    scheduling = false;
    spdlog::info("stopping: {} journey(s) in flight finish with their cleanup (grace {}s)", running,
                 options.grace.count());
    const auto deadline = std::chrono::steady_clock::now() + options.grace;
    cv.wait_until(lock, deadline, [&] {
      running -= static_cast<int>(finished.size());
      finished.clear();
      return running <= 0;
    });
  }
  signal_thread.join();
  tls_thread.join();
  if (running > 0) {
    // Past the grace period: flush what we have and leave without waiting for the stragglers.
    spdlog::warn("{} journey(s) still running after the grace period; exiting without them",
                 running);
    fanout.Close(std::chrono::seconds(5));
    (*server)->Stop();
    std::_Exit(0);
  }
  {
    std::lock_guard lock(mu);
    pool_stop = true;
    cv.notify_all();
  }
  for (auto& w : pool) w.join();
  fanout.Close(std::chrono::seconds(10));
  (*server)->Stop();
  return kExitOk;
}

}  // namespace odoo_prober::runners
