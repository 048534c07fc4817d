// `odoo-prober compare` end to end: two emulators over loopback HTTP as the baseline and the
// candidate environment, the command's exit code and its JSON, JUnit and table outputs.
#include "runners/compare/compare.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "runners/engine/exit_codes.h"
#include "tests/runners/prober_process.h"
#include "tests/support/emulator_support.h"

namespace odoo_prober::runners {
namespace {

using nlohmann::json;
using testing::Contains;
using testing::RunningEmulator;
using testing::TempDir;
using namespace std::chrono_literals;

// A config with the two emulators as targets `old` and `new`, and `rest` (journeys, compare).
// Both speak /jsonrpc unless told otherwise: latency is compared over one protocol.
std::string WriteConfig(const TempDir& dir, RunningEmulator& old_env, RunningEmulator& new_env,
                        const std::string& rest, const std::string& results = "",
                        const char* new_protocol = "jsonrpc") {
  dir.Write("secret", "admin\n");
  std::ostringstream y;
  y << "version: 1\n" << results << "targets:\n";
  for (auto [name, emu, protocol] :
       {std::tuple{"old", &old_env, "jsonrpc"}, std::tuple{"new", &new_env, new_protocol}}) {
    y << "  - name: " << name << "\n    url: " << emu->http_url()
      << "\n    database: probe\n    protocol: " << protocol
      << "\n    login: admin\n    password_file: secret\n    timeout: 10s\n";
  }
  y << rest;
  return dir.Write("prober.yaml", y.str());
}

struct Outcome {
  int exit_code = 0;
  std::string out, err;
  json report;
};

Outcome Compare(const TempDir& dir, const std::string& config, CompareOptions o) {
  o.config_path = config;
  o.round_interval = 0ms;  // as fast as the emulators answer
  if (o.baseline.empty() && o.baseline_history.empty()) o.baseline = "old";
  if (o.candidate.empty()) o.candidate = "new";
  o.json_file = dir.path() + "/compare.json";
  std::remove(o.json_file.c_str());
  std::ostringstream out, err;
  Outcome r;
  r.exit_code = RunCompare(o, out, err);
  r.out = out.str();
  r.err = err.str();
  std::ifstream in(o.json_file);
  if (in) r.report = json::parse(in);
  return r;
}

const json& LatencyRow(const json& report, const std::string& journey, const std::string& step) {
  for (const auto& r : report.at("latency")) {
    if (r.at("journey") == journey &&
        (step.empty() ? r.at("step").is_null() : r.at("step") == step))
      return r;
  }
  FAIL("no latency row " << journey << "/" << step);
  return report;
}

TEST_CASE("compare: 17.0 against 18.0 with 30 ms more on action_confirm flags that step only",
          "[compare]") {
  RunningEmulator old_env(testing::Personality("17.0")), new_env(testing::Personality("18.0"));
  new_env.emulator().SetFaults(testing::SlowMethod("sale.order.action_confirm", 30ms));
  TempDir dir;
  // One journey at a time, so that the sides' runs do not slow each other down in this one
  // process; ignore_below: 10 ms, the p95 noise of a 2-core machine running the tests under
  // AddressSanitizer (5 ms, the default, is a LAN's); 60 rounds narrow the intervals enough
  // for the unchanged steps to pass there too. Under the sanitizers (which check memory, and
  // make each run several times slower) the manufacturing journey stays out: 60 rounds of three
  // journeys took 35 s of the 40 that a test may take.
  std::string journeys = "journeys:\n  - name: login\n  - name: sales_order_confirmation\n";
#ifndef ODOO_PROBER_SANITIZED
  journeys += "  - name: work_order_release\n";
#endif
  const auto config = WriteConfig(dir, old_env, new_env,
                                  "concurrency: 1\n" + journeys +
                                      "compare:\n  expect_different: [server_version]\n"
                                      "  ignore_below: 10ms\n");
  CompareOptions o;
  o.runs = 60;
  o.seed = 17;
  o.junit_file = dir.path() + "/compare.xml";
  const auto r = Compare(dir, config, o);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == kExitJourneyFailed);
  const json& confirm = LatencyRow(r.report, "sales_order_confirmation", "confirm");
  CHECK(confirm.at("verdict") == "regression");
  CHECK(confirm.at("ratio_p95").at("ci95")[0].get<double>() > 1.0);  // excludes 1.0
  CHECK(confirm.at("ratio_p50").at("ci95")[0].get<double>() > 1.0);
  CHECK(confirm.at("candidate_seconds").at("p50").get<double>() -
            confirm.at("baseline_seconds").at("p50").get<double>() >
        0.025);
  // Every other step and the other journeys pass.
  for (const auto& row : r.report.at("latency")) {
    if (row.at("journey") == "sales_order_confirmation" &&
        (row.at("step").is_null() || row.at("step") == "confirm"))
      continue;
    INFO(row.dump());
    CHECK(row.at("verdict") == "pass");
  }
  CHECK(r.report.at("rounds") == 60);
  CHECK(r.report.at("seed") == 17);
  CHECK(Contains(r.out, "regression: p95 ratio"));
  // Both sides ran each journey in every round, and the outcomes agree.
  for (const auto& p : r.report.at("parity")) {
    if (p.at("check") != "outcomes") continue;
    CHECK(p.at("baseline") == "60/60 ok");
    CHECK(p.at("candidate") == "60/60 ok");
  }
  std::ifstream xml(dir.path() + "/compare.xml");
  std::stringstream junit;
  junit << xml.rdbuf();
  CHECK(Contains(junit.str(), "name=\"sales_order_confirmation: latency\">"));
  CHECK(Contains(junit.str(), "name=\"login: latency\"/>"));
  // Cleaned up on both sides.
  CHECK(old_env.emulator().OpenRecordsTagged("probe-") == json::array());
  CHECK(new_env.emulator().OpenRecordsTagged("probe-") == json::array());
}

// The design's false-positive rate (results/compare.h) is 5 %: over 20 seeds, at most one
// comparison of two identical environments may say "regression". Both answer every call after
// 1 to 60 ms (uniformly drawn, each side its own draws) and each comparison has 6 rounds, so
// that p95s above the budget by more than the 5 ms floor do happen by chance (checked): only
// the intervals keep them from being called regressions.
TEST_CASE("compare: with no difference, at most 1 of 20 seeds says regression", "[compare]") {
  RunningEmulator old_env(testing::Personality("17.0")), new_env(testing::Personality("17.0"));
  emulator::Faults jitter;
  jitter.latency = {1ms, 60ms};
  old_env.emulator().SetFaults(jitter);
  jitter.seed = 2;  // each side its own draws
  new_env.emulator().SetFaults(jitter);
  TempDir dir;
  // The same API on both sides: /jsonrpc logs in with two calls, the web session with one.
  const auto config = WriteConfig(dir, old_env, new_env, "journeys:\n  - name: login\n");
  int regressions = 0, slower = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    CompareOptions o;
    o.runs = 6;
    o.seed = seed;
    const auto r = Compare(dir, config, o);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code != kExitUsage);
    regressions += r.report.at("verdict") == "regression";
    // The noise this test is about: a candidate p95 above the budget by more than the floor,
    // which the point estimate alone would have called a regression.
    for (const auto& row : r.report.at("latency")) {
      const double b = row.at("baseline_seconds").at("p95"),
                   c = row.at("candidate_seconds").at("p95");
      slower += c > 1.2 * b && c - b > 0.005;
    }
  }
  INFO(slower << " checks slower than the budget by their point estimate");
  CHECK(slower > 0);
  CHECK(regressions <= 1);
}

