// The odoo-prober executable, run as a user would, against the emulator over HTTPS.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "results/sqlite_sink.h"
#include "tests/runners/prober_process.h"
#include "tests/support/emulator_support.h"

namespace odoo_prober {
namespace {

using nlohmann::json;
using testing::Contains;
using testing::ProcessResult;
using testing::RunningEmulator;
using testing::TempDir;

constexpr const char* kPlanted = "pw-planted-7f3a9c51";

ProcessResult Prober(const std::vector<std::string>& args) {
  return testing::RunProber(args, {{"PLANTED_ENV_PW", kPlanted}});
}

// A config with one target per entry of `targets` (name -> url), the secret in a file.
std::string WriteConfig(const TempDir& dir, const RunningEmulator& emu,
                        const std::vector<std::pair<std::string, std::string>>& targets,
                        const std::string& protocol = "jsonrpc",
                        const std::string& secret = kPlanted) {
  dir.Write("secret", std::string(secret) + "\n", 0600);
  std::ostringstream y;
  y << "version: 1\ntargets:\n";
  for (const auto& [name, url] : targets) {
    y << "  - name: " << name << "\n    url: " << url << "\n    database: probe\n"
      << "    protocol: " << protocol << "\n    login: admin\n    password_file: secret\n"
      << "    timeout: 3s\n    tls:\n      ca_file: " << emu.pki().ca_cert << "\n"
      << "    labels: {region: eu-west, plant: lyon}\n";
  }
  y << "journeys:\n  - name: login\n";
  return dir.Write("prober.yaml", y.str());
}

TEST_CASE("version, help and usage errors", "[cli]") {
  auto v = Prober({"version"});
  CHECK(v.exit_code == 0);
  CHECK(Contains(v.out, "odoo-prober 0."));
  for (const char* sub : {"once", "validate", "version", "compare"}) {
    auto h = Prober({sub, "--help"});
    CHECK(h.exit_code == 0);
    CHECK(Contains(h.out, "2  usage or configuration error"));
  }
  CHECK(Prober({}).exit_code == 2);
  CHECK(Prober({"frobnicate"}).exit_code == 2);
  CHECK(Prober({"once"}).exit_code == 2);  // CONFIG is required
  CHECK(Prober({"once", "x.yaml", "--output", "xml"}).exit_code == 2);
}

TEST_CASE("report: the history's SLIs as a table, JSON, CSV or HTML, exit 2 without a history",
          "[cli]") {
  RunningEmulator emu;
  TempDir dir;
  const std::string plain = WriteConfig(dir, emu, {{"lyon", emu.https_url()}});
  auto none = Prober({"report", plain});
  CHECK(none.exit_code == 2);
  CHECK(Contains(none.err, "results.sqlite is not set"));
  std::string text;
  {
    std::ifstream in(plain);
    std::stringstream s;
    s << in.rdbuf();
    text = s.str();
  }
  const std::string config =
      dir.Write("with-history.yaml", "results: {sqlite: history.db}\n" + text);
  {
    auto sink = results::CreateSqliteSink({dir.path() + "/history.db", 3650});
    REQUIRE(sink.ok());
    const auto noon = std::chrono::system_clock::from_time_t(1795089600);  // 2026-11-19T12:00Z
    for (int i = 0; i < 2; ++i) {
      results::JourneyResult r;
      r.run_id = i == 0 ? "r1" : "r2";
      r.journey = "login";
      r.service = "access";
      r.target = "lyon";
      r.labels = {"eu-west", "lyon", ""};
      r.started_at = noon + std::chrono::minutes(i);
      r.duration_us = 400000;
      r.outcome = i == 0 ? prober::Outcome::kOk : prober::Outcome::kAuth;
      r.failed_step = i == 0 ? "" : "authenticate";
      REQUIRE((*sink)->Write(r).ok());
    }
  }
  auto j = Prober({"report", config, "--since", "2026-11-19", "--until", "2026-11-20T00:00:00Z",
                   "--format", "json"});
  INFO(j.out << j.err);
  REQUIRE(j.exit_code == 0);
  const json report = json::parse(j.out);
  REQUIRE(report["pairs"].size() == 1);
  CHECK(report["pairs"][0]["runs"] == 2);
  CHECK(report["pairs"][0]["availability"] == 0.5);
  CHECK(report["pairs"][0]["top_failure_reasons"][0]["reason"] == "auth");
  CHECK(report["services"][0]["service"] == "access");
  auto csv = Prober(
      {"report", config, "--since", "2026-11-19", "--until", "2026-11-20", "--format", "csv"});
  CHECK(csv.exit_code == 0);
  CHECK(csv.out.rfind("journey,service,target,", 0) == 0);
  auto html = Prober(
      {"report", config, "--since", "2026-11-19", "--until", "2026-11-20", "--format", "html"});
  CHECK(html.exit_code == 0);
  CHECK(html.out.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(Contains(html.out, "availability over time: login at lyon"));
  CHECK(Prober({"report", config, "--format", "pdf"}).exit_code == 2);
  auto table = Prober({"report", config, "--window", "1000d"});
  CHECK(table.exit_code == 0);
  CHECK(Contains(table.out, "login"));
  // Without --window, the objectives' window: 28 days before 2026-11-30 hold both runs (of
  // 2026-11-19), 7 days none.
  const std::string short_window =
      dir.Write("short.yaml", "objectives: {window: 7d}\nresults: {sqlite: history.db}\n" + text);
  auto month = Prober({"report", config, "--until", "2026-11-30T00:00:00Z", "--format", "csv"});
  CHECK(Contains(month.out, "\"login\",\"access\",\"lyon\",\"eu-west\",\"lyon\",2,1,"));
  auto hours =
      Prober({"report", short_window, "--until", "2026-11-30T00:00:00Z", "--format", "csv"});
  CHECK(hours.exit_code == 0);
  CHECK_FALSE(Contains(hours.out, "\"login\""));
  auto bad = Prober({"report", config, "--since", "yesterday"});
  CHECK(bad.exit_code == 2);
  CHECK(Contains(bad.err, "--since yesterday: not a UTC time; write 2026-11-01"));
  // Days and times that do not exist are refused, named, never carried over to the next.
  for (const auto& [option, value] : {std::pair<std::string, std::string>{"--since", "2026-02-30"},
                                      {"--until", "2026-11-20T25:00:00Z"},
                                      {"--since", "2026-13-01"},
                                      {"--until", "2026-11-20T12:60:00Z"}}) {
    auto wrong = Prober({"report", config, option, value});
    INFO(option << " " << value << ": " << wrong.err);
    CHECK(wrong.exit_code == 2);
    CHECK(Contains(wrong.err, option + " " + value + ": no such UTC date or time"));
  }
  CHECK(Prober({"report", config, "--since", "2028-02-29", "--until", "2028-03-01"}).exit_code ==
        0);  // a leap day is a day
}

TEST_CASE("validate: 0 for a good config, 2 with positions for a bad one", "[cli]") {
  RunningEmulator emu;
  TempDir dir;
  const auto path = WriteConfig(dir, emu, {{"lyon", emu.https_url()}});
  auto ok = Prober({"validate", path});
  CHECK(ok.exit_code == 0);
  CHECK(Contains(ok.out, "login on lyon"));

  const auto bad = dir.Write("bad.yaml",
                             "version: 1\ntargets:\n  - name: a\n    url: https://x\n"
                             "    database: d\n    login: l\n    password: inline\n"
                             "journeys:\n  - name: logn\n");
  auto r = Prober({"validate", bad});
  CHECK(r.exit_code == 2);
  CHECK(Contains(r.err, bad + ":7:5: targets[0].password: inline secrets are not allowed"));
  // Every problem at once: the journey's name is checked though the target had an error.
  CHECK(Contains(r.err, bad + ":9:11: journeys[0].name: no journey is named 'logn'"));

  // An unknown target in one entry hides none of the others' problems, and they come in the
  // file's order.
  const auto many = dir.Write("many.yaml",
                              "version: 1\ntargets:\n  - name: a\n    url: https://x\n"
                              "    database: d\n    login: l\n    password_env: PLANTED_ENV_PW\n"
                              "journeys:\n"
                              "  - name: login\n    targets: [nope]\n"          // 9-10
                              "  - name: no_such_journey\n"                     // 11
                              "  - name: sales_order_confirmation\n"            // 12
                              "    params: {unknown_param: 1}\n"                // 13
                              "  - name: goods_receipt\n    timeout: banana\n"  // 14-15
                              "    params: {receive_quantity: many}\n");        // 16
  auto m = Prober({"validate", many});
  CHECK(m.exit_code == 2);
  const std::vector<std::string> expected = {
      many + ":10:15: journeys[0].targets[0]: no target is named 'nope'",
      many + ":11:11: journeys[1].name: no journey is named 'no_such_journey'",
      many +
          ":12:11: journeys[2].params.unknown_param: journey sales_order_confirmation has "
          "no parameter",
      many + ":14:11: journeys[3].params.receive_quantity: must be of type number",
      many + ":15:14: journeys[3].timeout: is not a duration"};
  size_t at = 0;
  for (const auto& e : expected) {
    INFO(m.err);
    const size_t found = m.err.find(e, at);
    REQUIRE(found != std::string::npos);
    at = found + e.size();
  }

  const auto unknown =
      dir.Write("unknown.yaml",
                "version: 1\ntargets:\n  - name: a\n    url: https://x\n    database: d\n"
                "    login: l\n    password_env: PLANTED_ENV_PW\njourneys:\n  - name: logn\n");
  auto u = Prober({"validate", unknown});
  CHECK(u.exit_code == 2);
  CHECK(Contains(u.err, unknown + ":9:11: journeys[0].name: no journey is named 'logn'"));
  CHECK(Prober({"validate", dir.path() + "/missing.yaml"}).exit_code == 2);
}

// The README's validate example, run as written (the build's binary in place of ./build's).
TEST_CASE("the README's validate example of the shipped config exits 0", "[cli]") {
  const std::string src = ODOO_PROBER_SOURCE_DIR;
  std::ifstream readme(std::filesystem::path(src) / "README.md");
  std::string line, command;
  while (std::getline(readme, line)) {
    if (Contains(line, "odoo-prober validate config/examples/prober.yaml")) {
      command = line;
      break;
    }
  }
  REQUIRE_FALSE(command.empty());
  std::istringstream words(command);
  std::map<std::string, std::string> env;
  std::vector<std::string> args;
  for (std::string w; words >> w;) {
    const auto eq = w.find('=');
    if (args.empty() && eq != std::string::npos && w.find('/') == std::string::npos) {
      env[w.substr(0, eq)] = w.substr(eq + 1);
    } else if (args.empty()) {
      REQUIRE(w == "./build/runners/odoo-prober");
      args.push_back(ODOO_PROBER_BIN);
    } else {
      args.push_back(w.find('/') != std::string::npos ? src + "/" + w : w);
    }
  }
  const auto r = testing::RunProcess(args, env);
  INFO(command << "\n" << r.err);
  CHECK(r.exit_code == 0);
  CHECK(Contains(r.out, "on lyon-prod"));
}

TEST_CASE("once: the login journey end to end over HTTPS", "[cli]") {
  RunningEmulator emu(testing::Personality("17.0", kPlanted));
  TempDir dir;
  const std::string protocol = GENERATE("jsonrpc", "web", "auto");
  const auto path = WriteConfig(dir, emu, {{"lyon", emu.https_url()}}, protocol);

  SECTION("table") {
    auto r = Prober({"once", path});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(Contains(r.out, "JOURNEY"));
    CHECK(Contains(r.out, "FIRST BYTE"));
    CHECK(Contains(r.out, "login"));
    CHECK(Contains(r.out, "  read_user"));
    CHECK(Contains(r.out, "Odoo 17"));
  }
  SECTION("json lines") {
    auto r = Prober({"once", path, "--output", "json"});
    CHECK(r.exit_code == 0);
    auto lines = testing::JourneyResultLines(r.out);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0]["outcome"] == "ok");
    CHECK(lines[0]["journey"] == "login");
    CHECK(lines[0]["target"] == "lyon");
    CHECK(lines[0]["labels"]["plant"] == "lyon");
    CHECK(lines[0]["server_major"] == 17);
    CHECK(lines[0]["timings"]["tls_seconds"].get<double>() > 0);
    REQUIRE(lines[0]["steps"].size() == 2);
    CHECK(lines[0]["steps"][1]["name"] == "read_user");
  }
}

TEST_CASE("region: the region's plants only, stamped with region, plant, instance, egress",
          "[cli]") {
  RunningEmulator emu(testing::Personality("17.0", kPlanted));
  TempDir dir;
  const auto path = WriteConfig(dir, emu,
                                {{"lyon-prod", emu.https_url()},
                                 {"porto-prod", emu.https_url()},
                                 {"us-prod", emu.https_url()}});
  std::filesystem::create_directory(dir.path() + "/regions");
  dir.Write("regions/eu-west.yaml",
            "version: 1\nname: eu-west\nlabels: {cloud: ovh, country: fr}\nreplicas: 2\n"
            "plants:\n  - {name: lyon, target: lyon-prod}\n  - {name: porto, target: "
            "porto-prod}\n");

  auto v =
      testing::RunProber({"validate", path, "--region", "eu-west", "--instance", "pr-eu-1"}, {});
  INFO(v.err);
  CHECK(v.exit_code == 0);
  CHECK(Contains(v.out, "instance pr-eu-1 in region eu-west"));
  CHECK(Contains(v.out, "cloud ovh, country fr; replica 1 of 2"));
  CHECK(Contains(v.out, "login on lyon-prod (plant lyon, every 60 s;"));
  CHECK(Contains(v.out, "login on porto-prod (plant porto,"));
  CHECK_FALSE(Contains(v.out, "us-prod"));

  // The region and instance from the environment, as a container gets them.
  auto r =
      testing::RunProber({"once", path, "--output", "json"},
                         {{"ODOO_PROBER_REGION", "eu-west"}, {"ODOO_PROBER_INSTANCE", "pr-eu-0"}});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  auto lines = testing::JourneyResultLines(r.out);
  REQUIRE(lines.size() == 2);
  const std::string port = emu.https_url().substr(emu.https_url().rfind(':'));
  for (const auto& line : lines) {
    INFO(line.dump());
    CHECK(line["labels"]["region"] == "eu-west");
    CHECK(line["instance"] == "pr-eu-0");
    REQUIRE(line["egress"].size() >= 1);
    const std::string local = line["egress"][0]["local"], server = line["egress"][0]["server"];
    CHECK((local.rfind("127.0.0.1:", 0) == 0 || local.rfind("[::1]:", 0) == 0));
    CHECK(server.size() > port.size());
    CHECK(server.substr(server.size() - port.size()) == port);
    CHECK(line["steps"][0]["connection"]["server"] == server);
  }
  CHECK(lines[0]["labels"]["plant"] != lines[1]["labels"]["plant"]);

  auto nowhere = testing::RunProber({"once", path, "--region", "us-east"}, {});
  CHECK(nowhere.exit_code == 2);
  CHECK(Contains(nowhere.err, "regions/us-east.yaml"));
  CHECK(Contains(nowhere.err, "known regions: eu-west"));
  CHECK(testing::RunProber({"once", path, "--instance", "no spaces"}, {}).exit_code == 2);
}

TEST_CASE("once: exit 1 when a journey fails, with the reason", "[cli]") {
  RunningEmulator emu(testing::Personality("18.0", kPlanted));
  TempDir dir;
  SECTION("wrong password") {
    const auto path = WriteConfig(dir, emu, {{"lyon", emu.https_url()}}, "web", "not-the-password");
    auto r = Prober({"once", path, "--output", "json"});
    CHECK(r.exit_code == 1);
    auto lines = testing::JourneyResultLines(r.out);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0]["outcome"] == "auth");
    CHECK(lines[0]["failed_step"] == "authenticate");
    CHECK(lines[0]["steps"][0]["odoo_error"] == "odoo.exceptions.AccessDenied");
  }
  SECTION("one good and one unreachable target") {
    const std::string down = "https://127.0.0.1:" + std::to_string(testing::UnusedPort());
    const auto path = WriteConfig(dir, emu, {{"good", emu.https_url()}, {"down", down}});
    auto r = Prober({"once", path, "--output", "json"});
    CHECK(r.exit_code == 1);
    auto lines = testing::JourneyResultLines(r.out);
    REQUIRE(lines.size() == 2);
    std::map<std::string, std::string> outcome;  // journeys run concurrently: any order
    for (const auto& l : lines) outcome[l["target"]] = l["outcome"];
    CHECK(outcome["good"] == "ok");
    CHECK(outcome["down"] == "transport");
    // --target narrows the run to the good one.
    CHECK(Prober({"once", path, "--target", "good"}).exit_code == 0);
    CHECK(Prober({"once", path, "--target", "nope"}).exit_code == 2);
    CHECK(Prober({"once", path, "--journey", "nope"}).exit_code == 2);
  }
  SECTION("untrusted certificate") {
    const auto path = WriteConfig(dir, emu, {{"rogue", emu.untrusted_https_url()}});
    auto r = Prober({"once", path, "--output", "json"});
    CHECK(r.exit_code == 1);
    CHECK(testing::JourneyResultLines(r.out).at(0)["outcome"] == "tls");
  }
}

