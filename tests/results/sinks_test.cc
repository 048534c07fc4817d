// The result sinks: the fan-out never blocks and counts drops; JSON lines rotate by size; the
// SQLite history stores runs and steps and prunes by retention; metrics carry the closed label set.
#include <sqlite3.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "prober/mutex.h"
#include "results/jsonl_sink.h"
#include "results/metrics.h"
#include "results/sink.h"
#include "results/sqlite_sink.h"
#include "results/status_board.h"
#include "tests/support/support.h"

namespace odoo_prober::results {
namespace {

using testing::Contains;

JourneyResult Result(const std::string& run_id, std::chrono::system_clock::time_point at,
                     bool ok = true) {
  JourneyResult r;
  r.run_id = run_id;
  r.journey = "login";
  r.service = "access";
  r.target = "lyon";
  r.labels = {"eu-west", "lyon", "prod"};
  r.started_at = at;
  r.duration_us = 1500;
  r.outcome = ok ? prober::Outcome::kOk : prober::Outcome::kTimeout;
  if (!ok) r.failed_step = "read_user";
  StepResult s;
  s.name = "authenticate";
  s.timings = {10, 20, 30, 40, 100};
  r.steps = {s, s};
  return r;
}

// A sink that blocks until released, to fill the fan-out's queue.
class GateSink : public ResultSink {
 public:
  prober::Status Write(const JourneyResult&) override {
    prober::MutexLock lock(mu_);
    while (!open_) cv_.Wait();
    ++written_;
    return prober::Status::Ok();
  }
  std::string name() const override { return "gate"; }
  void Open() {
    prober::MutexLock lock(mu_);
    open_ = true;
    cv_.SignalAll();
  }
  int written() {
    prober::MutexLock lock(mu_);
    return written_;
  }

 private:
  prober::Mutex mu_;
  prober::CondVar cv_{&mu_};
  bool open_ GUARDED_BY(mu_) = false;
  int written_ GUARDED_BY(mu_) = 0;
};

TEST_CASE("the fan-out never blocks: a full queue drops and counts", "[sinks]") {
  auto gate = std::make_unique<GateSink>();
  GateSink* g = gate.get();
  std::vector<std::unique_ptr<ResultSink>> sinks;
  sinks.push_back(std::move(gate));
  std::atomic<int> drops{0};
  FanOut fanout(std::move(sinks), 3, [&](const std::string& sink, FanOut::Drop why) {
    CHECK(sink == "gate");
    CHECK(why == FanOut::Drop::kQueueFull);
    ++drops;
  });
  // One is taken by the blocked writer, three wait in the queue, the rest are dropped.
  for (int i = 0; i < 10; ++i)
    fanout.Publish(Result(std::to_string(i), std::chrono::system_clock::now()));
  CHECK(fanout.dropped() >= 6);
  CHECK(drops.load() == static_cast<int>(fanout.dropped()));
  g->Open();
  fanout.Close(std::chrono::seconds(5));
  CHECK(g->written() + static_cast<int>(fanout.dropped()) == 10);
}

// A sink whose disk is full for its first `failing` writes.
class FullDiskSink : public ResultSink {
 public:
  explicit FullDiskSink(int failing) : failing_(failing) {}
  prober::Status Write(const JourneyResult&) override {
    if (failing_-- > 0) return prober::Status::Unavailable("no space left on device");
    ++written;
    return prober::Status::Ok();
  }
  std::string name() const override { return "disk"; }
  std::atomic<int> written{0};

