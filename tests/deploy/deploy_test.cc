// What deploy/ ships for Prometheus and Alertmanager: promtool accepts the rules and passes
// their unit tests (deploy/prometheus/odoo-prober-rules.test.yml: which alerts fire and which do
// not), every alert carries what on-call needs, its runbook exists, the rules name only metrics
// the prober exports, and a real Alertmanager with the shipped config inhibits as documented.
#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "config/objectives.h"
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
  tls.inspection.verified.push_back({});
  tls.inspection.verified.back().not_after =
      std::chrono::system_clock::now() + std::chrono::hours(24 * 20);
  m.ObserveTls(tls);
  m.dependencies().Declare({{"idp",
                             prober::DependencyKind::kHttp,
                             {"eu-west", "", "prod"},
                             {"access"},
                             true,
                             std::chrono::seconds(30)}});
  results::DependencyResult checked;  // `up` and the last check's time come with a check
  checked.dependency = "idp";
  m.dependencies().Observe(checked);
  m.changes().Declare({{"lyon", {"eu-west", "lyon", "prod"}}});
  m.changes().SetServerVersion("lyon", "17.0");
  results::ChangeEvent change;
  change.target = "lyon";
  change.kind = "module_upgraded";
  m.changes().Observe(change);
  results::LeftoverRecord leftover;
  leftover.target = "lyon";
  leftover.model = "purchase.order";
  leftover.since = std::chrono::system_clock::now();
  m.SetLeftovers({leftover});
  m.SetLeftoverAlertAfter(std::chrono::hours(1));
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
      const YAML::Node labels = rule["labels"];
      const std::string severity = labels ? labels["severity"].as<std::string>("") : "";
      const std::string expr = rule["expr"].as<std::string>();
      // A dependency's alert takes its severity and services from the config, through the
      // series its users are recorded in (the recording names both).
      const bool dependency_users =
          Contains(expr, "group_right\nodoo_prober:dependency_users:info");
      CHECK((severity == "page" || severity == "ticket" || dependency_users));
      // The business service: a static label, or joined from odoo_prober_journey_info.
      CHECK(((labels && labels["service"]) || Contains(expr, "group_left (service)") ||
             dependency_users));
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

// The rules' expressions, and the names they record.
std::vector<std::string> RuleExprs(std::set<std::string>* recorded) {
  std::vector<std::string> exprs;
  for (const auto& group : YAML::LoadFile(kRules.string())["groups"]) {
    for (const auto& rule : group["rules"]) {
      if (rule["record"] && recorded) recorded->insert(rule["record"].as<std::string>());
      exprs.push_back(rule["expr"].as<std::string>());
    }
  }
  return exprs;
}

// Checks that every odoo_prober name in `exprs` is exported or recorded by the rules; how many
// names were seen.
size_t CheckNamesKnown(const std::vector<std::string>& exprs) {
  const std::set<std::string> exported = ExportedNames();
  std::set<std::string> recorded;
  RuleExprs(&recorded);
  const std::regex name(R"(odoo_prober[a-z0-9_:]*)");
  size_t seen = 0;
  for (const auto& expr : exprs) {
    for (std::sregex_iterator it(expr.begin(), expr.end(), name), end; it != end; ++it) {
      INFO(expr);
      CHECK((exported.count(it->str()) == 1 || recorded.count(it->str()) == 1));
      ++seen;
    }
  }
  return seen;
}

TEST_CASE("the rules name only metrics the prober exports or the rules record", "[deploy]") {
  CHECK(CheckNamesKnown(RuleExprs(nullptr)) > 30);
}

