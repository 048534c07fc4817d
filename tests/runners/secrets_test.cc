// The secrets canary: a planted password, API key and every session cookie the emulator issued
// must never appear in anything the prober writes, whichever command and sink: logs at trace
// level, JSON lines, the SQLite history, /metrics, /status, reports, JUnit, and the error
// messages of a refused login and of a config that puts a secret inline.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/runners/prober_process.h"
#include "tests/support/emulator_support.h"

namespace odoo_prober {
namespace {

using testing::BackgroundProcess;
using testing::RunningEmulator;
using testing::TempDir;
using namespace std::chrono_literals;

constexpr const char* kPassword = "canary-PW-3c9e1f07";
constexpr const char* kApiKey = "canary-KEY-77d0b2e4";
constexpr const char* kWrongPassword = "canary-WRONG-5a61d8";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

using testing::HttpGet;

TEST_CASE("secrets canary: no password, API key or session cookie in any output or sink",
          "[cli][secrets]") {
  emulator::EmulatorOptions options = testing::Personality("17.0", kPassword);
  options.api_key = kApiKey;
  RunningEmulator emu(options);
  TempDir dir;
  dir.Write("password", std::string(kPassword) + "\n");
  dir.Write("api_key", std::string(kApiKey) + "\n");
  dir.Write("wrong", std::string(kWrongPassword) + "\n");
  const std::string down = "https://127.0.0.1:" + std::to_string(testing::UnusedPort());
  std::ostringstream y;
  y << "version: 1\ninstance: canary\nadmin: {listen: \"127.0.0.1:0\"}\n"
    << "results: {jsonl: results.jsonl, sqlite: history.db}\ntargets:\n";
  auto target = [&](const std::string& name, const std::string& url, const std::string& protocol,
                    const std::string& credential) {
    y << "  - {name: " << name << ", url: \"" << url << "\", database: probe, login: admin, "
      << "protocol: " << protocol << ", " << credential << ", timeout: 3s, tls: {ca_file: \""
      << emu.pki().ca_cert << "\"}, labels: {region: eu, plant: lyon}}\n";
  };
  target("web", emu.https_url(), "web", "password_file: password");  // session cookies
  target("rpc", emu.https_url(), "jsonrpc", "api_key_file: api_key");
  target("wrong", emu.https_url(), "web", "password_file: wrong");  // a refused login
  target("down", down, "jsonrpc", "password_file: password");
  y << "journeys:\n  - {name: login, interval: 30s, timeout: 10s}\n"
    << "  - {name: sales_order_confirmation, interval: 30s, timeout: 20s, targets: [web, rpc]}\n";
  const std::string config = dir.Write("prober.yaml", y.str());

  // What each command and sink produced, by where it came from.
  std::vector<std::pair<std::string, std::string>> produced;
  auto command = [&](const std::string& what, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"--log-level", "trace"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = testing::RunProber(argv);
    produced.push_back({what + " stdout", r.out});
    produced.push_back({what + " stderr", r.err});
    return r;
  };
  command("validate", {"validate", config});
  auto once = command("once json", {"once", config, "--output", "json", "--junit",
                                    dir.path() + "/once.xml", "--json", dir.path() + "/once.json"});
  CHECK(once.exit_code == 1);  // wrong and down fail, the others pass
  CHECK(testing::JourneyResultLines(once.out).size() == 6);
  command("once table", {"once", config});
  command("compare",
          {"compare", config, "--baseline", "web", "--candidate", "rpc", "--runs", "2",
           "--interval", "0s", "--journey", "login", "--json", dir.path() + "/compare.json",
           "--junit", dir.path() + "/compare.xml", "--html", dir.path() + "/compare.html"});

  {
    BackgroundProcess daemon({ODOO_PROBER_BIN, "--log-level", "trace", "run", config}, {},
                             BackgroundProcess::Stderr::kCaptured);
    const std::string line = daemon.WaitForLine("listening on http://");
    REQUIRE_FALSE(line.empty());
    const auto at = line.find("http://");
    const std::string url = line.substr(at, line.find(' ', at) - at);
    REQUIRE(testing::Eventually(
        [&] {
          return testing::JourneyResultLines(ReadAll(dir.path() + "/results.jsonl")).size() >= 6;
        },
        30s));
    for (const char* path : {"/metrics", "/status", "/status/pair?journey=login&target=web",
                             "/status/pair?journey=login&target=wrong", "/readyz", "/healthz"}) {
      produced.push_back({std::string("GET ") + path, HttpGet(url + path)});
    }
    CHECK(daemon.Stop() == 0);
    produced.push_back({"run log", daemon.output()});
  }
  for (const char* format : {"table", "json", "csv", "html"}) {
    command(std::string("report ") + format,
            {"report", config, "--window", "1d", "--format", format});
  }
  // A config that puts the password inline, and a refused secret file: the errors.
  auto inline_secret = command(
      "inline secret",
      {"validate", dir.Write("inline.yaml", ReadAll(config) + "password: " + kPassword + "\n")});
  CHECK(inline_secret.exit_code == 2);

  for (const char* file : {"results.jsonl", "history.db", "history.db-wal", "once.xml", "once.json",
                           "compare.json", "compare.xml", "compare.html"}) {
    const std::string path = dir.path() + "/" + file;
    if (std::filesystem::exists(path)) produced.push_back({file, ReadAll(path)});
  }

  std::vector<std::string> secrets = {kPassword, kApiKey, kWrongPassword};
  const auto sessions = emu.emulator().SessionIds();
  CHECK(sessions.size() >= 2);  // the web target logged in, in once, compare and run
  secrets.insert(secrets.end(), sessions.begin(), sessions.end());
  size_t bytes = 0;
  for (const auto& [where, text] : produced) {
    bytes += text.size();
    for (const auto& secret : secrets) {
      INFO(where << " must not contain " << secret.substr(0, 10) << "...");
      CHECK(text.find(secret) == std::string::npos);
    }
  }
  // The canary looked at real output: the runs, the history and the pages are there.
  CHECK(bytes > 100000);
  CHECK(produced.size() > 30);
}

}  // namespace
}  // namespace odoo_prober