 private:
  int failing_;
};

TEST_CASE("the fan-out counts results a sink failed to store, and writes again after", "[sinks]") {
  auto disk = std::make_unique<FullDiskSink>(4);
  FullDiskSink* d = disk.get();
  std::vector<std::unique_ptr<ResultSink>> sinks;
  sinks.push_back(std::move(disk));
  std::atomic<int> failed{0};
  FanOut fanout(std::move(sinks), 64, [&](const std::string& sink, FanOut::Drop why) {
    CHECK(sink == "disk");
    if (why == FanOut::Drop::kWriteFailed) ++failed;
  });
  for (int i = 0; i < 4; ++i)
    fanout.Publish(Result(std::to_string(i), std::chrono::system_clock::now()));
  CHECK(testing::Eventually([&] { return failed.load() == 4; }));
  CHECK_FALSE(fanout.Healthy());
  for (int i = 4; i < 10; ++i)
    fanout.Publish(Result(std::to_string(i), std::chrono::system_clock::now()));
  fanout.Close(std::chrono::seconds(5));
  CHECK(d->written == 6);
  CHECK(failed == 4);
  CHECK(fanout.dropped() == 4);
  CHECK(fanout.Healthy());
}

TEST_CASE("JSON lines rotate by size and keep whole lines", "[sinks]") {
  testing::TempDir dir;
  const std::string path = dir.path() + "/r.jsonl";
  auto sink = CreateJsonLinesSink({path, 2048, 2});
  REQUIRE(sink.ok());
  for (int i = 0; i < 20; ++i)
    REQUIRE((*sink)->Write(Result(std::to_string(i), std::chrono::system_clock::now())).ok());
  REQUIRE((*sink)->Flush().ok());
  namespace fs = std::filesystem;
  CHECK(fs::exists(path + ".1"));
  CHECK(fs::exists(path + ".2"));
  CHECK_FALSE(fs::exists(path + ".3"));
  for (const auto& f : {path, path + ".1", path + ".2"}) {
    CHECK(fs::file_size(f) <= 2048);
    std::ifstream in(f);
    for (std::string line; std::getline(in, line);)
      CHECK(FromJson(nlohmann::json::parse(line)).ok());
  }
  CHECK_FALSE(CreateJsonLinesSink({dir.path() + "/missing/r.jsonl", 2048, 2}).ok());
}

TEST_CASE("the SQLite history stores runs and steps and prunes old runs", "[sinks]") {
  testing::TempDir dir;
  const std::string path = dir.path() + "/h.db";
  auto sink = CreateSqliteSink({path, 30});
  REQUIRE(sink.ok());
  const auto now = std::chrono::system_clock::now();
  REQUIRE((*sink)->Write(Result("old", now - std::chrono::hours(24 * 40))).ok());
  for (int i = 0; i < 99; ++i) {
    // Appended, not prepended: GCC 12 at -O3 warns (-Wrestrict, a false positive, GCC bug 105329)
    // on inserting at the front of a temporary string.
    std::string run_id = "r";
    run_id += std::to_string(i);
    REQUIRE((*sink)->Write(Result(run_id, now, i % 10 != 0)).ok());
  }
  REQUIRE((*sink)->Flush().ok());
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  auto count = [&](const char* sql) {
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(s) == SQLITE_ROW);
    const int n = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return n;
  };
  // The 100th write pruned the run older than the 30 days of retention (and its steps).
  CHECK(count("SELECT count(*) FROM runs") == 99);
  CHECK(count("SELECT count(*) FROM runs WHERE run_id = 'old'") == 0);
  CHECK(count("SELECT count(*) FROM steps") == 198);
  CHECK(count("SELECT count(*) FROM runs WHERE service = 'access'") == 99);
  CHECK(
      count("SELECT count(*) FROM runs WHERE outcome = 'timeout' AND failed_step = 'read_user'") ==
      10);
  CHECK(
      count("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'runs_by_pair'") ==
      1);
  sqlite3_close(db);
  CHECK_FALSE(CreateSqliteSink({dir.path() + "/missing/h.db", 30}).ok());
}

TEST_CASE("a history file from before the service and definition columns gains them", "[sinks]") {
  testing::TempDir dir;
  const std::string path = dir.path() + "/old.db";
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  // The runs table as the first release created it.
  REQUIRE(sqlite3_exec(db,
                       "CREATE TABLE runs (id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, journey "
                       "TEXT NOT NULL, target TEXT NOT NULL, region TEXT, plant TEXT, env TEXT, "
                       "started_at REAL NOT NULL, started_at_iso TEXT NOT NULL, duration_seconds "
                       "REAL NOT NULL, outcome TEXT NOT NULL, failed_step TEXT, detail TEXT, "
                       "protocol TEXT, server_major INTEGER, cleanup_ok INTEGER NOT NULL);"
                       "INSERT INTO runs VALUES (1, 'r0', 'login', 'lyon', '', '', '', 0, "
                       "'1970-01-01T00:00:00Z', 1, 'ok', '', '', 'jsonrpc', 17, 1);",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto sink = CreateSqliteSink({path, 30});
  INFO((sink.ok() ? "" : sink.status().message()));
  REQUIRE(sink.ok());
  REQUIRE((*sink)->Write(Result("r1", std::chrono::system_clock::now())).ok());
  // A probe with an id of its own: the definition's name beside it.
  auto variant = Result("r2", std::chrono::system_clock::now());
  variant.journey = "login_admin";
  variant.definition = "login";
  REQUIRE((*sink)->Write(variant).ok());
  sink->reset();
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db,
                             "SELECT run_id, coalesce(service, '-'), journey, definition FROM runs "
                             "ORDER BY id",
                             -1, &s, nullptr) == SQLITE_OK);
  std::vector<std::string> rows;
  while (sqlite3_step(s) == SQLITE_ROW) {
    std::string row;
    for (int i = 0; i < 4; ++i)
      row += std::string(i ? " " : "") + reinterpret_cast<const char*>(sqlite3_column_text(s, i));
    rows.push_back(row);
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  // The run stored before ids: its journey was its definition.
  CHECK(rows == std::vector<std::string>{"r0 - login login", "r1 access login login",
                                         "r2 access login_admin login"});
}

TEST_CASE("metrics: a declared pair's runs and failures exist at 0, with the journey's service",
          "[sinks]") {
  Metrics m("inst-1", "1.2.3");
  config::Objective objective;
  objective.latency_under = std::chrono::milliseconds(1);
  m.DeclarePair({"goods_receipt",
                 "lyon",
                 {"eu-west", "lyon", "prod"},
                 "procure-to-pay",
                 objective,
                 std::chrono::seconds(60)});
  m.DeclarePair({"custom", "lyon", {"eu-west", "lyon", "prod"}, "", {}, std::chrono::seconds(60)});
  const std::string text = m.Serialize();
  const std::string pair =
      "env=\"prod\",instance=\"inst-1\",journey=\"goods_receipt\",plant=\"lyon\",";
  CHECK(Contains(
      text, "odoo_prober_journey_runs_total{" + pair + "region=\"eu-west\",target=\"lyon\"} 0"));
  for (const char* reason :
       {"auth", "transport", "timeout", "http", "odoo_error", "assertion", "tls", "cleanup"}) {
    INFO(reason);
    CHECK(Contains(text, "odoo_prober_journey_failures_total{" + pair + "reason=\"" + reason +
                             "\",region=\"eu-west\",target=\"lyon\"} 0"));
  }
  CHECK(testing::MetricSum(text, "odoo_prober_journey_failures_total{") == 0);
  // One info series per pair: the pair's labels, its service and its journey definition.
  CHECK(Contains(text, "odoo_prober_journey_info{definition=\"goods_receipt\"," + pair +
                           "region=\"eu-west\",service=\"procure-to-pay\",target=\"lyon\"} 1"));
  CHECK(Contains(text,
                 "journey_info{definition=\"custom\",env=\"prod\",instance=\"inst-1\",journey="
                 "\"custom\",plant=\"lyon\",region=\"eu-west\",service=\"unassigned\",target="
                 "\"lyon\"} 1"));
  // The window and the evidence a burn alert needs.
  CHECK(testing::MetricSum(text, "odoo_prober_journey_objective_window_seconds{" + pair) ==
        Approx(28 * 86400));
  CHECK(testing::MetricSum(text, "odoo_prober_journey_objective_min_failures{" + pair) == 3);
  // The objectives, for the shipped rules.
  CHECK(testing::MetricSum(text, "odoo_prober_journey_objective_availability_ratio{" + pair) ==
        Approx(0.995));
  CHECK(testing::MetricSum(text, "odoo_prober_journey_objective_latency_ratio{" + pair) ==
        Approx(0.95));
  CHECK(testing::MetricSum(text, "odoo_prober_journey_objective_latency_seconds{" + pair) ==
        Approx(0.001));
  CHECK(testing::MetricSum(text, "odoo_prober_journey_interval_seconds{" + pair) == 60);
  CHECK(Contains(text, "odoo_prober_journey_slow_runs_total{" + pair));
  // A run counts on the declared series. A failed run of 1.5 ms is a failure, not a slow run
  // (the latency SLI is over successful runs); a successful one of 1.5 ms is slower than the
  // 1 ms objective.
  auto r = Result("a", std::chrono::system_clock::now(), false);
  r.journey = "goods_receipt";
  m.Observe(r);
  const std::string failed = m.Serialize();
  CHECK(testing::MetricSum(
            failed, "odoo_prober_journey_failures_total{" + pair + "reason=\"timeout\"") == 1);
  CHECK(testing::MetricSum(failed, "odoo_prober_journey_slow_runs_total{" + pair) == 0);
  r.outcome = prober::Outcome::kOk;
  r.failed_step.clear();
  m.Observe(r);
  const std::string after = m.Serialize();
  CHECK(testing::MetricSum(after, "odoo_prober_journey_slow_runs_total{" + pair) == 1);
  CHECK(testing::MetricSum(after, "odoo_prober_journey_last_run_timestamp_seconds{" + pair) >
        1.7e9);
  // Within the objective: not slow.
  r.duration_us = 500;
  m.Observe(r);
  CHECK(testing::MetricSum(m.Serialize(), "odoo_prober_journey_slow_runs_total{" + pair) == 1);
  // A reload that no longer schedules the pair: every series of it goes (nothing frozen is left
  // for the rules to take for a stalled prober), its journey's info too, and a run of it that
  // ends afterwards is not counted.
  m.DeclarePairs(
      {{"custom", "lyon", {"eu-west", "lyon", "prod"}, "", {}, std::chrono::seconds(60)}});
  m.Observe(r);
  const std::string reloaded = m.Serialize();
  CHECK_FALSE(Contains(reloaded, pair));
  CHECK_FALSE(Contains(reloaded, "journey=\"goods_receipt\""));
  CHECK(Contains(
      reloaded,
      "odoo_prober_journey_interval_seconds{env=\"prod\",instance=\"inst-1\",journey=\"custom\""));
  CHECK(Contains(reloaded, "odoo_prober_journey_info{definition=\"custom\""));
  // Scheduled again, it starts afresh.
  m.DeclarePairs({{"goods_receipt",
                   "lyon",
                   {"eu-west", "lyon", "prod"},
                   "procure-to-pay",
                   {},
                   std::chrono::seconds(60)}});
  CHECK(testing::MetricSum(m.Serialize(), "odoo_prober_journey_runs_total{" + pair) == 0);
}

TEST_CASE("metrics: names, the closed label set, failures by reason", "[sinks]") {
  Metrics m("inst-1", "1.2.3");
  m.Observe(Result("a", std::chrono::system_clock::now()));
  m.Observe(Result("b", std::chrono::system_clock::now(), false));
  m.DeclarePair(
      {"login", "lyon", {"eu-west", "lyon", "prod"}, "access", {}, std::chrono::seconds(60)});
  const std::string text = m.Serialize();
  CHECK(Contains(text,
                 "odoo_prober_journey_runs_total{env=\"prod\",instance=\"inst-1\",journey="
                 "\"login\",plant=\"lyon\",region=\"eu-west\",target=\"lyon\"} 2"));
  CHECK(Contains(
      text,
      "odoo_prober_journey_failures_total{env=\"prod\",instance=\"inst-1\",journey=\"login\",plant="
      "\"lyon\",reason=\"timeout\",region=\"eu-west\",target=\"lyon\"} 1"));
  CHECK(Contains(text,
                 "odoo_prober_rpc_phase_seconds_total{env=\"prod\",instance=\"inst-1\","
                 "journey=\"login\",phase=\"tls\""));
  CHECK(Contains(text,
                 "odoo_prober_step_duration_seconds_count{env=\"prod\",instance=\"inst-1\",journey="
                 "\"login\",plant=\"lyon\",region=\"eu-west\",step=\"authenticate\""));
  CHECK(Contains(text, "le=\"0.1\""));
  CHECK(Contains(text, "le=\"30\""));
  CHECK(Contains(text, "odoo_prober_build_info{instance=\"inst-1\",version=\"1.2.3\"} 1"));
  // No label outside the closed set (build_info's version aside).
  const std::set<std::string> allowed = {"journey", "step",     "target", "region",
                                         "plant",   "instance", "reason", "phase",
                                         "env",     "le",       "version"};
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line.find('{') == std::string::npos) continue;
    const std::string labels = line.substr(line.find('{') + 1, line.find('}') - line.find('{') - 1);
    size_t pos = 0;
    while (pos < labels.size()) {
      const auto eq = labels.find('=', pos);
      INFO(line);
      const std::string label = labels.substr(pos, eq - pos);
      const bool info_service = (label == "service" || label == "definition") &&
                                line.rfind("odoo_prober_journey_info{", 0) == 0;
      CHECK((allowed.count(label) == 1 || info_service));
      pos = labels.find("\",", eq);
      pos = pos == std::string::npos ? labels.size() : pos + 2;
    }
  }
}