TEST_CASE("every document a file of the repository names is in the repository", "[deploy]") {
  // A comment, a script or a document that points at a *.md the repository does not have sends
  // a maintainer (or a user's clone) nowhere. A name is looked up from its file's folder, then
  // from the repository's root; addresses (http...) are not files of ours.
  // Found by hand, not with std::regex: scanning the repository with it took 14 s under ASan.
  auto name_char = [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.' || ch == '/' ||
           ch == '-';
  };
  std::vector<fs::path> files;
  for (const char* top : {"prober", "config", "scenarios", "results", "runners", "regions", "tests",
                          "bench", "scripts", "deploy", "docs", "packaging", ".ci"}) {
    for (const auto& e : fs::recursive_directory_iterator(kRoot / top)) {
      if (!e.is_regular_file()) continue;
      const std::string rel = fs::relative(e.path(), kRoot).string();
      if (rel.rfind("tests/data/", 0) == 0) continue;  // recordings and fuzz seeds, not ours
      files.push_back(e.path());
    }
  }
  files.push_back(kRoot / "README.md");
  files.push_back(kRoot / "CMakeLists.txt");
  REQUIRE(files.size() > 100);
  size_t named = 0;
  std::vector<std::string> missing;
  for (const auto& file : files) {
    const std::string text = Read(file);
    if (text.find('\0') != std::string::npos) continue;  // binary
    for (size_t md = text.find(".md"); md != std::string::npos; md = text.find(".md", md + 3)) {
      const size_t after = md + 3;
      if (after < text.size() &&
          (std::isalnum(static_cast<unsigned char>(text[after])) || text[after] == '_'))
        continue;  // ".mdx", ".md_..."
      size_t at = md;
      while (at > 0 && name_char(text[at - 1])) --at;
      // A name ends in a letter, digit, '_' or '-' before ".md".
      if (at == md || text[md - 1] == '.' || text[md - 1] == '/') continue;
      const size_t line_start =
          text.rfind('\n', at) == std::string::npos ? 0 : text.rfind('\n', at);
      if (text.substr(line_start, at - line_start).find("://") != std::string::npos) continue;
      const std::string name = text.substr(at, after - at);
      ++named;
      if (fs::exists(file.parent_path() / name) || fs::exists(kRoot / name)) continue;
      missing.push_back(fs::relative(file, kRoot).string() + ": " + name);
    }
  }
  std::string list;
  for (const auto& m : missing) list += m + "\n";
  INFO(list);
  CHECK(missing.empty());
  CHECK(named > 30);
}

TEST_CASE("the rules' burn factors are validate's burn tiers", "[deploy]") {
  // odoo_prober:journey_burn_factor:<tier>: <share> * <window seconds> / <long window seconds>.
  std::map<std::string, std::string> exprs;
  for (const auto& group : YAML::LoadFile(kRules.string())["groups"]) {
    for (const auto& rule : group["rules"]) {
      const std::string name = rule["record"] ? rule["record"].as<std::string>() : "";
      if (name.rfind("odoo_prober:journey_burn_factor:", 0) == 0)
        exprs[name.substr(name.rfind(':') + 1)] = rule["expr"].as<std::string>();
    }
  }
  REQUIRE(exprs.size() == config::BurnTiers().size());
  for (const auto& tier : config::BurnTiers()) {
    std::string key = tier.name;
    key.erase(std::remove(key.begin(), key.end(), ' '), key.end());
    INFO(key);
    REQUIRE(exprs.count(key) == 1);
    std::smatch m;
    const std::regex shape(
        R"(^([0-9.]+) \* odoo_prober:journey_objective_window:seconds / ([0-9]+)$)");
    REQUIRE(std::regex_match(exprs[key], m, shape));
    CHECK(std::stod(m[1]) == tier.budget_share);
    CHECK(std::stol(m[2]) == std::chrono::seconds(tier.long_window).count());
    // Over 30 days, the workbook's factors: 14.4 and 6 (pages), 3 and 1 (tickets).
    const std::map<std::string, double> workbook = {
        {"page1h", 14.4}, {"page6h", 6}, {"ticket1d", 3}, {"ticket3d", 1}};
    CHECK(config::BurnFactor(tier, std::chrono::hours(720)) == Approx(workbook.at(key)));
  }
}

TEST_CASE("promtool accepts the example Prometheus config, amtool the Alertmanager one",
          "[deploy]") {
  auto prometheus = testing::RunProcess({"/usr/bin/promtool", "check", "config",
                                         (kRoot / "deploy/prometheus/prometheus.yml").string()});
  INFO(prometheus.out << prometheus.err);
  CHECK(prometheus.exit_code == 0);
  auto alertmanager =
      testing::RunProcess({"/usr/bin/amtool", "check-config",
                           (kRoot / "deploy/alertmanager/alertmanager.yml").string()});
  INFO(alertmanager.out << alertmanager.err);
  CHECK(alertmanager.exit_code == 0);
  CHECK(Contains(alertmanager.out, "4 inhibit rules"));
}

