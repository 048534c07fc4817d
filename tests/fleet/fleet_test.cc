// The probe fleet for real: three regions as network namespaces, each with its own address and
// one odoo-prober started with --region; one emulator (the ERP) whose latency depends on the
// caller's address (5, 40 and 120 ms); a real Prometheus scraping the three probers with the
// shipped rules loaded. Through Prometheus's HTTP API: each region's latency shows its delay;
// cutting one region's path fails only that region's journeys and raises the regional alert,
// not the quorum alert; stopping the ERP raises the quorum alert.
//
// The rules are loaded with their windows shortened (5m -> 10s, `for: 3m` -> `for: 2s`, ...):
// the same expressions, on a timescale a test can wait for.
//
// Needs root (network namespaces, addresses); elsewhere it says so and is skipped.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "tests/support/support.h"

namespace odoo_prober {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using testing::Contains;
using testing::Eventually;

const char* kIp = "/usr/sbin/ip";

bool Ip(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {kIp};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = testing::RunProcess(argv, {}, 10s);
  if (r.exit_code != 0) UNSCOPED_INFO("ip " << args[0] << " ...: " << r.err);
  return r.exit_code == 0;
}

// Three namespaces r1..r3 joined to this one by veth pairs: region n is 10.X.n.2 behind
// gateway 10.X.n.1; the ERP answers on 10.X.0.1 (on lo). X comes from the pid, so two runs of
// this test (two builds) do not collide. Removed on destruction.
class Regions {
 public:
  Regions() : net_(200 + getpid() % 50), tag_("odpf" + std::to_string(getpid() % 100000)) {}
  ~Regions() {
    for (int n = 1; n <= 3; ++n) Ip({"netns", "del", Ns(n)});  // takes the veth pairs along
    if (erp_added_) Ip({"addr", "del", Erp() + "/32", "dev", "lo"});
  }
  // Creates them; false (with the reason logged) where this machine does not allow it.
  bool Create() {
    for (int n = 1; n <= 3; ++n) {
      const std::string host = tag_ + "h" + std::to_string(n),
                        peer = tag_ + "n" + std::to_string(n);
      const std::string gw = Prefix(n) + ".1", me = Prefix(n) + ".2";
      if (!Ip({"netns", "add", Ns(n)}) ||
          !Ip({"link", "add", host, "type", "veth", "peer", "name", peer}) ||
          !Ip({"link", "set", peer, "netns", Ns(n)}) ||
          !Ip({"addr", "add", gw + "/24", "dev", host}) || !Ip({"link", "set", host, "up"}) ||
          !Ip({"-n", Ns(n), "addr", "add", me + "/24", "dev", peer}) ||
          !Ip({"-n", Ns(n), "link", "set", peer, "up"}) ||
          !Ip({"-n", Ns(n), "link", "set", "lo", "up"}) ||
          !Ip({"-n", Ns(n), "route", "add", "default", "via", gw})) {
        return false;
      }
    }
    erp_added_ = Ip({"addr", "add", Erp() + "/32", "dev", "lo"});
    return erp_added_;
  }
  std::string Ns(int n) const { return tag_ + "r" + std::to_string(n); }
  std::string Prefix(int n) const { return "10." + std::to_string(net_) + "." + std::to_string(n); }
  std::string Address(int n) const { return Prefix(n) + ".2"; }
  std::string Erp() const { return "10." + std::to_string(net_) + ".0.1"; }

 private:
  int net_;
  std::string tag_;
  bool erp_added_ = false;
};

// The shipped rules with their windows and `for:` durations shortened.
std::string ShortenedRules() {
  std::ifstream in(std::string(ODOO_PROBER_SOURCE_DIR) +
                   "/deploy/prometheus/odoo-prober-rules.yml");
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  for (const auto& [from, to] :
       std::vector<std::pair<std::string, std::string>>{{"[5m]", "[10s]"},
                                                        {"[30m]", "[20s]"},
                                                        {"[1h]", "[30s]"},
                                                        {"[6h]", "[40s]"},
                                                        {"[3d]", "[60s]"}}) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at))
      text.replace(at, from.size(), to);
  }
  return std::regex_replace(text, std::regex(R"(for: \d+[smh])"), "for: 2s");
}