// The lines of `text` that are samples (not comments) and contain every one of `parts`.
std::vector<std::string> Samples(const std::string& text,
                                 std::initializer_list<std::string> parts) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    bool all = true;
    for (const auto& p : parts) all = all && Contains(line, p);
    if (all) out.push_back(line);
  }
  return out;
}

TEST_CASE("metrics: the series budget of a pair", "[sinks]") {
  Metrics m("inst-1", "1.2.3");
  config::Objective objective;
  objective.latency_under = std::chrono::seconds(3);
  m.DeclarePair({"login",
                 "lyon",
                 {"eu-west", "lyon", "prod"},
                 "access",
                 objective,
                 std::chrono::seconds(60)});
  m.DeclarePair({"login",
                 "porto",
                 {"eu-south", "porto", "prod"},
                 "access",
                 objective,
                 std::chrono::seconds(60),
                 /*step_histograms=*/true});
  for (const char* target : {"lyon", "porto"}) {
    for (int i = 0; i < 2; ++i) {
      auto r = Result("r", std::chrono::system_clock::now());
      r.target = target;
      r.labels = {std::string(target) == "lyon" ? "eu-west" : "eu-south", target, "prod"};
      r.steps[1].name = "read \"user\"";  // escaped in the label
      m.Observe(r);
    }
  }
  const std::string text = m.Serialize();
  const std::string lyon = "target=\"lyon\"";
  // About 40 series for a two-step journey (122 before the budget): the journey histogram, the
  // steps' counts and sums, four phase counters, runs, failures by reason, gauges.
  const auto all = Samples(text, {lyon});
  CHECK(all.size() <= 45);
  CHECK(all.size() >= 35);
  // The journey's buckets: coarse, plus the latency objective (3 s) for the latency SLI.
  const auto buckets = Samples(text, {"odoo_prober_journey_duration_seconds_bucket{", lyon});
  CHECK(buckets.size() == 10);  // 0.1 0.25 0.5 1 2.5 3 5 10 30 +Inf
  CHECK(
      Samples(text, {"odoo_prober_journey_duration_seconds_bucket{", lyon, "le=\"3\"} 2"}).size() ==
      1);
  CHECK(Samples(text, {"odoo_prober_journey_duration_seconds_bucket{", lyon, "le=\"0.1\"} 2"})
            .size() == 1);
  // Steps: count and sum only, unless the journey asks for their histograms.
  CHECK(Samples(text, {"odoo_prober_step_duration_seconds_bucket{", lyon}).size() == 2);  // +Inf
  CHECK(testing::MetricSum(text,
                           "odoo_prober_step_duration_seconds_count{env=\"prod\","
                           "instance=\"inst-1\",journey=\"login\",plant=\"lyon\","
                           "region=\"eu-west\",step=\"read \\\"user\\\"\"") == 2);
  CHECK(Samples(text, {"odoo_prober_step_duration_seconds_bucket{", "target=\"porto\""}).size() ==
        2 * 15);  // 5 ms .. 60 s and +Inf, for both steps
  // The phases: seconds summed over the steps of the runs (30 us of TLS a step, 2 steps, 2 runs).
  CHECK(testing::MetricSum(text,
                           "odoo_prober_rpc_phase_seconds_total{env=\"prod\","
                           "instance=\"inst-1\",journey=\"login\",phase=\"tls\","
                           "plant=\"lyon\"") == Approx(120e-6));
  CHECK_FALSE(Contains(text, "odoo_prober_rpc_phase_duration_seconds"));
  // Each family's samples together, after its one HELP and TYPE (the text format's rule).
  for (const std::string family :
       {"odoo_prober_journey_runs_total", "odoo_prober_journey_duration_seconds",
        "odoo_prober_step_duration_seconds", "odoo_prober_journey_failures_total"}) {
    INFO(family);
    const auto type = text.find("# TYPE " + family + " ");
    REQUIRE(type != std::string::npos);
    CHECK(text.find("# TYPE " + family + " ", type + 1) == std::string::npos);
    const auto first = text.find('\n', type);  // the end of the TYPE line
    const auto last = text.rfind("\n" + family);
    REQUIRE(last > first);
    CHECK(text.substr(first, last - first).find("\n#") == std::string::npos);
  }
}