// An alert as Prometheus posts it, firing since now.
nlohmann::json Alert(const std::string& name, nlohmann::json labels) {
  labels["alertname"] = name;
  return {{"labels", labels}, {"annotations", {{"summary", name}}}};
}

// The alerts the Alertmanager at `base` holds: "name@where/journey" -> state ("active",
// "suppressed"); where is the instance, else the region, else "-".
std::map<std::string, std::string> States(const std::string& base) {
  auto r =
      testing::RunProcess({"/usr/bin/curl", "-sS", "--max-time", "5", base + "/api/v2/alerts"});
  std::map<std::string, std::string> out;
  const auto alerts = nlohmann::json::parse(r.out, nullptr, false);
  if (!alerts.is_array()) return out;
  for (const auto& a : alerts) {
    const auto& l = a["labels"];
    const std::string where = l.value("instance", l.value("region", std::string("-")));
    out[l["alertname"].get<std::string>() + "@" + where + "/" +
        l.value("journey", std::string("-"))] = a["status"]["state"];
  }
  return out;
}

// A real Alertmanager with the shipped config, on a free port, with its own storage.
struct RealAlertmanager {
  testing::TempDir dir;
  uint16_t port = testing::UnusedPort();
  std::string base = "http://127.0.0.1:" + std::to_string(port);
  testing::BackgroundProcess process{
      {"/usr/bin/prometheus-alertmanager",
       "--config.file=" + (kRoot / "deploy/alertmanager/alertmanager.yml").string(),
       "--storage.path=" + dir.path(), "--web.listen-address=127.0.0.1:" + std::to_string(port),
       "--cluster.listen-address="},
      {},
      testing::BackgroundProcess::Stderr::kCaptured};
  RealAlertmanager() { REQUIRE_FALSE(process.WaitForLine("Listening").empty()); }

