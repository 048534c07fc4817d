// The daemon as a user runs it: odoo-prober run against the emulator, scraped by promtool and
// by a real Prometheus server, reloaded with SIGHUP, stopped with SIGTERM, killed with SIGKILL,
// and its /status page opened in headless Chromium.
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "tests/runners/prober_process.h"
#include "tests/support/emulator_support.h"

namespace odoo_prober {
namespace {

using nlohmann::json;
using testing::BackgroundProcess;
using testing::Contains;
using testing::RunningEmulator;
using testing::TempDir;
using namespace std::chrono_literals;

// A config for the daemon with the given journeys block.
std::string WriteConfig(const TempDir& dir, RunningEmulator& emu, const std::string& journeys,
                        const std::string& extra = "") {
  dir.Write("secret", "admin\n");
  std::ostringstream y;
  y << "version: 1\ninstance: test-instance\nadmin: {listen: \"127.0.0.1:0\"}\n"
    << "results: {jsonl: results.jsonl, sqlite: history.db}\n"
    << extra << "targets:\n  - name: plant\n    url: " << emu.https_url()
    << "\n    database: probe\n"
    << "    login: admin\n    password_file: secret\n    timeout: 5s\n"
    << "    tls: {ca_file: " << emu.pki().ca_cert
    << "}\n    labels: {region: eu-west, plant: lyon}\n"
    << journeys;
  return dir.Write("prober.yaml", y.str());
}

// The daemon, with its admin URL once it listens.
using Daemon = testing::ProberDaemon;
using testing::HttpGet;

using testing::Eventually;

// A PromQL query against the Prometheus server on `port`.
json PromQuery(uint16_t port, const std::string& expr) {
  return testing::PromQuery("http://127.0.0.1:" + std::to_string(port), expr);
}

TEST_CASE("promtool accepts /metrics and a real Prometheus computes a success ratio", "[daemon]") {
  RunningEmulator emu;
  TempDir dir;
  Daemon d(WriteConfig(dir, emu, "journeys:\n  - {name: login, interval: 1s, timeout: 1s}\n"));
  // The first scrape already has the pair's failures, for every reason, at 0, and the
  // journey's business service.
  const std::string first = HttpGet(d.url + "/metrics");
  for (const char* reason :
       {"auth", "transport", "timeout", "http", "odoo_error", "assertion", "tls", "cleanup"}) {
    INFO(reason << "\n" << first);
    CHECK(testing::MetricSum(first,
                             "odoo_prober_journey_failures_total{env=\"\",instance=\"test-"
                             "instance\",journey=\"login\",plant=\"lyon\",reason=\"" +
                                 std::string(reason) + "\"") == 0);
    CHECK(Contains(first, "journey=\"login\",plant=\"lyon\",reason=\"" + std::string(reason)));
  }
  CHECK(Contains(first,
                 "odoo_prober_journey_info{definition=\"login\",env=\"\",instance=\"test-"
                 "instance\",journey=\"login\",plant=\"lyon\""));
  CHECK(Contains(first, "service=\"access\",target="));
  REQUIRE(Eventually([&] {
    return testing::MetricSum(HttpGet(d.url + "/metrics"), "odoo_prober_journey_runs_total") >= 2;
  }));
  dir.Write("metrics.txt", HttpGet(d.url + "/metrics"));
  auto check = testing::RunProcess(
      {"/bin/sh", "-c", "promtool check metrics < " + dir.path() + "/metrics.txt"});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  CHECK(HttpGet(d.url + "/healthz") == "ok\n");
  // The TLS endpoint was inspected at start: its chain expiry is exported.
  CHECK(Eventually([&] {
    return testing::MetricSum(HttpGet(d.url + "/metrics"),
                              "odoo_prober_tls_cert_not_after_timestamp_seconds") > 1.7e9;
  }));
  CHECK(HttpGet(d.url + "/readyz") == "ready\n");

  // A real Prometheus scrapes the daemon and answers the SLI query.
  const std::string host = d.url.substr(7);
  const uint16_t port = testing::UnusedPort();
  dir.Write("prometheus.yml",
            "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
            "scrape_configs:\n  - job_name: odoo-prober\n    static_configs:\n"
            "      - targets: ['" +
                host + "']\n");
  BackgroundProcess prometheus({"/usr/bin/prometheus",
                                "--config.file=" + dir.path() + "/prometheus.yml",
                                "--storage.tsdb.path=" + dir.path() + "/tsdb",
                                "--web.listen-address=127.0.0.1:" + std::to_string(port)});
  // The success ratio of the login journey, as the shipped rules compute SLIs.
  const std::string ratio =
      "1 - (sum(odoo_prober_journey_failures_total{journey=\"login\"}) or vector(0)) / "
      "sum(odoo_prober_journey_runs_total{journey=\"login\"})";
  json answer;
  const bool answered = Eventually(
      [&] {
        answer = PromQuery(port, ratio);
        return !answer.is_discarded() && answer.value("status", "") == "success" &&
               !answer["data"]["result"].empty();
      },
      60s);
  INFO(answer.dump());
  REQUIRE(answered);
  // Every run succeeded, so the ratio is 1.
  CHECK(answer["data"]["result"][0]["value"][1] == "1");
  CHECK(d.process.Stop() == 0);
}

TEST_CASE("run refuses an unusable admin address with exit 2", "[daemon]") {
  RunningEmulator emu;
  TempDir dir;
  const auto config =
      WriteConfig(dir, emu, "journeys:\n  - {name: login, interval: 1s, timeout: 1s}\n");
  auto bad = testing::RunProcess({ODOO_PROBER_BIN, "run", config, "--listen", "nonsense"});
  CHECK(bad.exit_code == 2);
  CHECK(Contains(bad.err, "ADDRESS:PORT"));
  // The emulator already listens on its port.
  const std::string busy = emu.http_url().substr(7);
  auto taken = testing::RunProcess({ODOO_PROBER_BIN, "run", config, "--listen", busy});
  CHECK(taken.exit_code == 2);
  // What, where and what to do; no library internals.
  CHECK(Contains(taken.err, "admin endpoints (--listen or admin.listen): cannot listen on " + busy +
                                ": Address already in use; another process listens there"));
  CHECK_FALSE(Contains(taken.err, "emulator"));
  CHECK_FALSE(Contains(taken.err, "/usr/include"));
  CHECK_FALSE(Contains(taken.err, "system:"));
  // A history that is not a SQLite database: exit 2 naming it (it once crashed on the way out).
  TempDir other;
  other.Write("history.db", std::string(8192, 'x'));
  auto store = testing::RunProcess(
      {ODOO_PROBER_BIN, "run",
       WriteConfig(other, emu, "journeys:\n  - {name: login, interval: 1s, timeout: 1s}\n")});
  CHECK(store.exit_code == 2);
  CHECK(Contains(store.err, "history.db"));
}

TEST_CASE("admin endpoints over HTTPS with basic auth: bcrypt and SHA-256 crypt users",
          "[daemon]") {
  RunningEmulator emu;
  TempDir dir;
  // Prometheus's web config shape; hashes as htpasswd -nBC 5 and openssl passwd -5 make them.
  dir.Write("web.yml",
            "basic_auth_users:\n"
            "  prometheus: $2y$05$hkrDJUWulF6L8UupwSjws.ReOHBbUlwQNmbJ2dVJ6r96V3j4cBBv6\n"
            "  grafana: $5$abcdefgh$33n7Jc5uosQec.Ws8vBMiW7zwhRp9uukSThN6e7EmqA\n");
  std::string config =
      WriteConfig(dir, emu, "journeys:\n  - {name: login, interval: 30s}\n",
                  "admin: {listen: \"127.0.0.1:0\", tls_cert: \"" + emu.pki().server_cert +
                      "\", tls_key: \"" + emu.pki().server_key + "\", basic_auth_file: web.yml}\n");
  // WriteConfig's own admin line comes first; this one replaces it.
  std::string text;
  {
    std::ifstream in(config);
    std::stringstream all;
    all << in.rdbuf();
    text = all.str();
  }
  text.erase(text.find("admin: {listen: \"127.0.0.1:0\"}\n"),
             std::string("admin: {listen: \"127.0.0.1:0\"}\n").size());
  dir.Write("prober.yaml", text);
  BackgroundProcess d({ODOO_PROBER_BIN, "run", config, "--log-level", "trace"}, {},
                      BackgroundProcess::Stderr::kCaptured);
  const std::string line = d.WaitForLine("listening on https://");
  REQUIRE_FALSE(line.empty());
  const auto start = line.find("https://");
  const std::string url = line.substr(start, line.find(' ', start) - start);
  auto status = [&](const std::string& path, const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {
        "/usr/bin/curl", "-sS",        "-o", "/dev/null", "-w",
        "%{http_code}",  "--max-time", "5",  "--cacert",  emu.pki().ca_cert};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(url + path);
    return testing::RunProcess(argv).out;
  };
  CHECK(status("/metrics", {}) == "401");
  CHECK(status("/metrics", {"-u", "prometheus:wrong"}) == "401");
  CHECK(status("/metrics", {"-u", "nobody:correct horse"}) == "401");
  CHECK(status("/metrics", {"-u", "prometheus:correct horse"}) == "200");
  CHECK(status("/metrics", {"-u", "prometheus:correct horse"}) == "200");  // remembered
  CHECK(status("/status", {"-u", "grafana:battery staple"}) == "200");
  CHECK(status("/healthz", {"-u", "grafana:correct horse"}) == "401");
  // No plain HTTP on the port, and the password never reaches the log.
  std::string plain = url;
  plain.replace(0, 5, "http");
  CHECK(testing::RunProcess({"/usr/bin/curl", "-sS", "--max-time", "5", plain + "/healthz"})
            .out.find("ok") == std::string::npos);
  CHECK(d.Stop() == 0);
  CHECK(d.output().find("correct horse") == std::string::npos);
}

TEST_CASE("SIGHUP: a removed pair's series and row are gone, the log says what changed",
          "[daemon]") {
  RunningEmulator emu;
  TempDir dir;
  const auto config = WriteConfig(dir, emu,
                                  "journeys:\n  - {name: login, interval: 1s, timeout: 1s}\n"
                                  "  - {name: invoice_validation, interval: 1s, timeout: 1s}\n");
  Daemon d(config, "20", BackgroundProcess::Stderr::kCaptured);
  const std::string invoice = "journey=\"invoice_validation\"";
  REQUIRE(Eventually([&] {
    return testing::MetricSum(HttpGet(d.url + "/metrics"),
                              "odoo_prober_journey_runs_total{env=\"\",instance=\"test-"
                              "instance\"," +
                                  invoice) >= 1;
  }));
  REQUIRE(Contains(HttpGet(d.url + "/status"), ">invoice_validation</a>"));
  // invoice_validation goes, login runs every 2 s now, sales_order_confirmation comes; the
  // admin address in the file changes, which a running server cannot take.
  std::ifstream in(
      WriteConfig(dir, emu,
                  "journeys:\n  - {name: login, interval: 2s, timeout: 1s}\n"
                  "  - {name: sales_order_confirmation, interval: 1s, timeout: 1s}\n"));
  std::stringstream next;
  next << in.rdbuf();
  std::string text = next.str();
  const std::string listen = "listen: \"127.0.0.1:0\"";
  REQUIRE(text.find(listen) != std::string::npos);
  dir.Write("prober.yaml",
            text.replace(text.find(listen), listen.size(), "listen: \"127.0.0.1:9\""));
  ::kill(d.process.pid(), SIGHUP);
  const std::string admin = d.process.WaitForLine("admin.listen changed");
  CHECK(Contains(admin, "the admin server keeps 127.0.0.1:0 until the next start"));
  const std::string line = d.process.WaitForLine("configuration reloaded");
  CHECK(Contains(line,
                 "configuration reloaded: 2 pair(s); added: sales_order_confirmation on "
                 "plant; removed: invoice_validation on plant; changed: login on plant; "
                 "0 unchanged"));
  // Gone from the next scrape and the board, and no late run of it brings it back.
  CHECK_FALSE(Contains(HttpGet(d.url + "/metrics"), invoice));
  const double runs =
      testing::MetricSum(HttpGet(d.url + "/metrics"), "odoo_prober_journey_runs_total{");
  REQUIRE(Eventually([&] {
    return testing::MetricSum(HttpGet(d.url + "/metrics"), "odoo_prober_journey_runs_total{") >=
           runs + 3;
  }));
  CHECK_FALSE(Contains(HttpGet(d.url + "/metrics"), invoice));
  CHECK_FALSE(Contains(HttpGet(d.url + "/status"), ">invoice_validation</a>"));
  CHECK(Contains(HttpGet(d.url + "/status"), ">sales_order_confirmation</a>"));
  CHECK(d.process.Stop() == 0);
}

TEST_CASE("SIGHUP with a broken config keeps the old schedule running", "[daemon]") {
  RunningEmulator emu;
  TempDir dir;
  const auto config =
      WriteConfig(dir, emu, "journeys:\n  - {name: login, interval: 1s, timeout: 1s}\n");
  // Its log (warnings and up) joins stdout, read below.
  Daemon d(config, "20", BackgroundProcess::Stderr::kCaptured);
  REQUIRE(Eventually([&] {
    return testing::MetricSum(HttpGet(d.url + "/metrics"), "odoo_prober_journey_runs_total") >= 1;
  }));
  dir.Write("prober.yaml", "version: 1\ntargets: [oops\n");
  ::kill(d.process.pid(), SIGHUP);
  REQUIRE(Eventually([&] {
    return testing::MetricSum(HttpGet(d.url + "/metrics"),
                              "odoo_prober_config_reload_failures_total") == 1;
  }));
  const double runs =
      testing::MetricSum(HttpGet(d.url + "/metrics"), "odoo_prober_journey_runs_total");
  CHECK(Eventually([&] {
    return testing::MetricSum(HttpGet(d.url + "/metrics"), "odoo_prober_journey_runs_total") >=
           runs + 2;
  }));
  // A good config is taken: the new journey starts running. The worker threads were started
  // for 4 runs at once; more waits for a restart, and the log says so.
  WriteConfig(dir, emu,
              "journeys:\n  - {name: login, interval: 1s, timeout: 1s}\n  - {name: "
              "invoice_validation, interval: 2s, timeout: 2s}\n",
              "concurrency: 64\n");
  ::kill(d.process.pid(), SIGHUP);
  CHECK_FALSE(
      d.process.WaitForLine("concurrency 64 takes effect after a restart; 4 until then").empty());
  CHECK(Eventually([&] {
    return testing::MetricSum(HttpGet(d.url + "/metrics"), "odoo_prober_config_reloads_total") == 1;
  }));
  CHECK(Eventually([&] {
    return testing::MetricSum(
               HttpGet(d.url + "/metrics"),
               "odoo_prober_journey_runs_total{env=\"\",instance=\"test-instance\",journey="
               "\"invoice_validation\"") >= 1;
  }));
  CHECK(d.process.Stop() == 0);
}

TEST_CASE("one journey configured twice is two probes by id: series, rows, results, report",
          "[daemon]") {
  RunningEmulator emu;
  // Only the backorder variant (3 received of 5) calls the backorder wizard: it fails there.
  emu.emulator().SetFaults(
      testing::FailMethod("stock.backorder.confirmation.process", emulator::FaultKind::kUserError));
  TempDir dir;
  const std::string config = WriteConfig(
      dir, emu,
      "journeys:\n  - {name: goods_receipt, interval: 20s, timeout: 15s}\n"
      "  - {name: goods_receipt, id: goods_receipt_backorder, interval: 20s, timeout: 15s,\n"
      "     params: {receive_quantity: 3}}\n");
  auto validate = testing::RunProber({"validate", config});
  INFO(validate.out << validate.err);
  CHECK(Contains(validate.out, "goods_receipt_backorder (goods_receipt) on plant"));
  Daemon d(config);
  auto runs = [](const std::string& text, const std::string& id) {
    return testing::MetricSum(text,
                              "odoo_prober_journey_runs_total{env=\"\",instance=\"test-"
                              "instance\",journey=\"" +
                                  id + "\",");
  };
  auto failures = [](const std::string& text, const std::string& id) {
    return testing::MetricSum(text,
                              "odoo_prober_journey_failures_total{env=\"\",instance=\"test-"
                              "instance\",journey=\"" +
                                  id + "\",");
  };
  std::string metrics;
  REQUIRE(Eventually([&] {
    metrics = HttpGet(d.url + "/metrics");
    return runs(metrics, "goods_receipt") >= 1 && runs(metrics, "goods_receipt_backorder") >= 1;
  }));
  // Two series sets: the failure is the backorder variant's only.
  CHECK(failures(metrics, "goods_receipt") == 0);
  CHECK(failures(metrics, "goods_receipt_backorder") >= 1);
  CHECK(Contains(metrics,
                 "odoo_prober_journey_info{definition=\"goods_receipt\",env=\"\","
                 "instance=\"test-instance\",journey=\"goods_receipt_backorder\""));
  // Two rows on /status, each with its own last run.
  const std::string status = HttpGet(d.url + "/status");
  CHECK(Contains(status, "/status/pair?journey=goods_receipt&amp;target=plant"));
  CHECK(Contains(status, "/status/pair?journey=goods_receipt_backorder&amp;target=plant"));
  const std::string plain = HttpGet(d.url + "/status/pair?journey=goods_receipt&target=plant");
  const std::string backorder =
      HttpGet(d.url + "/status/pair?journey=goods_receipt_backorder&target=plant");
  CHECK(Contains(backorder, "process_backorder"));
  CHECK_FALSE(Contains(plain, "process_backorder"));
  CHECK(d.process.Stop() == 0);
  // The results: the id as journey, the definition beside it; the report has two rows.
  std::ifstream in(dir.path() + "/results.jsonl");
  std::stringstream text;
  text << in.rdbuf();
  std::set<std::pair<std::string, std::string>> seen;  // journey, definition
  for (const auto& r : testing::JourneyResultLines(text.str())) {
    seen.insert({r["journey"].get<std::string>(), r["definition"].get<std::string>()});
    CHECK(r["outcome"] == (r["journey"] == "goods_receipt" ? "ok" : "odoo_error"));
  }
  CHECK(seen ==
        std::set<std::pair<std::string, std::string>>{
            {"goods_receipt", "goods_receipt"}, {"goods_receipt_backorder", "goods_receipt"}});
  auto report = testing::RunProber({"report", config, "--format", "json"});
  INFO(report.out << report.err);
  REQUIRE(report.exit_code == 0);
  std::map<std::string, double> availability;
  const json answer = json::parse(report.out);
  for (const auto& p : answer["pairs"])
    availability[p["journey"].get<std::string>()] = p["availability"].get<double>();
  CHECK(availability ==
        std::map<std::string, double>{{"goods_receipt", 1.0}, {"goods_receipt_backorder", 0.0}});
}

TEST_CASE("two entries that run the same id on one target exit 2 naming both lines", "[daemon]") {
  RunningEmulator emu;
  TempDir dir;
  const std::string config =
      WriteConfig(dir, emu,
                  "journeys:\n  - {name: goods_receipt}\n"
                  "  - {name: goods_receipt, params: {receive_quantity: 3}}\n");
  for (const char* command : {"validate", "run", "once"}) {
    auto r = testing::RunProber({command, config});
    INFO(command << "\n" << r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(Contains(r.err,
                   "prober.yaml:16:12: journeys[1].id: runs 'goods_receipt' on target "
                   "plant, as journeys[0] does (" +
                       config + ":15:12)"));
    CHECK(Contains(r.err, "give this one its own id, e.g. id: goods_receipt_1"));
  }
}

TEST_CASE("SIGTERM lets an in-flight journey finish its cleanup, then exits 0", "[daemon]") {
  RunningEmulator emu;
  // Confirmation takes 2 s: SIGTERM arrives while the journey is in flight.
  emu.emulator().SetFaults(testing::SlowMethod("sale.order.action_confirm", 2s));
  TempDir dir;
  Daemon d(WriteConfig(
      dir, emu, "journeys:\n  - {name: sales_order_confirmation, interval: 30s, timeout: 10s}\n"));
  REQUIRE(Eventually([&] {
    for (const auto& call : emu.emulator().RequestLog()) {
      if (call.method == "action_confirm") return true;
    }
    return false;
  }));
  CHECK(d.process.Stop() == 0);  // SIGTERM, then wait
  // The run completed and cleaned up: nothing tagged is left, and the result was written.
  CHECK(emu.emulator().OpenRecordsTagged("probe-") == json::array());
  std::ifstream in(dir.path() + "/results.jsonl");
  std::stringstream text;
  text << in.rdbuf();
  const auto runs =
      testing::JourneyResultLines(text.str());  // journey results (TLS reports skipped)
  REQUIRE(runs.size() == 1);
  const json& r = runs[0];
  CHECK(r["journey"] == "sales_order_confirmation");
  CHECK(r["outcome"] == "ok");
  CHECK(r["records"][0]["cleanup"] == "ok");
}

TEST_CASE("past the grace period, calls in flight are cancelled and their result still written",
          "[daemon]") {
  RunningEmulator emu;
  // Confirmation never answers: the run cannot end by itself within the grace period.
  emu.emulator().SetFaults(
      testing::FailMethod("sale.order.action_confirm", emulator::FaultKind::kHang));
  TempDir dir;
  Daemon d(
      WriteConfig(dir, emu,
                  "journeys:\n  - {name: sales_order_confirmation, interval: 60s, timeout: 50s}\n"),
      "1");
  REQUIRE(Eventually([&] {
    for (const auto& call : emu.emulator().RequestLog()) {
      if (call.method == "create" && call.model == "sale.order") return true;
    }
    return false;
  }));
  CHECK(d.process.Stop() == 0);  // a clean exit 0, well before the journey's 50 s timeout
  std::ifstream in(dir.path() + "/results.jsonl");
  std::stringstream text;
  text << in.rdbuf();
  const auto runs = testing::JourneyResultLines(text.str());
  REQUIRE(runs.size() == 1);
  CHECK(runs[0]["outcome"] == "transport");
  CHECK(Contains(runs[0]["detail"], "cancelled: the prober is shutting down"));
  // Its order could not be cleaned up: it is reported, and left for sweep.
  REQUIRE(runs[0]["records"].size() == 1);
  CHECK(runs[0]["records"][0]["cleanup"] == "failed");
  CHECK(emu.emulator().OpenRecordsTagged("probe-").size() == 1);
}

TEST_CASE("SIGKILL during heavy writing leaves readable files with every older run", "[daemon]") {
  RunningEmulator emu;
  TempDir dir;
  std::string journeys = "journeys:\n";
  for (int i = 0; i < 8; ++i) {
    journeys +=
        "  - {name: login, id: login_" + std::to_string(i) + ", interval: 1s, timeout: 1s}\n";
  }
  Daemon d(WriteConfig(dir, emu, journeys, "concurrency: 8\nper_target_concurrency: 8\n"));
  REQUIRE(Eventually([&] {
    return testing::MetricSum(HttpGet(d.url + "/metrics"), "odoo_prober_journey_runs_total") >= 30;
  }));
  // Every run the daemon reported in /metrics more than a second ago must be on disk.
  const double reported =
      testing::MetricSum(HttpGet(d.url + "/metrics"), "odoo_prober_journey_runs_total");
  std::this_thread::sleep_for(1s);  // the durability window under test, not synchronisation
  ::kill(d.process.pid(), SIGKILL);
  d.process.Stop();
  // JSON lines: every line is whole and parses.
  std::ifstream in(dir.path() + "/results.jsonl");
  size_t lines = 0;
  for (std::string line; std::getline(in, line);) {
    INFO(line);
    CHECK_FALSE(json::parse(line, nullptr, false).is_discarded());
    ++lines;
  }
  CHECK(lines >= reported);
  // SQLite: the database opens, is consistent, and holds the same runs.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2((dir.path() + "/history.db").c_str(), &db, SQLITE_OPEN_READONLY,
                          nullptr) == SQLITE_OK);
  auto scalar = [&](const char* sql) {
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(s) == SQLITE_ROW);
    std::string v = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return v;
  };
  CHECK(scalar("PRAGMA integrity_check") == "ok");
  CHECK(std::stod(scalar("SELECT count(*) FROM runs")) >= reported);
  CHECK(std::stod(scalar("SELECT count(*) FROM steps")) >= 2 * reported);
  sqlite3_close(db);
}