TEST_CASE("a planted password never reaches stdout, stderr or logs", "[cli][secrets]") {
  RunningEmulator emu(testing::Personality("17.0", kPlanted));
  TempDir dir;
  const std::string down = "https://127.0.0.1:" + std::to_string(testing::UnusedPort());
  std::vector<ProcessResult> runs;
  for (const char* protocol : {"jsonrpc", "web"}) {
    const auto good = WriteConfig(
        dir, emu, {{"good", emu.https_url()}, {"down", down}, {"rogue", emu.untrusted_https_url()}},
        protocol);
    for (const char* output : {"table", "json"}) {
      runs.push_back(Prober({"--log-level", "trace", "once", good, "--output", output}));
      runs.push_back(Prober({"--log-level", "trace", "validate", good}));
    }
  }
  // The planted value as a wrong password, and in an environment variable of a bad config.
  const auto wrong =
      WriteConfig(dir, emu, {{"good", emu.https_url()}}, "web", std::string(kPlanted) + "x");
  runs.push_back(Prober({"--log-level", "trace", "once", wrong}));
  const auto bad = dir.Write("bad.yaml",
                             "version: 1\ntargets:\n  - name: a\n    url: ftp://x\n"
                             "    password_env: PLANTED_ENV_PW\njourneys: [{name: login}]\n");
  runs.push_back(Prober({"--log-level", "trace", "validate", bad}));
  REQUIRE(runs.size() == 10);
  for (const auto& r : runs) {
    CHECK_FALSE(Contains(r.out, kPlanted));
    CHECK_FALSE(Contains(r.err, kPlanted));
  }
  CHECK(runs[0].exit_code == 1);  // good ok, down and rogue failed
  CHECK(Contains(runs[0].err, "trace") == false);
}

}  // namespace
}  // namespace odoo_prober