TEST_CASE("compare: a different amount_tax is a parity failure naming record, field and values",
          "[compare]") {
  auto taxed = testing::Personality("17.0");
  taxed.sale_tax_percent = 21;
  RunningEmulator old_env(testing::Personality("17.0")), new_env(taxed);
  TempDir dir;
  const auto config =
      WriteConfig(dir, old_env, new_env, "journeys:\n  - name: sales_order_confirmation\n");
  CompareOptions o;
  o.runs = 5;
  o.seed = 1;
  const auto r = Compare(dir, config, o);
  INFO(r.out << r.err);
  CHECK(r.exit_code == kExitJourneyFailed);
  json tax;
  for (const auto& p : r.report.at("parity"))
    if (p.at("check") == "sale.order #1 amount_tax") tax = p;
  REQUIRE(tax.is_object());
  CHECK(tax.at("journey") == "sales_order_confirmation");
  CHECK(tax.at("record") == "sale.order #1");
  CHECK(tax.at("field") == "amount_tax");
  CHECK(tax.at("status") == "different");
  CHECK(tax.at("baseline") == "0.3");    // 2 x PROBE-ITEM's 1.00 at 15 %
  CHECK(tax.at("candidate") == "0.42");  // at 21 %
  CHECK(Contains(r.out, "sales_order_confirmation: sale.order #1 amount_tax"));
  CHECK(r.report.at("verdict") == "parity failure");
  for (const auto& p : r.report.at("parity")) {
    if (p.value("field", "") == "state" || p.at("check") == "outcomes")
      CHECK(p.at("status") == "same");
  }
}