  // Posts `alerts` as Prometheus does, then polls until the states are `expected` (Alertmanager
  // marks inhibitions as it processes the alerts) or 20 s pass; the states last seen.
  std::map<std::string, std::string> Post(const nlohmann::json& alerts,
                                          const std::map<std::string, std::string>& expected) {
    dir.Write("alerts.json", alerts.dump());
    auto post = testing::RunProcess({"/usr/bin/curl", "-sS", "--max-time", "5", "-H",
                                     "Content-Type: application/json", "--data-binary",
                                     "@" + dir.path() + "/alerts.json", base + "/api/v2/alerts"});
    INFO(post.out << post.err << process.output());
    REQUIRE(post.exit_code == 0);
    std::map<std::string, std::string> states;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while ((states = States(base)) != expected && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return states;
  }
};

std::string Said(const std::map<std::string, std::string>& states) {
  std::string seen;
  for (const auto& [alert, state] : states) seen += alert + ": " + state + "\n";
  return seen;
}

TEST_CASE("a real Alertmanager with the shipped config inhibits as documented", "[deploy]") {
  RealAlertmanager am;
  // A journey's alerts as the rules raise them: per region and plant (what its probers agree
  // on), or per journey and target (the quorum).
  auto plant = [](const std::string& name, const std::string& journey, const std::string& region,
                  const std::string& severity) {
    return Alert(name, {{"journey", journey},
                        {"target", "erp-prod"},
                        {"region", region},
                        {"plant", region == "eu-west" ? "lyon" : "porto"},
                        {"env", "prod"},
                        {"service", journey == "login" ? "access" : "order-to-cash"},
                        {"severity", severity}});
  };
  // sales_order_confirmation fails from every region: the quorum page; each region's ticket and
  // each plant's burn pages are held back. login burns its budget from eu-west only: its page
  // stays (another journey). A prober that is down pages on its own. A critical TLS finding
  // holds back the warning of the same endpoint, not another's.
  const nlohmann::json alerts = {
      Alert("OdooJourneyDownQuorum", {{"journey", "sales_order_confirmation"},
                                      {"target", "erp-prod"},
                                      {"env", "prod"},
                                      {"service", "order-to-cash"},
                                      {"severity", "page"}}),
      plant("OdooJourneyDownRegional", "sales_order_confirmation", "eu-west", "ticket"),
      plant("OdooJourneyErrorBudgetBurnFast", "sales_order_confirmation", "eu-west", "page"),
      plant("OdooJourneyErrorBudgetBurnFast", "sales_order_confirmation", "eu-south", "page"),
      plant("OdooJourneyErrorBudgetBurnSlow", "sales_order_confirmation", "eu-south", "ticket"),
      plant("OdooJourneyLatencyBudgetBurnFast", "sales_order_confirmation", "eu-south", "page"),
      plant("OdooJourneyErrorBudgetBurnFast", "login", "eu-west", "page"),
      Alert("OdooProberDown",
            {{"instance", "p3"}, {"service", "monitoring"}, {"severity", "page"}}),
      Alert("OdooTlsCritical", {{"instance", "p1"},
                                {"target", "erp-prod"},
                                {"kind", "expired"},
                                {"service", "all"},
                                {"severity", "page"}}),
      Alert("OdooTlsWarning", {{"instance", "p1"},
                               {"target", "erp-prod"},
                               {"kind", "expires_soon"},
                               {"service", "all"},
                               {"severity", "ticket"}}),
      Alert("OdooTlsWarning", {{"instance", "p2"},
                               {"target", "erp-prod"},
                               {"kind", "expires_soon"},
                               {"service", "all"},
                               {"severity", "ticket"}})};
  const std::map<std::string, std::string> expected = {
      {"OdooJourneyDownQuorum@-/sales_order_confirmation", "active"},
      {"OdooJourneyDownRegional@eu-west/sales_order_confirmation", "suppressed"},
      {"OdooJourneyErrorBudgetBurnFast@eu-west/sales_order_confirmation", "suppressed"},
      {"OdooJourneyErrorBudgetBurnFast@eu-south/sales_order_confirmation", "suppressed"},
      {"OdooJourneyErrorBudgetBurnSlow@eu-south/sales_order_confirmation", "suppressed"},
      // Slowness of the successful runs is not what the outage explains.
      {"OdooJourneyLatencyBudgetBurnFast@eu-south/sales_order_confirmation", "active"},
      {"OdooJourneyErrorBudgetBurnFast@eu-west/login", "active"},
      {"OdooProberDown@p3/-", "active"},
      {"OdooTlsCritical@p1/-", "active"},
      {"OdooTlsWarning@p1/-", "suppressed"},
      {"OdooTlsWarning@p2/-", "active"}};
  const auto states = am.Post(alerts, expected);
  INFO(Said(states));
  CHECK(states == expected);
}

TEST_CASE("a real Alertmanager holds back the journey alerts of a dependency's services",
          "[deploy][dependencies]") {
  RealAlertmanager am;
  // The IdP is down from eu-west: OdooDependencyDown once per service that needs it, as the
  // rules raise it (odoo-prober-rules.test.yml).
  auto down = [](const std::string& service) {
    return Alert("OdooDependencyDown", {{"dependency", "idp"},
                                        {"region", "eu-west"},
                                        {"env", "prod"},
                                        {"service", service},
                                        {"services", "access,order-to-cash"},
                                        {"kind", "http"},
                                        {"severity", "page"}});
  };
  auto journey = [](const std::string& name, const std::string& journey, const std::string& region,
                    const std::string& service, const std::string& severity) {
    return Alert(name, {{"journey", journey},
                        {"target", "erp-prod"},
                        {"region", region},
                        {"plant", "lyon"},
                        {"env", "prod"},
                        {"service", service},
                        {"severity", severity}});
  };
  const nlohmann::json alerts = {
      down("access"), down("order-to-cash"),
      // Its services' journeys in eu-west fail with it: held back.
      journey("OdooJourneyDownRegional", "login", "eu-west", "access", "ticket"),
      journey("OdooJourneyErrorBudgetBurnFast", "login", "eu-west", "access", "page"),
      journey("OdooJourneyErrorBudgetBurnSlow", "sales_order_confirmation", "eu-west",
              "order-to-cash", "ticket"),
      // Not its: another service in eu-west, the same service from another region, and
      // slowness (not what a dependency down explains).
      journey("OdooJourneyErrorBudgetBurnFast", "work_order_release", "eu-west", "manufacturing",
              "page"),
      journey("OdooJourneyErrorBudgetBurnFast", "sales_order_confirmation", "us-east",
              "order-to-cash", "page"),
      journey("OdooJourneyLatencyBudgetBurnFast", "login", "eu-west", "access", "page")};
  const std::map<std::string, std::string> expected = {
      {"OdooDependencyDown@eu-west/-", "active"},
      {"OdooJourneyDownRegional@eu-west/login", "suppressed"},
      {"OdooJourneyErrorBudgetBurnFast@eu-west/login", "suppressed"},
      {"OdooJourneyErrorBudgetBurnSlow@eu-west/sales_order_confirmation", "suppressed"},
      {"OdooJourneyErrorBudgetBurnFast@eu-west/work_order_release", "active"},
      {"OdooJourneyErrorBudgetBurnFast@us-east/sales_order_confirmation", "active"},
      {"OdooJourneyLatencyBudgetBurnFast@eu-west/login", "active"}};
  const auto states = am.Post(alerts, expected);
  INFO(Said(states));
  CHECK(states == expected);
  // Both of the dependency's alerts (one per service) are active, in one group: one page.
  auto groups = testing::RunProcess(
      {"/usr/bin/curl", "-sS", "--max-time", "5", am.base + "/api/v2/alerts/groups"});
  size_t dependency_groups = 0, dependency_alerts = 0;
  for (const auto& g : nlohmann::json::parse(groups.out)) {
    bool has = false;
    for (const auto& a : g["alerts"]) {
      if (a["labels"]["alertname"] != "OdooDependencyDown") continue;
      has = true;
      ++dependency_alerts;
      CHECK(a["status"]["state"] == "active");
    }
    dependency_groups += has ? 1 : 0;
  }
  CHECK(dependency_alerts == 2);
  CHECK(dependency_groups == 1);
}

// The dashboard's expressions (its panels' and its annotations'), with Grafana's variables
// replaced by what they stand for.
std::vector<std::string> DashboardExprs() {
  const auto dash =
      nlohmann::json::parse(Read(kRoot / "deploy/grafana/odoo-prober-dashboard.json"));
  std::vector<std::string> exprs;
  for (const auto& panel : dash.at("panels"))
    for (const auto& target : panel.at("targets")) exprs.push_back(target.at("expr"));
  for (const auto& annotation : dash.at("annotations").at("list"))
    exprs.push_back(annotation.at("expr"));
  for (std::string& e : exprs) {
    for (const auto& [var, value] :
         std::vector<std::pair<std::string, std::string>>{{"$__rate_interval", "5m"},
                                                          {"$journey", ".*"},
                                                          {"$target", ".*"},
                                                          {"$region", ".*"}}) {
      for (size_t at = e.find(var); at != std::string::npos; at = e.find(var, at))
        e.replace(at, var.size(), value);
    }
  }
  return exprs;
}

TEST_CASE("every dashboard expression is valid PromQL on exported or recorded metrics",
          "[deploy]") {
  const auto exprs = DashboardExprs();
  REQUIRE(exprs.size() >= 12);
  // Names: what the prober exports or the shipped rules record.
  CheckNamesKnown(exprs);
  // A real Prometheus, with the shipped rules loaded, accepts every one.
  testing::TempDir dir;
  fs::copy_file(kRules, dir.path() + "/odoo-prober-rules.yml");
  dir.Write("prometheus.yml", "rule_files: [odoo-prober-rules.yml]\n");
  const uint16_t port = testing::UnusedPort();
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  testing::BackgroundProcess prometheus(
      {"/usr/bin/prometheus", "--config.file=" + dir.path() + "/prometheus.yml",
       "--storage.tsdb.path=" + dir.path() + "/tsdb",
       "--web.listen-address=127.0.0.1:" + std::to_string(port)},
      {}, testing::BackgroundProcess::Stderr::kCaptured);
  REQUIRE_FALSE(prometheus.WaitForLine("Server is ready to receive web requests").empty());
  for (const auto& e : exprs) {
    auto r = testing::RunProcess({"/usr/bin/curl", "-sS", "--max-time", "10", "-G",
                                  base + "/api/v1/query", "--data-urlencode", "query=" + e});
    const auto answer = nlohmann::json::parse(r.out, nullptr, false);
    INFO(e << "\n" << r.out << r.err);
    CHECK((!answer.is_discarded() && answer.value("status", "") == "success"));
  }
}

}  // namespace
}  // namespace odoo_prober