// The values of an instant query's vector by one label.
std::map<std::string, double> ByLabel(const json& answer, const std::string& label) {
  std::map<std::string, double> out;
  if (answer.is_discarded() || answer.value("status", "") != "success") return out;
  for (const auto& series : answer["data"]["result"]) {
    out[series["metric"].value(label, "")] = std::stod(series["value"][1].get<std::string>());
  }
  return out;
}

TEST_CASE("three regions: latency per region, a regional cut, a quorum outage", "[fleet]") {
  Regions regions;
  if (getuid() != 0 || !regions.Create()) {
    WARN(
        "cannot create network namespaces here (needs root and CAP_NET_ADMIN): the "
        "multi-region test is skipped, not passed");
    return;
  }
  testing::TempDir dir;
  dir.Write("password", "fleet-secret\n");
  // The ERP: answers late by caller (5, 40, 120 ms per call).
  dir.Write("faults.json", json({{"client_latency",
                                  {{regions.Address(1), "5ms"},
                                   {regions.Address(2), "40ms"},
                                   {regions.Address(3), "120ms"}}}})
                               .dump());
  auto erp = std::make_unique<testing::BackgroundProcess>(std::vector<std::string>{
      ODOO_EMULATOR_BIN, "--http", "--bind", "0.0.0.0", "--http-port", "0", "--version", "17.0",
      "--database", "probe", "--login", "admin", "--password-file", dir.path() + "/password",
      "--faults", dir.path() + "/faults.json"});
  const std::string line = erp->WaitForLine("listening on http://");
  REQUIRE_FALSE(line.empty());
  const std::string port = line.substr(line.rfind(':') + 1);

  // One config, one region file per region; login every second, objective 300 ms (3 calls).
  std::filesystem::create_directory(dir.path() + "/regions");
  std::ostringstream config;
  config << "version: 1\ntargets:\n  - {name: erp, url: \"http://" << regions.Erp() << ":" << port
         << "\", database: probe, login: admin, password_file: password, timeout: 2s, "
         << "connect_timeout: 1s, labels: {env: prod}}\n"
         << "journeys:\n  - {name: login, interval: 1s, timeout: 1s}\n"
         << "objectives: {latency: {under: 300ms, ratio: 95%}}\n";
  dir.Write("prober.yaml", config.str());
  std::vector<std::unique_ptr<testing::BackgroundProcess>> probers;
  std::ostringstream targets;
  for (int n = 1; n <= 3; ++n) {
    const std::string r = "r" + std::to_string(n);
    dir.Write("regions/" + r + ".yaml", "version: 1\nname: " + r + "\nplants:\n  - {name: plant" +
                                            std::to_string(n) + ", target: erp}\n");
    probers.push_back(std::make_unique<testing::BackgroundProcess>(std::vector<std::string>{
        kIp, "netns", "exec", regions.Ns(n), ODOO_PROBER_BIN, "run", dir.path() + "/prober.yaml",
        "--region", r, "--instance", r + "-0", "--listen", regions.Address(n) + ":9188"}));
    REQUIRE_FALSE(probers.back()->WaitForLine("listening on http://").empty());
    targets << (n > 1 ? ", " : "") << "'" << regions.Address(n) << ":9188'";
  }

  // Prometheus: scrapes the three every second, evaluates the shortened rules every second.
  dir.Write("odoo-prober-rules.yml", ShortenedRules());
  dir.Write("prometheus.yml",
            "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
            "rule_files: [odoo-prober-rules.yml]\n"
            "scrape_configs:\n  - job_name: odoo-prober\n    honor_labels: true\n"
            "    static_configs:\n      - targets: [" +
                targets.str() + "]\n");
  const uint16_t prom_port = testing::UnusedPort();
  const std::string prom = "http://127.0.0.1:" + std::to_string(prom_port);
  testing::BackgroundProcess prometheus(
      {"/usr/bin/prometheus", "--config.file=" + dir.path() + "/prometheus.yml",
       "--storage.tsdb.path=" + dir.path() + "/tsdb",
       "--web.listen-address=127.0.0.1:" + std::to_string(prom_port)},
      {}, testing::BackgroundProcess::Stderr::kCaptured);
  REQUIRE_FALSE(prometheus.WaitForLine("Server is ready to receive web requests").empty());
  auto query = [&](const std::string& expr, const std::string& label) {
    return ByLabel(testing::PromQuery(prom, expr), label);
  };
  auto firing = [&](const std::string& alert) {
    return query("ALERTS{alertstate=\"firing\",alertname=\"" + alert + "\"}", "region");
  };

  {
    // Each region's latency, as Prometheus has it: the mean of the one-call step read_user, and
    // the latency SLI's slow ratio against 300 ms (3 calls: 15, 120 and 360 ms).
    const std::string mean =
        "sum by (region) (rate(odoo_prober_step_duration_seconds_sum{step=\"read_user\"}[10s])) / "
        "sum by (region) (rate(odoo_prober_step_duration_seconds_count{step=\"read_user\"}[10s]))";
    std::map<std::string, double> latency, slow;
    REQUIRE(Eventually(
        [&] {
          latency = query(mean, "region");
          slow = query("odoo_prober:journey_slow_ratio:rate5m", "region");
          return latency.size() == 3 && slow.size() == 3;
        },
        60s));
    INFO("mean read_user latency r1 " << latency["r1"] << " r2 " << latency["r2"] << " r3 "
                                      << latency["r3"]);
    CHECK(latency["r1"] >= 0.005);
    CHECK(latency["r1"] < 0.040);
    CHECK(latency["r2"] >= 0.040);
    CHECK(latency["r2"] < 0.120);
    CHECK(latency["r3"] >= 0.120);
    CHECK(latency["r3"] < 0.300);
    CHECK(slow["r1"] == 0);
    CHECK(slow["r2"] == 0);
    CHECK(slow["r3"] == 1);
    CHECK(query("odoo_prober:journey_error_ratio:rate5m > 0", "region").empty());

    // Region 2 loses its path to the ERP (its probers are still scraped over their own link).
    REQUIRE(Ip({"-n", regions.Ns(2), "route", "add", "blackhole", regions.Erp() + "/32"}));
    std::map<std::string, double> regional;
    REQUIRE(Eventually(
        [&] {
          regional = firing("OdooJourneyDownRegional");
          return regional.count("r2") == 1;
        },
        60s));
    CHECK(regional.size() == 1);
    CHECK(firing("OdooJourneyDownQuorum").empty());
    const auto errors = query("odoo_prober:journey_error_ratio:rate5m", "region");
    CHECK(errors.at("r2") > 0.5);
    CHECK(errors.at("r1") == 0);
    CHECK(errors.at("r3") == 0);

    // The ERP stops: every region fails; the quorum alert fires and the regional one goes.
    REQUIRE(Ip({"-n", regions.Ns(2), "route", "del", "blackhole", regions.Erp() + "/32"}));
    erp->Stop();
    erp.reset();
    REQUIRE(Eventually(
        [&] {
          return firing("OdooJourneyDownQuorum").size() == 1 &&
                 firing("OdooJourneyDownRegional").empty();
        },
        60s));
    const auto down = testing::PromQuery(
        prom, "ALERTS{alertstate=\"firing\",alertname=\"OdooJourneyDownQuorum\"}");
    CHECK(down["data"]["result"][0]["metric"]["target"] == "erp");
    CHECK(down["data"]["result"][0]["metric"]["service"] == "access");
  }
}

}  // namespace
}  // namespace odoo_prober