TEST_CASE("TLS findings gauges follow the last check", "[sinks]") {
  Metrics m("inst-1", "1.2.3");
  TlsReport r;
  r.target = "lyon";
  r.endpoint = "erp:443";
  r.labels = {"eu-west", "lyon", "prod"};
  prober::CertInfo leaf;
  leaf.not_after = std::chrono::system_clock::time_point(std::chrono::seconds(1800000000));
  r.inspection.verified = {leaf};
  r.findings = {{"expiring_warning", Severity::kWarning, "CN=erp", "expires in 20 days"}};
  m.ObserveTls(r);
  std::string text = m.Serialize();
  CHECK(Contains(text,
                 "odoo_prober_tls_cert_not_after_timestamp_seconds{env=\"prod\",instance=\"inst-"
                 "1\",plant=\"lyon\",region=\"eu-west\",target=\"lyon\"} 1800000000"));
  CHECK(Contains(text,
                 "kind=\"expiring_warning\",plant=\"lyon\",region=\"eu-west\",severity=\"warning\","
                 "target=\"lyon\"} 1"));
  r.findings.clear();  // renewed: the finding resolves to 0
  m.ObserveTls(r);
  text = m.Serialize();
  CHECK(Contains(text,
                 "kind=\"expiring_warning\",plant=\"lyon\",region=\"eu-west\",severity=\"warning\","
                 "target=\"lyon\"} 0"));
}