namespace odoo_prober {
namespace {

TEST_CASE("validate lists the dependency checks this instance would run", "[cli][dependencies]") {
  TempDir dir;
  dir.Write("token", "tok-9b1c2d\n", 0600);
  const auto path = dir.Write(
      "prober.yaml",
      "version: 1\ntargets:\n"
      "  - {name: lyon, url: https://lyon.example, database: d, login: l, password_env: "
      "PLANTED_ENV_PW, labels: {region: eu-west, plant: lyon}}\n"
      "journeys:\n  - name: login\n"
      "dependencies:\n"
      "  - {name: idp, kind: http, url: https://idp.example/health, used_by: [access], "
      "headers: [{name: Authorization, prefix: 'Bearer ', value_file: token}], interval: 30s}\n"
      "  - {name: vpn, kind: tcp, host: 10.0.0.1, port: 443, used_by: [manufacturing], "
      "severity: ticket, plants: [lyon]}\n"
      "  - {name: porto-wms, kind: dns, host: wms.porto.example, used_by: [manufacturing], "
      "plants: [porto]}\n");
  auto r = Prober({"validate", path});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(Contains(r.out,
                 "2 dependency check(s) (1 of the config's are for other targets, plants "
                 "or regions)\n"));
  CHECK(Contains(r.out,
                 "  idp (http): GET https://idp.example/health expecting 2xx, headers "
                 "Authorization, every 30s, timeout 5s; used by access; pages when down "
                 "(region eu-west)\n"));
  CHECK(Contains(r.out,
                 "  vpn (tcp): connect 10.0.0.1:443, every 1m, timeout 5s; used by "
                 "manufacturing; tickets when down (region eu-west)\n"));
  CHECK_FALSE(Contains(r.out, "porto-wms"));
  CHECK_FALSE(Contains(r.out + r.err, "tok-9b1c2d"));
}

}  // namespace
}  // namespace odoo_prober