TEST_CASE("a full disk: drops counted and warned, probing goes on, writing resumes with space",
          "[daemon]") {
  RunningEmulator emu;
  TempDir dir;
  std::string journeys = "journeys:\n";
  for (int i = 0; i < 4; ++i) {
    journeys +=
        "  - {name: login, id: login_" + std::to_string(i) + ", interval: 1s, timeout: 1s}\n";
  }
  const std::string config = WriteConfig(dir, emu, journeys);
  // No file of the daemon may grow past 96 KiB (RLIMIT_FSIZE): room for the SQLite schema, and
  // the results file starts 2 KiB short of it, so the "disk" fills within seconds for both.
  std::string earlier;
  while (earlier.size() < 94 * 1024)
    earlier += json{{"earlier", std::string(1000, 'x')}}.dump() + "\n";
  dir.Write("results.jsonl", earlier);
  BackgroundProcess d(
      {"/usr/bin/prlimit", "--fsize=98304:unlimited", ODOO_PROBER_BIN, "run", config}, {},
      BackgroundProcess::Stderr::kCaptured);
  const std::string line = d.WaitForLine("listening on http://");
  REQUIRE_FALSE(line.empty());
  const auto at = line.find("http://");
  const std::string url = line.substr(at, line.find(' ', at) - at);
  auto dropped = [&](const std::string& sink) {
    return testing::MetricSum(HttpGet(url + "/metrics"),
                              "odoo_prober_sink_dropped_total{instance=\"" +
                                  std::string("test-instance") +
                                  "\",reason=\"write_failed\",sink=\"" + sink + "\"}");
  };
  const std::string warning = d.WaitForLine("results are dropped", 30s);
  REQUIRE_FALSE(warning.empty());
  CHECK(Eventually([&] { return dropped("jsonl") > 0 && dropped("sqlite") > 0; }, 30s));
  // Probing goes on meanwhile.
  const double runs =
      testing::MetricSum(HttpGet(url + "/metrics"), "odoo_prober_journey_runs_total");
  CHECK(Eventually([&] {
    return testing::MetricSum(HttpGet(url + "/metrics"), "odoo_prober_journey_runs_total") >=
           runs + 8;
  }));
  CHECK(HttpGet(url + "/readyz").find("sink") != std::string::npos);  // not ready, and says why
  const auto lines = [&] {
    std::ifstream in(dir.path() + "/results.jsonl");
    size_t n = 0;
    for (std::string l; std::getline(in, l); ++n) {
      INFO(l);
      CHECK_FALSE(json::parse(l, nullptr, false).is_discarded());  // never half a line
    }
    return n;
  };
  const size_t before = lines();
  // Space returns: the (soft) limit is lifted on the running daemon.
  REQUIRE(testing::RunProcess(
              {"/usr/bin/prlimit", "--pid", std::to_string(d.pid()), "--fsize=unlimited"})
              .exit_code == 0);
  CHECK_FALSE(d.WaitForLine("sink jsonl: writing again", 30s).empty());
  CHECK((Contains(d.output(), "sink sqlite: writing again") ||
         !d.WaitForLine("sink sqlite: writing again", 30s).empty()));
  CHECK(Eventually([&] { return lines() > before; }));
  CHECK(d.Stop() == 0);
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2((dir.path() + "/history.db").c_str(), &db, SQLITE_OPEN_READONLY,
                          nullptr) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) == "ok");
  sqlite3_finalize(st);
  sqlite3_close(db);
}