StatusBoard::PairInfo Info(const std::string& journey, const std::string& target,
                           const std::string& region) {
  return {journey, target, "access", {region, target, "prod"}, config::Objective{}};
}

// `html` with the text between `from` and the next `to`, or "" when `from` is absent.
std::string Between(const std::string& html, const std::string& from, const std::string& to) {
  const auto at = html.find(from);
  if (at == std::string::npos) return "";
  return html.substr(at, html.find(to, at) - at);
}

TEST_CASE("the status page: pairs by region and plant, 24 h availability and budget, sparkline",
          "[sinks]") {
  StatusBoard board;
  board.DeclarePairs({Info("login", "lyon", "eu-west"), Info("goods_receipt", "lyon", "eu-west"),
                      Info("login", "porto", "eu-west"), Info("login", "frankfurt", "eu-central")});
  board.SetInMaintenance("goods_receipt", "lyon", true);
  const auto now = std::chrono::system_clock::now();
  board.Record(Result("old", now - std::chrono::hours(25), false));  // beyond the 24 hours
  for (int i = 9; i >= 0; --i)
    board.Record(Result(std::to_string(i), now - std::chrono::minutes(i), i != 3));
  JourneyResult frankfurt = Result("f", now, false);
  frankfurt.target = "frankfurt";
  board.Record(frankfurt);
  const std::string html = board.RenderHtml(now, "inst-<1>");
  // Grouped: eu-central before eu-west; Lyon before Porto.
  const auto central = html.find("region eu-central &middot; plant frankfurt");
  const auto lyon = html.find("region eu-west &middot; plant lyon");
  const auto porto = html.find("region eu-west &middot; plant porto");
  CHECK(central < lyon);
  CHECK(lyon < porto);
  CHECK(porto != std::string::npos);
  const std::string row = Between(html, "journey=login&amp;target=lyon", "</tr>");
  CHECK(Contains(row, "<td>lyon</td><td class=\"ok\""));
  CHECK(Contains(row, ">90.00%<"));     // 9 of the 10 runs of the last 24 hours
  CHECK(Contains(row, ">-1900.00%<"));  // 1 - 1 / (0.005 x 10): the budget is gone
  CHECK(Contains(row, "1.5 ms"));
  CHECK(Contains(row, "<svg"));
  CHECK(Contains(html, "href=\"/status/pair?journey=login&amp;target=lyon\""));
  CHECK(Contains(Between(html, ">goods_receipt</a>", "</tr>"), "in maintenance"));
  CHECK(Contains(Between(html, "target=porto", "</tr>"), "pending"));
  CHECK(Contains(html, "1 failing</span>, 1 in maintenance"));  // Frankfurt
  CHECK(Contains(html, "<meta http-equiv=\"refresh\" content=\"30\">"));
  CHECK(Contains(html, "inst-&lt;1&gt;"));  // escaped
  CHECK_FALSE(Contains(html, "<script"));
  CHECK_FALSE(Contains(html, "src="));  // no external assets
  CHECK_FALSE(Contains(html, "href=\"http"));

  // A reload that drops a pair drops its row.
  board.DeclarePairs({Info("login", "lyon", "eu-west")});
  const std::string after = board.RenderHtml(now, "inst-1");
  CHECK_FALSE(Contains(after, "frankfurt"));
  CHECK(Contains(Between(after, ">login</a>", "</tr>"), ">90.00%<"));  // history kept
}