TEST_CASE("compare: a module missing is a fingerprint failure unless expected", "[compare]") {
  auto lean = testing::Personality("17.0");
  lean.without_modules = {"stock_sms"};
  RunningEmulator old_env(testing::Personality("17.0")), new_env(lean);
  TempDir dir;
  const std::string results = "results: {jsonl: results.jsonl}\n";
  auto config = WriteConfig(dir, old_env, new_env, "journeys:\n  - name: login\n", results);
  CompareOptions o;
  o.runs = 5;
  o.seed = 1;
  auto r = Compare(dir, config, o);
  INFO(r.out << r.err);
  CHECK(r.exit_code == kExitJourneyFailed);
  json module;
  for (const auto& f : r.report.at("fingerprint"))
    if (f.at("item") == "module stock_sms") module = f;
  REQUIRE(module.is_object());
  CHECK(module.at("status") == "different");
  CHECK(module.at("baseline") == "17.0.1.0");
  CHECK(module.at("candidate") == "not installed");
  for (const auto& f : r.report.at("fingerprint")) {
    if (f.at("item") == "currency") CHECK(f.at("baseline") == "USD");
    if (f.at("item") == "user_tz") CHECK(f.at("candidate") == "Europe/Brussels");
    if (f.at("item") == "server_version") CHECK(f.at("status") == "same");
  }
  // Both sides' runs went to the results file, labelled by side.
  std::ifstream jsonl(dir.path() + "/results.jsonl");
  std::stringstream lines;
  lines << jsonl.rdbuf();
  std::map<std::string, int> by_env;
  for (const auto& line : testing::JourneyResultLines(lines.str()))
    ++by_env[line.at("labels").at("env").get<std::string>()];
  CHECK(by_env["baseline"] == 5);
  CHECK(by_env["candidate"] == 5);

  config = WriteConfig(dir, old_env, new_env,
                       "journeys:\n  - name: login\ncompare:\n  expect_different: "
                       "[{modules: [stock_sms]}]\n");
  r = Compare(dir, config, o);
  INFO(r.out << r.err);
  CHECK(r.exit_code == kExitOk);
  for (const auto& f : r.report.at("fingerprint"))
    if (f.at("item") == "module stock_sms") CHECK(f.at("status") == "expected");
}

