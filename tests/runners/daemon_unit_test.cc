// The daemon's parts without a socket or a thread: the admin handler, the sinks factory, and
// the daemon's loop stepped on a fake clock with scripted clients and a fake TLS check.
#include <zlib.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "results/make_sinks.h"
#include "runners/admin/admin.h"
#include "runners/daemon/daemon.h"
#include "tests/support/fakes.h"
#include "tests/support/support.h"

namespace odoo_prober::runners {
namespace {

using nlohmann::json;
using testing::Contains;
using testing::FakeClock;
using testing::Ok;
using testing::Script;
using testing::TempDir;
using namespace std::chrono_literals;

HttpRequest Get(const std::string& path) {
  HttpRequest r;
  r.method = "GET";
  r.path = path;
  return r;
}

TEST_CASE("admin handler: each endpoint, readiness reasons, methods", "[daemon-unit]") {
  FakeClock clock;
  results::Metrics metrics("unit", "1.2.3");
  results::StatusBoard board;
  board.DeclarePairs({{"login", "plant", "access", {"eu-west", "plant", "prod"}, {}}});
  Readiness ready{true, true};
  AdminHandler admin(metrics, board, clock, "unit", [&] { return ready; });

  CHECK(admin(Get("/healthz")).status == 200);
  const auto m = admin(Get("/metrics"));
  CHECK(m.status == 200);
  CHECK(m.content_type == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(Contains(m.body, "odoo_prober_build_info{"));
  const auto status = admin(Get("/status"));
  CHECK(status.content_type == "text/html; charset=utf-8");
  CHECK(Contains(status.body, "login"));
  CHECK(admin(Get("/")).body == status.body);
  CHECK(admin(Get("/readyz")).status == 200);
  ready.sinks_healthy = false;
  CHECK(admin(Get("/readyz")).status == 503);
  CHECK(admin(Get("/readyz")).body == "not ready: a result sink is failing\n");
  ready.scheduling = false;
  CHECK(admin(Get("/readyz")).body == "not ready: the scheduler is not running\n");
  HttpRequest post = Get("/metrics");
  post.method = "POST";
  CHECK(admin(post).status == 405);
  CHECK(admin(Get("/nope")).status == 404);
  HttpRequest pair = Get("/status/pair");
  pair.query = "journey=log%69n&target=plant";  // decoded: login
  const auto page = admin(pair);
  CHECK(page.status == 200);
  CHECK(page.content_type == "text/html; charset=utf-8");
  CHECK(Contains(page.body, "<h1>login at plant</h1>"));
  pair.query = "journey=login&target=porto";
  CHECK(admin(pair).status == 404);
  CHECK(Contains(admin(pair).body, "no journey 'login' on target 'porto'"));
}

// What zlib inflates `gz` (gzip format) to; "" when it is not gzip.
std::string Gunzip(const std::string& gz) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return "";
  std::string out(gz.size() * 40 + 1024, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&z, Z_FINISH);
  out.resize(z.total_out);
  inflateEnd(&z);
  return rc == Z_STREAM_END ? out : "";
}

std::string Header(const HttpResponse& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

TEST_CASE("admin handler: /metrics in gzip when the scraper asks for it", "[daemon-unit]") {
  FakeClock clock;
  results::Metrics metrics("unit", "1.2.3");
  results::StatusBoard board;
  metrics.DeclarePair({"login", "plant", {"eu-west", "plant", "prod"}, "access", {}, 60s});
  AdminHandler admin(metrics, board, clock, "unit", [] { return Readiness{true, true}; });
  const auto plain = admin(Get("/metrics"));
  CHECK(Header(plain, "Content-Encoding").empty());
  CHECK(Header(plain, "Vary") == "Accept-Encoding");
  CHECK(Contains(plain.body, "odoo_prober_journey_runs_total{"));
  // Prometheus sends "gzip"; browsers and curl lists of codings with weights.
  for (const char* accept : {"gzip", "deflate, gzip;q=0.5", " GZIP "}) {
    INFO(accept);
    HttpRequest r = Get("/metrics");
    r.accept_encoding = accept;
    const auto packed = admin(r);
    CHECK(Header(packed, "Content-Encoding") == "gzip");
    CHECK(packed.body.size() * 4 < plain.body.size());
    CHECK(Gunzip(packed.body) == plain.body);
  }
  for (const char* accept : {"gzip;q=0", "deflate", "identity", "x-gzip2"}) {
    INFO(accept);
    HttpRequest r = Get("/metrics");
    r.accept_encoding = accept;
    CHECK(Header(admin(r), "Content-Encoding").empty());
  }
}

TEST_CASE("sinks factory: metrics and board always, files when configured", "[daemon-unit]") {
  TempDir dir;
  results::Metrics metrics("unit", "1.2.3");
  results::StatusBoard board;
  config::ProberConfig cfg;
  auto base = results::MakeSinks(cfg, metrics, board);
  REQUIRE(base.ok());
  CHECK(base->size() == 2);
  cfg.results_jsonl = dir.path() + "/r.jsonl";
  cfg.results_sqlite = dir.path() + "/h.db";
  auto all = results::MakeSinks(cfg, metrics, board);
  REQUIRE(all.ok());
  CHECK(all->size() == 4);
  cfg.results_sqlite = dir.path() + "/no/such/folder/h.db";
  auto bad = results::MakeSinks(cfg, metrics, board);
  REQUIRE_FALSE(bad.ok());
  CHECK(Contains(bad.status().message(), dir.path() + "/no/such/folder/h.db"));
}

// A daemon on a fake clock: runs inline in Step(), clients from a script, TLS checks counted.
struct Stepped {
  TempDir dir;
  FakeClock clock;
  std::shared_ptr<Script> script = std::make_shared<Script>();
  int tls_checks = 0;
  std::string config;
  std::unique_ptr<Daemon> daemon;

  explicit Stepped(const std::string& interval = "60s", const std::string& target_extra = "") {
    dir.Write("secret", "admin\n");
    dir.Write("journeys/ping.yaml", R"(name: ping
timeout: 5s
steps:
  - {name: login, authenticate: {}}
  - name: ping
    call: {model: res.users, method: context_get}
    expect: [{path: $.lang, equals: en_US}]
)");
    script->On("res.users.context_get", [](const Script::Call&) {
      return Ok({{"lang", "en_US"}});
    });
    config = WriteConfig(interval, "", target_extra);
    DaemonEnv env;
    env.clock = &clock;
    env.threads = false;
    env.clients = [this](const prober::ClientOptions&) {
      return prober::Result<std::unique_ptr<prober::OdooClient>>(
          std::make_unique<testing::FakeOdooClient>(script, clock));
    };
    env.check_tls = [this](const TlsEndpoint& e, std::chrono::milliseconds) {
      ++tls_checks;
      results::TlsReport r;
      r.target = e.target;
      r.endpoint = e.key();
      r.checked_at = clock.Now();
      return r;
    };
    RunOptions o;
    o.config_path = config;
    o.version = "1.2.3";
    auto d = Daemon::Create(o, env);
    INFO((d.ok() ? "" : d.status().message()));
    REQUIRE(d.ok());
    daemon = std::move(*d);
  }

  std::string WriteConfig(const std::string& interval, const std::string& extra = "",
                          const std::string& target_extra = "") {
    return dir.Write("prober.yaml",
                     "version: 1\ninstance: unit\njourney_dirs: [journeys]\n"
                     "results: {jsonl: " +
                         dir.path() + "/results.jsonl}\n" + extra +
                         "targets:\n  - name: plant\n"
                         "    url: https://erp.example.com\n"
                         "    database: probe\n    login: admin\n"
                         "    password_file: secret\n" +
                         target_extra + "journeys:\n  - {name: ping, interval: " + interval +
                         "}\n");
  }

  // Moves the clock to each wake-up the daemon asks for, `passes` times.
  void Run(int passes) {
    for (int i = 0; i < passes; ++i) {
      const auto next = daemon->Step();
      if (next > clock.Monotonic())
        clock.Advance(
            std::chrono::duration_cast<std::chrono::milliseconds>(next - clock.Monotonic()));
    }
  }
  std::string Metrics() const { return daemon->admin()(Get("/metrics")).body; }
};

TEST_CASE("daemon loop: journeys every interval, TLS on its own schedule", "[daemon-unit]") {
  Stepped s;
  CHECK(s.daemon->admin()(Get("/readyz")).status == 503);  // not scheduling yet
  // Before any run, the pair's runs and failures for every reason are at 0 (8 reasons).
  const std::string first = s.Metrics();
  CHECK(testing::MetricSum(first, "odoo_prober_journey_runs_total{") == 0);
  CHECK(Contains(first,
                 "odoo_prober_journey_runs_total{env=\"\",instance=\"unit\",journey=\"ping\""));
  size_t zeros = 0;
  for (size_t at = first.find("\nodoo_prober_journey_failures_total{"); at != std::string::npos;
       at = first.find("\nodoo_prober_journey_failures_total{", at + 1)) {
    const std::string line = first.substr(at + 1, first.find('\n', at + 1) - at - 1);
    if (Contains(line, "journey=\"ping\"") && line.substr(line.size() - 2) == " 0") ++zeros;
  }
  CHECK(zeros == 8);
  s.Run(1);
  CHECK(s.tls_checks == 1);  // every endpoint at start
  CHECK(s.daemon->admin()(Get("/readyz")).status == 200);
  s.Run(3);
  CHECK(s.script->logins == 3);
  // The first run comes within the jitter (10% of 60s), then one every 60s, and the clock is at
  // the next tick: no real time passed.
  CHECK(s.clock.slept() >= 180s);
  CHECK(s.clock.slept() <= 186s);
  CHECK(s.tls_checks == 1);
  // The scheduler lag is a histogram, a count per run started: the three on time, a fourth on
  // time (the clock is at its tick), then one started 30 ms after its tick (between the 25 and
  // 50 ms buckets).
  const std::string lag = "odoo_prober_scheduler_lag_seconds_";
  CHECK(testing::MetricSum(s.Metrics(), lag + "count{instance=\"unit\"}") == 3);
  const auto next = s.daemon->Step();
  s.clock.Advance(
      std::chrono::duration_cast<std::chrono::milliseconds>(next - s.clock.Monotonic()) + 30ms);
  s.daemon->Step();
  REQUIRE(s.script->logins == 5);
  const std::string late = s.Metrics();
  CHECK(testing::MetricSum(late, lag + "count{instance=\"unit\"}") == 5);
  CHECK(testing::MetricSum(late, lag + "bucket{instance=\"unit\",le=\"0.025\"}") == 4);
  CHECK(testing::MetricSum(late, lag + "bucket{instance=\"unit\",le=\"0.05\"}") == 5);
  s.clock.Advance(6h);
  s.Run(1);
  CHECK(s.tls_checks == 2);
  CHECK(s.daemon->Shutdown(0ms) == 0);
  const std::string metrics = s.Metrics();
  CHECK(testing::MetricSum(metrics, "odoo_prober_journey_runs_total{") == s.script->logins);
  CHECK(testing::MetricSum(metrics, "odoo_prober_journey_failures_total{") == 0);
  // Every result reached the file sink before Shutdown returned.
  std::ifstream in(s.dir.path() + "/results.jsonl");
  int lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  CHECK(lines == s.script->logins + s.tls_checks);
}

// The fake clock starts on Wednesday 2026-11-18 at 12:00 UTC; the window is 12:05 to 12:10.
TEST_CASE("daemon loop: maintenance shows from the window's first minute, not the next tick",
          "[daemon-unit]") {
  Stepped s("1h",
            "    maintenance: [{days: [wed], from: \"12:05\", to: \"12:10\", time_zone: UTC}]\n");
  auto at = [&](std::chrono::seconds since_noon) {
    const auto now = s.clock.Now().time_since_epoch() - std::chrono::seconds(1795003200);
    s.clock.Advance(std::chrono::duration_cast<std::chrono::milliseconds>(since_noon - now));
    return s.daemon->Step();
  };
  auto in_maintenance = [&] {
    return testing::MetricSum(s.Metrics(), "odoo_prober_journey_in_maintenance{");
  };
  auto board =
      [&] {  // the board's summary: "1 journey &times; target pairs: ..., 1 in maintenance."
        return s.daemon->admin()(Get("/status")).body.find(", 1 in maintenance.") !=
               std::string::npos;
      };
  at(0s);
  CHECK(in_maintenance() == 0);
  // Woken at the minute, whatever the hourly pair's tick.
  const auto wake = at(4min + 59s);
  CHECK(wake == s.clock.Monotonic() + 1s);
  CHECK(in_maintenance() == 0);
  CHECK_FALSE(board());
  at(5min);
  CHECK(in_maintenance() == 1);
  CHECK(board());
  at(9min + 59s);
  CHECK(in_maintenance() == 1);
  at(10min);
  CHECK(in_maintenance() == 0);
  CHECK_FALSE(board());
}

TEST_CASE("daemon loop: a reload swaps the schedule, a broken one keeps the old", "[daemon-unit]") {
  Stepped s;
  s.Run(2);
  REQUIRE(s.script->logins == 1);
  s.WriteConfig("30s");
  s.daemon->RequestReload();
  s.Run(1);
  CHECK(testing::MetricSum(s.Metrics(), "odoo_prober_config_reloads_total") == 1);
  s.Run(4);
  CHECK(s.script->logins >= 4);  // every 30s now
  s.dir.Write("prober.yaml", "version: 1\ntargets: [}\n");
  s.daemon->RequestReload();
  const int before = s.script->logins;
  s.Run(2);
  CHECK(testing::MetricSum(s.Metrics(), "odoo_prober_config_reload_failures_total") == 1);
  CHECK(s.script->logins > before);  // the old schedule runs on
}

TEST_CASE("daemon loop: a failing journey is counted with its reason", "[daemon-unit]") {
  Stepped s;
  s.script->On("res.users.context_get", [](const Script::Call&) {
    return Ok({{"lang", "fr_FR"}});
  });
  s.Run(2);
  REQUIRE(s.script->logins == 1);
  CHECK(s.daemon->Shutdown(0ms) == 0);
  CHECK(testing::MetricSum(s.Metrics(), "odoo_prober_journey_failures_total{") == 1);
  CHECK(Contains(s.Metrics(), "reason=\"assertion\""));
}

}  // namespace
}  // namespace odoo_prober::runners