TEST_CASE("the status page of a pair: last run's steps and phases, last failure", "[sinks]") {
  StatusBoard board;
  board.DeclarePairs({Info("login", "lyon", "eu-west")});
  const auto now = std::chrono::system_clock::now();
  CHECK(Contains(*board.RenderPairHtml("login", "lyon", now, "i"), "Not run yet"));
  JourneyResult failed = Result("f", now - std::chrono::minutes(5), false);
  failed.failed_step = "authenticate";
  failed.detail = "Odoo refused the login: Access Denied";
  failed.steps[0].outcome = prober::Outcome::kAuth;
  failed.steps[0].odoo_error = "odoo.exceptions.AccessDenied";
  failed.steps[0].http_status = 200;
  failed.steps.resize(1);
  board.Record(failed);
  JourneyResult ok = Result("o", now - std::chrono::minutes(1));
  ok.steps[0].timings = {1000, 2000, 3000, 40000, 50000};
  ok.records.push_back({"sale.order", 42, "ok", "", "cancel"});
  board.Record(ok);
  const std::string page = *board.RenderPairHtml("login", "lyon", now, "i");
  const std::string failure = Between(page, "<h2>Last failure</h2>", "<h2>Last run</h2>");
  CHECK(Contains(failure, "authenticate"));
  CHECK(Contains(failure, ">timeout<"));
  CHECK(Contains(failure, "odoo.exceptions.AccessDenied"));
  CHECK(Contains(failure, "Access Denied"));
  const std::string last = Between(page, "<h2>Last run</h2>", "</body>");
  CHECK(Contains(last,
                 "<td>authenticate</td><td class=\"ok\">ok</td><td class=\"n\">50.0 "
                 "ms</td><td class=\"n\">1.0 ms</td><td class=\"n\">2.0 ms</td><td "
                 "class=\"n\">3.0 ms</td><td class=\"n\">40.0 ms</td>"));
  CHECK(Contains(last,
                 "<td>sale.order</td><td class=\"n\">42</td><td class=\"ok\">ok</td>"
                 "<td>cancel</td>"));
  CHECK(Contains(page, "<meta http-equiv=\"refresh\""));
  CHECK_FALSE(board.RenderPairHtml("login", "porto", now, "i").has_value());
}

}  // namespace
}  // namespace odoo_prober::results