TEST_CASE("compare: --baseline-history compares against the runs `run` recorded", "[compare]") {
  RunningEmulator old_env(testing::Personality("17.0")), new_env(testing::Personality("17.0"));
  TempDir dir;
  const std::string history = dir.path() + "/history.db";
  {
    // The old platform, probed by the daemon before it went away.
    const auto config = WriteConfig(
        dir, old_env, new_env,
        "journeys:\n  - {name: login, interval: 1s, timeout: 1s, targets: [old]}\n"
        "  - {name: sales_order_confirmation, interval: 1s, timeout: 1s, targets: [old]}\n",
        "admin: {listen: \"127.0.0.1:0\"}\nresults: {jsonl: run.jsonl, sqlite: history.db}\n");
    testing::BackgroundProcess daemon({ODOO_PROBER_BIN, "run", config, "--grace", "20"});
    REQUIRE(testing::Eventually(
        [&] {
          std::ifstream in(dir.path() + "/run.jsonl");
          std::stringstream text;
          text << in.rdbuf();
          return testing::JourneyResultLines(text.str()).size() >= 12;
        },
        60s));
  }  // stopped: the history is complete
  // The history was measured under another load than the comparison (a slower machine, the
  // background builds of scripts/test): latencies a few milliseconds apart are not what this
  // test is about (the latency verdicts have tests of their own), so they are ignored.
  const auto config = WriteConfig(
      dir, old_env, new_env, "journeys:\n  - name: login\n  - name: sales_order_confirmation\n",
      "compare: {ignore_below: 100ms}\n");
  CompareOptions o;
  o.baseline_history = history;
  o.baseline_target = "old";
  o.runs = 6;
  o.seed = 3;
  o.html_file = dir.path() + "/compare.html";
  const auto r = Compare(dir, config, o);
  INFO(r.out << r.err);
  CHECK(r.exit_code == kExitOk);
  CHECK(r.report.at("baseline_from_history") == true);
  CHECK(r.report.at("baseline") == "old");
  const json& login = LatencyRow(r.report, "login", "");
  CHECK(login.at("runs").at("baseline").get<int>() >= 5);
  CHECK(login.at("runs").at("candidate") == 6);
  CHECK(LatencyRow(r.report, "sales_order_confirmation", "confirm").at("verdict") == "pass");
  // What the history cannot tell is said, not passed.
  const std::string left_out = r.report.at("left_out").dump();
  CHECK(Contains(left_out, "sales_order_confirmation: field parity"));
  CHECK(Contains(left_out, "modules: the history does not keep it"));
  for (const auto& f : r.report.at("fingerprint")) {
    if (f.at("item") == "server_version") CHECK(f.at("status") == "same");  // 17 and 17
    if (f.at("item") == "currency") CHECK(f.at("status") == "not_compared");
  }
  CHECK(Contains(r.out, "NOT CHECKED"));
  std::ifstream html(o.html_file);
  std::stringstream page;
  page << html.rdbuf();
  CHECK(Contains(page.str(), "(runs from the history)"));
  CHECK(Contains(page.str(), "<svg"));
}

TEST_CASE("compare: 16.0 over /jsonrpc against 19.0 over JSON-2", "[compare]") {
  auto v16 = testing::Personality("16.0");
  v16.work_orders = true;
  auto v19 = testing::Personality("19.0");
  v19.api_key = "k3y-for-json2";
  RunningEmulator old_env(v16), new_env(v19);
  TempDir dir;
  dir.Write("key", "k3y-for-json2\n");
  dir.Write("secret", "admin\n");
  std::ostringstream y;
  y << "version: 1\ntargets:\n  - {name: old, url: \"" << old_env.http_url()
    << "\", database: probe, protocol: jsonrpc, login: admin, password_file: secret}\n"
    << "  - {name: new, url: \"" << new_env.http_url()
    << "\", database: probe, protocol: json2, login: admin, api_key_file: key}\n"
    << "journeys:\n  - name: login\n  - name: goods_receipt\n  - name: work_order_release\n"
    << "compare: {expect_different: [server_version]}\n";
  CompareOptions o;
  o.runs = 5;
  o.seed = 2;
  const auto r = Compare(dir, dir.Write("prober.yaml", y.str()), o);
  INFO(r.out << r.err);
  REQUIRE(r.report.is_object());
  for (const auto& p : r.report.at("parity")) {
    if (p.at("check") == "outcomes") CHECK(p.at("candidate") == "5/5 ok");
    if (p.at("check") == "outcomes") CHECK(p.at("baseline") == "5/5 ok");
    if (p.value("field", "") == "state") CHECK(p.at("status") == "same");
  }
  std::map<std::string, json> fingerprint;
  for (const auto& f : r.report.at("fingerprint")) fingerprint[f.at("item")] = f;
  CHECK(fingerprint.count("fingerprint") == 0);  // read on both sides
  CHECK(fingerprint["server_version"].at("status") == "expected");
  CHECK(fingerprint["modules"].at("status") == "same");
  CHECK(fingerprint["modules"].at("candidate") == "11 installed");
  CHECK(fingerprint["currency"].at("candidate") == "USD");
  // Two protocols: the latency is not judged, and the protocol row says why.
  CHECK(fingerprint["protocol"].at("baseline") == "jsonrpc");
  CHECK(fingerprint["protocol"].at("candidate") == "json2");
  CHECK(fingerprint["protocol"].at("status") == "different");
  for (const auto& row : r.report.at("latency")) CHECK(row.at("verdict") == "not comparable");
  CHECK(r.report.at("verdict") == "fingerprint difference; latency not comparable");
  CHECK(r.exit_code == 1);
  CHECK(old_env.emulator().OpenRecordsTagged("probe-") == json::array());
  CHECK(new_env.emulator().OpenRecordsTagged("probe-") == json::array());
}