TEST_CASE("/status renders in headless Chromium without console errors", "[daemon]") {
  RunningEmulator emu;
  TempDir dir;
  Daemon d(WriteConfig(dir, emu,
                       "journeys:\n  - {name: login, interval: 1s, timeout: 1s}\n"
                       "  - {name: invoice_validation, interval: 2s, timeout: 2s}\n"));
  REQUIRE(Eventually([&] {
    return testing::MetricSum(HttpGet(d.url + "/metrics"), "odoo_prober_journey_runs_total") >= 2;
  }));
  auto chromium = testing::RenderInChromium(d.url + "/status", dir.path() + "/chromium");
  INFO(chromium.err.substr(0, 2000));
  CHECK(chromium.exit_code == 0);
  CHECK(Contains(chromium.out, "<h1>odoo-prober</h1>"));
  CHECK(Contains(chromium.out, ">login<"));
  CHECK(Contains(chromium.out, ">invoice_validation<"));
  CHECK(Contains(chromium.out, "<svg"));
  CHECK(Contains(chromium.out, "<h2>TLS</h2>"));
  CHECK(Contains(chromium.out, "region eu-west · plant lyon"));
  CHECK(Contains(chromium.out, "availability (24h)"));
  CHECK(Contains(chromium.out, "<meta http-equiv=\"refresh\" content=\"30\">"));
  CHECK_FALSE(Contains(chromium.err, "CONSOLE"));
  CHECK_FALSE(Contains(chromium.err, "Uncaught"));

  // The pair's page, as its row links to it.
  REQUIRE(Contains(chromium.out, "href=\"/status/pair?journey=login&amp;target=plant\""));
  auto pair = testing::RenderInChromium(d.url + "/status/pair?journey=login&target=plant",
                                        dir.path() + "/chromium-pair");
  INFO(pair.err.substr(0, 2000));
  CHECK(pair.exit_code == 0);
  CHECK(Contains(pair.out, "<h1>login at plant</h1>"));
  CHECK(Contains(pair.out, "<h2>Last failure</h2>"));
  CHECK(Contains(pair.out, "<td>authenticate</td>"));
  CHECK(Contains(pair.out, "<td>read_user</td>"));
  CHECK_FALSE(Contains(pair.err, "CONSOLE"));
  CHECK_FALSE(Contains(pair.err, "Uncaught"));
}

}  // namespace
}  // namespace odoo_prober

