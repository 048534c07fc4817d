// The engine shared by `once` and `run`: the worker pool, the executor over the scheduler, and
// `once` honouring per_target_concurrency. Runs are held and released by the tests, so nothing
// depends on timing.
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>

#include "runners/engine/change_watch.h"
#include "runners/engine/executor.h"
#include "runners/engine/run_once.h"
#include "runners/engine/worker_pool.h"
#include "tests/support/fakes.h"

namespace odoo_prober::runners {
namespace {

using namespace std::chrono_literals;
using Mono = Scheduler::Mono;
const Mono kStart{};
const Scheduler::Wall kNoon = Scheduler::Wall(std::chrono::seconds(1795003200));

TEST_CASE("worker pool: runs every task, as many at once as it has threads", "[engine]") {
  SECTION("two threads run two tasks at the same time") {
    WorkerPool pool(2);
    std::mutex mu;
    std::condition_variable cv;
    int arrived = 0;
    bool met = true;
    auto meet = [&] {
      std::unique_lock lock(mu);
      ++arrived;
      cv.notify_all();
      // Each waits for the other: with one thread this could not hold (bounded, not a sleep).
      if (!cv.wait_for(lock, 10s, [&] { return arrived == 2; })) met = false;
    };
    pool.Submit(meet);
    pool.Submit(meet);
    pool.Join();
    CHECK(arrived == 2);
    CHECK(met);
  }
  SECTION("Join finishes what was queued; later tasks are refused") {
    WorkerPool pool(3);
    std::atomic<int> done{0};
    for (int i = 0; i < 200; ++i) pool.Submit([&] { ++done; });
    pool.Join();
    CHECK(done == 200);
    CHECK_FALSE(pool.Submit([&] { ++done; }));
    CHECK(done == 200);
    CHECK(pool.threads() == 3);
  }
}

// An executor whose runs wait until the test releases them.
struct Held {
  std::vector<std::function<void()>> queued;
  Executor executor{[this](std::function<void()> task) { queued.push_back(std::move(task)); }};
  std::vector<size_t> ran;
  Executor::Run run = [this](size_t i) { ran.push_back(i); };