TEST_CASE("compare: web against /jsonrpc is judged only when the config allows it", "[compare]") {
  RunningEmulator old_env, new_env;
  TempDir dir;
  auto run = [&](const std::string& compare) {
    CompareOptions o;
    o.runs = 5;
    o.seed = 3;
    return Compare(
        dir,
        WriteConfig(dir, old_env, new_env, "journeys:\n  - name: login\n" + compare, "", "web"), o);
  };
  const auto refused = run("");
  INFO(refused.out << refused.err);
  REQUIRE(refused.report.is_object());
  CHECK(Contains(refused.out, "protocol"));
  CHECK(Contains(refused.out, "jsonrpc"));
  for (const auto& row : refused.report.at("latency")) {
    CHECK(row.at("verdict") == "not comparable");
    CHECK(Contains(row.at("why").get<std::string>(),
                   "the baseline spoke jsonrpc, the candidate web"));
  }
  const auto allowed = run("compare: {allow_protocol_change: true}\n");
  INFO(allowed.out << allowed.err);
  REQUIRE(allowed.report.is_object());
  for (const auto& row : allowed.report.at("latency")) CHECK(row.at("verdict") != "not comparable");
  for (const auto& f : allowed.report.at("fingerprint")) {
    if (f.at("item") != "protocol") continue;
    CHECK(f.at("status") == "expected");
    CHECK(Contains(f.at("detail").get<std::string>(), "compare.allow_protocol_change"));
  }
}

TEST_CASE("compare: the TLS chains' issuer and key are compared, their expiry shown", "[compare]") {
  RunningEmulator env;
  TempDir dir;
  dir.Write("secret", "admin\n");
  std::ostringstream y;
  y << "version: 1\ntargets:\n";
  // The same server twice: once with the trusted chain, once with a self-signed certificate.
  for (auto [name, url] : {std::pair{"old", env.https_url()}, {"new", env.untrusted_https_url()}}) {
    y << "  - {name: " << name << ", url: \"" << url
      << "\", database: probe, login: admin, password_file: secret, tls: {ca_file: \""
      << env.pki().ca_cert << "\"}}\n";
  }
  y << "journeys:\n  - name: login\n";
  CompareOptions o;
  o.runs = 1;
  o.seed = 1;
  const auto r = Compare(dir, dir.Write("prober.yaml", y.str()), o);
  INFO(r.out << r.err);
  CHECK(r.exit_code == kExitJourneyFailed);
  std::map<std::string, json> fingerprint;
  for (const auto& f : r.report.at("fingerprint")) fingerprint[f.at("item")] = f;
  const json& issuer = fingerprint["tls_issuer"];
  CHECK(issuer.at("status") == "different");
  CHECK(Contains(issuer.at("candidate").get<std::string>(), "(untrusted)"));
  CHECK_FALSE(Contains(issuer.at("baseline").get<std::string>(), "(untrusted)"));
  CHECK_FALSE(fingerprint["tls_key"].at("baseline").get<std::string>().empty());
  CHECK(fingerprint["tls_expiry"].at("status") == "not_compared");
  CHECK(fingerprint["tls_expiry"].at("baseline").get<std::string>().size() == 10);  // a date
  // The untrusted side cannot be logged in to: said, not passed.
  CHECK(Contains(fingerprint["fingerprint"].at("detail").get<std::string>(), "candidate:"));
}