namespace odoo_prober {
namespace {

// The count of a SQLite query's single value.
double SqliteScalar(const std::string& file, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(s) == SQLITE_ROW);
  const double v = sqlite3_column_double(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return v;
}

TEST_CASE("dependency checks run beside the journeys: series, status, JSON lines and SQLite",
          "[daemon][dependencies]") {
  RunningEmulator emu;
  // The VPN end point: a listening socket, closed half-way.
  int vpn = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);  // not the daemon's to keep
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(vpn, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(vpn, 64) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(vpn, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string vpn_port = std::to_string(ntohs(addr.sin_port));
  TempDir dir;
  dir.Write("idp-token", "s3cr3t-idp-token\n");
  ::chmod((dir.path() + "/idp-token").c_str(), 0600);
  const std::string deps =
      "dependencies:\n"
      "  - name: idp\n    kind: http\n    url: " +
      emu.http_url() +
      "/web/health\n"
      "    headers: [{name: Authorization, prefix: \"Bearer \", value_file: idp-token}]\n"
      "    expect_json: {path: $.status, equals: pass}\n"
      "    used_by: [access, order-to-cash]\n    interval: 1s\n    timeout: 900ms\n"
      "  - {name: vpn, kind: tcp, host: 127.0.0.1, port: " +
      vpn_port +
      ", used_by: [manufacturing], severity: ticket, interval: 1s, timeout: 900ms}\n"
      "  - {name: erp-dns, kind: dns, host: localhost, expect_address: 127.0.0.1, "
      "used_by: [access], interval: 1s, timeout: 900ms, plants: [lyon]}\n"
      "  - {name: portal, kind: http, url: \"" +
      emu.untrusted_https_url() +
      "/web/health\", used_by: [access], interval: 1s, "
      "timeout: 900ms}\n";
  Daemon d(
      WriteConfig(dir, emu, "journeys:\n  - {name: login, interval: 1s, timeout: 1s}\n" + deps));
  const std::string base = "{dependency=\"";
  auto metric = [&](const std::string& text, const std::string& name, const std::string& dep,
                    const std::string& more = "") {
    return testing::MetricSum(text, name + base + dep + "\"" + more);
  };
  // Every check is declared at once, its failures at 0 for every reason, its users listed.
  const std::string first = HttpGet(d.url + "/metrics");
  CHECK(Contains(first,
                 "odoo_prober_dependency_used_by{dependency=\"idp\",env=\"\",instance=\"test-"
                 "instance\",plant=\"lyon\",region=\"eu-west\",service=\"order-to-cash\"} 1"));
  CHECK(Contains(first, "services=\"access,order-to-cash\",severity=\"page\"} 1"));
  CHECK(Contains(first,
                 "kind=\"tcp\",plant=\"lyon\",region=\"eu-west\",services=\"manufacturing\","
                 "severity=\"ticket\"} 1"));
  CHECK(Contains(first,
                 "odoo_prober_dependency_failures_total{dependency=\"vpn\",env=\"\","
                 "instance=\"test-instance\",plant=\"lyon\",reason=\"transport\",region="
                 "\"eu-west\"} 0"));
  REQUIRE(Eventually([&] {
    const auto m = HttpGet(d.url + "/metrics");
    if (metric(m, "odoo_prober_dependency_failures_total", "portal",
               ",env=\"\",instance=\"test-instance\",plant=\"lyon\",reason=\"tls\"") < 1)
      return false;
    for (const char* dep : {"idp", "vpn", "erp-dns"}) {
      if (metric(m, "odoo_prober_dependency_checks_total", dep) < 2) return false;
      if (metric(m, "odoo_prober_dependency_up", dep) != 1) return false;
    }
    return true;
  }));
  // The IdP answers 503, the VPN end point goes away: each down, counted by its class.
  emu.emulator().SetFaults(testing::FailMethod("/web/health", emulator::FaultKind::kHttp503));
  ::close(vpn);
  const bool down = Eventually([&] {
    const auto m = HttpGet(d.url + "/metrics");
    return metric(m, "odoo_prober_dependency_up", "idp") == 0 &&
           metric(m, "odoo_prober_dependency_up", "vpn") == 0 &&
           metric(m, "odoo_prober_dependency_failures_total", "idp",
                  ",env=\"\",instance=\"test-instance\",plant=\"lyon\",reason=\"http\"") >= 1 &&
           metric(m, "odoo_prober_dependency_failures_total", "vpn",
                  ",env=\"\",instance=\"test-instance\",plant=\"lyon\",reason=\"transport\"") >= 1;
  });
  const std::string metrics = HttpGet(d.url + "/metrics");
  INFO(metrics);
  REQUIRE(down);
  CHECK(metric(metrics, "odoo_prober_dependency_up", "erp-dns") == 1);
  // An https dependency's certificate is inspected like a target's, under its name: the
  // portal's is self-signed.
  CHECK(Contains(metrics,
                 "odoo_prober_tls_findings{env=\"\",instance=\"test-instance\",kind="
                 "\"self_signed\",plant=\"lyon\",region=\"eu-west\",severity="
                 "\"critical\",target=\"portal\"} 1"));
  // The journey goes on meanwhile (the checks never take its worker).
  CHECK(testing::MetricSum(metrics, "odoo_prober_journey_runs_total") >= 2);
  dir.Write("metrics.txt", metrics);
  auto check = testing::RunProcess(
      {"/bin/sh", "-c", "promtool check metrics < " + dir.path() + "/metrics.txt"});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  // /status: a Dependencies section, each with what it checks, its users and last outcome.
  const std::string status = HttpGet(d.url + "/status");
  CHECK(Contains(status, "<h2>Dependencies</h2>"));
  CHECK(Contains(status, "<td>idp</td><td>http: GET " + emu.http_url() + "/web/health"));
  CHECK(Contains(status, "access, order-to-cash"));
  CHECK(Contains(status, "HTTP 503, expected 2xx"));
  CHECK(Contains(status, "<td>vpn</td><td>tcp: connect 127.0.0.1:" + vpn_port));
  // The header's secret reaches the server only: not the page, the metrics or the files.
  CHECK_FALSE(Contains(status, "s3cr3t"));
  CHECK_FALSE(Contains(metrics, "s3cr3t"));
  // JSON lines: one line per check, typed; SQLite: the same checks.
  std::ifstream in(dir.path() + "/results.jsonl");
  std::map<std::string, std::set<std::string>> outcomes;  // dependency -> outcomes seen
  for (std::string line; std::getline(in, line);) {
    CHECK_FALSE(Contains(line, "s3cr3t"));
    const auto j = json::parse(line);
    if (j.value("type", "") != "dependency") continue;
    outcomes[j.at("dependency")].insert(j.at("outcome").get<std::string>());
    CHECK(j.at("region") == "eu-west");
    CHECK(j.at("phases").contains("dns_seconds"));
  }
  CHECK(outcomes["idp"] == std::set<std::string>{"ok", "http"});
  CHECK(outcomes["vpn"] == std::set<std::string>{"ok", "transport"});
  CHECK(outcomes["erp-dns"] == std::set<std::string>{"ok"});
  d.process.Stop();
  const std::string db = dir.path() + "/history.db";
  CHECK(SqliteScalar(db,
                     "SELECT count(*) FROM dependency_checks WHERE dependency = 'idp' AND "
                     "outcome = 'http' AND used_by = 'access,order-to-cash'") >= 1);
  CHECK(SqliteScalar(db,
                     "SELECT count(*) FROM dependency_checks WHERE dependency = 'vpn' AND "
                     "outcome = 'transport'") >= 1);
}

}  // namespace
}  // namespace odoo_prober

namespace odoo_prober {
namespace {

namespace fs = std::filesystem;
const std::string kSource = ODOO_PROBER_SOURCE_DIR;

// A real Prometheus scraping the daemon at `daemon_url` every second, with the shipped rules
// loaded and evaluated every second; its files in `dir`.
struct RulesPrometheus {
  RulesPrometheus(const TempDir& dir, const std::string& daemon_url) {
    fs::copy_file(kSource + "/deploy/prometheus/odoo-prober-rules.yml",
                  dir.path() + "/odoo-prober-rules.yml");
    dir.Write("prometheus.yml",
              "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
              "rule_files: [odoo-prober-rules.yml]\n"
              "scrape_configs:\n  - job_name: odoo-prober\n    honor_labels: true\n"
              "    static_configs:\n      - targets: ['" +
                  daemon_url.substr(7) + "']\n");
    process = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{"/usr/bin/prometheus",
                                 "--config.file=" + dir.path() + "/prometheus.yml",
                                 "--storage.tsdb.path=" + dir.path() + "/tsdb",
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port)},
        std::map<std::string, std::string>{}, BackgroundProcess::Stderr::kCaptured);
  }
  uint16_t port = testing::UnusedPort();
  std::unique_ptr<BackgroundProcess> process;
};

// The fingerprint readings the emulator has served: its searches of the installed modules.
int Readings(RunningEmulator& emu) {
  int n = 0;
  for (const auto& c : emu.emulator().RequestLog())
    n += c.model == "ir.module.module" && c.method == "search_read";
  return n;
}

TEST_CASE("run watches each target: an upgrade and a rotation are one event each, everywhere",
          "[daemon][changes]") {
  RunningEmulator emu;
  TempDir dir;
  Daemon d(WriteConfig(dir, emu, "journeys:\n  - {name: login, interval: 1s, timeout: 1s}\n",
                       "fingerprint_interval: 1s\n"));
  // An unchanged ERP: several readings, no event; its version is on target_info.
  REQUIRE(Eventually([&] { return Readings(emu) >= 3; }));
  std::string metrics = HttpGet(d.url + "/metrics");
  CHECK(testing::MetricSum(metrics, "odoo_prober_target_changes_total") == 0);
  CHECK(Contains(metrics,
                 "odoo_prober_target_changes_total{env=\"\",instance=\"test-instance\","
                 "kind=\"module_upgraded\",plant=\"lyon\",region=\"eu-west\",target="
                 "\"plant\"} 0"));
  CHECK(Contains(metrics,
                 "odoo_prober_target_info{env=\"\",instance=\"test-instance\",plant="
                 "\"lyon\",region=\"eu-west\",server_version=\""));
  // A real Prometheus scrapes it with the shipped rules loaded.
  RulesPrometheus prometheus(dir, d.url);
  const uint16_t port = prometheus.port;
  REQUIRE(Eventually(
      [&] {
        const auto a = PromQuery(port, "odoo_prober_target_changes_total");
        return !a.is_discarded() && a.value("status", "") == "success" &&
               !a["data"]["result"].empty();
      },
      60s));
  // Upgrade a module: exactly one event within a fingerprint_interval or two.
  int before = Readings(emu);
  REQUIRE(emu.emulator().Administer({{"modules", {{"sale", "17.0.9.9"}}}}).ok());
  REQUIRE(Eventually([&] {
    return testing::MetricSum(HttpGet(d.url + "/metrics"),
                              "odoo_prober_target_changes_total{env=\"\",instance=\"test-"
                              "instance\",kind=\"module_upgraded\"") == 1;
  }));
  CHECK(Readings(emu) - before <= 3);
  // Rotate the certificate: one more, of its own kind; and nothing else over more readings.
  REQUIRE(emu.emulator().Administer({{"certificate", "rotated"}}).ok());
  REQUIRE(Eventually([&] {
    return testing::MetricSum(HttpGet(d.url + "/metrics"),
                              "odoo_prober_target_changes_total{env=\"\",instance=\"test-"
                              "instance\",kind=\"certificate_rotated\"") == 1;
  }));
  before = Readings(emu);
  REQUIRE(Eventually([&] { return Readings(emu) >= before + 3; }));
  metrics = HttpGet(d.url + "/metrics");
  CHECK(testing::MetricSum(metrics, "odoo_prober_target_changes_total") == 2);
  CHECK(testing::MetricSum(metrics, "odoo_prober_target_last_change_timestamp_seconds") > 1.7e9);
  // Prometheus: the dashboard's annotation query and the journey alerts' context both see it.
  const auto dashboard =
      json::parse(testing::ReadText(kSource + "/deploy/grafana/odoo-prober-dashboard.json"));
  std::string annotation = dashboard["annotations"]["list"][0]["expr"];
  annotation.replace(annotation.find("$target"), 7, ".*");
  json found;
  REQUIRE(Eventually(
      [&] {
        found = PromQuery(port, annotation);
        return !found.is_discarded() && found["data"]["result"].size() == 2;
      },
      60s));
  std::set<std::string> kinds;
  for (const auto& r : found["data"]["result"]) kinds.insert(r["metric"]["kind"]);
  CHECK(kinds == std::set<std::string>{"module_upgraded", "certificate_rotated"});
  // The alerts' context is a recorded series: it holds both once its group has evaluated again.
  CHECK(Eventually([&] {
    const auto context = PromQuery(port, "odoo_prober:target_changes:increase1h{target=\"plant\"}");
    return !context.is_discarded() && context["data"]["result"].size() == 2;
  }));
  // /status, the pair's page, the JSON lines, SQLite and report.
  const std::string status = HttpGet(d.url + "/status");
  CHECK(Contains(status, "<h2>Changes</h2>"));
  CHECK(Contains(status, "sale 17.0."));
  CHECK(Contains(status, "\xE2\x86\x92 17.0.9.9"));
  CHECK(Contains(HttpGet(d.url + "/status/pair?journey=login&target=plant"), "plant changed "));
  // A fingerprint that cannot be read (the probe user's login refused) is said, not an event.
  emu.emulator().SetFaults(
      testing::FailMethod("common.authenticate", emulator::FaultKind::kAccessDenied));
  REQUIRE(Eventually([&] {
    return testing::MetricSum(HttpGet(d.url + "/metrics"),
                              "odoo_prober_target_fingerprint_failures_total") >= 1;
  }));
  CHECK(Contains(HttpGet(d.url + "/status"), "The fingerprint of plant cannot be read since"));
  CHECK(testing::MetricSum(HttpGet(d.url + "/metrics"), "odoo_prober_target_changes_total") == 2);
  CHECK(d.process.Stop() == 0);
  std::ifstream in(dir.path() + "/results.jsonl");
  std::vector<std::string> changes;
  for (std::string line; std::getline(in, line);) {
    const auto j = json::parse(line);
    if (j.value("type", "") == "change") changes.push_back(j["kind"]);
  }
  CHECK(changes == std::vector<std::string>{"module_upgraded", "certificate_rotated"});
  CHECK(SqliteScalar(dir.path() + "/history.db", "SELECT count(*) FROM events") == 2);
  CHECK(SqliteScalar(dir.path() + "/history.db",
                     "SELECT count(*) FROM events WHERE kind = 'module_upgraded' AND item = 'sale' "
                     "AND after = '17.0.9.9'") == 1);
  auto report = testing::RunProber({"report", dir.path() + "/prober.yaml", "--format", "json"});
  INFO(report.err);
  REQUIRE(report.exit_code == 0);
  const auto listed = json::parse(report.out)["changes"];
  REQUIRE(listed.size() == 2);
  CHECK(listed[0]["kind"] == "module_upgraded");
  CHECK(listed[0]["target"] == "plant");
}

}  // namespace
}  // namespace odoo_prober