namespace odoo_prober::results {
namespace {

using testing::Contains;

TEST_CASE("dependency series: declared at 0, up from the first check, gone with a reload",
          "[sinks][dependencies]") {
  Metrics m("p1", "1.0");
  const config::Labels where{"eu-west", "", "prod"};
  m.dependencies().Declare({{"idp",
                             prober::DependencyKind::kHttp,
                             where,
                             {"access", "order-to-cash"},
                             true,
                             std::chrono::seconds(30)},
                            {"vpn",
                             prober::DependencyKind::kTcp,
                             where,
                             {"manufacturing"},
                             false,
                             std::chrono::seconds(60)}});
  const std::string labels =
      "{dependency=\"idp\",env=\"prod\",instance=\"p1\",plant=\"\",region=\"eu-west\"";
  std::string text = m.Serialize();
  CHECK(Contains(text, "odoo_prober_dependency_checks_total" + labels + "} 0"));
  CHECK(Contains(text, "odoo_prober_dependency_interval_seconds" + labels + "} 30"));
  CHECK(Contains(text,
                 "odoo_prober_dependency_used_by{dependency=\"idp\",env=\"prod\",instance="
                 "\"p1\",plant=\"\",region=\"eu-west\",service=\"order-to-cash\"} 1"));
  // Not checked yet: not shown down.
  CHECK_FALSE(Contains(text, "odoo_prober_dependency_up{"));
  DependencyResult r;
  r.dependency = "idp";
  r.started_at = std::chrono::system_clock::from_time_t(1795132800);
  r.outcome.outcome = prober::Outcome::kTimeout;
  m.dependencies().Observe(r);
  text = m.Serialize();
  CHECK(Contains(text, "odoo_prober_dependency_up" + labels + "} 0"));
  CHECK(Contains(text, "odoo_prober_dependency_checks_total" + labels + "} 1"));
  CHECK(Contains(text,
                 "odoo_prober_dependency_failures_total{dependency=\"idp\",env=\"prod\","
                 "instance=\"p1\",plant=\"\",reason=\"timeout\",region=\"eu-west\"} 1"));
  CHECK(Contains(text,
                 "odoo_prober_dependency_last_check_timestamp_seconds" + labels + "} 1795132800"));
  // A cancelled check (the prober stopping) says nothing of the dependency.
  r.cancelled = true;
  m.dependencies().Observe(r);
  CHECK(Contains(m.Serialize(), "odoo_prober_dependency_checks_total" + labels + "} 1"));
  // A reload without idp: its series are gone; vpn's stay.
  m.dependencies().Declare({{"vpn",
                             prober::DependencyKind::kTcp,
                             where,
                             {"manufacturing"},
                             false,
                             std::chrono::seconds(60)}});
  text = m.Serialize();
  CHECK_FALSE(Contains(text, "dependency=\"idp\""));
  CHECK(Contains(text, "dependency=\"vpn\""));
}

}  // namespace
}  // namespace odoo_prober::results