TEST_CASE("compare: rounds start --interval apart, however fast the sides answer", "[compare]") {
  RunningEmulator old_env, new_env;
  TempDir dir;
  const auto config = WriteConfig(dir, old_env, new_env, "journeys:\n  - name: login\n",
                                  "results: {jsonl: results.jsonl}\n");
  CompareOptions o;
  o.config_path = config;
  o.baseline = "old";
  o.candidate = "new";
  o.runs = 3;
  o.seed = 1;
  o.round_interval = 300ms;
  std::ostringstream out, err;
  REQUIRE(RunCompare(o, out, err) != kExitUsage);
  std::ifstream jsonl(dir.path() + "/results.jsonl");
  std::stringstream lines;
  lines << jsonl.rdbuf();
  std::vector<std::string> started;  // ISO 8601 with microseconds: sorts as time
  for (const auto& line : testing::JourneyResultLines(lines.str()))
    if (line.at("labels").at("env") == "baseline") started.push_back(line.at("started_at"));
  REQUIRE(started.size() == 3);
  std::sort(started.begin(), started.end());
  auto seconds = [](const std::string& iso) {  // within one minute is all this test needs
    return std::stod(iso.substr(17, iso.size() - 18)) + 60 * std::stoi(iso.substr(14, 2));
  };
  for (size_t i = 1; i < started.size(); ++i) {
    INFO(started[i - 1] << " then " << started[i]);
    double gap = seconds(started[i]) - seconds(started[i - 1]);
    if (gap < 0) gap += 3600;
    CHECK(gap >= 0.3 - 0.05);  // a run starts within a round, after its start
  }
}

TEST_CASE("compare: a journey configured twice is two probes, each compared by its id",
          "[compare]") {
  RunningEmulator old_env, new_env;
  TempDir dir;
  const auto config = WriteConfig(
      dir, old_env, new_env,
      "journeys:\n  - name: login\n  - name: sales_order_confirmation\n"
      "  - {name: sales_order_confirmation, id: sales_order_five, params: {quantity: 5}}\n");
  CompareOptions o;
  o.runs = 5;
  o.seed = 1;
  const auto r = Compare(dir, config, o);
  INFO(r.out << r.err);
  CHECK(r.report.at("journeys") ==
        json::array({"login", "sales_order_confirmation", "sales_order_five"}));
  CHECK(LatencyRow(r.report, "sales_order_confirmation", "").at("runs").at("candidate") == 5);
  CHECK(LatencyRow(r.report, "sales_order_five", "").at("runs").at("candidate") == 5);
}

TEST_CASE("compare: usage errors exit 2 and say what to fix", "[compare]") {
  RunningEmulator old_env, new_env;
  TempDir dir;
  const auto config = WriteConfig(dir, old_env, new_env, "journeys:\n  - name: login\n");
  auto usage = [&](CompareOptions o) {
    o.config_path = config;
    std::ostringstream out, err;
    const int rc = RunCompare(o, out, err);
    CHECK(rc == kExitUsage);
    CHECK(out.str().empty());  // nothing ran
    return err.str();
  };
  CompareOptions o;
  o.baseline = "old";
  o.candidate = "nope";
  CHECK(Contains(usage(o), "--candidate nope: no such target"));
  o.candidate = "old";
  CHECK(Contains(usage(o), "name the same target"));
  o.candidate = "new";
  o.baseline = "";
  CHECK(Contains(usage(o), "--baseline TARGET is required"));
  o.baseline_history = dir.path() + "/none.db";
  CHECK(Contains(usage(o), "--baseline-history and --baseline-target go together"));
  o.baseline_target = "old";
  CHECK(Contains(usage(o), "none.db: cannot open the results history"));
  o.baseline_history.clear();
  o.baseline_target.clear();
  o.baseline = "old";
  o.journeys = {"nope"};
  CHECK(Contains(usage(o), "--journey nope: no such journey"));

  const auto bad = WriteConfig(
      dir, old_env, new_env,
      "journeys:\n  - name: login\ncompare:\n  latency_budget: 0.8\n  expect_different: "
      "[server_versoin]\n");
  const auto r = testing::RunProber({"compare", bad, "--baseline", "old", "--candidate", "new"});
  CHECK(r.exit_code == 2);
  CHECK(Contains(r.err, "prober.yaml:"));
  CHECK(Contains(r.err, "compare.latency_budget: must be a ratio"));
  CHECK(Contains(r.err, "did you mean 'server_version'?"));
}

}  // namespace
}  // namespace odoo_prober::runners