  void Release(size_t n) { queued.at(n)(); }
};

std::vector<SchedulePair> OnTarget(const std::vector<std::string>& targets) {
  std::vector<SchedulePair> pairs;
  for (size_t i = 0; i < targets.size(); ++i) {
    std::string name = "j";  // appended: GCC 12's -Wrestrict false positive (bug 105329)
    name += std::to_string(i);
    pairs.push_back({name, targets[i], 60s, {}});
  }
  return pairs;
}

TEST_CASE("executor: a once schedule runs each pair one time under the caps", "[engine]") {
  ScheduleOptions o;
  o.once = true;
  o.workers = 4;
  o.per_target_cap = 1;
  Held h;
  h.executor.Reset(Scheduler(OnTarget({"erp", "erp", "other"}), o, kStart), {"a", "b", "c"});
  // One on "erp" (the cap), and the one on "other".
  CHECK(h.executor.Step(kStart, kNoon, h.run) == std::vector<size_t>{0, 2});
  CHECK(h.executor.running() == 2);
  CHECK(h.executor.Step(kStart + 1h, kNoon, h.run).empty());
  h.Release(0);
  CHECK(h.executor.Step(kStart + 1h, kNoon, h.run) == std::vector<size_t>{1});
  CHECK_FALSE(h.executor.scheduler().Done());
  h.Release(1);
  h.Release(2);
  CHECK(h.executor.Step(kStart + 2h, kNoon, h.run).empty());  // never again
  CHECK(h.executor.scheduler().Done());
  CHECK(h.executor.running() == 0);
  CHECK(h.ran == std::vector<size_t>{0, 2, 1});  // in the order they were released
}

TEST_CASE("executor: a new schedule keeps a run in flight from overlapping itself", "[engine]") {
  ScheduleOptions o;
  o.jitter_fraction = 0;
  Held h;
  h.executor.Reset(Scheduler(OnTarget({"erp"}), o, kStart), {"login@erp"});
  REQUIRE(h.executor.Step(kStart, kNoon, h.run) == std::vector<size_t>{0});
  // A reload: the same pair is now second; its run is still going when it comes due again.
  h.executor.Reset(Scheduler(OnTarget({"erp", "erp"}), o, kStart + 1s), {"new@erp", "login@erp"});
  CHECK(h.executor.Step(kStart + 31s, kNoon, h.run) == std::vector<size_t>{0});
  CHECK(h.executor.scheduler().state(1).skipped == 1);
  CHECK(h.executor.running() == 2);
  h.Release(0);  // the old run ends: the pair under its new index is free again
  h.Release(1);
  const auto later = h.executor.Step(kStart + 91s, kNoon, h.run);
  CHECK(std::find(later.begin(), later.end(), 1) != later.end());
}

TEST_CASE("executor: WaitUntil wakes when a run ends on a worker, or on Notify", "[engine]") {
  WorkerPool pool(1);
  Executor executor([&pool](std::function<void()> t) { pool.Submit(std::move(t)); });
  ScheduleOptions o;
  o.once = true;
  executor.Reset(Scheduler(OnTarget({"erp"}), o, kStart), {"a"});
  std::mutex mu;
  std::condition_variable cv;
  bool go = false;
  REQUIRE(executor
              .Step(kStart, kNoon,
                    [&](size_t) {
                      std::unique_lock lock(mu);
                      cv.wait(lock, [&] { return go; });
                    })
              .size() == 1);
  executor.Notify();
  executor.WaitUntil(std::chrono::steady_clock::now() + 60s);  // returns at once: notified
  {
    std::lock_guard lock(mu);
    go = true;
  }
  cv.notify_all();
  CHECK(executor.Drain(std::chrono::steady_clock::now() + 60s));
  CHECK(executor.running() == 0);
  pool.Join();
}

// A client that counts the runs open on the target at once. Each run, once logged in, waits
// (bounded) for a second run to join it: allowed overlap happens, forbidden overlap cannot.
struct Overlap {
  std::mutex mu;
  std::condition_variable cv;
  int open = 0;
  int max_open = 0;
};

class OverlapClient final : public prober::OdooClient {
 public:
  explicit OverlapClient(Overlap& o) : o_(o) {}
  ~OverlapClient() override {
    std::lock_guard lock(o_.mu);
    --o_.open;
  }
  prober::RpcResult Version(prober::Deadline) override { return testing::Ok(nullptr); }
  prober::RpcResult Authenticate(prober::Deadline) override {
    std::unique_lock lock(o_.mu);
    o_.max_open = std::max(o_.max_open, ++o_.open);
    o_.cv.notify_all();
    o_.cv.wait_for(lock, 300ms, [&] { return o_.open >= 2; });
    return testing::Ok(2);
  }
  prober::RpcResult CallKw(const std::string&, const std::string&, const nlohmann::json&,
                           const nlohmann::json&, prober::Deadline) override {
    return testing::Ok(true);
  }
  int uid() const override { return 2; }
  int server_major() const override { return 17; }
  prober::Protocol protocol() const override { return prober::Protocol::kJsonRpc; }

 private:
  Overlap& o_;
};

TEST_CASE("once honours per_target_concurrency", "[engine]") {
  auto journey = scenarios::ParseJourney("name: login\nsteps:\n  - {name: in, authenticate: {}}\n",
                                         "login.yaml");
  REQUIRE(journey.ok());
  scenarios::Catalog catalog;
  catalog.journeys.push_back(*journey);
  config::ProberConfig cfg;
  cfg.targets.resize(1);
  cfg.targets[0].name = "erp";
  cfg.journeys.resize(3);
  std::vector<PlannedPair> plan;
  for (size_t i = 0; i < 3; ++i) {
    cfg.journeys[i].name = "login";
    plan.push_back({&catalog.journeys[0], &cfg.targets[0], &cfg.journeys[i], i});
  }
  const int per_target = GENERATE(1, 2);
  Overlap overlap;
  JourneyRunner runner(prober::RealClock(), catalog, [&](const prober::ClientOptions&) {
    return prober::Result<std::unique_ptr<prober::OdooClient>>(
        std::make_unique<OverlapClient>(overlap));
  });
  std::vector<std::string> events;
  const auto results =
      RunPlanOnce(plan, cfg, runner, /*concurrency=*/4, per_target,
                  [&](size_t i, const results::JourneyResult* r) {
                    events.push_back(std::to_string(i) + (r ? " done" : " running"));
                  });
  REQUIRE(results.size() == 3);
  for (const auto& r : results) CHECK(r.ok());
  CHECK(overlap.max_open == per_target);
  CHECK(events.size() == 6);
}

// The OS as a test wants it: a host name and draws it chose.
class FakeSystem final : public prober::System {
 public:
  std::string host;
  mutable uint64_t next = 0;
  std::string HostName() const override { return host; }
  uint64_t Random() const override { return next++; }
};

TEST_CASE("the host name and randomness come through the System seam", "[engine]") {
  FakeSystem system;
  config::ProberConfig cfg;
  system.host = "probe host/1";  // made label-safe
  CHECK(InstanceName(cfg, system) == "probe_host_1");
  system.host = "";
  CHECK(InstanceName(cfg, system) == "odoo-prober");
  cfg.instance = "eu-west-0";  // the config's name wins over the host's
  CHECK(InstanceName(cfg, system) == "eu-west-0");
  // Run ids: 12 hex digits of the draw, lowest first.
  system.next = 0x1a;
  CHECK(NewRunId(system) == "a10000000000");
  CHECK(NewRunId(system) == "b10000000000");
}

}  // namespace
}  // namespace odoo_prober::runners