namespace odoo_prober {
namespace {

// The alerts the Prometheus on `port` holds (pending or firing), by alertname.
std::map<std::string, json> PromAlerts(uint16_t port) {
  auto r = testing::RunProcess({"/usr/bin/curl", "-sS", "--max-time", "5",
                                "http://127.0.0.1:" + std::to_string(port) + "/api/v1/alerts"});
  std::map<std::string, json> out;
  const auto a = json::parse(r.out, nullptr, false);
  if (a.is_discarded() || !a.contains("data")) return out;
  for (const auto& alert : a["data"]["alerts"]) out[alert["labels"]["alertname"]] = alert;
  return out;
}

TEST_CASE(
    "a dependency stopped on a running daemon: the shipped rules raise OdooDependencyDown "
    "and a real Alertmanager holds the journey's alert back",
    "[daemon][dependencies]") {
  RunningEmulator emu;
  TempDir dir;
  Daemon d(WriteConfig(dir, emu, "journeys:\n  - {name: login, interval: 1s, timeout: 1s}\n",
                       "fingerprint_interval: off\ndependencies:\n"
                       "  - {name: idp, kind: http, url: \"" +
                           emu.http_url() +
                           "/web/health\", used_by: [access], interval: 1s, timeout: 900ms}\n"));
  // The IdP stops answering, and the login journey (the `access` service) fails with it.
  emulator::Faults down = testing::FailMethod("/web/health", emulator::FaultKind::kHttp503);
  down.rules.push_back({"common.authenticate", emulator::FaultKind::kAccessDenied, 1.0});
  emu.emulator().SetFaults(down);
  // A real Prometheus with the shipped rules scrapes the daemon.
  RulesPrometheus prometheus(dir, d.url);
  const uint16_t port = prometheus.port;
  // Both alerts are raised (pending: their `for:` is minutes). Annotations are rendered anew at
  // each evaluation: the journey's names its dependency once the context group's recorded
  // series holds the failures (two of its evaluations after the first failed check), which may
  // be an evaluation after the alert is first raised.
  const std::string named = "Its dependency idp failed in eu-west in the last hour.";
  std::map<std::string, json> alerts;
  const bool raised = Eventually(
      [&] {
        alerts = PromAlerts(port);
        return alerts.count("OdooDependencyDown") && alerts.count("OdooJourneyDownRegional") &&
               Contains(alerts["OdooJourneyDownRegional"]["annotations"].value("description", ""),
                        named);
      },
      60s);
  INFO(json(alerts).dump());
  REQUIRE(raised);
  const json& dependency = alerts["OdooDependencyDown"];
  CHECK(dependency["labels"]["dependency"] == "idp");
  CHECK(dependency["labels"]["service"] == "access");
  CHECK(dependency["labels"]["region"] == "eu-west");
  CHECK(dependency["labels"]["severity"] == "page");
  CHECK(dependency["annotations"]["summary"] == "idp is down from eu-west: access depend on it");
  const json& journey = alerts["OdooJourneyDownRegional"];
  CHECK(journey["labels"]["service"] == "access");
  // The real Alertmanager with the shipped config gets both, as Prometheus sends firing alerts.
  const uint16_t am_port = testing::UnusedPort();
  const std::string am = "http://127.0.0.1:" + std::to_string(am_port);
  BackgroundProcess alertmanager(
      {"/usr/bin/prometheus-alertmanager",
       "--config.file=" + kSource + "/deploy/alertmanager/alertmanager.yml",
       "--storage.path=" + dir.path() + "/am",
       "--web.listen-address=127.0.0.1:" + std::to_string(am_port), "--cluster.listen-address="},
      {}, BackgroundProcess::Stderr::kCaptured);
  REQUIRE_FALSE(alertmanager.WaitForLine("Listening").empty());
  json posted = json::array();
  for (const json* a : {&dependency, &journey})
    posted.push_back({{"labels", (*a)["labels"]}, {"annotations", (*a)["annotations"]}});
  dir.Write("alerts.json", posted.dump());
  auto post = testing::RunProcess({"/usr/bin/curl", "-sS", "--max-time", "5", "-H",
                                   "Content-Type: application/json", "--data-binary",
                                   "@" + dir.path() + "/alerts.json", am + "/api/v2/alerts"});
  REQUIRE(post.exit_code == 0);
  std::map<std::string, std::string> states;
  const bool settled = Eventually([&] {
    auto r =
        testing::RunProcess({"/usr/bin/curl", "-sS", "--max-time", "5", am + "/api/v2/alerts"});
    states.clear();
    const auto list = json::parse(r.out, nullptr, false);
    if (!list.is_array()) return false;
    for (const auto& a : list) states[a["labels"]["alertname"]] = a["status"]["state"];
    return states.size() == 2 && states["OdooJourneyDownRegional"] == "suppressed";
  });
  INFO(json(states).dump());
  CHECK(settled);
  CHECK(states["OdooDependencyDown"] == "active");
}

}  // namespace
}  // namespace odoo_prober
