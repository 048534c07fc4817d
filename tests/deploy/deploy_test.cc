// What deploy/ ships for Prometheus: promtool accepts the rules and passes their unit tests
// (deploy/prometheus/odoo-prober-rules.test.yml: which alerts fire and which do not), every
// alert carries what on-call needs, its runbook exists, and the rules name only metrics the
// prober exports.
#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "results/metrics.h"
#include "tests/support/support.h"

namespace odoo_prober {
namespace {

namespace fs = std::filesystem;
using testing::Contains;

const fs::path kRoot = ODOO_PROBER_SOURCE_DIR;
const fs::path kRules = kRoot / "deploy/prometheus/odoo-prober-rules.yml";

std::string Read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The names of the families the prober exports (with a histogram's series names), from a
// registry where each kind of series exists.
std::set<std::string> ExportedNames() {
  results::Metrics m("p1", "1.0");
  m.DeclarePair(
      {"login", "lyon", {"eu-west", "lyon", "prod"}, "access", {}, std::chrono::seconds(60)});
  results::JourneyResult r;
  r.journey = "login";
  r.target = "lyon";
  r.outcome = prober::Outcome::kOk;
  r.steps.push_back({});
  m.Observe(r);
  m.SetInMaintenance("login", "lyon", {}, false);
  m.AddSkipped("login", "lyon", {}, 1);
  results::TlsReport tls;
  tls.target = "lyon";
  tls.endpoint = "erp:443";
  tls.findings.push_back({"expiring_warning", results::Severity::kWarning, "", ""});
  m.ObserveTls(tls);
  std::set<std::string> names;
  std::istringstream in(m.Serialize());
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# TYPE ", 0) != 0) continue;
    std::istringstream words(line.substr(7));
    std::string name, type;
    words >> name >> type;
    names.insert(name);
    if (type == "histogram") {
      for (const char* suffix : {"_bucket", "_sum", "_count"}) names.insert(name + suffix);
    }
  }
  return names;
}

TEST_CASE("promtool accepts the shipped rules and their unit tests pass", "[deploy]") {
  auto check = testing::RunProcess({"/usr/bin/promtool", "check", "rules", kRules.string()});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  // Fast burn pages, slow burn tickets, one region: regional not quorum, two regions: quorum,
  // a dead or stalled prober, TLS at both thresholds (see the test file's cases).
  auto unit =
      testing::RunProcess({"/usr/bin/promtool", "test", "rules",
                           (kRoot / "deploy/prometheus/odoo-prober-rules.test.yml").string()},
                          {}, std::chrono::seconds(110));
  INFO(unit.out << unit.err);
  CHECK(unit.exit_code == 0);
  CHECK(Contains(unit.out + unit.err, "SUCCESS"));
}

TEST_CASE("every alert has severity, service, a summary and a runbook that exists", "[deploy]") {
  const YAML::Node doc = YAML::LoadFile(kRules.string());
  std::set<std::string> alerts;
  for (const auto& group : doc["groups"]) {
    for (const auto& rule : group["rules"]) {
      if (!rule["alert"]) continue;
      const std::string name = rule["alert"].as<std::string>();
      INFO(name);
      alerts.insert(name);
      const std::string severity = rule["labels"]["severity"].as<std::string>("");
      CHECK((severity == "page" || severity == "ticket"));
      // The business service: a static label, or joined from odoo_prober_journey_info.
      const std::string expr = rule["expr"].as<std::string>();
      CHECK((rule["labels"]["service"] || Contains(expr, "group_left (service)")));
      CHECK_FALSE(rule["annotations"]["summary"].as<std::string>("").empty());
      CHECK_FALSE(rule["annotations"]["description"].as<std::string>("").empty());
      const std::string runbook = rule["annotations"]["runbook_url"].as<std::string>("");
      CHECK(runbook == "docs/runbooks/" + name + ".md");
      const std::string text = Read(kRoot / runbook);
      CHECK(Contains(text, "# " + name));
      CHECK(Contains(text, "## Check first"));
    }
  }
  CHECK(alerts.size() >= 10);
  // No runbook without its alert.
  for (const auto& entry : fs::directory_iterator(kRoot / "docs/runbooks")) {
    INFO(entry.path());
    CHECK(alerts.count(entry.path().stem().string()) == 1);
  }
}

TEST_CASE("the rules name only metrics the prober exports or the rules record", "[deploy]") {
  const std::set<std::string> exported = ExportedNames();
  const YAML::Node doc = YAML::LoadFile(kRules.string());
  std::set<std::string> recorded;
  std::vector<std::string> exprs;
  for (const auto& group : doc["groups"]) {
    for (const auto& rule : group["rules"]) {
      if (rule["record"]) recorded.insert(rule["record"].as<std::string>());
      exprs.push_back(rule["expr"].as<std::string>());
    }
  }
  const std::regex name(R"(odoo_prober[a-z0-9_:]*)");
  size_t seen = 0;
  for (const auto& expr : exprs) {
    for (std::sregex_iterator it(expr.begin(), expr.end(), name), end; it != end; ++it) {
      const std::string n = it->str();
      INFO(n);
      CHECK((exported.count(n) == 1 || recorded.count(n) == 1));
      ++seen;
    }
  }
  CHECK(seen > 30);
}

}  // namespace
}  // namespace odoo_prober