namespace odoo_prober::runners {
namespace {

results::Fingerprint Erp(const std::string& version) {
  results::Fingerprint f;
  f.server_version = version;
  f.modules = {{"base", "17.0.1.3"}, {"sale", "17.0.1.2"}, {"stock", "17.0.1.1"}};
  f.currency = "EUR";
  f.country = "France";
  f.lang = "fr_FR";
  f.tz = "Europe/Paris";
  f.tls_leaf = "aa11";
  f.tls_issuer = "CN=CA";
  return f;
}

TEST_CASE(
    "change watch: a baseline first, then one event per change, none for what a reading "
    "could not tell",
    "[engine][changes]") {
  config::TargetConfig target;
  target.name = "lyon-prod";
  target.labels = {"eu-west", "lyon", "prod"};
  const auto at = std::chrono::system_clock::from_time_t(1795132800);
  ChangeWatch watch;
  auto first = watch.Observe(target, Erp("17.0"), at, "p1");
  CHECK(first.first);
  CHECK(first.events.empty());
  CHECK(watch.Observe(target, Erp("17.0"), at, "p1").events.empty());  // unchanged: none

  auto next = Erp("17.0");
  next.modules["sale"] = "17.0.1.3";     // upgraded
  next.modules["mrp_plm"] = "17.0.1.0";  // installed
  next.modules.erase("stock");           // removed
  next.tls_leaf = "bb22";                // rotated
  next.currency = "USD";                 // the company moved
  auto seen = watch.Observe(target, next, at, "p1");
  std::map<std::string, std::string> summaries;
  for (const auto& e : seen.events) {
    CHECK(e.target == "lyon-prod");
    CHECK(e.labels.plant == "lyon");
    CHECK(e.instance == "p1");
    summaries[e.kind] = e.Summary();
  }
  CHECK(summaries.size() == 5);
  CHECK(summaries["module_upgraded"] == "sale 17.0.1.2 \u2192 17.0.1.3");
  CHECK(summaries["module_installed"] == "installed mrp_plm 17.0.1.0");
  CHECK(summaries["module_removed"] == "removed stock 17.0.1.1");
  CHECK(summaries["currency_or_country"] == "currency and country EUR, France \u2192 USD, France");
  CHECK_THAT(summaries["certificate_rotated"],
             Catch::Contains("sha256 aa11 (CN=CA) \u2192 sha256 bb22"));

  // A release: one server_version event, not one per module version it moved.
  auto release = next;
  release.server_version = "18.0";
  for (auto& [name, version] : release.modules) version = "18.0." + version.substr(5);
  auto upgraded = watch.Observe(target, release, at, "p1");
  REQUIRE(upgraded.events.size() == 1);
  CHECK(upgraded.events[0].Summary() == "server 17.0 \u2192 18.0");

  // A reading that failed is said, not an event; one that could not read the modules (or the
  // version, the certificate) keeps the last known ones: no false removal, no false change.
  results::Fingerprint failed;
  failed.error = "cannot log in: Access Denied";
  auto refused = watch.Observe(target, failed, at, "p1");
  CHECK(refused.error == "cannot log in: Access Denied");
  CHECK(refused.events.empty());
  auto partial = release;
  partial.modules.clear();
  partial.unknown["modules"] = "cannot search_read ir.module.module: AccessError";
  partial.server_version.clear();
  partial.tls_leaf.clear();
  CHECK(watch.Observe(target, partial, at, "p1").events.empty());
  CHECK(watch.Observe(target, release, at, "p1").events.empty());
  // A target a reload removed starts over.
  watch.Retain({});
  CHECK(watch.Observe(target, Erp("16.0"), at, "p1").first);
}

}  // namespace
}  // namespace odoo_prober::runners
